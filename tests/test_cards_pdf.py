"""Printed sheets and cards of every ready-made routine, checked with poppler's tools."""

from __future__ import annotations

import math
import re
import subprocess
from pathlib import Path

import pytest
from glutekit_cards.content import effective_dose
from glutekit_cards.pdf import write_pdf

from glutekit import timeline
from glutekit.catalog import Catalog
from glutekit.host.plugins import make_plugin_host
from glutekit.interfaces import ExportOptions, ExportRequest
from glutekit.model import BlockStep, ExerciseStep, Routine, Step
from glutekit.model.sides import fill

ROUTINES = sorted(p.stem for p in (Path(__file__).parent.parent / "routines").glob("*.json"))


def exercise_steps(steps: tuple[Step, ...]) -> list[ExerciseStep]:
    out: list[ExerciseStep] = []
    for step in steps:
        if isinstance(step, ExerciseStep):
            out.append(step)
        elif isinstance(step, BlockStep):
            out.extend(exercise_steps(step.steps))
    return out


def export_pdf(catalog: Catalog, routine: Routine, path: Path, **options: object) -> Path:
    request = ExportRequest(
        routine=routine,
        timeline=timeline.compile(routine, catalog),
        catalog=catalog,
        path=path,
        format="pdf",
        options=ExportOptions(values=options),
    )
    write_pdf(request)
    return path


