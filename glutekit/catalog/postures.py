"""Body positions and postures: ordering exercises so the user gets up and down least.

Positions (supine, seated, quadruped, ...) fall into four posture groups, from the floor
up: lying, seated, kneeling and standing. Moving between groups means getting up or down;
moving within one (from supine to side-lying) does not. That is what strategies minimise
and what :func:`count_transitions` counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from glutekit.catalog.vocabulary import Vocabulary
from glutekit.model import Exercise

#: Postures from the floor up. Moving between groups means getting up or down;
#: moving within a group (supine to side-lying) does not.
POSTURES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("lying", ("supine", "prone", "side-lying")),
    ("seated", ("seated",)),
    ("kneeling", ("quadruped", "kneeling", "half-kneeling", "lunge")),
    ("standing", ("standing", "hanging")),
)
POSTURE_OF: dict[str, tuple[int, int]] = {
    position: (group, rank)
    for group, (_, positions) in enumerate(POSTURES)
    for rank, position in enumerate(positions)
}
GROUP_NAMES = {name: frozenset(positions) for name, positions in POSTURES}

#: What an exercise can be done on, for ``--place``.
SURFACES: tuple[str, ...] = ("floor", "chair", "bed", "standing", "gym")
#: Positions done hanging from a bar: their surface is the gym's.
_HANGING: set[str] = {"hanging"}


#: Positions packs declare in their vocabulary, by the posture they say they are.
_LEARNED: dict[str, tuple[int, int]] = {}
_GROUP_OF_POSTURE = {"lying": 0, "seated": 1, "kneeling": 2, "standing": 3, "hanging": 3}


def learn_postures(vocabulary: Vocabulary) -> None:
    """Place the positions packs declare in their posture group (after the built-in ones)."""
    _LEARNED.clear()
    for term in vocabulary.terms["positions"].values():
        if term.id not in POSTURE_OF and term.posture in _GROUP_OF_POSTURE:
            _LEARNED[term.id] = (_GROUP_OF_POSTURE[term.posture], 50)
            if term.posture == "hanging":
                _HANGING.add(term.id)


def _group_rank(position: str) -> tuple[int, int]:
    # Positions nobody declared count as standing: the safe guess is that the user
    # has to get up for them.
    return POSTURE_OF.get(position) or _LEARNED.get(position) or (len(POSTURES) - 1, 99)


def posture(position: str) -> int:
    """The posture group of a position: 0 lying, 1 seated, 2 kneeling, 3 standing."""
    return _group_rank(position)[0]


def surfaces_of(ex: Exercise) -> tuple[str, ...]:
    """What the exercise can be done on: what it declares, else what its position implies
    (lying, sitting or kneeling on the floor; standing; hanging from a gym's bar)."""
    if ex.surfaces:
        return ex.surfaces
    if posture(ex.position) < len(POSTURES) - 1:
        return ("floor",)
    return ("gym",) if ex.position in _HANGING else ("standing",)


def position_key(position: str) -> tuple[int, int, str]:
    group, rank = _group_rank(position)
    return (group, rank, position)


def order_phases(
    phases: Sequence[Sequence[Exercise]], *, start: str | None = None
) -> list[Exercise]:
    """Put phases one after another, each ordered so the whole runs with fewest transitions.

    Within a phase, exercises of one posture group stay together (splitting a group
    only adds a transition). A phase may begin in the group the previous one ended in,
    which saves getting up, so the group a phase ends in matters for the next one: a
    small dynamic programme over that end group finds the best sequence. Among equally
    good ones it prefers going up (lying, then seated, then standing).
    """
    first = posture(start) if start is not None else None
    # end group -> (transitions, descents, group order for each phase so far)
    best: dict[int | None, tuple[int, int, list[list[int]]]] = {first: (0, 0, [])}
    for phase in phases:
        groups = sorted({posture(ex.position) for ex in phase})
        if not groups:
            continue
        found: dict[int | None, tuple[int, int, list[list[int]]]] = {}
        for prev, (moves, descents, orders) in best.items():
            for end in groups:
                order = _group_order(groups, prev, end)
                path = ([prev] if prev is not None else []) + order
                score = (
                    moves + sum(1 for a, b in pairwise(path) if a != b),
                    descents + sum(1 for a, b in pairwise(path) if b < a),
                )
                if end not in found or score < found[end][:2]:
                    found[end] = (*score, [*orders, order])
        best = found
    _, _, orders = min(best.values(), key=lambda item: item[:2])
    out: list[Exercise] = []
    for phase, order in zip((p for p in phases if p), orders, strict=True):
        for group in order:
            out += sorted(
                (ex for ex in phase if posture(ex.position) == group),
                key=lambda ex: position_key(ex.position),
            )
    return out


def _group_order(groups: list[int], prev: int | None, end: int) -> list[int]:
    if len(groups) == 1:
        return [end]
    head = [prev] if prev in groups and prev != end else []
    return head + [g for g in groups if g != end and g not in head] + [end]


def count_transitions(positions: Sequence[str]) -> int:
    """How many times the user gets up or down: changes of posture group in a row."""
    groups = [posture(p) for p in positions]
    return sum(1 for a, b in pairwise(groups) if a != b)


def describe_path(positions: Sequence[str]) -> str:
    """``lying → seated → standing``: the posture groups in the order visited."""
    names: list[str] = []
    for position in positions:
        name = POSTURES[posture(position)][0]
        if not names or names[-1] != name:
            names.append(name)
    return " → ".join(names)
