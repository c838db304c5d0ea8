"""The history database: where it lives, its schema and migrations, and fault recovery.

SQLite in WAL mode, so a reader (``glutekit history``) never blocks a session that
is recording, and a process killed mid-write loses at most its open transaction.
``busy_timeout`` lets two sessions that record at the same moment take turns.
A corrupted file is moved aside (never deleted) and a fresh database takes its place.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, NoReturn

from glutekit.history.faults import BUSY_TIMEOUT_MS as BUSY_TIMEOUT_MS
from glutekit.history.faults import HistoryCorrupt as HistoryCorrupt
from glutekit.history.faults import HistoryFull as HistoryFull
from glutekit.history.faults import HistoryLocked as HistoryLocked
from glutekit.history.faults import HistoryUnavailable as HistoryUnavailable
from glutekit.history.faults import IntegrityFailed as IntegrityFailed
from glutekit.history.faults import _locked, corrupt_message, is_busy, is_corrupt, unavailable
from glutekit.history.faults import move_aside as move_aside
from glutekit.history.migrations import SchemaTooNew, migrate
from glutekit.history.records import (
    HoldRecord,
    SessionRow,
    parse_path,
    path_text,
    process_identity,
    session_row,
)

ENV_DATA_DIR = "GLUTEKIT_DATA_DIR"
DB_NAME = "history.sqlite3"


def data_dir() -> Path:
    """The folder for glutekit's data: ``$GLUTEKIT_DATA_DIR`` or the platform's user data dir."""
    from glutekit import paths

    return paths.data_dir()


def default_path() -> Path:
    return data_dir() / DB_NAME


#: The columns :func:`~glutekit.history.records.session_row` reads, in its order.
SESSION_COLUMNS = (
    "s.id, s.routine_id, s.routine_title, s.content_hash, s.started, s.ended,"
    " s.status, s.planned, s.elapsed, s.pain_before, s.pain_after, s.advised_per_week,"
    " s.resumed_from, s.process, s.completed, s.skipped, s.effort"
)


class HistoryDB:
    """A connection to the history database, safe to share between threads.

    Every write is its own short transaction, so a kill loses at most the one in flight.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, backup: Path | None = None) -> None:
        self._conn = conn
        #: Held by the thread inside a call on the connection: SQLite must never see the
        #: connection closed under a call in progress (that crashes the process).
        self._in_use = threading.RLock()
        self._closed = False
        self._close_when_free = False
        self._busy_ms = BUSY_TIMEOUT_MS
        self.path = path
        #: Where a damaged database was moved when this one was opened, if it was.
        self.backup = backup

    @property
    def notice(self) -> str | None:
        """One line for the user when opening had to recover from a damaged file."""
        return corrupt_message(self.path, self.backup) if self.backup else None

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: Path | None = None, *, check: bool = True) -> HistoryDB:
        """Open (creating and migrating as needed) the database at ``path``.

        A damaged file is moved to ``<name>.corrupt-<timestamp>`` and replaced by an
        empty database; :attr:`notice` then says so.

        :raises HistoryUnavailable: the folder cannot be written, or another process
            holds the database locked for longer than the busy timeout.
        """
        path = path or default_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HistoryUnavailable(
                f"cannot create the history folder {path.parent}: {exc.strerror or exc}"
            ) from None
        try:
            return cls(_connect(path, check=check), path)
        except SchemaTooNew as exc:
            raise HistoryUnavailable(str(exc)) from None
        except sqlite3.DatabaseError as exc:
            if not is_corrupt(exc):
                raise unavailable(path, exc) from None
            backup = move_aside(path)
        try:
            conn = _connect(path, check=False)
        except sqlite3.DatabaseError as exc:
            raise HistoryUnavailable(
                f"cannot create a fresh history database {path}: {exc}"
                f" (the damaged one is at {backup})"
            ) from None
        return cls(conn, path, backup=backup)

    @classmethod
    def open_existing(cls, path: Path | None = None) -> HistoryDB | None:
        """Open the database only if it exists (for reading); corruption raises.

        :raises HistoryCorrupt: after moving the damaged file aside and starting afresh.
        """
        path = path or default_path()
        if not path.exists():
            return None
        # No full quick_check here (it reads every page); reads that meet a damaged
        # page raise HistoryCorrupt too. ``run`` does the full check when it opens a
        # file of up to FULL_CHECK_MAX_BYTES.
        db = cls.open(path, check=False)
        if db.backup is not None:
            db.close()
            raise HistoryCorrupt(corrupt_message(path, db.backup), db.backup)
        return db

    def close(self) -> None:
        """Close now, or, while another thread is inside a call, as soon as that call ends."""
        if not self._in_use.acquire(timeout=0.2):
            self._close_when_free = True
            return
        try:
            self._close_now()
        finally:
            self._in_use.release()

    def _close_now(self) -> None:
        if not self._closed:
            self._closed = True
            self._conn.close()

    def set_busy_timeout(self, milliseconds: int) -> None:
        """How long later writes wait for another program's lock."""
        with suppress(sqlite3.Error, HistoryUnavailable), self._using():
            self._conn.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
            self._busy_ms = int(milliseconds)

    @contextmanager
    def _using(self) -> Iterator[None]:
        with self._in_use:
            if self._closed or self._close_when_free:
                raise HistoryUnavailable(f"the history database {self.path} was closed")
            try:
                yield
            finally:
                if self._close_when_free:
                    self._close_now()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A short write transaction that takes the write lock at once (no upgrade deadlock)."""
        try:
            with self._using(), self._write_unlocked() as conn:
                yield conn
        except HistoryLocked:
            raise _locked(self.path, self._busy_ms) from None

    @contextmanager
    def _write_unlocked(self) -> Iterator[sqlite3.Connection]:
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.ProgrammingError:
            raise
        except sqlite3.DatabaseError as exc:
            raise unavailable(self.path, exc) from None
        try:
            yield self._conn
            self._conn.execute("COMMIT")
        except sqlite3.ProgrammingError:
            raise
        except sqlite3.DatabaseError as exc:
            self._rollback()
            raise unavailable(self.path, exc) from None
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        with suppress(sqlite3.Error):
            self._conn.execute("ROLLBACK")

    # ------------------------------------------------------------------ writing

    def check_writable(self) -> None:
        """Take and release the write lock: fails at once if another program holds it.

        :raises HistoryUnavailable: the database stayed locked for the busy timeout.
        """
        with self._write():
            pass

    def start_session(
        self,
        *,
        routine_id: str,
        title: str,
        content_hash: str,
        planned: float,
        advised_per_week: int | None = None,
        resumed_from: int | None = None,
        pain_before: int | None = None,
        started: float | None = None,
    ) -> int:
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO sessions (routine_id, routine_title, content_hash, started, planned,"
                " advised_per_week, resumed_from, pain_before, process)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    routine_id,
                    title,
                    content_hash,
                    started if started is not None else time.time(),
                    planned,
                    advised_per_week,
                    resumed_from,
                    pain_before,
                    process_identity(),
                ),
            )
            session_id = cursor.lastrowid
        assert session_id is not None
        return session_id

    def claim_resume(
        self,
        resumed: int,
        *,
        routine_id: str,
        title: str,
        content_hash: str,
        planned: float,
        advised_per_week: int | None = None,
    ) -> int | SessionRow:
        """Start the session that resumes session ``resumed``, unless one already does.

        The check and the new row are one transaction, so of two ``run --resume``
        started at the same moment exactly one gets the session. Returns the new
        session's id, or the session that resumed ``resumed`` first.
        """
        with self._write() as conn:
            taken = conn.execute(
                f"SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.resumed_from = ?"
                " ORDER BY s.id LIMIT 1",
                (resumed,),
            ).fetchone()
            if taken is not None:
                return session_row(taken)
            cursor = conn.execute(
                "INSERT INTO sessions (routine_id, routine_title, content_hash, started, planned,"
                " advised_per_week, resumed_from, process) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    routine_id,
                    title,
                    content_hash,
                    time.time(),
                    planned,
                    advised_per_week,
                    resumed,
                    process_identity(),
                ),
            )
            session_id = cursor.lastrowid
        assert session_id is not None
        return session_id

    def begin_session(
        self, session_id: int, *, planned: float, started: float, pain_before: int | None = None
    ) -> None:
        """A claimed session starts playing now (its plan and pain score as they are now)."""
        with self._write() as conn:
            conn.execute(
                "UPDATE sessions SET planned = ?, started = ?,"
                " pain_before = COALESCE(?, pain_before) WHERE id = ?",
                (planned, started, pain_before, session_id),
            )

    def record_hold(
        self,
        session_id: int,
        hold: HoldRecord,
        at: float | None = None,
        *,
        replaces_skip: bool = False,
    ) -> None:
        """Record one hold; ``replaces_skip`` turns an earlier skip of it into this outcome."""
        with self._write() as conn:
            if replaces_skip:
                gone = conn.execute(
                    "DELETE FROM holds WHERE session_id = ? AND segment_index = ?"
                    " AND outcome = 'skipped'",
                    (session_id, hold.segment_index),
                ).rowcount
                conn.execute(
                    "UPDATE sessions SET skipped = skipped - ? WHERE id = ?", (gone, session_id)
                )
            conn.execute(
                "INSERT INTO holds (session_id, segment_index, exercise, side, set_number,"
                " step_path, round, outcome, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id,
                    hold.segment_index,
                    hold.exercise,
                    hold.side,
                    hold.set_number,
                    path_text(hold.step_path),
                    hold.round,
                    hold.outcome,
                    at if at is not None else time.time(),
                ),
            )
            column = "completed" if hold.outcome == "completed" else "skipped"
            conn.execute(f"UPDATE sessions SET {column} = {column} + 1 WHERE id = ?", (session_id,))

    def end_session(
        self,
        session_id: int,
        *,
        status: str,
        elapsed: float,
        ended: float | None = None,
        planned: float | None = None,
    ) -> None:
        """Write how the session ended; ``planned`` replaces the planned length when the
        session was laid out again while it played."""
        with self._write() as conn:
            conn.execute(
                "UPDATE sessions SET status = ?, elapsed = ?, ended = ?,"
                " planned = COALESCE(?, planned) WHERE id = ?",
                (status, elapsed, ended if ended is not None else time.time(), planned, session_id),
            )

    def set_pain(
        self, session_id: int, *, before: int | None = None, after: int | None = None
    ) -> None:
        with self._write() as conn:
            if before is not None:
                conn.execute(
                    "UPDATE sessions SET pain_before = ? WHERE id = ?", (before, session_id)
                )
            if after is not None:
                conn.execute("UPDATE sessions SET pain_after = ? WHERE id = ?", (after, session_id))

    def write(self, sql: str, args: Sequence[Any] = ()) -> int:
        """Run one write statement in its own short transaction; returns the new row id."""
        with self._write() as conn:
            cursor = conn.execute(sql, args)
            row = cursor.lastrowid
        return int(row or 0)

    def set_effort(self, session_id: int, effort: int) -> None:
        """How hard the session felt, 0 (no effort) to 10 (the hardest possible)."""
        with self._write() as conn:
            conn.execute("UPDATE sessions SET effort = ? WHERE id = ?", (effort, session_id))

    # ------------------------------------------------------------------ reading

    def sessions(
        self,
        *,
        since: float | None = None,
        routine_id: str | None = None,
        session_id: int | None = None,
    ) -> list[SessionRow]:
        """Sessions in the order they started, with their completed/skipped counts."""
        where: list[str] = []
        args: list[Any] = []
        for clause, value in (
            ("s.started >= ?", since),
            ("s.routine_id = ?", routine_id),
            ("s.id = ?", session_id),
        ):
            if value is not None:
                where.append(clause)
                args.append(value)
        sql = (
            f"SELECT {SESSION_COLUMNS} FROM sessions s"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY s.started, s.id"
        )
        return [session_row(r) for r in self._read(sql, args)]

    def change_count(self) -> tuple[str, int] | None:
        """The file's token and its sessions' change count (see
        :data:`~glutekit.history.migrations.CHANGE_COUNT`), or None when unknown."""
        from glutekit.history.migrations import change_count

        with suppress(HistoryUnavailable), self._using():
            try:
                return change_count(self._conn)
            except sqlite3.DatabaseError as exc:  # damage: moved aside, as by any read
                self._failed_read(exc)
        return None

    def query(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of a read-only query, with the same handling of damage as every read."""
        return self._read(sql, args)

    def session(self, session_id: int) -> SessionRow | None:
        found = self.sessions(session_id=session_id)
        return found[0] if found else None

    def holds(self, session_id: int) -> list[HoldRecord]:
        rows = self._read(
            "SELECT segment_index, exercise, side, set_number, step_path, round, outcome"
            " FROM holds WHERE session_id = ? ORDER BY id",
            (session_id,),
        )
        return [
            HoldRecord(
                segment_index=r[0],
                exercise=r[1],
                side=r[2],
                set_number=r[3],
                step_path=parse_path(r[4]),
                round=r[5],
                outcome=r[6],
            )
            for r in rows
        ]

    def integrity(self) -> str:
        return str(self._read("PRAGMA integrity_check", ())[0][0])

    def _read(self, sql: str, args: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self._using():
            return self._read_unlocked(sql, args)

    def _read_unlocked(self, sql: str, args: Sequence[Any]) -> list[tuple[Any, ...]]:
        try:
            return self._conn.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as exc:
            self._failed_read(exc)

    def stream(
        self, sql: str, args: Sequence[Any] = (), batch: int = 500
    ) -> Iterator[tuple[Any, ...]]:
        """Rows of a read-only query, ``batch`` at a time from SQLite, for a reader that
        writes each row out before it needs the next (memory stays flat however many).

        The connection is held until the iterator is exhausted or closed: one reader
        per database object at a time.
        """
        with self._using():
            try:
                cursor = self._conn.execute(sql, args)
                while rows := cursor.fetchmany(batch):
                    yield from rows
            except sqlite3.DatabaseError as exc:
                self._failed_read(exc)

    def _failed_read(self, exc: sqlite3.DatabaseError) -> NoReturn:
        if isinstance(exc, sqlite3.ProgrammingError) or not is_corrupt(exc):
            raise unavailable(self.path, exc) from None
        # A damaged page found while reading: keep the file, start afresh.
        self._conn.close()
        backup = move_aside(self.path)
        self._conn = _connect(self.path, check=False)
        raise HistoryCorrupt(corrupt_message(self.path, backup), backup) from None


#: The full page check at ``run``'s start reads the whole file: 250 ms for 100,000
#: sessions. Past this size it is left out; damage met later by a write is reported
#: by the recorder (the session goes on), and by a read in ``history``, which moves
#: the file aside.
FULL_CHECK_MAX_BYTES = 8 * 1024 * 1024


def _small(path: Path) -> bool:
    try:
        return path.stat().st_size <= FULL_CHECK_MAX_BYTES
    except OSError:
        return True


def _to_wal(conn: sqlite3.Connection) -> str:
    """Put the database in WAL mode; returns the mode it is in.

    Switching a new database to WAL needs it to itself for a moment, and SQLite answers
    "locked" at once, without its busy timeout, while another process opens the same new
    file (two sessions started together): that is tried again, as the timeout would.
    """
    give_up = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            return str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        except sqlite3.OperationalError as exc:
            if not is_busy(exc) or time.monotonic() > give_up:
                raise
            time.sleep(0.02)


def _connect(path: Path, *, check: bool) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, one short transaction per write.
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = _to_wal(conn)
        if str(mode).lower() != "wal":
            raise sqlite3.DatabaseError(f"cannot switch to WAL mode (got {mode})")
        # NORMAL in WAL mode survives a killed process; only a power cut can drop the last commit.
        conn.execute("PRAGMA synchronous = NORMAL")
        if check and _small(path):
            result = conn.execute("PRAGMA quick_check").fetchone()[0]
            if result != "ok":
                raise IntegrityFailed(f"database disk image is malformed: {result}")
        migrate(conn, path)
    except BaseException:
        conn.close()
        raise
    return conn
