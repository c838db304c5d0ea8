"""``glutekit history`` from SQL aggregates: no session is loaded to count sessions.

With 100,000 sessions, loading every row costs more than the whole command may take.
The summary (sessions per day and week, streaks, advice, pain trend) is computed by
SQLite over the plain sessions, and only the few sessions that belong to a ``--resume``
chain are loaded and merged in Python (see :func:`~glutekit.history.stats.merge_resumed`),
so the result is the same as :func:`~glutekit.history.stats.summarise` over every row.
The table loads only the sessions it shows.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any, Literal, NamedTuple

from glutekit.history.db import SESSION_COLUMNS, HistoryDB
from glutekit.history.records import SessionRow, session_row
from glutekit.history.stats import (
    MIN_SCORES_FOR_TREND,
    STEADY_SLOPE,
    PainTrend,
    Summary,
    counts,
    local_date,
    merge_resumed,
    per_week_of_counts,
    streak_days,
    streak_weeks,
)
from glutekit.history.totals import Totals, kept_totals
from glutekit.model.records import record

WEEK = 7 * 86400
_COUNTS = "(s.status = 'finished' OR s.completed > 0)"


def _bucket_seconds() -> int:
    """Sessions are added up in buckets that never straddle a local midnight.

    Asking SQLite for each session's local date costs more than the rest of the
    query; UTC hours (half or quarter hours in zones offset by those) each fall on one
    local date, which Python works out once per bucket.
    """
    import time as clock

    offsets = {clock.localtime(t).tm_gmtoff for t in (0.0, 15_552_000.0, clock.time())}
    if all(o % 3600 == 0 for o in offsets):
        return 3600
    return 1800 if all(o % 1800 == 0 for o in offsets) else 900


class _Range:
    """The WHERE clause for "since" and "not part of a --resume chain"."""

    def __init__(self, since: float | None, chained: set[int]) -> None:
        parts = []
        self.args: tuple[Any, ...] = ()
        if since is not None:
            parts.append("s.started >= ?")
            self.args = (since,)
        if chained:
            # Ids are integers from the database itself: safe to write into the query.
            parts.append(f"s.id NOT IN ({','.join(str(int(i)) for i in sorted(chained))})")
        self.plain = " AND ".join(parts) or "1"


class History(NamedTuple):
    """What a report needs: the summary, the sessions listed, and how many there are
    (a NamedTuple, as the values of :mod:`glutekit.history.stats` are).

    :ivar recent: the sessions listed, oldest first: the last ``limit``, or all.
    :ivar streamed: with ``stream=True`` and no limit, every session instead, read from
        the database as it is used (before the database is closed); ``recent`` is empty.
    """

    summary: Summary
    recent: list[SessionRow]
    total: int
    streamed: Iterator[SessionRow] | None = None

    def listed(self) -> Iterable[SessionRow]:
        return self.recent if self.streamed is None else self.streamed


@record
class _Pain:
    """Sums for the pain trend; ``x`` is weeks since ``origin``."""

    origin: float
    before: int = 0
    sum_before: float = 0.0
    sum_x: float = 0.0
    sum_xx: float = 0.0
    sum_xy: float = 0.0
    first: float = math.inf
    last: float = -math.inf
    after: int = 0
    sum_after: float = 0.0
    both: int = 0
    sum_relief: float = 0.0
    scored: int = 0

    def add(self, row: SessionRow) -> None:
        if row.pain_before is not None or row.pain_after is not None:
            self.scored += 1
        if row.pain_before is not None:
            x = (row.started - self.origin) / WEEK
            self.before += 1
            self.sum_before += row.pain_before
            self.sum_x += x
            self.sum_xx += x * x
            self.sum_xy += x * row.pain_before
            self.first = min(self.first, row.started)
            self.last = max(self.last, row.started)
        if row.pain_after is not None:
            self.after += 1
            self.sum_after += row.pain_after
        if row.pain_before is not None and row.pain_after is not None:
            self.both += 1
            self.sum_relief += row.pain_before - row.pain_after

    def trend(self) -> PainTrend:
        slope: float | None = None
        direction: Literal["falling", "rising", "steady"] | None = None
        if self.before >= MIN_SCORES_FOR_TREND and self.last - self.first > 0:
            n = self.before
            sxx = self.sum_xx - self.sum_x * self.sum_x / n
            sxy = self.sum_xy - self.sum_x * self.sum_before / n
            slope = sxy / sxx
            if slope <= -STEADY_SLOPE:
                direction = "falling"
            elif slope >= STEADY_SLOPE:
                direction = "rising"
            else:
                direction = "steady"
        return PainTrend(
            scored=self.scored,
            mean_before=self.sum_before / self.before if self.before else None,
            mean_after=self.sum_after / self.after if self.after else None,
            mean_relief=self.sum_relief / self.both if self.both else None,
            slope_per_week=slope,
            direction=direction,
        )


def _plain_sums(db: HistoryDB, where: _Range, origin: float) -> tuple[Any, ...]:
    """Counted sessions outside any --resume chain: how many, and the pain sums."""
    x = f"((s.started - {origin!r}) / {float(WEEK)!r})"
    rows = db.query(
        "SELECT COUNT(*),"
        " COUNT(s.pain_before), TOTAL(s.pain_before),"
        f" TOTAL(CASE WHEN s.pain_before IS NOT NULL THEN {x} END),"
        f" TOTAL(CASE WHEN s.pain_before IS NOT NULL THEN {x} * {x} END),"
        f" TOTAL({x} * s.pain_before),"
        " MIN(CASE WHEN s.pain_before IS NOT NULL THEN s.started END),"
        " MAX(CASE WHEN s.pain_before IS NOT NULL THEN s.started END),"
        " COUNT(s.pain_after), TOTAL(s.pain_after),"
        " COUNT(s.pain_before - s.pain_after), TOTAL(s.pain_before - s.pain_after),"
        " COUNT(CASE WHEN s.pain_before IS NOT NULL OR s.pain_after IS NOT NULL THEN 1 END)"
        f" FROM sessions s WHERE {where.plain} AND {_COUNTS}",
        where.args,
    )
    return rows[0]


def _plain_days(db: HistoryDB, where: _Range) -> Counter[date]:
    """Counted sessions outside any --resume chain, by local date."""
    size = _bucket_seconds()
    rows = db.query(
        f"SELECT CAST(s.started / {size} AS INTEGER) AS bucket, COUNT(*) FROM sessions s"
        f" WHERE {where.plain} AND {_COUNTS} GROUP BY bucket ORDER BY bucket",
        where.args,
    )
    days: Counter[date] = Counter()
    day, start, end = date.min, math.inf, -math.inf
    for bucket, n in rows:
        moment = bucket * size
        if not start <= moment < end:  # a new local day: find where it starts and ends
            day = local_date(moment)
            start = datetime.combine(day, time()).timestamp()
            end = datetime.combine(day + timedelta(days=1), time()).timestamp()
        days[day] += n
    return days


def _plain_advice(db: HistoryDB, where: _Range) -> tuple[float, int, int] | None:
    rows = db.query(
        "SELECT s.started, s.id, s.advised_per_week FROM sessions s"
        f" WHERE {where.plain} AND {_COUNTS} AND s.advised_per_week"
        " ORDER BY s.started DESC, s.id DESC LIMIT 1",
        where.args,
    )
    return (float(rows[0][0]), int(rows[0][1]), int(rows[0][2])) if rows else None


def _rows(db: HistoryDB, where: str, args: tuple[Any, ...], tail: str = "") -> list[SessionRow]:
    sql = f"SELECT {SESSION_COLUMNS} FROM sessions s WHERE {where} {tail}"
    return [session_row(r) for r in db.query(sql, args)]


def _chains(db: HistoryDB, since: float | None) -> tuple[list[SessionRow], set[int]]:
    """Sessions of --resume chains in the range, merged one row per chain, and their ids."""
    start = -math.inf if since is None else since
    # Without --since, a plain scan of the table beats walking the index on "started".
    in_range = "" if since is None else " AND started >= ?"
    links = db.query(
        f"SELECT id, resumed_from FROM sessions WHERE resumed_from IS NOT NULL{in_range}",
        () if since is None else (since,),
    )
    ids = {int(i) for link in links for i in link}
    if not ids:
        return [], set()
    listed = ",".join(str(i) for i in sorted(ids))
    rows = _rows(db, f"s.id IN ({listed}) AND s.started >= ?", (start,), "ORDER BY s.started, s.id")
    return merge_resumed(rows), {row.id for row in rows}


def _add_up(db: HistoryDB, since: float | None) -> tuple[Totals, list[SessionRow]]:
    """The totals from SQL, and the --resume chains in range, merged one row each."""
    chained, chained_ids = _chains(db, since)
    where = _Range(since, chained_ids)
    first = db.query(f"SELECT MIN(s.started) FROM sessions s WHERE {where.plain}", where.args)
    origin = float(first[0][0]) if first[0][0] is not None else 0.0
    sums = _plain_sums(db, where, origin)
    pain = _Pain(
        origin=origin,
        before=sums[1],
        sum_before=sums[2],
        sum_x=sums[3],
        sum_xx=sums[4],
        sum_xy=sums[5],
        first=sums[6] if sums[6] is not None else math.inf,
        last=sums[7] if sums[7] is not None else -math.inf,
        after=sums[8],
        sum_after=sums[9],
        both=sums[10],
        sum_relief=sums[11],
        scored=sums[12],
    )
    sessions = int(sums[0])
    days = _plain_days(db, where)
    advice = _plain_advice(db, where)
    for row in chained:
        if not counts(row):
            continue
        sessions += 1
        pain.add(row)
        days[local_date(row.started)] += 1
        if row.advised_per_week and (advice is None or (row.started, row.id) > advice[:2]):
            advice = (row.started, row.id, row.advised_per_week)
    plain_total = db.query(f"SELECT COUNT(*) FROM sessions s WHERE {where.plain}", where.args)
    totals = Totals(
        sessions=sessions,
        days=days,
        advised=advice[2] if advice else None,
        pain=pain.trend(),
        total=plain_total[0][0] + len(chained),
        chained_ids=frozenset(chained_ids),
    )
    return totals, chained


def _chain_rows(db: HistoryDB, ids: frozenset[int], since: float | None) -> list[SessionRow]:
    """The --resume chains of the sessions ``ids``, merged one row each."""
    if not ids:
        return []
    listed = ",".join(str(int(i)) for i in sorted(ids))
    start = -math.inf if since is None else since
    rows = _rows(db, f"s.id IN ({listed}) AND s.started >= ?", (start,), "ORDER BY s.started, s.id")
    return merge_resumed(rows)


def load_history(
    db: HistoryDB,
    *,
    since: float | None,
    limit: int,
    today: date | None = None,
    stream: bool = False,
) -> History:
    """The summary over every session since ``since``, and the last ``limit`` to show
    (0: all of them; with ``stream``, read one by one as they are used)."""
    today = today or date.today()
    totals, chained = kept_totals(db, since, lambda: _add_up(db, since))
    if chained is None:
        chained = _chain_rows(db, totals.chained_ids, since)
    where = _Range(since, set(totals.chained_ids))
    weeks = per_week_of_counts(totals.days, today=today)
    summary = Summary(
        sessions=totals.sessions,
        weeks=weeks,
        advised_per_week=totals.advised,
        streak_weeks=streak_weeks(weeks, totals.advised or 1, today=today),
        streak_days=streak_days(totals.days, today=today),
        pain=totals.pain,
    )
    if stream and not limit:
        return History(
            summary=summary, recent=[], total=totals.total, streamed=_every(db, where, chained)
        )
    return History(summary=summary, recent=_recent(db, where, chained, limit), total=totals.total)


def _every(db: HistoryDB, where: _Range, chained: list[SessionRow]) -> Iterator[SessionRow]:
    """Every session, resumed ones merged, oldest first, read from the database in batches."""
    sql = f"SELECT {SESSION_COLUMNS} FROM sessions s WHERE {where.plain} ORDER BY s.started, s.id"
    plain = (session_row(r) for r in db.stream(sql, where.args))
    import heapq  # here: only --json streams

    return heapq.merge(plain, chained, key=lambda r: (r.started, r.id))


def _recent(
    db: HistoryDB, where: _Range, chained: list[SessionRow], limit: int
) -> list[SessionRow]:
    """The last ``limit`` sessions (all with 0), resumed ones merged, oldest first."""
    tail = "ORDER BY s.started DESC, s.id DESC" + (f" LIMIT {int(limit)}" if limit else "")
    plain = _rows(db, where.plain, where.args, tail)
    merged = sorted([*plain, *chained], key=lambda r: (r.started, r.id))
    return merged[-limit:] if limit else merged
