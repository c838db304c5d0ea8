"""The history database schema, one migration per version.

``PRAGMA user_version`` holds the version a file is at; opening a file applies the
migrations it lacks, in one transaction, and refuses a file from a newer glutekit.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

#: Each entry moves the schema from version ``i`` to ``i + 1``; never edit a shipped one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            routine_id TEXT NOT NULL,
            routine_title TEXT NOT NULL DEFAULT '',
            content_hash TEXT NOT NULL DEFAULT '',
            started REAL NOT NULL,
            ended REAL,
            status TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'finished', 'interrupted', 'quit')),
            planned REAL NOT NULL DEFAULT 0,
            elapsed REAL,
            pain_before INTEGER CHECK (pain_before BETWEEN 0 AND 10),
            pain_after INTEGER CHECK (pain_after BETWEEN 0 AND 10),
            advised_per_week INTEGER,
            -- kept with each hold written, so reading the history never scans every hold
            completed INTEGER NOT NULL DEFAULT 0,
            skipped INTEGER NOT NULL DEFAULT 0,
            resumed_from INTEGER REFERENCES sessions(id),
            -- host|pid|process start: tells a session still playing from a killed one
            process TEXT
        )""",
        "CREATE INDEX sessions_by_start ON sessions(started)",
        "CREATE INDEX sessions_by_routine ON sessions(routine_id, started)",
        """CREATE TABLE holds (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            segment_index INTEGER NOT NULL,
            exercise TEXT NOT NULL,
            side TEXT,
            set_number INTEGER NOT NULL DEFAULT 1,
            step_path TEXT NOT NULL DEFAULT '',
            round INTEGER NOT NULL DEFAULT 1,
            outcome TEXT NOT NULL CHECK (outcome IN ('completed', 'skipped')),
            at REAL NOT NULL
        )""",
        "CREATE INDEX holds_by_session ON holds(session_id)",
    ),
    (
        # Programs: each start of a program, with the program as it was started (its
        # rules stay fixed for that run), and each of its sessions done, with effort.
        """CREATE TABLE programs (
            id INTEGER PRIMARY KEY,
            program_id TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            data TEXT NOT NULL,
            start_date TEXT NOT NULL,
            days TEXT NOT NULL,
            time TEXT,
            baseline INTEGER CHECK (baseline BETWEEN 0 AND 10),
            started REAL NOT NULL,
            status TEXT NOT NULL DEFAULT 'active'
                CHECK (status IN ('active', 'stopped', 'finished')),
            ended REAL,
            end_reason TEXT
        )""",
        """CREATE TABLE program_sessions (
            id INTEGER PRIMARY KEY,
            program INTEGER NOT NULL REFERENCES programs(id),
            session_id INTEGER REFERENCES sessions(id),
            day TEXT NOT NULL,
            level INTEGER NOT NULL DEFAULT 0,
            effort INTEGER CHECK (effort BETWEEN 0 AND 10),
            pain_before INTEGER CHECK (pain_before BETWEEN 0 AND 10),
            pain_after INTEGER CHECK (pain_after BETWEEN 0 AND 10),
            red_flag INTEGER NOT NULL DEFAULT 0,
            source TEXT NOT NULL DEFAULT 'log' CHECK (source IN ('run', 'log')),
            at REAL NOT NULL
        )""",
        "CREATE INDEX program_sessions_by_program ON program_sessions(program, id)",
    ),
    # 3: how hard the session felt (0-10), asked after it.
    ("ALTER TABLE sessions ADD COLUMN effort INTEGER CHECK (effort BETWEEN 0 AND 10)",),
)
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNew(Exception):
    """The file was written by a newer glutekit; this one must not touch it."""


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"{path} was written by a newer glutekit (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); upgrade glutekit to use it"
        )
    if version == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another session may have migrated while we waited for the lock.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for steps in MIGRATIONS[version:]:
            for statement in steps:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


#: Counts every change to the sessions, so an answer added up from them can be kept
#: while the count stays put (``glutekit history`` keeps its totals this way). Outside
#: the versioned schema on purpose: an older glutekit still opens the file as before,
#: and SQLite runs the triggers on its writes too. The token tells this file from
#: another that happens to have counted as far.
CHANGE_COUNT: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS change_count ("
    " id INTEGER PRIMARY KEY CHECK (id = 1), token TEXT NOT NULL, n INTEGER NOT NULL)",
    "INSERT OR IGNORE INTO change_count (id, token, n) VALUES (1, lower(hex(randomblob(16))), 0)",
    *(
        f"CREATE TRIGGER IF NOT EXISTS sessions_{event.lower()}_counted AFTER {event} ON sessions"
        " BEGIN UPDATE change_count SET n = n + 1 WHERE id = 1; END"
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
)


_TRIGGERS = frozenset(f"sessions_{e}_counted" for e in ("insert", "update", "delete"))


def change_count(conn: sqlite3.Connection) -> tuple[str, int] | None:
    """The file's token and how many changes its sessions have had; made on first use,
    and made again, with a new token, when any of its triggers is gone (a rebuilt
    sessions table loses its triggers, and a count that stopped would keep old totals).

    None when it cannot be made (a read-only file, a lock held elsewhere): the caller
    then works its answer out afresh.

    :raises sqlite3.DatabaseError: the file is damaged (the caller's own handling applies).
    """
    try:
        row = conn.execute("SELECT token, n FROM change_count WHERE id = 1").fetchone()
        triggers = {
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'sessions'"
            )
        }
    except sqlite3.OperationalError:  # no such table: an older glutekit's file
        row, triggers = None, set()
    if row is None or not _TRIGGERS.issubset(triggers):
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute("DROP TABLE IF EXISTS change_count")
                for statement in CHANGE_COUNT:
                    conn.execute(statement)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            row = conn.execute("SELECT token, n FROM change_count WHERE id = 1").fetchone()
        except sqlite3.OperationalError:  # read-only, locked, or the disk is full
            return None
    if row is None or not isinstance(row[0], str) or not isinstance(row[1], int):
        return None
    return row[0], row[1]
