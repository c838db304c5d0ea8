"""Weekly counts, streaks, pain trend and resume points, computed from plain data."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from glutekit.history.records import SessionRow
from glutekit.history.resume import hold_key, start_segment
from glutekit.history.stats import merge_resumed, summarise
from glutekit.model import Segment, Timeline

TODAY = date(2024, 5, 15)  # a Wednesday


def row(
    day: date,
    *,
    id: int,
    status: str = "finished",
    completed: int = 4,
    before: int | None = None,
    after: int | None = None,
    resumed_from: int | None = None,
    advised: int | None = 2,
) -> SessionRow:
    started = datetime.combine(day, time(7, 30)).timestamp()
    return SessionRow(
        id=id,
        routine_id="quick-five",
        routine_title="Quick five",
        content_hash="h",
        started=started + id,
        ended=started + 300,
        status=status,
        planned=300,
        elapsed=300,
        pain_before=before,
        pain_after=after,
        advised_per_week=advised,
        resumed_from=resumed_from,
        completed=completed,
        skipped=0,
    )


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def test_weeks_have_gaps_and_run_to_this_week() -> None:
    rows = [row(days_ago(23), id=1), row(days_ago(22), id=2), row(days_ago(8), id=3)]
    summary = summarise(rows, today=TODAY)
    assert [(w.start.isoformat(), w.sessions) for w in summary.weeks] == [
        ("2024-04-22", 2),
        ("2024-04-29", 0),
        ("2024-05-06", 1),
        ("2024-05-13", 0),
    ]
    assert summary.advised_per_week == 2


def test_week_streak_counts_weeks_that_met_the_advice() -> None:
    # Three full weeks with 2 sessions each; this week has one so far (still open).
    rows = [row(days_ago(n), id=i) for i, n in enumerate([23, 21, 16, 14, 9, 7, 1])]
    summary = summarise(rows, today=TODAY)
    assert summary.streak_weeks == 3
    rows.append(row(days_ago(0), id=99))
    assert summarise(rows, today=TODAY).streak_weeks == 4
    # A week that fell short breaks it.
    short = [r for r in rows if r.id != 2]
    assert summarise(short, today=TODAY).streak_weeks == 2


def test_day_streak_ends_today_or_yesterday() -> None:
    rows = [row(days_ago(n), id=n) for n in (1, 2, 3, 5)]
    assert summarise(rows, today=TODAY).streak_days == 3
    assert summarise([*rows, row(TODAY, id=50)], today=TODAY).streak_days == 4
    assert summarise([row(days_ago(2), id=1)], today=TODAY).streak_days == 0


def test_sessions_that_did_nothing_do_not_count() -> None:
    rows = [
        row(TODAY, id=1, status="interrupted", completed=0),
        row(TODAY, id=2, status="quit", completed=1),
    ]
    assert summarise(rows, today=TODAY).sessions == 1


def test_resumed_session_counts_once_with_merged_scores() -> None:
    rows = [
        row(TODAY, id=1, status="interrupted", completed=3, before=6),
        row(TODAY, id=2, completed=5, after=2, resumed_from=1),
    ]
    (merged,) = merge_resumed(rows)
    assert (merged.id, merged.status, merged.completed) == (1, "finished", 8)
    assert (merged.pain_before, merged.pain_after) == (6, 2)
    assert summarise(rows, today=TODAY).sessions == 1


def test_pain_trend_falls_when_scores_go_down() -> None:
    rows = [row(days_ago(28 - 7 * i), id=i, before=8 - 2 * i, after=6 - 2 * i) for i in range(4)]
    pain = summarise(rows, today=TODAY).pain
    assert pain.direction == "falling"
    assert pain.slope_per_week is not None and abs(pain.slope_per_week + 2.0) < 0.01
    assert (pain.mean_before, pain.mean_after, pain.mean_relief) == (5.0, 3.0, 2.0)


def test_pain_trend_needs_enough_scores() -> None:
    rows = [row(days_ago(3), id=1, before=5), row(days_ago(1), id=2, before=5, after=3)]
    pain = summarise(rows, today=TODAY).pain
    assert pain.direction is None and pain.scored == 2
    steady = [row(days_ago(20 - i), id=i, before=5) for i in range(5)]
    assert summarise(steady, today=TODAY).pain.direction == "steady"


def test_no_sessions() -> None:
    summary = summarise([], today=TODAY)
    assert (summary.sessions, summary.weeks, summary.streak_weeks) == (0, (), 0)


def _seg(index: int, kind: str, path: int, side: str | None = None, set_number: int = 1) -> Segment:
    return Segment(
        index=index,
        kind=kind,
        start=index * 10.0,
        duration=10.0,  # type: ignore[arg-type]
        label=kind,
        exercise=f"glutes:e{path}",
        side=side,  # type: ignore[arg-type]
        step_path=(path,),
        set_number=set_number,
    )


#: message, exercise 1 (two sides), rest, exercise 2 (two sets of one side), done.
RESUME = Timeline(
    routine_id="r",
    title="R",
    segments=(
        _seg(0, "message", 0),
        _seg(1, "prepare", 1),
        _seg(2, "hold", 1, "right"),
        _seg(3, "switch", 1, "left"),
        _seg(4, "hold", 1, "left"),
        _seg(5, "rest", 1),
        _seg(6, "prepare", 2),
        _seg(7, "hold", 2, None, 1),
        _seg(8, "rest", 2, None, 2),
        _seg(9, "reps", 2, None, 2),
        _seg(10, "done", 3),
    ),
)


def done(*indexes: int) -> set[tuple[tuple[int, ...], int, int, str | None, str]]:
    return {hold_key(RESUME.segments[i]) for i in indexes}


def test_resume_points() -> None:
    assert start_segment(RESUME, done()) == 0  # nothing done: start over, intro included
    assert start_segment(RESUME, done(2)) == 3  # right side done: "switch sides"
    assert start_segment(RESUME, done(2, 4)) == 6  # next exercise's set-up, not the rest
    assert start_segment(RESUME, done(2, 4, 7)) == 8  # set 2, after its set rest
    assert start_segment(RESUME, done(2, 4, 7, 9)) is None
