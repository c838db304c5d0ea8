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
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import click

#: Set by the group's --quiet / --verbose: 0 quiet, 1 normal, 2 verbose.
ENV_VERBOSITY = "GLUTEKIT_VERBOSITY"


def verbosity() -> int:
    try:
        return int(os.environ.get(ENV_VERBOSITY, "1"))
    except ValueError:
        return 1


def info(message: str) -> None:
    """A message about what happened, on stderr; silenced by --quiet."""
    if verbosity() >= 1:
        click.echo(message, err=True)


def detail(message: str) -> None:
    """Extra detail, on stderr, shown only with --verbose."""
    if verbosity() >= 2:
        click.echo(f"glutekit: {message}", err=True)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@dataclass(frozen=True, kw_only=True)
class Column:
    """One column of a listing: its heading and how it lines up."""

    heading: str
    justify: str = "left"
    no_wrap: bool = False
    style: str | None = None


def print_table(columns: Sequence[Column | str], rows: Sequence[Sequence[str]]) -> None:
    """A table with a header row, aligned by display width (wide characters count double).

    In a terminal it fits the window and wraps long cells; written to a pipe or a
    file it keeps every row on one line, so ``grep`` and ``cut`` still work.
    """
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, header_style="bold")
    for col in columns:
        spec = col if isinstance(col, Column) else Column(heading=col)
        table.add_column(
            spec.heading,
            justify=spec.justify,  # type: ignore[arg-type]
            no_wrap=spec.no_wrap,
            style=spec.style,
            overflow="fold",
        )
    for row in rows:
        table.add_row(*row)
    tty = sys.stdout.isatty()
    console = Console(
        file=sys.stdout,
        width=None if tty else 100_000,
        highlight=False,
        soft_wrap=not tty,
    )
    if tty:
        console.print(table)
        return
    # Off a terminal: no trailing padding, so each line ends at its last cell.
    with console.capture() as capture:
        console.print(table)
    lines = [line.rstrip() for line in capture.get().splitlines()]
    click.echo("\n".join(lines))
