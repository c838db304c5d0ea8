"""Read the tables that listing commands print, as a user's script would."""

from __future__ import annotations


def table_rows(output: str) -> list[str]:
    """The data rows of a listing: everything after the header and its rule."""
    lines = output.splitlines()
    if len(lines) < 2 or set(lines[1].strip()) != {"─"}:
        raise AssertionError(f"not a table with a header row:\n{output}")
    return [line for line in lines[2:] if line.strip()]


def first_column(output: str) -> list[str]:
    return [line.split()[0] for line in table_rows(output)]
