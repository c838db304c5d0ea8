"""glutekit's own PDF canvas prints the pages fpdf2 printed: the same pixels, the same
words, the fonts embedded; and what the fonts lack prints as a box, still named."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from glutekit_cards.content import Sheet, build_sheet
from glutekit_cards.pdf import pdf_bytes
from glutekit_cards.pdf_base import new_fpdf, new_pdf
from PIL import Image, ImageChops

from glutekit import timeline
from glutekit.catalog import Catalog
from glutekit.host.plugins import make_plugin_host
from glutekit.interfaces import ExportOptions, ExportRequest
from glutekit.model import Routine

pytestmark = pytest.mark.skipif(
    subprocess.run(["which", "pdftoppm"], capture_output=True).returncode != 0,
    reason="needs poppler-utils (pdftoppm, pdftotext, pdffonts)",
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    host = make_plugin_host(autoload=True, only=None, block=(), strict=False, trace=False)
    return Catalog.build(host, user_routines=False)


def _sheet(catalog: Catalog, routine: Routine, folder: Path, **options: object) -> Sheet:
    """What a PDF export of ``routine`` with ``options`` prints."""
    request = ExportRequest(
        routine=routine,
        timeline=timeline.compile(routine, catalog),
        catalog=catalog,
        path=folder / "unused.pdf",
        format="pdf",
        options=ExportOptions(values=options),
    )
    return build_sheet(request)


def _both(catalog: Catalog, routine_id: str, folder: Path, **options: object) -> tuple[Path, Path]:
    """The routine printed by the own canvas and by fpdf2, as two files."""
    sheet = _sheet(catalog, catalog.routines[routine_id], folder, **options)
    ours, theirs = folder / f"{routine_id}-own.pdf", folder / f"{routine_id}-fpdf.pdf"
    ours.write_bytes(pdf_bytes(sheet, new_pdf(sheet.paper, sheet.title)))
    theirs.write_bytes(pdf_bytes(sheet, new_fpdf(sheet.paper, sheet.title)))
    return ours, theirs


def _pages(pdf: Path, resolution: int) -> list[Image.Image]:
    prefix = pdf.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-r", str(resolution), "-png", str(pdf), str(prefix)],
        check=True,
        capture_output=True,
    )
    return [Image.open(p).convert("RGB") for p in sorted(pdf.parent.glob(f"{prefix.name}-*.png"))]


def _text(pdf: Path, *flags: str) -> str:
    return subprocess.run(
        ["pdftotext", *flags, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize(
    ("routine_id", "options"),
    [
        ("max-stretch", {"cards": True}),
        ("medius-cycle", {"cards": True, "paper": "letter"}),
        ("quick-five", {}),
    ],
)
def test_pages_match_fpdfs_pixel_for_pixel_and_word_for_word(
    catalog: Catalog, tmp_path: Path, routine_id: str, options: dict[str, object]
) -> None:
    ours, theirs = _both(catalog, routine_id, tmp_path, **options)
    our_pages, their_pages = _pages(ours, 100), _pages(theirs, 100)
    assert len(our_pages) == len(their_pages) >= 2
    for number, (a, b) in enumerate(zip(our_pages, their_pages, strict=True), 1):
        assert ImageChops.difference(a, b).getbbox() is None, f"page {number} differs"
    assert _text(ours, "-layout") == _text(theirs, "-layout")
    assert _text(ours).count("\f") == len(our_pages)
    rows = subprocess.run(
        ["pdffonts", str(ours)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert len(rows) == 2
    for row in rows:
        name, *_, embedded, subset, unicode, _number, _generation = row.split()
        assert "+DejaVuSans" in name and (embedded, subset, unicode) == ("yes", "yes", "yes")


def test_text_the_fonts_lack_prints_as_boxes_and_the_rest_reads_back(tmp_path: Path) -> None:
    pdf = new_pdf("a4", "Étirement — fessiers 漢")
    pdf.add_page()
    pdf.set_font("DejaVu", "", 14)
    # é and Ǆ are composite glyphs (a letter and its accent); 漢 is not in DejaVu.
    pdf.set_xy(20, 20)
    pdf.cell(100, 10, "Café Ǆ 漢 end")
    pdf.set_font("DejaVu", "B", 14)
    pdf.text(20, 50, "Bold “quoted” – ½")
    pdf.set_xy(20, 80)
    pdf.cell(20, 10, "漢")
    out = tmp_path / "glyphs.pdf"
    out.write_bytes(pdf.output())
    text = _text(out)
    assert "Café Ǆ" in text and "end" in text and "Bold “quoted” – ½" in text
    assert "漢" not in text
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True)
    assert "Title:           Étirement — fessiers 漢" in info.stdout
    assert not info.stderr
    # A character the font lacks takes the .notdef glyph's width and shows its box.
    (page,) = _pages(out, 100)
    mm = 100 / 25.4
    box = page.crop((round(20 * mm), round(80 * mm), round(40 * mm), round(90 * mm)))
    dark = box.convert("L").point(lambda v: 255 if v < 128 else 0).getbbox()
    assert dark is not None
    width = (dark[2] - dark[0]) / mm
    assert 1.5 < width < 14 * 0.6 * 25.4 / 72  # inside the .notdef glyph's 0.6 em


def test_a_frame_narrower_than_a_character_takes_one_character_a_line() -> None:
    # fpdf2 stops with an error here; the canvas cuts the text anywhere instead.
    from glutekit_cards.pdf_base import Flow, Frames, Rect

    class Narrow(Frames):
        def next(self) -> Rect:
            self.page += 1
            return Rect(10, 10, 2, 250)

    pdf = new_pdf("a4", "narrow")
    pdf.add_page()
    flow = Flow(pdf, Narrow(), draw=False)
    flow.font(40)
    assert flow.wrap("Wide words", 2) == ["W", "i", "d", "e", " ", "w", "o", "r", "d", "s"]


def test_an_export_without_pictures_never_imports_fpdf_or_fonttools(tmp_path: Path) -> None:
    import sys

    out = tmp_path / "quick.pdf"
    script = (
        "import runpy, sys\n"
        f"sys.argv = ['glutekit', 'export', 'quick-five', '--cards', '-o', {str(out)!r}]\n"
        "try:\n"
        "    runpy.run_module('glutekit', run_name='__main__')\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "print(sorted(m for m in ('fpdf', 'fontTools', 'PIL') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr
    assert out.stat().st_size > 10_000 and "Quick five" in _text(out)


def test_a_document_made_for_a_sheet_with_pictures_draws_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The plugin's own canvas draws no pictures: left to choose, pdf_bytes must pick fpdf2.
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent / "packs"))
    catalog = Catalog.build(make_plugin_host(modules=["glutekit_test_gym"]), user_routines=False)
    routine = catalog.load_routine_data(
        {"id": "jump", "title": "Jump", "steps": [{"exercise": "gym:box-jump"}]}, "jump"
    )
    out = tmp_path / "jump.pdf"
    out.write_bytes(pdf_bytes(_sheet(catalog, routine, tmp_path, cards=True)))
    listed = subprocess.run(
        ["pdfimages", "-list", str(out)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    pages = {int(row.split()[0]) for row in listed}
    assert pages == {1, 3}, listed  # the thumbnail on the sheet, the picture on the card
    assert "Box jump" in _text(out)
