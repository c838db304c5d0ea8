"""The words of a session: what is said when, inside one prepare or hold segment.

Offsets here are the plain ones (seconds from the segment's start);
:mod:`glutekit.timeline` moves them around speech when a voice is on.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

from glutekit.model import CueKind, Exercise, ExerciseStep, Settings, Side, Tempo

_NUMBERS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
]

#: A coaching cue needs at least this much quiet around it in a hold.
_COACHING_ROOM = 8.0


class Draft(NamedTuple):
    """A cue before it has a session time."""

    offset: float
    kind: CueKind
    text: str


@dataclass(frozen=True, kw_only=True)
class ExerciseDose:
    """The dose one routine step asks for, with its length worked out."""

    kind: Literal["hold", "breaths", "reps"]
    seconds: float
    count: int = 0  # breaths or reps
    tempo: Tempo | None = None
    breath: float = 6.0


def number_word(n: int) -> str:
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n)


def spoken_seconds(seconds: float) -> str:
    """``30`` -> ``30 seconds``, ``90`` -> ``1 minute 30 seconds``."""
    minutes, rest = divmod(round(seconds), 60)
    parts = []
    if minutes:
        parts.append(f"{minutes} minute" + ("s" if minutes != 1 else ""))
    if rest or not minutes:
        parts.append(f"{rest} second" + ("s" if rest != 1 else ""))
    return " ".join(parts)


def resolve_dose(exercise: Exercise, step: ExerciseStep, breath: int) -> ExerciseDose:
    """The step's dose override, else the exercise's default dose."""
    base, override = exercise.dose, step.dose
    tempo = (
        (override.tempo if override else None) or base.tempo or Tempo(up=1.0, hold=1.0, down=1.0)
    )
    if override and override.hold is not None:
        return ExerciseDose(kind="hold", seconds=float(override.hold))
    if override and override.breaths is not None:
        return _breaths(override.breaths, breath)
    if override and override.reps is not None:
        return _reps(override.reps, tempo)
    if base.kind == "breaths":
        return _breaths(base.breaths or 1, breath)
    if base.kind == "reps":
        return _reps(base.reps or 1, tempo)
    return ExerciseDose(kind="hold", seconds=float(base.seconds or 0))


def _breaths(count: int, breath: int) -> ExerciseDose:
    return ExerciseDose(
        kind="breaths", seconds=float(count * breath), count=count, breath=float(breath)
    )


def _reps(count: int, tempo: Tempo) -> ExerciseDose:
    return ExerciseDose(kind="reps", seconds=count * tempo.seconds, count=count, tempo=tempo)


def _dose_text(dose: ExerciseDose) -> str:
    if dose.kind == "breaths":
        return f"{dose.count} slow breaths"
    if dose.kind == "reps":
        return f"{dose.count} reps"
    return spoken_seconds(dose.seconds)


def prepare_drafts(
    exercise: Exercise,
    step: ExerciseStep,
    dose: ExerciseDose,
    sides: Sequence[Side | None],
    sets: int,
    prepare: float,
) -> list[Draft]:
    """The name with the dose and sides, then the set-up instructions, spread out."""
    amount = _dose_text(dose)
    if sets > 1:
        amount = f"{sets} sets of {amount}"
    if len(sides) == 2:
        amount += f" each side, {sides[0]} side first"
    elif sides[0] is not None:
        amount += f", {sides[0]} side only"
    drafts = [Draft(0.0, "announce", f"{exercise.name}. {amount.capitalize()}.")]
    lines = ([step.note] if step.note else []) + list(exercise.instructions)
    for i, line in enumerate(lines):
        # Spread over the prepare time so a reader gets each line in turn.
        drafts.append(Draft(round(prepare * (i + 1) / (len(lines) + 1), 1), "instruction", line))
    return drafts


def hold_drafts(
    exercise: Exercise, step: ExerciseStep, dose: ExerciseDose, settings: Settings
) -> list[Draft]:
    """Begin, pacing or time checks, coaching cues, countdown and "and relax"."""
    if dose.kind == "breaths":
        drafts = _breath_drafts(dose)
    elif dose.kind == "reps":
        drafts = _rep_drafts(dose)
    else:
        drafts = _timed_drafts(dose.seconds, settings)
        coaching = list(step.cues) + [c for c in exercise.cues if c not in step.cues]
        drafts += _coaching(coaching, [d.offset for d in drafts] + [dose.seconds], dose.seconds)
    drafts.append(Draft(dose.seconds, "end", "And relax."))
    return drafts


def _timed_drafts(seconds: float, settings: Settings) -> list[Draft]:
    drafts = [Draft(0.0, "begin", f"Begin. Hold for {spoken_seconds(seconds)}.")]
    time_left = seconds - 10 if seconds >= 20 else None
    if time_left is not None:
        drafts.append(Draft(time_left, "time-left", "10 seconds left."))
    half = seconds / 2
    if settings.halfway and seconds >= 20 and (time_left is None or abs(half - time_left) >= 5):
        drafts.append(Draft(half, "halfway", "Halfway."))
    if settings.countdown and seconds >= 6:
        drafts += [Draft(seconds - n, "countdown", f"{n}.") for n in (3, 2, 1)]
    return drafts


def _coaching(texts: Sequence[str], taken: Sequence[float], seconds: float) -> list[Draft]:
    """Put coaching cues in the middle of the widest quiet stretches of the hold."""
    marks = sorted(set(taken))
    chosen: list[float] = []
    for _ in texts:
        spans = [(b - a, a, b) for a, b in itertools.pairwise(marks) if b - a >= _COACHING_ROOM]
        if not spans:
            break
        _, a, b = max(spans, key=lambda span: (span[0], -span[1]))
        at = float(int((a + b) / 2))
        chosen.append(at)
        marks = sorted([*marks, at])
    return [
        Draft(at, "cue", text)
        for at, text in zip(sorted(chosen), texts, strict=False)
        if 0 < at < seconds
    ]


def _breath_drafts(dose: ExerciseDose) -> list[Draft]:
    drafts = [Draft(0.0, "begin", "Begin. Breathe in… and out. One.")]
    drafts += [
        Draft(i * dose.breath, "breath", f"In… and out. {number_word(i + 1).capitalize()}.")
        for i in range(1, dose.count)
    ]
    return drafts


def _rep_drafts(dose: ExerciseDose) -> list[Draft]:
    assert dose.tempo is not None
    phases = "Up… hold… down…" if dose.tempo.hold else "Up… down…"
    drafts = [Draft(0.0, "begin", f"Begin. {phases} one.")]
    drafts += [
        Draft(i * dose.tempo.seconds, "rep", f"{phases} {number_word(i + 1)}.")
        for i in range(1, dose.count)
    ]
    return drafts
