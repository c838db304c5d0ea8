"""Programs as values: what a program file says, and what the user logged.

Program files stay JSON on disk (``schemas/program.schema.json``); they become these
frozen dataclasses only after validation (see :mod:`glutekit.program.files`).
"""

from __future__ import annotations

from dataclasses import field
from datetime import date, timedelta
from typing import Any, Literal

from glutekit.model.counted import counted
from glutekit.model.records import record

DAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_WORDS: tuple[str, ...] = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)


@record(frozen=True, kw_only=True)
class Rules:
    """When a program changes. The defaults are the ones ``program status`` prints."""

    progress_after: int = 2
    easy_effort: int = 5
    hold_pain_rise: int = 1
    regress_pain_rise: int = 2
    regress_effort: int = 8
    stop_pain_rise: int = 3

    def lines(self) -> list[str]:
        """The rules in words, one a line, as ``program status`` prints them."""
        return [
            f"One step harder after {counted(self.progress_after, 'sessions')} in a row with effort "
            f"{self.easy_effort} or less and pain no higher than where it started.",
            f"No change when pain rose by {self.hold_pain_rise} in a session.",
            f"One step easier when pain rose by {self.regress_pain_rise} or more, or effort "
            f"was {self.regress_effort} or more.",
            f"The program stops, and shows its screen, when pain rose by "
            f"{self.stop_pain_rise} or more or a warning sign was answered yes.",
        ]

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@record(frozen=True, kw_only=True)
class SessionPlan:
    """One entry of a program's ``sessions``: a routine id or a compose request."""

    title: str | None = None
    routine: str | None = None
    compose: dict[str, Any] | None = None


@record(frozen=True, kw_only=True)
class Program:
    id: str
    title: str
    weeks: int
    days: tuple[str, ...]
    sessions: tuple[SessionPlan, ...]
    description: str = ""
    author: str | None = None
    time: str | None = None
    symptom: str | None = None
    excludes: tuple[str, ...] = ()
    screens: tuple[str, ...] = ()
    rules: Rules = field(default_factory=Rules)
    origin: str = ""
    plugin: str = ""

    @property
    def per_week(self) -> int:
        return len(self.days)

    @property
    def total(self) -> int:
        return self.weeks * self.per_week

    def plan_for(self, number: int) -> SessionPlan:
        """The session plan of session ``number`` (0-based): the list, round again."""
        return self.sessions[number % len(self.sessions)]


def program_from_data(data: dict[str, Any], *, origin: str = "", plugin: str = "") -> Program:
    """A :class:`Program` from data that passed the schema."""
    return Program(
        id=data["id"],
        title=data["title"],
        weeks=int(data["weeks"]),
        days=tuple(data["days"]),
        sessions=tuple(
            SessionPlan(title=s.get("title"), routine=s.get("routine"), compose=s.get("compose"))
            for s in data["sessions"]
        ),
        description=data.get("description", ""),
        author=data.get("author"),
        time=data.get("time"),
        symptom=data.get("symptom"),
        excludes=tuple(data.get("excludes", ())),
        screens=tuple(data.get("screens", ())),
        rules=Rules(**data.get("rules", {})),
        origin=origin,
        plugin=plugin,
    )


# ----------------------------------------------------------------------------- schedule


def parse_days(text: str) -> tuple[str, ...]:
    """``mon,wed,fri`` (or ``monday,wednesday``, or ``daily``) as day names in week order.

    :raises ValueError: naming the word, as given, that is not a day.
    """
    if text.strip().lower() in ("daily", "every-day", "all"):
        return DAY_NAMES
    words = [w.strip() for w in text.split(",") if w.strip()]
    full = [w.lower() for w in DAY_WORDS]
    chosen: set[str] = set()
    for word in words:
        key = word.lower()
        if key in DAY_NAMES:
            chosen.add(key)
        elif key in full:
            chosen.add(DAY_NAMES[full.index(key)])
        else:
            raise ValueError(f"'{word}' is not a day (use mon, tue, wed, thu, fri, sat, sun)")
    if not chosen:
        raise ValueError("no days given (use for example mon,wed,fri)")
    return tuple(d for d in DAY_NAMES if d in chosen)


def planned_dates(start: date, days: tuple[str, ...], total: int) -> list[date]:
    """The dates of ``total`` sessions on ``days``, from ``start`` on."""
    wanted = {DAY_NAMES.index(d) for d in days}
    out: list[date] = []
    day = start
    while len(out) < total and wanted:
        if day.weekday() in wanted:
            out.append(day)
        day += timedelta(days=1)
    return out


# ----------------------------------------------------------------------------- the log


@record(frozen=True, kw_only=True)
class Logged:
    """One program session done: run by glutekit or logged by hand."""

    number: int  # 1-based, in the order done
    day: date
    level: int
    effort: int | None = None
    pain_before: int | None = None
    pain_after: int | None = None
    red_flag: bool = False
    source: Literal["run", "log"] = "log"
    session_id: int | None = None


Action = Literal["progress", "hold", "regress", "stop"]


@record(frozen=True, kw_only=True)
class Decision:
    """What the rules made of one logged session, and why, in one line."""

    after: int  # the session number it follows
    action: Action
    level_before: int
    level_after: int
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "after_session": self.after,
            "action": self.action,
            "level_before": self.level_before,
            "level_after": self.level_after,
            "reason": self.reason,
        }
