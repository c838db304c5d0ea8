"""The routine sheet (page one) and the log grid (page two onwards) as PDF pages.

When the routine's exercises have pictures, each exercise row of the steps table
shows the first one small.
"""

from __future__ import annotations

from typing import Any

from glutekit_cards.content import LogGrid, Sheet
from glutekit_cards.pdf_base import GREY, INK, PT, RULE, Flow, Frames, Rect, draw_picture

MARGIN = 15.0
GUTTER = 7.0
#: Type scales tried in turn until the sheet fits on one page.
SCALES = (1.0, 0.93, 0.86, 0.8, 0.75)
HEADER_FILL = (235, 235, 235)
HEADER = ("#", "Exercise", "Dose", "Sides", "Note")
WIDTHS = (0.06, 0.38, 0.16, 0.14, 0.26)
#: The steps table with a thumbnail column (about 12 mm on A4) after the number.
THUMB_WIDTHS = (0.05, 0.07, 0.32, 0.17, 0.14, 0.25)
#: A thumbnail's height in mm at type scale 1 (a 3:2 photo fills the column's width).
THUMB_HEIGHT = 7.5
BLOCK_FILL = (246, 246, 246)


class SheetFrames(Frames):
    """The page inside its margins, split into columns from a given height on."""

    def __init__(self, width: float, height: float) -> None:
        super().__init__()
        self.area = Rect(MARGIN, MARGIN, width - 2 * MARGIN, height - 2 * MARGIN)
        self.columns = 1
        self.column = 0
        self.top = self.area.y

    def split(self, columns: int, top: float) -> None:
        """Later frames are ``columns`` side by side, starting at ``top`` on this page."""
        self.columns = columns
        self.column = -1
        self.top = top

    def next(self) -> Rect:
        if self.page == 0 or self.column + 1 >= self.columns:
            self.page += 1
            self.column = 0
            self.top = self.area.y
        else:
            self.column += 1
        width = (self.area.w - GUTTER * (self.columns - 1)) / self.columns
        x = self.area.x + self.column * (width + GUTTER)
        return Rect(x, self.top, width, self.area.bottom - self.top)


def _page_size(pdf: Any) -> tuple[float, float]:
    return float(pdf.w), float(pdf.h)


def _sheet(flow: Flow, sheet: Sheet) -> None:
    flow.paragraph(sheet.title, size=18, bold=True)
    if sheet.purpose:
        flow.paragraph(sheet.purpose, size=10, color=GREY, space_before=1.5)
    flow.paragraph(
        sheet.total_time, size=9.5, prefix="Total time", prefix_bold=True, hang=72, space_before=3
    )
    flow.paragraph(sheet.equipment, size=9.5, prefix="Equipment", prefix_bold=True, hang=72)
    flow.gap(4)
    _steps_table(flow, sheet)
    flow.gap(5)
    frames = flow.frames
    assert isinstance(frames, SheetFrames)
    frames.split(2, flow.y)
    flow.next_frame()
    for info in sheet.exercises:
        flow.paragraph(info.name, size=9.5, bold=True, space_before=2.5, keep_with_next=8)
        for number, text in enumerate(info.instructions, 1):
            flow.paragraph(text, size=8.5, prefix=f"{number}.", hang=15)
        if info.key_cue:
            flow.paragraph(
                info.key_cue, size=8.5, prefix="Cue", prefix_bold=True, hang=24, space_before=0.8
            )
    if sheet.cautions:
        flow.paragraph("Cautions", size=10.5, bold=True, space_before=5, keep_with_next=8)
        for text in sheet.cautions:
            flow.paragraph(text, size=8.5, prefix="•", hang=9)
    if sheet.credits or sheet.sources:
        flow.paragraph("Sources and licences", size=9, bold=True, space_before=4, keep_with_next=6)
        for text in (*sheet.sources, *sheet.credits):
            flow.paragraph(text, size=7, prefix="•", hang=9, color=GREY)


def _steps_table(flow: Flow, sheet: Sheet) -> None:
    # With pictures, a narrow column after the number holds each exercise's thumbnail.
    thumbs = sheet.thumbnails
    widths = THUMB_WIDTHS if thumbs else WIDTHS
    flow.paragraph("Steps", size=11, bold=True, keep_with_next=12)
    flow.gap(1)
    header = ("#", "", "Exercise", "Dose", "Sides", "Note") if thumbs else HEADER
    flow.row(
        [(h, w, True) for h, w in zip(header, widths, strict=True)], size=8.5, fill=HEADER_FILL
    )
    for row in sheet.steps:
        indent = "    " * row.depth
        if row.kind == "block":
            text = f"{indent}{row.name}" + (f" ({row.note})" if row.note else "")
            flow.row(
                [("", widths[0], False), (text, 1 - widths[0], True)], size=8.5, fill=BLOCK_FILL
            )
            continue
        cells: tuple[str, ...] = (row.number, indent + row.name, row.dose, row.sides, row.note)
        if thumbs:
            cells = (cells[0], "", *cells[1:])
        tall = THUMB_HEIGHT + 2 if row.thumbnail else 0.0
        top = flow.row(
            [(c, w, False) for c, w in zip(cells, widths, strict=True)],
            size=8.5,
            min_height=tall,
        )
        if row.thumbnail and flow.draw:
            x = flow.rect.x + flow.rect.w * widths[0]
            box = Rect(x + 1, top + 1, flow.rect.w * widths[1] - 2, THUMB_HEIGHT * flow.scale)
            draw_picture(flow.pdf, row.thumbnail.path, box, row.thumbnail.folder)


