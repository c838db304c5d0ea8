"""The words of a session: what the coach says, before it is given a time.

:mod:`glutekit.timeline.pacing` places these words inside holds and sets;
:mod:`glutekit.timeline` strings the segments together.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from glutekit.model import (
    RELAXED_BREATH,
    BreathPace,
    Exercise,
    ExerciseStep,
    PhaseWords,
    Side,
    Tempo,
)
from glutekit.model.counted import counted
from glutekit.model.records import record
from glutekit.model.sides import fill, missing_on_side

NUMBERS = [
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

#: Said once at the start of a session whose routine gives no safety line.
DEFAULT_SAFETY = "If you feel sharp, shooting or tingling pain, stop and ease off."
# A line the session says again and again has several wordings, "takes", said in turn
# (:meth:`glutekit.timeline.assembly.Builder.take`): the same words replayed a dozen
# times sound like a recording. The first wording is said first. An offline recogniser
# understands every wording from the default voice (tests/test_voice_takes.py); it
# heard "Last side." as "west side" and "10 seconds left." as "ten seconds what".

#: Said after the set-up, before the quiet time to get into position.
SETTLE_LINES = (
    "Take your time to get into position.",
    "Take a moment to get into position.",
    "Get into position in your own time.",
)
#: Said as a hold or a set ends.
END_LINES = ("And relax.", "And release.", "Relax now.")
#: Said halfway through a longer hold.
HALFWAY = ("Halfway.", "Halfway there.", "Halfway through.")
#: Said 10 seconds before the end of a longer hold.
TEN_SECONDS_LEFT = ("10 seconds to go.", "10 more seconds.", "Just 10 seconds to go.")
#: Said before the last side of an exercise.
LAST_SIDE = ("Final side.", "One more side.", "Now the final side.")
#: The rest between two exercises, before "Next up: ...".
REST_LINES = ("Rest.", "Time to rest.")
#: Every line said in turns.
TAKES = (SETTLE_LINES, END_LINES, HALFWAY, TEN_SECONDS_LEFT, LAST_SIDE, REST_LINES)
#: Replaces the set-up instructions in later rounds when the exercise gives no reminder.
DEFAULT_REMINDER = "Same position as last round."
DONE_LINE = "That's the end of the session. Well done."
#: How to come up at the end of a session whose last exercise is lying down or kneeling.
GETTING_UP = {
    "lying": "Take your time getting up: roll onto your side, push up to sitting, "
    "then stand up slowly.",
    "kneeling": "Take your time getting up: sit back on your heels, bring one foot forward, "
    "then stand up slowly.",
}
#: Said at a natural point of an exercise (before its last side or set), in turn.
WELL_DONE = ("Good work.", "Nicely done.", "That's the way.")

#: Seconds of quiet to change sides, by position, when an exercise gives none.
TRANSITION_BY_POSITION: dict[str, int] = {
    "supine": 5,
    "seated": 5,
    "standing": 5,
    "prone": 6,
    "side-lying": 8,
    "quadruped": 8,
    "kneeling": 10,
    "half-kneeling": 10,
    "lunge": 10,
    "hanging": 10,
}
#: Equipment that takes time to move or to get on and off: a long transition.
SLOW_EQUIPMENT = frozenset(
    {
        "lacrosse_ball",
        "tennis_ball",
        "massage_ball",
        "foam_roller",
        "table",
        "bench",
        "step",
        "pull_up_bar",
    }
)
_DEFAULT_TRANSITION = 5
_SLOW_TRANSITION = 10

#: What a set-up line asks of the body, by its first verb: a change of position
#: (lie down, kneel, step forward), a small adjustment (press, tuck, let the hips sink),
#: or nothing to do yet (a line that describes the work or what to feel).
SetupMove = Literal["position", "adjust", "describe"]
#: Quiet after a set-up line, by what it asks: time to do it before the next line.
SETUP_PAUSE: dict[SetupMove, float] = {"position": 2.0, "adjust": 1.0, "describe": 0.5}
#: The settle time a routine has by default; a routine that asks for more moves slowly,
#: and its set-up pauses grow in proportion (up to :data:`MAX_SETUP_SCALE`).
BASE_SETTLE = 5
#: The least quiet after "take your time", however long the set-up pauses were.
SETTLE_FLOOR = 4.0
MAX_SETUP_SCALE = 2.0
_POSITION_VERBS = frozenset(
    [
        "begin",
        "start",
        "lie",
        "sit",
        "kneel",
        "stand",
        "step",
        "put",
        "set",
        "place",
        "pick",
        "bring",
        "slide",
        "cross",
        "rest",
        "lift",
        "take",
        "shift",
        "turn",
        "roll",
        "bend",
        "wrap",
        "hook",
        "stack",
        "spread",
        "draw",
        "lean",
        "get",
        "come",
        "move",
        "hang",
        "support",
        "grip",
        "grab",
        "face",
    ]
)
_ADJUST_VERBS = frozenset(
    [
        "let",
        "press",
        "keep",
        "reach",
        "tuck",
        "brace",
        "hug",
        "guide",
        "ease",
        "fold",
        "hinge",
        "drive",
        "rotate",
        "squeeze",
        "lower",
        "raise",
        "curl",
        "lengthen",
        "tip",
        "walk",
        "open",
        "straighten",
        "point",
        "flex",
        "relax",
        "drop",
        "sink",
        "push",
        "pull",
        "tilt",
        "widen",
        "narrow",
    ]
)
#: Words that open a clause before the verb: "Keeping the knee bent, lift ...".
_LEAD_IN = re.compile(r"^(?:if|when|with|on|keeping|holding|using|then|now|slowly)\b", re.I)


@record(frozen=True, kw_only=True)
class ExerciseDose:
    """The dose one routine step asks for, with its length worked out."""

    kind: Literal["hold", "breaths", "reps"]
    seconds: float
    count: int = 0  # breaths or reps
    tempo: Tempo | None = None
    #: Seconds in and out of each counted breath.
    inhale: float = RELAXED_BREATH.inhale
    exhale: float = RELAXED_BREATH.exhale

    @property
    def breath(self) -> float:
        return self.inhale + self.exhale


def number_word(n: int) -> str:
    return NUMBERS[n] if 0 <= n < len(NUMBERS) else str(n)


def spoken_seconds(seconds: float) -> str:
    """``30`` -> ``30 seconds``, ``90`` -> ``1 minute 30 seconds``."""
    minutes, rest = divmod(round(seconds), 60)
    parts = []
    if minutes:
        parts.append(f"{minutes} minute" + ("s" if minutes != 1 else ""))
    if rest or not minutes:
        parts.append(f"{rest} second" + ("s" if rest != 1 else ""))
    return " ".join(parts)


def resolve_dose(
    exercise: Exercise, step: ExerciseStep, breath: BreathPace | None = None
) -> ExerciseDose:
    """The step's dose override, else the exercise's default dose.

    :param breath: the routine's breath pace (or the user's); the step's and then the
        exercise's own pace come first, and :data:`RELAXED_BREATH` when none is given.
    """
    base, override = exercise.dose, step.dose
    pace = (override.breath if override else None) or base.breath or breath or RELAXED_BREATH
    tempo = (
        (override.tempo if override else None) or base.tempo or Tempo(up=1.0, hold=1.0, down=1.0)
    )
    if override and override.hold is not None:
        return ExerciseDose(kind="hold", seconds=float(override.hold))
    if override and override.breaths is not None:
        return _breaths(override.breaths, pace)
    if override and override.reps is not None:
        return _reps(override.reps, tempo)
    if base.kind == "breaths":
        return _breaths(base.breaths or 1, pace)
    if base.kind == "reps":
        return _reps(base.reps or 1, tempo)
    return ExerciseDose(kind="hold", seconds=float(base.seconds or 0))


def _breaths(count: int, breath: BreathPace) -> ExerciseDose:
    return ExerciseDose(
        kind="breaths",
        seconds=float(count * breath.seconds),
        count=count,
        inhale=breath.inhale,
        exhale=breath.exhale,
    )


def _reps(count: int, tempo: Tempo) -> ExerciseDose:
    return ExerciseDose(kind="reps", seconds=count * tempo.seconds, count=count, tempo=tempo)


def transition_seconds(exercise: Exercise) -> int:
    """Quiet seconds this exercise needs to change sides."""
    if exercise.transition.seconds is not None:
        return exercise.transition.seconds
    if any(item in SLOW_EQUIPMENT for need in exercise.equipment for item in need):
        return _SLOW_TRANSITION
    return TRANSITION_BY_POSITION.get(exercise.position, _DEFAULT_TRANSITION)


def _dose_text(dose: ExerciseDose, words: PhaseWords) -> str:
    if dose.kind == "breaths":
        return counted(dose.count, "slow breaths")
    if dose.kind == "reps":
        return counted(dose.count, words.unit)
    return spoken_seconds(dose.seconds)


def _clause(text: str) -> str:
    """A sentence to follow a colon: no closing full stop."""
    return text.strip().rstrip(".")


def working_side_text(exercise: Exercise, side: Side) -> str | None:
    return _clause(fill(exercise.working_side, side)) if exercise.working_side else None


def announce_text(
    exercise: Exercise, dose: ExerciseDose, sides: Sequence[Side | None], sets: int
) -> str:
    """The name, the dose, the sides, and what the first side means."""
    amount = _dose_text(dose, exercise.phase_words)
    if sets > 1:
        amount = f"{sets} sets of {amount}"
    if exercise.dose.load:  # the weight to pick up belongs in the set-up, not a cue
        amount += f", with {exercise.dose.load}"
    first = sides[0]
    if len(sides) == 2:
        amount += f" each side, {first} side first"
    elif first is not None:
        amount += f", {first} side only"
    working = working_side_text(exercise, first) if first else None
    if working:
        amount += f": {working}"
    return f"{exercise.name}. {amount[0].upper()}{amount[1:]}."


def switch_text(exercise: Exercise, side: Side) -> str:
    working = working_side_text(exercise, side)
    return f"Switch to the {side} side" + (f": {working}." if working else ".")


def second_side_lines(
    exercise: Exercise, side: Side, setup: Sequence[str], notes: Sequence[str]
) -> list[str]:
    """What the switch to ``side`` says: the switch, the exercise's way to change
    sides, every side-specific set-up line those leave out, and the routine's notes."""
    texts = [switch_text(exercise, side)]
    if exercise.transition.say:
        texts.append(fill(exercise.transition.say, side))
    texts += missing_on_side(list(setup), side, texts)
    return texts + list(notes)


