"""Records a session could not write (the database stayed locked), kept for the next run.

When a session ends while another program holds the history database's write lock,
what is still unwritten goes to ``<data>/history-pending/<id>.json`` (atomically), and
the next ``glutekit run`` adds it to the database before its own session, then removes
the file. Nothing recorded is lost because another program was busy.
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
#: | ("pain", fields). "begin" starts a session that was claimed before (``--resume``).
Operation = tuple[str, dict[str, Any]]

FOLDER = "history-pending"


def folder_for(db_path: Path) -> Path:
    return db_path.parent / FOLDER


def save(db_path: Path, session_id: int | None, operations: list[Operation]) -> Path:
    """Keep ``operations`` (for ``session_id``, or a session not started yet) for later."""
    from glutekit.atomic import write_text

    folder = folder_for(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.json"
    data = {"session_id": session_id, "operations": [_jsonable(op) for op in operations]}
    write_text(path, json.dumps(data))
    return path


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
    return session_id
