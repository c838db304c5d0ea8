"""How long a routine really plays: the voiced timeline is the truth.

Every length glutekit shows or prints comes from here. With a voice, the speech
lengths are the measured ones; without one they are estimated from the words
(:mod:`glutekit.timeline.speech`, tuned to the default voice), which is also the timeline
a text session plays, so a reader gets the time a listener gets.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence

from glutekit.catalog import Catalog
from glutekit.model import Exercise, ExerciseStep, Routine, Settings, Side, Timeline
from glutekit.model.records import record
from glutekit.model.sides import fill
from glutekit.timeline import (
    CompileSettings,
    compile,
    cue_texts,
    set_rest_seconds,
    settle_seconds,
    switch_seconds,
)
from glutekit.timeline.cues import (
    DEFAULT_SAFETY,
    LAST_SIDE,
    REST_LINES,
    SETTLE_LINES,
    SETUP_PAUSE,
    WELL_DONE,
    announce_text,
    progress_text,
    resolve_dose,
    second_side_lines,
    set_rest_text,
    settle_quiet,
    setup_pause,
    setup_scale,
)
from glutekit.timeline.speech import SpeechLengths

#: Seconds each text takes to say, for a list of texts (a voice's ``speech_lengths``).
Measure = Callable[[Sequence[str]], Mapping[str, float]]


def voiced_timeline(
    routine: Routine, catalog: Catalog, measure: Measure | None = None
) -> tuple[Timeline, SpeechLengths]:
    """The timeline a session plays, and the speech lengths it was laid out with.

    :param measure: gives the voice's length for each text; None (or a voice that
        measures nothing) lays the timeline out with estimated lengths.
    """
    estimated = compile(routine, catalog)
    if measure is None:
        return estimated, SpeechLengths()
    measured = dict(measure(cue_texts(estimated)))
    if not measured:
        return estimated, SpeechLengths()
    timeline = compile(routine, catalog, CompileSettings(speech_lengths=measured))
    return timeline, SpeechLengths(measured)


def played_length(routine: Routine, catalog: Catalog, measure: Measure | None = None) -> float:
    """Seconds the routine plays for, voiced (``measure``) or with estimated speech."""
    return voiced_timeline(routine, catalog, measure)[0].duration


@record(frozen=True, kw_only=True)
class Overhead:
    """Seconds the compiler adds around an exercise's work, with estimated speech.

    For planners that size doses to a time budget without compiling every guess.
    """

    prepare: float  # name, set-up, settle line and quiet, before the first hold
    switch: float  # switch line, second-side line and the quiet to change sides
    lead: float  # "Begin." before the first rep or breath of a set (0 for holds)
    set_rest: float  # rest between two sets
    rest: float  # "Rest. Next up: ..." before the next exercise
    opening: float  # the safety line at the start of a session


@functools.lru_cache(maxsize=4096)
def overhead(exercise: Exercise, settings: Settings) -> Overhead:
    """What :func:`glutekit.timeline.compile` adds around ``exercise`` under ``settings``."""
    gap = CompileSettings().gap
    say = SpeechLengths()

    def talk(*texts: str) -> float:
        return sum(say(t) + gap for t in texts)

    dose = resolve_dose(exercise, ExerciseStep(exercise=exercise.id), settings.breath)
    sides: list[Side | None] = ["right", "left"] if exercise.per_side else [None]
    routine = Routine(id="plan", title="plan", steps=(), settings=settings)
    settle = settle_seconds(routine, exercise)
    setup = [fill(line, sides[0]) for line in exercise.instructions]
    scale = setup_scale(settings.settle)
    pauses = [setup_pause(line, scale) for line in setup[:-1]]
    extra = sum(max(0.0, pause - gap) for pause in pauses)
    if exercise.spoken_caution:
        setup.append(exercise.spoken_caution)
    # "Exercise 2 of 6." before the name: a session of one exercise has no such line.
    # A line said in turns is counted at its first wording (the others are about as long).
    settle_line = SETTLE_LINES[0]
    lines = (progress_text(2, 6), announce_text(exercise, dose, sides, 1), *setup, settle_line)
    prepare = talk(*lines) + extra
    prepare += settle_quiet(settle, pauses, gap)
    switch = 0.0
    if exercise.per_side:
        # A word of encouragement and "Final side." come before the switch itself.
        said = [WELL_DONE[0], LAST_SIDE[0]]
        said += second_side_lines(exercise, "left", exercise.instructions, ())
        pause = max(0.0, SETUP_PAUSE["describe"] - gap) * (len(said) - 1)
        switch = talk(*said) + pause + switch_seconds(routine, exercise)
    # Between sets the next set starts again on the first side: with two sides, that
    # is a change of sides too.
    next_side = sides[0] if exercise.per_side else None
    quiet = settle
    if exercise.per_side:
        quiet = max(quiet, switch_seconds(routine, exercise))
    return Overhead(
        prepare=max(float(settings.prepare), prepare),
        switch=switch,
        lead=0.0 if dose.kind == "hold" else talk("Begin."),
        set_rest=max(
            float(set_rest_seconds(settings, exercise)),
            talk(set_rest_text(exercise, 2, 2, next_side)) + quiet,
        ),
        rest=max(float(settings.rest), talk(REST_LINES[0], f"Next up: {exercise.name}.")),
        opening=talk(DEFAULT_SAFETY) + 1.0,
    )
