"""The program under way as the ``program`` commands read it: the history database it
lives in, the programs on offer, and the dates and errors every command words alike."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from glutekit.cli.app import App, warn
from glutekit.errors import GlutekitError, InputError

if TYPE_CHECKING:
    from glutekit.history.db import HistoryDB
    from glutekit.program.course import Course
    from glutekit.program.files import Programs
    from glutekit.program.state import Enrollment


def programs_of(app: App) -> Programs:
    from glutekit.program.files import load_programs

    return load_programs(app.host, app.catalog, warn)


def open_history() -> HistoryDB:
    from glutekit.history.db import HistoryDB, HistoryUnavailable

    try:
        db = HistoryDB.open()
    except HistoryUnavailable as exc:
        raise GlutekitError(str(exc)) from None
    if db.notice is not None:
        warn(db.notice)
    return db


def parse_date(text: str | None, option: str) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{option}: {text!r} is not a date (use YYYY-MM-DD)") from None


def first_day(text: str | None) -> date:
    """A program's first day: today or later (a plan of days gone by has nothing to do)."""
    first = parse_date(text, "--date")
    if first < date.today():
        raise InputError(
            f"--date: {first.isoformat()} is in the past; a program starts today or later "
            "(leave --date out to start today)"
        )
    return first


def course_of_app(app: App, db: HistoryDB, enrollment: Enrollment | None = None) -> Course:
    from glutekit.program import state
    from glutekit.program.course import course_of

    found = enrollment or state.latest(db)
    if found is None:
        raise InputError(
            "no program started; 'glutekit program list' shows them, "
            "'glutekit program start NAME' starts one"
        )
    return course_of(found, state.logged(db, found.id), app.catalog, app.host, today=date.today())


def load_course(app: App) -> Course:
    """The program under way with its log, read in one go."""
    db = open_history()
    try:
        return course_of_app(app, db)
    finally:
        db.close()


def restart_hint(course: Course) -> str:
    return (
        "'glutekit program restart --checked' once it has been checked"
        if course.safety_stop
        else "'glutekit program restart' to begin it again"
    )


def stopped_error(course: Course) -> InputError:
    return InputError(
        f"program '{course.program.id}' has stopped: {course.stop_reason}; {restart_hint(course)}"
    )
