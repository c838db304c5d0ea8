"""The PDF toolkit behind sheets and cards: the document, the font, flowing text, figures.

Text is placed by a small flow engine instead of fpdf's automatic page breaks:
it wraps each paragraph to its frame, moves to the next frame (a column, a
card, a page) when one is full, and can run in "measure" mode to find out how
many frames some content needs before anything is drawn. That is how the
sheet shrinks its type to fit one page, and how nothing ever runs off a page.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from glutekit.model.records import record
from glutekit_cards import linebreak
from glutekit_cards.figures import FIGURES, figure_for

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"
#: Page sizes in millimetres, portrait.
PAPER: dict[str, tuple[float, float]] = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}
PT = 0.3528  # millimetres per point
INK = (34, 34, 34)
GREY = (110, 110, 110)
RULE = (170, 170, 170)


@record(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def bottom(self) -> float:
        return self.y + self.h


def import_fpdf() -> Any:
    """The ``fpdf`` module, imported without numpy when nothing else has loaded numpy.

    fpdf uses numpy, when it is installed, only to speed up decoding raster images,
    and works without it. Sheets and cards hold text and vector strokes only, so
    numpy would cost a cold export a fifth of a second for nothing.
    """
    from glutekit.errors import needs
    from glutekit.session.devices import import_without_numpy

    try:
        return import_without_numpy("fpdf")
    except ImportError:
        raise needs("fpdf", "fpdf2", "PDF export") from None


def new_pdf(paper: str, title: str) -> Any:
    """An empty document with the bundled fonts, drawn by glutekit's own PDF canvas.

    It draws everything a sheet and its cards hold except pack pictures, at a small
    part of fpdf2's cost (fpdf2 with fontTools takes longer to import than the rest of
    an export takes to run); :func:`new_document` picks fpdf2 when there are pictures.
    """
    from glutekit_cards.pdfdoc import Document

    width, height = PAPER[paper]
    pdf = Document(width, height)
    _set_up(pdf, title)
    return pdf


def new_fpdf(paper: str, title: str) -> Any:
    """An empty fpdf2 document with the bundled fonts, no automatic page breaks and no
    margins: the same pages as :func:`new_pdf`, and pack pictures (PNG, JPEG, SVG)."""
    FPDF = import_fpdf().FPDF

    width, height = PAPER[paper]
    pdf = FPDF(unit="mm", format=(width, height))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.c_margin = 0
    _set_up(pdf, title)
    return pdf


def new_document(paper: str, title: str, *, pictures: bool) -> Any:
    """The document to draw a printout in: fpdf2's when it shows pack pictures."""
    return (new_fpdf if pictures else new_pdf)(paper, title)


def _set_up(pdf: Any, title: str) -> None:
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(title)
    pdf.set_creator("glutekit")
    pdf.set_text_color(*INK)


class Frames:
    """Where text may go, one rectangle after another; subclasses decide the shapes."""

    def __init__(self) -> None:
        self.page = 0

    def next(self) -> Rect:
        raise NotImplementedError


