"""Start and end pictures side by side on cards, and a thumbnail per exercise on the sheet.

The pack is the test gym pack copied with two pictures (a red start, a blue end) for
two of its exercises; the box jump keeps its one picture, the push-up has none.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

GYM = Path(__file__).resolve().parent / "packs" / "glutekit_test_gym"
RED = (200, 60, 60)
BLUE = (60, 90, 200)
PAIRED = ("dumbbell-shoulder-press", "bench-press")


@pytest.fixture
def poses(cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from PIL import Image

    folder = tmp_path / "packs" / "glutekit_test_poses"
    shutil.copytree(GYM, folder)
    for name, colour in (("start.png", RED), ("end.png", BLUE)):
        Image.new("RGB", (300, 200), colour).save(folder / "images" / name)
    data = json.loads((folder / "pack.json").read_text(encoding="utf-8"))
    for exercise in data["exercises"]:
        if exercise["id"] in PAIRED:
            exercise["images"] = [
                {"path": "images/start.png", "alt": "Weights at the shoulders"},
                {"path": "images/end.png", "alt": "Weights overhead"},
            ]
    (folder / "pack.json").write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder.parent))
    routine = tmp_path / "r.json"
    steps = ["dumbbell-shoulder-press", "push-up", "bench-press", "box-jump"]
    routine.write_text(
        json.dumps(
            {"id": "poses", "title": "Poses", "steps": [{"exercise": f"gym:{s}"} for s in steps]}
        ),
        encoding="utf-8",
    )

    def export(suffix: str, *options: str) -> Path:
        out = tmp_path / f"poses{suffix}"
        result = cli("-p", "glutekit_test_poses", "export", routine, *options, "-o", out)
        assert result.exit_code == 0, result.output
        return out

    return export


def _has(image: Any, colour: tuple[int, int, int]) -> bool:
    return any(
        all(abs(a - b) < 8 for a, b in zip(found, colour, strict=True))
        for _, found in image.getcolors(1 << 18) or []
    )


def _pdf_tools() -> bool:
    return shutil.which("pdftoppm") is not None and shutil.which("pdftotext") is not None


@pytest.mark.skipif(not _pdf_tools(), reason="needs poppler's pdftoppm and pdftotext")
def test_cards_show_start_and_end_side_by_side_and_still_fit_four_to_a_page(
    poses: Any, tmp_path: Path
) -> None:
    from PIL import Image

    pdf = poses(".pdf", "--cards-only")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "(continued)" not in text
    assert text.count("\f") == 1  # four cards, one page
    assert text.count("Start") == 2 and text.count("End") == 2  # captions of the two pairs
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "p")], check=True)
    (png,) = tmp_path.glob("p*.png")
    page = Image.open(png).convert("RGB")
    w, h = page.size
    for top in (0, h // 2):  # the shoulder press (top left) and the bench press (bottom left)
        card = (0, top, w // 2, top + h // 4)
        left = page.crop((card[0], card[1], w // 4, card[3]))
        right = page.crop((w // 4, card[1], card[2], card[3]))
        assert _has(left, RED) and not _has(left, BLUE)
        assert _has(right, BLUE) and not _has(right, RED)
    # The push-up (top right) has no picture of its own, the box jump (bottom right) one.
    assert not _has(page.crop((w // 2, 0, w, h // 2)), RED)
    assert not _has(page.crop((w // 2, h // 2, w, h)), BLUE)


@pytest.mark.skipif(not _pdf_tools(), reason="needs poppler's pdftoppm and pdftotext")
def test_the_sheet_shows_each_exercise_s_first_picture_in_its_row(
    poses: Any, tmp_path: Path
) -> None:
    from PIL import Image

    pdf = poses(".pdf")
    subprocess.run(
        ["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "s")],
        check=True,
    )
    (png,) = tmp_path.glob("s*.png")
    page = Image.open(png).convert("RGB")
    w, h = page.size
    # Thumbnails sit in a narrow column after the number, in the steps table at the top.
    column = page.crop((int(w * 0.1), 0, int(w * 0.2), h // 3))
    assert _has(column, RED)
    assert not _has(column, BLUE)  # the start picture only
    rows = [y for y in range(column.height) if _has(column.crop((0, y, column.width, y + 1)), RED)]
    assert rows and rows[-1] - rows[0] > 10  # two rows (shoulder press and bench press)
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True
    ).stdout
    assert "Dumbbell shoulder press" in text and "page 1 of" in text


def test_html_cards_pair_the_pictures_and_the_sheet_has_thumbnails(poses: Any) -> None:
    page = poses(".html", "--cards").read_text(encoding="utf-8")
    assert page.count('<div class="pair">') == 2
    assert page.count("<figcaption>Start</figcaption>") == 2
    assert page.count("<figcaption>End</figcaption>") == 2
    assert '<table class="with-thumbs">' in page
    thumbs = page.count('<td class="thumb"><img class="picture"')
    assert thumbs == 3  # the two paired exercises and the box jump; not the push-up
    assert page.count('<td class="thumb"></td>') == 1
    assert 'alt="Weights overhead"' in page


def test_markdown_cards_show_both_pictures_captioned(poses: Any) -> None:
    text = poses(".md", "--cards-only").read_text(encoding="utf-8")
    assert text.count("start.png) *Start*") == 2
    assert text.count("end.png) *End*") == 2


def test_a_routine_without_pictures_keeps_the_plain_table(cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "q.html"
    assert cli("export", "quick-five", "-o", out).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert '<table class="with-thumbs">' not in page and '<td class="thumb"' not in page
    assert "<table>" in page
