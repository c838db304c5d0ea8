"""An exercise card for the terminal, drawn with rich."""

from __future__ import annotations

from glutekit.model import Exercise


def _muscles(names: tuple[str, ...]) -> str:
    return ", ".join(n.replace("_", " ") for n in names) or "-"


def print_card(ex: Exercise) -> None:
    from rich.console import Console, Group, RenderableType
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    facts.add_row("Targets", _muscles(ex.primary))
    if ex.secondary:
        facts.add_row("Also", _muscles(ex.secondary))
    facts.add_row("Kind", ex.kind)
    facts.add_row("Position", ex.position)
    facts.add_row("Equipment", ex.equipment_text())
    facts.add_row("Dose", ex.dose.describe() + (" each side" if ex.per_side else ""))

    parts: list[RenderableType] = [facts]

    def section(title: str, items: tuple[str, ...], numbered: bool = False) -> None:
        if not items:
            return
        text = Text()
        text.append(f"\n{title}\n", style="bold underline")
        for i, item in enumerate(items, 1):
            bullet = f"{i}. " if numbered else "• "
            text.append(f"{bullet}{item}\n")
        parts.append(text)

    if ex.why:
        parts.append(Text(f"\n{ex.why}", style="italic"))
    section("Set-up", ex.instructions, numbered=True)
    section("Cues", ex.cues)
    section("Mistakes to avoid", ex.mistakes)
    section("Cautions", ex.cautions)
    section("Variations", tuple(f"{v.name}: {v.description}" for v in ex.variations))
    section("Source", tuple(s.describe() for s in ex.sources))
    Console().print(
        Panel(Group(*parts), title=f"[bold]{ex.name}[/bold]", subtitle=ex.id, expand=False)
    )
