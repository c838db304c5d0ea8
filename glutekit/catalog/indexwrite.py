"""Writing the compiled catalog's SQLite file (what :mod:`.index` reads).

Only a first start, or one after a pack changed, writes it: a warm start never imports
this module, nor the pickle module's Python half.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from itertools import chain
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

from glutekit.catalog.index import FORMAT, fields_of_exercise
from glutekit.catalog.indexrows import NUMBERED
from glutekit.model import Exercise, Pack
from glutekit.model.packed import PACKED_FIELDS


def save(
    path: Path,
    key: str,
    packs: Mapping[str, Pack],
    exercises: Mapping[str, Exercise],
    reports: Sequence[str],
) -> None:
    """Write the compiled catalog to ``path`` (a new file, moved in place by the caller)."""
    import pickle

    dumps = pickle.dumps
    protocol = pickle.HIGHEST_PROTOCOL
    ordered = list(exercises.values())
    numbering = _Numbering()
    groups: Groups = {}
    renamed: list[tuple[str, tuple[str, ...]]] = []
    row = _row_maker(numbering, groups, renamed, partial(dumps, protocol=protocol))
    # One walk over the exercises, in catalog order (the order they lie in memory in:
    # each further walk over 100k of them, for a field or two, took 20 to 45 ms).
    made = list(map(row, range(len(ordered)), ordered))
    slot_of = _give_slots(made, groups)
    counts = Counter(map(itemgetter(3), made))
    stored_packs = {
        pack_id: ({**pack.__dict__, "exercises": ()}, counts.get(pack_id, 0))
        for pack_id, pack in packs.items()
    }
    with _new_file(path) as db:
        # Stored in catalog order, each into its slot: at 100k, walking the rows (or the
        # exercises) in slot order cost about 0.2 s, SQLite's putting each row among
        # the others about half that.
        db.executemany(
            "INSERT INTO exercises (slot, n, id, pack, name, head, packed) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            made,
        )
        del made
        db.executemany("INSERT INTO muscles VALUES (?, ?, ?)", _muscle_rows(groups, slot_of))
        db.executemany(
            "INSERT OR IGNORE INTO former VALUES (?, ?)",
            ((old, exercise_id) for exercise_id, olds in renamed for old in olds),
        )
        # The indexes are made once the rows are in: quicker than keeping them up as it goes.
        db.execute("CREATE UNIQUE INDEX exercises_by_id ON exercises (id)")
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [
                ("format", FORMAT),
                ("key", key),
                ("fields", fields_of_exercise()),
                ("count", len(ordered)),
                ("packs", dumps(stored_packs, protocol)),
                ("reports", dumps(tuple(reports), protocol)),
                ("values", dumps(numbering.values, protocol)),
            ],
        )


class _Numbering:
    """The values the exercises' heads point at, each numbered once, in order of use."""

    def __init__(self) -> None:
        self.values: list[Any] = []
        # A value's place in ``values``, by its id() (the loaders share each word list,
        # dose and the like among the exercises that have it), then by type and value
        # for one made apart (True and 1 are equal, but are not the same value here).
        self._by_id: dict[int, int] = {}
        self._by_value: dict[tuple[type, Any], int] = {}
        #: The number of a value numbered already, by its id(), else None.
        self.known = self._by_id.get

    def number(self, value: Any) -> int:
        values = self.values
        found = self._by_id.get(id(value))
        if found is None:
            try:
                found = self._by_value.setdefault((type(value), value), len(values))
            except TypeError:  # unhashable: shared by identity alone
                found = len(values)
            if found == len(values):
                values.append(value)
            # ``values`` holds each value, so its id() stays its own meanwhile.
            self._by_id[id(value)] = found
        return found


def _row_maker(
    numbering: _Numbering,
    groups: Groups,
    renamed: list[tuple[str, tuple[str, ...]]],
    pickled: Callable[[Any], bytes],
) -> Callable[[int, Exercise], list[Any]]:
    """What makes exercise number ``n``'s row: [slot (given later), n, id, pack, name,
    head, packed]. Each row also adds the exercise to ``groups`` and, when it has former
    ids, to ``renamed``."""
    known = numbering.known
    number = numbering.number
    # Taken from an exercise's attribute dictionary by name, in C; an exercise read
    # from a compiled catalog, whose dictionary holds its texts packed, by attribute.
    head_of = itemgetter(*NUMBERED)
    packed_of = itemgetter(*PACKED_FIELDS)
    head_attributes = attrgetter(*NUMBERED)
    packed_attributes = attrgetter(*PACKED_FIELDS)
    at_pack, at_primary, at_secondary = map(NUMBERED.index, ("pack", "primary", "secondary"))
    at_former = PACKED_FIELDS.index("former_ids")
    swap = sys.byteorder != "little"

    def row(n: int, exercise: Exercise) -> list[Any]:
        state = exercise.__dict__
        try:
            head, texts = head_of(state), packed_of(state)
        except KeyError:
            head, texts = head_attributes(exercise), packed_attributes(exercise)
        try:
            # Nearly every value is one numbered already: looked up in C, by identity
            # (a value not numbered yet is None, which an array of numbers refuses).
            numbers: array[int] = array("I", map(known, map(id, head)))  # type: ignore[arg-type]
        except TypeError:
            numbers = array("I", map(number, head))
        if swap:
            numbers.byteswap()
        pair = head[at_primary], head[at_secondary]
        found = groups.get(pair)
        if found is None:
            groups[pair] = found = []
        found.append(n)
        exercise_id = exercise.id
        if texts[at_former]:
            renamed.append((exercise_id, texts[at_former]))
        return [0, n, exercise_id, head[at_pack], exercise.name, numbers.tobytes(), pickled(texts)]

    return row


