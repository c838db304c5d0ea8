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
    from glutekit.cli.app import App
    from glutekit.history.db import HistoryDB
    from glutekit.history.recorder import HistoryRecorder
    from glutekit.history.records import SessionRow
    from glutekit.session import Session


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


# ----------------------------------------------------------------------------- glutekit run


class RunHistory:
    """Records one ``glutekit run`` in the history; built by :func:`attach_history`."""

    def __init__(
        self,
        db: HistoryDB | None,
        recorder: HistoryRecorder | None,
        *,
        ask: bool,
        pain_after: int | None,
        pain_before: int | None = None,
    ) -> None:
        self.db = db
        self.recorder = recorder
        self._ask = ask
        self._pain_after = pain_after
        #: The scores as given or answered (``pain_after`` once :meth:`finish` ran).
        self.pain_before = pain_before
        self.pain_after = pain_after

    def finish(self, *, interrupted: bool) -> None:
        """After the session: take the pain-after score (asked unless interrupted)."""
        from glutekit.history.live import ask_pain, can_ask

        after = self._pain_after
        if after is None and self._ask and not interrupted and can_ask():
            after = ask_pain("after the session")
        self.pain_after = after
        if self.recorder is not None and after is not None:
            self.recorder.record_pain_after(after)
        if self.db is not None:
            self.db.close()

    @property
    def session_id(self) -> int | None:
        return getattr(self.recorder, "session_id", None)


def attach_history(
    app: App,
    plan: Session,
    *,
    resume: bool,
    ask: bool,
    pain_before: int | None,
    pain_after: int | None,
) -> RunHistory:
    """Open the history, work out ``--resume``, ask for pain, and attach the recorder.

    :raises InputError: when ``--resume`` finds nothing to resume.
    """
    from glutekit.cli.app import warn
    from glutekit.history.live import advised_per_week, ask_pain, can_ask, open_for_run
    from glutekit.history.recorder import HistoryRecorder
    from glutekit.history.resume import plan_resume
    from glutekit.history.stats import local_date

    routine = plan.routine
    db = open_for_run(warn)
    resumed_from = claimed = None
    advised = advised_per_week(routine, app.catalog.packs.values())
    if resume:
        if db is None:
            raise InputError("cannot resume: the session history cannot be opened")
        found = plan_resume(
            db, routine_id=routine.id, content_hash=routine.content_hash, timeline=plan.timeline
        )
        claimed = _claim(db, found.session, plan, advised)
        plan.options.start_segment = found.start_segment
        resumed_from = found.session.id
        label = plan.timeline.segments[found.start_segment].label
        click.echo(
            f"Resuming the session of {local_date(found.session.started).isoformat()} at "
            f"'{label}' ({found.done} hold(s) already done).",
            err=True,
        )
    if pain_before is None and ask and can_ask():
        pain_before = ask_pain("before the session")
    recorder = None
    if db is not None:
        recorder = HistoryRecorder(
            db,
            routine_id=routine.id,
            title=routine.title,
            content_hash=routine.content_hash,
            advised_per_week=advised,
            pain_before=pain_before,
            resumed_from=resumed_from,
            session_id=claimed,
            warn=warn,
        )
        plan.extra_outputs.append(("history", recorder))
    return RunHistory(db, recorder, ask=ask, pain_after=pain_after, pain_before=pain_before)


def _claim(db: HistoryDB, earlier: SessionRow, plan: Session, advised: int | None) -> int:
    """Take the resumption of ``earlier`` for this run; another run that has it already wins.

    :raises InputError: in one line, when another ``run --resume`` resumed it first.
    """
    from glutekit.history.db import HistoryUnavailable
    from glutekit.history.stats import local_date

    routine = plan.routine
    try:
        claimed = db.claim_resume(
            earlier.id,
            routine_id=routine.id,
            title=routine.title,
            content_hash=routine.content_hash,
            planned=plan.timeline.duration,
            advised_per_week=advised,
        )
    except HistoryUnavailable as exc:
        raise InputError(f"cannot resume: {exc}") from None
    if isinstance(claimed, int):
        return claimed
    when = local_date(earlier.started).isoformat()
    if claimed.status == "running":
        raise InputError(
            f"cannot resume: another glutekit is resuming the session of {when} of "
            f"'{routine.id}' right now (session {claimed.id}); this one does not start"
        )
    raise InputError(
        f"cannot resume: the session of {when} of '{routine.id}' was resumed meanwhile "
        f"(session {claimed.id}); run --resume again to continue from where that one stopped"
    )
