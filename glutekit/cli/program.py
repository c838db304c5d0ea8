"""``glutekit program``: start a program, see today's session, log it, see why it changes.

The rules and state live in :mod:`glutekit.program`; this module parses options,
opens the history database, and prints.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from glutekit.cli import completion as complete
from glutekit.cli.app import App, pass_app
from glutekit.cli.output import info, print_json
from glutekit.cli.output_path import OUTPUT_PATH
from glutekit.cli.program_course import (
    course_of_app,
    first_day,
    load_course,
    open_history,
    parse_date,
    programs_of,
    stopped_error,
)
from glutekit.cli.program_files import calendar, export_sheet, list_programs, show, write_new
from glutekit.cli.program_session import (
    record_session,
    today_data,
)
from glutekit.errors import InputError
from glutekit.model.counted import counted

_DAYS_HELP = "Days of the week, such as mon,wed,fri (or daily); default: the program's."


@click.group()
def program() -> None:
    """Weeks of sessions that get harder or easier from the pain and effort you log.

    \b
    Examples:
      glutekit program list
      glutekit program start medius-6-weeks --days mon,wed,fri
      glutekit program today
      glutekit program run --no-voice
      glutekit program log --effort 4 --pain-before 2 --pain-after 2
      glutekit program status
      glutekit program calendar -o plan.ics
    """


@program.command()
@click.argument("name", shell_complete=complete.complete_program)
@click.option("--date", "start", metavar="YYYY-MM-DD", help="First day (default: today).")
@click.option("--days", metavar="DAYS", help=_DAYS_HELP)
@click.option("--time", "at", metavar="HH:MM", help="Time of day for reminders.")
@click.option(
    "--pain",
    type=click.IntRange(0, 10),
    metavar="N",
    help="Your pain now (0-10): the baseline the rules compare with (default: the first "
    "session's pain before).",
)
@click.option("--force", is_flag=True, help="Stop the program under way and start this one.")
@click.option("--json", "as_json", is_flag=True, help="Print what was started as JSON.")
@pass_app
def start(
    app: App,
    name: str,
    start: str | None,
    days: str | None,
    at: str | None,
    pain: int | None,
    force: bool,
    as_json: bool,
) -> None:
    """Start program NAME (an id from 'glutekit program list', or a .json file).

    \b
    Examples:
      glutekit program start medius-6-weeks --days mon,wed,fri
      glutekit program start desk-reset-2-weeks --date 2030-03-04 --time 12:30
    """
    import re

    from glutekit.program import state
    from glutekit.program.files import find_program
    from glutekit.program.model import parse_days, planned_dates

    prog, data = find_program(name, programs_of(app), app.catalog)
    try:
        chosen = parse_days(days) if days else prog.days
    except ValueError as exc:
        raise InputError(f"--days: {exc}") from None
    if at is not None and not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", at):
        raise InputError(f"--time: {at!r} is not a time of day (use HH:MM, such as 18:00)")
    first = first_day(start)
    # A session composed from a request is composed now, so that one this install cannot
    # make stops the start instead of every later command.
    from glutekit.program.plan import routine_data

    for number, plan in enumerate(prog.sessions):
        if plan.compose is not None:
            routine_data(prog, number, app.catalog, app.host)
    db = open_history()
    try:
        current = state.active(db)
        if current is not None and not force:
            raise InputError(
                f"program '{current.program.id}' is under way; 'glutekit program stop' ends "
                f"it, or add --force to stop it and start '{prog.id}'"
            )
        if current is not None:
            state.end(db, current.id, status="stopped", reason=f"replaced by '{prog.id}'")
        enrollment = state.enroll(
            db, data, start=first, days=chosen, at=at or prog.time, baseline=pain
        )
    finally:
        db.close()
    dates = planned_dates(first, chosen, prog.weeks * len(chosen))
    result = {
        "program": prog.id,
        "enrollment": enrollment,
        "start": first.isoformat(),
        "days": list(chosen),
        "sessions": len(dates),
        "first_session": dates[0].isoformat() if dates else None,
        "last_session": dates[-1].isoformat() if dates else None,
    }
    if as_json:
        print_json(result)
        return
    click.echo(
        f"Started '{prog.title}': {counted(len(dates), 'sessions')} on {', '.join(chosen)}, "
        f"{result['first_session']} to {result['last_session']}."
    )
    click.echo("Next: 'glutekit program today' shows the first session.")


@program.command()
@click.option("--json", "as_json", is_flag=True, help="Print the session and its routine as JSON.")
@click.option(
    "-o", "--output", "out", type=OUTPUT_PATH, help="Also write the routine to this file."
)
@click.option("--force", is_flag=True, help="With -o, replace a file that exists.")
@pass_app
def today(app: App, as_json: bool, out: Path | None, force: bool) -> None:
    """Show the next session of the program under way, at the level the log has reached.

    \b
    Examples:
      glutekit program today
      glutekit program today -o today.json && glutekit run today.json
    """
    course = load_course(app)
    if course.stopped:
        raise stopped_error(course)
    if course.finished:
        if as_json:
            print_json({"program": course.program.id, "finished": True})
        else:
            click.echo(f"'{course.program.title}' is finished: every session is done.")
        return
    found = today_data(app, course)
    if out is not None:
        write_new(out, json.dumps(found["routine"], indent=2, ensure_ascii=False) + "\n", force)
        info(f"wrote {out}")
    if as_json:
        print_json(found)
        return
    when = "today" if found["due_today"] else f"on {found['due']}"
    click.echo(
        f"Session {found['session']} of {found['of']}, week {found['week']}, due {when}: "
        f"{found['routine']['title']}"
    )
    for line in found["exercises"]:
        click.echo(f"  {line}")
    click.echo("Run it: glutekit program run (or glutekit run --program)")


def _log(app: App, *, as_json: bool, **logged: Any) -> None:
    result = record_session(app, **logged)
    if as_json:
        print_json({key: result[key] for key in ("session", "decision", "screens")})
        return
    for line in result["lines"]:
        click.echo(line)


@program.command("run", context_settings={"ignore_unknown_options": False})
@click.option(
    "--speed",
    type=click.FloatRange(min=0, min_open=True, max=1000),
    default=1.0,
    show_default=True,
    help="Play faster, e.g. 60 plays 10 minutes in 10 s.",
)
@click.option("--no-voice", is_flag=True, help="Leave out outputs that speak.")
@click.option("--pain-before", type=click.IntRange(0, 10), metavar="N", help="Pain before (0-10).")
@click.option("--pain-after", type=click.IntRange(0, 10), metavar="N", help="Pain after (0-10).")
@click.option(
    "--effort",
    type=click.IntRange(0, 10),
    metavar="N",
    help="How hard it was (0-10), instead of being asked.",
)
@click.option(
    "--red-flag/--no-red-flag",
    default=None,
    help="Answer the warning-sign question instead of being asked.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print what was logged (the session, the decision and its reason) as JSON on "
    "standard output; the session's text goes to standard error.",
)
@click.pass_context
def run_today(ctx: click.Context, /, as_json: bool, **options: Any) -> None:
    """Run the next session of the program under way, then ask pain and effort.

    The same as 'glutekit run --program'; that command has every option of a run.

    \b
    Examples:
      glutekit program run
      glutekit program run --no-voice --pain-before 2 --pain-after 2 --effort 4
      glutekit program run --no-voice --speed 60 --pain-before 2 --pain-after 2 --effort 4 --json
    """
    from glutekit.cli.run import run

    ctx.invoke(
        run, routine=None, program_session=True, ask_pain=True, program_json=as_json, **options
    )


# ----------------------------------------------------------------------------- log and status


@program.command()
@click.option("--date", "day", metavar="YYYY-MM-DD", help="When it was done (default: today).")
@click.option(
    "--effort",
    type=click.IntRange(0, 10),
    metavar="N",
    required=True,
    help="How hard it was, 0 (nothing) to 10 (all you had).",
)
@click.option("--pain-before", type=click.IntRange(0, 10), metavar="N", help="Pain before (0-10).")
@click.option("--pain-after", type=click.IntRange(0, 10), metavar="N", help="Pain after (0-10).")
@click.option("--red-flag", is_flag=True, help="A warning sign of the program has appeared.")
@click.option("--json", "as_json", is_flag=True, help="Print the decision as JSON.")
@pass_app
def log(
    app: App,
    day: str | None,
    effort: int,
    pain_before: int | None,
    pain_after: int | None,
    red_flag: bool,
    as_json: bool,
) -> None:
    """Log a session of the program done elsewhere (a class, a printed sheet).

    \b
    Examples:
      glutekit program log --effort 4 --pain-before 2 --pain-after 2
      glutekit program log --effort 8 --pain-before 3 --pain-after 5
    """
    _log(
        app,
        day=parse_date(day, "--date"),
        effort=effort,
        pain_before=pain_before,
        pain_after=pain_after,
        red_flag=red_flag,
        source="log",
        session_id=None,
        as_json=as_json,
    )


@program.command()
@click.option(
    "--json", "as_json", is_flag=True, help="Print the status, with every decision, as JSON."
)
@pass_app
def status(app: App, as_json: bool) -> None:
    """Say where the program stands: week, adherence, pain and effort, each decision and why.

    \b
    Examples:
      glutekit program status
      glutekit program status --json
    """
    from glutekit.program.course import status_data

    course = load_course(app)
    data = status_data(course, app.catalog)
    if as_json:
        print_json(data)
        return
    _print_status(data)


def _print_status(data: dict[str, Any]) -> None:
    click.echo(
        f"{data['title']} ({data['program']}): {data['state']}, week {data['week']} of {data['weeks']}"
    )
    due = data["sessions_due_so_far"]
    share = f" ({100 * min(data['sessions_done'], due) // due}% of those due so far)" if due else ""
    click.echo(
        f"Sessions: {data['sessions_done']} done of {data['sessions_planned']}; "
        f"{due} due by today{share}."
    )
    click.echo(f"Level: {data['level']:+d} (0 is each routine as written).")
    pains = " ".join("-" if p is None else str(p) for p in data["pain_after"]) or "none yet"
    efforts = " ".join("-" if e is None else str(e) for e in data["effort"]) or "none yet"
    base = data["baseline_pain"]
    click.echo(
        f"Pain after each session: {pains}" + (f" (started at {base})" if base is not None else "")
    )
    click.echo(f"Effort of each session: {efforts}")
    if data["decisions"]:
        click.echo("Decisions:")
    for d in data["decisions"]:
        click.echo(f"  after session {d['after_session']}: {d['action']}: {d['reason']}")
        for line in d["changes"]:
            click.echo(f"    {line}")
    if data["stop_reason"]:
        click.echo(f"Stopped: {data['stop_reason']}")
    for line in data["screens"]:
        click.echo(f"Take care: {line}")
    for line in data["at_the_top"]:
        click.echo(f"Top of the chain: {line}")
    if data["state"] == "active":
        click.echo(f"Next change: {data['next_change']}")
    click.echo("Rules:")
    for line in data["rules_text"]:
        click.echo(f"  - {line}")


@program.command()
@click.option("--json", "as_json", is_flag=True, help="Print what was stopped as JSON.")
def stop(as_json: bool) -> None:
    """Stop the program under way (its log stays in the history).

    \b
    Example:
      glutekit program stop
    """
    from glutekit.program import state

    db = open_history()
    try:
        current = state.active(db)
        if current is None:
            raise InputError("no program is under way")
        state.end(db, current.id, status="stopped", reason="stopped by you")
    finally:
        db.close()
    if as_json:
        print_json({"program": current.program.id, "state": "stopped"})
        return
    click.echo(f"Stopped '{current.program.title}'. 'glutekit program restart' begins it again.")


@program.command()
@click.option("--date", "start", metavar="YYYY-MM-DD", help="First day (default: today).")
@click.option("--days", metavar="DAYS", help=_DAYS_HELP + " Default: as before.")
@click.option(
    "--checked",
    is_flag=True,
    help="After a stop for pain or a warning sign: it has been checked and you may go on.",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was started as JSON.")
@pass_app
def restart(app: App, start: str | None, days: str | None, checked: bool, as_json: bool) -> None:
    """Begin the last program again from its first step (the old log is kept).

    \b
    Examples:
      glutekit program restart
      glutekit program restart --checked --days tue,thu,sat
    """
    from glutekit.program import state
    from glutekit.program.model import parse_days

    db = open_history()
    try:
        last = state.latest(db)
        if last is None:
            raise InputError("no program to restart; 'glutekit program start NAME' starts one")
        course = course_of_app(app, db, last)
        if course.safety_stop and not checked:
            screens = course.screens(app.catalog)
            raise InputError(
                f"program '{last.program.id}' stopped because {course.stop_reason}; "
                + (f"{screens[0]} " if screens else "")
                + "Once a doctor or physiotherapist has checked it, add --checked"
            )
        try:
            chosen = parse_days(days) if days else last.days
        except ValueError as exc:
            raise InputError(f"--days: {exc}") from None
        if last.status == "active":
            state.end(db, last.id, status="stopped", reason="restarted")
        first = first_day(start)
        new = state.enroll(db, last.data, start=first, days=chosen, at=last.time, baseline=None)
    finally:
        db.close()
    if as_json:
        print_json({"program": last.program.id, "enrollment": new, "start": first.isoformat()})
        return
    click.echo(f"Restarted '{last.program.title}' from its first step, on {first.isoformat()}.")


program.add_command(list_programs, "list")
program.add_command(show)
program.add_command(calendar)
program.add_command(export_sheet, "export")
