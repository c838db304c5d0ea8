"""The compiled catalog on disk answers without loading every exercise, and answers the same.

A warm start reads exercises from the SQLite file as they are asked for; every answer
must be the one the catalog built from the packs gives: each exercise field for field,
the packs with their exercises, old ids, and the exercises that work a muscle.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from dataclasses import fields
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from glutekit.catalog import Catalog, index
from glutekit.catalog.indexrows import passing
from glutekit.catalog.loaders import pack_from_data
from glutekit.host.plugins import make_plugin_host
from glutekit.model import Exercise
from tests.packfiles import EXAMPLE_PACK, PackFiles


def _build(*packs: Path) -> tuple[Catalog, list[str]]:
    warnings: list[str] = []
    host = make_plugin_host(
        autoload=True, only=None, block=(), strict=False, trace=False, warn=warnings.append
    )
    host.register(PackFiles(*packs), "test-packs")
    return Catalog.build(host, user_routines=False), warnings


def _cache_files() -> list[Path]:
    folder = Path(os.environ["XDG_CACHE_HOME"]) / "glutekit" / "catalog"
    return sorted(folder.glob("*.sqlite"))


@pytest.fixture
def chained(tmp_path: Path) -> Path:
    """The example pack, with a former id, a chain and a spoken caution added."""
    data = json.loads(EXAMPLE_PACK.read_text(encoding="utf-8"))
    first, second = data["exercises"][0], data["exercises"][1]
    first["former_ids"] = ["old-first"]
    second["cautions"] = [{"text": "Stop if the knee hurts.", "spoken": True}]
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_warm_catalog_reads_only_what_it_is_asked_for(chained: Path) -> None:
    cold, _ = _build(chained)
    assert isinstance(cold.exercises, dict)
    warm, _ = _build(chained)
    exercises = warm.exercises
    assert isinstance(exercises, index.Exercises)
    some = next(iter(cold.exercises))
    assert warm.exercise(some) == cold.exercises[some]
    assert len(exercises) == len(cold.exercises)
    # One exercise was read, not the catalog.
    assert exercises._all is None and list(exercises._memo) == [some]


def test_every_answer_of_a_warm_catalog_is_the_built_ones(chained: Path) -> None:
    cold, cold_warnings = _build(chained)
    warm, warm_warnings = _build(chained)
    assert warm_warnings == cold_warnings
    # Each exercise field for field, in the same order.
    assert list(warm.exercises) == list(cold.exercises)
    for exercise_id, built in cold.exercises.items():
        read = warm.exercises[exercise_id]
        assert type(read) is Exercise
        assert [getattr(read, f.name) for f in fields(Exercise)] == [
            getattr(built, f.name) for f in fields(Exercise)
        ]
    # The packs, with their exercises in order.
    assert warm.packs == cold.packs
    for pack_id, pack in cold.packs.items():
        assert len(warm.packs[pack_id].exercises) == len(pack.exercises)
        assert tuple(warm.packs[pack_id].exercises) == tuple(pack.exercises)
    # Old ids, unknown ids.
    data = json.loads(chained.read_text(encoding="utf-8"))
    old = f"{data['id']}:old-first"
    assert (
        warm.resolve_id(old) == cold.resolve_id(old) == f"{data['id']}:{data['exercises'][0]['id']}"
    )
    assert warm.exercise(old) == cold.exercise(old)
    assert "nowhere:nothing" not in warm.exercises
    assert warm.exercises.get("nowhere:nothing") is None
    # The exercises that work each muscle, mainly or at all.
    muscles = {m for ex in cold.exercises.values() for m in ex.primary + ex.secondary}
    assert len(muscles) > 3
    for muscle in sorted(muscles):
        for mainly in (True, False):
            want = cold.working(frozenset({muscle}), mainly=mainly)
            assert warm.working(frozenset({muscle}), mainly=mainly) == want
            assert warm.working(frozenset({muscle}), mainly=mainly) == want  # asked again
            worked = cold.works_any(frozenset({muscle}), mainly=mainly)
            assert worked == bool(want)
            assert warm.works_any(frozenset({muscle}), mainly=mainly) == worked
    for nothing in (frozenset({"no_such_muscle"}), frozenset()):
        assert not cold.works_any(nothing, mainly=False)
        assert not warm.works_any(nothing, mainly=False)
    both = frozenset(sorted(muscles)[:2])
    assert warm.working(both, mainly=False) == cold.working(both, mainly=False)
    assert warm.working(frozenset(), mainly=False) == []


def test_a_muscle_worked_by_more_exercises_than_one_statement_names_is_read_in_parts(
    chained: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold, _ = _build(chained)
    warm, _ = _build(chained)
    monkeypatch.setattr(index, "CHUNK", 2)
    muscles = frozenset(m for ex in cold.exercises.values() for m in ex.primary + ex.secondary)
    want = cold.working(muscles, mainly=False)
    assert len(want) > 2 * index.CHUNK
    assert warm.working(muscles, mainly=False) == want
    assert warm.working(muscles, mainly=True) == cold.working(muscles, mainly=True)


@pytest.mark.parametrize(
    "numbers",
    [
        b"\x01\x02\x03",
        "not numbers",
        (10**6).to_bytes(4, "little"),
        (-1).to_bytes(4, "little", signed=True),
    ],
    ids=["cut-short", "text", "past-the-end", "negative"],
)
def test_a_muscles_row_that_is_not_exercise_numbers_is_a_damaged_catalog(
    chained: Path, numbers: bytes | str
) -> None:
    cold, _ = _build(chained)
    (compiled,) = _cache_files()
    db = sqlite3.connect(compiled)
    db.execute("UPDATE muscles SET ns = ?", (numbers,))
    db.commit()
    db.close()
    warm, _ = _build(chained)
    assert isinstance(warm.exercises, index.Exercises)
    muscle = frozenset(next(iter(cold.exercises.values())).primary)
    with pytest.raises(index.DamagedCatalog, match="damaged") as raised:
        warm.working(muscle, mainly=False)
    assert str(compiled) in str(raised.value)
    assert not compiled.exists()
    again, _ = _build(chained)
    assert again.working(muscle, mainly=False) == cold.working(muscle, mainly=False)


def test_working_where_makes_only_the_exercises_whose_values_pass(chained: Path) -> None:
    cold, _ = _build(chained)
    warm, _ = _build(chained)
    assert isinstance(warm.exercises, index.Exercises)
    muscles = frozenset(m for ex in cold.exercises.values() for m in ex.targets)
    everything = cold.working(muscles, mainly=False)
    kinds = {ex.kind for ex in everything}
    assert len(kinds) > 1
    kind = sorted(kinds)[0]
    asked: list[Any] = []

    def stretch_or_first(value: Any) -> bool:
        asked.append(value)
        return value in (kind, "stretch")

    where = {"kind": stretch_or_first, "per_side": lambda value: value is True}
    wanted = [ex for ex in everything if ex.kind in (kind, "stretch") and ex.per_side is True]
    assert 0 < len(wanted) < len(everything)
    found = warm.working(muscles, mainly=False, where=where)
    assert found == wanted
    assert [ex.id for ex in found] == [ex.id for ex in wanted]
    # Each test ran once for each distinct value, and the others were never made.
    assert sorted(asked) == sorted(kinds)
    assert len(warm.exercises._memo) == len(wanted)
    # The same question without the tests answers with every exercise, in order.
    assert warm.working(muscles, mainly=False) == everything
    # A catalog that has read every exercise, and one built in memory, answer the same.
    assert dict(warm.exercises.items()) == dict(cold.exercises.items())
    assert warm.working(muscles, mainly=False, where=where) == wanted
    assert cold.working(muscles, mainly=False, where=where) == wanted


def test_working_where_refuses_a_field_that_is_not_tested_by_value(chained: Path) -> None:
    _build(chained)
    warm, _ = _build(chained)
    with pytest.raises(ValueError, match="'instructions'"):
        warm.working(frozenset({"gluteus_medius"}), mainly=False, where={"instructions": bool})


@pytest.mark.parametrize("head", [b"\x01\x02\x03", (10**6).to_bytes(4, "little") * 16])
def test_a_head_that_does_not_read_back_is_a_damaged_catalog_when_tested_too(
    chained: Path, head: bytes
) -> None:
    cold, _ = _build(chained)
    (compiled,) = _cache_files()
    db = sqlite3.connect(compiled)
    width = len(index.NUMBERED)
    db.execute("UPDATE exercises SET head = ?", (head[: 4 * width] if len(head) > 4 else head,))
    db.commit()
    db.close()
    warm, _ = _build(chained)
    muscle = frozenset(next(iter(cold.exercises.values())).primary)
    with pytest.raises(index.DamagedCatalog, match="damaged") as raised:
        warm.working(muscle, mainly=False, where={"kind": bool, "level": bool})
    assert str(compiled) in str(raised.value) and "\n" not in str(raised.value)
    assert not compiled.exists()
    again, _ = _build(chained)
    assert again.working(muscle, mainly=False) == cold.working(muscle, mainly=False)


def test_a_head_of_the_wrong_length_is_damage_though_its_neighbour_makes_up_for_it(
    chained: Path,
) -> None:
    """Two heads, one a number longer and the next one shorter, hold as many numbers
    as they should together: each is still damage, not a neighbour's values read as
    its own (which would leave an exercise out without a word)."""
    cold, _ = _build(chained)
    order = list(cold.exercises.values())
    first, second = next((a, b) for a, b in pairwise(order) if a.kind != b.kind)
    (compiled,) = _cache_files()
    db = sqlite3.connect(compiled)
    heads = dict(db.execute("SELECT id, head FROM exercises").fetchall())
    longer, shorter = heads[first.id] + heads[first.id][-4:], heads[second.id][:-4]
    db.execute("UPDATE exercises SET head = ? WHERE id = ?", (longer, first.id))
    db.execute("UPDATE exercises SET head = ? WHERE id = ?", (shorter, second.id))
    db.commit()
    db.close()
    warm, _ = _build(chained)
    muscles = frozenset(m for ex in order for m in ex.targets)
    with pytest.raises(index.DamagedCatalog, match="damaged") as raised:
        warm.working(muscles, mainly=False, where={"kind": second.kind.__eq__})
    assert str(compiled) in str(raised.value) and "\n" not in str(raised.value)
    assert not compiled.exists()


def test_a_table_of_values_that_does_not_read_back_is_a_damaged_catalog_when_tested(
    chained: Path,
) -> None:
    cold, _ = _build(chained)
    (compiled,) = _cache_files()
    db = sqlite3.connect(compiled)
    db.execute("UPDATE meta SET value = ? WHERE name = 'values'", (b"\x80\x05not a pickle",))
    db.commit()
    db.close()
    warm, _ = _build(chained)
    muscle = frozenset(next(iter(cold.exercises.values())).primary)
    with pytest.raises(index.DamagedCatalog, match="damaged") as raised:
        warm.working(muscle, mainly=False, where={"kind": bool})
    assert str(compiled) in str(raised.value) and "\n" not in str(raised.value)
    assert not compiled.exists()
    again, _ = _build(chained)
    assert again.working(muscle, mainly=False) == cold.working(muscle, mainly=False)


@pytest.mark.parametrize("error", [TypeError, ValueError, IndexError, KeyError])
def test_what_a_callers_test_raises_is_its_own_and_the_file_is_kept(
    chained: Path, error: type[Exception]
) -> None:
    cold, _ = _build(chained)
    (compiled,) = _cache_files()
    warm, _ = _build(chained)
    assert isinstance(warm.exercises, index.Exercises)
    muscle = frozenset(next(iter(cold.exercises.values())).primary)

    def broken(value: Any) -> bool:
        raise error("a bug in the test, not in the file")

    with pytest.raises(error, match="a bug in the test"):
        warm.working(muscle, mainly=False, where={"kind": broken})
    # Asked of the exercises directly, a field that is not tested by value is the
    # caller's mistake too.
    with pytest.raises(ValueError, match="'instructions'"):
        warm.exercises.working(muscle, mainly=False, where={"instructions": bool})
    assert compiled.exists()
    assert warm.working(muscle, mainly=False) == cold.working(muscle, mainly=False)


def test_no_rows_pass_every_test_whatever_the_values() -> None:
    assert passing([], {"kind": bool}, []) == []


def test_an_exercise_missing_from_the_file_is_a_damaged_catalog_not_a_shorter_list(
    chained: Path,
) -> None:
    cold, _ = _build(chained)
    (compiled,) = _cache_files()
    muscle = frozenset(next(iter(cold.exercises.values())).primary)
    db = sqlite3.connect(compiled)
    db.execute("DELETE FROM exercises WHERE slot = (SELECT max(slot) FROM exercises)")
    db.commit()
    db.close()
    warm, _ = _build(chained)
    everything = frozenset(m for ex in cold.exercises.values() for m in ex.targets)
    with pytest.raises(index.DamagedCatalog, match="not in the file") as raised:
        warm.working(everything, mainly=False)
    assert str(compiled) in str(raised.value)
    assert not compiled.exists()
    again, _ = _build(chained)
    assert again.working(muscle, mainly=False) == cold.working(muscle, mainly=False)


def test_a_pack_split_over_files_keeps_the_earlier_of_two_exercises_with_one_id(
    chained: Path, tmp_path: Path
) -> None:
    data = json.loads(chained.read_text(encoding="utf-8"))
    first, second = data["exercises"][:2], data["exercises"][2:]
    clash = {**first[0], "name": "The same id again"}
    halves = (tmp_path / "one.json", tmp_path / "two.json")
    for half, exercises in zip(halves, (first, [clash, *second]), strict=True):
        half.write_text(json.dumps({**data, "exercises": exercises}), encoding="utf-8")
    cold, warnings = _build(*halves)
    ids = [f"{data['id']}:{ex['id']}" for ex in data["exercises"]]
    assert [ex.id for ex in cold.packs[data["id"]].exercises] == ids
    assert cold.exercises[ids[0]].name == first[0]["name"]
    assert len(warnings) == 1 and f"duplicate exercise id in pack '{data['id']}'" in warnings[0]
    warm, warm_warnings = _build(*halves)
    assert isinstance(warm.exercises, index.Exercises)
    assert warm_warnings == warnings
    assert tuple(warm.packs[data["id"]].exercises) == tuple(cold.packs[data["id"]].exercises)


def test_the_fast_loader_fills_every_field_as_the_constructor_would() -> None:
    data = json.loads(EXAMPLE_PACK.read_text(encoding="utf-8"))
    pack = pack_from_data(data, plugin="test", origin=str(EXAMPLE_PACK))
    names = [f.name for f in fields(Exercise)]
    for exercise in pack.exercises:
        assert list(exercise.__dict__) == names
        assert Exercise(**exercise.__dict__) == exercise


def test_a_damaged_or_foreign_file_is_ignored_and_replaced(chained: Path) -> None:
    cold, _ = _build(chained)
    (compiled,) = _cache_files()
    whole = compiled.read_bytes()
    for damage in (
        whole[: len(whole) // 2],  # cut short
        b"SQLite format 3\x00" + b"\x00" * 200,  # a header and nothing else
    ):
        compiled.write_bytes(damage)
        again, warnings = _build(chained)
        assert warnings == []
        assert isinstance(again.exercises, dict)  # built from the packs
        assert again.exercises == cold.exercises
        assert compiled.read_bytes() != damage
    # A real SQLite database that is not this catalog's.
    compiled.unlink()
    db = sqlite3.connect(compiled)
    db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value)")
    db.execute("INSERT INTO meta VALUES ('format', ?), ('key', 'another')", (index.FORMAT,))
    db.commit()
    db.close()
    again, warnings = _build(chained)
    assert warnings == [] and isinstance(again.exercises, dict)
    warm, _ = _build(chained)
    assert isinstance(warm.exercises, index.Exercises)
    assert warm.exercises == cold.exercises


def test_threads_read_one_warm_catalog_at_once(chained: Path) -> None:
    cold, _ = _build(chained)
    warm, _ = _build(chained)
    ids = list(cold.exercises)
    seen: list[Any] = []
    failures: list[BaseException] = []

    def read() -> None:
        try:
            for _ in range(30):
                for exercise_id in ids:
                    seen.append(warm.exercises[exercise_id] == cold.exercises[exercise_id])
        except BaseException as exc:
            failures.append(exc)

    workers = [threading.Thread(target=read) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    assert len(seen) == 4 * 30 * len(ids) and all(seen)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_reads_through_its_own_connection(chained: Path) -> None:
    _build(chained)
    warm, _ = _build(chained)
    ids = list(warm.exercises)
    warm.exercises[ids[0]]  # the parent's connection is open
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child: read the rest, say what it found
        try:
            names = [warm.exercises[i].name for i in ids[1:]]
            os.write(write, json.dumps(names).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        names = json.loads(pipe.read())
    os.waitpid(child, 0)
    assert names == [warm.exercises[i].name for i in ids[1:]]


def test_exercises_by_muscle_list_the_same_warm_as_cold(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "COLUMNS": "200",
    }
    commands = (
        ["exercises", "--target", "gluteus_medius"],
        ["exercises", "--target", "hip", "--secondary"],
        ["exercises", "--target", "gluteus_maximus", "--json"],
        ["exercises"],
    )
    first = [
        subprocess.run(
            [sys.executable, "-m", "glutekit", *args], env=env, capture_output=True, text=True
        )
        for args in commands
    ]
    assert list((tmp_path / "cache" / "glutekit" / "catalog").glob("*.sqlite"))
    again = [
        subprocess.run(
            [sys.executable, "-m", "glutekit", *args], env=env, capture_output=True, text=True
        )
        for args in commands
    ]
    for cold, warm in zip(first, again, strict=True):
        assert cold.returncode == warm.returncode == 0, cold.stderr + warm.stderr
        assert warm.stdout == cold.stdout and warm.stderr == cold.stderr
    assert "gluteus" in json.dumps(json.loads(first[2].stdout))
    assert len(first[3].stdout.splitlines()) > len(first[0].stdout.splitlines()) > 3


def test_a_pack_added_to_a_warm_catalog_joins_it(chained: Path, tmp_path: Path) -> None:
    """check-pack and publish add the pack they check to the catalog the plugins made."""
    cold, _ = _build(chained)
    warm, _ = _build(chained)
    assert isinstance(warm.exercises, index.Exercises)
    data = json.loads(EXAMPLE_PACK.read_text(encoding="utf-8"))
    data["id"] = "another-pack"
    data["exercises"][0]["former_ids"] = ["gone"]
    added = pack_from_data(data, plugin="checked", origin="<dict>")
    problems: list[str] = []
    warm.add_pack(added, problems.append)
    assert problems == []
    assert len(warm.exercises) == len(cold.exercises) + len(added.exercises)
    first = added.exercises[0]
    assert warm.exercise("another-pack:gone") == first
    assert warm.packs["another-pack"].exercises == added.exercises
    # What was there before is still there, and the old ids still resolve.
    old = f"{json.loads(chained.read_text())['id']}:old-first"
    assert warm.exercise(old) == cold.exercise(old)
    assert all(warm.exercises[i] == ex for i, ex in cold.exercises.items())
    muscle = frozenset({first.primary[0]})
    assert first in warm.working(muscle)


def test_a_file_damaged_inside_is_one_line_then_built_again(tmp_path: Path) -> None:
    """A compiled catalog whose first page and settings read well but whose exercises do
    not (a disk error, a bad copy): one line naming it, and the next command works."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "glutekit", "exercises"]
    first = subprocess.run(command, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    (compiled,) = (tmp_path / "cache" / "glutekit" / "catalog").glob("*.sqlite")
    data = bytearray(compiled.read_bytes())
    page = 4096
    # Zero every page that holds an exercise's row (its id in the row), and no other.
    ids = [line.split()[0].encode() for line in first.stdout.splitlines()[2:] if ":" in line]
    hit = {data.find(i) // page for i in ids} - {-1 // page}
    assert hit and 0 not in hit
    for number in hit:
        data[number * page : (number + 1) * page] = bytes(page)
    compiled.write_bytes(bytes(data))
    damaged = subprocess.run(command, env=env, capture_output=True, text=True)
    assert damaged.returncode != 0
    lines = damaged.stderr.strip().splitlines()
    assert len(lines) == 1, damaged.stderr
    assert str(compiled) in lines[0] and "damaged" in lines[0]
    assert "Traceback" not in damaged.stderr and "internal error" not in damaged.stderr
    assert not compiled.exists()
    again = subprocess.run(command, env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout


def test_a_warm_exercise_unpacks_its_long_texts_only_when_one_is_read(chained: Path) -> None:
    import copy
    import pickle

    from glutekit.model.packed import PACKED_FIELDS, PACKED_KEY

    cold, _ = _build(chained)
    warm, _ = _build(chained)
    muscles = frozenset(m for ex in cold.exercises.values() for m in ex.primary)
    listed = warm.working(muscles, mainly=True)
    assert listed and all(PACKED_KEY in ex.__dict__ for ex in listed)
    # What a listing reads leaves them packed.
    assert [(ex.id, ex.name, ex.kind, ex.dose) for ex in listed] == [
        (ex.id, ex.name, ex.kind, ex.dose) for ex in cold.working(muscles, mainly=True)
    ]
    assert all(PACKED_KEY in ex.__dict__ for ex in listed)
    first = listed[0]
    built = cold.exercises[first.id]
    # Copies and pickles carry the packed fields with them.
    for twin in (copy.copy(first), pickle.loads(pickle.dumps(first))):
        assert PACKED_KEY in twin.__dict__
        assert twin == built
    assert first.cues == built.cues
    assert PACKED_KEY not in first.__dict__
    assert [getattr(first, name) for name in PACKED_FIELDS] == [
        getattr(built, name) for name in PACKED_FIELDS
    ]
    # The class still answers with each field's default.
    assert (Exercise.summary, Exercise.cues, Exercise.credit) == (None, (), "")


def test_an_exercise_whose_packed_texts_do_not_read_back_is_one_line_then_built_again(
    chained: Path,
) -> None:
    from glutekit.errors import GlutekitError

    cold, _ = _build(chained)
    (compiled,) = _cache_files()
    db = sqlite3.connect(compiled)
    db.execute("UPDATE exercises SET packed = ?", (b"\x80\x05not a pickle",))
    db.commit()
    db.close()
    warm, _ = _build(chained)
    some = next(iter(cold.exercises))
    exercise = warm.exercise(some)
    assert exercise.name == cold.exercises[some].name
    with pytest.raises(GlutekitError, match="damaged") as raised:
        _ = exercise.instructions
    message = str(raised.value)
    assert str(compiled) in message and "\n" not in message
    assert not compiled.exists()
    again, _ = _build(chained)
    assert again.exercise(some).instructions == cold.exercises[some].instructions


def test_the_exercises_that_work_a_muscle_first_and_next_are_stored_side_by_side(
    chained: Path,
) -> None:
    cold, _ = _build(chained)
    _build(chained)
    (compiled,) = _cache_files()
    db = sqlite3.connect(compiled)
    stored = dict(db.execute("SELECT id, slot FROM exercises").fetchall())
    db.close()
    order = list(cold.exercises)
    by_first: dict[str, list[int]] = {}
    by_both: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for exercise in cold.exercises.values():
        by_first.setdefault(exercise.primary[0], []).append(stored[exercise.id])
        both = (exercise.primary[0], exercise.secondary[:1])
        by_both.setdefault(both, []).append(stored[exercise.id])
    assert len(by_first) > 1
    for slots in by_first.values():
        assert sorted(slots) == list(range(min(slots), min(slots) + len(slots)))
    # Among those, the ones that work the same muscle next lie side by side too, in
    # catalog order.
    assert len(by_both) > len(by_first)
    for slots in by_both.values():
        assert slots == list(range(min(slots), min(slots) + len(slots)))
    # Stored out of catalog order, read back in it.
    assert sorted(stored, key=stored.__getitem__) != order
    warm, _ = _build(chained)
    assert list(warm.exercises) == order
    assert [ex.id for ex in warm.exercises.values()] == order


def test_a_head_numbers_each_distinct_value_once_and_keeps_its_type(tmp_path: Path) -> None:
    """Values the loaders did not share (a plugin's own objects) are stored once by value,
    and a value is never taken for an equal one of another type (1 for True)."""
    from glutekit.catalog import indexwrite

    data = json.loads(EXAMPLE_PACK.read_text(encoding="utf-8"))
    pack = pack_from_data(data, plugin="test", origin=str(EXAMPLE_PACK))
    made: dict[str, Exercise] = {}
    for copy_number in range(3):
        for ex in pack.exercises:
            state = {f.name: getattr(ex, f.name) for f in fields(Exercise)}
            state["id"] = f"{ex.id}-{copy_number}"
            # Equal values, but objects of their own.
            state["primary"] = tuple(list(ex.primary))
            state["tags"] = tuple(list(ex.tags))
            state["settle"] = 1
            state["per_side"] = copy_number != 1
            made[state["id"]] = Exercise(**state)
    path = tmp_path / "catalog.sqlite"
    indexwrite.save(path, "key", {pack.id: pack}, made, ())
    found = index.load(path, "key")
    assert found is not None
    _, exercises, _ = found
    assert list(exercises) == list(made)
    for exercise_id, ex in made.items():
        read = exercises[exercise_id]
        assert read == ex
        assert read.settle == 1 and type(read.settle) is int
        assert read.per_side is ex.per_side
    db = sqlite3.connect(path)
    ((blob,),) = db.execute("SELECT value FROM meta WHERE name = 'values'").fetchall()
    db.close()
    import pickle

    stored = pickle.loads(blob)
    distinct = {
        (type(value), value)
        for ex in made.values()
        for value in (getattr(ex, f) for f in index.NUMBERED)
    }
    # Three copies of each exercise with values of their own, and as many values as
    # there are distinct ones: each stored once.
    assert len(stored) == len(distinct)


def test_a_packed_field_asked_for_while_another_thread_unpacks_is_the_exercises_own(
    chained: Path,
) -> None:
    """Two threads read a packed exercise at once: the second found no field in its
    dictionary and went to the class's descriptor, and the first unpacked every field
    (and dropped the pickle) before the descriptor looked. It answers the exercise's
    value, never the field's default."""
    cold, _ = _build(chained)
    warm, _ = _build(chained)
    built = next(ex for ex in cold.exercises.values() if ex.cues and ex.summary)
    read = warm.exercise(built.id)
    cues, summary = vars(Exercise)["cues"], vars(Exercise)["summary"]
    assert read.instructions == built.instructions  # the other thread unpacks
    assert cues.__get__(read, Exercise) == built.cues
    assert summary.__get__(read, Exercise) == built.summary


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE exercises SET name = CAST(name AS BLOB)",
        "UPDATE exercises SET id = CAST(id AS BLOB) WHERE slot = 2",
        "UPDATE exercises SET n = 'x' || n WHERE slot = 2",
    ],
    ids=["name-as-bytes", "id-as-bytes", "n-as-text"],
)
def test_an_exercise_column_of_the_wrong_type_is_a_damaged_catalog(
    chained: Path, damage: str
) -> None:
    """A column whose type changed (one bit of a row's header turns its text into bytes)
    is damage, as a value that does not unpickle is: not an exercise with a name of
    bytes, nor a catalog that cannot be put in order."""
    cold, _ = _build(chained)
    (compiled,) = _cache_files()
    db = sqlite3.connect(compiled)
    db.execute(damage)
    db.commit()
    db.close()
    warm, _ = _build(chained)
    assert isinstance(warm.exercises, index.Exercises)
    with pytest.raises(index.DamagedCatalog, match="damaged") as raised:
        list(warm.exercises.values())
    assert str(compiled) in str(raised.value)
    assert not compiled.exists()
    again, _ = _build(chained)
    assert list(again.exercises.values()) == list(cold.exercises.values())
