"""A program's next session, played by ``glutekit run --program`` or the session page,
and what is logged when it ends: the session, the decision and its reason."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import click

from glutekit.cli.app import App
from glutekit.cli.output import info, print_json
from glutekit.cli.program_course import (
    course_of_app,
    load_course,
    open_history,
    restart_hint,
    stopped_error,
)
from glutekit.errors import InputError
from glutekit.model.records import record

if TYPE_CHECKING:
    from glutekit.program.course import Course
    from glutekit.session.history import SessionHistory


def today_data(app: App, course: Course) -> dict[str, Any]:
    """The next session as ``program today --json`` prints it (the course must be active)."""
    from glutekit.program.sheet import exercise_lines

    number = course.next_number
    due = course.next_date
    routine = course.routine_for(number, app.catalog)
    return {
        "program": course.program.id,
        "session": number + 1,
        "of": len(course.dates),
        "week": course.week_of(number),
        "due": due.isoformat() if due else None,
        "due_today": due is not None and due <= course.today,
        "level": course.level,
        "exercises": exercise_lines(routine, app.catalog),
        "routine": routine,
    }


@record
class PendingSession:
    """Today's program session while ``glutekit run --program`` plays it."""

    enrollment: int
    number: int
    level: int
    screens: list[str]
    routine_data: dict[str, Any]


def next_session(app: App) -> PendingSession:
    """The next session of the program under way, at the level the log has reached.

    What ``run --program`` plays, and the session page's program card.

    :raises InputError: when no program is under way, or it stopped or finished.
    """
    course = load_course(app)
    if course.stopped:
        raise stopped_error(course)
    if course.finished:
        raise InputError(f"'{course.program.id}' is finished: every session is done")
    number = course.next_number
    return PendingSession(
        enrollment=course.enrollment.id,
        number=number,
        level=course.level,
        screens=course.screens(app.catalog),
        routine_data=course.routine_for(number, app.catalog),
    )


def todays_session(app: App) -> PendingSession:
    """What ``run --program`` plays: :func:`next_session`, its warning signs said first.

    :raises InputError: when no program is under way, or it stopped or finished.
    """
    pending = next_session(app)
    for line in pending.screens:
        click.echo(f"Take care: {line}", err=True)
    return pending


def program_card(app: App) -> dict[str, Any] | None:
    """The program under way as the session page lists it, or None when there is none.

    ``state`` is "active" (with the next session as :func:`today_data` gives it and the
    program's warning signs) or "stopped" for a program the rules stopped (a warning
    sign, or pain), with the reason, the warning signs and how to go on. A program
    stopped by the user, replaced, or finished is not under way: None.
    """
    from glutekit.history.db import HistoryDB
    from glutekit.program import state

    db = HistoryDB.open_existing()  # a page that only looks creates no database
    if db is None:
        return None
    try:
        found = state.latest(db)
        if found is None:
            return None
        course = course_of_app(app, db, found)
    finally:
        db.close()
    head = {"program": course.program.id, "title": course.program.title}
    if course.stopped:
        if not course.safety_stop:
            return None
        return {
            **head,
            "state": "stopped",
            "stop_reason": course.stop_reason,
            "screens": course.screens(app.catalog),
            "restart": restart_hint(course),
        }
    if course.finished:
        return None
    number = course.next_number
    index = number % len(course.routines)
    return {
        **head,
        **today_data(app, course),
        "state": "active",
        "session_title": course.program.sessions[index].title or course.routines[index]["title"],
        "screens": course.screens(app.catalog),
    }


NOT_COUNTED = (
    "The session did not finish, so it does not count toward the program; "
    "'glutekit program log' counts one you finished elsewhere."
)


def finish_program_session(
    app: App,
    pending: PendingSession,
    history: SessionHistory | None,
    *,
    finished: bool,
    effort: int | None,
    red_flag: bool | None,
    as_json: bool = False,
) -> None:
    """After a ``run --program``: ask effort (and warning signs), log it, say what changes
    (as ``program log --json`` does with ``as_json``)."""
    from glutekit.history.live import ask_effort, ask_red_flag, can_ask

    if not finished:
        info(NOT_COUNTED)
        if as_json:
            print_json({"session": None, "decision": None, "screens": []})
        return
    if effort is None and can_ask():
        effort = ask_effort()
    if red_flag is None:
        red_flag = ask_red_flag(pending.screens) if pending.screens and can_ask() else False
    result = record_run(
        app,
        pending,
        session_id=history.session_id if history else None,
        pain_before=history.pain_before if history else None,
        pain_after=history.pain_after if history else None,
        effort=effort,
        red_flag=red_flag,
    )
    if as_json:
        print_json({key: result[key] for key in ("session", "decision", "screens")})
        return
    for line in result["lines"]:
        click.echo(line)


