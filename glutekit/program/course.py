"""Where a started program stands: its log, the decisions the rules made, what is next.

Everything here is worked out from the history database's log and the program as it
was started; nothing is stored but what the user did.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from glutekit.model.records import record
from glutekit.program import plan as plans
from glutekit.program.model import DAY_NAMES, Decision, Logged, Program, planned_dates
from glutekit.program.rules import baseline_of, decide, next_change
from glutekit.program.state import Enrollment

if TYPE_CHECKING:
    from glutekit.catalog import Catalog
    from glutekit.host.plugins import PluginHost


@record(frozen=True, kw_only=True)
class Course:
    enrollment: Enrollment
    logged: tuple[Logged, ...]
    decisions: tuple[Decision, ...]
    #: Each session plan's routine data and ladders, in the program's order.
    routines: tuple[dict[str, Any], ...]
    ladders: tuple[tuple[plans.StepLadder, ...], ...]
    dates: tuple[date, ...]
    today: date

    @property
    def program(self) -> Program:
        return self.enrollment.program

    @property
    def level(self) -> int:
        return self.decisions[-1].level_after if self.decisions else 0

    @property
    def stopped(self) -> bool:
        return self.enrollment.status == "stopped" or any(
            d.action == "stop" for d in self.decisions
        )

    @property
    def stop_reason(self) -> str | None:
        for d in self.decisions:
            if d.action == "stop":
                return d.reason
        return self.enrollment.end_reason if self.enrollment.status == "stopped" else None

    @property
    def safety_stop(self) -> bool:
        return any(d.action == "stop" for d in self.decisions)

    @property
    def finished(self) -> bool:
        return len(self.logged) >= len(self.dates)

    @property
    def next_number(self) -> int:
        """The next session, 0-based."""
        return len(self.logged)

    @property
    def next_date(self) -> date | None:
        return self.dates[self.next_number] if not self.finished else None

    def week_of(self, number: int) -> int:
        return number // self.program.per_week + 1

    def due_so_far(self) -> int:
        return sum(1 for d in self.dates if d <= self.today)

    def all_ladders(self) -> list[plans.StepLadder]:
        return [item for group in self.ladders for item in group]

    def changes(self, decision: Decision) -> list[str]:
        lines = plans.change_lines(self.all_ladders(), decision.level_before, decision.level_after)
        return [f"{line}, because {decision.reason}" for line in lines]

    def screens(self, catalog: Catalog) -> list[str]:
        out = list(self.program.screens)
        symptom = catalog.symptoms().get(self.program.symptom or "")
        if symptom is not None and symptom.screen_text and symptom.screen_text not in out:
            out.append(symptom.screen_text)
        return out

    def routine_for(self, number: int, catalog: Catalog) -> dict[str, Any]:
        """Session ``number``'s routine at the current level, titled for the program."""
        index = number % len(self.routines)
        data = plans.at_level(self.routines[index], list(self.ladders[index]), self.level, catalog)
        suffix = f" ({self.program.title}, week {self.week_of(number)})"
        data["title"] = (data["title"] + suffix)[:200]
        screens = [s for s in self.screens(catalog) if s not in data.get("screens", [])]
        if screens:
            # Every one is kept: a red flag is never left out to fit a number.
            data["screens"] = [*data.get("screens", []), *screens]
        return data

    def next_rule(self) -> str:
        return next_change(self.program.rules, self.logged, self.decisions)


def course_of(
    enrollment: Enrollment,
    logged: list[Logged],
    catalog: Catalog,
    host: PluginHost | None,
    *,
    today: date,
) -> Course:
    program = enrollment.program
    routines: list[dict[str, Any]] = []
    ladders: list[tuple[plans.StepLadder, ...]] = []
    for number in range(len(program.sessions)):
        data = plans.routine_data(program, number, catalog, host)
        routines.append(data)
        excludes = plans.excludes_for(program, catalog, data)
        ladders.append(tuple(plans.ladders(data, catalog, excludes)))
    lowest, highest = plans.level_range([s for group in ladders for s in group])
    decisions = decide(
        program.rules,
        logged,
        baseline=enrollment.baseline,
        lowest=lowest,
        highest=highest,
    )
    days = tuple(d for d in enrollment.days if d in DAY_NAMES)
    return Course(
        enrollment=enrollment,
        logged=tuple(logged),
        decisions=tuple(decisions),
        routines=tuple(routines),
        ladders=tuple(ladders),
        dates=tuple(planned_dates(enrollment.start, days, program.weeks * len(days))),
        today=today,
    )


def status_data(course: Course, catalog: Catalog) -> dict[str, Any]:
    """Everything ``program status --json`` prints."""
    program = course.program
    base = baseline_of(course.logged, course.enrollment.baseline)
    decisions = []
    for d in course.decisions:
        entry = d.as_dict()
        entry["changes"] = course.changes(d)
        decisions.append(entry)
    next_number = course.next_number
    state = "stopped" if course.stopped else "finished" if course.finished else "active"
    return {
        "program": program.id,
        "title": program.title,
        "state": state,
        "stop_reason": course.stop_reason,
        "screens": course.screens(catalog) if course.safety_stop else [],
        "start": course.enrollment.start.isoformat(),
        "days": list(course.enrollment.days),
        "week": course.week_of(min(next_number, len(course.dates) - 1)),
        "weeks": program.weeks,
        "sessions_done": len(course.logged),
        "sessions_planned": len(course.dates),
        "sessions_due_so_far": course.due_so_far(),
        "next_session": None
        if course.finished or course.stopped
        else {
            "number": next_number + 1,
            "date": course.next_date.isoformat() if course.next_date else None,
        },
        "level": course.level,
        "baseline_pain": base,
        "pain_after": [s.pain_after for s in course.logged],
        "effort": [s.effort for s in course.logged],
        "rules": program.rules.as_dict(),
        "rules_text": program.rules.lines(),
        "decisions": decisions,
        "next_change": course.next_rule(),
        "at_the_top": plans.top_notes(course.all_ladders(), course.level),
    }
