"""Plays a timeline against a clock and hands every event to the outputs.

Every event has an absolute deadline counted from the session start, so being late
once never makes the rest of the session late. Each output has its own worker thread
and queue (:mod:`.workers`): the clock's thread only puts events on queues, so an
output that is slow or raises delays nothing but itself. Commands come through
:class:`~glutekit.session.controls.Controls`.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

from glutekit.interfaces import Event, EventKind, SessionSummary
from glutekit.model import Cue, Segment, Timeline
from glutekit.model.durations import clock as mmss
from glutekit.model.records import record
from glutekit.session.clock import Clock
from glutekit.session.controls import Command, Controls
from glutekit.session.workers import (
    Outputs,
    OutputWorker,
    Report,
    named,
    speech_lengths,
    stderr_report,
    underruns_of,
)

if TYPE_CHECKING:
    from glutekit.session.ahead import Growing

__all__ = ["Controls", "Outputs", "play", "speech_lengths"]

#: "Back" inside the first seconds of a segment goes to the previous one.
BACK_GRACE = 3.0


@record(frozen=True)
class _Item:
    at: float
    segment: Segment
    cue: Cue | None = None


class _Session:
    def __init__(
        self,
        timeline: Timeline,
        clock: Clock,
        controls: Controls,
        workers: list[OutputWorker],
        start_segment: int,
        growing: Growing | None = None,
    ) -> None:
        #: The timeline while speech is still being measured (None: it is final).
        self.growing = growing
        #: Segments that may be played; all of them once the timeline is final.
        self.ready = len(timeline.segments)
        self.version = -1
        if growing is not None:  # its latest layout, and how much of it is ready
            timeline, self.ready, final, self.version = growing.snapshot()
            self.growing = None if final else growing
        self.timeline, self.clock, self.controls, self.workers = timeline, clock, controls, workers
        self.items: list[_Item] = []
        self.first_item: dict[int, int] = {}
        self._lay_out(timeline)
        #: The session waits for speech (a pause the engine made, not the user).
        self.waiting = False
        self.user_paused = False
        self.next = self.first_item.get(start_segment, len(self.items))
        self.current: Segment | None = None
        self.completed: list[tuple[str, str | None]] = []
        self.skipped: list[tuple[str, str | None]] = []
        self.status: Literal["finished", "interrupted", "quit"] | None = None
        self.paused_at: float | None = None
        self.paused_total = 0.0
        #: The segment the user last paused in (a waiting step then need not pause again).
        self.paused_in: int | None = None
        self.start_at = (
            self.items[self.next].at if self.next < len(self.items) else timeline.duration
        )
        self.planned = timeline.duration - self.start_at
        self.started = self.origin = 0.0

    def _begin(self) -> None:
        """Start the clock of the session: the start is due now."""
        self.started = self.clock.now()
        self.origin = self.started - self.start_at

    def _lay_out(self, timeline: Timeline) -> None:
        self.items.clear()
        self.first_item.clear()
        for seg in timeline.segments:
            self.first_item[seg.index] = len(self.items)
            self.items.append(_Item(seg.start, seg))
            self.items.extend(_Item(cue.at, seg, cue) for cue in seg.cues)

    def _adopt(self) -> None:
        """Take the growing timeline's latest layout, when more of it is ready.

        The segments played so far and the ready ones are the same in every layout, so
        the place in :attr:`items` of everything up to the first segment not ready stays.
        """
        growing = self.growing
        if growing is None:
            return
        timeline, ready, final, version = growing.snapshot()
        if version == self.version:
            return
        # Where the session is bound, as a place that survives a new layout: the end,
        # or the start of a segment (whose item and time may move if it was not ready).
        past_end = self.next >= len(self.items)
        bound = None if past_end else self.items[self.next]
        old_end = self.timeline.duration
        self.version, self.ready = version, ready
        if final:
            self.growing = None
        if timeline is not self.timeline:
            self.timeline = timeline
            self._lay_out(timeline)
            if past_end:
                self.next = len(self.items)
                self.origin -= timeline.duration - old_end
            elif bound is not None and bound.cue is None:
                self.next = self.first_item[bound.segment.index]
                # The session waits at (or is about to reach) that start: keep it there.
                self.origin -= self.items[self.next].at - bound.at
            self.planned = timeline.duration - self.start_at
        for worker in self.workers:
            worker.revise(timeline, ready)

    def _wait_for_speech(self, at: float) -> None:
        """Pause the session at ``at`` (exactly: the start of what is not ready) until
        its speech is measured."""
        self.waiting, self.user_paused = True, False
        self._set_paused(True, text="speech", at=at)

    def _is_ready(self, index: int) -> bool:
        """Whether the segment at item ``index`` (or the end, past the last) can play."""
        if self.growing is None:
            return True
        if index >= len(self.items):
            return False
        return self.items[index].segment.index < self.ready

    def position(self) -> float:
        now = self.paused_at if self.paused_at is not None else self.clock.now()
        return now - self.origin

    def emit(
        self,
        kind: EventKind,
        at: float,
        segment: Segment | None = None,
        cue: Cue | None = None,
        late: float = 0.0,
        text: str = "",
        clock: float | None = None,
    ) -> None:
        """Send an event; ``clock`` is the clock reading ``at`` was taken at (now if None)."""
        now = self.clock.now() if clock is None else clock
        event = Event(kind=kind, at=at, segment=segment, cue=cue, late=late, clock=now, text=text)
        for worker in self.workers:
            worker.send(event)

    def run(self) -> SessionSummary:
        self._begin()
        self.emit("start", self.position())
        while self.status is None:
            self._adopt()
            if self.waiting and self._is_ready(self.next):
                self.waiting = False
                if not self.user_paused:
                    self._set_paused(False, text="speech")
            if self.paused_at is not None:
                deadline = math.inf
            elif self.next < len(self.items):
                deadline = self.origin + self.items[self.next].at
            else:
                deadline = self.origin + self.timeline.duration
            if self.clock.sleep_until(deadline, self.controls.wake):
                # Commands first, then the words heard: an input hands over what it heard
                # before the command it heard, so the words of every command taken here
                # are there to be shown before the command's effect.
                commands = self.controls.take()
                for text in self.controls.take_heard():
                    self.emit("heard", self.position(), segment=self.current, text=text)
                for command in commands:
                    self.apply(command)
                continue
            self.fire(deadline)
        self.emit("end", self.position())
        return self.summary()

    def fire(self, deadline: float) -> None:
        late = max(0.0, (self.clock.now() - deadline) / self.clock.speed)
        if self.next >= len(self.items) and self._is_ready(self.next):
            self._leave_current()
            self.status = "finished"
            return
        if self.next >= len(self.items):
            self._wait_for_speech(self.timeline.duration)
            return
        item = self.items[self.next]
        if item.cue is None and self._waits_here():
            self._set_paused(True)
            return
        if not self._is_ready(self.next):
            # Its speech is not measured yet: wait here, between two segments, as a
            # pause the session makes itself and ends once the speech is there.
            self._wait_for_speech(item.at)
            return
        self.next += 1
        if item.cue is None:
            self._leave_current()
            self.current = item.segment
            self.emit("segment", item.at, segment=item.segment, late=late)
        else:
            self.emit("cue", item.at, segment=item.segment, cue=item.cue, late=late)

    def _here(self) -> int:
        """The segment the session is in: after a jump, or while it waits at the start of
        a segment for its speech, the one it goes to."""
        if self.next < len(self.items) and (self.current is None or self.waiting):
            item = self.items[self.next]
            if item.cue is None:
                return item.segment.index
        if self.current is not None:
            return self.current.index
        return len(self.timeline.segments) if self.next >= len(self.items) else -1

    def _waits_here(self) -> bool:
        """True at the end of a waiting segment the user has not paused in yet."""
        seg = self.current
        return seg is not None and seg.wait and self.controls.waits and self.paused_in != seg.index

    def _leave_current(self) -> None:
        seg = self.current
        if seg is not None and seg.kind in ("hold", "reps") and seg.exercise:
            self.completed.append((seg.exercise, seg.side))

    def apply(self, command: Command) -> None:
        if command == "interrupt":
            self.status = "interrupted"
        elif command == "quit":
            self.status = "quit"
        elif command in ("pause", "resume", "toggle"):
            if self.waiting:
                # Waiting for speech: the user's pause holds after it; a resume takes it
                # back. Either is shown at once.
                wanted = command == "pause" or (command == "toggle" and not self.user_paused)
                if wanted != self.user_paused:
                    self.user_paused = wanted
                    self.emit(
                        "pause",
                        self.position(),
                        segment=self.current,
                        text="" if wanted else "speech",
                    )
                return
            want_pause = command == "pause" or (command == "toggle" and self.paused_at is None)
            self._set_paused(want_pause)
        elif command == "skip":
            self.seek(self._here() + 1)
        elif command == "back" and self.current is not None:
            into = self.position() - self.current.start
            self.seek(self.current.index - (1 if into < BACK_GRACE else 0))
        elif command == "repeat" and self.current is not None:
            self._repeat_last_cue(self.current)
        elif command == "time_left":
            left = max(0.0, self.timeline.duration - self.position())
            self.emit("time-left", self.position(), segment=self.current, text=f"{mmss(left)} left")

    def _repeat_last_cue(self, segment: Segment) -> None:
        """Move the deadlines back so the last cue said in ``segment`` fires again now."""
        first = self.first_item[segment.index]
        spoken = [i for i in range(first + 1, self.next) if self.items[i].cue is not None]
        if not spoken:
            self.seek(segment.index)
            return
        self.next = spoken[-1]
        target = self.items[self.next].at
        now = self.paused_at if self.paused_at is not None else self.clock.now()
        self.origin = now - target
        self.emit("seek", target, segment=segment)

    def _set_paused(self, paused: bool, *, text: str = "", at: float | None = None) -> None:
        """Pause or go on; ``text`` says why the session paused itself ("speech": it
        waits for speech being rendered), ``at`` where exactly it pauses.

        The events carry the position of the one clock reading taken here: read again,
        the clock would have moved on (at ``--speed 60`` a millisecond of a busy machine
        is 60 ms of session), and a clip due at the start of a segment the session waited
        at would seem to be behind it.
        """
        now = self.clock.now()
        if paused and self.paused_at is None:
            if at is not None:
                self.origin = now - at
            self.paused_at = now
            if not text:
                self.paused_in = self.current.index if self.current is not None else None
            self.emit("pause", now - self.origin, segment=self.current, text=text, clock=now)
        elif not paused and self.paused_at is not None:
            self.origin += now - self.paused_at
            self.paused_total += now - self.paused_at
            self.paused_at = None
            self.emit("resume", now - self.origin, segment=self.current, text=text, clock=now)

    def seek(self, index: int) -> None:
        """Move every deadline so that segment ``index`` starts now."""
        index = max(0, index)
        seg = self.current
        if seg is not None and index > seg.index and seg.kind in ("hold", "reps") and seg.exercise:
            if self.waiting and self.position() >= seg.end - 1e-6:
                self._leave_current()  # played to its end before the wait: done
            else:
                self.skipped.append((seg.exercise, seg.side))
        self.current = None
        if index >= len(self.timeline.segments):
            self.next, target, segment = len(self.items), self.timeline.duration, None
        else:
            segment = self.timeline.segments[index]
            self.next, target = self.first_item[index], segment.start
        now = self.paused_at if self.paused_at is not None else self.clock.now()
        self.origin = now - target
        self.emit("seek", target, segment=segment)

    def summary(self) -> SessionSummary:
        assert self.status is not None
        now = self.paused_at if self.paused_at is not None else self.clock.now()
        return SessionSummary(
            routine_id=self.timeline.routine_id,
            status=self.status,
            elapsed=round(now - self.started - self.paused_total, 3),
            planned=round(self.planned, 3),
            completed=tuple(self.completed),
            skipped=tuple(self.skipped),
        )


def play(
    timeline: Timeline,
    clock: Clock,
    outputs: Outputs,
    *,
    controls: Controls | None = None,
    start_segment: int = 0,
    report: Report = stderr_report,
    drain_timeout: float = 5.0,
    growing: Growing | None = None,
) -> SessionSummary:
    """Play ``timeline`` from segment ``start_segment`` and return what was done.

    Each output gets ``start(timeline)``, then ``handle(event)`` for every event
    (start, segment, cue, pause, resume, seek, end), then ``close(summary)``, all on its
    own thread. After the session, outputs get ``drain_timeout`` real seconds in all to
    finish; one that is still busy is left behind and reported.

    With ``growing`` (speech still being measured, :mod:`glutekit.session.ahead`), only
    its ready segments play: at the start of one that is not ready the session pauses
    itself (a ``pause`` event with the text "speech") until it is. Outputs that can
    (:class:`glutekit.interfaces.Revises`) get ``revise(timeline, ready)`` each time more is
    ready.
    """
    workers = [OutputWorker(name, output, report) for name, output in named(outputs)]
    controls = controls or Controls()
    if growing is not None:
        growing.on_change(controls.wake.set)
    session = _Session(timeline, clock, controls, workers, start_segment, growing)
    for worker in workers:
        worker.start(session.timeline)
        if growing is not None:
            worker.revise(session.timeline, session.ready)
    summary: SessionSummary | None = None
    try:
        summary = session.run()
        summary = replace(summary, underruns=underruns_of(workers, report))
    finally:
        for worker in workers:
            worker.close(summary)
        give_up = time.monotonic() + drain_timeout
        for worker in workers:
            if not worker.join(give_up - time.monotonic()):
                report(
                    f"output '{worker.name}' was still busy {drain_timeout:g} s after the "
                    "session ended; not waiting for it"
                )
    return summary
