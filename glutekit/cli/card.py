"""An exercise card for the terminal, drawn with rich.

Sections are separated by exactly one blank line; numbered steps and bullets
hang, so a wrapped line starts under the text, not under the number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from glutekit.model import Exercise
from glutekit.model.sides import fill
from glutekit.textcheck import safe

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

#: Muscle id -> the label to print ("it_band" -> "IT band").
Label = Callable[[str], str]


def _plain(name: str) -> str:
    return name.replace("_", " ")


def _muscles(names: Sequence[str], label: Label) -> str:
    return ", ".join(label(n) for n in names) or "-"


def _list(items: Sequence[str], numbered: bool) -> RenderableType:
    from rich.table import Table

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, justify="right" if numbered else "left")
    grid.add_column(overflow="fold")
    for i, item in enumerate(items, 1):
        grid.add_row(f"{i}." if numbered else "•", _text(item))
    return grid


def _text(text: str, style: str = "") -> Text:
    """Pack texts are shown literally: never read as rich markup, control characters escaped."""
    from rich.text import Text

    return Text(safe(text), style=style)


def card(ex: Exercise, label: Label = _plain) -> RenderableType:
    """The card as a rich renderable (printed by :func:`print_card`)."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column()
    facts.add_row("Targets", _text(_muscles(ex.primary, label)))
    if ex.secondary:
        facts.add_row("Also", _text(_muscles(ex.secondary, label)))
    facts.add_row("Kind", _text(ex.kind))
    facts.add_row("Position", _text(ex.position.replace("-", " ")))
    facts.add_row("Equipment", _text(ex.equipment_text()))
    facts.add_row("Dose", _text(ex.dose.describe() + (" each side" if ex.per_side else "")))

    blocks: list[RenderableType] = [facts]
    if ex.why:
        blocks.append(_text(ex.why, style="italic"))

    def section(title: str, items: Sequence[str], numbered: bool = False) -> None:
        if items:
            blocks.append(Group(Text(title, style="bold underline"), _list(items, numbered)))

    if ex.per_side and ex.working_side:
        facts.add_row("Right side", _text(fill(ex.working_side, "right")))
    section("Set-up", [fill(line, None) for line in ex.instructions], numbered=True)
    section("Cues", [fill(cue, None) for cue in ex.cues])
    section("Mistakes to avoid", ex.mistakes)
    section("Cautions", ex.cautions)
    section("Variations", [f"{v.name}: {v.description}" for v in ex.variations])
    sources = [s.describe() for s in ex.sources]
    section("Source" if len(sources) == 1 else "Sources", sources)
    pictures = [f"{i.alt}: {i.path}" if i.alt else i.path for i in ex.images]
    if ex.figure:
        pictures.append(f"figure: {ex.figure}")
    section("Pictures", pictures)
    if ex.credit:
        blocks.append(_text(ex.credit, style="dim"))

    spaced: list[RenderableType] = []
    for block in blocks:
        if spaced:
            spaced.append(Text(""))  # one blank line between sections, never two
        spaced.append(block)
    title, subtitle = _text(ex.name, style="bold"), _text(ex.id)
    return Panel(Group(*spaced), title=title, subtitle=subtitle, expand=False)


def print_card(ex: Exercise, label: Label = _plain) -> None:
    from rich.console import Console

    Console(highlight=False).print(card(ex, label))
