"""Stick figures for body positions, as vector shapes in a 100 x 100 box (y grows downwards).

The same shapes become inline SVG in HTML and vector paths in the PDF, so the
two never drift apart. Positions without a drawing of their own use the nearest one.
"""

from __future__ import annotations

from glutekit.model.records import record

Point = tuple[float, float]


@record(frozen=True, kw_only=True)
class Figure:
    name: str
    head: Point
    head_radius: float
    #: Body parts as polylines: each is drawn as connected straight strokes.
    limbs: tuple[tuple[Point, ...], ...]
    #: The floor, a bench or a bar: drawn thinner, in grey.
    props: tuple[tuple[Point, ...], ...] = ()


FIGURES: dict[str, Figure] = {
    "standing": Figure(
        name="standing",
        head=(50, 14),
        head_radius=7,
        limbs=(
            ((50, 21), (50, 56)),
            ((38, 47), (50, 29), (62, 47)),
            ((42, 90), (50, 56), (58, 90)),
        ),
        props=(((22, 91), (78, 91)),),
    ),
    "seated": Figure(
        name="seated",
        head=(34, 22),
        head_radius=7,
        limbs=(
            ((34, 29), (36, 62)),
            ((35, 37), (52, 50), (64, 52)),
            ((36, 62), (66, 62), (66, 90)),
        ),
        props=(
            ((24, 66), (52, 66)),
            ((28, 66), (28, 91)),
            ((48, 66), (48, 91)),
            ((14, 91), (86, 91)),
        ),
    ),
    "seated-floor": Figure(
        name="seated on the floor",
        head=(24, 40),
        head_radius=7,
        limbs=(
            ((25, 47), (32, 75)),
            ((27, 54), (14, 74)),
            ((32, 75), (58, 62), (80, 77)),
        ),
        props=(((6, 78), (94, 78)),),
    ),
    "hanging": Figure(
        name="hanging",
        head=(50, 29),
        head_radius=6,
        limbs=(
            ((40, 8), (42, 40), (58, 40), (60, 8)),
            ((50, 40), (50, 70)),
            ((45, 93), (50, 70), (55, 93)),
        ),
        props=(((24, 8), (76, 8)), ((24, 95), (76, 95))),
    ),
    "half-kneeling": Figure(
        name="half-kneeling",
        head=(46, 16),
        head_radius=7,
        limbs=(
            ((46, 23), (46, 55)),
            ((46, 31), (56, 46)),
            ((46, 55), (68, 57), (68, 86)),
            ((46, 55), (34, 85), (14, 86)),
        ),
        props=(((6, 87), (92, 87)),),
    ),
    "prone": Figure(
        name="prone",
        head=(14, 66),
        head_radius=6,
        limbs=(((20, 70), (58, 72)), ((24, 71), (28, 76)), ((58, 72), (88, 74))),
        props=(((4, 77), (96, 77)),),
    ),
    "supine": Figure(
        name="supine",
        head=(14, 70),
        head_radius=6,
        limbs=(((20, 72), (54, 72)), ((26, 72), (40, 76)), ((54, 72), (70, 54), (84, 75))),
        props=(((4, 77), (96, 77)),),
    ),
    "side-lying": Figure(
        name="side-lying",
        head=(16, 58),
        head_radius=6,
        limbs=(((22, 62), (56, 70)), ((22, 64), (16, 75)), ((56, 70), (72, 60), (88, 71))),
        props=(((4, 76), (96, 76)),),
    ),
    "kneeling": Figure(
        name="kneeling",
        head=(54, 18),
        head_radius=7,
        limbs=(
            ((54, 25), (54, 57)),
            ((54, 33), (46, 52)),
            ((54, 33), (62, 52)),
            ((54, 57), (56, 85), (32, 87)),
        ),
        props=(((16, 88), (84, 88)),),
    ),
    "quadruped": Figure(
        name="quadruped",
        head=(17, 40),
        head_radius=6,
        limbs=(((23, 45), (66, 47)), ((28, 46), (30, 79)), ((66, 47), (63, 79), (90, 80))),
        props=(((8, 81), (96, 81)),),
    ),
    "lunge": Figure(
        name="lunge",
        head=(46, 14),
        head_radius=7,
        limbs=(
            ((46, 21), (46, 52)),
            ((46, 29), (58, 44)),
            ((46, 52), (70, 56), (70, 86)),
            ((46, 52), (32, 74), (12, 84)),
        ),
        props=(((6, 87), (92, 87)),),
    ),
}

#: Positions drawn with another position's figure.
NEAREST: dict[str, str] = {
    "lying": "supine",
    "split-stance": "lunge",
    "all-fours": "quadruped",
    "sitting": "seated",
}


#: The figure for each posture, for positions that have no drawing (packs may add any).
FIGURE_OF_POSTURE = {
    "lying": "supine",
    "seated": "seated-floor",
    "kneeling": "kneeling",
    "standing": "standing",
    "hanging": "hanging",
}

#: Equipment that means "seated" is on a chair, not on the floor.
SEATS = frozenset({"chair", "bench", "stool", "sofa", "box"})


def figure_for(position: str) -> str:
    """The figure name to draw for an exercise position."""
    key = position.strip().lower().replace("_", "-").replace(" ", "-")
    if key in FIGURES:
        return key
    return NEAREST.get(key, "standing")


def choose_figure(
    position: str, *, posture: str | None = None, equipment: frozenset[str] = frozenset()
) -> str:
    """The figure that matches how the exercise is done.

    "seated" is drawn on a chair only when the exercise needs a seat; otherwise the
    figure sits on the floor. A position with no drawing of its own takes its
    posture's figure (a pack's "sofa-seated" is drawn sitting).
    """
    key = position.strip().lower().replace("_", "-").replace(" ", "-")
    if key in ("seated", "sitting"):
        return "seated" if equipment & SEATS else "seated-floor"
    if key in FIGURES or key in NEAREST:
        return figure_for(key)
    return figure_for(FIGURE_OF_POSTURE.get(posture or "", key))


def svg(name: str, *, size: int = 96) -> str:
    """Inline SVG markup for a figure (only numbers and fixed names, so nothing to escape)."""
    figure = FIGURES[figure_for(name)]
    parts = [
        f'<svg class="figure" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" '
        f'width="{size}" height="{size}" role="img" aria-label="{figure.name} position">',
    ]
    for prop in figure.props:
        parts.append(
            f'<polyline points="{_points(prop)}" fill="none" stroke="#999" '
            'stroke-width="2" stroke-linecap="round"/>'
        )
    for limb in figure.limbs:
        parts.append(
            f'<polyline points="{_points(limb)}" fill="none" stroke="#222" '
            'stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/>'
        )
    x, y = figure.head
    parts.append(f'<circle cx="{x}" cy="{y}" r="{figure.head_radius}" fill="#222"/>')
    parts.append("</svg>")
    return "".join(parts)


def _points(points: tuple[Point, ...]) -> str:
    return " ".join(f"{x:g},{y:g}" for x, y in points)
