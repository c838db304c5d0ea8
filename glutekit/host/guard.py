"""Run a plugin's code so that nothing it does can hang, end or garble glutekit.

Every import of a plugin and every hook call the host makes goes through :func:`guarded`:

- a watchdog names a plugin that has been busy for a few seconds (the plugin, what it
  is doing, and the switch that disables it), and after ``GLUTEKIT_PLUGIN_TIMEOUT``
  seconds (30 unless set) interrupts it, so the command goes on without it;
- ``sys.exit()``, ``os._exit()``, ``os.abort()`` and a ``KeyboardInterrupt`` the plugin
  raises itself (not the user's Ctrl-C) become a failure of that plugin, like any
  exception, so the plugin is named instead of the command ending without a word;
- threads a plugin starts and leaves running (not daemon threads) are named when the
  command ends, and glutekit exits without waiting for them;
- what the plugin prints to standard output goes to standard error, prefixed with its
  name, so ``--json`` output stays valid.

The watchdog can only interrupt Python code on the main thread; a plugin stuck in C
code past the timeout ends the command with exit 1 and one line naming it.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator

from glutekit.model.records import record

ENV_TIMEOUT = "GLUTEKIT_PLUGIN_TIMEOUT"
DEFAULT_TIMEOUT = 30.0
#: The watchdog speaks up after this long (or half the timeout, if that is shorter).
WARN_AFTER = 5.0


class PluginFailure(Exception):
    """The plugin's code failed; ``reason`` says how (without the plugin's name).

    ``ended`` is true when it tried to end the whole process (``os._exit``, ``os.abort``).
    """

    def __init__(self, reason: str, *, ended: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.ended = ended


class _Stuck(BaseException):
    """Raised in the main thread by the watchdog's signal while a plugin is stuck."""


class _Ended(BaseException):
    """A plugin called ``os._exit`` or ``os.abort`` while glutekit ran its code."""

    def __init__(self, call: str) -> None:
        super().__init__(call)
        self.call = call


#: Threads running plugin code right now (the main thread in a hook, an output's worker).
_inside = threading.local()
_real_exit = os._exit
_real_abort = os.abort


def _in_plugin() -> bool:
    # Not in a child forked from plugin code (multiprocessing ends its children with
    # os._exit): the child's copy of this thread is not glutekit's.
    return bool(getattr(_inside, "depth", 0)) and getattr(_inside, "pid", 0) == os.getpid()


def _exit_in_plugin(code: int) -> None:
    if _in_plugin():
        raise _Ended(f"os._exit({code!r})")
    _real_exit(code)


def _abort_in_plugin() -> None:
    if _in_plugin():
        raise _Ended("os.abort()")
    _real_abort()


def _catch_process_ends() -> None:
    """Make ``os._exit`` and ``os.abort`` fail the plugin that calls them (once, for good).

    Outside plugin code (glutekit's own, a library's thread) they do what they always do.
    """
    if os._exit is not _exit_in_plugin:
        os._exit = _exit_in_plugin  # type: ignore[assignment]
        os.abort = _abort_in_plugin  # type: ignore[assignment]


#: Threads (not daemon threads) started while a plugin's code ran: thread -> plugin.
_plugin_threads: dict[threading.Thread, tuple[str, str]] = {}


def _note_new_threads(before: set[threading.Thread], plugin: str, hint: str) -> None:
    for thread in threading.enumerate():
        if thread not in before and not thread.daemon and thread.is_alive():
            _plugin_threads[thread] = (plugin, hint)


def leftover_threads(wait: float) -> list[str]:
    """Lines naming each plugin whose threads still run, after waiting up to ``wait`` s.

    Python waits for every thread that is not a daemon before it exits, so one thread a
    plugin left running would hang every command at its end.
    """
    give_up = time.monotonic() + wait
    left = []
    for thread, (plugin, hint) in list(_plugin_threads.items()):
        thread.join(max(0.0, give_up - time.monotonic()))
        if thread.is_alive():
            left.append((plugin, hint, thread.name))
    lines = []
    for plugin in dict.fromkeys(p for p, _, _ in left):
        names = ", ".join(f"'{n}'" for p, _, n in left if p == plugin)
        hint = next(h for p, h, _ in left if p == plugin)
        lines.append(
            f"plugin '{plugin}' left a thread running ({names}); glutekit ends without "
            f"waiting for it ({hint})"
        )
    return lines


#: What GLUTEKIT_PLUGIN_TIMEOUT may be: below a second even glutekit's own plugins
#: would be cut off; past an hour a stuck plugin is as good as a hang.
MIN_TIMEOUT = 1.0
MAX_TIMEOUT = 3600.0


