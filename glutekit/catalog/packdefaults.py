"""Values an exercise may leave out: position, sides, dose and cues.

An exercise needs only an id, a name, a kind, its targets and instructions. What it
leaves out comes, in order, from the pack's ``defaults.by_kind`` for its kind, the
pack's ``defaults``, and glutekit's own below. ``check-pack`` notes each default used,
so an author knows what they have not written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Where an exercise is done when nobody says: standing needs no floor and no kit.
POSITION = "standing"
PER_SIDE = False
#: glutekit's dose for each built-in kind; other kinds get HOLD.
HOLD: dict[str, Any] = {"hold": "30s"}
DOSE_BY_KIND: dict[str, dict[str, Any]] = {
    "release": {"hold": "60s"},
    "stretch": {"hold": "30s"},
    "mobility": {"reps": 8},
    "activation": {"reps": 10},
    "warm-up": {"hold": "2m"},
    "strength": {"reps": 10, "sets": 3, "tempo": {"up": 2, "down": 2}},
    "plyometric": {"reps": 8, "sets": 3, "tempo": {"up": 0.5, "down": 0.5}},
    "cardio": {"hold": "5m"},
}
FIELDS = ("position", "per_side", "dose", "cues")
_FIELD_SET = frozenset(FIELDS)


def glutekit_default(field: str, kind: str) -> Any:
    if field == "position":
        return POSITION
    if field == "per_side":
        return PER_SIDE
    if field == "dose":
        return DOSE_BY_KIND.get(kind, HOLD)
    return []  # cues: the compiler's own timing words are enough


def filled(
    exercise: Mapping[str, Any], defaults: Mapping[str, Any] | None
) -> tuple[Mapping[str, Any], tuple[str, ...]]:
    """Position, per_side, dose and cues for ``exercise``, and which were defaulted."""
    if exercise.keys() >= _FIELD_SET:  # all four written, as in most packs
        return exercise, ()
    defaults = defaults or {}
    by_kind = (defaults.get("by_kind") or {}).get(exercise.get("kind"), {})
    values: dict[str, Any] = {}
    used: list[str] = []
    for field in FIELDS:
        if field in exercise:
            values[field] = exercise[field]
            continue
        used.append(field)
        if field in by_kind:
            values[field] = by_kind[field]
        elif field in defaults:
            values[field] = defaults[field]
        else:
            values[field] = glutekit_default(field, str(exercise.get("kind")))
    return values, tuple(used)


def describe_default(field: str, exercise: Mapping[str, Any], pack: Mapping[str, Any]) -> str:
    """Where the default for ``field`` came from, for check-pack's note."""
    defaults = pack.get("defaults") or {}
    kind = exercise.get("kind")
    if field in (defaults.get("by_kind") or {}).get(kind, {}):
        return f"the pack's default for {kind}"
    if field in defaults:
        return "the pack's default"
    return "glutekit's default" + (f" for {kind}" if field == "dose" else "")