def record_run(
    app: App,
    pending: PendingSession,
    *,
    session_id: int | None,
    pain_before: int | None,
    pain_after: int | None,
    effort: int | None,
    red_flag: bool,
) -> dict[str, Any]:
    """Log a finished run of ``pending`` (from the terminal or the session page) as today's.

    :raises InputError: when the program it belongs to is no longer the one under way.
    """
    return record_session(
        app,
        day=date.today(),
        effort=effort,
        pain_before=pain_before,
        pain_after=pain_after,
        red_flag=red_flag,
        source="run",
        session_id=session_id,
        enrollment=pending.enrollment,
    )


def record_session(
    app: App,
    *,
    day: date,
    effort: int | None,
    pain_before: int | None,
    pain_after: int | None,
    red_flag: bool,
    source: str,
    session_id: int | None,
    enrollment: int | None = None,
) -> dict[str, Any]:
    """Log a session of the program under way and apply its rules.

    Ends the program when the rules stop it or every session is done. Returns what
    ``program log --json`` prints, with ``of`` (the sessions planned) and ``lines``
    (the decision in words) added.

    :raises InputError: when no program is under way, or for a day it cannot be logged on.
    """
    from glutekit.program import state
    from glutekit.program.model import Logged

    db = open_history()
    try:
        course = course_of_app(app, db)
        _check_loggable(course, day, enrollment)
        session = Logged(
            number=course.next_number + 1,
            day=day,
            level=course.level,
            effort=effort,
            pain_before=pain_before,
            pain_after=pain_after,
            red_flag=red_flag,
            source="run" if source == "run" else "log",
            session_id=session_id,
        )
        state.record(db, course.enrollment.id, session)
        after = course_of_app(app, db, course.enrollment)
        decision = after.decisions[-1]
        if decision.action == "stop":
            state.end(db, course.enrollment.id, status="stopped", reason=decision.reason)
        elif after.finished:
            state.end(db, course.enrollment.id, status="finished", reason="every session done")
    finally:
        db.close()
    changes = after.changes(decision)
    screens = after.screens(app.catalog) if decision.action == "stop" else []
    return {
        "session": session.number,
        "of": len(after.dates),
        "decision": {**decision.as_dict(), "changes": changes},
        "screens": screens,
        "lines": [
            f"Logged session {session.number} of {len(after.dates)}.",
            *decision_lines(decision.action, decision.reason, changes, screens),
        ],
    }


def _check_loggable(course: Course, day: date, enrollment: int | None) -> None:
    """:raises InputError: when a session of ``course`` cannot be logged on ``day``
    (``enrollment``: the program the session was run under, if known)."""
    if enrollment is not None and course.enrollment.id != enrollment:
        raise InputError(
            f"the session was one of a program that is no longer under way; "
            f"'{course.program.id}' was started since, so it is not logged"
        )
    if course.stopped:
        raise stopped_error(course)
    if course.finished:
        raise InputError(f"'{course.program.id}' is finished: every session is done")
    if day > date.today():
        raise InputError(f"--date: {day.isoformat()} is in the future; log a session once done")
    if day < course.enrollment.start:
        raise InputError(
            f"--date: {day.isoformat()} is before the program began "
            f"({course.enrollment.start.isoformat()})"
        )


def decision_lines(action: str, reason: str, changes: list[str], screens: list[str]) -> list[str]:
    """What a decision means for the next session, in lines to show."""
    if action == "stop":
        return [f"The program stops: {reason}.", *(f"Take care: {line}" for line in screens)]
    if changes:
        word = "Harder" if action == "progress" else "Easier"
        return [f"{word} next time:", *(f"  {line}" for line in changes)]
    return [f"No change: {reason}."]
