"""`glutekit exercises`, `show` and `routines` against the real glute pack."""

from __future__ import annotations

import json

import pytest

from tests.listing import first_column
from tests.test_glutes_pack import MEDIUS_STRETCHES, READY_MADE, SUPINE_NO_EQUIPMENT


def _ids(output: str) -> set[str]:
    return {cell.split(":", 1)[1] for cell in first_column(output)} if output else set()


def test_medius_stretches(cli) -> None:
    result = cli("exercises", "--target", "gluteus_medius", "--kind", "stretch")
    assert result.exit_code == 0
    assert _ids(result.output) == MEDIUS_STRETCHES


def test_supine_without_equipment(cli) -> None:
    result = cli("exercises", "--position", "supine", "--equipment", "none")
    assert result.exit_code == 0
    assert _ids(result.output) == SUPINE_NO_EQUIPMENT


def test_equipment_any_of_is_met_by_either_ball(cli) -> None:
    for ball in ("tennis_ball", "lacrosse_ball"):
        result = cli("exercises", "--kind", "release", "--equipment", ball)
        assert "ball-release-medius" in _ids(result.output)
    assert "ball-release-medius" not in _ids(cli("exercises", "--equipment", "none").output)


def test_secondary_widens_target(cli) -> None:
    narrow = _ids(cli("exercises", "--target", "gluteus_medius").output)
    wide = _ids(cli("exercises", "--target", "gluteus_medius", "--secondary").output)
    assert narrow < wide


def test_exercises_json_has_dose_text(cli) -> None:
    data = json.loads(cli("exercises", "--pack", "glutes", "--json").output)
    by_id = {e["id"]: e for e in data}
    assert by_id["glutes:ball-release-medius"]["dose_text"] == "30–60 s"
    assert by_id["glutes:supine-hip-rotation"]["dose_text"] == "6 breaths"
    assert by_id["glutes:supine-hip-rotation"]["per_side"] is True


def test_exercises_json_is_each_exercise_s_own_fields(catalog) -> None:
    """The JSON of every installed exercise holds what dataclasses.asdict gives for it
    (made without its deep copies), with equipment as lists and the dose in words."""
    from dataclasses import asdict

    from glutekit.cli.catalog import exercise_dict

    assert len(catalog.exercises) >= 20
    for exercise in catalog.exercises.values():
        made = exercise_dict(exercise)
        expected = {
            **asdict(exercise),
            "equipment": [list(need) for need in exercise.equipment],
            "dose_text": exercise.dose.describe(),
        }
        assert json.dumps(made, sort_keys=True) == json.dumps(expected, sort_keys=True)


def test_show_prints_a_card(cli) -> None:
    result = cli("show", "glutes:half-pigeon")
    assert result.exit_code == 0
    text = result.output
    for heading in (
        "Half pigeon",
        "Targets",
        "Position",
        "Dose",
        "Set-up",
        "Cues",
        "Mistakes to avoid",
        "Cautions",
        "Source",
    ):
        assert heading.lower() in text.lower(), heading
    assert "1. " in text  # numbered set-up steps


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "glutes:half-pidgeon"), "did you mean: glutes:half-pigeon"),
        (("show", "half-pigeon"), "did you mean: glutes:half-pigeon"),
        (("exercises", "--pack", "glute"), "unknown pack 'glute' (did you mean: glutes?)"),
    ],
)
def test_unknown_ids_suggest(cli, args: tuple[str, ...], message: str) -> None:
    result = cli(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_routines_lists_ready_made(cli) -> None:
    data = json.loads(cli("routines", "--json").output)
    assert {r["id"] for r in data} >= READY_MADE


@pytest.mark.own_voice_cache  # it runs 'cache clear'
def test_routine_lengths_are_computed_once_and_follow_every_change(cli) -> None:
    from glutekit import paths
    from glutekit.catalog.lengthcache import NAME

    def seconds() -> dict[str, float]:
        result = cli("routines", "--json")
        assert result.exit_code == 0, result.output
        return {r["id"]: r["seconds"] for r in json.loads(result.output)}

    folder = paths.user_routines_dir()
    folder.mkdir(parents=True, exist_ok=True)
    mine = folder / "mine.json"
    step = {"exercise": "glutes:knee-hug", "dose": {"hold": 30}}
    mine.write_text(json.dumps({"id": "mine", "title": "Mine", "steps": [step]}))
    first = seconds()
    kept = paths.catalog_cache_dir() / NAME
    stored = json.loads(kept.read_text())
    assert sorted(stored.values()) == sorted(first.values())
    # A later listing reads the lengths kept: a value changed in the file is what it shows.
    kept.write_text(json.dumps({key: 1.0 for key in stored}))
    assert set(seconds().values()) == {1.0}
    # A routine that changes is laid out again (the others are still read from the file).
    mine.write_text(json.dumps({"id": "mine", "title": "Mine", "steps": [step, step]}))
    again = seconds()
    assert again["mine"] > first["mine"] > 30
    assert {again[r] for r in again if r != "mine"} == {1.0}
    # A damaged file is ignored, and every length is computed afresh.
    kept.write_text("{not json")
    assert seconds() == again | {r: first[r] for r in first if r != "mine"}
    # 'cache clear' deletes it with the compiled catalog.
    assert cli("cache", "clear").exit_code == 0
    assert not kept.exists()
