"""Long listings in a terminal, laid out directly: fitted to the window, long cells wrapped.

Rich lays a table out cell by cell through its renderer, which takes seconds for
10,000 exercises. A listing that long is laid out here instead: when it fits the
window, exactly as off a terminal (the same columns and rule) with a bold header;
when it does not, the widest columns that may wrap give up width first, one
character at a time, and their long cells wrap at spaces onto more lines.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from glutekit.cli.output import Column

#: Spaces between two columns, as in rich's layout.
GAP = 3
#: A column that may wrap keeps at least this many characters (or its heading's).
MIN_WIDTH = 10


def natural_widths(columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> list[int] | None:
    """Each column's widest cell; None unless every character takes one cell of the screen
    and every row has a cell for each column (rich lays those out)."""
    if any(len(row) != len(columns) for row in rows):
        return None
    widths = [len(col.heading) for col in columns]
    texts = [[col.heading for col in columns], *rows]
    for i, cells in enumerate(zip(*texts, strict=True)):
        if not "".join(cells).isascii():
            from rich.cells import cell_len

            if any(cell_len(cell) != len(cell) for cell in set(cells)):
                return None
        widths[i] = max(map(len, cells))
    return widths


def fitted(columns: Sequence[Column], widths: Sequence[int], screen: int) -> list[int]:
    """``widths`` narrowed until the table fits ``screen`` characters, as far as wrapping allows."""
    fitted = list(widths)
    floors = [
        width if col.no_wrap else min(width, max(len(col.heading), MIN_WIDTH))
        for col, width in zip(columns, widths, strict=True)
    ]
    excess = sum(fitted) + GAP * (len(fitted) - 1) - screen
    while excess > 0:
        shrinkable = [i for i, width in enumerate(fitted) if width > floors[i]]
        if not shrinkable:
            break  # the columns that must not wrap are wider than the window
        widest = max(shrinkable, key=fitted.__getitem__)
        fitted[widest] -= 1
        excess -= 1
    return fitted


def terminal_table(
    columns: Sequence[Column], rows: Sequence[Sequence[str]], screen: int
) -> str | None:
    """The table for a terminal ``screen`` characters wide, or None to leave it to rich."""
    natural = natural_widths(columns, rows)
    if natural is None:
        return None
    widths = fitted(columns, natural, screen)
    layout = (
        (" " * GAP)
        .join(
            f"{{:{'>' if col.justify == 'right' else '<'}{width}}}"
            for col, width in zip(columns, widths, strict=True)
        )
        .format
    )
    lines = [
        click.style(layout(*(col.heading for col in columns)).rstrip(), bold=True),
        "─" * (sum(widths) + GAP * (len(widths) - 1)),
    ]
    if widths == natural:
        lines += [layout(*row).rstrip() for row in rows]
        return "\n".join(lines)
    for row in rows:
        if all(len(cell) <= width for cell, width in zip(row, widths, strict=True)):
            lines.append(layout(*row).rstrip())
            continue
        parts = [
            [cell]
            if len(cell) <= width
            else textwrap.wrap(cell, width, break_on_hyphens=False) or [""]
            for cell, width in zip(row, widths, strict=True)
        ]
        for k in range(max(map(len, parts))):
            lines.append(layout(*(part[k] if k < len(part) else "" for part in parts)).rstrip())
    return "\n".join(lines)
