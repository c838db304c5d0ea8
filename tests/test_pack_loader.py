"""Exercises made from a pack's data: the same, whichever of the optional keys are given."""

from __future__ import annotations

from dataclasses import MISSING, fields

from glutekit.catalog.loaders import pack_from_data
from glutekit.model import Exercise


def test_an_exercise_with_only_the_common_fields_is_made_as_one_with_more() -> None:
    plain = {
        "id": "reach",
        "name": "Reach",
        "kind": "stretch",
        "targets": {"primary": ["hamstrings"], "secondary": ["calves"]},
        "position": "seated",
        "equipment": [{"any_of": ["chair", "bed"]}],
        "per_side": True,
        "dose": {"hold": "30s"},
        "tags": ["desk"],
        "instructions": ["Reach for your toes."],
        "cues": ["Breathe out."],
    }
    # Keys the loader reads, each given its empty value: made the long way.
    empty = {"aliases": [], "cautions": [], "loads": [], "surfaces": [], "former_ids": []}
    pack = {"id": "p", "name": "P", "version": "1.0.0", "license": "CC0-1.0"}
    made = pack_from_data({**pack, "exercises": [plain, {**plain, **empty}]}).exercises
    short, long = (exercise.__dict__ for exercise in made)
    assert short == long
    assert list(short) == list(long) == [f.name for f in fields(Exercise)]
    assert MISSING not in short.values()
