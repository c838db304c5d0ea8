"""Clocks that the engine plays against, in session seconds.

:class:`MonotonicClock` follows real time (optionally sped up); :class:`AudioClock`
follows the samples an audio stream has played; :class:`VirtualClock`
jumps straight to each deadline, for tests and instant dry runs. Both wake early when
an interrupt :class:`threading.Event` is set, so pause, skip and Ctrl-C act at once.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

__all__ = ["AudioClock", "Clock", "MonotonicClock", "VirtualClock"]

#: Wait on the event until this close to a deadline, then finish with short sleeps:
#: a timed wait can overshoot by a scheduler tick, a 0-second sleep loop does not.
_FINE = 0.002


@runtime_checkable
class Clock(Protocol):
    """Session time, and a way to wait for it."""

    #: Session seconds per real second (1.0 = real time).
    speed: float

    def now(self) -> float:
        """Session seconds since the clock was made."""
        ...

    def sleep_until(self, deadline: float, interrupt: threading.Event | None = None) -> bool:
        """Wait until ``now() >= deadline``; ``math.inf`` waits for the interrupt only.

        :returns: True when woken early because ``interrupt`` was set.
        """
        ...


class MonotonicClock:
    """Real time from :func:`time.perf_counter`, multiplied by ``speed``."""

    def __init__(self, speed: float = 1.0) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be above 0, got {speed}")
        self.speed = float(speed)
        self._origin = time.perf_counter()

    def now(self) -> float:
        return (time.perf_counter() - self._origin) * self.speed

    def real_time_of(self, session_time: float) -> float:
        """The :func:`time.perf_counter` value at which ``now()`` reaches ``session_time``."""
        return self._origin + session_time / self.speed

    def sleep_until(self, deadline: float, interrupt: threading.Event | None = None) -> bool:
        flag = interrupt or threading.Event()
        if math.isinf(deadline):
            flag.wait()
            return True
        target = self.real_time_of(deadline)
        while True:
            if flag.is_set():
                return True
            remaining = target - time.perf_counter()
            if remaining <= 0:
                return False
            if remaining > _FINE:
                flag.wait(remaining - _FINE)
            else:
                time.sleep(0)


class AudioClock:
    """Session time counted in the samples an audio stream has played.

    ``position`` returns ``(frames, at)``: how many frames had been heard at the
    :func:`time.perf_counter` moment ``at`` (the stream updates it on every period).
    Between two updates the clock runs on at the real rate, so it reads smoothly; it
    never goes back. If the stream stalls, it goes on with real time, so a session
    never hangs on a dead device.
    """

    def __init__(
        self, position: Callable[[], tuple[int, float]], rate: int, speed: float = 1.0
    ) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be above 0, got {speed}")
        self.speed = float(speed)
        self.rate = rate
        self._position = position
        self._last = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        frames, at = self._position()
        seconds = frames / self.rate + max(0.0, time.perf_counter() - at)
        with self._lock:
            self._last = max(self._last, seconds * self.speed)
            return self._last

    def sleep_until(self, deadline: float, interrupt: threading.Event | None = None) -> bool:
        flag = interrupt or threading.Event()
        if math.isinf(deadline):
            flag.wait()
            return True
        while True:
            if flag.is_set():
                return True
            remaining = (deadline - self.now()) / self.speed
            if remaining <= 0:
                return False
            if remaining > _FINE:
                flag.wait(min(remaining - _FINE, 0.05))
            else:
                time.sleep(0)


class VirtualClock:
    """A clock that moves only when something waits on it: no real waiting at all.

    ``sleep_until`` jumps to the deadline at once, unless the interrupt is already set.
    Waiting for ``math.inf`` (a paused session) blocks for real until the interrupt.
    """

    def __init__(self, start: float = 0.0, speed: float = 1.0) -> None:
        self._now = float(start)
        self.speed = speed
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds

    def sleep_until(self, deadline: float, interrupt: threading.Event | None = None) -> bool:
        if interrupt is not None and interrupt.is_set():
            return True
        if math.isinf(deadline):
            if interrupt is None:
                raise ValueError("waiting forever on a virtual clock needs an interrupt event")
            interrupt.wait()
            return True
        with self._lock:
            self._now = max(self._now, deadline)
        return False
