"""Program state in the history database: each start of a program and its sessions.

The program is kept as it was started, so editing or updating its file never changes
the rules of a program already under way. Levels and decisions are not stored: they
are worked out again from the log (:mod:`glutekit.program.rules`), so what
``program status`` explains is always what the log says.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from glutekit.history.db import HistoryDB
from glutekit.program.model import Logged, Program, program_from_data


@dataclass(frozen=True, kw_only=True)
class Enrollment:
    """One start of a program."""

    id: int
    program: Program
    data: dict[str, Any]
    start: date
    days: tuple[str, ...]
    time: str | None
    baseline: int | None
    status: str
    end_reason: str | None = None


_COLUMNS = "id, data, start_date, days, time, baseline, status, end_reason"


def _enrollment(row: tuple[Any, ...]) -> Enrollment:
    data = json.loads(row[1])
    return Enrollment(
        id=row[0],
        program=program_from_data(data, origin="history"),
        data=data,
        start=date.fromisoformat(row[2]),
        days=tuple(d for d in row[3].split(",") if d),
        time=row[4],
        baseline=row[5],
        status=row[6],
        end_reason=row[7],
    )


def latest(db: HistoryDB) -> Enrollment | None:
    """The program started last, whatever its state."""
    rows = db.query(f"SELECT {_COLUMNS} FROM programs ORDER BY id DESC LIMIT 1")
    return _enrollment(rows[0]) if rows else None


def active(db: HistoryDB) -> Enrollment | None:
    found = latest(db)
    return found if found is not None and found.status == "active" else None


def enroll(
    db: HistoryDB,
    data: dict[str, Any],
    *,
    start: date,
    days: tuple[str, ...],
    at: str | None,
    baseline: int | None,
) -> int:
    return db.write(
        "INSERT INTO programs (program_id, title, data, start_date, days, time, baseline,"
        " started) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            data["id"],
            data["title"],
            json.dumps(data, ensure_ascii=False, sort_keys=True),
            start.isoformat(),
            ",".join(days),
            at,
            baseline,
            time.time(),
        ),
    )


def end(db: HistoryDB, enrollment: int, *, status: str, reason: str) -> None:
    db.write(
        "UPDATE programs SET status = ?, ended = ?, end_reason = ? WHERE id = ?",
        (status, time.time(), reason, enrollment),
    )


def record(db: HistoryDB, enrollment: int, session: Logged) -> None:
    db.write(
        "INSERT INTO program_sessions (program, session_id, day, level, effort, pain_before,"
        " pain_after, red_flag, source, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            enrollment,
            session.session_id,
            session.day.isoformat(),
            session.level,
            session.effort,
            session.pain_before,
            session.pain_after,
            int(session.red_flag),
            session.source,
            time.time(),
        ),
    )


def logged(db: HistoryDB, enrollment: int) -> list[Logged]:
    """The sessions of one start of a program, in the order they were done."""
    rows = db.query(
        "SELECT day, level, effort, pain_before, pain_after, red_flag, source, session_id"
        " FROM program_sessions WHERE program = ? ORDER BY id",
        (enrollment,),
    )
    return [
        Logged(
            number=i,
            day=date.fromisoformat(r[0]),
            level=r[1],
            effort=r[2],
            pain_before=r[3],
            pain_after=r[4],
            red_flag=bool(r[5]),
            source="run" if r[6] == "run" else "log",
            session_id=r[7],
        )
        for i, r in enumerate(rows, start=1)
    ]