def text_of(pdf: Path, first: int = 1, last: int = 0) -> str:
    """The text of pages ``first`` to ``last`` (0: the last page), whitespace collapsed."""
    out = subprocess.run(
        ["pdftotext", "-f", str(first), "-l", str(last), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return " ".join(out.stdout.split())


def pages_of(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]


def word_boxes(
    pdf: Path,
) -> list[tuple[float, float, list[tuple[float, float, float, float, str]]]]:
    """(page width, page height, [(x0, y0, x1, y1, word)]) for each page, from pdftotext -bbox."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S):
        words = [
            (float(a), float(b), float(c), float(d), w)
            for a, b, c, d, w in re.findall(
                r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">'
                r"(.*?)</word>",
                page.group(3),
            )
        ]
        pages.append((float(page.group(1)), float(page.group(2)), words))
    return pages


def assert_clean_layout(pdf: Path) -> None:
    """No word outside the page (less a 3 mm edge) and no two words on top of each other."""
    edge = 3 / 25.4 * 72
    for number, (width, height, words) in enumerate(word_boxes(pdf), 1):
        assert words, f"page {number} of {pdf.name} has no text"
        for x0, y0, x1, y1, word in words:
            assert x0 >= edge and y0 >= edge and x1 <= width - edge and y1 <= height - edge, (
                f"{pdf.name} page {number}: '{word}' at ({x0:.0f},{y0:.0f})-({x1:.0f},{y1:.0f}) "
                f"runs off the page"
            )
        ordered = sorted(words, key=lambda w: w[1])
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                if b[1] >= a[3] - 0.5:
                    break
                overlap_x = min(a[2], b[2]) - max(a[0], b[0])
                overlap_y = min(a[3], b[3]) - max(a[1], b[1])
                assert overlap_x <= 0.5 or overlap_y <= 0.5, (
                    f"{pdf.name} page {number}: '{a[4]}' overlaps '{b[4]}'"
                )


@pytest.fixture(scope="module")
def ready_catalog() -> Catalog:
    host = make_plugin_host(autoload=True, only=None, block=(), strict=False, trace=False)
    return Catalog.build(host, user_routines=False)


def card_pages(routine: Routine) -> int:
    return math.ceil(len(dict.fromkeys(routine.exercise_ids())) / 4)


@pytest.fixture(scope="module")
def exported(ready_catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Sheet-plus-cards PDFs of every ready-made routine (what ``--cards`` writes), written
    once for the module, and the sheet alone and the cards alone for one routine."""
    folder = tmp_path_factory.mktemp("pdf")
    out: dict[str, Path] = {}
    for routine_id in ROUTINES:
        routine = ready_catalog.routines[routine_id]
        out[routine_id] = export_pdf(
            ready_catalog, routine, folder / f"{routine_id}.pdf", cards=True
        )
    medius = ready_catalog.routines["medius-cycle"]
    out["medius-cycle-sheet"] = export_pdf(ready_catalog, medius, folder / "sheet.pdf")
    out["medius-cycle-cards"] = export_pdf(
        ready_catalog, medius, folder / "cards.pdf", cards_only=True
    )
    return out


@pytest.mark.parametrize("routine_id", ROUTINES)
def test_sheet_lists_every_exercise_dose_and_side(
    routine_id: str, ready_catalog: Catalog, exported: dict[str, Path]
) -> None:
    routine = ready_catalog.routines[routine_id]
    text = text_of(exported[routine_id], 1, 2)  # the sheet and log grid, before the cards
    assert routine.title in text
    for step in exercise_steps(routine.steps):
        exercise = ready_catalog.exercise(step.exercise)
        assert exercise.name in text
        assert effective_dose(step, exercise).describe() in text
        if exercise.per_side:
            side = {"both": "each side", "left": "left side", "right": "right side"}[step.sides]
            assert side in text
            assert f"{exercise.name} — {'left' if step.sides == 'left' else 'right'}" in text
    assert "Pain before (0–10)" in text and "Week 4" in text


@pytest.mark.parametrize("routine_id", ROUTINES)
def test_cards_follow_with_every_exercise_and_its_dose(
    routine_id: str, ready_catalog: Catalog, exported: dict[str, Path]
) -> None:
    routine = ready_catalog.routines[routine_id]
    text = text_of(exported[routine_id], 3)  # the pages after the sheet and log grid
    assert "Pain before" not in text
    for step in exercise_steps(routine.steps):
        exercise = ready_catalog.exercise(step.exercise)
        assert exercise.name in text
        assert effective_dose(step, exercise).describe() in text
        assert exercise.mistakes[0] in text if exercise.mistakes else True
        assert fill(exercise.instructions[-1], None) in text


@pytest.mark.parametrize("routine_id", ROUTINES)
def test_page_counts(routine_id: str, ready_catalog: Catalog, exported: dict[str, Path]) -> None:
    # The sheet fits on page one, four weeks of log on page two, then four cards a page.
    routine = ready_catalog.routines[routine_id]
    assert pages_of(exported[routine_id]) == 2 + card_pages(routine)


def test_sheet_alone_and_cards_alone(ready_catalog: Catalog, exported: dict[str, Path]) -> None:
    medius = ready_catalog.routines["medius-cycle"]
    assert pages_of(exported["medius-cycle-sheet"]) == 2
    assert pages_of(exported["medius-cycle-cards"]) == card_pages(medius)
    assert "(continued)" not in text_of(exported["medius-cycle-cards"])
    assert "Pain before" not in text_of(exported["medius-cycle-cards"])

    # The same pages, but for the footer's page count ("page 2 of 2" against "page 2 of 4").
    def unnumbered(text: str) -> str:
        return re.sub(r"page \d+ of \d+", "page", text)

    whole = exported["medius-cycle"]
    assert unnumbered(text_of(exported["medius-cycle-sheet"])) == unnumbered(text_of(whole, 1, 2))
    cards = unnumbered(text_of(exported["medius-cycle-cards"]))
    assert cards == unnumbered(text_of(whole, 3))


def test_font_is_embedded(exported: dict[str, Path]) -> None:
    for pdf in exported.values():
        rows = subprocess.run(
            ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
        ).stdout.splitlines()[2:]
        assert rows, f"{pdf.name} lists no fonts"
        for row in rows:
            assert "DejaVuSans" in row, row
            # Columns: name type encoding emb sub uni object-id
            assert row.split()[-5] == "yes", f"{pdf.name}: font not embedded: {row}"


def test_every_page_renders(exported: dict[str, Path], tmp_path: Path) -> None:
    for name in ("medius-cycle", "medius-cycle-cards"):
        pdf = exported[name]
        subprocess.run(
            ["pdftoppm", "-png", "-r", "30", str(pdf), str(tmp_path / name)],
            check=True,
            capture_output=True,
        )
        pngs = sorted(tmp_path.glob(f"{name}-*.png"))
        assert len(pngs) == pages_of(pdf)
        assert all(p.stat().st_size > 1000 for p in pngs)


@pytest.mark.parametrize("name", [*ROUTINES, "medius-cycle-cards"])
def test_no_text_runs_off_the_page_or_overlaps(name: str, exported: dict[str, Path]) -> None:
    assert_clean_layout(exported[name])
