"""Holding Ctrl-C and SIGTERM back while code that must not be interrupted runs.

Some extension modules cannot take an interrupt: jsonschema-rs imports Python's
``decimal`` from Rust the first time it needs it, and a KeyboardInterrupt raised in
that import makes it panic, printing a Rust panic and a Python traceback. Blocking
the signal with ``pthread_sigmask`` is not enough: the kernel may hand a
process-wide signal to another thread, and CPython then runs the handler in the main
thread all the same. So the handlers themselves are swapped for ones that only take
note, and the signal is acted on, with the handler that was there, once the block is
over.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

HELD = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """Run the block without interruption; a Ctrl-C or SIGTERM that came meanwhile is
    then handled as it would have been (KeyboardInterrupt, glutekit's SIGTERM exit).

    Only Python-level handlers are swapped, and only on the main thread (where
    handlers run); elsewhere, and for signals left at the default or ignored, the
    block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[int] = []

    def note(signum: int, frame: FrameType | None) -> None:
        came.append(signum)

    previous: dict[int, Callable[[int, Any], Any]] = {}
    for sig in HELD:
        handler = signal.getsignal(sig)
        if callable(handler):
            previous[sig] = handler
            signal.signal(sig, note)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if came:
            previous[came[0]](came[0], None)
