"""A small PDF canvas for sheets and cards: text in the bundled fonts, lines, boxes, discs.

It offers the part of fpdf2's ``FPDF`` interface that the flow and the figures use
(positions in millimetres from the top left, colours as 0-255 RGB), and places text
and strokes by the same arithmetic as fpdf2, so a page looks the same whichever
draws it, but for a character the fonts lack: fpdf2 leaves a blank of its width,
this canvas draws the font's box. Pictures from packs are drawn by fpdf2 instead
(see :func:`glutekit_cards.pdf_base.new_document`): this canvas draws no images.

Fonts are embedded as subsets through :mod:`glutekit_cards.ttf`, as Type 0 fonts
(Identity-H, glyph numbers as character codes) with a ToUnicode map, so the text
can be searched and copied.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from glutekit_cards.pdffile import Font, serialise
from glutekit_cards.ttf import TrueType

#: Points per millimetre.
K = 72 / 25.4
Colour = tuple[int, int, int]
#: Line cap and join names (fpdf2's) to PDF's numbers.
_CAPS = {"BUTT": 0, "ROUND": 1, "SQUARE": 2}
_JOINS = {"MITER": 0, "ROUND": 1, "BEVEL": 2}


class _State:
    """What a page's content stream has set so far: strokes and fills follow it."""

    def __init__(self) -> None:
        self.draw: Colour = (0, 0, 0)
        self.fill: Colour = (0, 0, 0)
        self.line_width = 1 / K  # PDF's default, one point


