"""check-pack and validate check progression chains: ends that exist, no circles, same muscles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import REPO, run_glutekit


def exercise(ex_id: str, primary: str, progression: dict[str, Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": ex_id,
        "name": ex_id.replace("-", " ").capitalize(),
        "kind": "activation",
        "targets": {"primary": [primary]},
        "position": "standing",
        "per_side": False,
        "dose": {"reps": 8, "reps_max": 12},
        "instructions": ["Stand tall and move slowly."],
        "cues": ["Slow and steady."],
        "sources": [{"title": "A test"}],
    }
    if progression is not None:
        data["progression"] = progression
    return data


def pack(tmp_path: Path, exercises: list[dict[str, Any]]) -> Path:
    path = tmp_path / "pack.json"
    path.write_text(
        json.dumps(
            {
                "id": "chaintest",
                "name": "Chain test",
                "version": "1.0.0",
                "license": "CC0-1.0",
                "authors": ["Tests"],
                "exercises": exercises,
            }
        )
    )
    return path


def check(path: Path) -> dict[str, Any]:
    proc = run_glutekit("check-pack", str(path), "--no-export", "--no-voice", "--json")
    assert "Traceback" not in proc.stderr
    report: dict[str, Any] = json.loads(proc.stdout)
    assert proc.returncode == (0 if report["ok"] else 2)
    return report


def errors(report: dict[str, Any]) -> list[str]:
    return [f["message"] for f in report["findings"] if f["severity"] == "error"]


def test_a_circle_is_refused(tmp_path: Path) -> None:
    report = check(
        pack(
            tmp_path,
            [
                exercise("a-raise", "gluteus_medius", {"harder": "b-raise"}),
                exercise("b-raise", "gluteus_medius", {"harder": "c-raise"}),
                exercise("c-raise", "gluteus_medius", {"harder": "a-raise"}),
            ],
        )
    )
    assert not report["ok"]
    assert any(
        "the harder chain goes round in a circle (a-raise → b-raise → c-raise → a-raise)" in m
        for m in errors(report)
    ), errors(report)


def test_a_missing_end_is_refused(tmp_path: Path) -> None:
    report = check(pack(tmp_path, [exercise("a-raise", "gluteus_medius", {"easier": "gone"})]))
    assert [m.split(": ", 1)[1] for m in errors(report)] == [
        "/exercises/0/progression/easier: 'gone' is not an exercise of this pack"
    ]


def test_links_must_share_a_primary_muscle(tmp_path: Path) -> None:
    report = check(
        pack(
            tmp_path,
            [
                exercise("a-raise", "gluteus_medius", {"harder": ["b-curl"]}),
                exercise("b-curl", "hamstrings"),
            ],
        )
    )
    assert any("work no primary muscle in common" in m for m in errors(report))


def test_up_to_below_the_dose_is_refused(tmp_path: Path) -> None:
    report = check(pack(tmp_path, [exercise("a-raise", "gluteus_medius", {"up_to": {"reps": 4}})]))
    assert any("4 is below the dose's 8" in m for m in errors(report))


def test_the_shipped_chains_pass() -> None:
    report = check(REPO / "plugins" / "glutekit_glutes" / "pack.json")
    assert report["ok"], errors(report)
    chained = [
        e
        for e in json.loads((REPO / "plugins" / "glutekit_glutes" / "pack.json").read_text())[
            "exercises"
        ]
        if "progression" in e
    ]
    assert len(chained) >= 8


def test_validate_names_file_and_field_for_a_bad_chain(tmp_path: Path) -> None:
    path = pack(tmp_path, [exercise("a-raise", "gluteus_medius", {"harder": "a-raise"})])
    proc = run_glutekit("validate", str(path))
    assert proc.returncode == 2
    assert f"{path}:1:" in proc.stdout + proc.stderr
    assert "/exercises/0/progression/harder: 'a-raise' links to itself" in proc.stdout + proc.stderr
