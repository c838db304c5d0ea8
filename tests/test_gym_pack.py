"""A gym pack end to end: new words, strength, plyometrics, cardio, images and attribution.

The pack (tests/packs/glutekit_test_gym) declares upper-body muscles, gym equipment,
a position and a kind of its own, leaves fields to its defaults, and ships a PNG and
an SVG. It is loaded with ``-p``, listed, composed, run and printed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

PACKS = Path(__file__).resolve().parent / "packs"
GYM = PACKS / "glutekit_test_gym"


@pytest.fixture
def gym(cli: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(PACKS))

    def run(*args: str | Path) -> Any:
        return cli("-p", "glutekit_test_gym", *map(str, args))

    return run


def test_the_gym_pack_loads_with_its_words_and_defaults(gym: Any) -> None:
    rows = json.loads(gym("exercises", "--pack", "gym", "--json").stdout)
    by_id = {r["id"]: r for r in rows}
    assert len(by_id) == 9
    assert {r["kind"] for r in rows} == {"strength", "plyometric", "cardio", "balance", "stretch"}
    press = by_id["gym:dumbbell-shoulder-press"]
    assert press["dose_text"] == "3 × 10–12 reps, 8 kg each hand"
    assert press["images"][0]["path"] == str(GYM / "images" / "shoulder-press.png")
    push_up = by_id["gym:push-up"]  # dose, sides and cues left to the defaults
    assert push_up["dose_text"] == "3 × 8 reps"
    assert sorted(push_up["defaulted"]) == ["cues", "dose", "per_side"]
    rope = by_id["gym:jump-rope"]
    assert rope["dose_text"] == "2 min" and rope["position"] == "standing"
    assert rope["cues"] == ["Stay light on your feet and keep breathing."]


def test_the_gym_pack_lists_by_its_own_words_and_their_synonyms(gym: Any) -> None:
    def ids(*args: str) -> list[str]:
        result = gym("exercises", "--json", *args)
        assert result.exit_code == 0, result.output
        return [r["id"] for r in json.loads(result.stdout)]

    assert ids("--target", "delts") == ["gym:dumbbell-shoulder-press"]
    with_dumbbells = set(ids("--pack", "gym", "--equipment", "dumbbells"))
    assert {"gym:dumbbell-shoulder-press", "gym:dumbbell-curl", "gym:push-up"} <= with_dumbbells
    assert not {"gym:bench-press", "gym:box-jump", "gym:jump-rope"} & with_dumbbells
    assert ids("--position", "bench-lying") == ["gym:bench-press"]
    assert ids("--kind", "balance") == ["gym:split-stance-balance"]
    assert "gym:box-jump" in ids("--kind", "plyometric")
    refused = gym("exercises", "--equipment", "dumbel")
    assert refused.exit_code == 2
    assert "did you mean: dumbbell" in refused.stderr


def _compose(gym: Any, *args: str) -> dict[str, Any]:
    result = gym("compose", "--seed", "5", *args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _exercises(routine: dict[str, Any]) -> list[str]:
    found: list[str] = []

    def walk(steps: list[dict[str, Any]]) -> None:
        for step in steps:
            if "exercise" in step:
                found.append(step["exercise"])
            walk(step.get("steps", []))

    walk(routine["steps"])
    return found


def test_workout_composes_strength_work_with_a_warm_up_and_a_stretch(gym: Any) -> None:
    routine = _compose(
        gym,
        "--strategy", "workout", "--minutes", "12",
        "--target", "pecs", "--target", "deltoids",
        "--equipment", "dumbbell", "--equipment", "barbell", "--equipment", "bench",
    )  # fmt: skip
    chosen = _exercises(routine)
    assert {"gym:dumbbell-shoulder-press", "gym:bench-press"} & set(chosen)
    assert chosen[-1] == "gym:doorway-chest-stretch"
    assert "pectorals" in routine["targets"]


def test_mobility_strategies_never_pick_strength_plyometric_or_cardio(gym: Any) -> None:
    rows = json.loads(gym("exercises", "--json").stdout)
    kinds = {r["id"]: r["kind"] for r in rows}
    kit = ["--equipment", "tennis_ball", "--equipment", "kettlebell", "--equipment", "plyo_box"]
    for strategy in ("cycle", "quick", "stretch"):
        routine = _compose(
            gym, "--strategy", strategy, "--target", "gluteus_maximus", "--minutes", "10", *kit
        )
        picked = {kinds[e] for e in _exercises(routine)}
        assert picked.isdisjoint({"strength", "plyometric", "cardio"}), (strategy, picked)


def test_a_declared_position_keeps_its_posture_for_place_and_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from glutekit.catalog import Catalog
    from glutekit.catalog.postures import posture
    from glutekit.compose import build_request, candidates
    from glutekit.host.plugins import make_plugin_host

    monkeypatch.syspath_prepend(str(PACKS))
    catalog = Catalog.build(make_plugin_host(modules=["glutekit_test_gym"]))
    kit = ["barbell", "bench", "dumbbell"]
    on_the_floor = build_request(catalog, targets=["pectorals"], equipment=kit, place="floor")
    # The floor allows lying and standing: the bench press (bench-lying, declared as
    # lying) and the doorway stretch (split-stance, declared as standing) both stay.
    allowed = {ex.id for ex in candidates(catalog, on_the_floor)}
    assert {"gym:bench-press", "gym:doorway-chest-stretch"} <= allowed
    # A bed allows lying, but only what the pack marks as fine on a mattress.
    on_a_bed = build_request(catalog, targets=["pectorals"], equipment=kit, place="bed")
    assert not candidates(catalog, on_a_bed)
    standing = build_request(catalog, targets=["pectorals"], equipment=kit, place="standing")
    assert {ex.id for ex in candidates(catalog, standing)} == {"gym:doorway-chest-stretch"}
    assert posture("bench-lying") == posture("supine")
    assert posture("split-stance") == posture("standing")


def test_the_load_is_said_when_a_strength_exercise_is_announced(gym: Any, tmp_path: Path) -> None:
    routine = tmp_path / "r.json"
    routine.write_text(
        json.dumps({"id": "r", "title": "R", "steps": [{"exercise": "gym:bench-press"}]}),
        encoding="utf-8",
    )
    result = gym("transcript", routine)
    assert result.exit_code == 0, result.output
    assert "Barbell bench press. 4 sets of 6 reps, with 40 kg." in result.stdout


def test_the_gym_pack_runs(tmp_path: Path, glutekit_proc: Any) -> None:
    routine = tmp_path / "gym.json"
    routine.write_text(
        json.dumps(
            {
                "id": "gym-run",
                "title": "Gym run",
                "steps": [
                    {"exercise": "gym:box-jump", "sets": 1},
                    {"exercise": "gym:dumbbell-curl", "sets": 1},
                    {"exercise": "gym:split-stance-balance"},
                ],
            }
        ),
        encoding="utf-8",
    )
    env = {"PYTHONPATH": os.pathsep.join([str(PACKS), os.environ.get("PYTHONPATH", "")])}
    proc = glutekit_proc(
        "-p", "glutekit_test_gym", "run", routine, "--speed", "100", "--no-voice",
        env=env, timeout=180,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for text in ("Box jump", "Dumbbell curl", "Split-stance balance"):
        assert text in out
    assert "Traceback" not in proc.stderr


def _pdf_tools() -> bool:
    return shutil.which("pdftoppm") is not None and shutil.which("pdftotext") is not None


@pytest.mark.skipif(not _pdf_tools(), reason="needs poppler's pdftoppm and pdftotext")
def test_cards_print_the_packs_images_and_attribution(gym: Any, tmp_path: Path) -> None:
    from PIL import Image

    routine = tmp_path / "r.json"
    routine.write_text(
        json.dumps(
            {
                "id": "cards",
                "title": "Cards",
                "steps": [{"exercise": "gym:dumbbell-shoulder-press"}, {"exercise": "gym:push-up"}],
            }
        ),
        encoding="utf-8",
    )
    pdf = tmp_path / "cards.pdf"
    result = gym("export", routine, "--cards-only", "-o", pdf)
    assert result.exit_code == 0, result.output
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert text.count("licence CC0-1.0") == 2  # on each card
    assert "drawings by the same authors" in text
    assert "Source: Written for the glutekit tests" in text
    subprocess.run(
        ["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    (png,) = tmp_path.glob("page*.png")
    page = Image.open(png).convert("RGB")
    # The first card's picture sits top right of the card: its warm paper colour
    # (244, 239, 230) is there; the push-up card, with no picture, has the stick figure.
    width, height = page.size
    first = page.crop((int(width * 0.3), 0, int(width * 0.5), int(height * 0.15)))
    second = page.crop((int(width * 0.8), 0, width, int(height * 0.15)))
    colours = {c for _, c in first.getcolors(1 << 16) or []}
    assert any(abs(r - 244) < 6 and abs(g - 239) < 6 and abs(b - 230) < 6 for r, g, b in colours)
    assert not any(
        abs(r - 244) < 6 and abs(g - 239) < 6 and abs(b - 230) < 6
        for _, (r, g, b) in second.getcolors(1 << 16) or []
    )


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_html_and_markdown_cards_carry_images_and_attribution(
    gym: Any, tmp_path: Path, fmt: str
) -> None:
    routine = tmp_path / "r.json"
    routine.write_text(
        json.dumps(
            {"id": "c", "title": "C", "steps": [{"exercise": "gym:dumbbell-shoulder-press"}]}
        ),
        encoding="utf-8",
    )
    out = tmp_path / f"cards.{fmt}"
    assert gym("export", routine, "--cards", "-o", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "licence CC0-1.0" in text
    assert "Sources and licences" in text
    if fmt == "html":
        assert 'src="data:image/png;base64,' in text
        assert 'alt="A person pressing two dumbbells overhead"' in text
    else:
        assert "![A person pressing two dumbbells overhead](file://" in text


def test_show_names_the_pictures_and_the_credit(gym: Any) -> None:
    result = gym("show", "gym:dumbbell-curl")
    assert result.exit_code == 0
    flat = " ".join(result.stdout.replace("│", " ").split())
    assert "figures/curl.svg" in flat
    assert "licence CC0-1.0" in flat


def _write_pack(folder: Path, image_path: str) -> Path:
    data = json.loads((GYM / "pack.json").read_text(encoding="utf-8"))
    data["exercises"] = [data["exercises"][0]]
    data["exercises"][0]["images"] = [{"path": image_path}]
    path = folder / "pack.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("image_path", "message"),
    [
        ("../outside.png", "has the wrong form"),
        ("/etc/passwd.png", "has the wrong form"),
        ("https://example.org/a.png", "has the wrong form"),
        ("images/missing.png", "no such file in the pack's folder"),
        ("escape/secret.png", "leads outside the pack's folder"),
    ],
)
def test_images_outside_the_pack_or_missing_are_refused(
    cli: Any, tmp_path: Path, image_path: str, message: str
) -> None:
    folder = tmp_path / "pack"
    folder.mkdir()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.png").write_bytes((GYM / "images" / "box-jump.png").read_bytes())
    (folder / "escape").symlink_to(outside, target_is_directory=True)
    path = _write_pack(folder, image_path)
    result = cli("validate", path)
    assert result.exit_code == 2
    (line,) = [x for x in result.stderr.splitlines() if "/images/0/path" in x]
    assert line.startswith(f"{path}:") and message in line