def progress_text(number: int, total: int) -> str:
    """``Exercise 3 of 7.``; the last one says so."""
    text = f"Exercise {number} of {total}"
    return text + (", the last one." if number == total else ".")


def set_rest_text(exercise: Exercise, set_number: int, sets: int, side: Side | None) -> str:
    which = "Last set" if set_number == sets else f"Set {set_number} of {sets}"
    text = f"Rest. {which} next"
    if side is None:
        return text + "."
    working = working_side_text(exercise, side)
    return text + f", {side} side" + (f": {working}." if working else ".")


def setup_move(text: str) -> SetupMove:
    """What a set-up line asks the body to do, judged by its first verb."""
    clause = text.strip()
    if _LEAD_IN.match(clause) and "," in clause:
        clause = clause.split(",", 1)[1].strip()
    words = clause.split()
    first = words[0].strip(",.;:").lower() if words else ""
    if first in _POSITION_VERBS:
        return "position"
    if first in _ADJUST_VERBS:
        return "adjust"
    return "describe"


def setup_scale(settle: int) -> float:
    """How much longer set-up pauses are in a routine that settles slowly."""
    return min(MAX_SETUP_SCALE, max(1.0, settle / BASE_SETTLE))


def settle_quiet(settle: float, pauses: Sequence[float], gap: float) -> float:
    """The quiet after "take your time": what the set-up pauses have not given already.

    It never drops below :data:`SETTLE_FLOOR`, the least time to settle into a position.
    """
    given = sum(max(0.0, pause - gap) for pause in pauses)
    return max(min(settle, SETTLE_FLOOR), settle - given)


def setup_pause(text: str, scale: float = 1.0) -> float:
    """Seconds of quiet after a set-up line: time to do what it asks."""
    return SETUP_PAUSE[setup_move(text)] * scale


def begin_options(dose: ExerciseDose, words: PhaseWords) -> list[str]:
    """What starts a hold or set, longest first; a short hold gets the short one."""
    if dose.kind == "hold":
        return [f"Begin. {words.timed} for {spoken_seconds(dose.seconds)}.", "Begin."]
    return ["Begin."]


def form_cues(exercise: Exercise, step: ExerciseStep) -> list[str]:
    """The step's own cues first, then the exercise's, each once."""
    return list(dict.fromkeys([*step.cues, *exercise.cues]))


def setup_lines(exercise: Exercise, step: ExerciseStep, round_: int) -> list[str]:
    """The set-up said before an exercise: all of it in round 1, a reminder later."""
    lines = [text for number, text in step.round_notes if number == round_]
    if round_ == 1:
        return [*lines, *exercise.instructions, *step_notes(step)]
    return [*lines, exercise.reminder or DEFAULT_REMINDER]


def step_notes(step: ExerciseStep) -> list[str]:
    """The routine's own note on a step: said after the set-up, on every side."""
    return [step.note] if step.note else []
