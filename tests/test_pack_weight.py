"""check-pack's advice on how heavy a pack's pictures and its wheel are."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from PIL import Image

from glutekit.publish import weight
from glutekit.publish.checks import Options, check

GYM = Path(__file__).resolve().parent / "packs" / "glutekit_test_gym"


def _gym_with_pictures(tmp_path: Path, pictures: dict[str, Image.Image]) -> Path:
    """A copy of the test gym pack whose first exercises show these pictures."""
    folder = tmp_path / "gym"
    shutil.copytree(GYM, folder)
    data = json.loads((folder / "pack.json").read_text(encoding="utf-8"))
    for ex in data["exercises"]:
        ex.pop("images", None)
    for ex, (name, picture) in zip(data["exercises"], pictures.items(), strict=False):
        picture.save(folder / "images" / name)
        ex["images"] = [{"path": f"images/{name}", "alt": "A person exercising"}]
    path = folder / "pack.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _findings(path: Path) -> tuple[list[str], list[str]]:
    report = check(str(path), options=Options(export=False, voice=False))
    assert report.ok, [str(f) for f in report.errors]
    return [f.message for f in report.warnings], [f.message for f in report.findings]


def _noise(width: int, height: int) -> Image.Image:
    return Image.frombytes("L", (width, height), os.urandom(width * height))


def test_an_image_larger_than_sheets_print_gets_one_line_with_the_suggested_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(weight, "SUGGESTED_IMAGE_BYTES", 50_000)
    path = _gym_with_pictures(
        tmp_path,
        {"big.png": _noise(1500, 60), "heavy.png": _noise(300, 300), "ok.png": _noise(50, 50)},
    )
    warnings, _ = _findings(path)
    big = [w for w in warnings if "'images/big.png'" in w]
    heavy = [w for w in warnings if "'images/heavy.png'" in w]
    assert len(big) == len(heavy) == 1
    assert "1,500 pixels on its longer side" in big[0] and "suggested: 1,200 pixels" in big[0]
    assert "90 KB" in heavy[0] and "pixels on its longer side" not in heavy[0]
    assert not any("ok.png" in w for w in warnings)


def test_many_heavy_images_are_summed_up_in_one_line(tmp_path: Path) -> None:
    wide = {f"wide-{i}.png": Image.new("L", (1300 + i, 4)) for i in range(7)}
    warnings, _ = _findings(_gym_with_pictures(tmp_path, wide))
    (line,) = [w for w in warnings if "image" in w]
    assert "7 of 8 images are larger than suggested" in line  # the eighth: the curl figure
    assert line.count("pixels on its longer side") == 3  # the largest three, named


def test_the_wheel_size_is_said_and_warned_about_over_the_suggested_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _gym_with_pictures(tmp_path, {"a.png": _noise(200, 200)})
    warnings, findings = _findings(path)
    assert any("a wheel of this pack would be about" in f for f in findings)
    assert not any("wheel" in w for w in warnings)
    monkeypatch.setattr(weight, "SUGGESTED_WHEEL_BYTES", 20_000)
    warnings, _ = _findings(path)
    (line,) = [w for w in warnings if "wheel" in w]
    assert "(2 image(s), 41 KB)" in line and "keep it under 20 KB" in line
