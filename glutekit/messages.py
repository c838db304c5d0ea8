"""How much glutekit says on stderr: set once per command by ``--quiet`` / ``--verbose``.

Plugins that print notes of their own (such as the voice plugin's "no audio
device" line) ask :func:`level` so that ``--quiet`` silences them too. Warnings
that mean lost work and errors are always printed.
"""

from __future__ import annotations

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
        import sys

        print(f"glutekit: {message}", file=sys.stderr, flush=True)