def _give_slots(made: list[list[Any]], groups: Groups) -> list[int]:
    """Put each row's slot in its first place, and return the slots by exercise number.

    Rows are stored by the muscle each works first (see .index), in catalog order among
    equals (see _slot_order): the slot is the row's number, from 1.
    """
    slot_of = [0] * len(made)
    for slot, n in enumerate(_slot_order(groups), start=1):
        slot_of[n] = slot
    for made_row, slot in zip(made, slot_of, strict=True):
        made_row[0] = slot
    return slot_of


@contextlib.contextmanager
def _new_file(path: Path) -> Iterator[sqlite3.Connection]:
    """A new SQLite file at ``path`` with the catalog's tables, committed and on disk
    when the block ends."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode = OFF")  # a new file, moved in place only when whole
        db.execute("PRAGMA synchronous = OFF")
        # Rows put in among others (see save) leave pages less full than rows added at
        # the end (the file is 3% larger at 100k, 10% at 10k): in 4 KiB pages a warm
        # start read the rows of a muscle 1 to 2% slower than before; in 8 KiB pages,
        # as quickly or quicker. Pages of 16 KiB took 0.1 s more to write at 100k.
        db.execute("PRAGMA page_size = 8192")
        # Room for the pages the rows are put in: in SQLite's default 2 MiB, some were
        # written out and read back (60 ms at 100k); more gained nothing.
        db.execute("PRAGMA cache_size = -4096")
        db.executescript(
            """
            CREATE TABLE meta (name TEXT PRIMARY KEY, value) WITHOUT ROWID;
            CREATE TABLE exercises (
                slot INTEGER PRIMARY KEY, n INTEGER NOT NULL, id TEXT NOT NULL,
                pack TEXT NOT NULL, name TEXT NOT NULL, head BLOB NOT NULL,
                packed BLOB NOT NULL
            );
            CREATE TABLE muscles (
                muscle TEXT NOT NULL, main INTEGER NOT NULL, ns BLOB NOT NULL,
                PRIMARY KEY (muscle, main)
            ) WITHOUT ROWID;
            CREATE TABLE former (old TEXT PRIMARY KEY, id TEXT NOT NULL) WITHOUT ROWID;
            """
        )
        yield db
        db.commit()
    finally:
        db.close()
    # On disk before it is moved into place: a power cut must not leave half a file there.
    with open(path, "rb+") as written:
        os.fsync(written.fileno())


#: Exercises by the muscles they work: (primary, secondary) -> their numbers, in order
#: (a catalog of any size has few distinct pairs: the slots and the muscles rows are
#: worked out once for each).
Groups = dict[tuple[tuple[str, ...], tuple[str, ...]], list[int]]


def _slot_order(groups: Groups) -> list[int]:
    """The exercises' numbers in the order of their slots: by the muscle each works
    first, then by the one it works next, then in catalog order."""
    by_first: dict[tuple[tuple[str, ...], tuple[str, ...]], list[list[int]]] = {}
    for (primary, secondary), ns in groups.items():
        by_first.setdefault((primary[:1], secondary[:1]), []).append(ns)
    order: list[int] = []
    for first in sorted(by_first):
        lists = by_first[first]
        order += lists[0] if len(lists) == 1 else sorted(chain.from_iterable(lists))
    return order


def _muscle_rows(groups: Groups, slot_of: Sequence[int]) -> Iterator[tuple[str, int, bytes]]:
    """(muscle, main, slots): the exercises that work each muscle, mainly or less
    (``slot_of``: each exercise's slot, by its number)."""
    lists: dict[tuple[str, int], array[int]] = {}
    for (primary, secondary), ns in groups.items():
        slots = array("i", map(slot_of.__getitem__, ns))
        for muscle in primary:
            lists.setdefault((muscle, 1), array("i")).extend(slots)
        for muscle in secondary:
            lists.setdefault((muscle, 0), array("i")).extend(slots)
    for (muscle, main), numbers in lists.items():
        if sys.byteorder != "little":
            numbers.byteswap()
        yield muscle, main, numbers.tobytes()
