"""The SQL-aggregate history says exactly what the summary over every loaded session says."""

from __future__ import annotations

import math
import random
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glutekit.history.aggregate import load_history
from glutekit.history.db import HistoryDB
from glutekit.history.stats import merge_resumed, summarise

DAY = 86400.0
NOW = 1_790_000_000.0  # a fixed "now", so the weeks and streaks do not move
TODAY = date.fromtimestamp(NOW)


def _fill(db: HistoryDB, rng: random.Random, count: int) -> list[int]:
    ids: list[int] = []
    started = NOW - 400 * DAY  # across daylight-saving changes
    for _ in range(count):
        started += rng.choice([600.0, 3 * 3600.0, DAY, 2.5 * DAY, 9 * DAY, 23 * DAY])
        parent = rng.choice(ids) if ids and rng.random() < 0.2 else None
        session = db.start_session(
            routine_id=rng.choice(["a", "b"]),
            title="T",
            content_hash="h",
            planned=300,
            advised_per_week=rng.choice([None, 2, 3]),
            resumed_from=parent,
            pain_before=rng.choice([None, None, 3, 5, 8]),
            started=min(started, NOW - 60),
        )
        db.end_session(
            session,
            status=rng.choice(["finished", "finished", "quit", "interrupted"]),
            elapsed=rng.choice([30.0, 300.0]),
            ended=started + 300,
        )
        db.set_pain(session, after=rng.choice([None, 1, 4]))
        db._conn.execute(
            "UPDATE sessions SET completed = ? WHERE id = ?", (rng.choice([0, 0, 3]), session)
        )
        ids.append(session)
    return ids


def _same(db: HistoryDB, since: float | None, limit: int) -> None:
    rows = db.sessions(since=since)
    expected = summarise(rows, today=TODAY)
    merged = merge_resumed(rows)
    got = load_history(db, since=since, limit=limit, today=TODAY)
    assert got.total == len(merged)
    assert got.recent == (merged[-limit:] if limit else merged)
    summary, pain = got.summary, got.summary.pain
    assert (summary.sessions, summary.weeks, summary.advised_per_week) == (
        expected.sessions,
        expected.weeks,
        expected.advised_per_week,
    )
    assert (summary.streak_days, summary.streak_weeks) == (
        expected.streak_days,
        expected.streak_weeks,
    )
    want = expected.pain
    assert (pain.scored, pain.direction) == (want.scored, want.direction)
    for name in ("mean_before", "mean_after", "mean_relief", "slope_per_week"):
        a, b = getattr(pain, name), getattr(want, name)
        assert (a is None) == (b is None), name
        if a is not None:
            assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), name


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 10_000),
    count=st.integers(0, 60),
    since_days=st.sampled_from([None, 30, 90]),
    limit=st.sampled_from([0, 1, 5, 20]),
)
def test_aggregates_match_the_summary_of_every_session(
    tmp_path_factory: pytest.TempPathFactory,
    seed: int,
    count: int,
    since_days: int | None,
    limit: int,
) -> None:
    folder = tmp_path_factory.mktemp("history")
    db = HistoryDB.open(folder / "history.sqlite3")
    try:
        _fill(db, random.Random(seed), count)
        since = None if since_days is None else NOW - since_days * DAY
        _same(db, since, limit)
    finally:
        db.close()


def test_history_text_lists_the_last_sessions_and_counts_the_rest(
    tmp_path: Path, cli: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GLUTEKIT_DATA_DIR", str(tmp_path))
    db = HistoryDB.open(tmp_path / "history.sqlite3")
    try:
        _fill(db, random.Random(3), 40)
        merged = merge_resumed(db.sessions())
    finally:
        db.close()
    result = cli("history", "--limit", "5")  # type: ignore[operator]
    assert result.exit_code == 0, result.output
    assert f"({len(merged) - 5} earlier session(s) not shown; --limit 0 lists all)" in result.stdout


def test_kept_totals_answer_until_a_session_is_added_changed_or_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from glutekit import paths
    from glutekit.history import aggregate
    from glutekit.history.totals import TOTALS_NAME

    db = HistoryDB.open(tmp_path / "history.sqlite3")
    try:
        rng = random.Random(11)
        ids = _fill(db, rng, 40)
        real = aggregate._add_up
        calls: list[float | None] = []

        def counted(db: HistoryDB, since: float | None) -> object:
            calls.append(since)
            return real(db, since)

        monkeypatch.setattr(aggregate, "_add_up", counted)
        ranges = (None, NOW - 90 * DAY)
        for since in ranges:
            _same(db, since, 5)
        assert calls == list(ranges)
        calls.clear()
        for since in ranges:  # kept: nothing is added up again, and the answer is the same
            _same(db, since, 5)
        assert calls == []
        kept = paths.catalog_cache_dir() / TOTALS_NAME
        assert kept.is_file()
        changes = {
            "a new session": lambda: _fill(db, rng, 1),
            "a pain score set later": lambda: db.set_pain(ids[-1], after=9),
            "a session removed": lambda: db._conn.execute(
                "DELETE FROM sessions WHERE id = ?", (ids[0],)
            ),
        }
        for what, change in changes.items():
            change()
            calls.clear()
            _same(db, None, 5)
            assert calls == [None], what
        # A file an older glutekit made has no change count: it is made on first use.
        for name in ("sessions_insert_counted", "sessions_update_counted"):
            db._conn.execute(f"DROP TRIGGER {name}")
        db._conn.execute("DROP TRIGGER sessions_delete_counted")
        db._conn.execute("DROP TABLE change_count")
        calls.clear()
        _same(db, None, 5)
        _same(db, None, 5)
        assert calls == [None]
        _fill(db, rng, 1)
        _same(db, None, 5)
        assert calls == [None, None]
        # Triggers lost on their own (a rebuilt sessions table drops them) would stop the
        # count: they are made again, with a new token, so nothing kept before is used.
        token = db.change_count()
        db._conn.execute("DROP TRIGGER sessions_update_counted")
        assert db.change_count() not in (None, token)
        calls.clear()
        _same(db, None, 5)
        assert calls == [None]
        db.set_pain(ids[-1], after=2)
        _same(db, None, 5)
        assert calls == [None, None]
        # A damaged file of kept totals is no answer.
        for damage in ("{", '{"x": {"sessions": -1}}', "[" * 100_000):
            kept.write_text(damage)
            calls.clear()
            _same(db, None, 5)
            assert calls == [None], damage
    finally:
        db.close()


def test_a_damaged_change_count_is_damage_like_any_other(tmp_path: Path, cli: object) -> None:
    # The count is the first thing history reads: damage there moves the file aside with
    # one line, as damage met by any other read does.
    import os
    import sqlite3

    path = tmp_path / "history.sqlite3"
    db = HistoryDB.open(path)
    try:
        _fill(db, random.Random(5), 30)
        assert db.change_count() is not None
        db._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        root = db._conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'change_count'"
        ).fetchone()[0]
        size = db._conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        db.close()
    with open(path, "r+b") as handle:
        handle.seek((root - 1) * size)
        handle.write(b"\xff" * size)
        handle.flush()
        os.fsync(handle.fileno())
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("SELECT n FROM change_count").fetchall()
    result = cli("history", env={"GLUTEKIT_DATA_DIR": str(tmp_path)})  # type: ignore[operator]
    text = result.output + result.stderr
    assert result.exit_code == 1, text
    assert "Traceback" not in text
    assert f"the history database {path} was damaged; moved to " in text, text
    assert "; started a fresh one" in text
    assert list(tmp_path.glob("history.sqlite3.corrupt-*"))
