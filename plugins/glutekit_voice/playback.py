"""The player thread: plays queued cue files, most important first, never blocking anyone.

Cues are submitted when they are due. Only one plays at a time. When several wait,
the highest priority goes first, so a 3-2-1 countdown or "switch sides" is never
held back by "next up"; a cue of much higher priority also cuts short a lower one
that is playing. A cue that could not start within ``stale_after`` seconds of its time is
dropped rather than said late.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from glutekit.model.records import record
from glutekit_voice.player import PlaybackFailed, Player

#: A cue cuts short the one playing only if it outranks it by this much: a countdown
#: cuts into "next up", but "switch sides" lets "begin" finish.
CUT_IN_MARGIN = 30

Outcome = Literal["pending", "played", "cut", "dropped", "failed", "cleared"]


@record(kw_only=True)
class PlayRecord:
    """What happened to one submitted cue. Times are :func:`time.perf_counter` values."""

    text: str
    kind: str
    priority: int
    due: float
    path: Path
    started: float | None = None
    ended: float | None = None
    outcome: Outcome = "pending"

    @property
    def lateness(self) -> float | None:
        return None if self.started is None else self.started - self.due


@dataclass(order=True)
class _Entry:
    key: tuple[int, float, int]
    record: PlayRecord = field(compare=False)


class PlaybackQueue:
    """Owns the player thread. ``submit`` returns at once; playback happens on the thread."""

    def __init__(
        self,
        player: Player,
        *,
        stale_after: float = 1.5,
        on_error: Callable[[str], None] = lambda message: None,
    ) -> None:
        self.player = player
        self.stale_after = stale_after
        self.records: list[PlayRecord] = []
        self._on_error = on_error
        self._heap: list[_Entry] = []
        self._order = itertools.count()
        self._wakeup = threading.Condition()
        self._current: PlayRecord | None = None
        self._cancel = threading.Event()
        self._closing = False
        self._broken = False
        self._thread = threading.Thread(target=self._run, name="glutekit-voice-player")
        self._thread.daemon = True
        self._thread.start()

    def submit(self, path: Path, *, text: str, kind: str, priority: int, due: float) -> None:
        """Queue a file to play as soon as possible after ``due`` (a perf_counter time)."""
        record = PlayRecord(text=text, kind=kind, priority=priority, due=due, path=path)
        with self._wakeup:
            self.records.append(record)
            if self._broken or self._closing:
                record.outcome = "dropped"
                return
            heapq.heappush(self._heap, _Entry((-priority, due, next(self._order)), record))
            playing = self._current
            if playing is not None and priority - playing.priority >= CUT_IN_MARGIN:
                playing.outcome = "cut"
                self._cancel.set()
            self._wakeup.notify()

    def clear(self) -> None:
        """Stop what is playing and forget what waits (the session paused or jumped)."""
        with self._wakeup:
            for entry in self._heap:
                entry.record.outcome = "cleared"
            self._heap.clear()
            if self._current is not None:
                self._current.outcome = "cleared"
                self._cancel.set()

    def close(self, timeout: float) -> bool:
        """Let queued cues finish (up to ``timeout`` s), then stop the thread.

        :returns: True when everything finished in time.
        """
        with self._wakeup:
            self._closing = True
            self._wakeup.notify()
        self._thread.join(timeout)
        if self._thread.is_alive():
            self.clear()
            return False
        return True

    def _next(self) -> PlayRecord | None:
        with self._wakeup:
            while not self._heap:
                if self._closing:
                    return None
                self._wakeup.wait()
            record = heapq.heappop(self._heap).record
            self._current = record
            self._cancel = threading.Event()
            return record

    def _run(self) -> None:
        while (record := self._next()) is not None:
            now = time.perf_counter()
            if now - record.due > self.stale_after:
                record.outcome = "dropped"
                continue
            record.started = now
            try:
                self.player.play(record.path, self._cancel)
            except PlaybackFailed as exc:
                record.outcome = "failed"
                self._stop_for_good(str(exc))
                return
            finally:
                record.ended = time.perf_counter()
                with self._wakeup:
                    self._current = None
            if record.outcome == "pending":
                record.outcome = "played"

    def _stop_for_good(self, message: str) -> None:
        with self._wakeup:
            self._broken = True
            for entry in self._heap:
                entry.record.outcome = "dropped"
            self._heap.clear()
        self._on_error(message)
