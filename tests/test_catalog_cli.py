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
