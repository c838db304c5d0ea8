"""An exercise that replaced others (``former_ids``) still answers to their ids."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from glutekit import timeline
from glutekit.catalog import Catalog

OLD, NEW = "glutes:supine-piriformis", "glutes:supine-figure-four"


def _routine(tmp_path: Path, exercise: str) -> Path:
    path = tmp_path / "old.json"
    data = {"id": "old", "title": "Written before the merge", "steps": [{"exercise": exercise}]}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_an_old_id_finds_the_exercise_that_replaced_it(catalog: Catalog) -> None:
    assert OLD not in catalog.exercises
    assert catalog.exercise(OLD) is catalog.exercise(NEW)
    assert catalog.resolve_id(OLD) == NEW


def test_a_routine_naming_an_old_id_validates_and_runs_the_new_exercise(
    cli: Any, catalog: Catalog, tmp_path: Path
) -> None:
    path = _routine(tmp_path, OLD)
    result = cli("validate", str(path))
    assert result.exit_code == 0, result.output
    compiled = timeline.compile(catalog.find_routine(str(path)), catalog)
    assert {seg.exercise for seg in compiled.segments if seg.exercise} == {NEW}
    shown = cli("show", OLD)
    assert shown.exit_code == 0 and "Supine figure-four stretch" in shown.output


def test_an_unknown_id_is_still_refused(cli: Any, tmp_path: Path) -> None:
    result = cli("validate", str(_routine(tmp_path, "glutes:supine-piriformis-two")))
    assert result.exit_code == 2
    assert "unknown exercise 'glutes:supine-piriformis-two'" in result.output


def _pack(former: dict[str, list[str]]) -> dict[str, Any]:
    def exercise(ex_id: str) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": ex_id,
            "name": ex_id.title(),
            "kind": "stretch",
            "targets": {"primary": ["gluteus_maximus"]},
            "position": "supine",
            "per_side": False,
            "dose": {"hold": 30},
            "instructions": ["Lie down."],
            "cues": ["Breathe."],
        }
        if ex_id in former:
            data["former_ids"] = former[ex_id]
        return data

    return {
        "id": "p",
        "name": "P",
        "version": "1.0",
        "license": "MIT",
        "exercises": [exercise("one"), exercise("two")],
    }


def test_a_former_id_that_is_still_in_use_is_refused(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(_pack({"one": ["two"]})), encoding="utf-8")
    result = cli("validate", str(path))
    assert result.exit_code == 2
    assert "/exercises/0/former_ids/0: 'two' is still an exercise id in this pack" in result.output


def test_two_exercises_cannot_claim_one_former_id(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(_pack({"one": ["old"], "two": ["old"]})), encoding="utf-8")
    result = cli("validate", str(path))
    assert result.exit_code == 2
    assert "/exercises/1/former_ids/0: 'old' is already a former id of 'one'" in result.output


def test_an_old_id_still_resolves_from_the_compiled_catalog_cache(host: Any) -> None:
    first = Catalog.build(host, user_routines=False)
    again = Catalog.build(host, user_routines=False)  # packs come from the cache this time
    assert first.exercise(OLD).id == again.exercise(OLD).id == NEW
