"""The PDF flow's own line breaking gives fpdf's lines, on real sheets and on random text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from glutekit_cards import linebreak
from glutekit_cards.pdf import write_pdf
from glutekit_cards.pdf_base import FONT, Flow, Frames, Rect, new_fpdf
from hypothesis import given, settings
from hypothesis import strategies as st

from glutekit import timeline
from glutekit.catalog import Catalog
from glutekit.host.plugins import make_plugin_host
from glutekit.interfaces import ExportOptions, ExportRequest

#: The largest routine, one with pictures (a thumbnail column, start and end pictures on
#: its cards) and a short one: fpdf's dry run is slow, so not all eight.
ROUTINES = ("max-stretch", "medius-cycle", "side-sleeper-relief")


def fpdf_lines(pdf: Any, text: str, width: float) -> list[str] | Exception:
    """What fpdf's own dry run makes of ``text``, or the error it stops with."""
    from fpdf.errors import FPDFException

    try:
        return list(pdf.multi_cell(width, 5, text, dry_run=True, output="LINES"))
    except FPDFException as exc:
        return exc


@pytest.fixture(scope="module")
def document() -> Any:
    pdf = new_fpdf("a4", "line breaks")
    pdf.add_page()
    return pdf


def test_every_line_of_the_ready_made_sheets_and_cards_breaks_as_fpdf_breaks_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An empty cache, so the type scales are found again: every trial layout is compared.
    monkeypatch.setenv("GLUTEKIT_CACHE_DIR", str(tmp_path / "cache"))
    host = make_plugin_host(autoload=True, only=None, block=(), strict=False, trace=False)
    catalog = Catalog.build(host, user_routines=False)
    compared: list[int] = []  # lines in each paragraph
    own = linebreak.lines
    # The export draws in glutekit's own document; fpdf breaks the same text in its own.
    reference = new_fpdf("a4", "line breaks")
    reference.add_page()

    def both(pdf: Any, text: str, width: float) -> list[str] | None:
        ours = own(pdf, text, width)
        assert ours is not None, f"fell back to fpdf for {text!r}"
        reference.set_font(pdf.font_family, pdf.font_style, pdf.font_size_pt)
        assert ours == fpdf_lines(reference, text, width), f"{text!r} at {width:.2f} mm"
        compared.append(len(ours))
        return ours

    monkeypatch.setattr(linebreak, "lines", both)
    for routine_id in ROUTINES:
        routine = catalog.routines[routine_id]
        request = ExportRequest(
            routine=routine,
            timeline=timeline.compile(routine, catalog),
            catalog=catalog,
            path=tmp_path / f"{routine_id}.pdf",
            format="pdf",
            options=ExportOptions(values={"cards": True}),
        )
        write_pdf(request)
    # Several hundred paragraphs, at every trial scale, many over several lines.
    assert len(compared) > 600 and sum(n > 1 for n in compared) > 100, compared


#: Words, spaces of every kind fpdf breaks at, no-break spaces, soft hyphens, newlines,
#: carriage returns, and characters the bundled font lacks.
PIECES = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", max_size=30),
    st.sampled_from(
        [" ", "  ", "\u00a0", "\u00ad", "\n", "\r\n", "\t", "\u200b", "\u2009", "\f", "-", "—"]
    ),
    st.sampled_from(["é", "Ω", "ж", "·", "…", "•", "漢", "\U0001f600"]),
)


@settings(max_examples=250, deadline=None)
@given(
    pieces=st.lists(PIECES, max_size=40),
    width=st.floats(min_value=1.0, max_value=120.0),
    size=st.sampled_from([5.0, 6.5, 7.0, 8.5, 9.5, 13.0, 18.0 * 0.93, 40.0]),
    bold=st.booleans(),
    margin=st.sampled_from([0.0, 1.0]),
)
def test_random_text_breaks_as_fpdf_breaks_it(
    document: Any, pieces: list[str], width: float, size: float, bold: bool, margin: float
) -> None:
    text = "".join(pieces)
    document.set_font(FONT, "B" if bold else "", size)
    document.c_margin = margin
    try:
        ours = linebreak.lines(document, text, width)
        theirs = fpdf_lines(document, text, width)
    finally:
        document.c_margin = 0
    if ours is None:  # only where fpdf gives up: one character wider than the frame
        assert isinstance(theirs, Exception), f"fell back for {text!r} at {width:.2f} mm"
    else:
        assert ours == theirs, f"{text!r} at {width:.2f} mm, {size} pt"


@settings(max_examples=150, deadline=None)
@given(
    words=st.lists(st.text(alphabet="ilmwWé—\u00ad", min_size=1, max_size=8), max_size=12),
    cut=st.integers(min_value=1, max_value=60),
    nudge=st.sampled_from([-1e-6, -2e-9, -1e-9, 0.0, 1e-9, 2e-9, 1e-6]),
    size=st.sampled_from([7.0, 8.5 * 0.93, 13.0]),
)
def test_a_line_exactly_as_wide_as_the_frame_breaks_as_fpdf_breaks_it(
    document: Any, words: list[str], cut: int, nudge: float, size: float
) -> None:
    # Frames as wide as the text up to some character, to within fpdf's tolerance.
    text = " ".join(words)
    document.set_font(FONT, "", size)
    width = document.get_string_width(text[:cut].replace("\u00ad", "")) + nudge
    if width < 1.0:
        return
    ours = linebreak.lines(document, text, width)
    theirs = fpdf_lines(document, text, width)
    assert ours == theirs or (ours is None and isinstance(theirs, Exception)), (text, width)


class _Column(Frames):
    def next(self) -> Rect:
        self.page += 1
        return Rect(10, 10, 40, 250)


@pytest.fixture
def fresh() -> Iterator[Any]:
    pdf = new_fpdf("a4", "fallbacks")
    pdf.add_page()
    pdf.set_font(FONT, "", 9)
    yield pdf


def test_fpdf_breaks_what_it_would_measure_otherwise(fresh: Any) -> None:
    # fpdf puts the page count where "{nb}" is, and spaces characters when asked to.
    alias = "Page {nb} of the routine, with enough words to need a second line"
    assert linebreak.lines(fresh, alias, 40) is None
    flow = Flow(fresh, _Column(), draw=False)
    assert flow.wrap(alias, 40) == fpdf_lines(fresh, alias, 40)
    fresh.set_char_spacing(1)
    assert linebreak.lines(fresh, "spaced out", 40) is None
    fresh.set_char_spacing(0)
    assert linebreak.lines(fresh, "spaced out", 40) == ["spaced out"]
