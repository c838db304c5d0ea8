"""How every command prints: data on stdout, messages on stderr, one JSON shape.

The rules, documented in docs/cli-conventions.md:

* Data a command was asked for (a listing, a routine, a report) goes to stdout.
  Messages about what happened ("wrote x.pdf", "no exercises match", warnings,
  errors) go to stderr, so ``glutekit ... > file`` and ``| jq`` always get clean data.
* Listings print a table in the terminal and, with ``--json``, a JSON array with
  one object per row, holding at least the table's columns under snake_case keys
  (an empty listing is ``[]``, never an error).
* Reports print one JSON object. A report that judges something (``validate``,
  ``check-pack``) has ``"ok": true|false`` and exits 1 when it found problems.
* Exit codes: 0 ok, 1 problems found or failure, 2 bad usage or bad input.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any, NamedTuple

import click

from glutekit import messages
from glutekit.textcheck import safe


def info(message: str) -> None:
    """A message about what happened, on stderr; silenced by --quiet."""
    if messages.level() >= messages.NORMAL:
        click.echo(message, err=True)


def detail(message: str) -> None:
    """Extra detail, on stderr, shown only with --verbose."""
    if messages.level() >= messages.VERBOSE:
        click.echo(f"glutekit: {message}", err=True)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


class Column(NamedTuple):
    """One column of a listing: its heading and how it lines up (a tuple: a record's
    ``__init__`` is compiled on first use, which costs a listing more than its rows)."""

    heading: str
    justify: str = "left"
    no_wrap: bool = False
    style: str | None = None


#: Longer listings are laid out without rich in a terminal too (see :mod:`.termtable`).
RICH_ROWS = 500


def print_table(columns: Sequence[Column | str], rows: Sequence[Sequence[str]]) -> None:
    """A table with a header row, aligned by display width (wide characters count double).

    In a terminal it fits the window and wraps long cells; written to a pipe or a
    file it keeps every row on one line, so ``grep`` and ``cut`` still work.
    """
    tty = sys.stdout.isatty()
    specs = [col if isinstance(col, Column) else Column(heading=col) for col in columns]
    if not tty:
        click.echo(plain_table(specs, rows))
        return
    if len(rows) > RICH_ROWS:
        import shutil

        from glutekit.cli.termtable import terminal_table

        # Cells hold pack and routine texts: control characters are shown, never sent.
        cleaned = [[safe(cell) for cell in row] for row in rows]
        text = terminal_table(specs, cleaned, shutil.get_terminal_size().columns)
        if text is not None:
            click.echo(text)
            return
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, header_style="bold")
    for spec in specs:
        table.add_column(
            spec.heading,
            justify=spec.justify,  # type: ignore[arg-type]
            no_wrap=spec.no_wrap,
            style=spec.style,
            overflow="fold",
        )
    from rich.text import Text

    for row in rows:
        # Cells hold pack and routine texts: shown literally, never read as markup.
        table.add_row(*(Text(safe(cell)) for cell in row))
    console = Console(file=sys.stdout, highlight=False)
    console.print(table)


def one_cell(char: str) -> bool:
    """Whether ``char`` takes one cell as rich counts it, known without rich's tables:
    printable ASCII, Latin-1's letters and signs (``×``), the other Latin letters and
    the spacing modifiers, and the dashes, quotes and bullets (``–``, ``’``, ``•``).
    """
    return " " <= char <= "~" or "\xa0" <= char <= "\u02ff" or "\u2010" <= char <= "\u2027"


def plain_table(columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> str:
    """The table as rich lays it out off a terminal, made directly.

    Rich measures every cell through its renderer: 4 s for 10,000 exercises, so a
    large catalog's listing would take longer than loading the catalog.
    Columns are as wide as their widest cell (wide characters count double),
    separated by three spaces, with a rule under the header; lines end at their
    last cell.
    """
    measured: dict[str, int] = {}

    def measure(text: str) -> int:
        if text.isascii():
            return len(text)
        width = measured.get(text)  # dose texts ("3 × 10 reps") repeat down a column
        if width is None:
            if all(one_cell(c) for c in text):
                width = measured[text] = len(text)
            else:
                from rich.cells import cell_len  # rich's tables, for the rest of Unicode

                width = measured[text] = cell_len(text)
        return width

    widths = [measure(col.heading) for col in columns]
    # A column is narrow when each of its characters takes one cell, as in nearly
    # every listing: its rows then line up by plain lengths, in one format per row.
    narrow = True
    full = all(len(row) == len(columns) for row in rows)
    by_column = list(zip(*rows, strict=True)) if full and rows else None
    for i in range(len(columns)):
        cells = by_column[i] if by_column else [row[i] for row in rows if i < len(row)]
        if not cells:
            continue
        if "".join(cells).isascii():  # the common case takes plain lengths (in C)
            widths[i] = max(widths[i], max(map(len, cells)))
            continue
        distinct = set(cells)  # dose texts ("30–60 s") repeat down a column
        widths[i] = max(widths[i], max(map(measure, distinct)))
        narrow = narrow and all(measure(c) == len(c) for c in distinct)
    layout = "   ".join(
        f"{{:{'>' if col.justify == 'right' else '<'}{width}}}"
        for col, width in zip(columns, widths, strict=True)
    ).format

    def line(cells: Sequence[str]) -> str:
        if len(cells) == len(columns) and (
            "".join(cells).isascii() or all(measure(c) == len(c) for c in cells)
        ):
            return layout(*cells).rstrip()
        parts = []
        for cell, width, col in zip(cells, widths, columns, strict=False):
            fill = " " * (width - measure(cell))
            parts.append(fill + cell if col.justify == "right" else cell + fill)
        return "   ".join(parts).rstrip()

    rule = "─" * (sum(widths) + 3 * (len(widths) - 1))
    if narrow and full:
        body = [layout(*row).rstrip() for row in rows]
    else:  # rows with wide characters are laid out cell by cell
        body = [line(row) for row in rows]
    return "\n".join([line([c.heading for c in columns]), rule, *body])
