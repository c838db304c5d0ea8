"""``glutekit history``: past sessions, sessions per week against advice, streak, pain trend.

It reads only the history database (no plugins, no catalog), so it stays quick
however long the history grows.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from glutekit.cli.output_path import OUTPUT_PATH
from glutekit.errors import InputError

if TYPE_CHECKING:
    pass


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print everything as JSON.")
@click.option(
    "--since",
    metavar="DATE",
    help="Only sessions on or after DATE: YYYY-MM-DD, or a span back from today such as 30d or 8w.",
)
@click.option(
    "--plot",
    "plot_path",
    type=OUTPUT_PATH,
    metavar="FILE",
    help="Also draw sessions per week and pain before/after to FILE (.svg or .png).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Sessions to list in the table; 0 lists all.",
)
def history(as_json: bool, since: str | None, plot_path: Path | None, limit: int) -> None:
    """Show past sessions, how often you practise, and how pain has changed.

    Sessions are recorded by 'glutekit run' as they happen. Pain scores come from
    'glutekit run --pain' (or --pain-before/--pain-after).
    """
    from glutekit.history.db import HistoryDB, default_path
    from glutekit.history.stats import merge_resumed, summarise

    path = default_path()
    since_ts = parse_since(since) if since else None
    db = HistoryDB.open_existing(path)
    if db is not None and not as_json and plot_path is None:
        # The text report needs counts and the last few sessions: SQLite adds them up,
        # so 100,000 sessions are never loaded to print twenty.
        from glutekit.history.aggregate import load_history
        from glutekit.history.report import text_report

        try:
            found = load_history(db, since=since_ts, limit=limit)
        finally:
            db.close()
        click.echo(
            text_report(
                path, found.summary, found.recent, limit=limit, since=since, total=found.total
            )
        )
        return
    rows = db.sessions(since=since_ts) if db is not None else []
    if db is not None:
        db.close()
    summary = summarise(rows)
    sessions = merge_resumed(rows)
    if plot_path is not None:
        from glutekit.history.plot import write_plot

        write_plot(plot_path, summary, sessions)
    if as_json:
        from glutekit.history.report import as_json_data

        click.echo(json.dumps(as_json_data(path, summary, sessions), indent=2))
        return
    from glutekit.history.report import text_report

    click.echo(text_report(path, summary, sessions, limit=limit, since=since))
    if plot_path is not None:
        from glutekit.cli.output import info

        info(f"wrote chart {plot_path}")


def parse_since(text: str) -> float:
    """A timestamp for ``--since``: an ISO date (local midnight) or ``<n>d`` / ``<n>w`` ago."""
    span = re.fullmatch(r"\s*(\d{1,5})\s*([dw])\s*", text)
    if span:
        days = int(span.group(1)) * (7 if span.group(2) == "w" else 1)
        day = date.today() - timedelta(days=days)
    else:
        try:
            day = date.fromisoformat(text.strip())
        except ValueError:
            raise InputError(
                f"--since: {text!r} is not a date (use YYYY-MM-DD, or 30d, or 8w)"
            ) from None
    try:
        return datetime.combine(day, time()).timestamp()
    except (ValueError, OverflowError, OSError):
        # Dates near year 1 or 9999 have no local timestamp on some systems.
        return 0.0 if day.year < 1970 else float(2**62)
