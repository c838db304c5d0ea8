"""Rows of the history database as frozen value types."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from typing import Any

_HOSTNAME = socket.gethostname()


def hostname() -> str:
    return _HOSTNAME


@dataclass(frozen=True, kw_only=True)
class HoldRecord:
    """One hold (or reps segment) that a session completed or skipped."""

    segment_index: int
    exercise: str
    side: str | None
    set_number: int
    step_path: tuple[int, ...]
    round: int
    outcome: str = "completed"


@dataclass(frozen=True, kw_only=True)
class SessionRow:
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


def path_text(path: tuple[int, ...]) -> str:
    return ".".join(str(p) for p in path)


def parse_path(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".")) if text else ()


def session_row(r: tuple[Any, ...]) -> SessionRow:
    status = r[6]
    if status == "running" and not _alive(r[13], r[14]):
        status = "interrupted"
    return SessionRow(
        id=r[0],
        routine_id=r[1],
        routine_title=r[2],
        content_hash=r[3],
        started=r[4],
        ended=r[5],
        status=status,
        planned=r[7],
        elapsed=r[8],
        pain_before=r[9],
        pain_after=r[10],
        advised_per_week=r[11],
        resumed_from=r[12],
        completed=int(r[15]),
        skipped=int(r[16]),
    )


def _alive(pid: int | None, host: str | None) -> bool:
    """Is the process that is recording this session still running?"""
    if not pid or host != _HOSTNAME:
        return False
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