def fit_scale(pdf: Any, sheet: Sheet) -> float:
    """The largest type scale at which the sheet fits one page (the smallest if none does).

    The HTML export prints at the same scale, so a browser's printout takes as many
    pages as the PDF.
    """
    width, height = _page_size(pdf)
    for scale in SCALES:
        trial = Flow(pdf, SheetFrames(width, height), scale=scale, draw=False)
        _sheet(trial, sheet)
        if trial.pages_used == 1:
            return scale
    return SCALES[-1]


def render_sheet(pdf: Any, sheet: Sheet, scale: float | None = None) -> None:
    """Draw the sheet at ``scale``, by default the largest type that fits one page (or
    flowing on if none does)."""
    width, height = _page_size(pdf)
    flow = Flow(pdf, SheetFrames(width, height), scale=scale or fit_scale(pdf, sheet))
    _sheet(flow, sheet)


# ----------------------------------------------------------------------------- log grid

LABEL_SHARE = 0.34
MIN_SESSION_WIDTH = 11.0
ROW_HEIGHT = 9.0


def render_log(pdf: Any, sheet: Sheet) -> None:
    """The log grid: a box per side per session, pain before and after, over N weeks."""
    log = sheet.log
    width, _ = _page_size(pdf)
    area_w = width - 2 * MARGIN
    per_week = log.sessions_per_week
    fit_weeks = int(area_w * (1 - LABEL_SHARE) // (per_week * MIN_SESSION_WIDTH))
    weeks_per_page = max(1, min(log.weeks, fit_weeks))
    for first_week in range(1, log.weeks + 1, weeks_per_page):
        last_week = min(log.weeks, first_week + weeks_per_page - 1)
        _log_page(pdf, sheet, first_week, last_week)


def _log_page(pdf: Any, sheet: Sheet, first_week: int, last_week: int) -> None:
    width, height = _page_size(pdf)
    # (row label, whether each cell gets a tick box): a box per side per session.
    labels = [
        ("Date", False),
        *((f"{r.label} — {r.side}" if r.side else r.label, True) for r in sheet.log.rows),
        ("Pain before (0–10)", False),
        ("Pain after (0–10)", False),
    ]
    start = 0
    while start < len(labels):
        pdf.add_page()
        frames = SheetFrames(width, height)
        flow = Flow(pdf, frames)
        weeks = (
            f"weeks {first_week}–{last_week}" if last_week > first_week else f"week {first_week}"
        )
        flow.paragraph(f"Log: {sheet.title}", size=14, bold=True)
        flow.paragraph(
            f"{sheet.log.sessions_per_week} sessions a week, {weeks}. Tick a box for each "
            "side you did. Rate pain from 0 (none) to 10 (worst) before and after.",
            size=9,
            color=GREY,
            space_before=1.5,
        )
        flow.gap(4)
        start = _grid(flow, labels, start, first_week, last_week, sheet.log)


def _grid(
    flow: Flow,
    labels: list[tuple[str, bool]],
    start: int,
    first_week: int,
    last_week: int,
    log: LogGrid,
) -> int:
    """Draw grid rows from ``start`` until the page is full; returns the next row to draw."""
    pdf = flow.pdf
    area = flow.rect
    label_w = area.w * LABEL_SHARE
    columns = (last_week - first_week + 1) * log.sessions_per_week
    cell_w = (area.w - label_w) / columns
    y = flow.y
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.25)
    # Header: a week label over its sessions, then the session numbers.
    flow.font(8, bold=True)
    for week in range(first_week, last_week + 1):
        x = area.x + label_w + (week - first_week) * log.sessions_per_week * cell_w
        pdf.set_xy(x, y)
        pdf.cell(cell_w * log.sessions_per_week, 5, f"Week {week}", border=1, align="C")
        for session in range(log.sessions_per_week):
            pdf.set_xy(x + session * cell_w, y + 5)
            pdf.cell(cell_w, 5, str(session + 1), border=1, align="C")
    y += 10
    index = start
    line_h = 8 * PT * 1.3
    while index < len(labels):
        text, tick = labels[index]
        flow.font(8)
        lines = flow.wrap(text, label_w - 3)
        row_h = max(ROW_HEIGHT, len(lines) * line_h + 2)
        if y + row_h > area.bottom and index > start:
            break
        pdf.rect(area.x, y, label_w, row_h)
        for n, line in enumerate(lines):
            pdf.set_xy(area.x + 1.5, y + (row_h - len(lines) * line_h) / 2 + n * line_h)
            pdf.cell(label_w - 3, line_h, line)
        for column in range(columns):
            x = area.x + label_w + column * cell_w
            pdf.rect(x, y, cell_w, row_h)
            if tick:
                box = min(4.5, cell_w - 3, row_h - 3)
                pdf.set_draw_color(*INK)
                pdf.rect(x + (cell_w - box) / 2, y + (row_h - box) / 2, box, box)
                pdf.set_draw_color(*RULE)
        y += row_h
        index += 1
    return index
