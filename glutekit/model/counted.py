"""A count and what it counts, in the singular for one: "1 rep", "12 reps"."""

from __future__ import annotations

#: The singular of each plural glutekit says itself. A pack's own ``unit`` is written
#: in the plural only, and stays so.
_ONE = {
    "reps": "rep",
    "breaths": "breath",
    "slow breaths": "slow breath",
    "sessions": "session",
    "weeks": "week",
}


def counted(count: int, plural: str) -> str:
    """``count`` and ``plural`` ("reps", "sessions"), in the singular when it is 1."""
    return f"{count} {_ONE.get(plural, plural) if count == 1 else plural}"
