"""The session recorder: what reaches the database while a session plays."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from glutekit.catalog import Catalog
from glutekit.history import db as dbmod
from glutekit.history.db import HistoryDB
from glutekit.history.recorder import HistoryRecorder
from glutekit.interfaces import Event, SessionSummary
from glutekit.model import Segment, Timeline
from glutekit.session.clock import VirtualClock
from glutekit.session.engine import play
from glutekit.timeline import compile


@pytest.fixture
def db(tmp_path: Path) -> HistoryDB:
    return HistoryDB.open(tmp_path / "history.sqlite3")


def recorder_for(
    db: HistoryDB, warnings: list[str] | None = None, **extra: object
) -> HistoryRecorder:
    sink = warnings if warnings is not None else []
    return HistoryRecorder(
        db, routine_id="r", title="R", content_hash="hash", warn=sink.append, **extra
    )  # type: ignore[arg-type]


def seg(index: int, kind: str, start: float, duration: float, side: str | None = None) -> Segment:
    return Segment(
        index=index,
        kind=kind,
        start=start,
        duration=duration,  # type: ignore[arg-type]
        label=f"{kind} {index}",
        exercise="glutes:x",
        side=side,  # type: ignore[arg-type]
        step_path=(index // 4,),
    )


#: prepare, right, switch, left, rest, then a one-sided hold and done.
SEGMENTS = (
    seg(0, "prepare", 0, 5),
    seg(1, "hold", 5, 30, "right"),
    seg(2, "switch", 35, 5),
    seg(3, "hold", 40, 30, "left"),
    seg(4, "rest", 70, 10),
    seg(5, "hold", 80, 20),
    seg(6, "done", 100, 3),
)
TIMELINE = Timeline(routine_id="r", title="R", segments=SEGMENTS)


def test_real_session_records_every_hold_the_engine_completed(
    db: HistoryDB, catalog: Catalog
) -> None:
    timeline = compile(catalog.routines["quick-five"], catalog)
    recorder = recorder_for(db, pain_before=5, advised_per_week=2)
    summary = play(timeline, VirtualClock(), [("history", recorder)])
    (row,) = db.sessions()
    assert row.status == "finished" and row.elapsed == pytest.approx(summary.elapsed)
    assert row.planned == pytest.approx(timeline.duration)
    recorded = [(h.exercise, h.side) for h in db.holds(row.id)]
    assert recorded == list(summary.completed)
    assert len(recorded) == 6  # three exercises, both sides
    assert (row.pain_before, row.advised_per_week) == (5, 2)


def test_start_segment_records_only_what_was_played(db: HistoryDB) -> None:
    play(TIMELINE, VirtualClock(), [("history", recorder_for(db))], start_segment=2)
    assert [h.segment_index for h in db.holds(1)] == [3, 5]


def feed(recorder: HistoryRecorder, *events: tuple[str, float, int | None]) -> None:
    recorder.start(TIMELINE)
    for kind, at, index in events:
        segment = SEGMENTS[index] if index is not None else None
        recorder.handle(Event(kind=kind, at=at, segment=segment))  # type: ignore[arg-type]


def test_skip_records_skipped_and_back_records_nothing(db: HistoryDB) -> None:
    recorder = recorder_for(db)
    feed(
        recorder,
        ("start", 0, None),
        ("segment", 0, 0),
        ("segment", 5, 1),
        ("seek", 35, 2),
        ("segment", 35, 2),  # n during the right side: skipped
        ("segment", 40, 3),
        ("seek", 35, 2),
        ("segment", 35, 2),  # b during the left side: repeat, not skipped
        ("segment", 40, 3),
        ("segment", 70, 4),
        ("segment", 80, 5),
        ("seek", 40, 3),
        ("segment", 40, 3),
    )  # b again from the last hold
    outcomes = [(h.segment_index, h.outcome) for h in db.holds(recorder.session_id or 0)]
    assert outcomes == [(1, "skipped"), (3, "completed")]


def test_hold_in_progress_at_the_end_is_not_recorded(db: HistoryDB) -> None:
    recorder = recorder_for(db)
    feed(
        recorder,
        ("segment", 0, 0),
        ("segment", 5, 1),
        ("segment", 35, 2),
        ("segment", 40, 3),
        ("end", 52.5, None),
    )
    recorder.close(SessionSummary(routine_id="r", status="interrupted", elapsed=52.5, planned=103))
    assert [h.segment_index for h in db.holds(1)] == [1]
    assert db.sessions()[0].status == "interrupted"


def test_busy_database_is_retried_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 50)
    db = HistoryDB.open(tmp_path / "history.sqlite3")
    warnings: list[str] = []
    recorder = recorder_for(db, warnings)
    recorder.start(TIMELINE)
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    for index in (0, 1, 2, 3):
        recorder.handle(Event(kind="segment", at=SEGMENTS[index].start, segment=SEGMENTS[index]))
    assert recorder.session_id is not None and db.holds(recorder.session_id) == []
    other.execute("ROLLBACK")
    recorder.handle(Event(kind="segment", at=70, segment=SEGMENTS[4]))
    recorder.close(SessionSummary(routine_id="r", status="quit", elapsed=70, planned=103))
    assert [h.segment_index for h in db.holds(recorder.session_id or 0)] == [1, 3]
    assert db.sessions()[0].status == "quit"
    assert len(warnings) == 1 and "locked" in warnings[0]


def test_broken_database_warns_once_and_the_session_goes_on(db: HistoryDB) -> None:
    warnings: list[str] = []
    recorder = recorder_for(db, warnings)
    recorder.start(TIMELINE)
    db.close()
    summary = play(TIMELINE, VirtualClock(), [("history", recorder)])
    assert summary.status == "finished"
    assert len(warnings) == 1 and "recording stopped" in warnings[0]


def test_pain_after_is_recorded(db: HistoryDB) -> None:
    recorder = recorder_for(db, pain_before=7)
    play(TIMELINE, VirtualClock(), [("history", recorder)])
    recorder.record_pain_after(4)
    row = db.sessions()[0]
    assert (row.pain_before, row.pain_after, row.completed) == (7, 4, 3)


def test_pressing_skip_and_back_repeatedly_counts_each_hold_once(db: HistoryDB) -> None:
    recorder = recorder_for(db)
    events: list[tuple[str, float, int | None]] = [("start", 0, None), ("segment", 0, 0)]
    for _ in range(7):  # n, b, n, b ... on the first hold
        events += [("segment", 5, 1), ("seek", 6, 2), ("segment", 6, 2), ("seek", 6, 1)]
    events += [("segment", 6, 1), ("seek", 7, 2), ("segment", 7, 2), ("segment", 12, 3)]
    events += [("seek", 13, 4), ("segment", 13, 4), ("seek", 13, 3), ("segment", 40, 3)]
    events += [("segment", 70, 4), ("segment", 80, 5), ("segment", 100, 6), ("end", 103, None)]
    feed(recorder, *events)
    recorder.close(SessionSummary(routine_id="r", status="finished", elapsed=103, planned=103))
    outcomes = [(h.segment_index, h.outcome) for h in db.holds(recorder.session_id or 0)]
    # Hold 1 skipped (once, however often); hold 3 skipped, then repeated and done.
    assert outcomes == [(1, "skipped"), (3, "completed"), (5, "completed")]
    (row,) = db.sessions()
    assert (row.completed, row.skipped) == (2, 1)


def test_a_session_laid_out_again_while_it_plays_records_its_final_planned_length(
    db: HistoryDB,
) -> None:
    # A first voiced session starts on a layout with estimated speech and is laid out
    # again as its speech is measured: the history keeps the length it really planned.
    longer = Timeline(routine_id="r", title="R", segments=(*SEGMENTS[:-1], seg(6, "done", 100, 9)))
    recorder = recorder_for(db)
    recorder.start(TIMELINE)
    assert db.sessions()[0].planned == pytest.approx(103)
    recorder.revise(longer, 7)
    recorder.close(SessionSummary(routine_id="r", status="finished", elapsed=109, planned=109))
    (row,) = db.sessions()
    assert row.planned == pytest.approx(109)
    assert (row.status, row.elapsed) == ("finished", 109)
