"""What the history says: sessions per week against advice, the streak, the pain trend.

Pure functions over :class:`~glutekit.history.records.SessionRow` lists, so they are
tested as data. Dates are the user's local dates; weeks start on Monday.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Literal, NamedTuple

from glutekit.history.records import SessionRow

#: A change in average pain smaller than this per week reads as steady.
STEADY_SLOPE = 0.25
#: Pain scores needed before a trend means anything.
MIN_SCORES_FOR_TREND = 3


# The values below are NamedTuples, not records: ``history`` makes one of each at every
# run, and a record's first instance compiles its ``__init__`` (a third of a millisecond).
class WeekCount(NamedTuple):
    start: date  # the Monday
    sessions: int


class PainTrend(NamedTuple):
    scored: int
    mean_before: float | None
    mean_after: float | None
    #: Average of (before - after) over sessions scored both times.
    mean_relief: float | None
    #: Change of the "before" score per week (negative: pain is going down).
    slope_per_week: float | None
    direction: Literal["falling", "rising", "steady"] | None


class Summary(NamedTuple):
    sessions: int
    weeks: tuple[WeekCount, ...]
    advised_per_week: int | None
    streak_weeks: int
    streak_days: int
    pain: PainTrend


def local_date(timestamp: float) -> date:
    return datetime.fromtimestamp(timestamp).date()


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def merge_resumed(rows: Sequence[SessionRow]) -> list[SessionRow]:
    """One row per session, folding each ``--resume`` continuation into what it resumed.

    The merged row keeps the first start and pain-before, and takes the last status,
    end and pain-after; completed and skipped counts add up.
    """
    if all(row.resumed_from is None for row in rows):
        return list(rows)  # nothing to fold: the common case, kept quick
    by_id = {row.id: row for row in rows}
    merged: dict[int, SessionRow] = {}
    for row in rows:
        root = row
        seen = {row.id}
        while root.resumed_from in by_id and root.resumed_from not in seen:
            root = by_id[root.resumed_from]
            seen.add(root.id)
        base = merged.setdefault(root.id, root)
        if row is root:
            continue
        merged[root.id] = base._replace(
            status=row.status,
            ended=row.ended,
            elapsed=(base.elapsed or 0.0) + (row.elapsed or 0.0),
            completed=base.completed + row.completed,
            skipped=base.skipped + row.skipped,
            pain_before=base.pain_before if base.pain_before is not None else row.pain_before,
            pain_after=row.pain_after if row.pain_after is not None else base.pain_after,
        )
    return sorted(merged.values(), key=lambda r: (r.started, r.id))


def counts(row: SessionRow) -> bool:
    """A session counts as practice when it finished or completed at least one hold."""
    return row.status == "finished" or row.completed > 0


def summarise(rows: Sequence[SessionRow], *, today: date | None = None) -> Summary:
    """Summary over ``rows`` (raw rows: resumed sessions are merged here)."""
    today = today or date.today()
    sessions = [row for row in merge_resumed(rows) if counts(row)]
    days = [local_date(row.started) for row in sessions]
    advised = next((r.advised_per_week for r in reversed(sessions) if r.advised_per_week), None)
    weeks = per_week(days, today=today)
    return Summary(
        sessions=len(sessions),
        weeks=weeks,
        advised_per_week=advised,
        streak_weeks=streak_weeks(weeks, advised or 1, today=today),
        streak_days=streak_days(days, today=today),
        pain=pain_trend(sessions),
    )


def per_week(days: Iterable[date], *, today: date) -> tuple[WeekCount, ...]:
    """Sessions in each week from the first session's week to this week, gaps included."""
    return per_week_of_counts(Counter(days), today=today)


def per_week_of_counts(day_counts: Mapping[date, int], *, today: date) -> tuple[WeekCount, ...]:
    """:func:`per_week` from sessions counted by day."""
    tally: dict[date, int] = {}
    for day, count in day_counts.items():  # far fewer days than sessions
        monday = week_start(day)
        tally[monday] = tally.get(monday, 0) + count
    if not tally:
        return ()
    out: list[WeekCount] = []
    monday, last = min(tally), max(max(tally), week_start(today))
    while monday <= last:
        out.append(WeekCount(start=monday, sessions=tally.get(monday, 0)))
        monday += timedelta(days=7)
    return tuple(out)


def streak_weeks(weeks: Sequence[WeekCount], target: int, *, today: date) -> int:
    """Weeks in a row, up to now, with at least ``target`` sessions.

    The week in progress adds to the streak once it meets the target, but does not
    break it before then: there are still days left to practise.
    """
    streak = 0
    this_week = week_start(today)
    for week in reversed(weeks):
        if week.sessions >= target:
            streak += 1
        elif week.start != this_week:
            break
    return streak


def streak_days(days: Iterable[date], *, today: date) -> int:
    """Days in a row with a session, ending today (or yesterday, if today is still open)."""
    practised = set(days)
    day = today if today in practised else today - timedelta(days=1)
    streak = 0
    while day in practised:
        streak += 1
        day -= timedelta(days=1)
    return streak


def pain_trend(sessions: Sequence[SessionRow]) -> PainTrend:
    import statistics  # here: ``history`` adds the trend up in SQL and never needs it

    before = [(r.started, r.pain_before) for r in sessions if r.pain_before is not None]
    after = [r.pain_after for r in sessions if r.pain_after is not None]
    both = [
        r.pain_before - r.pain_after
        for r in sessions
        if r.pain_before is not None and r.pain_after is not None
    ]
    slope: float | None = None
    direction: Literal["falling", "rising", "steady"] | None = None
    spread = before[-1][0] - before[0][0] if before else 0.0
    if len(before) >= MIN_SCORES_FOR_TREND and spread > 0:
        weeks = [(t - before[0][0]) / (7 * 86400) for t, _ in before]
        fit = statistics.linear_regression(weeks, [float(s) for _, s in before])
        slope = fit.slope
        if slope <= -STEADY_SLOPE:
            direction = "falling"
        elif slope >= STEADY_SLOPE:
            direction = "rising"
        else:
            direction = "steady"
    return PainTrend(
        scored=len(
            {
                *(r.id for r in sessions if r.pain_before is not None),
                *(r.id for r in sessions if r.pain_after is not None),
            }
        ),
        mean_before=statistics.fmean(s for _, s in before) if before else None,
        mean_after=statistics.fmean(after) if after else None,
        mean_relief=statistics.fmean(both) if both else None,
        slope_per_week=slope,
        direction=direction,
    )