def check_timeout() -> float:
    """``GLUTEKIT_PLUGIN_TIMEOUT`` in seconds (30 when not set).

    :raises glutekit.errors.InputError: for a value that is not a number of seconds
        from 1 to 3600 (``abc``, ``-1``, ``0``, ``nan``, ``inf``, ``0.001``).
    """
    import math

    from glutekit.errors import InputError

    raw = os.environ.get(ENV_TIMEOUT, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not MIN_TIMEOUT <= value <= MAX_TIMEOUT:  # also false for nan
        raise InputError(
            f"{ENV_TIMEOUT}: must be a number of seconds from {MIN_TIMEOUT:g} to "
            f"{MAX_TIMEOUT:g} (got {raw!r}); leave it unset for {DEFAULT_TIMEOUT:g}"
        )
    return value


def timeout() -> float:
    try:
        return check_timeout()
    except Exception:
        return DEFAULT_TIMEOUT  # checked, with a message, before any plugin loads


@record
class _Call:
    plugin: str
    what: str
    started: float
    hint: str
    warned: bool = False
    interrupted: float | None = None


class _Watchdog:
    """One daemon thread watching the plugin call in progress on the main thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.current: _Call | None = None
        self.thread: threading.Thread | None = None
        self.user_interrupted = False

    def start(self) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._watch, name="glutekit-watchdog")
            self.thread.daemon = True
            self.thread.start()

    def _watch(self) -> None:
        while True:
            time.sleep(0.1)
            with self.lock:
                call = self.current
                if call is None:
                    continue
                limit = timeout()
                busy = time.monotonic() - call.started
                if not call.warned and busy >= min(WARN_AFTER, limit / 2):
                    call.warned = True
                    _say(
                        f"glutekit: warning: plugin '{call.plugin}' has been busy in "
                        f"{call.what} for {busy:.0f} s; waiting up to {limit:.0f} s "
                        f"({call.hint})"
                    )
                if call.interrupted is None and busy >= limit:
                    call.interrupted = time.monotonic()
                    signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGUSR1)
                elif call.interrupted is not None and time.monotonic() - call.interrupted > 5:
                    _say(
                        f"glutekit: error: plugin '{call.plugin}' is stuck in {call.what} "
                        f"and cannot be interrupted; stopping ({call.hint})"
                    )
                    _real_exit(1)


_watchdog = _Watchdog()


def _say(line: str) -> None:
    with contextlib.suppress(Exception):
        stream = sys.__stderr__ or sys.stderr
        stream.write(line + "\n")
        stream.flush()


def _on_watchdog(signum: int, frame: object) -> None:
    call = _watchdog.current
    if call is not None and call.interrupted is not None:
        raise _Stuck


def _on_user_interrupt(signum: int, frame: object) -> None:
    _watchdog.user_interrupted = True
    raise KeyboardInterrupt


@contextlib.contextmanager
def guarded(plugin: str, what: str, hint: str) -> Iterator[None]:
    """Run the block as plugin code: see the module docstring.

    :raises PluginFailure: for anything the plugin did wrong (stuck, exit, interrupt,
        an exception); a Ctrl-C from the user still raises ``KeyboardInterrupt``.
    """
    _catch_process_ends()
    before = set(threading.enumerate())
    _inside.depth = getattr(_inside, "depth", 0) + 1
    _inside.pid = os.getpid()
    try:
        with _watched(plugin, what, hint):
            yield
    except _Ended as exc:
        raise PluginFailure(
            f"called {exc.call} in {what}, which would have ended glutekit", ended=True
        ) from None
    finally:
        _inside.depth -= 1
        _note_new_threads(before, plugin, hint)


@contextlib.contextmanager
def _watched(plugin: str, what: str, hint: str) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread() or _watchdog.current:
        # Another thread (an output's worker) or a call nested in one being watched.
        with _captured(plugin):
            try:
                yield
            except (SystemExit, KeyboardInterrupt) as exc:
                raise PluginFailure(_describe(exc)) from None
        return
    _watchdog.start()
    previous = {
        signal.SIGUSR1: signal.signal(signal.SIGUSR1, _on_watchdog),
        signal.SIGINT: signal.signal(signal.SIGINT, _on_user_interrupt),
    }
    _watchdog.user_interrupted = False
    call = _Call(plugin=plugin, what=what, started=time.monotonic(), hint=hint)
    with _watchdog.lock:
        _watchdog.current = call
    try:
        with _captured(plugin):
            yield
    except _Stuck:
        raise PluginFailure(f"did not return from {what} in {timeout():.0f} s") from None
    except KeyboardInterrupt:
        if _watchdog.user_interrupted:
            raise
        raise PluginFailure(f"raised KeyboardInterrupt in {what}") from None
    except SystemExit as exc:
        raise PluginFailure(_describe(exc, what)) from None
    finally:
        with _watchdog.lock:
            _watchdog.current = None
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _describe(exc: BaseException, what: str = "") -> str:
    where = f" in {what}" if what else ""
    if isinstance(exc, SystemExit):
        return f"called sys.exit({exc.code!r}){where}"
    return f"raised {type(exc).__name__}{where}"


class _Tee(io.TextIOBase):
    """Standard output while a plugin runs: its lines go to stderr, with its name."""

    def __init__(self, plugin: str, real: object) -> None:
        self.plugin = plugin
        self.real = real
        self.pending = ""

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        self.pending += text
        while "\n" in self.pending:
            line, self.pending = self.pending.split("\n", 1)
            self._emit(line)
        return len(text)

    def flush(self) -> None:
        if self.pending:
            self._emit(self.pending)
            self.pending = ""

    def _emit(self, line: str) -> None:
        from glutekit.textcheck import safe

        _say(f"glutekit: plugin '{self.plugin}' printed: {safe(line)[:500]}")


@contextlib.contextmanager
def _captured(plugin: str) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # sys.stdout is shared: only the main thread may swap it
        return
    tee = _Tee(plugin, sys.stdout)
    with contextlib.redirect_stdout(tee):
        try:
            yield
        finally:
            tee.flush()
