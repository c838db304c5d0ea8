"""Exercises made from a pack's data: the same, whichever of the optional keys are given."""

from __future__ import annotations

import json
from dataclasses import MISSING, fields
from pathlib import Path

from glutekit.catalog.loaders import pack_from_data
from glutekit.model import Exercise

ROOT = Path(__file__).resolve().parent.parent
GLUTES_PACK = ROOT / "plugins" / "glutekit_glutes" / "pack.json"
#: The keys every exercise of a large pack gives (see loaders._PLAIN).
COMMON = {"id", "name", "kind", "targets", "position", "equipment", "per_side", "dose"}
COMMON |= {"level", "tags", "instructions", "cues"}


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


def test_each_rarer_key_is_kept_when_it_is_the_only_one_beyond_the_common_ones() -> None:
    # An exercise with one more key that nobody reads is made the long way: one whose
    # only other key is a rarer one must be made the same (its field not left at the
    # default, as it would be were that key taken for a common one).
    data = json.loads(GLUTES_PACK.read_text(encoding="utf-8"))
    tried: set[str] = set()
    for full in data["exercises"]:
        plain = {key: value for key, value in full.items() if key in COMMON}
        for key in full.keys() - COMMON:
            tried.add(key)
            one = {**plain, key: full[key]}
            made = pack_from_data({**data, "exercises": [one, {**one, "x-unread": 1}]})
            short, long = (exercise.__dict__ for exercise in made.exercises)
            assert short == long, key
    assert {"former_ids", "cautions", "working_side", "reminder", "progression"} <= tried
