"""The compiled catalog on disk: an SQLite file that answers without loading every exercise.

A warm start used to load every exercise of every pack, whatever the command asked
for: 180 MiB and a third of a second with 100,000 exercises, to list the few
thousand that work one muscle. The compiled catalog is now one SQLite file per
content key (see :mod:`.packcache`), written once and never changed:

- ``exercises``: one row per exercise, by its place in catalog order (``n``),
  qualified id, pack and name, with its other attributes in two parts:

  - ``head``, what listing, filtering and planning read: an array of numbers, one per
    field of :data:`NUMBERED`, into the ``values`` kept in ``meta``. A catalog of any
    size has few distinct kinds, word lists, doses, transitions and phase words, each
    stored once; an exercise is made from numbers in half the time of unpickling it.
  - ``packed``, the long texts, pickled as a list, unpickled only when one of them is
    first read (see :mod:`glutekit.model.packed`).

  The rows are stored (``slot``, from 1) by the muscle each exercise works first, then
  by the one it works next, then in catalog order: the exercises that work one muscle
  mainly lie side by side in the file, and those that work it next in a run within
  each other muscle's, so reading them reads a few runs of pages rather than a piece
  of every page (at 10k exercises, 1.3 ms against 3.3 ms for the 752 that work one
  muscle mainly; 2.9 ms against 4.4 ms for the 1,536 that work it at all);
- ``muscles``: for each muscle, mainly or less, the slots of the exercises that work
  it, as one array (a row per muscle: writing a row per exercise and muscle, and an
  index over them, took a third of a 100k catalog's writing);
- ``former``: an exercise's old ids;
- ``meta``: the packs (without their exercises), the messages the merge reported, the
  number of exercises, and the values the heads number.

:class:`Exercises` is the catalog's mapping of exercises over that file: an exercise
is read the first time it is asked for, the whole table only when a command walks
all of them, and :meth:`Exercises.working` reads those that work given muscles,
making only those whose values pass the caller's tests (a composed routine's
equipment and kinds, for one).

The file is written (:mod:`.indexwrite`) beside its final name and moved into place
whole, so a reader never sees half of one; it is opened read-only and immutable. As with every cache
here, a file that cannot be read is ignored and the catalog is built again; the
pickles in it are glutekit's own, in the user's own cache folder.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any

from glutekit.catalog.collector import collector_paused, settle
from glutekit.catalog.indexrows import (
    CHUNK,
    NUMBERED,
    RUN,
    UnreadableHeads,
    Where,
    muscles_in,
    numbers_of,
    passes,
    passing,
    runs,
    works,
)
from glutekit.catalog.indexviews import PackExercises
from glutekit.errors import GlutekitError
from glutekit.model import Exercise, Pack
from glutekit.model.packed import PACKED_FIELDS, PACKED_KEY

try:
    from _pickle import loads as _loads
except ImportError:  # a Python without the C unpickler
    from pickle import loads as _loads

try:
    # SQLite's C module alone: the sqlite3 package around it also loads datetime, for
    # adapters a catalog never uses (about 3 ms of each start).
    import _sqlite3 as sqlite3
except ImportError:  # pragma: no cover - a Python whose sqlite3 is laid out otherwise
    import sqlite3  # type: ignore[no-redef]

FORMAT = "glutekit-catalog-8"


def fields_of_exercise() -> str:
    """What a file's rows hold, to tell one written for other fields: the id and name,
    the numbered fields, then the packed ones."""
    return " ".join(("id", "name", *NUMBERED, "|", *PACKED_FIELDS))


def _exercise(
    exercise_id: str, name: str, head: bytes, values: list[Any], packed: bytes, where: str | None
) -> Exercise:
    """An exercise from its row: the numbers of its head's values in ``values``, and its
    packed fields (past the dataclass machinery)."""
    numbers = array("I")
    numbers.frombytes(head)
    if sys.byteorder != "little":
        numbers.byteswap()
    state = dict(zip(NUMBERED, map(values.__getitem__, numbers), strict=True))
    state["id"] = exercise_id
    state["name"] = name
    state[PACKED_KEY] = (PACKED_FIELDS, packed, where)
    exercise = object.__new__(Exercise)
    object.__setattr__(exercise, "__dict__", state)
    return exercise


class DamagedCatalog(GlutekitError):
    """The compiled catalog could not be read past its first page: it is removed, and
    the next command builds it again."""


class Exercises(Mapping[str, Exercise]):
    """Exercises by qualified id, read from the compiled catalog as they are asked for."""

    def __init__(
        self, opener: Callable[[], sqlite3.Connection], count: int, path: Path | None = None
    ) -> None:
        self._open = opener
        self._path = path
        self._where = str(path) if path is not None else None
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        self._lock = threading.Lock()
        self._count = count
        self._values: list[Any] | None = None
        self._memo: dict[str, Exercise] = {}
        self._all: dict[str, Exercise] | None = None
        self._ids: tuple[str, ...] | None = None
        #: The rows :meth:`working` read, by its question (the file never changes).
        self._working: dict[tuple[frozenset[str], bool], list[Any]] = {}

    # ------------------------------------------------------------------ reading

    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        if self._pid and self._pid != os.getpid():
            # A forked child: the parent's connection and lock are not its to use.
            self._lock, self._db, self._pid = threading.Lock(), None, 0
        with self._lock:
            try:
                if self._db is None:
                    self._db, self._pid = self._open(), os.getpid()
                return self._db.execute(sql, args).fetchall()
            except sqlite3.DatabaseError as exc:
                raise self._damaged(exc) from None

    def _table(self) -> list[Any]:
        """The values the heads number (read on first use)."""
        if self._values is None:
            (value,) = self._rows("SELECT value FROM meta WHERE name = 'values'")[0]
            self._values = list(_loads(value))
        return self._values

    def _made(self, exercise_id: str, name: str, head: bytes, packed: bytes) -> Exercise:
        found = self._memo.get(exercise_id)
        if found is None:
            try:
                values = self._table()
                if not isinstance(packed, bytes):
                    raise TypeError(f"packed fields stored as {type(packed).__name__}")
                if not isinstance(exercise_id, str) or not isinstance(name, str):
                    raise TypeError(
                        f"id and name stored as {type(exercise_id).__name__} "
                        f"and {type(name).__name__}"
                    )
                found = _exercise(exercise_id, name, head, values, packed, self._where)
            except DamagedCatalog:
                raise
            except Exception as exc:  # a stored value that does not read back
                raise self._damaged(exc) from None
            self._memo[exercise_id] = found
        return found

    def _damaged(self, exc: BaseException) -> DamagedCatalog:
        """The error to stop with, once the file that gave ``exc`` is out of the way."""
        where = str(self._path) if self._path is not None else "the compiled catalog"
        if self._path is not None:
            with contextlib.suppress(OSError):
                self._path.unlink()
        return DamagedCatalog(
            f"{where}: the compiled catalog is damaged ({type(exc).__name__}: {exc}); "
            "it was removed, and the next command builds it again from the packs"
        )

    def _in_order(self, rows: list[Any]) -> list[Any]:
        """Rows whose first value is ``n``, in catalog order (they are stored by slot)."""
        try:
            rows.sort(key=itemgetter(0))
        except TypeError as exc:  # an ``n`` that is not a number
            raise self._damaged(exc) from None
        return rows

    def _many(self, rows: list[Any]) -> list[Exercise]:
        """The exercises of ``rows`` (n, id, name, head, packed), made with the cycle collector out
        of the way: each collection would walk every object made so far again."""
        with collector_paused():
            made = [self._made(*row[1:]) for row in rows]
        settle(len(self._memo))
        return made

    def _everything(self) -> dict[str, Exercise]:
        if self._all is None:
            rows = self._in_order(self._rows("SELECT n, id, name, head, packed FROM exercises"))
            self._all = dict(zip((row[1] for row in rows), self._many(rows), strict=True))
            self._ids = tuple(self._all)
        return self._all

    # ------------------------------------------------------------------ Mapping

    def __getitem__(self, exercise_id: str) -> Exercise:
        if self._all is not None:
            return self._all[exercise_id]
        found = self._memo.get(exercise_id)
        if found is not None:
            return found
        if not isinstance(exercise_id, str):
            raise KeyError(exercise_id)
        sql = "SELECT name, head, packed FROM exercises WHERE id = ?"
        rows = self._rows(sql, (exercise_id,))
        if not rows:
            raise KeyError(exercise_id)
        return self._made(exercise_id, *rows[0])

    def __contains__(self, exercise_id: object) -> bool:
        if self._all is not None or exercise_id in self._memo:
            return exercise_id in (self._all or self._memo)
        if not isinstance(exercise_id, str):
            return False
        return bool(self._rows("SELECT 1 FROM exercises WHERE id = ?", (exercise_id,)))

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[str]:
        if self._ids is None:
            rows = self._in_order(self._rows("SELECT n, id FROM exercises"))
            self._ids = tuple(row[1] for row in rows)
        return iter(self._ids)

    def values(self) -> Any:
        return self._everything().values()

    def items(self) -> Any:
        return self._everything().items()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled or copied, it is the dict it stands for.
        return dict, (dict(self.items()),)

    def __repr__(self) -> str:
        return f"<{self._count} exercises of a compiled catalog>"

    # ------------------------------------------------------------------ questions

    def working(
        self, muscles: frozenset[str], *, mainly: bool, where: Where | None = None
    ) -> list[Exercise]:
        """The exercises that work any of ``muscles`` (mainly, or at all), in catalog order.

        ``where`` maps fields of :data:`NUMBERED` to tests of their value: an exercise
        whose value fails one is left out before it is made. Each test runs once for
        each distinct value (a catalog shares them), not once for each exercise.
        """
        if not muscles:
            return []
        if self._all is not None:
            return [
                ex
                for ex in self._all.values()
                if works(ex, muscles, mainly=mainly) and passes(ex, where)
            ]
        rows = self._working.get((muscles, mainly))
        if rows is None:
            rows = self._working[(muscles, mainly)] = self._working_rows(muscles, mainly)
        return self._many(self._where_passed(rows, where) if where else rows)

    def _working_rows(self, muscles: frozenset[str], mainly: bool) -> list[Any]:
        lists = self._rows(
            f"SELECT ns FROM muscles WHERE {muscles_in(muscles, mainly)}", sorted(muscles)
        )
        numbers = self._numbers(blob for (blob,) in lists)
        rows = self._slots(numbers)
        if len(rows) != len(numbers):  # a muscles row names exercises the file lacks
            missing = f"{len(numbers) - len(rows)} of the {len(numbers)} exercises asked for"
            raise self._damaged(LookupError(f"{missing} are not in the file"))
        return self._in_order(rows)

    def _slots(self, numbers: list[int]) -> list[Any]:
        """The rows (n, id, name, head, packed) of these slots (sorted), in no order.

        A run of neighbours is read as a range, in one statement each (the rows are
        stored so that those of one muscle lie in a few runs); the odd ones out are
        asked for by a list, which costs SQLite a lookup each.
        """
        single: list[int] = []
        rows: list[Any] = []
        columns = "n, id, name, head, packed"
        for first, last in runs(numbers):
            if last - first < RUN:
                single.extend(range(first, last + 1))
            else:
                sql = f"SELECT {columns} FROM exercises WHERE slot BETWEEN ? AND ?"
                rows += self._rows(sql, (first, last))
        for start in range(0, len(single), CHUNK):
            part = single[start : start + CHUNK]
            marks = ", ".join("?" * len(part))
            rows += self._rows(f"SELECT {columns} FROM exercises WHERE slot IN ({marks})", part)
        return rows

    def _where_passed(self, rows: list[Any], where: Where) -> list[Any]:
        """The rows (n, id, name, head, packed) whose head values pass ``where``'s tests."""
        try:
            values = self._table()
        except DamagedCatalog:
            raise
        except Exception as exc:  # a table of values that does not read back
            raise self._damaged(exc) from None
        try:
            return passing(rows, where, values)
        except UnreadableHeads as exc:  # not what a caller's test raises: that is theirs
            raise self._damaged(exc) from None

    def _numbers(self, blobs: Iterator[Any]) -> list[int]:
        """The exercise slots of muscles rows, in order; a row that does not hold slots
        of this catalog's exercises is damage, not a muscle nothing works."""
        try:
            numbers = sorted(set().union(*map(numbers_of, blobs)))
        except (TypeError, ValueError) as exc:  # not bytes, or not whole numbers
            raise self._damaged(exc) from None
        if numbers and (numbers[0] < 1 or numbers[-1] > self._count):
            wrong = numbers[0] if numbers[0] < 1 else numbers[-1]
            raise self._damaged(ValueError(f"exercise slot {wrong} of {self._count}"))
        return numbers

    def any_working(self, muscles: frozenset[str], *, mainly: bool) -> bool:
        """Does any exercise work one of ``muscles`` (mainly, or at all)?"""
        if not muscles:
            return False
        if self._all is not None:
            return bool(self.working(muscles, mainly=mainly))
        sql = f"SELECT 1 FROM muscles WHERE {muscles_in(muscles, mainly)} LIMIT 1"
        return bool(self._rows(sql, sorted(muscles)))

    def of_pack(self, pack_id: str) -> tuple[Exercise, ...]:
        """A pack's exercises in the catalog, in order."""
        if self._all is not None:
            return tuple(ex for ex in self._all.values() if ex.pack == pack_id)
        rows = self._rows(
            "SELECT n, id, name, head, packed FROM exercises WHERE pack = ?", (pack_id,)
        )
        return tuple(self._many(self._in_order(rows)))

    def former(self, old_id: str) -> str | None:
        """The exercise that has ``old_id`` among its former ids, if any."""
        rows = self._rows("SELECT id FROM former WHERE old = ?", (old_id,))
        return str(rows[0][0]) if rows else None

    def all_former(self) -> dict[str, str]:
        return {str(old): str(new) for old, new in self._rows("SELECT old, id FROM former")}

    def close(self) -> None:
        with self._lock:
            if self._db is not None and self._pid == os.getpid():
                self._db.close()
            self._db = None


