"""How the compiled catalog's writer lays out the rows: the order of the slots, and
the muscles rows, against the plain definitions they stand for."""

from __future__ import annotations

import random
from array import array
from types import SimpleNamespace
from typing import Any

from glutekit.catalog.indexwrite import Groups, _muscle_rows, _slot_order

MUSCLES = ("adductors", "calves", "core", "gluteus_medius", "hamstrings")


def _catalog(seed: int, size: int) -> list[Any]:
    rng = random.Random(seed)
    exercises = []
    for _ in range(size):
        chosen = rng.sample(MUSCLES, rng.randint(1, 4))
        cut = rng.randint(1, len(chosen))
        exercises.append(
            SimpleNamespace(primary=tuple(chosen[:cut]), secondary=tuple(chosen[cut:]))
        )
    return exercises


def _target_groups(exercises: list[Any]) -> Groups:
    groups: Groups = {}
    for n, exercise in enumerate(exercises):
        groups.setdefault((exercise.primary, exercise.secondary), []).append(n)
    return groups


def test_slots_go_by_the_muscle_worked_first_then_next_then_catalog_order() -> None:
    for seed in range(20):
        exercises = _catalog(seed, 300)
        order = _slot_order(_target_groups(exercises))
        # Exercises that share their first muscles but not all of them (the same first
        # primary, then secondary) are merged back into catalog order.
        expected = sorted(
            range(len(exercises)),
            key=lambda n: (exercises[n].primary[:1], exercises[n].secondary[:1]),
        )
        assert order == expected


def test_each_muscles_row_holds_the_slots_of_the_exercises_that_work_it() -> None:
    exercises = _catalog(7, 400)
    groups = _target_groups(exercises)
    order = _slot_order(groups)
    slot_of = {n: slot for slot, n in enumerate(order, start=1)}
    slots = [slot_of[n] for n in range(len(exercises))]
    rows = {(muscle, main): array("i", ns) for muscle, main, ns in _muscle_rows(groups, slots)}
    for muscle in MUSCLES:
        mainly = {slot_of[n] for n, ex in enumerate(exercises) if muscle in ex.primary}
        less = {slot_of[n] for n, ex in enumerate(exercises) if muscle in ex.secondary}
        assert sorted(rows.get((muscle, 1), ())) == sorted(mainly)
        assert sorted(rows.get((muscle, 0), ())) == sorted(less)
