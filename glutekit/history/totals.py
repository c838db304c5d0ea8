"""The totals ``glutekit history`` adds up over every session, kept between runs.

Adding up 100,000 sessions costs more than the rest of the command. Nothing in the
totals changes until a session is added, changed or removed, and the database counts
every such change (:data:`~glutekit.history.migrations.CHANGE_COUNT`). So the totals are
kept (:mod:`glutekit.caches.kept`, ``history-totals.json``) under a key of the
database's path, inode, token and change count, ``--since``, the time zone (local dates
depend on it) and the code that adds them up. The weeks and streaks are counted back
from today by the caller at each run. A count that cannot be read, or a kept file that
cannot be, means adding up afresh.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple

from glutekit.history.db import HistoryDB
from glutekit.history.records import SessionRow
from glutekit.history.stats import PainTrend


class Totals(NamedTuple):
    """What the summary adds up over every session in range; nothing in it depends on
    the day it is asked (the weeks and streaks are counted back from today after).

    A NamedTuple, as the values of :mod:`glutekit.history.stats` are."""

    sessions: int
    days: Counter[date]
    advised: int | None
    pain: PainTrend
    #: Sessions listed in all, a --resume chain counting once.
    total: int
    #: The sessions of --resume chains (left out of the plain queries).
    chained_ids: frozenset[int]


#: The totals kept between runs (``glutekit.caches.kept``), a few files' worth at most.
TOTALS_NAME = "history-totals.json"
_KEPT_TOTALS = 4


def _zone() -> str:
    """What local dates depend on: the time zone's names, offsets and rules file."""
    import os
    import time as clock

    try:
        rules = os.path.realpath("/etc/localtime")
        info = os.stat(rules)  # a tzdata update rewrites the file in place
        rules = f"{rules}:{info.st_size}:{info.st_mtime_ns}"
    except (OSError, ValueError):
        rules = "-"
    return "|".join(
        map(str, (clock.tzname, clock.timezone, clock.altzone, os.environ.get("TZ"), rules))
    )


def kept_totals(
    db: HistoryDB, since: float | None, add_up: Callable[[], tuple[Totals, list[SessionRow]]]
) -> tuple[Totals, list[SessionRow] | None]:
    """The totals from the kept file, or ``add_up()`` (kept for next time); the --resume
    chains' rows come with them only when they were added up here."""
    import os
    from pathlib import Path

    from glutekit.caches.kept import Kept, files_in, fingerprint

    count = db.change_count()
    try:
        inode = os.stat(db.path).st_ino
    except (OSError, ValueError):
        count = None
    if count is None:
        return add_up()
    code = fingerprint(files_in(Path(__file__).resolve().parent, ".py"), "history-totals")
    kept: Kept[dict[str, Any]] = Kept(TOTALS_NAME, code, _valid_totals, max_entries=_KEPT_TOTALS)
    inputs = f"{Path(db.path).resolve()}|{inode}|{count[0]}|{count[1]}|{since!r}|{_zone()}"
    fresh: list[list[SessionRow]] = []

    def added_up() -> dict[str, Any]:
        totals, chained = add_up()
        fresh.append(chained)
        return _totals_json(totals)

    data = kept.get(inputs, added_up)
    kept.save()
    return _totals_from_json(data), (fresh[0] if fresh else None)


def _totals_json(totals: Totals) -> dict[str, Any]:
    pain = totals.pain
    return {
        "sessions": totals.sessions,
        "days": {day.isoformat(): n for day, n in totals.days.items()},
        "advised": totals.advised,
        "pain": [
            pain.scored,
            pain.mean_before,
            pain.mean_after,
            pain.mean_relief,
            pain.slope_per_week,
            pain.direction,
        ],
        "total": totals.total,
        "chained": sorted(totals.chained_ids),
    }


def _number(value: Any) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _valid_totals(value: Any) -> bool:
    if not isinstance(value, dict) or set(value) != {
        "sessions",
        "days",
        "advised",
        "pain",
        "total",
        "chained",
    }:
        return False
    pain, days = value["pain"], value["days"]
    try:
        return (
            _count(value["sessions"])
            and _count(value["total"])
            and (value["advised"] is None or _count(value["advised"]))
            and isinstance(days, dict)
            and all(_count(n) and date.fromisoformat(d) for d, n in days.items())
            and isinstance(pain, list)
            and len(pain) == 6
            and _count(pain[0])
            and all(_number(x) for x in pain[1:5])
            and pain[5] in (None, "falling", "rising", "steady")
            and isinstance(value["chained"], list)
            and all(_count(i) for i in value["chained"])
        )
    except (TypeError, ValueError):  # a day that is not a date
        return False


def _totals_from_json(data: dict[str, Any]) -> Totals:
    pain = data["pain"]
    return Totals(
        sessions=data["sessions"],
        days=Counter({date.fromisoformat(d): n for d, n in data["days"].items()}),
        advised=data["advised"],
        pain=PainTrend(
            scored=pain[0],
            mean_before=pain[1],
            mean_after=pain[2],
            mean_relief=pain[3],
            slope_per_week=pain[4],
            direction=pain[5],
        ),
        total=data["total"],
        chained_ids=frozenset(data["chained"]),
    )
