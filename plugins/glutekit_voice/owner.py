"""One thread owns each speech engine and makes every call to it.

pyttsx3 hangs or loses text when two threads use it, so every call to a backend
runs on that backend's :class:`OwnerThread`: one per backend per process, shared by
the live output, the exporter and ``glutekit voices``. Callers wait for results
with a timeout, so a stuck engine can never hang a session.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from glutekit_voice.backends import (
    SpeechBackend,
    SpeechFailed,
    SpeechUnavailable,
    backend_names,
    open_backend,
)

T = TypeVar("T")


class _NotReady(Exception):
    """A call on the owner thread did not finish in the time given."""


class _Outcome(Generic[T]):
    """What a call on the owner thread came to, for the caller waiting on it.

    (A ``concurrent.futures.Future`` would do, but importing that module brings in
    ``logging``: a measurable part of a cached session's start.)
    """

    def __init__(self) -> None:
        self._ready = threading.Event()
        self._value: T | None = None
        self._error: BaseException | None = None

    def set_result(self, value: T) -> None:
        self._value = value
        self._ready.set()

    def set_exception(self, error: BaseException) -> None:
        self._error = error
        self._ready.set()

    def result(self, timeout: float) -> T:
        """The value, or the exception raised, once ready.

        :raises _NotReady: when it is not ready within ``timeout`` seconds.
        """
        if not self._ready.wait(timeout):
            raise _NotReady
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


class OwnerThread:
    """A daemon thread that opens one backend and makes every call to it, in order."""

    def __init__(self, backend_name: str) -> None:
        self.backend_name = backend_name
        self._calls: queue.Queue[tuple[Callable[[Any], Any], _Outcome[Any]]] = queue.Queue()
        self._opened: _Outcome[SpeechBackend] = _Outcome()
        self.stuck = False
        #: Set while no call runs; :func:`_quiesce` waits for it before the process exits.
        self._idle = threading.Event()
        self._closing = False
        thread = threading.Thread(target=self._serve, name=f"glutekit-voice-{backend_name}")
        thread.daemon = True  # an engine stuck in C must not keep the process alive
        thread.start()

    def _serve(self) -> None:
        try:
            self._serve_calls()
        finally:
            self._idle.set()

    def _serve_calls(self) -> None:
        try:
            backend: SpeechBackend = open_backend(self.backend_name)
        except SpeechUnavailable as exc:
            self._opened.set_exception(exc)
            return
        self._opened.set_result(backend)
        while True:
            self._idle.set()
            function, future = self._calls.get()
            self._idle.clear()
            if self._closing:
                future.set_exception(SpeechFailed(f"{self.backend_name} is closing"))
                continue
            try:
                future.set_result(function(backend))
            except BaseException as exc:
                future.set_exception(exc)

    def quiesce(self, timeout: float) -> None:
        """Take no more calls; wait up to ``timeout`` s for the running one to return.

        An engine in native code when the interpreter shuts down (Piper's onnxruntime,
        for one) aborts the whole process as its thread comes back: SIGTERM in the
        middle of an export would end in SIGABRT instead of a clean exit.
        """
        self._closing = True
        self._idle.wait(timeout)

    def backend(self, timeout: float = 30.0) -> SpeechBackend:
        """The opened backend (for its name and details; call it only through :meth:`call`).

        :raises SpeechUnavailable: when the engine cannot start.
        """
        try:
            return self._opened.result(timeout)
        except _NotReady:
            raise SpeechUnavailable(
                f"{self.backend_name} did not start within {timeout:.0f} s",
                "try --voice-backend espeak-ng",
            ) from None

    def call(self, function: Callable[[Any], T], timeout: float) -> T:
        """Run ``function(backend)`` on the owner thread and return its result.

        :raises SpeechFailed: when the call does not finish in time; the thread is
            then considered stuck and later calls fail at once.
        """
        self.backend()
        if self.stuck:
            raise SpeechFailed(f"{self.backend_name} stopped responding earlier in this session")
        future: _Outcome[T] = _Outcome()
        self._calls.put((function, future))
        try:
            return future.result(timeout)
        except _NotReady:
            self.stuck = True
            raise SpeechFailed(f"{self.backend_name} stopped responding") from None


_owners: dict[str, OwnerThread] = {}
_owners_lock = threading.Lock()


#: How long the process waits at exit for an engine to finish the cue it is speaking.
EXIT_WAIT = 10.0


def _quiesce() -> None:
    with _owners_lock:
        owners = list(_owners.values())
    for owner in owners:
        if not owner.stuck:
            owner.quiesce(EXIT_WAIT)


def owner_thread(backend_name: str) -> OwnerThread:
    """The process-wide owner of a backend, started on first use."""
    with _owners_lock:
        if not _owners:
            import atexit

            atexit.register(_quiesce)
        owner = _owners.get(backend_name)
        if owner is None:
            owner = _owners[backend_name] = OwnerThread(backend_name)
        return owner


def open_owner(requested: str) -> OwnerThread:
    """The owner thread of the requested backend, or of the first that works for "auto".

    :raises SpeechUnavailable: naming every backend tried and how to fix it.
    """
    names = backend_names() if requested == "auto" else [requested]
    problems: list[SpeechUnavailable] = []
    for name in names:
        owner = owner_thread(name)
        try:
            owner.backend()
        except SpeechUnavailable as exc:
            problems.append(exc)
            continue
        return owner
    if len(problems) == 1:
        raise problems[0]
    what = "no speech engine: " + "; ".join(p.what for p in problems)
    raise SpeechUnavailable(what, problems[0].fix)
