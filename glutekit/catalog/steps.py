"""Walking a routine's data (valid or not) for its exercise steps, in blocks too."""

from __future__ import annotations

from collections.abc import Iterator


def exercise_steps(steps: object, base: str = "/steps") -> Iterator[tuple[str, str]]:
    """(pointer, exercise id) for each exercise step of a routine's data, in blocks too."""
    for i, step in enumerate(steps if isinstance(steps, list) else []):
        if not isinstance(step, dict):
            continue
        ref = step.get("exercise")
        if isinstance(ref, str):
            yield f"{base}/{i}", ref
        if "steps" in step:
            yield from exercise_steps(step["steps"], f"{base}/{i}/steps")
