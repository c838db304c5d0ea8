"""Records a session could not write (the database stayed locked, the disk was full),
kept for the next run.

When a session ends while another program holds the history database's write lock,
or while the disk holding it is full, what is still unwritten goes to
``<data>/history-pending/<id>.json`` (atomically), and the next ``glutekit run`` adds
it to the database before its own session, then removes the file. Nothing recorded
is lost because another program was busy or the disk filled up.

A full disk has no room for that file either, so each session sets the room aside
when it starts: a ``.reserve`` file of blanks, big enough for every record the session
can make. Only when the file cannot be written the usual way is it written into the
reserve (blanks after JSON are still JSON) and renamed; otherwise the reserve is
deleted at the end. One left by a killed session is deleted by the next run.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Any

from glutekit.history.records import HoldRecord

#: One write: ("start", fields) | ("begin", fields) | ("hold", fields) | ("end", fields)
#: | ("pain", fields) | ("effort", fields). "begin" starts a session that was claimed
#: before (``--resume``).
Operation = tuple[str, dict[str, Any]]

FOLDER = "history-pending"


def folder_for(db_path: Path) -> Path:
    return db_path.parent / FOLDER


RESERVE_SUFFIX = ".reserve"
#: Room set aside per record a session can make, and at most in all.
RESERVE_PER_RECORD = 600
RESERVE_MAX = 8 * 1024 * 1024


def save(
    db_path: Path,
    session_id: int | None,
    operations: list[Operation],
    reserve: Path | None = None,
) -> Path:
    """Keep ``operations`` (for ``session_id``, or a session not started yet) for later.

    :param reserve: room set aside by :func:`make_reserve`, used when the disk is full.
    :raises OSError: or GlutekitError when they cannot be kept.
    """
    from glutekit.atomic import write_text
    from glutekit.errors import GlutekitError

    folder = folder_for(db_path)
    path = folder / f"{uuid.uuid4().hex}.json"
    data = {"session_id": session_id, "operations": [_jsonable(op) for op in operations]}
    text = json.dumps(data)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_text(path, text)
    except (OSError, GlutekitError):
        if reserve is None or not _write_into(reserve, text.encode(), path):
            raise
    return path


def make_reserve(db_path: Path, records: int) -> Path | None:
    """Set room aside for ``records`` records of this session (None when there is none)."""
    from glutekit.history.records import process_identity

    size = min(RESERVE_MAX, 4096 + RESERVE_PER_RECORD * max(records, 1))
    folder = folder_for(db_path)
    name = process_identity().replace("|", "~") + f"~{uuid.uuid4().hex}{RESERVE_SUFFIX}"
    path = folder / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as handle:
            # Written, not a hole: the file system counts the room as taken at once.
            handle.write(b" " * size)
    except OSError:
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    return path


def drop_reserve(reserve: Path | None) -> None:
    if reserve is not None:
        with contextlib.suppress(OSError):
            reserve.unlink()


def _write_into(reserve: Path, data: bytes, path: Path) -> bool:
    """Write ``data`` over the reserve's blanks and give it its pending name."""
    try:
        if len(data) > reserve.stat().st_size:
            return False
        with open(reserve, "r+b") as handle:
            handle.write(data)
            handle.truncate(len(data))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(reserve, path)
    except OSError:
        return False
    return True


def _sweep_reserves(folder: Path) -> None:
    """Delete the reserves of sessions whose process has ended."""
    from glutekit.history.records import is_alive

    try:
        reserves = list(folder.glob(f"*{RESERVE_SUFFIX}"))
    except OSError:
        return
    for reserve in reserves:
        identity = reserve.name[: -len(RESERVE_SUFFIX)].rsplit("~", 1)[0].replace("~", "|")
        if not is_alive(identity):
            with contextlib.suppress(OSError):
                reserve.unlink()


def _jsonable(operation: Operation) -> list[Any]:
    kind, fields = operation
    fields = dict(fields)
    if isinstance(fields.get("record"), HoldRecord):
        fields["record"] = asdict(fields["record"])
    return [kind, fields]


def replay(db: Any) -> int:
    """Apply every kept file to ``db`` (a HistoryDB); returns how many records were added.

    A file that cannot be applied now stays for the next run.
    """
    folder = folder_for(db.path)
    _sweep_reserves(folder)
    try:
        files = sorted(folder.glob("*.json"))
    except OSError:
        return 0
    added = 0
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            operations = [(str(kind), dict(fields)) for kind, fields in data["operations"]]
            session_id = data.get("session_id")
        except (OSError, ValueError, KeyError, TypeError):
            continue  # unreadable: left in place for a person to look at
        try:
            apply(db, session_id, operations)
        except Exception:
            continue
        added += len(operations)
        with contextlib.suppress(OSError):
            os.unlink(path)
    return added


def apply(db: Any, session_id: int | None, operations: list[Operation]) -> int | None:
    """Write ``operations`` in order; returns the session id they wrote to."""
    for kind, fields in operations:
        if kind == "start":
            session_id = db.start_session(**fields)
        elif session_id is None:
            continue
        elif kind == "begin":
            db.begin_session(session_id, **fields)
        elif kind == "hold":
            record = fields["record"]
            if isinstance(record, dict):
                record = HoldRecord(**{**record, "step_path": tuple(record["step_path"])})
            db.record_hold(
                session_id, record, fields.get("at"), replaces_skip=fields["replaces_skip"]
            )
        elif kind == "end":
            db.end_session(session_id, **fields)
        elif kind == "pain":
            db.set_pain(session_id, after=fields["after"])
        elif kind == "effort":
            db.set_effort(session_id, fields["effort"])
    return session_id
