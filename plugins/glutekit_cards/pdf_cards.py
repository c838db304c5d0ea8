"""Exercise cards: a quarter page each (A6 on A4), four to a page, with cut marks.

A card whose text does not fit in the largest type shrinks a little; if it still
does not fit, it goes on over the next card, headed "(continued)". An exercise with a
start and an end picture shows them side by side under its name, across the card.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from glutekit_cards.content import ExerciseInfo, Picture, Sheet
from glutekit_cards.pdf_base import (
    GREY,
    INK,
    RULE,
    Flow,
    Frames,
    Rect,
    draw_figure,
    draw_picture,
)

INSET = 8.0
FIGURE = 24.0
#: The height of a start and end picture (at type scale 1); each takes half the card's width.
PAIR_HEIGHT = 27.0
PAIR_GAP = 4.0
MARK = 5.0
#: Type scales tried in turn until a card holds its exercise.
SCALES = (1.0, 0.92, 0.85, 0.8)


class CardFrames(Frames):
    """The four quarter-page cards of each page, left to right, top to bottom."""

    def __init__(self, width: float, height: float) -> None:
        super().__init__()
        self.width = width
        self.height = height
        self.slot = 3

    def next(self) -> Rect:
        self.slot = (self.slot + 1) % 4
        if self.slot == 0:
            self.page += 1
        card_w, card_h = self.width / 2, self.height / 2
        x = (self.slot % 2) * card_w
        y = (self.slot // 2) * card_h
        return Rect(x + INSET, y + INSET, card_w - 2 * INSET, card_h - 2 * INSET)


def cut_marks(pdf: Any) -> None:
    """Ticks where the page is cut in four, at the edges and a cross in the middle."""
    w, h = float(pdf.w), float(pdf.h)
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.2)
    for x, y0, y1 in ((w / 2, 1.5, 1.5 + MARK), (w / 2, h - 1.5 - MARK, h - 1.5)):
        pdf.line(x, y0, x, y1)
    for y, x0, x1 in ((h / 2, 1.5, 1.5 + MARK), (h / 2, w - 1.5 - MARK, w - 1.5)):
        pdf.line(x0, y, x1, y)
    pdf.line(w / 2 - MARK / 2, h / 2, w / 2 + MARK / 2, h / 2)
    pdf.line(w / 2, h / 2 - MARK / 2, w / 2, h / 2 + MARK / 2)


def _card(flow: Flow, info: ExerciseInfo) -> None:
    if len(info.pictures) > 1:
        flow.paragraph(info.name, size=13, bold=True)
        flow.gap(1.5)
        _pair(flow, info, info.pictures)
        _facts(flow, info)
    else:
        _head_beside_figure(flow, info)
    _section(flow, "Steps", info.instructions, numbered=True)
    _section(flow, "Cues", info.cues)
    _section(flow, "Avoid", info.mistakes)
    _credit(flow, info)


def _head_beside_figure(flow: Flow, info: ExerciseInfo) -> None:
    full = flow.rect
    if flow.draw:
        box = Rect(full.x + full.w - FIGURE, full.y, FIGURE, FIGURE)
        one = info.pictures[0] if info.pictures else None
        if not (one and draw_picture(flow.pdf, one.path, box, one.folder)):
            draw_figure(flow.pdf, info.figure, box)
    # The heading and facts wrap beside the figure, the rest runs full width below it.
    flow.rect = Rect(full.x, full.y, full.w - FIGURE - 3, full.h)
    flow.paragraph(info.name, size=13, bold=True)
    flow.gap(1)
    _facts(flow, info)
    if flow.rect.w != full.w and flow.rect.y == full.y:
        flow.rect = full
        flow.y = max(flow.y, full.y + FIGURE) + 1


def _pair(flow: Flow, info: ExerciseInfo, pictures: tuple[Picture, ...]) -> None:
    """The start and end pictures side by side, each captioned, across the card."""
    height = PAIR_HEIGHT * flow.scale
    caption_h = flow.font(7, bold=True)
    flow.ensure(height + caption_h + 1)
    width = (flow.rect.w - PAIR_GAP) / 2
    if flow.draw:
        for n, picture in enumerate(pictures[:2]):
            box = Rect(flow.rect.x + n * (width + PAIR_GAP), flow.y, width, height)
            if not draw_picture(flow.pdf, picture.path, box, picture.folder):
                draw_figure(flow.pdf, info.figure, box)
            flow.pdf.set_text_color(*GREY)
            flow.pdf.set_xy(box.x, box.bottom + 0.5)
            flow.pdf.cell(width, caption_h, picture.caption, align="C")
            flow.pdf.set_text_color(*INK)
    flow.y += height + caption_h + 1.5


def _facts(flow: Flow, info: ExerciseInfo) -> None:
    dose = f"{info.dose} {info.sides}".strip()
    for label, value in (
        ("Targets", info.targets),
        ("Position", info.position),
        ("Equipment", info.equipment),
        ("Dose", dose),
    ):
        # The label column is the widest label ("Equipment", 49 pt) plus a clear gap.
        flow.paragraph(value, size=8, prefix=label, prefix_bold=True, hang=58)


def _credit(flow: Flow, info: ExerciseInfo) -> None:
    """Where the exercise comes from and its licence, small, at the foot of the card."""
    lines = [f"Source: {s}" for s in info.sources] + ([info.credit] if info.credit else [])
    for n, line in enumerate(lines):
        flow.paragraph(line, size=6.5, color=GREY, space_before=2.0 if n == 0 else 0)


def _section(flow: Flow, title: str, items: tuple[str, ...], numbered: bool = False) -> None:
    if not items:
        return
    flow.paragraph(title, size=9.5, bold=True, space_before=2.5, keep_with_next=8)
    for n, item in enumerate(items, 1):
        flow.paragraph(item, size=8.5, prefix=f"{n}." if numbered else "•", hang=15)


def _fits(pdf: Any, info: ExerciseInfo, scale: float) -> bool:
    trial = Flow(pdf, CardFrames(float(pdf.w), float(pdf.h)), scale=scale, draw=False)
    _card(trial, info)
    return trial.frame_count == 1


class _Progress:
    """Which exercise is being poured, so an overflow card can say what it continues."""

    def __init__(self) -> None:
        self.info: ExerciseInfo | None = None

    def on_frame(self, flow: Flow) -> None:
        frames = flow.frames
        assert isinstance(frames, CardFrames)
        if frames.slot == 0 and flow.draw:
            cut_marks(flow.pdf)
        if self.info is not None:
            flow.paragraph(f"{self.info.name} (continued)", size=9, bold=True, color=GREY)
            flow.gap(1)


def card_scale(pdf: Any, info: ExerciseInfo) -> float:
    """The largest type scale at which the card holds its exercise (the HTML uses it too)."""
    return next((s for s in SCALES if _fits(pdf, info, s)), SCALES[-1])


def render_cards(pdf: Any, sheet: Sheet, scales: Mapping[str, float] | None = None) -> None:
    """Draw one card per exercise (more when one overflows), four to a page, each at its
    scale in ``scales`` (by default the largest type at which it fits)."""
    progress = _Progress()
    flow = Flow(pdf, CardFrames(float(pdf.w), float(pdf.h)), on_frame=progress.on_frame)
    for index, info in enumerate(sheet.exercises):
        scale = (scales or {}).get(info.id) or card_scale(pdf, info)
        progress.info = None
        if index:
            flow.next_frame()
        flow.scale = scale
        progress.info = info
        _card(flow, info)
    pdf.set_draw_color(*RULE)
