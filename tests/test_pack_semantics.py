"""The checks beyond the schema on a pack's exercises: each exercise's own problems,
however many exercises share the dose or the texts that have them."""

from __future__ import annotations

from typing import Any

from glutekit.catalog.schema import Document
from glutekit.catalog.semantics import semantic_problems


def _problems(*exercises: dict[str, Any]) -> list[tuple[str, str]]:
    data = {"id": "p", "name": "P", "version": "1.0.0", "license": "CC0-1.0"}
    exercises = tuple(
        {"id": f"e{i}", "kind": "stretch", "targets": {"primary": ["hamstrings"]}, **ex}
        for i, ex in enumerate(exercises)
    )
    doc = Document(name="pack.json", data={**data, "exercises": list(exercises)})
    return [(p.pointer, p.message) for p in semantic_problems(doc, "pack")]


def test_every_exercise_with_a_bad_dose_is_named_though_they_share_it() -> None:
    backwards = {"hold": "45s", "hold_max": "30s"}
    found = _problems(
        {"dose": dict(backwards)},
        {"dose": {"reps": 10}},
        {"dose": dict(backwards)},
        {"dose": {"hold": "2h"}},
        {"dose": {"hold": "2h"}},
    )
    assert found == [
        ("/exercises/0/dose/hold_max", "hold_max is less than hold"),
        ("/exercises/2/dose/hold_max", "hold_max is less than hold"),
        ("/exercises/3/dose/hold", "'2h' is 7200 s; the limit is 3600 s (1 hour)"),
        ("/exercises/4/dose/hold", "'2h' is 7200 s; the limit is 3600 s (1 hour)"),
    ]


def test_doses_equal_in_python_but_not_in_json_are_checked_apart() -> None:
    # True == 1 in Python, but true is no duration: only the second range runs backwards.
    found = _problems(
        {"dose": {"hold": True, "hold_max": 0}},
        {"dose": {"hold": 1, "hold_max": 0}},
        {"dose": {"reps": 8, "reps_max": 6, "tempo": {"up": 1, "down": 1}}},
    )
    no_time = "0 is no time to hold; a hold is at least 1 s"
    assert found == [
        ("/exercises/0/dose/hold_max", no_time),
        ("/exercises/1/dose/hold_max", no_time),
        ("/exercises/1/dose/hold_max", "hold_max is less than hold"),
        ("/exercises/2/dose/reps_max", "reps_max is less than reps"),
    ]


def test_side_placeholders_are_found_in_any_text_of_a_one_sided_exercise() -> None:
    need = 'side placeholders need an exercise with "per_side": true'
    found = _problems(
        {"per_side": False, "instructions": ["Reach up."], "cues": ["Turn to the {side}."]},
        {"per_side": False, "instructions": ["Reach up."], "working_side": "{Side} arm"},
        {"per_side": False, "instructions": [3, "Lift the {other} leg."]},
        {"per_side": False, "instructions": ["Sit {tall}."], "reminder": "Again."},
        {"per_side": True, "cues": ["Turn to the {side}."]},
    )
    assert found == [
        ("/exercises/0/cues/0", need),
        ("/exercises/1/working_side", need),
        ("/exercises/2/instructions/1", need),
    ]


def test_the_doses_of_the_packs_defaults_are_checked_as_an_exercises() -> None:
    # Every exercise that leaves its dose out gets these: a two-hour hold is refused
    # there as in an exercise (the schema refuses 7200, not "2h").
    data = {"id": "p", "name": "P", "version": "1.0.0", "license": "CC0-1.0"}
    defaults = {
        "dose": {"hold": "2h"},
        "by_kind": {
            "stretch": {"dose": {"hold": "45s", "hold_max": "30s"}},
            "mobility": {"dose": {"reps": 8}},
        },
    }
    exercise = {"id": "e0", "kind": "stretch", "targets": {"primary": ["hamstrings"]}}
    doc = Document(name="pack.json", data={**data, "defaults": defaults, "exercises": [exercise]})
    found = [(p.pointer, p.message) for p in semantic_problems(doc, "pack")]
    assert found == [
        ("/defaults/dose/hold", "'2h' is 7200 s; the limit is 3600 s (1 hour)"),
        ("/defaults/by_kind/stretch/dose/hold_max", "hold_max is less than hold"),
    ]


def test_spoken_cautions_are_checked_whatever_the_sides_and_the_braces() -> None:
    # A one-sided exercise with no brace in its texts skips the placeholder checks,
    # not the cautions'.
    two = [
        {"text": "Stop if it hurts.", "spoken": True},
        {"text": "Stop if it tingles.", "spoken": True},
    ]
    found = _problems(
        {"per_side": False, "instructions": ["Reach up."], "cautions": two},
        {"per_side": True, "instructions": ["Turn to the {side}."], "cautions": two},
        {"cautions": two},
        {"per_side": False, "instructions": ["Turn {side}."], "cautions": [two[0], "Go slowly."]},
        {"per_side": False, "instructions": ["Reach up."], "cautions": [two[0], "Go slowly."]},
    )
    spoken = "only one caution may be spoken (already /cautions/0)"
    need = 'side placeholders need an exercise with "per_side": true'
    assert found == [
        ("/exercises/0/cautions/1/spoken", spoken),
        ("/exercises/1/cautions/1/spoken", spoken),
        ("/exercises/2/cautions/1/spoken", spoken),
        ("/exercises/3/instructions/0", need),
    ]
