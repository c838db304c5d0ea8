"""A session listener that writes the session to the history database as it plays.

It has the shape of :class:`glutekit.interfaces.Output`, so the engine hands it events
like any output, but ``run`` always attaches it; it is not something users choose.
Each completed hold is written in its own short transaction the moment the engine
moves past it, so a killed process loses at most the hold in progress.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from glutekit.errors import GlutekitError
from glutekit.history.db import HistoryDB, HistoryFull, HistoryLocked
from glutekit.history.records import HoldRecord
from glutekit.history.spool import Operation
from glutekit.interfaces import Event, SessionSummary
from glutekit.model import Segment, Timeline

#: How long the last writes of a session wait for a lock another program holds.
CLOSING_WAIT_MS = 1000
#: How long a write during the session waits for a lock before it is kept for later.
SESSION_WAIT_MS = 1000
#: How long each retry during the session waits, once the database was found locked.
RETRY_WAIT_MS = 200
#: Seconds between tries once the database was found locked.
RETRY_EVERY = 2.0
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

    Writes that find the database busy, or its disk full, are kept and retried with
    the next event; what is still unwritten at the end is kept in the pending folder
    for the next run (in room set aside when the session started, should the disk
    still be full). Any other database failure is reported once and recording
    stops, while the session itself goes on.
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
        session_id: int | None = None,
        warn: Callable[[str], None] = lambda message: None,
    ) -> None:
        """``session_id``: a session already claimed for this run (``--resume``)."""
        self._db = db
        # A session's writes are tiny: a lock held longer than this is another program's,
        # and the writes wait in memory (then in the pending folder), not in SQLite.
        db.set_busy_timeout(SESSION_WAIT_MS)
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
        self._pending: list[Operation] = []
        self._current: Segment | None = None
        #: Outcome already recorded for each segment index: a hold counts once per session.
        self._recorded: dict[int, str] = {}
        self._broken = False
        self._told_busy = False
        self._told_full = False
        #: Why writes are waiting: "the database stayed locked", "the disk was full".
        self._waiting_for = "the database stayed locked"
        self._reserve: Path | None = None
        self._next_retry = 0.0
        self.session_id: int | None = session_id
        #: The planned length written at the start, and the one of the last layout.
        self._planned: tuple[float, float] | None = None

    # ------------------------------------------------------------------ Output protocol

    def speech_lengths(self, texts: Sequence[str]) -> Mapping[str, float]:
        return {}

    def start(self, timeline: Timeline) -> None:
        from glutekit.history import spool

        self._planned = (timeline.duration, timeline.duration)
        holds = sum(1 for s in timeline.segments if s.kind in WORK_KINDS)
        # Room for every record this session can make, should the disk fill up meanwhile.
        self._reserve = spool.make_reserve(self._db.path, 2 * holds + 4)
        if self.session_id is not None:  # claimed by --resume: it starts playing now
            begin = {"planned": timeline.duration, "started": time.time()}
            self._submit(("begin", {**begin, "pain_before": self._session["pain_before"]}))
            return
        fields = {**self._session, "planned": timeline.duration, "started": time.time()}
        self._submit(("start", fields))

    def revise(self, timeline: Timeline, ready: int) -> None:
        """The session was laid out again as its speech was measured: what it plans now
        is written at its end."""
        if self._planned is not None:
            self._planned = (self._planned[0], timeline.duration)

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
        if self._pending:
            # The session is over: wait a little for the lock, never the full busy timeout.
            self._db.set_busy_timeout(CLOSING_WAIT_MS)
        ending: dict[str, object] = {"status": status, "elapsed": elapsed, "ended": time.time()}
        if self._planned is not None and self._planned[1] != self._planned[0]:
            ending["planned"] = self._planned[1]
        self._submit(("end", ending), force=True)
        self._keep_the_rest()
        from glutekit.history import spool

        spool.drop_reserve(self._reserve)
        self._reserve = None

    # ------------------------------------------------------------------ after the session

    def record_pain_after(self, score: int) -> None:
        self._submit(("pain", {"after": score}), force=True)
        self._keep_the_rest()

    def record_effort(self, score: int) -> None:
        """How hard the session felt, 0-10 (asked by the session page)."""
        self._submit(("effort", {"effort": score}), force=True)
        self._keep_the_rest()

    def _keep_the_rest(self) -> None:
        """What the lock kept out goes to the pending folder, for the next run (one line)."""
        with self._lock:
            if not self._pending or self._broken:
                return
            from glutekit.history import spool

            try:
                kept = spool.save(self._db.path, self.session_id, self._pending, self._reserve)
            except (OSError, GlutekitError) as exc:
                self._warn(
                    f"history: {len(self._pending)} record(s) of this session could not be "
                    f"written ({self._waiting_for}) nor kept: {exc}"
                )
                return
            if kept.exists() and self._reserve is not None and not self._reserve.exists():
                self._reserve = None  # used up: it is the kept file now
            self._warn(
                f"history: {self._waiting_for}; {len(self._pending)} record(s) of "
                f"this session are kept in {kept} and will be added on the next run"
            )
            self._pending.clear()

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
        fields = {"record": record, "at": time.time(), "replaces_skip": before == "skipped"}
        self._pending.append(("hold", fields))

    def _submit(self, operation: Operation, *, force: bool = False) -> None:
        with self._lock:
            self._pending.append(operation)
            self._flush(force=force)

    def _flush(self, *, force: bool = False) -> None:
        """Write what is pending, in order; stop at the first busy database.

        Once the database was found locked, retries come at most every
        :data:`RETRY_EVERY` seconds (``force`` at the end), so a session's many events
        never queue up behind waits for the lock.
        """
        from glutekit.history.spool import apply

        if not force and time.monotonic() < self._next_retry:
            return
        while self._pending and not self._broken:
            try:
                self.session_id = apply(self._db, self.session_id, [self._pending[0]])
            except HistoryLocked as exc:
                if not self._told_busy:
                    self._told_busy = True
                    self._warn(f"history: {exc}; will keep trying during the session")
                    # Later tries wait briefly, so the events of the session never pile up.
                    self._db.set_busy_timeout(RETRY_WAIT_MS)
                self._next_retry = time.monotonic() + RETRY_EVERY
                return
            except HistoryFull as exc:
                self._waiting_for = "the disk holding the database was full"
                if not self._told_full:
                    self._told_full = True
                    self._warn(
                        f"history: {exc}; this session's records are kept and written "
                        "once there is room"
                    )
                self._next_retry = time.monotonic() + RETRY_EVERY
                return
            except (sqlite3.Error, GlutekitError, OSError) as exc:
                self._broken = True
                self._warn(f"history: recording stopped: {exc} (the session goes on)")
                return
            self._pending.pop(0)
