"""How much glutekit says on stderr: set once per command by ``--quiet`` / ``--verbose``.

Plugins that print notes of their own (such as the voice plugin's "no audio
device" line) ask :func:`level` so that ``--quiet`` silences them too. Warnings
that mean lost work and errors are always printed.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

QUIET, NORMAL, VERBOSE = 0, 1, 2

_level = NORMAL


def set_level(level: int) -> None:
    global _level
    _level = max(QUIET, min(VERBOSE, level))


def level() -> int:
    return _level


def note(message: str) -> None:
    """A one-line note on stderr (``glutekit: MESSAGE``), silenced by ``--quiet``."""
    if _level >= NORMAL:
        print(f"glutekit: {message}", file=sys.stderr, flush=True)


_captured: list[list[str]] = []


def warn(message: str) -> None:
    """A warning (``glutekit: warning: MESSAGE``), printed even with ``--quiet``.

    Inside :func:`capture` it is collected instead, so a check (``check-pack``) can
    report it as a finding.
    """
    if _captured:
        _captured[-1].append(message)
        return
    print(f"glutekit: warning: {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def capture() -> Iterator[list[str]]:
    """Collect the warnings given inside the block, in a list, instead of printing them."""
    found: list[str] = []
    _captured.append(found)
    try:
        yield found
    finally:
        _captured.pop()
