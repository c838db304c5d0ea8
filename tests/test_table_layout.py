"""Listings off a terminal are laid out directly, exactly as rich lays out the same table."""

from __future__ import annotations

import random
import sys

import click
import pytest
from rich import box
from rich.console import Console
from rich.table import Table

from glutekit.cli.output import RICH_ROWS, Column, one_cell, plain_table, print_table
from glutekit.cli.termtable import terminal_table

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


# ------------------------------------------------------------- long listings in a terminal

WORDS = ["hip", "gluteus", "medius", "stretch", "with", "a", "ball", "supercalifragilistic", "x"]


def _listing(rng: random.Random, count: int) -> tuple[list[Column], list[list[str]]]:
    columns = [
        Column(heading="ID", no_wrap=True),
        Column(heading="Name"),
        Column(heading="Kind", no_wrap=True),
        Column(heading="Position"),
        Column(heading="Dose", no_wrap=True),
    ]
    rows = [
        [
            f"pack:ex-{n}",
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 8))),
            rng.choice(["stretch", "release"]),
            rng.choice(["side-lying", "seated", "half-kneeling on a mat"]),
            rng.choice(["30–60 s per side", "8 breaths", "2 × 10 reps"]),
        ]
        for n in range(count)
    ]
    return columns, rows


def test_a_long_listing_that_fits_the_terminal_is_the_plain_layout_with_a_bold_header() -> None:
    columns, rows = _listing(random.Random(1), 600)
    shown = terminal_table(columns, rows, 10_000)
    assert shown is not None
    header, rest = shown.split("\n", 1)
    assert header.startswith("\x1b[1m") and header.endswith("\x1b[0m")
    assert "\n".join([click.unstyle(header), rest]) == plain_table(columns, rows)


@pytest.mark.parametrize("screen", [70, 80, 100])
def test_a_long_listing_wraps_within_a_narrow_terminal_and_keeps_every_word(screen: int) -> None:
    columns, rows = _listing(random.Random(screen), 600)
    shown = terminal_table(columns, rows, screen)
    assert shown is not None
    lines = shown.split("\n")
    header = click.unstyle(lines[0])
    assert max(len(line) for line in lines[1:]) <= screen
    assert set(lines[1]) == {"─"}
    # Where each column starts (every heading here is left-aligned), and each row's
    # cells put together again from its lines: the first line names its id.
    starts = [header.index(col.heading) for col in columns]
    found: list[list[str]] = []
    for line in lines[2:]:
        cells = [
            line[start:end].strip()
            for start, end in zip(starts, [*starts[1:], len(line) + 1], strict=True)
        ]
        if cells[0]:
            found.append(cells)
        else:
            found[-1] = [
                " ".join(filter(None, pair)) for pair in zip(found[-1], cells, strict=True)
            ]
    # Every character in order (a word longer than its column is cut into pieces).
    assert [["".join(cell.split()) for cell in row] for row in found] == [
        ["".join(cell.split()) for cell in row] for row in rows
    ]
    assert any(len(line) > 0 and not line[: starts[1]].strip() for line in lines[2:])  # it wrapped


def test_the_characters_measured_without_rich_take_one_cell_in_rich() -> None:
    from rich.cells import cell_len

    known = [chr(c) for c in range(0x110000) if one_cell(chr(c))]
    assert "×" in known and "–" in known and "é" in known and "\u0301" not in known
    assert [c for c in known if cell_len(c) != 1] == []


def test_a_listing_with_wide_characters_is_left_to_rich() -> None:
    columns, rows = _listing(random.Random(2), 600)
    rows[300][1] = "日本 stretch"
    assert terminal_table(columns, rows, 80) is None


def test_a_long_listing_in_a_terminal_is_fitted_to_the_window(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    columns, rows = _listing(random.Random(3), RICH_ROWS + 1)
    rows[7][1] = "Hug \x1b[2J now"  # a control character is shown, never sent
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", "90")
    print_table(columns, rows)
    out = capsys.readouterr().out
    assert "\x1b[2J" not in out and "\\u001b[2J" in out
    lines = click.unstyle(out).splitlines()
    assert max(map(len, lines)) <= 90
    assert sum(1 for line in lines if line.startswith("pack:ex-")) == RICH_ROWS + 1
