"""Standard streams that never end a command in an internal error.

- Text that the terminal's encoding cannot show (``PYTHONIOENCODING=ascii``) is replaced
  (``?``), never fatal, so no cue line is lost.
- A closed standard output (``glutekit ... >&-``) or a full one (``> /dev/full``) is one
  line on stderr and exit 1; commands that print nothing on stdout still work.
- A pipe closed by the reader (``glutekit ... | head -1``) ends quietly with exit 0.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from typing import Any

#: errno values that mean standard output cannot take more text.
STDOUT_FAILURES = frozenset({errno.ENOSPC, errno.EBADF, errno.EIO, errno.EDQUOT})


class PipeClosed(BaseException):
    """The reader of standard output went away. A BaseException, so click's own
    EPIPE handling (exit 1) never sees it."""


class _Closed(io.TextIOBase):
    """Stands in for a standard stream the process was started without."""

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, f"standard {self.name} is closed")


def prepare() -> None:
    """Make stdout and stderr safe to write to, whatever the process was given."""
    if sys.stdout is None:
        sys.stdout = _Closed("output")
    if sys.stderr is None:
        sys.stderr = _Closed("error")
    for stream in (sys.stdout, sys.stderr):
        reconfigure: Any = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")


def is_stdout_failure(exc: BaseException) -> bool:
    """An OSError that came from writing to standard output (no file name attached)."""
    return (
        isinstance(exc, OSError)
        and not isinstance(exc, BrokenPipeError)
        and getattr(exc, "filename", None) is None
        and exc.errno in STDOUT_FAILURES
    )


def silence_stdout() -> None:
    """Point file descriptor 1 at /dev/null, so the flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass


def flush_stdout() -> None:
    """Flush standard output now, while failures can still be reported."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise PipeClosed from None
