"""``glutekit history --plot``: sessions per week and pain before/after, as SVG or PNG.

The chart is built once as a list of simple shapes (a scene), then written either
as SVG text or drawn onto a Pillow image for PNG. Pillow is already installed with
fpdf2 (printed sheets), so PNG costs no extra dependency; it is imported only here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from glutekit.errors import InputError
from glutekit.history.records import SessionRow
from glutekit.history.stats import Summary, WeekCount
from glutekit.model.records import record

WIDTH, HEIGHT = 800, 540
LEFT, RIGHT = 56, 24
#: Plotting more weeks than this makes bars too thin to read; the latest ones are kept.
MAX_WEEKS = 104
#: A first chart shows at least this many weeks (empty ones before the first session),
#: so one session is one ordinary bar, not a slab across the whole chart.
MIN_WEEKS = 8
#: PNGs are drawn this many times larger, then scaled down: smooth edges and text.
SUPERSAMPLE = 3
BEFORE_COLOUR, AFTER_COLOUR, BAR_COLOUR = "#c0392b", "#2471a3", "#48a36b"
INK, GRID = "#222222", "#dddddd"


@record(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str


@record(frozen=True)
class Line:
    points: tuple[tuple[float, float], ...]
    stroke: str
    width: float = 1.0
    dashed: bool = False


@record(frozen=True)
class Dot:
    x: float
    y: float
    r: float
    fill: str


@record(frozen=True)
class Label:
    x: float
    y: float
    text: str
    size: int = 12
    anchor: str = "start"  # start, middle or end
    fill: str = INK


Shape = Rect | Line | Dot | Label


@record(frozen=True)
class Panel:
    top: float
    bottom: float
    left: float = LEFT
    right: float = WIDTH - RIGHT

    def y(self, value: float, high: float) -> float:
        return self.bottom - (self.bottom - self.top) * (value / high if high else 0.0)

    def note(self, text: str) -> Label:
        """A message in the middle of an empty panel."""
        return Label((self.left + self.right) / 2, (self.top + self.bottom) / 2, text, 13, "middle")


def scene(summary: Summary, sessions: Sequence[SessionRow]) -> list[Shape]:
    """Every shape of the chart, top panel (sessions per week) then bottom (pain)."""
    weeks = padded(summary.weeks[-MAX_WEEKS:])
    shapes: list[Shape] = [Rect(0, 0, WIDTH, HEIGHT, "#ffffff")]
    shapes += _week_panel(weeks, summary.advised_per_week, Panel(top=50, bottom=240))
    if weeks:
        first = datetime.combine(weeks[0].start, time())
        last = datetime.combine(weeks[-1].start + timedelta(days=7), time())
        pain = Panel(top=320, bottom=490)
        shapes += _pain_panel(sessions, first.timestamp(), last.timestamp(), pain)
        shapes += _date_labels(weeks, pain)
    return shapes


def padded(weeks: Sequence[WeekCount]) -> list[WeekCount]:
    """At least :data:`MIN_WEEKS` weeks, adding empty ones before the first."""
    found = list(weeks)
    if not found:
        return found
    while len(found) < MIN_WEEKS:
        found.insert(0, WeekCount(start=found[0].start - timedelta(days=7), sessions=0))
    return found


def _date_labels(weeks: Sequence[WeekCount], panel: Panel) -> list[Shape]:
    """The Monday of every few weeks under a panel, where its bar or points are."""
    slot = (panel.right - panel.left) / len(weeks)
    every = max(1, round(len(weeks) / 10))
    return [
        Label(
            panel.left + i * slot + slot / 2, panel.bottom + 16, _short_date(w.start), 10, "middle"
        )
        for i, w in enumerate(weeks)
        if (len(weeks) - 1 - i) % every == 0  # always label the latest week
    ]


def _week_panel(weeks: Sequence[WeekCount], advised: int | None, panel: Panel) -> list[Shape]:
    title = "Sessions per week" + (f" (advised: at least {advised})" if advised else "")
    shapes: list[Shape] = [Label(panel.left, panel.top - 22, title, 15)]
    # Headroom: the tallest bar or the advised line never touches the panel's top.
    high = max([w.sessions for w in weeks] + [advised or 0, 1]) + 1
    shapes += _y_axis(panel, high, step=max(1, round(high / 5)))
    if not weeks:
        shapes.append(panel.note("no sessions yet"))
        return shapes
    slot = (panel.right - panel.left) / len(weeks)
    for i, week in enumerate(weeks):
        x = panel.left + i * slot
        top = panel.y(week.sessions, high)
        if week.sessions:
            shapes.append(Rect(x + slot * 0.15, top, slot * 0.7, panel.bottom - top, BAR_COLOUR))
    shapes += _date_labels(weeks, panel)
    total = sum(w.sessions for w in weeks)
    if total < 3:
        shapes.append(
            Label(
                panel.left + 10,
                panel.top + 16,
                f"{total} session{'s' if total != 1 else ''} so far: the chart fills in week by week",
                11,
                fill="#666666",
            )
        )
    if advised:
        y = panel.y(advised, high)
        shapes.append(Line(((panel.left, y), (panel.right, y)), INK, 1.5, dashed=True))
    return shapes


def _pain_panel(
    sessions: Sequence[SessionRow], start: float, end: float, panel: Panel
) -> list[Shape]:
    shapes: list[Shape] = [Label(panel.left, panel.top - 22, "Pain (0 to 10)", 15)]
    shapes += _y_axis(panel, 10, step=2)
    span = (end - start) or 1.0

    def x_of(t: float) -> float:
        return panel.left + (panel.right - panel.left) * (t - start) / span

    scored = [s for s in sessions if start <= s.started < end]
    for attr, colour, name in (
        ("pain_before", BEFORE_COLOUR, "before"),
        ("pain_after", AFTER_COLOUR, "after"),
    ):
        points = tuple(
            (x_of(s.started), panel.y(getattr(s, attr), 10))
            for s in scored
            if getattr(s, attr) is not None
        )
        if len(points) > 1:
            shapes.append(Line(points, colour, 1.5))
        shapes += [Dot(x, y, 3, colour) for x, y in points]
        legend_x = panel.right - (150 if name == "before" else 70)
        shapes.append(Dot(legend_x, panel.top - 27, 4, colour))
        shapes.append(Label(legend_x + 8, panel.top - 22, name, 12))
    if not any(s.pain_before is not None or s.pain_after is not None for s in scored):
        shapes.append(panel.note("no pain scores yet (glutekit run --pain)"))
    return shapes


def _y_axis(panel: Panel, high: float, step: int) -> list[Shape]:
    shapes: list[Shape] = []
    value = 0
    while value <= high:
        y = panel.y(value, high)
        shapes.append(Line(((panel.left, y), (panel.right, y)), GRID))
        shapes.append(Label(panel.left - 8, y + 4, str(value), 10, "end"))
        value += step
    shapes.append(Line(((panel.left, panel.top), (panel.left, panel.bottom)), INK))
    return shapes


def _short_date(day: date) -> str:
    return f"{day.day} {day.strftime('%b')}"


# ----------------------------------------------------------------------------- writers


def to_svg(shapes: Sequence[Shape]) -> str:
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="DejaVu Sans, Arial, sans-serif">'
    ]
    for shape in shapes:
        if isinstance(shape, Rect):
            out.append(
                f'<rect x="{shape.x:.1f}" y="{shape.y:.1f}" width="{shape.w:.1f}" '
                f'height="{shape.h:.1f}" fill="{shape.fill}"/>'
            )
        elif isinstance(shape, Line):
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in shape.points)
            dash = ' stroke-dasharray="6 4"' if shape.dashed else ""
            out.append(
                f'<polyline points="{points}" fill="none" stroke="{shape.stroke}" '
                f'stroke-width="{shape.width}"{dash}/>'
            )
        elif isinstance(shape, Dot):
            out.append(
                f'<circle cx="{shape.x:.1f}" cy="{shape.y:.1f}" r="{shape.r}" fill="{shape.fill}"/>'
            )
        else:
            out.append(
                f'<text x="{shape.x:.1f}" y="{shape.y:.1f}" font-size="{shape.size}" '
                f'text-anchor="{shape.anchor}" fill="{shape.fill}">'
                f"{escape(shape.text)}</text>"
            )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _scaled(shape: Shape, k: float) -> Shape:
    if isinstance(shape, Rect):
        return Rect(shape.x * k, shape.y * k, shape.w * k, shape.h * k, shape.fill)
    if isinstance(shape, Line):
        points = tuple((x * k, y * k) for x, y in shape.points)
        return Line(points, shape.stroke, shape.width * k, shape.dashed)
    if isinstance(shape, Dot):
        return Dot(shape.x * k, shape.y * k, shape.r * k, shape.fill)
    return Label(
        shape.x * k, shape.y * k, shape.text, round(shape.size * k), shape.anchor, shape.fill
    )


def to_png(shapes: Sequence[Shape], path: Path) -> None:
    """Draw :data:`SUPERSAMPLE` times larger and scale down, so edges and text are smooth."""
    try:
        from PIL import Image
    except ImportError:
        from glutekit.errors import needs

        raise needs("PIL", "pillow", "A PNG plot") from None

    big = _draw_png([_scaled(s, SUPERSAMPLE) for s in shapes], SUPERSAMPLE)
    big.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS).save(path, format="PNG")


def _draw_png(shapes: Sequence[Shape], k: int) -> Any:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (WIDTH * k, HEIGHT * k), "#ffffff")
    draw = ImageDraw.Draw(image)
    fonts: dict[int, ImageFont.ImageFont | ImageFont.FreeTypeFont] = {}

    def font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
        if size not in fonts:
            try:
                fonts[size] = ImageFont.load_default(size=size)
            except TypeError:  # Pillow older than 10.1 has one bitmap size only
                fonts[size] = ImageFont.load_default()
        return fonts[size]

    for shape in shapes:
        if isinstance(shape, Rect):
            draw.rectangle(
                (shape.x, shape.y, shape.x + shape.w, shape.y + shape.h), fill=shape.fill
            )
        elif isinstance(shape, Line):
            _png_line(draw, shape)
        elif isinstance(shape, Dot):
            draw.ellipse(
                (shape.x - shape.r, shape.y - shape.r, shape.x + shape.r, shape.y + shape.r),
                fill=shape.fill,
            )
        else:
            anchor = {"start": "ls", "middle": "ms", "end": "rs"}[shape.anchor]
            draw.text(
                (shape.x, shape.y),
                shape.text,
                fill=shape.fill,
                font=font(shape.size),
                anchor=anchor,
            )
    return image


def _png_line(draw: object, line: Line) -> None:
    from PIL import ImageDraw

    assert isinstance(draw, ImageDraw.ImageDraw)
    width = max(1, round(line.width))
    if not line.dashed:
        draw.line(line.points, fill=line.stroke, width=width)
        return
    (x0, y), (x1, _) = line.points[0], line.points[-1]
    dash, gap = 6 * line.width / 1.5, 4 * line.width / 1.5  # the SVG's "6 4", scaled
    x = x0
    while x < x1:
        draw.line(((x, y), (min(x + dash, x1), y)), fill=line.stroke, width=width)
        x += dash + gap


def write_plot(path: Path, summary: Summary, sessions: Sequence[SessionRow]) -> None:
    """Write the chart to ``path`` (``.svg`` or ``.png``), atomically.

    :raises InputError: for any other suffix.
    """
    from glutekit.atomic import atomic_path, write_text

    suffix = path.suffix.lower()
    shapes = scene(summary, sessions)
    if suffix == ".svg":
        write_text(path, to_svg(shapes))
    elif suffix == ".png":
        with atomic_path(path) as tmp:
            to_png(shapes, tmp)
    else:
        raise InputError(f"{path}: cannot plot to '{suffix or 'no suffix'}'; use .svg or .png")