class Document:
    """A PDF in the making, one list of content operators per page."""

    # What linebreak.py asks of a document before it breaks lines itself.
    is_ttf_font = True
    text_shaping = None
    char_spacing = 0.0
    font_stretching = 100.0
    str_alias_nb_pages = ""
    c_margin = 0.0

    def __init__(self, width: float, height: float) -> None:
        self.w, self.h, self.k = width, height, K
        self.page = 0
        self.pages: list[list[str]] = []
        self._page_states: list[_State] = []
        self.fonts: dict[str, Font] = {}
        self.current_font: Font | None = None
        self.font_family, self.font_style = "", ""
        self.font_size_pt = 0.0
        self.title = ""
        self.creator = ""
        self.x = self.y = 0.0
        self.draw_color: Colour = (0, 0, 0)
        self.fill_color: Colour = (0, 0, 0)
        self.text_color: Colour = (0, 0, 0)
        self.line_width = 0.2  # fpdf2's default, in millimetres

    # ----------------------------------------------------------------- document

    @property
    def pages_count(self) -> int:
        return len(self.pages)

    @property
    def font_size(self) -> float:
        return self.font_size_pt / self.k

    def set_title(self, title: str) -> None:
        self.title = title

    def set_creator(self, creator: str) -> None:
        self.creator = creator

    def add_font(self, family: str, style: str, path: str | Path) -> None:
        self.fonts[family + style] = Font(len(self.fonts) + 1, TrueType(path))

    def add_page(self) -> None:
        self.pages.append(["2 J"])  # projecting caps, as fpdf2 draws
        self._page_states.append(_State())
        self.page = len(self.pages)

    def set_font(self, family: str, style: str = "", size: float = 0) -> None:
        self.current_font = self.fonts[family + style]
        self.font_family, self.font_style = family, style
        if size:
            self.font_size_pt = size

    def set_text_color(self, r: int, g: int, b: int) -> None:
        self.text_color = (r, g, b)

    def set_draw_color(self, r: int, g: int, b: int) -> None:
        self.draw_color = (r, g, b)

    def set_fill_color(self, r: int, g: int, b: int) -> None:
        self.fill_color = (r, g, b)

    def set_line_width(self, width: float) -> None:
        self.line_width = width

    def set_xy(self, x: float, y: float) -> None:
        self.x, self.y = x, y

    def _out(self, operators: str) -> None:
        self.pages[self.page - 1].append(operators)

    def _sync(self, *, stroke: bool = False, fill: bool = False) -> None:
        """Bring the page's colours and line width to the document's before drawing."""
        state = self._page_states[self.page - 1]
        if stroke and state.draw != self.draw_color:
            self._out(f"{_rgb(self.draw_color)} RG")
            state.draw = self.draw_color
        if stroke and state.line_width != self.line_width:
            self._out(f"{self.line_width * self.k:.2f} w")
            state.line_width = self.line_width
        if fill and state.fill != self.fill_color:
            self._out(f"{_rgb(self.fill_color)} rg")
            state.fill = self.fill_color

    @contextlib.contextmanager
    def local_context(
        self, *, stroke_cap_style: str = "SQUARE", stroke_join_style: str = "MITER"
    ) -> Iterator[None]:
        """Line caps and joins (and any colour or width set inside) for a few strokes."""
        index = self.page - 1
        saved = vars(self._page_states[index]).copy()
        document = (self.draw_color, self.fill_color, self.line_width)
        self._out(f"q {_CAPS[stroke_cap_style]} J {_JOINS[stroke_join_style]} j")
        try:
            yield
        finally:
            self.pages[index].append("Q")
            vars(self._page_states[index]).update(saved)
            self.draw_color, self.fill_color, self.line_width = document

    # ----------------------------------------------------------------- text

    def get_string_width(self, text: str) -> float:
        assert self.current_font is not None
        widths = self.current_font.cw
        return sum(widths[ord(c)] for c in text) * self.font_size_pt * 0.001 / self.k

    def _show(self, x: float, y: float, text: str) -> None:
        """``text`` with its baseline's left end at (``x``, ``y``), in the text colour."""
        font = self.current_font
        assert font is not None
        self._out(
            f"q {_rgb(self.text_color)} rg BT /F{font.i} {self.font_size_pt:.2f} Tf "
            f"{x * self.k:.2f} {(self.h - y) * self.k:.2f} Td {font.encode(text)} Tj ET Q"
        )

    def text(self, x: float, y: float, text: str = "") -> None:
        self._show(x, y, text)

    def cell(
        self, w: float, h: float = 0, text: str = "", border: int = 0, align: str = "L"
    ) -> None:
        """A box ``w`` by ``h`` at the current position, its text on one line, then the
        position moves right by ``w``: fpdf2's ``cell`` for a line that fits."""
        if border:
            self.rect(self.x, self.y, w, h)
        if text:
            dx = self.c_margin
            if align == "C":
                dx = (w - self.get_string_width(text)) / 2
            elif align == "R":
                dx = w - self.c_margin - self.get_string_width(text)
            self._show(self.x + dx, self.y + 0.5 * h + 0.3 * self.font_size, text)
        self.x += w

    def multi_cell(
        self, w: float, h: float, text: str, *, dry_run: bool = True, output: str = "LINES"
    ) -> list[str]:
        """Lines of ``text`` where a single character is wider than ``w``: one or more
        characters a line, cut anywhere (:mod:`glutekit_cards.linebreak` does the rest)."""
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line = ""
            for char in paragraph:
                if line and self.get_string_width(line + char) > w:
                    lines.append(line)
                    line = ""
                line += char
            lines.append(line)
        return lines

    # ----------------------------------------------------------------- shapes

    def _xy(self, x: float, y: float) -> str:
        return f"{x * self.k:.2f} {(self.h - y) * self.k:.2f}"

    def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self._sync(stroke=True)
        self._out(f"{self._xy(x1, y1)} m {self._xy(x2, y2)} l S")

    def rect(self, x: float, y: float, w: float, h: float, style: str | None = None) -> None:
        operator = {"F": "f", "DF": "B", "FD": "B"}.get(style or "D", "S")
        self._sync(stroke=operator != "f", fill=operator != "S")
        self._out(f"{self._xy(x, y)} {w * self.k:.2f} {-h * self.k:.2f} re {operator}")

    def polyline(self, points: Sequence[tuple[float, float]]) -> None:
        self._sync(stroke=True)
        path = [f"{self._xy(*p)} {'l' if n else 'm'}" for n, p in enumerate(points)]
        self._out("\n".join(path) + "\n S")

    def ellipse(self, x: float, y: float, w: float, h: float, style: str | None = None) -> None:
        """An ellipse in the box, as four Bézier curves (fpdf2's control points)."""
        operator = {"F": "f", "DF": "B", "FD": "B"}.get(style or "D", "S")
        self._sync(stroke=operator != "f", fill=operator != "S")
        cx, cy, rx, ry = x + w / 2, y + h / 2, w / 2, h / 2
        lx, ly = 4 / 3 * (2**0.5 - 1) * rx, 4 / 3 * (2**0.5 - 1) * ry
        # Page coordinates with y upwards from the centre: (dx, dy) from (cx, cy).
        c = [
            ((rx, 0),),
            ((rx, ly), (lx, ry), (0, ry)),
            ((-lx, ry), (-rx, ly), (-rx, 0)),
            ((-rx, -ly), (-lx, -ry), (0, -ry)),
            ((lx, -ry), (rx, -ly), (rx, 0)),
        ]

        def point(dx: float, dy: float) -> str:
            return f"{(cx + dx) * self.k:.2f} {(self.h - cy + dy) * self.k:.2f}"

        start = f"{point(*c[0][0])} m "
        curves = [" ".join(point(*p) for p in curve) + " c" for curve in c[1:]]
        self._out(start + "\n".join(curves) + f" {operator}")

    # ----------------------------------------------------------------- output

    def output(self) -> bytes:
        return serialise(
            self.pages,
            list(self.fonts.values()),
            size=(self.w * self.k, self.h * self.k),
            title=self.title,
            creator=self.creator,
        )


def _rgb(colour: Colour) -> str:
    return " ".join(f"{c / 255:.4f}" for c in colour)
