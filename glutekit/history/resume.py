"""Where ``glutekit run --resume`` picks up: the first hold the last session did not reach.

Holds are matched by what they are (step, round, set, side, exercise), not by segment
number, so a timeline that was lengthened to fit speech still lines up.
"""

from __future__ import annotations

from glutekit.errors import InputError
from glutekit.history.db import HistoryDB
from glutekit.history.recorder import WORK_KINDS
from glutekit.history.records import HoldRecord, SessionRow
from glutekit.history.stats import local_date
from glutekit.model import Segment, Timeline
from glutekit.model.records import record

HoldKey = tuple[tuple[int, ...], int, int, str | None, str]


@record(frozen=True, kw_only=True)
class ResumePlan:
    #: The session being continued (the latest one of the chain).
    session: SessionRow
    #: Index of the timeline segment to start at.
    start_segment: int
    #: Holds already done (completed or skipped) in the sessions being continued.
    done: int


def hold_key(item: Segment | HoldRecord) -> HoldKey:
    if isinstance(item, Segment):
        return (item.step_path, item.round, item.set_number, item.side, item.exercise or "")
    return (item.step_path, item.round, item.set_number, item.side, item.exercise)


def plan_resume(
    db: HistoryDB, *, routine_id: str, content_hash: str, timeline: Timeline
) -> ResumePlan:
    """Find the last interrupted session of a routine and where to continue it.

    :raises InputError: when there is nothing to resume, or the routine has changed
        since (its content hash differs), with a line saying which.
    """
    candidates = [s for s in db.sessions(routine_id=routine_id) if s.status != "running"]
    if not candidates:
        raise InputError(f"nothing to resume: no earlier session of '{routine_id}' is recorded")
    last = candidates[-1]
    when = local_date(last.started).isoformat()
    if last.status == "finished":
        raise InputError(
            f"nothing to resume: the last session of '{routine_id}' ({when}) finished; "
            "run it without --resume to start again"
        )
    if last.content_hash != content_hash:
        raise InputError(
            f"cannot resume: routine '{routine_id}' has changed since the session of {when}; "
            "run it without --resume to start again"
        )
    done = {hold_key(h) for s in _chain(last, candidates) for h in db.holds(s.id)}
    start = start_segment(timeline, done)
    if start is None:
        raise InputError(
            f"nothing to resume: the session of {when} had done every exercise of '{routine_id}'"
        )
    return ResumePlan(session=last, start_segment=start, done=len(done))


def start_segment(timeline: Timeline, done: set[HoldKey]) -> int | None:
    """The segment that leads into the first hold not in ``done`` (None if all are).

    With nothing done yet, the whole session starts over (intro messages included).
    Otherwise it starts at the prepare, switch or set rest that leads into that hold,
    so its set-up is spoken again.
    """
    segments = timeline.segments
    first = next(
        (s.index for s in segments if s.kind in WORK_KINDS and hold_key(s) not in done), None
    )
    if first is None:
        return None
    if not done:
        return 0
    start = first
    hold = segments[first]
    while start > 0:
        before = segments[start - 1]
        same_step = before.step_path == hold.step_path and before.round == hold.round
        if not same_step or before.kind in WORK_KINDS:
            break
        start -= 1
    return start


def _chain(last: SessionRow, rows: list[SessionRow]) -> list[SessionRow]:
    """``last`` and the sessions it resumed, back to the first, while the routine matched."""
    by_id = {row.id: row for row in rows}
    chain = [last]
    while len(chain) <= len(rows):
        earlier = by_id.get(chain[-1].resumed_from or 0)
        if earlier is None or earlier.content_hash != last.content_hash:
            break
        chain.append(earlier)
    return chain
