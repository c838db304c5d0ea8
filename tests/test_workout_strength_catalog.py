"""The workout strategy on a real strength catalog: rests, order and the kit you name.

``tests/packs/free_exercise_db_legs.json`` holds the leg, hip and calf records of
free-exercise-db (github.com/yuhonas/free-exercise-db, released into the public
domain): their names, categories, equipment, mechanics and muscles. Only those facts
are used; every sentence of the pack built here is written for the test.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

import glutekit
from glutekit.catalog import Catalog
from glutekit.compose import build_request, compose, find_strategy
from glutekit.errors import InputError
from glutekit.host.plugins import PluginHost
from glutekit.model import Routine
from glutekit.timeline import compile as compile_timeline

RECORDS = Path(__file__).resolve().parent / "packs" / "free_exercise_db_legs.json"

KINDS = {
    "strength": "strength",
    "powerlifting": "strength",
    "plyometrics": "plyometric",
    "stretching": "stretch",
    "cardio": "cardio",
}
MUSCLES = {
    "glutes": "gluteus_maximus",
    "abductors": "gluteus_medius",
    "hamstrings": "hamstrings",
    "quadriceps": "quadriceps",
    "calves": "calves",
    "adductors": "adductors",
    "lower back": "lower_back",
    "abdominals": "core",
}
KIT = {
    "barbell": "barbell",
    "dumbbell": "dumbbell",
    "kettlebells": "kettlebell",
    "machine": "leg_machine",
    "bands": "resistance_band",
    "foam roll": "foam_roller",
}
DOSES: dict[str, dict[str, Any]] = {
    "strength": {"reps": 8, "reps_max": 12, "sets": 3, "tempo": {"up": 2, "down": 2}},
    "plyometric": {"reps": 6, "reps_max": 8, "sets": 3, "tempo": {"up": 1, "down": 1}},
    "stretch": {"hold": 30, "hold_max": 45},
    "cardio": {"hold": "3m", "hold_max": "5m"},
}


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return ("x-" + slug if slug[:1].isdigit() else slug)[:64].rstrip("-")


def strength_pack() -> dict[str, Any]:
    """A glutekit pack from the records: kinds, muscles, kit and mechanics as they are."""
    exercises = []
    for record in json.loads(RECORDS.read_text(encoding="utf-8")):
        kind = KINDS[record["category"]]
        primary = [MUSCLES[m] for m in record["primaryMuscles"] if m in MUSCLES]
        secondary = [
            MUSCLES[m]
            for m in record["secondaryMuscles"]
            if m in MUSCLES and MUSCLES[m] not in primary
        ]
        exercise: dict[str, Any] = {
            "id": _slug(record["id"]),
            "name": record["name"][:200],
            "kind": kind,
            "targets": {"primary": primary, "secondary": list(dict.fromkeys(secondary))},
            "position": "standing",
            "equipment": [KIT[record["equipment"]]] if record["equipment"] in KIT else [],
            "level": record["level"] if record["level"] != "expert" else "advanced",
            "dose": DOSES[kind],
            "instructions": [f"Set up for the {record['name'].lower()} and move with control."],
            "tags": [record["mechanic"]] if record["mechanic"] else [],
        }
        if kind == "plyometric":
            exercise["loads"] = ["impact"]
        exercises.append(exercise)
    return {
        "id": "legs",
        "name": "Legs from free-exercise-db",
        "version": "1.0.0",
        "license": "Unlicense",
        "vocabulary": {
            "equipment": [
                {"id": "barbell", "label": "Barbell"},
                {"id": "dumbbell", "label": "Dumbbell"},
                {"id": "kettlebell", "label": "Kettlebell"},
                {"id": "leg_machine", "label": "Leg machine"},
            ]
        },
        "exercises": exercises,
    }


@pytest.fixture
def legs(host: PluginHost, register: Any) -> Catalog:
    pack = strength_pack()

    class Legs:
        @glutekit.hookimpl
        def glutekit_exercise_packs(self) -> list[dict[str, Any]]:
            return [pack]

    register(Legs(), "legs")
    catalog = Catalog.build(host, user_routines=False)
    assert len([e for e in catalog.exercises.values() if e.pack == "legs"]) == 206
    return catalog


TARGETS = ["gluteus_maximus", "hamstrings", "quadriceps"]


def workouts(
    host: PluginHost, catalog: Catalog, count: int, seed: int
) -> list[tuple[str, Routine]]:
    rng = random.Random(seed)
    # Every length comes up (a short workout may give each lift a single set).
    lengths = [20, 30, 40, 45] * -(-count // 4)
    rng.shuffle(lengths)
    made = []
    while len(made) < count:
        minutes = lengths[len(made)]
        request = build_request(
            catalog,
            targets=TARGETS,
            minutes=minutes,
            equipment=["dumbbell"],
            seed=rng.randrange(1_000_000),
        )
        _, routine = compose(request, catalog, find_strategy(host, "workout"))
        made.append((f"--minutes {minutes} --seed {request.seed}", routine))
    return made


def test_rest_between_strength_sets_and_after_heavy_work_is_a_minute_or_more(
    host: PluginHost, legs: Catalog, seed: int
) -> None:
    lifted_sets = 0
    for asked, routine in workouts(host, legs, 8, seed):
        timeline = compile_timeline(routine, legs)
        kinds = {
            s.exercise: legs.exercise(s.exercise).kind for s in timeline.segments if s.exercise
        }
        set_rests = [s for s in timeline.segments if s.label == "Rest between sets" and s.exercise]
        for rest in set_rests:
            if kinds[rest.exercise] in ("strength", "plyometric"):
                assert rest.duration >= 60, f"{asked}: {rest.duration} s between sets"
        lifted_sets += sum(kinds[r.exercise] == "strength" for r in set_rests)
        for before, after in zip(timeline.segments, timeline.segments[1:], strict=False):
            if after.label == "Rest" and before.exercise and kinds[before.exercise] == "strength":
                assert after.duration >= 60, f"{asked}: {after.duration} s after a lift"
    assert lifted_sets, "some workouts have more than one set of a lift"


def test_power_before_heavy_lifts_and_stretching_last(
    host: PluginHost, legs: Catalog, seed: int
) -> None:
    order = ["warm-up", "cardio", "plyometric", "strength", "stretch", "mobility"]
    for asked, routine in workouts(host, legs, 8, seed):
        kinds = [legs.exercise(i).kind for i in routine.exercise_ids()]
        assert "plyometric" in kinds and "strength" in kinds, asked
        assert kinds == sorted(kinds, key=order.index), f"{asked}: {kinds}"
        lifts = [
            legs.exercise(i) for i in routine.exercise_ids() if legs.exercise(i).kind == "strength"
        ]
        heavy = ["compound" in ex.tags or len(ex.primary) >= 2 for ex in lifts]
        assert heavy == sorted(heavy, reverse=True), f"{asked}: accessory before compound"


def test_the_equipment_you_name_is_used(host: PluginHost, legs: Catalog, seed: int) -> None:
    for asked, routine in workouts(host, legs, 8, seed):
        main = [
            legs.exercise(i)
            for i in routine.exercise_ids()
            if legs.exercise(i).kind in ("strength", "plyometric")
        ]
        with_kit = [ex for ex in main if ("dumbbell",) in ex.equipment]
        assert with_kit, f"{asked}: no dumbbell work"
        assert len(with_kit) * 2 >= len([ex for ex in main if ex.kind == "strength"]), asked
        assert all(ex.usable_with({"dumbbell"}) for ex in main), asked


def test_cool_down_holds_are_real_stretches(host: PluginHost, legs: Catalog, seed: int) -> None:
    from tests.test_safe_by_construction import dose_problems

    for asked, routine in workouts(host, legs, 8, seed):
        assert dose_problems(routine, legs) == [], asked
        for segment in compile_timeline(routine, legs).segments:
            exercise = legs.exercise(segment.exercise) if segment.exercise else None
            if segment.kind == "hold" and exercise is not None and exercise.kind == "stretch":
                # As long as its pack advises at the least (30 s for this catalog's
                # stretches; 20 s for some of the glutes pack's, which a workout may add).
                least = max(20, exercise.dose.seconds or 30)
                assert segment.duration >= least, f"{asked}: a {segment.duration} s stretch"


def test_kind_asks_for_mobility_or_strength(host: PluginHost, legs: Catalog) -> None:
    request = build_request(
        legs, targets=TARGETS, minutes=20, equipment=["dumbbell"], kinds=["strength"], seed=4
    )
    _, routine = compose(request, legs, find_strategy(host, "workout"))
    assert {legs.exercise(i).kind for i in routine.exercise_ids()} == {"strength"}
    stretches = build_request(legs, targets=TARGETS, minutes=10, kinds=["stretch"], seed=4)
    _, routine = compose(stretches, legs, find_strategy(host, "quick"))
    assert {legs.exercise(i).kind for i in routine.exercise_ids()} == {"stretch"}
    with pytest.raises(InputError, match="--kind"):
        compose(
            build_request(legs, targets=TARGETS, minutes=10, kinds=["cardio"]),
            legs,
            find_strategy(host, "stretch"),
        )


def test_an_untargeted_workout_is_not_called_glutes(host: PluginHost, legs: Catalog) -> None:
    request = build_request(legs, minutes=20, equipment=["dumbbell"], seed=2)
    data, routine = compose(request, legs, find_strategy(host, "workout"))
    assert "glutes" not in data["id"] and "any muscle" in routine.title
