"""What every coaching rule reports, and the few things the rules share to say where.

See :mod:`.coaching` for the rules themselves.
"""

from __future__ import annotations

from collections.abc import Callable

from glutekit.model import BlockStep, Cue, Routine, Step
from glutekit.model.records import record

#: Times closer than this are the same time.
EPS = 1e-6


@record(frozen=True, kw_only=True)
class Violation:
    """One broken rule, at a JSON pointer into the routine."""

    rule: int
    pointer: str
    message: str


#: The seconds a text takes to say.
Length = Callable[[str], float]


def pointer_to(path: tuple[int, ...]) -> str:
    return "".join(f"/steps/{i}" for i in path)


def step_at(routine: Routine, path: tuple[int, ...]) -> Step | None:
    steps: tuple[Step, ...] = routine.steps
    step: Step | None = None
    for i in path:
        if i >= len(steps):
            return None
        step = steps[i]
        if isinstance(step, BlockStep):
            steps = step.steps
    return step


def talk_end(cues: list[Cue], before: float, length: Length) -> float:
    ends = [c.at + length(c.text) for c in cues if c.at < before - EPS]
    return max(ends, default=0.0)


def short(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37].rstrip() + "...")
