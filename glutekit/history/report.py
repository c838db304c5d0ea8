"""The text and JSON forms of ``glutekit history``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from glutekit.history.records import SessionRow
from glutekit.history.stats import PainTrend, Summary, WeekCount
from glutekit.model.durations import clock

#: Weekly rows shown in the text report (``--json`` has them all).
WEEKS_SHOWN = 8


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def _pain(row: SessionRow) -> str:
    if row.pain_before is None and row.pain_after is None:
        return ""
    before = "?" if row.pain_before is None else str(row.pain_before)
    after = "?" if row.pain_after is None else str(row.pain_after)
    return f"{before} → {after}"


def text_report(
    path: Path,
    summary: Summary,
    sessions: Sequence[SessionRow],
    *,
    limit: int,
    since: str | None,
    total: int | None = None,
) -> str:
    """The report; ``sessions`` may be only the last ``limit`` of ``total`` sessions."""
    if not sessions:
        where = f" since {since}" if since else ""
        return f"No sessions recorded{where} yet. (History is kept in {path}.)"
    lines = [_session_table(sessions, limit, len(sessions) if total is None else total), ""]
    lines += _week_lines(summary.weeks[-WEEKS_SHOWN:], summary.advised_per_week)
    lines.append("")
    lines.append(_streak_line(summary))
    lines.append(pain_line(summary.pain))
    return "\n".join(lines)


def _session_table(sessions: Sequence[SessionRow], limit: int, total: int) -> str:
    shown = list(sessions[-limit:]) if limit else list(sessions)
    width = max(len("Routine"), *(len(s.routine_id) for s in shown))
    header = f"{'Started':<16}  {'Routine':<{width}}  {'Status':<11}  {'Time':>7}  Holds  Pain"
    rows = [header]
    for s in shown:
        elapsed = clock(s.elapsed) if s.elapsed is not None else "—"
        rows.append(
            f"{_when(s.started):<16}  {s.routine_id:<{width}}  {s.status:<11}  {elapsed:>7}  "
            f"{s.completed:>5}  {_pain(s)}".rstrip()
        )
    hidden = total - len(shown)
    if hidden:
        rows.append(f"({hidden} earlier session(s) not shown; --limit 0 lists all)")
    return "\n".join(rows)


def _week_lines(weeks: Sequence[WeekCount], advised: int | None) -> list[str]:
    title = "Sessions per week" + (f" (advised: at least {advised})" if advised else "")
    lines = [title + ":"]
    for week in weeks:
        mark = ""
        if advised:
            mark = "  ok" if week.sessions >= advised else f"  {advised - week.sessions} short"
        lines.append(
            f"  week of {week.start.isoformat()}  {'█' * min(week.sessions, 30):<30} "
            f"{week.sessions:>3}{mark}"
        )
    return lines


def _streak_line(summary: Summary) -> str:
    target = summary.advised_per_week or 1
    unit = "week" if summary.streak_weeks == 1 else "weeks"
    days = "day" if summary.streak_days == 1 else "days"
    return (
        f"Current streak: {summary.streak_weeks} {unit} with at least {target} session(s); "
        f"{summary.streak_days} {days} in a row"
    )


def pain_line(pain: PainTrend) -> str:
    if not pain.scored:
        return "Pain: no scores yet (use 'glutekit run --pain' to record them)"
    parts = []
    if pain.mean_before is not None:
        parts.append(f"before {pain.mean_before:.1f}")
    if pain.mean_after is not None:
        parts.append(f"after {pain.mean_after:.1f}")
    text = f"Pain (average of {pain.scored} scored session(s)): " + ", ".join(parts)
    if pain.mean_relief is not None:
        change = "lower" if pain.mean_relief >= 0 else "higher"
        text += f"; {abs(pain.mean_relief):.1f} {change} after a session"
    if pain.direction is not None and pain.slope_per_week is not None:
        text += f"; trend {pain.direction} ({pain.slope_per_week:+.2f} per week)"
    else:
        text += "; too few scores for a trend"
    return text


#: Stands in for the session list while the rest of the report is laid out.
_SESSIONS = "\0sessions\0"
_SESSION_MEMBERS = json.JSONEncoder(separators=(",\n      ", ": "))


def json_chunks(
    path: Path, summary: Summary, sessions: Iterable[SessionRow], total: int
) -> Iterator[str]:
    """The report as JSON (``json.dumps(..., indent=2)`` of :func:`as_json_data`), in
    pieces: each session is formatted when it is reached, so a history of any length
    is written out in flat memory."""
    data = as_json_data(path, summary, (), total)
    data["sessions"] = _SESSIONS
    head, tail = json.dumps(data, indent=2).split(json.dumps(_SESSIONS), 1)
    yield head
    first = True
    for session in sessions:
        # A session is a flat object: the C encoder, given the separators that indent=2
        # puts between its members, writes the same text as the indenting (Python) one.
        members = _SESSION_MEMBERS.encode(_session_json(session))[1:-1]
        yield ("[\n    {\n      " if first else ",\n    {\n      ") + members + "\n    }"
        first = False
    yield "[]" if first else "\n  ]"
    yield tail


def as_json_data(
    path: Path, summary: Summary, sessions: Iterable[SessionRow], total: int | None = None
) -> dict[str, Any]:
    """The report as a JSON document; ``total`` is how many sessions there are when
    ``sessions`` lists only the last few."""
    pain = summary.pain
    listed = [_session_json(s) for s in sessions]
    return {
        "database": str(path),
        "sessions": listed,
        "total_sessions": len(listed) if total is None else total,
        "counted_sessions": summary.sessions,
        "advised_per_week": summary.advised_per_week,
        "weeks": [{"week_of": w.start.isoformat(), "sessions": w.sessions} for w in summary.weeks],
        "streak": {"weeks": summary.streak_weeks, "days": summary.streak_days},
        "pain": {
            "scored": pain.scored,
            "mean_before": pain.mean_before,
            "mean_after": pain.mean_after,
            "mean_relief": pain.mean_relief,
            "slope_per_week": pain.slope_per_week,
            "direction": pain.direction,
        },
    }


def _session_json(s: SessionRow) -> dict[str, Any]:
    return {
        "id": s.id,
        "routine": s.routine_id,
        "title": s.routine_title,
        "content_hash": s.content_hash,
        "started": datetime.fromtimestamp(s.started).astimezone().isoformat(timespec="seconds"),
        "ended": (
            datetime.fromtimestamp(s.ended).astimezone().isoformat(timespec="seconds")
            if s.ended is not None
            else None
        ),
        "status": s.status,
        "planned_seconds": s.planned,
        "elapsed_seconds": s.elapsed,
        "holds_completed": s.completed,
        "holds_skipped": s.skipped,
        "pain_before": s.pain_before,
        "pain_after": s.pain_after,
        "effort": s.effort,
    }
