"""Printouts as a reader gets them: every PDF page rendered, the footer, the figures, and
the HTML printed by a real browser on as many pages as the PDF."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from glutekit_cards.figures import FIGURES, choose_figure

from tests.conftest import run_glutekit
from tests.test_cards_html_print import BROWSER, FLAGS

ROUTINES = sorted(p.stem for p in (Path(__file__).parent.parent / "routines").glob("*.json"))
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="needs poppler-utils (pdftoppm, pdfinfo)"
)
needs_browser = pytest.mark.skipif(
    BROWSER is None, reason="needs Chromium (Debian package chromium)"
)


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]


def export(tmp_path: Path, routine: str, suffix: str, *args: str) -> Path:
    out = tmp_path / f"{routine}{''.join(args)}.{suffix}"
    done = run_glutekit("export", routine, *args, "-o", out)
    assert done.returncode == 0, done.stderr
    return out


def browser_print(html: Path, tmp_path: Path) -> Path:
    pdf = html.with_suffix(".printed.pdf")
    subprocess.run(
        [
            BROWSER,
            *FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--print-to-pdf={pdf}",
            html.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    return pdf


@needs_poppler
def test_every_pdf_page_renders_and_has_the_footer(tmp_path: Path) -> None:
    pdf = export(tmp_path, "medius-cycle", "pdf", "--cards")
    total = pages(pdf)
    assert total == 4
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    from PIL import Image

    rendered = sorted(tmp_path.glob("page-*.png"))
    assert len(rendered) == total
    for number, png in enumerate(rendered, 1):
        with Image.open(png) as image:
            grey = image.convert("L")
            width, height = grey.size
            assert grey.getextrema()[0] < 100, f"page {number} is blank"
            # The footer: ink in the bottom 4 % of the page, on both sides.
            foot = grey.crop((0, int(height * 0.96), width, height))
            left = foot.crop((0, 0, width // 2, foot.height)).getextrema()[0]
            right = foot.crop((width // 2, 0, width, foot.height)).getextrema()[0]
            assert left < 180 and right < 180, f"page {number} has no footer"
        text = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), "-layout", str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        footer = [line for line in text.splitlines() if line.strip()][-1]
        assert "Gluteus medius cycle" in footer
        assert footer.rstrip().endswith(
            f"a coaching aid, not medical advice · page {number} of {total}"
        )


@pytest.mark.slow
@needs_browser
@needs_poppler
@pytest.mark.parametrize("args", [(), ("--cards",)], ids=["sheet", "sheet+cards"])
def test_the_browser_prints_the_html_on_as_many_a4_pages_as_the_pdf(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    printed = browser_print(export(tmp_path, "medius-cycle", "html", *args), tmp_path)
    info = subprocess.run(["pdfinfo", str(printed)], capture_output=True, text=True, check=True)
    assert "(A4)" in info.stdout
    assert pages(printed) == pages(export(tmp_path, "medius-cycle", "pdf", *args))
    if not args:
        assert pages(printed) == 2  # the sheet on one page, the log grid on the next


@pytest.mark.slow
@needs_browser
@needs_poppler
@pytest.mark.parametrize("routine", ROUTINES)
def test_every_routine_prints_on_as_many_pages_in_the_browser(tmp_path: Path, routine: str) -> None:
    printed = browser_print(export(tmp_path, routine, "html", "--cards"), tmp_path)
    assert pages(printed) == pages(export(tmp_path, routine, "pdf", "--cards"))


@pytest.mark.slow
@needs_browser
@needs_poppler
def test_doses_never_break_and_a_very_long_word_stays_on_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    word = "Supercalifragilisticexpialidocious" * 4
    folder = tmp_path / "routines"
    folder.mkdir()
    (folder / "long.json").write_text(
        json.dumps(
            {
                "id": "long",
                "title": f"Long {word}",
                "steps": [
                    {
                        "block": word,
                        "repeat": 2,
                        "steps": [{"exercise": "glutes:fire-hydrant", "sets": 2}],
                    },
                    {"exercise": "glutes:half-pigeon"},
                ],
            }
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("GLUTEKIT_ROUTINES_DIR", str(folder))
    printed = browser_print(export(tmp_path, "long", "html"), tmp_path)
    bbox = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(printed), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    page_width = float(re.search(r'<page width="([\d.]+)"', bbox).group(1))  # type: ignore[union-attr]
    right_edges = [float(x) for x in re.findall(r'xMax="([\d.]+)"', bbox)]
    assert right_edges and max(right_edges) <= page_width
    lines = subprocess.run(
        ["pdftotext", "-layout", "-f", "1", "-l", "1", str(printed), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert re.search(r"2 × [\d–]+ reps\s+each side", lines), lines


def test_figures_follow_the_position_and_the_seat() -> None:
    assert choose_figure("seated") == "seated-floor"
    assert choose_figure("seated", equipment=frozenset({"chair", "bench"})) == "seated"
    assert choose_figure("side-lying", posture="lying") == "side-lying"
    assert choose_figure("hanging") == "hanging"
    assert choose_figure("sofa-perched", posture="seated") == "seated-floor"
    assert choose_figure("yoga") == "standing"
    # Positions that look different are drawn differently.
    shapes = {p: FIGURES[choose_figure(p)] for p in ("half-kneeling", "lunge", "prone", "supine")}
    assert shapes["half-kneeling"] != shapes["lunge"]
    assert shapes["prone"] != shapes["supine"]
    assert {choose_figure(p) for p in ("supine", "side-lying", "quadruped", "kneeling")} <= set(
        FIGURES
    )


def test_cards_draw_the_position_each_exercise_is_done_in(tmp_path: Path) -> None:
    on_chair = 'aria-label="seated position"'
    on_floor = 'aria-label="seated on the floor position"'
    desk = export(tmp_path, "desk-break", "html", "--cards-only").read_text(encoding="utf-8")
    assert on_chair in desk  # the seated figure-four is done on a chair
    medius = export(tmp_path, "medius-cycle", "html", "--cards-only").read_text(encoding="utf-8")
    assert on_floor in medius and on_chair not in medius  # ball release and twist: on the floor
    assert 'aria-label="side-lying position"' in medius  # the clamshell, not lying on the back


def test_muscles_print_as_labels(tmp_path: Path) -> None:
    # The crossover hip stretch works the IT band.
    text = export(tmp_path, "medius-cycle", "md", "--cards").read_text(encoding="utf-8")
    html = export(tmp_path, "medius-cycle", "html", "--cards").read_text(encoding="utf-8")
    assert "IT band" in text and "IT band" in html
    assert "it band" not in text and "it band" not in html
