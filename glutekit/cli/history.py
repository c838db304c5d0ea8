"""``glutekit history``: past sessions, sessions per week against advice, streak, pain trend.

It reads only the history database (no plugins, no catalog), so it stays quick
however long the history grows.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import click

from glutekit.cli.output_path import OUTPUT_PATH
from glutekit.errors import InputError

#: Sessions the table lists unless --limit says otherwise.
TABLE_ROWS = 20


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
    default=None,
    help="List only the last N sessions; 0 lists all. [default: 20 in the table, all with --json]",
)
def history(as_json: bool, since: str | None, plot_path: Path | None, limit: int | None) -> None:
    """Show past sessions, how often you practise, and how pain has changed.

    Sessions are recorded by 'glutekit run' as they happen. Pain scores come from
    'glutekit run --pain' (or --pain-before/--pain-after).
    """
    from glutekit.history.db import HistoryDB, default_path
    from glutekit.history.stats import merge_resumed, summarise

    path = default_path()
    since_ts = parse_since(since) if since else None
    db = HistoryDB.open_existing(path)
    if db is not None and plot_path is None:
        # The reports need counts and the sessions listed: SQLite adds them up, so
        # 100,000 sessions are never loaded to print twenty, and --json writes each
        # session out as it is read.
        from glutekit.history.aggregate import load_history
        from glutekit.history.report import json_chunks, text_report

        try:
            if as_json:
                found = load_history(db, since=since_ts, limit=limit or 0, stream=True)
                for chunk in json_chunks(path, found.summary, found.listed(), found.total):
                    click.echo(chunk, nl=False)
                click.echo()
                return
            shown = TABLE_ROWS if limit is None else limit
            found = load_history(db, since=since_ts, limit=shown)
        finally:
            db.close()
        click.echo(
            text_report(
                path, found.summary, found.recent, limit=shown, since=since, total=found.total
            )
        )
        return
    if limit is None:
        limit = 0 if as_json else TABLE_ROWS
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

        listed = sessions[-limit:] if limit else sessions
        click.echo(json.dumps(as_json_data(path, summary, listed, len(sessions)), indent=2))
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
