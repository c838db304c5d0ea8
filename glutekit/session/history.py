"""A session's place in the history: recorded as it plays, resumed where one stopped.

Every session prepared by :func:`glutekit.session.prepare` records itself in the
history database unless its :class:`HistoryOptions` say otherwise, the same way
whether ``glutekit run``, the session page or a Python script plays it: one row per
session, one per hold done, the pain scores given or asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from glutekit.errors import InputError
from glutekit.model.records import record

if TYPE_CHECKING:
    from glutekit.catalog import Catalog
    from glutekit.history.db import HistoryDB
    from glutekit.history.recorder import HistoryRecorder
    from glutekit.history.records import SessionRow
    from glutekit.model import Routine, Timeline

Report = Callable[[str], None]


@record(frozen=True, kw_only=True)
class HistoryOptions:
    """How a session is recorded."""

    #: False plays the session without a trace in the history.
    record: bool = True
    #: Start where the last unfinished session of the same routine stopped.
    resume: bool = False
    #: Ask for pain before and after on the terminal (when a person is at one).
    ask: bool = False
    #: Pain scores (0-10) already given; asked for only when None and ``ask``.
    pain_before: int | None = None
    pain_after: int | None = None
    #: True: the session closes its history when it ends; False leaves that to the
    #: caller (:meth:`SessionHistory.finish`), who asks for pain after in its own way.
    finish_on_end: bool = True


class SessionHistory:
    """One session's record in the history; made by :func:`attach`."""

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
        self._finished = False
        #: The scores as given or answered (``pain_after`` once :meth:`finish` ran).
        self.pain_before = pain_before
        self.pain_after = pain_after

    def finish(self, *, interrupted: bool) -> None:
        """After the session: take the pain-after score (asked unless interrupted), close."""
        from glutekit.history.live import ask_pain, can_ask

        if self._finished:
            return
        self._finished = True
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


@record(frozen=True)
class Resumed:
    """Where a resumed session starts, and the line that says so."""

    start_segment: int
    line: str


def attach(
    routine: Routine,
    timeline: Timeline,
    catalog: Catalog,
    options: HistoryOptions,
    warn: Report,
) -> tuple[SessionHistory, Resumed | None]:
    """Open the history, work out a resume, ask for pain, and make the recorder.

    The recorder is an output of the session: the caller adds it to the session's
    outputs (and starts at ``Resumed.start_segment`` when resuming).

    :raises InputError: when a resume finds nothing to resume, or another run has it.
    """
    from glutekit.history.live import advised_per_week, ask_pain, can_ask, open_for_run
    from glutekit.history.recorder import HistoryRecorder
    from glutekit.history.resume import plan_resume
    from glutekit.history.stats import local_date

    db = open_for_run(warn)
    resumed = claimed = resumed_from = None
    advised = advised_per_week(routine, catalog.packs.values())
    if options.resume:
        if db is None:
            raise InputError("cannot resume: the session history cannot be opened")
        found = plan_resume(
            db, routine_id=routine.id, content_hash=routine.content_hash, timeline=timeline
        )
        claimed = _claim(db, found.session, routine, timeline, advised)
        resumed_from = found.session.id
        label = timeline.segments[found.start_segment].label
        resumed = Resumed(
            found.start_segment,
            f"Resuming the session of {local_date(found.session.started).isoformat()} at "
            f"'{label}' ({found.done} hold(s) already done).",
        )
    pain_before = options.pain_before
    if pain_before is None and options.ask and can_ask():
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
    history = SessionHistory(
        db, recorder, ask=options.ask, pain_after=options.pain_after, pain_before=pain_before
    )
    return history, resumed


def _claim(
    db: HistoryDB, earlier: SessionRow, routine: Routine, timeline: Timeline, advised: int | None
) -> int:
    """Take the resumption of ``earlier`` for this run; another run that has it already wins.

    :raises InputError: in one line, when another ``run --resume`` resumed it first.
    """
    from glutekit.history.db import HistoryUnavailable
    from glutekit.history.stats import local_date

    try:
        claimed = db.claim_resume(
            earlier.id,
            routine_id=routine.id,
            title=routine.title,
            content_hash=routine.content_hash,
            planned=timeline.duration,
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
