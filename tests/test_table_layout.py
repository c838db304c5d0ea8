"""Listings off a terminal are laid out directly, exactly as rich lays out the same table."""

from __future__ import annotations

import random

import pytest
from rich import box
from rich.console import Console
from rich.table import Table

from glutekit.cli.output import Column, plain_table

CELLS = ["a", "bb", "日本", "é", "x y", "-", "→", "½", "gluteus_medius", ""]


def _rich(columns: list[Column], rows: list[list[str]]) -> str:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, header_style="bold")
    for col in columns:
        table.add_column(col.heading, justify=col.justify, no_wrap=col.no_wrap, overflow="fold")  # type: ignore[arg-type]
    for row in rows:
        table.add_row(*row)
    console = Console(width=100_000, highlight=False, soft_wrap=True)
    with console.capture() as capture:
        console.print(table)
    return "\n".join(line.rstrip() for line in capture.get().splitlines())


@pytest.mark.parametrize("seed", range(40))
def test_plain_table_matches_rich(seed: int) -> None:
    rng = random.Random(seed)
    width = rng.randint(1, 5)
    columns = [
        Column(
            heading=rng.choice(["ID", "Name", "Dose", "N", "Länge"]),
            justify=rng.choice(["left", "right"]),
        )
        for _ in range(width)
    ]
    rows = [
        ["".join(rng.choice(CELLS) for _ in range(rng.randint(0, 4))) for _ in range(width)]
        for _ in range(rng.randint(0, 6))
    ]
    assert plain_table(columns, rows) == _rich(columns, rows)
