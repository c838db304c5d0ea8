"""The history database: schema, WAL, migrations, and recovery from damaged or locked files."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import pytest

from glutekit.history import db as dbmod
from glutekit.history.db import HistoryCorrupt, HistoryDB, HistoryUnavailable
from glutekit.history.migrations import SCHEMA_VERSION
from glutekit.history.records import HoldRecord, is_alive, process_identity


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "history.sqlite3"


def test_new_database_is_wal_at_current_schema(path: Path) -> None:
    HistoryDB.open(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_default_location_follows_glutekit_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GLUTEKIT_DATA_DIR", str(tmp_path / "elsewhere"))
    assert dbmod.default_path() == tmp_path / "elsewhere" / "history.sqlite3"
    monkeypatch.delenv("GLUTEKIT_DATA_DIR")
    assert dbmod.default_path().name == "history.sqlite3"
    assert "glutekit" in str(dbmod.default_path().parent)


def test_session_round_trip(path: Path) -> None:
    db = HistoryDB.open(path)
    sid = db.start_session(
        routine_id="quick-five",
        title="Quick five",
        content_hash="abc",
        planned=305,
        advised_per_week=2,
        pain_before=6,
    )
    hold = HoldRecord(
        segment_index=3,
        exercise="glutes:knee-hug",
        side="left",
        set_number=2,
        step_path=(3, 1),
        round=2,
    )
    db.record_hold(sid, hold)
    db.record_hold(
        sid,
        HoldRecord(
            segment_index=5,
            exercise="glutes:x",
            side=None,
            set_number=1,
            step_path=(4,),
            round=1,
            outcome="skipped",
        ),
    )
    db.end_session(sid, status="finished", elapsed=300.5)
    db.set_pain(sid, after=2)
    (row,) = db.sessions()
    assert (row.routine_id, row.status, row.completed, row.skipped) == (
        "quick-five",
        "finished",
        1,
        1,
    )
    assert (row.pain_before, row.pain_after, row.advised_per_week) == (6, 2, 2)
    assert db.holds(sid)[0] == hold


def test_running_session_of_this_process_reads_running(path: Path) -> None:
    db = HistoryDB.open(path)
    db.start_session(routine_id="r", title="R", content_hash="h", planned=1)
    assert db.sessions()[0].status == "running"
    assert is_alive(process_identity())


def test_session_of_a_dead_process_reads_interrupted(path: Path) -> None:
    db = HistoryDB.open(path)
    sid = db.start_session(routine_id="r", title="R", content_hash="h", planned=1)
    # A pid that exists no more (or a different process now): what a SIGKILL leaves behind.
    with db._write() as conn:
        conn.execute(
            "UPDATE sessions SET process = ? WHERE id = ?",
            (process_identity(os.getpid()).rsplit("|", 1)[0] + "|1", sid),
        )
    assert db.sessions()[0].status == "interrupted"


def test_garbage_file_is_moved_aside_and_replaced(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database" * 100)
    db = HistoryDB.open(path)
    assert db.backup is not None and db.backup.read_bytes().startswith(b"this is not")
    assert db.backup.name.startswith("history.sqlite3.corrupt-")
    assert db.notice is not None and str(db.backup) in db.notice
    assert db.sessions() == []
    assert db.integrity() == "ok"


def test_damaged_pages_are_detected(path: Path) -> None:
    db = HistoryDB.open(path)
    for i in range(300):
        db.start_session(routine_id=f"routine-{i}", title="x" * 200, content_hash="h", planned=1)
    db.close()
    sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    data = bytearray(path.read_bytes())
    data[8192:12288] = os.urandom(4096)  # wreck pages in the middle of the table
    path.write_bytes(bytes(data))
    with pytest.raises(HistoryCorrupt) as caught:
        opened = HistoryDB.open_existing(path)  # no full check: reading finds the damage
        assert opened is not None
        opened.sessions()
    assert caught.value.backup.exists()
    assert HistoryDB.open_existing(path) is not None  # the fresh one is fine


def test_newer_schema_is_left_alone(path: Path) -> None:
    HistoryDB.open(path).close()
    sqlite3.connect(path).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}").close()
    with pytest.raises(HistoryUnavailable, match="newer glutekit"):
        HistoryDB.open(path)
    assert path.exists()


def test_unwritable_folder_is_unavailable(tmp_path: Path) -> None:
    # A file where the folder should be fails for every user, root included.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(HistoryUnavailable, match="cannot create the history folder"):
        HistoryDB.open(blocker / "history.sqlite3")
    # A folder the kernel will never let anyone write to.
    with pytest.raises(HistoryUnavailable, match="cannot"):
        HistoryDB.open(Path("/proc/glutekit-history/history.sqlite3"))


def test_locked_database_is_reported_not_replaced(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 200)
    db = HistoryDB.open(path)
    sid = db.start_session(routine_id="r", title="R", content_hash="h", planned=1)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(HistoryUnavailable, match="locked"):
            db.end_session(sid, status="finished", elapsed=1)
    finally:
        other.execute("ROLLBACK")
    db.end_session(sid, status="finished", elapsed=1)
    assert db.sessions()[0].status == "finished"
    assert not list(path.parent.glob("*.corrupt-*"))


def test_two_writers_take_turns(path: Path) -> None:
    HistoryDB.open(path).close()
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            db = HistoryDB.open(path)
            sid = db.start_session(routine_id=name, title=name, content_hash="h", planned=1)
            for i in range(50):
                db.record_hold(
                    sid,
                    HoldRecord(
                        segment_index=i,
                        exercise="e",
                        side=None,
                        set_number=1,
                        step_path=(i,),
                        round=1,
                    ),
                )
            db.end_session(sid, status="finished", elapsed=1)
            db.close()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"r{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = HistoryDB.open(path).sessions()
    assert sorted(r.routine_id for r in rows) == ["r0", "r1", "r2", "r3"]
    assert all(r.completed == 50 and r.status == "finished" for r in rows)


OPEN_AT = """
import sys, time
from pathlib import Path
from glutekit.history.db import HistoryDB
when = float(sys.argv[2])
while time.time() < when:
    pass
HistoryDB.open(Path(sys.argv[1])).close()
print("opened")
"""


def test_two_processes_opening_a_new_history_at_the_same_moment_both_get_it(
    tmp_path: Path,
) -> None:
    # SQLite says "locked" at once, without waiting, to one of two processes that put
    # a new file in WAL mode together: two sessions started at once lost their record.
    import subprocess
    import sys
    import time

    for round_ in range(6):
        path = tmp_path / f"round-{round_}" / "history.sqlite3"
        when = str(time.time() + 0.5)  # both start, then open at the same moment
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN_AT, str(path), when],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for proc in procs:
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0 and out.strip() == "opened", err[-500:]