# ---------------------------------------------------------------------------- files


def _connect(path: Path) -> sqlite3.Connection:
    # Immutable: the file is never written once in place, so SQLite takes no lock and
    # looks for no journal; a rebuild replaces the file, and an open one keeps its own.
    uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True, check_same_thread=False)


def load(path: Path, key: str) -> tuple[dict[str, Pack], Exercises, tuple[str, ...]] | None:
    """The packs, exercises and merge messages kept in ``path`` for ``key``; None if unusable."""
    try:
        db = _connect(path)
    except (sqlite3.Error, OSError, ValueError):
        return None
    try:
        meta = dict(
            db.execute(
                "SELECT name, value FROM meta WHERE name IN "
                "('format', 'key', 'fields', 'count', 'packs', 'reports')"
            ).fetchall()
        )
        if (
            meta.get("format") != FORMAT
            or meta.get("key") != key
            or meta.get("fields") != fields_of_exercise()
        ):
            db.close()
            return None
        count = int(meta["count"])
        stored_packs = _loads(meta["packs"])
        reports = tuple(_loads(meta["reports"]))
    except Exception:  # damaged, truncated or not a catalog at all: build again
        db.close()
        return None
    first, opened_by = [db], os.getpid()

    def opener() -> sqlite3.Connection:
        # The connection opened here serves this process only (not a forked child).
        if first and os.getpid() == opened_by:
            return first.pop()
        return _connect(path)

    exercises = Exercises(opener, count, path)
    packs: dict[str, Pack] = {}
    for pack_id, (state, size) in stored_packs.items():
        pack = object.__new__(Pack)
        object.__setattr__(
            pack, "__dict__", {**state, "exercises": PackExercises(exercises, pack_id, size)}
        )
        packs[pack_id] = pack
    return packs, exercises, reports
