"""The progression rules and ladders as data: pure functions, no processes."""

from __future__ import annotations

from datetime import date

from glutekit.catalog import Catalog
from glutekit.catalog.chains import ladder
from glutekit.program.model import Logged, Rules, parse_days, planned_dates
from glutekit.program.rules import decide


def logged(n: int, effort: int, before: int | None, after: int | None, red: bool = False) -> Logged:
    return Logged(
        number=n,
        day=date(2025, 3, 3),
        level=0,
        effort=effort,
        pain_before=before,
        pain_after=after,
        red_flag=red,
    )


def actions(sessions: list[Logged], rules: Rules | None = None) -> list[tuple[str, int]]:
    found = decide(rules or Rules(), sessions, lowest=-3, highest=5)
    return [(d.action, d.level_after) for d in found]


def test_two_easy_sessions_step_up_and_a_rise_of_two_steps_down() -> None:
    easy = [logged(i, 3, 2, 2) for i in range(1, 7)]
    assert actions(easy) == [
        ("hold", 0),
        ("progress", 1),
        ("hold", 1),
        ("progress", 2),
        ("hold", 2),
        ("progress", 3),
    ]
    assert actions([*easy, logged(7, 4, 2, 4)])[-1] == ("regress", 2)


def test_a_rise_of_one_holds_and_restarts_the_count_of_easy_sessions() -> None:
    found = actions([logged(1, 3, 2, 2), logged(2, 3, 2, 3), logged(3, 3, 2, 2)])
    assert found == [("hold", 0), ("hold", 0), ("hold", 0)]


def test_hard_effort_steps_down_and_says_why() -> None:
    decisions = decide(Rules(), [logged(1, 9, 2, 2)], lowest=-1, highest=2)
    assert decisions[0].action == "regress"
    assert decisions[0].reason == "effort was 9 of 10"


def test_a_rise_of_three_or_a_warning_sign_stops_and_nothing_follows() -> None:
    stop = decide(Rules(), [logged(1, 3, 2, 5), logged(2, 3, 2, 2)], highest=2)
    assert [d.action for d in stop] == ["stop"]
    assert "pain rose by 3" in stop[0].reason
    flag = decide(Rules(), [logged(1, 2, 1, 1, red=True)], highest=2)
    assert flag[0].action == "stop" and "warning sign" in flag[0].reason


def test_pain_above_the_baseline_is_not_easy() -> None:
    found = decide(Rules(), [logged(1, 3, None, 4), logged(2, 3, None, 4)], baseline=2, highest=3)
    assert [d.action for d in found] == ["regress", "regress"] or found[0].action != "progress"


def test_rules_from_the_file_replace_the_defaults() -> None:
    three = Rules(progress_after=3)
    assert actions([logged(i, 3, 2, 2) for i in range(1, 4)], three)[-1] == ("progress", 1)
    assert "after 3 sessions" in three.lines()[0]


def test_no_step_past_the_top_of_every_chain() -> None:
    found = decide(Rules(), [logged(1, 3, 2, 2), logged(2, 3, 2, 2)], highest=0)
    assert found[-1].action == "hold" and "top of its chain" in found[-1].reason


def test_days_and_dates() -> None:
    assert parse_days("fri,Mon,wed") == ("mon", "wed", "fri")
    dates = planned_dates(date(2025, 3, 4), ("mon", "wed", "fri"), 4)  # a Tuesday
    assert dates == [date(2025, 3, 5), date(2025, 3, 7), date(2025, 3, 10), date(2025, 3, 12)]


def test_the_outer_hip_ladder_never_climbs_into_what_tendinopathy_leaves_out(
    catalog: Catalog,
) -> None:
    excludes = set(catalog.symptoms()["outer-hip"].excludes)
    for ex in catalog.exercises.values():
        if ex.progression is None or set(ex.loads) & excludes:
            continue
        steps = ladder(ex, catalog.exercises.get, excludes=excludes)
        for rung in steps.rungs:
            loads = set(catalog.exercise(rung.exercise).loads)
            assert not loads & excludes, (ex.id, rung)
    abduction = ladder(
        catalog.exercise("glutes:standing-hip-abduction"), catalog.exercises.get, excludes=excludes
    )
    assert {r.exercise for r in abduction.rungs} == {"glutes:standing-hip-abduction"}
    assert abduction.top_note is not None and "Side-lying clamshell" in abduction.top_note


def test_the_general_medius_chain_climbs_dose_first_then_exercise(catalog: Catalog) -> None:
    steps = ladder(catalog.exercise("glutes:standing-hip-abduction"), catalog.exercises.get)
    texts = [r.describe() for r in steps.rungs[:6]]
    assert texts == [
        "Standing hip abduction, 10 reps",
        "Standing hip abduction, 12 reps",
        "Standing hip abduction, 14 reps",
        "Standing hip abduction, 15 reps",
        "Standing hip abduction, 2 × 15 reps",
        "Standing hip abduction, 3 × 15 reps",
    ]
    assert steps.rungs[6].exercise == "glutes:side-lying-clamshell"


def test_a_ladder_never_climbs_into_what_a_symptom_tag_of_its_routine_rules_out(
    catalog: Catalog,
) -> None:
    from glutekit.program import plan as plans
    from glutekit.program.model import program_from_data

    data = {
        "id": "tagged",
        "title": "Tagged",
        "tags": ["outer-hip"],
        "steps": [{"say": "Lie on your back."}, {"exercise": "glutes:knee-hug"}],
    }
    program = program_from_data(
        {"id": "p", "title": "P", "weeks": 4, "days": ["mon"], "sessions": [{"routine": "x"}]}
    )
    excludes = plans.excludes_for(program, catalog, data)
    assert set(catalog.symptoms()["outer-hip"].excludes) <= excludes
    steps = plans.ladders(data, catalog, excludes)
    assert len(steps[0].ladder.rungs) > 1  # it does climb, into something else
    lowest, highest = plans.level_range(steps)
    for level in range(lowest, highest + 1):
        # Every level is a routine the catalog lets through (it refuses what the tag rules out).
        catalog.load_routine_data(plans.at_level(data, steps, level, catalog), f"level {level}")
