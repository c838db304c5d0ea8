"""Rows of the history database as frozen value types."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any, NamedTuple

from glutekit.model.records import record


@functools.cache
def _hostname() -> str:
    """This machine's name, asked once (not at import: ``history`` never needs it)."""
    import socket

    return socket.gethostname()


@record(frozen=True, kw_only=True)
class HoldRecord:
    """One hold (or reps segment) that a session completed or skipped."""

    segment_index: int
    exercise: str
    side: str | None
    set_number: int
    step_path: tuple[int, ...]
    round: int
    outcome: str = "completed"


class SessionRow(NamedTuple):
    """One session as stored. A tuple, not a dataclass: ``history`` builds ten
    thousand of these, and tuples are several times quicker to make."""

    id: int
    routine_id: str
    routine_title: str
    content_hash: str
    started: float
    ended: float | None
    #: ``running`` only while the recording process is alive; a killed one reads ``interrupted``.
    status: str
    planned: float
    elapsed: float | None
    pain_before: int | None
    pain_after: int | None
    advised_per_week: int | None
    resumed_from: int | None
    completed: int
    skipped: int
    #: How hard it felt (0-10), when asked (the session page asks).
    effort: int | None = None


def path_text(path: tuple[int, ...]) -> str:
    return ".".join(str(p) for p in path)


def parse_path(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".")) if text else ()


def session_row(r: tuple[Any, ...]) -> SessionRow:
    """A row of ``SELECT`` columns in table order, the recording process in column 13."""
    row = SessionRow._make((*r[:13], r[14], r[15], r[16]))
    if row.status == "running" and not is_alive(r[13]):
        return row._replace(status="interrupted")
    return row


def process_identity(pid: int | None = None) -> str:
    """``host|pid|start``: enough to tell this process from a later one with its pid."""
    pid = pid or os.getpid()
    return f"{_hostname()}|{pid}|{_start_time(pid) or ''}"


def _start_time(pid: int) -> str | None:
    """The process start time from /proc (Linux); None elsewhere or once it has ended."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields 3 (state) and 22 (start); the command name before them is in
    # parentheses and may hold spaces.
    fields = stat.rsplit(")", 1)[-1].split()
    if len(fields) < 20 or fields[0] in ("Z", "X"):
        return None  # a killed process not yet reaped by its parent is gone too
    return fields[19]


def is_alive(identity: str | None) -> bool:
    """Is the process that is recording this session still running?"""
    parts = (identity or "").split("|")
    if len(parts) != 3 or parts[0] != _hostname() or not parts[1].isdigit():
        return False
    pid, start = int(parts[1]), parts[2]
    if start:
        # Process ids are reused; the start time tells a new process from the old one.
        return _start_time(pid) == start
    if os.name != "posix":
        # os.kill(pid, 0) would terminate the process on Windows; assume it ended.
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
