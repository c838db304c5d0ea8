"""glutekit: compose, run and print mobility routines."""

# No "from __future__ import annotations" here: it imports the __future__ module, one
# more place for an early Ctrl-C to land before the handler below is in place.


def _quiet_early_interrupt() -> None:
    """As the ``glutekit`` command, Ctrl-C while Python still imports ends with exit 130.

    Without this, a Ctrl-C in the first few tens of milliseconds prints a traceback
    from whatever module was being imported. ``glutekit.cli.main`` puts Python's own
    handler back as soon as it runs. Importing glutekit as a library changes nothing.
    """
    # os and sys are loaded by Python's own start-up; _signal is built in. The signal
    # module would import enum, functools and collections first, long enough for a
    # Ctrl-C to land there with a traceback through this function. The test below uses
    # only built-in methods (os.path.basename is Python code, where a Ctrl-C can land):
    # every line run before the handler is in place can show a traceback.
    import _signal as signal  # type: ignore[import-not-found]
    import os
    import sys

    if not sys.argv or sys.argv[0].replace("\\", "/").rsplit("/", 1)[-1] != "glutekit":
        return
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return
    write, leave = os.write, os._exit  # bound now: nothing replaced later is used

    def interrupted(signum: int, frame: object) -> None:
        write(2, b"glutekit: interrupted\n")
        leave(130)

    signal.signal(signal.SIGINT, interrupted)


_quiet_early_interrupt()


# Imported after the handler above, so Ctrl-C during these imports is quiet too.
from collections.abc import Callable  # noqa: E402
from typing import Any, TypeVar, cast  # noqa: E402

import pluggy  # noqa: E402

__all__ = ["PROJECT", "__version__", "hookimpl"]

#: The pluggy project name, and the entry-point group plugins register under.
PROJECT = "glutekit"

__version__ = "0.1.0"

_F = TypeVar("_F", bound=Callable[..., Any])

#: Decorator that marks a function as a glutekit hook implementation.
hookimpl: Callable[[_F], _F] = cast(Callable[[_F], _F], pluggy.HookimplMarker(PROJECT))