class Flow:
    """Pours paragraphs and table rows into frames, drawing them unless only measuring."""

    def __init__(
        self,
        pdf: Any,
        frames: Frames,
        *,
        scale: float = 1.0,
        draw: bool = True,
        on_frame: Callable[[Flow], None] | None = None,
    ) -> None:
        self.pdf = pdf
        self.frames = frames
        self.scale = scale
        self.draw = draw
        self.on_frame = on_frame
        self.frame_count = 0
        self.pages_used = 0
        self.rect = Rect(0, 0, 0, 0)
        self.y = 0.0
        self.next_frame()

    # ------------------------------------------------------------------ frames

    def next_frame(self) -> None:
        page_before = self.frames.page
        self.rect = self.frames.next()
        self.y = self.rect.y
        self.frame_count += 1
        if self.frames.page != page_before or self.pages_used == 0:
            self.pages_used += 1
            if self.draw and self.pages_used > 1:
                self.pdf.add_page()
        if self.on_frame is not None:
            self.on_frame(self)

    def room(self) -> float:
        return self.rect.bottom - self.y

    def ensure(self, height: float) -> None:
        """Start a new frame unless ``height`` fits in what is left of this one."""
        if height > self.room() and self.y > self.rect.y:
            self.next_frame()

    # ------------------------------------------------------------------ text

    def font(self, size: float, bold: bool = False) -> float:
        """Set the font at ``size`` points (times the flow's scale); returns the line height."""
        points = size * self.scale
        self.pdf.set_font(FONT, "B" if bold else "", points)
        return points * PT * 1.3

    def wrap(self, text: str, width: float) -> list[str]:
        # Measuring and drawing wrap the same text at the same size, so each answer is
        # kept on the document. The document's own dry run is the fallback: see
        # linebreak.py (glutekit's canvas cuts a too-narrow frame's text anywhere).
        key = (
            self.pdf.font_family,
            self.pdf.font_style,
            self.pdf.font_size_pt,
            round(width, 3),
            text,
        )
        cache: dict[tuple[object, ...], list[str]] = self.pdf.__dict__.setdefault(
            "_glutekit_wraps", {}
        )
        if key not in cache:
            lines = linebreak.lines(self.pdf, text, max(width, 1.0))
            if lines is None:
                lines = self.pdf.multi_cell(max(width, 1.0), 5, text, dry_run=True, output="LINES")
            cache[key] = list(lines) or [""]
        return cache[key]

    def paragraph(
        self,
        text: str,
        *,
        size: float = 9,
        bold: bool = False,
        indent: float = 0,
        prefix: str = "",
        prefix_bold: bool = False,
        hang: float | None = None,
        space_before: float = 0,
        color: tuple[int, int, int] = INK,
        keep_lines: int = 1,
        keep_with_next: float = 0,
    ) -> None:
        """Wrapped text; ``prefix`` (a number, bullet or label) hangs left of the lines.

        ``hang`` fixes the prefix column's width (in points at scale 1) so labels line up.
        """
        line_h = self.font(size, prefix_bold)
        if hang is not None:
            hang = hang * PT * self.scale
        else:
            hang = self.pdf.get_string_width(prefix + " ") if prefix else 0.0
        self.font(size, bold)
        lines = self.wrap(text, self.rect.w - indent - hang)
        gap = space_before * self.scale
        # A heading keeps ``keep_with_next`` mm (at scale 1) of what follows with it.
        self.ensure(gap + line_h * min(keep_lines, len(lines)) + keep_with_next * self.scale)
        if self.y > self.rect.y:
            self.y += gap
        for i, line in enumerate(lines):
            if self.y + line_h > self.rect.bottom:
                self.next_frame()
                self.font(size, bold)
            if self.draw:
                self.pdf.set_text_color(*color)
                if prefix and i == 0:
                    self.font(size, prefix_bold)
                    self.pdf.set_xy(self.rect.x + indent, self.y)
                    self.pdf.cell(hang, line_h, prefix)
                    self.font(size, bold)
                self.pdf.set_xy(self.rect.x + indent + hang, self.y)
                self.pdf.cell(self.rect.w - indent - hang, line_h, line)
                self.pdf.set_text_color(*INK)
            self.y += line_h

    def gap(self, height: float) -> None:
        self.y = min(self.y + height * self.scale, self.rect.bottom)

    # ------------------------------------------------------------------ tables

    def row(
        self,
        cells: list[tuple[str, float, bool]],
        *,
        size: float = 9,
        fill: tuple[int, int, int] | None = None,
        pad: float = 1.0,
        min_height: float = 0.0,
    ) -> float:
        """One table row; ``cells`` are (text, fraction of the frame width, bold).

        A row never splits across frames; it moves whole to the next one. It is at
        least ``min_height`` mm tall (at scale 1), room for a picture in a cell.

        :returns: where the row's top is, for drawing into its cells.
        """
        wrapped: list[tuple[list[str], float, float, bool]] = []
        line_h = self.font(size)
        x = self.rect.x
        for text, fraction, bold in cells:
            width = self.rect.w * fraction
            self.font(size, bold)
            wrapped.append((self.wrap(text, width - 2 * pad), x, width, bold))
            x += width
        height = max(
            max(len(lines) for lines, *_ in wrapped) * line_h + 2 * pad,
            min_height * self.scale,
        )
        self.ensure(height)
        top = self.y
        if self.draw:
            if fill is not None:
                self.pdf.set_fill_color(*fill)
                self.pdf.rect(self.rect.x, self.y, self.rect.w, height, style="F")
            self.pdf.set_draw_color(*RULE)
            self.pdf.set_line_width(0.2)
            self.pdf.line(self.rect.x, self.y + height, self.rect.x + self.rect.w, self.y + height)
            for lines, cell_x, width, bold in wrapped:
                self.font(size, bold)
                for n, line in enumerate(lines):
                    self.pdf.set_xy(cell_x + pad, self.y + pad + n * line_h)
                    self.pdf.cell(width - 2 * pad, line_h, line)
        self.y += height
        return top


