"""The coaching check's safety rules (7, 9, 10 and 11 of :mod:`.coaching`).

What a session must say and must not do for the person it is for: the line on when to
stop said once, nothing that loads what the routine's symptom or its own ``excludes``
rules out, every red-flag screen said before the first exercise with time to decide,
and time to warm up when a message asks for it. A pack whose routines break one of
these fails ``check-pack``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from glutekit.catalog import Catalog
from glutekit.catalog.symptoms import excluded_steps
from glutekit.catalog.symptoms import routine_symptoms as symptoms_named
from glutekit.model import BlockStep, ExerciseStep, MessageStep, Routine, Step, Symptom, Timeline
from glutekit.model.durations import clock
from glutekit.timeline import SCREEN_PAUSE
from glutekit.timeline.cues import DEFAULT_SAFETY
from glutekit.timeline.violations import EPS, Length, Violation, pointer_to, short

#: Rules that keep a session from doing what it warns against: ``check-pack`` fails a
#: pack whose routine breaks one (the others are warnings there).
SAFETY_RULES = frozenset({9, 10, 11})


def safety_line(routine: Routine, timeline: Timeline) -> Iterator[Violation]:
    line = routine.safety or DEFAULT_SAFETY
    times = sum(1 for c in timeline.cues if c.text == line)
    if times != 1:
        yield Violation(
            rule=7,
            pointer="/safety" if routine.safety else "",
            message=f"safety: the line on when to stop ({line!r}) is heard {times} times; "
            "once is right",
        )


def routine_symptoms(routine: Routine, catalog: Catalog) -> list[tuple[Symptom, str]]:
    """The symptoms a routine is for, with the pointer that says so."""
    return symptoms_named(routine.symptom, routine.tags, catalog)


def _exercise_steps(
    steps: tuple[Step, ...], path: tuple[int, ...] = ()
) -> Iterator[tuple[tuple[int, ...], ExerciseStep]]:
    for i, step in enumerate(steps):
        if isinstance(step, ExerciseStep):
            yield (*path, i), step
        elif isinstance(step, BlockStep):
            yield from _exercise_steps(step.steps, (*path, i))


def exclusions(routine: Routine, catalog: Catalog) -> Iterator[Violation]:
    symptoms = routine_symptoms(routine, catalog)
    if routine.symptom is not None and all(s.id != routine.symptom for s, _ in symptoms):
        yield Violation(
            rule=9,
            pointer="/symptom",
            message=f"excluded: no loaded pack knows the symptom '{routine.symptom}' "
            "(see 'glutekit compose --symptoms')",
        )
    words = catalog.vocabulary
    for i, load in enumerate(routine.excludes):
        if words.term("loads", load) is None:
            yield Violation(
                rule=9,
                pointer=f"/excludes/{i}",
                message=f"excluded: unknown load '{load}' (see 'glutekit vocabulary loads')",
            )
    steps = ((pointer_to(path), step.exercise) for path, step in _exercise_steps(routine.steps))
    for pointer, message in excluded_steps(
        routine.symptom, routine.tags, routine.excludes, steps, catalog
    ):
        yield Violation(rule=9, pointer=pointer, message=message)


def screens(
    routine: Routine, catalog: Catalog, timeline: Timeline, length: Length
) -> Iterator[Violation]:
    wanted: list[tuple[str, str, str]] = [
        (text, f"screen {i + 1}", f"/screens/{i}") for i, text in enumerate(routine.screens)
    ]
    for symptom, pointer in routine_symptoms(routine, catalog):
        text = symptom.screen_text
        if text and all(text != w for w, _, _ in wanted):
            wanted.append((text, f"the {symptom.id} screen", pointer))
    if not wanted:
        return
    first = next((seg for seg in timeline.segments if seg.exercise is not None), None)
    start = first.start if first is not None else timeline.duration
    cues = sorted(timeline.cues, key=lambda c: c.at)
    for text, what, pointer in wanted:
        heard = [c for c in cues if c.text == text]
        if not heard:
            yield Violation(
                rule=10,
                pointer=pointer,
                message=f"screen: {what} ({short(text)}) is never said; "
                "put it in the routine's 'screens'",
            )
            continue
        said = heard[0]
        if said.at >= start - EPS:
            name = first.label.removeprefix("Get ready: ") if first is not None else "the session"
            yield Violation(
                rule=10,
                pointer=pointer,
                message=f"screen: {what} ({short(text)}) is first said at {clock(said.at)}, "
                f"after {name} starts at {clock(start)}; put it in the routine's 'screens'",
            )
            continue
        after = [c.at for c in cues if c.at > said.at + EPS]
        quiet = min(after, default=timeline.duration) - (said.at + length(text))
        if quiet < SCREEN_PAUSE - EPS:
            yield Violation(
                rule=10,
                pointer=pointer,
                message=f"screen: only {quiet:.1f} s of quiet after {what} at "
                f"{clock(said.at)} to decide whether to stop; at least {SCREEN_PAUSE:g} s needed",
            )


_WARM_UP = re.compile(r"\bwarm(?:ed)?[ -]?up\b|\bwhen you (?:are|feel) warm\b", re.IGNORECASE)
#: Kinds of exercise that warm a body up.
WARMING_KINDS = ("warm-up", "cardio")


def warm_up(routine: Routine, catalog: Catalog) -> Iterator[Violation]:
    for i, step in enumerate(routine.steps):
        if next(_exercise_steps((step,)), None) is not None:
            return  # only what is said before the first exercise asks for a warm-up
        if isinstance(step, MessageStep) and _WARM_UP.search(step.text) and not step.wait:
            following = next((s for _, s in _exercise_steps(routine.steps[i + 1 :])), None)
            if following is not None and catalog.exercise(following.exercise).kind in WARMING_KINDS:
                return
            yield Violation(
                rule=11,
                pointer=f"/steps/{i}/say",
                message="warm-up: the message asks for a warm-up but gives no time for it; "
                'add "wait": true (the session waits until the user goes on) or start '
                "with a warm-up exercise",
            )
            return
