"""A session listener that writes the session to the history database as it plays.

It has the shape of :class:`glutekit.interfaces.Output`, so the engine hands it events
like any output, but ``run`` always attaches it; it is not something users choose.
Each completed hold is written in its own short transaction the moment the engine
moves past it, so a killed process loses at most the hold in progress.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from glutekit.errors import GlutekitError
from glutekit.history.db import HistoryDB, HistoryLocked
from glutekit.history.records import HoldRecord
from glutekit.interfaces import Event, SessionSummary
from glutekit.model import Segment, Timeline

#: Segment kinds that count as doing an exercise (and are what resume looks for).
WORK_KINDS = frozenset({"hold", "reps"})


def hold_record(segment: Segment, outcome: str = "completed") -> HoldRecord:
    return HoldRecord(
        segment_index=segment.index,
        exercise=segment.exercise or "",
        side=segment.side,
        set_number=segment.set_number,
        step_path=segment.step_path,
        round=segment.round,
        outcome=outcome,
    )


class HistoryRecorder:
    """Records one session: its start, each hold completed or skipped, its end.

    Writes that find the database busy are kept and retried with the next event;
    any other database failure is reported once and recording stops, while the
    session itself goes on.
    """

    def __init__(
        self,
        db: HistoryDB,
        *,
        routine_id: str,
        title: str,
        content_hash: str,
        advised_per_week: int | None = None,
        pain_before: int | None = None,
        resumed_from: int | None = None,
        warn: Callable[[str], None] = lambda message: None,
    ) -> None:
        self._db = db
        self._session: dict[str, Any] = {
            "routine_id": routine_id,
            "title": title,
            "content_hash": content_hash,
            "advised_per_week": advised_per_week,
            "pain_before": pain_before,
            "resumed_from": resumed_from,
        }
        self._warn = warn
        self._lock = threading.Lock()
        self._pending: list[Callable[[], None]] = []
        self._current: Segment | None = None
        #: Outcome already recorded for each segment index: a hold counts once per session.
        self._recorded: dict[int, str] = {}
        self._broken = False
        self._told_busy = False
        self.session_id: int | None = None

    # ------------------------------------------------------------------ Output protocol

    def speech_lengths(self, texts: Sequence[str]) -> Mapping[str, float]:
        return {}

    def start(self, timeline: Timeline) -> None:
        def write_start() -> None:
            self.session_id = self._db.start_session(planned=timeline.duration, **self._session)

        self._submit(write_start)

    def handle(self, event: Event) -> None:
        with self._lock:
            if event.kind == "seek":
                # The engine sends the segment it jumps to (None: past the end).
                self._move_to(event.segment, at=event.at, seek=True)
            elif event.kind == "segment" and event.segment is not None:
                self._move_to(event.segment, at=event.at, seek=False)
            elif event.kind == "end":
                self._move_to(None, at=event.at, seek=False)
            self._flush()

    def close(self, summary: SessionSummary | None) -> None:
        status = summary.status if summary is not None else "interrupted"
        elapsed = summary.elapsed if summary is not None else 0.0

        def write_end() -> None:
            if self.session_id is not None:
                self._db.end_session(self.session_id, status=status, elapsed=elapsed)

        self._submit(write_end)
        if self._pending and not self._broken:
            self._warn(
                f"history: {len(self._pending)} record(s) of this session could not be "
                "written (the database stayed busy)"
            )

    # ------------------------------------------------------------------ after the session

    def record_pain_after(self, score: int) -> None:
        def write_pain() -> None:
            if self.session_id is not None:
                self._db.set_pain(self.session_id, after=score)

        self._submit(write_pain)

    # ------------------------------------------------------------------ internals

    def _move_to(self, segment: Segment | None, *, at: float, seek: bool) -> None:
        current = self._current
        if current is not None and segment is not None and current.index == segment.index:
            return  # "back" to the start of the same segment, or the segment after a seek
        forward = current is None or segment is None or segment.index > current.index
        self._current = segment
        if current is None or current.kind not in WORK_KINDS:
            return
        if seek:
            if not forward:
                return  # went back to repeat something: neither done nor skipped
            outcome = "skipped"
        elif at >= current.end - 1e-6:
            outcome = "completed"
        else:
            return  # ended (Ctrl-C, q) part-way: the hold in progress is not done
        before = self._recorded.get(current.index)
        if before == "completed" or before == outcome:
            return  # skipped again after going back, or done twice: it still counts once
        self._recorded[current.index] = outcome
        record = hold_record(current, outcome)
        replaces_skip = before == "skipped"

        def write_hold() -> None:
            if self.session_id is not None:
                self._db.record_hold(self.session_id, record, replaces_skip=replaces_skip)

        self._pending.append(write_hold)

    def _submit(self, write: Callable[[], None]) -> None:
        with self._lock:
            self._pending.append(write)
            self._flush()

    def _flush(self) -> None:
        """Write what is pending, in order; stop at the first busy database."""
        while self._pending and not self._broken:
            try:
                self._pending[0]()
            except HistoryLocked as exc:
                if not self._told_busy:
                    self._told_busy = True
                    self._warn(f"history: {exc}; will keep trying during the session")
                return
            except (sqlite3.Error, GlutekitError, OSError) as exc:
                self._broken = True
                self._warn(f"history: recording stopped: {exc} (the session goes on)")
                return
            self._pending.pop(0)
