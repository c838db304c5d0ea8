"""``glutekit program list``, ``show``, ``calendar`` and ``export``: the programs there
are, and the files a program can be written as.

The calendar of its sessions (.ics, with reminders) and its weeks on one page (HTML);
:mod:`.program` adds these commands to the ``program`` group.
"""

from __future__ import annotations

import json
from datetime import date
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
    programs_of,
    stopped_error,
)
from glutekit.errors import InputError
from glutekit.model.counted import counted


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@pass_app
def list_programs(app: App, as_json: bool) -> None:
    """List the programs you can start.

    \b
    Example:
      glutekit program list --json
    """
    from glutekit.cli.output import Column, print_table

    found = programs_of(app)
    rows: list[dict[str, Any]] = [
        {
            "id": p.id,
            "title": p.title,
            "weeks": p.weeks,
            "per_week": p.per_week,
            "symptom": p.symptom,
            "plugin": p.plugin,
        }
        for p in found.programs.values()
    ]
    if as_json:
        print_json(rows)
        return
    if not rows:
        info("no programs installed")
        return
    print_table(
        [Column(heading="Program", no_wrap=True), "Title", "Weeks", "A week", "Plugin"],
        [
            [r["id"], r["title"], str(r["weeks"]), str(r["per_week"]), str(r["plugin"])]
            for r in rows
        ],
    )


@click.command()
@click.argument("name", shell_complete=complete.complete_program)
@click.option("--json", "as_json", is_flag=True, help="Print the program file as JSON.")
@pass_app
def show(app: App, name: str, as_json: bool) -> None:
    """Show a program: its weeks, sessions, rules and warning signs.

    \b
    Examples:
      glutekit program show outer-hip-4-weeks
      glutekit program show my-plan.json --json
    """
    from glutekit.program.files import find_program
    from glutekit.program.model import DAY_NAMES, DAY_WORDS

    prog, data = find_program(name, programs_of(app), app.catalog)
    if as_json:
        print_json(data)
        return
    days = ", ".join(DAY_WORDS[DAY_NAMES.index(d)] for d in prog.days)
    click.echo(f"{prog.title} ({prog.id})")
    if prog.author:
        click.echo(f"From: {prog.author}")
    click.echo(
        f"{counted(prog.weeks, 'weeks')}, {counted(prog.per_week, 'sessions')} a week ({days})."
    )
    if prog.description:
        click.echo(prog.description)
    for i, plan in enumerate(prog.sessions, start=1):
        what = plan.routine or f"composed: {json.dumps(plan.compose, sort_keys=True)}"
        click.echo(f"Session {i}: {plan.title or what}")
    click.echo("Rules:")
    for line in prog.rules.lines():
        click.echo(f"  - {line}")


def write_new(path: Path, text: str, force: bool) -> None:
    """Write ``text`` to ``path`` (``-``: standard output), replacing a file only with
    ``force``."""
    from glutekit import atomic

    if not force and not atomic.is_stdout(path) and path.exists():
        raise InputError(f"{path}: exists; add --force to replace it")
    atomic.write_text(path, text)