def draw_figure(pdf: Any, position: str, box: Rect) -> None:
    """Draw a position's stick figure as vector strokes, scaled into ``box``."""
    figure = FIGURES[figure_for(position)]
    scale = min(box.w, box.h) / 100

    def at(point: tuple[float, float]) -> tuple[float, float]:
        return box.x + point[0] * scale, box.y + point[1] * scale

    # Round caps and joins, as in the SVG, so limbs meet without notches.
    with pdf.local_context(stroke_cap_style="ROUND", stroke_join_style="ROUND"):
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(2 * scale)
        for prop in figure.props:
            pdf.polyline([at(p) for p in prop])
        pdf.set_draw_color(*INK)
        pdf.set_line_width(4 * scale)
        for limb in figure.limbs:
            pdf.polyline([at(p) for p in limb])
    cx, cy = at(figure.head)
    radius = figure.head_radius * scale
    pdf.set_fill_color(*INK)
    pdf.ellipse(cx - radius, cy - radius, 2 * radius, 2 * radius, style="F")


def draw_picture(pdf: Any, path: str, box: Rect, folder: str = "") -> bool:
    """A pack's own picture (PNG, JPEG or SVG) fitted into ``box``; False if it cannot be drawn.

    Only files inside the pack's ``folder`` are read, by glutekit: an SVG gets the
    pack images it uses embedded (anything else refuses it, see
    :mod:`glutekit.catalog.svgrefs`), and the PDF library is handed bytes with leave to
    load nothing itself, no file and no URL. A picture that fails to load leaves the
    card with its stick figure rather than stopping the export.
    """
    import io

    from glutekit.catalog.svgrefs import Refused, picture_bytes
    from glutekit_cards.pictures import scaled

    if not folder:
        return False
    try:
        data = picture_bytes(Path(path), Path(folder))
    except Refused:
        return False
    policy = getattr(import_fpdf(), "ResourceAccessPolicy", None)
    nothing = {} if policy is None else {"resource_access_policy": policy.NONE}
    try:
        with library_notes(Path(path).name):
            # A large PNG or JPEG is drawn from a copy at the printed size.
            source = scaled(path) or io.BytesIO(data)
            pdf.image(source, x=box.x, y=box.y, w=box.w, h=box.h, keep_aspect_ratio=True, **nothing)
    except Exception:  # a damaged or unsupported file: the drawn figure stands in
        return False
    return True


class _Notes(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


#: Pictures already named in this process (a picture may be on several cards).
_noted: set[str] = set()


@contextlib.contextmanager
def library_notes(name: str) -> Iterator[None]:
    """What the PDF library says about a picture, as one clean line naming the picture.

    fpdf2 warns through Python's warnings (with its module's path and source line) and
    through logging (asking for contributions); neither is for the person exporting.
    """
    import warnings

    logger = logging.getLogger("fpdf")
    handler = _Notes()
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
    notes = [_clean_note(line) for line in handler.lines + [str(w.message) for w in caught]]
    if notes and name not in _noted:
        _noted.add(name)
        from glutekit.textcheck import safe

        print(
            f"glutekit: warning: picture '{safe(name)}': {'; '.join(dict.fromkeys(notes))} "
            "(the PDF shows the rest of it)",
            file=sys.stderr,
        )


def _clean_note(text: str) -> str:
    text = text.split(" (contributions are welcome", 1)[0].strip()
    if text.startswith("Ignoring unsupported SVG tag: "):
        return f"left out the unsupported SVG tag {text.split(': ', 1)[1]}"
    return text[:200]


#: The line under every page, beside the page number.
DISCLAIMER = "a coaching aid, not medical advice"
FOOTER_SIZE = 7.0
#: From the page's bottom edge to the footer's baseline, inside every layout's margin.
FOOTER_DROP = 4.5
FOOTER_SIDE = 10.0


def add_footers(pdf: Any, title: str) -> None:
    """The routine's title, the disclaimer and "page N of M" at the foot of every page.

    Drawn once the document is complete, so the total is known. The text on the
    left stops short of the middle, where the card pages have a cut mark.
    """
    total = pdf.pages_count
    last = pdf.page
    for number in range(1, total + 1):
        pdf.page = number
        width, height = float(pdf.w), float(pdf.h)
        # fpdf skips a font change it thinks is already in effect, but each page's
        # content has its own last font: changing twice makes the size really apply.
        pdf.set_font(FONT, "", FOOTER_SIZE + 1)
        pdf.set_font(FONT, "", FOOTER_SIZE)
        pdf.set_text_color(*GREY)
        y = height - FOOTER_DROP
        label = f"{DISCLAIMER} · page {number} of {total}"
        pdf.text(width - FOOTER_SIDE - pdf.get_string_width(label), y, label)
        pdf.text(FOOTER_SIDE, y, _fit(pdf, title, width / 2 - FOOTER_SIDE - 4))
    pdf.page = last
    pdf.set_text_color(*INK)


def _fit(pdf: Any, text: str, width: float) -> str:
    """``text``, shortened with an ellipsis until it is at most ``width`` wide."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"
