"""glutekit: compose, run and print mobility routines.

The public API is what ``__all__`` below names; everything else is internal. Each name is
imported when first used, so ``import glutekit`` (and ``glutekit --version``) stays fast::

    import glutekit

    session = glutekit.open_session("quick-five", speed=50)
    print(glutekit.summary_line(session.play().summary))

The rooms behind it: :mod:`glutekit.host` (plugins), :mod:`glutekit.catalog` (packs and
their checks), :mod:`glutekit.timeline` (the compiler), :mod:`glutekit.session` (playing),
:mod:`glutekit.compose`, :mod:`glutekit.history`, :mod:`glutekit.program`,
:mod:`glutekit.publish` and :mod:`glutekit.cli`; the plugin contract is
:mod:`glutekit.hookspecs` and :mod:`glutekit.interfaces`.
"""

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
import importlib  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import TYPE_CHECKING, Any, TypeVar, cast  # noqa: E402

import pluggy  # noqa: E402

if TYPE_CHECKING:
    from glutekit.catalog import Catalog
    from glutekit.errors import (
        GlutekitError,
        InputError,
        PluginError,
        UnknownId,
        ValidationFailed,
    )
    from glutekit.host.plugins import PluginHost, make_plugin_host
    from glutekit.interfaces import (
        ComposeRequest,
        Event,
        Exporter,
        ExportRequest,
        InputSpec,
        Output,
        OutputOptions,
        OutputSpec,
        SessionSummary,
        Strategy,
    )
    from glutekit.model import Cue, Dose, Exercise, Pack, Routine, Segment, Timeline
    from glutekit.session import Session, SessionOptions, SessionResult, open_session, summary_line
    from glutekit.testing import ConformanceError, check_pack, check_pack_module
    from glutekit.timeline import CompileSettings
    from glutekit.timeline import compile as compile_timeline

#: Every public name, and the module it comes from (imported on first use).
_PUBLIC = {
    # Run a routine.
    "Session": "glutekit.session",
    "SessionOptions": "glutekit.session",
    "SessionResult": "glutekit.session",
    "open_session": "glutekit.session",
    "summary_line": "glutekit.session",
    # The plugins and what they provide.
    "PluginHost": "glutekit.host.plugins",
    "make_plugin_host": "glutekit.host.plugins",
    "Catalog": "glutekit.catalog",
    # Compile a routine into timed cues (pure).
    "CompileSettings": "glutekit.timeline",
    "compile_timeline": "glutekit.timeline:compile",
    # Values.
    "Cue": "glutekit.model",
    "Dose": "glutekit.model",
    "Exercise": "glutekit.model",
    "Pack": "glutekit.model",
    "Routine": "glutekit.model",
    "Segment": "glutekit.model",
    "Timeline": "glutekit.model",
    # What plugins return and receive.
    "ComposeRequest": "glutekit.interfaces",
    "Event": "glutekit.interfaces",
    "ExportRequest": "glutekit.interfaces",
    "Exporter": "glutekit.interfaces",
    "InputSpec": "glutekit.interfaces",
    "Output": "glutekit.interfaces",
    "OutputOptions": "glutekit.interfaces",
    "OutputSpec": "glutekit.interfaces",
    "SessionSummary": "glutekit.interfaces",
    "Strategy": "glutekit.interfaces",
    # Errors (each carries its exit code).
    "GlutekitError": "glutekit.errors",
    "InputError": "glutekit.errors",
    "PluginError": "glutekit.errors",
    "UnknownId": "glutekit.errors",
    "ValidationFailed": "glutekit.errors",
    # Conformance checks for pack authors.
    "ConformanceError": "glutekit.testing",
    "check_pack": "glutekit.testing",
    "check_pack_module": "glutekit.testing",
}

__all__ = [
    "PROJECT",
    "Catalog",
    "CompileSettings",
    "ComposeRequest",
    "ConformanceError",
    "Cue",
    "Dose",
    "Event",
    "Exercise",
    "ExportRequest",
    "Exporter",
    "GlutekitError",
    "InputError",
    "InputSpec",
    "Output",
    "OutputOptions",
    "OutputSpec",
    "Pack",
    "PluginError",
    "PluginHost",
    "Routine",
    "Segment",
    "Session",
    "SessionOptions",
    "SessionResult",
    "SessionSummary",
    "Strategy",
    "Timeline",
    "UnknownId",
    "ValidationFailed",
    "__version__",
    "check_pack",
    "check_pack_module",
    "compile_timeline",
    "hookimpl",
    "make_plugin_host",
    "open_session",
    "summary_line",
]

#: The pluggy project name, and the entry-point group plugins register under.
PROJECT = "glutekit"

__version__ = "0.1.0"

_F = TypeVar("_F", bound=Callable[..., Any])

#: Decorator that marks a function as a glutekit hook implementation.
hookimpl: Callable[[_F], _F] = cast(Callable[[_F], _F], pluggy.HookimplMarker(PROJECT))


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562)."""
    try:
        module, _, attribute = _PUBLIC[name].partition(":")
    except KeyError:
        raise AttributeError(f"module 'glutekit' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute or name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})