@click.command()
@click.option(
    "-o",
    "--output",
    "out",
    type=OUTPUT_PATH,
    required=True,
    help="The .ics file to write (- for standard output).",
)
@click.option(
    "--time", "at", metavar="HH:MM", help="Time of day (default: the program's, or 18:00)."
)
@click.option(
    "--minutes",
    type=click.IntRange(5, 240),
    default=20,
    show_default=True,
    help="How long each event lasts.",
)
@click.option(
    "--alarm",
    "alarm",
    type=click.IntRange(0, 1440),
    default=15,
    show_default=True,
    metavar="MINUTES",
    help="Remind this many minutes before.",
)
@click.option("--each", is_flag=True, help="One event per session instead of a recurring one.")
@click.option("--force", is_flag=True, help="Replace a file that exists.")
@click.option("--json", "as_json", is_flag=True, help="Print a summary as JSON.")
@pass_app
def calendar(
    app: App,
    out: Path,
    at: str | None,
    minutes: int,
    alarm: int,
    each: bool,
    force: bool,
    as_json: bool,
) -> None:
    """Write the program's sessions as calendar events with reminders (.ics).

    Import the file into your calendar app; each event says the command to run.

    \b
    Examples:
      glutekit program calendar -o plan.ics
      glutekit program calendar -o plan.ics --time 07:30 --alarm 10 --each
    """
    import re

    from glutekit.program.calendar import calendar_bytes

    course = load_course(app)
    if course.stopped:
        raise stopped_error(course)  # no reminders for sessions that will not come
    if course.finished:
        raise InputError(f"'{course.program.id}' is finished: no sessions are left to remind of")
    when = at or course.enrollment.time or "18:00"
    if not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", when):
        raise InputError(f"--time: {when!r} is not a time of day (use HH:MM, such as 18:00)")
    dates = list(course.dates[len(course.logged) :])
    data = calendar_bytes(
        program_id=course.program.id,
        title=course.program.title,
        dates=dates,
        days=course.enrollment.days,
        at=when,
        minutes=minutes,
        alarm_minutes=alarm,
        each=each,
        key=f"{course.enrollment.start.isoformat()}-{course.enrollment.id}",
    )
    from glutekit import atomic

    if not force and not atomic.is_stdout(out) and out.exists():
        raise InputError(f"{out}: exists; add --force to replace it")
    atomic.write_bytes(out, data)
    summary = {
        "file": str(out),
        "sessions": len(dates),
        "events": len(dates) if each else (1 if dates else 0),
        "recurring": not each,
        "time": when,
        "alarm_minutes": alarm,
    }
    if as_json:
        print_json(summary)
        return
    info(f"wrote {out}: {len(dates)} session(s) at {when}, reminder {alarm} min before")


@click.command("export")
@click.argument("name", required=False, shell_complete=complete.complete_program)
@click.option(
    "-o",
    "--output",
    "out",
    type=OUTPUT_PATH,
    required=True,
    help="The HTML file to write (- for standard output).",
)
@click.option(
    "--date",
    "start",
    metavar="YYYY-MM-DD",
    help="First day, for a program not started (default: today).",
)
@click.option("--force", is_flag=True, help="Replace a file that exists.")
@click.option("--json", "as_json", is_flag=True, help="Print a summary as JSON.")
@pass_app
def export_sheet(
    app: App, name: str | None, out: Path, start: str | None, force: bool, as_json: bool
) -> None:
    """Print the weeks of a program on one page, to tick off on the fridge (HTML).

    Without NAME, the program under way, with its dates and today's level.

    \b
    Examples:
      glutekit program export -o plan.html
      glutekit program export outer-hip-4-weeks --date 2030-03-04 -o plan.html
    """
    from glutekit.program.course import course_of
    from glutekit.program.sheet import exercise_lines, sheet_html
    from glutekit.program.state import Enrollment

    if str(out) != "-" and out.suffix.lower() not in (".html", ".htm"):
        raise InputError(
            f"--output: {out.name}: the page is HTML; give a name ending in "
            ".html (a browser prints it to PDF)"
        )
    if name is None:
        db = open_history()
        try:
            course = course_of_app(app, db)
        finally:
            db.close()
    else:
        from glutekit.program.files import find_program

        prog, data = find_program(name, programs_of(app), app.catalog)
        enrollment = Enrollment(
            id=0,
            program=prog,
            data=data,
            start=first_day(start),
            days=prog.days,
            time=prog.time,
            baseline=None,
            status="active",
        )
        course = course_of(enrollment, [], app.catalog, app.host, today=date.today())
    prog = course.program
    sessions = []
    for i in range(len(prog.sessions)):
        routine = course.routine_for(i, app.catalog)
        sessions.append(
            (prog.sessions[i].title or routine["title"], exercise_lines(routine, app.catalog))
        )
    html = sheet_html(
        title=prog.title,
        description=prog.description,
        dates=list(course.dates),
        per_week=len(course.enrollment.days),
        sessions=sessions,
        rules=prog.rules.lines(),
        screens=course.screens(app.catalog),
        author=prog.author,
    )
    write_new(out, html, force)
    if as_json:
        print_json({"file": str(out), "weeks": prog.weeks, "sessions": len(course.dates)})
        return
    info(f"wrote {out}: {counted(prog.weeks, 'weeks')} on one page")
