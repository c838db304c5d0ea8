"""What the compiled catalog's questions ask of its rows (see :mod:`.index`).

Which exercises work given muscles, which slots to read as runs, and which rows'
values pass a caller's tests. Nothing here opens the file: the in-memory catalog
asks the same questions of its exercises.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import fields
from itertools import compress
from operator import itemgetter
from typing import Any

from glutekit.model import Exercise
from glutekit.model.packed import PACKED_FIELDS

#: The fields of an exercise's head (all but its id, its name and the packed ones), in
#: the order of its numbers.
NUMBERED = tuple(f.name for f in fields(Exercise) if f.name not in ("id", "name", *PACKED_FIELDS))


#: Tests of an exercise's values, by field (see :meth:`.index.Exercises.working`).
Where = Mapping[str, Callable[[Any], bool]]


def passes(exercise: Exercise, where: Where | None) -> bool:
    """Does every value of ``exercise`` that ``where`` names pass its test?"""
    return not where or all(test(getattr(exercise, field)) for field, test in where.items())


def works(exercise: Exercise, muscles: frozenset[str], *, mainly: bool) -> bool:
    """Does ``exercise`` work any of ``muscles`` (mainly, or at all)?"""
    return not muscles.isdisjoint(exercise.primary) or (
        not mainly and not muscles.isdisjoint(exercise.secondary)
    )


class UnreadableHeads(ValueError):
    """Rows whose heads do not read back: the file is damaged, not the caller's tests."""


def passing(rows: Sequence[Any], where: Where, values: Sequence[Any]) -> list[Any]:
    """The rows (n, id, name, head, packed) whose head values pass ``where``'s tests.

    Each test runs once for each distinct value of its field among the rows; what a
    test raises is the caller's, and goes through as it is.

    :raises UnreadableHeads: for heads that do not read back (each must hold one
        number of ``values`` for each field, or a neighbour's could be read as its).
    """
    tests = [(_place(field), test) for field, test in where.items()]
    if not rows:
        return []
    width = len(NUMBERED)
    heads = _heads(rows, width)
    kept: Iterable[int] = range(len(rows))
    for place, test in tests:
        column = heads[place::width]
        found = set(column)
        if max(found) >= len(values):
            raise UnreadableHeads(f"value {max(found)} of {len(values)} in {NUMBERED[place]}")
        passed = {n for n in found if test(values[n])}
        kept = list(compress(kept, map(passed.__contains__, map(column.__getitem__, kept))))
    return list(map(rows.__getitem__, kept))


def _place(field: str) -> int:
    """Where ``field`` is among a head's numbers."""
    try:
        return NUMBERED.index(field)
    except ValueError:
        raise ValueError(f"working(): cannot test the field {field!r}") from None


def _heads(rows: Sequence[Any], width: int) -> array[int]:
    """The head numbers of ``rows``, one after another (``width`` for each row).

    :raises UnreadableHeads: when a head is not bytes of ``width`` numbers.
    """
    heads = array("I")
    size = width * heads.itemsize
    blobs = list(map(itemgetter(3), rows))
    for blob in blobs:
        if not isinstance(blob, bytes) or len(blob) != size:
            what = f"{len(blob)} bytes" if isinstance(blob, bytes) else type(blob).__name__
            raise UnreadableHeads(f"a head of {what}, not the {size} bytes of {width} numbers")
    heads.frombytes(b"".join(blobs))
    if sys.byteorder != "little":
        heads.byteswap()
    return heads


#: Exercise slots asked for in one statement (SQLite allows 999 values at the least).
CHUNK = 900
#: Neighbouring slots from which a range is read rather than a list: one statement
#: more costs about what a few more values in the list do.
RUN = 4


def runs(numbers: list[int]) -> Iterator[tuple[int, int]]:
    """(first, last) of each run of consecutive numbers in ``numbers`` (sorted)."""
    if not numbers:
        return
    first = last = numbers[0]
    for number in numbers[1:]:
        if number != last + 1:
            yield first, last
            first = number
        last = number
    yield first, last


def numbers_of(blob: bytes) -> array[int]:
    """The exercise slots stored in a muscles row (32-bit, little-endian)."""
    numbers = array("i")
    numbers.frombytes(blob)
    if sys.byteorder != "little":
        numbers.byteswap()
    return numbers


def muscles_in(muscles: frozenset[str], mainly: bool) -> str:
    """The muscles table's condition for ``muscles`` (bound in sorted order)."""
    marks = ", ".join("?" * len(muscles))
    return f"muscle IN ({marks})" + (" AND main = 1" if mainly else "")
