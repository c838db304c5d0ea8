"""Routine + catalog -> Timeline: every segment and cue of a session, with exact times.

The compiler is here; the room's other parts are :mod:`.cues` (the words), :mod:`.pacing`
(where words go inside a hold or set), :mod:`.assembly` (segments strung together),
:mod:`.speech` (how long words take to say), :mod:`.played` (the voiced timeline every
length is read from) and :mod:`.coaching` (the coaching and safety rules, checked on it).

Pure: no clock, no I/O. The same routine and speech lengths always give the same
timeline, so a whole session can be tested as data (``glutekit transcript`` prints it).

The timeline is always laid out around speech: with the lengths a voice measured,
or, without a voice, with lengths estimated from the words (:mod:`glutekit.timeline.speech`),
so a text session and a printed sheet keep the same time as a voiced run. On top
of that the compiler coaches: quiet time to settle after the set-up and to change
sides, the working side named, reps and breaths paced by their words, form cues
spread and rotated so each is heard, one safety line per session and one spoken
caution per exercise, and a one-line reminder in repeat rounds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import field, replace

from glutekit.catalog import Catalog
from glutekit.catalog.postures import POSTURES, posture
from glutekit.model import (
    Cue,
    CueKind,
    Exercise,
    ExerciseStep,
    MessageStep,
    RestStep,
    Routine,
    Settings,
    Side,
    Timeline,
)
from glutekit.model.records import record
from glutekit.model.sides import fill
from glutekit.timeline.assembly import Builder, Item, Rotation, flatten
from glutekit.timeline.cues import (
    DEFAULT_SAFETY,
    DONE_LINE,
    END_LINES,
    GETTING_UP,
    HALFWAY,
    LAST_SIDE,
    REST_LINES,
    SETTLE_LINES,
    SETUP_PAUSE,
    TEN_SECONDS_LEFT,
    WELL_DONE,
    ExerciseDose,
    announce_text,
    form_cues,
    progress_text,
    resolve_dose,
    second_side_lines,
    set_rest_text,
    settle_quiet,
    setup_lines,
    setup_pause,
    setup_scale,
    spoken_seconds,
    step_notes,
    transition_seconds,
)
from glutekit.timeline.pacing import (
    FILL_AFTER,
    LONGEST_SILENCE,
    ROOM,
    HoldLines,
    Said,
    candidate_texts,
    ms,
    paced_set,
    timed_hold,
)

__all__ = [
    "REST_AFTER_BY_KIND",
    "SCREEN_PAUSE",
    "SET_REST_BY_KIND",
    "CompileSettings",
    "compile",
    "cue_texts",
    "from_segment",
    "rest_after_seconds",
    "set_rest_seconds",
    "settle_seconds",
    "step_start",
    "switch_seconds",
]

DONE_SECONDS = 3.0
#: Quiet after a message or the safety line, to take it in.
_AFTER_MESSAGE = 1.0
#: Quiet after a screen: time to decide whether to stop, not just to hear it.
SCREEN_PAUSE = 5.0


@record(frozen=True, kw_only=True)
class CompileSettings:
    """How to fit cues around speech.

    :ivar speech_lengths: text -> seconds it takes to say; a text that is missing
        (or an empty mapping: no voice) gets a length estimated from its words.
    :ivar gap: silence left between two spoken cues, in seconds.
    """

    speech_lengths: Mapping[str, float] = field(default_factory=dict)
    gap: float = 0.25


#: A coach's rest between sets, by kind, when neither the step nor the exercise's dose
#: states one (the routine's ``set_rest`` when it is longer).
SET_REST_BY_KIND: dict[str, int] = {"strength": 90, "plyometric": 75, "activation": 30}
#: Rest after an exercise of these kinds, before the next (the routine's ``rest`` if longer).
REST_AFTER_BY_KIND: dict[str, int] = {"strength": 60, "plyometric": 60}


def set_rest_seconds(
    settings: Settings, exercise: Exercise, step: ExerciseStep | None = None
) -> int:
    """Rest between sets: the step's, the exercise's dose's, or the default for its kind."""
    if step is not None and step.set_rest is not None:
        return step.set_rest
    if exercise.dose.rest is not None:
        return exercise.dose.rest
    return max(settings.set_rest, SET_REST_BY_KIND.get(exercise.kind, 0))


def rest_after_seconds(
    settings: Settings, exercise: Exercise, step: ExerciseStep | None = None
) -> int:
    """Rest after an exercise: the step's ``rest_after``, or the default for its kind."""
    if step is not None and step.rest_after is not None:
        return step.rest_after
    return max(settings.rest, REST_AFTER_BY_KIND.get(exercise.kind, 0))


def settle_seconds(routine: Routine, exercise: Exercise) -> int:
    """Quiet seconds to get into position before this exercise's hold."""
    return max(routine.settings.settle, exercise.settle or 0)


def switch_seconds(routine: Routine, exercise: Exercise) -> int:
    """Quiet seconds to change sides: the routine's ``switch`` if it sets one."""
    if routine.settings.switch is not None:
        return routine.settings.switch
    return transition_seconds(exercise)


# ----------------------------------------------------------------------------- steps


class _Compiler:
    def __init__(self, routine: Routine, catalog: Catalog, settings: CompileSettings) -> None:
        self.routine = routine
        self.catalog = catalog
        self.out = Builder(settings.speech_lengths, settings.gap)
        self.items = list(flatten(routine.steps))
        self.cautions_said: set[str] = set()
        #: Each exercise done, in order: its place in the session is said as it starts.
        self.done_in_order = [i for i, item in enumerate(self.items) if _is_exercise(item)]
        #: Whether the exercise under way has had its word of encouragement (one at most),
        #: and whether the one before it had one: never two exercises in a row, not nagging.
        self.cheered = False
        self.may_cheer = True
        self.cheers = 0

    def run(self) -> Timeline:
        safety = self.routine.safety or DEFAULT_SAFETY
        # Which word of encouragement falls where depends on the speech lengths.
        self.out.consider(WELL_DONE)
        said, end = self.out.talk([("safety", safety)])
        self.out.add("message", ms(end + _AFTER_MESSAGE), safety, said, None)
        # Red flags come before any exercise, so whoever they concern stops before starting.
        for screen in self.routine.screens:
            said, end = self.out.talk([("screen", screen)])
            self.out.add("message", ms(end + SCREEN_PAUSE), screen, said, None)
        for position, item in enumerate(self.items):
            step = item.step
            if isinstance(step, ExerciseStep):
                self._exercise(item, step, position)
            elif isinstance(step, RestStep):
                self._rest(item, step, self._next_exercise(position))
            elif isinstance(step, MessageStep):
                self._message(item, step)
        lines: list[tuple[CueKind, str]] = [("done", DONE_LINE)]
        getting_up = self._getting_up()
        if getting_up:
            lines.append(("getting-up", getting_up))
        said, end = self.out.talk(lines)
        self.out.add("done", max(DONE_SECONDS, ms(end + self.out.voice.gap)), "Done", said, None)
        return Timeline(
            routine_id=self.routine.id,
            title=self.routine.title,
            segments=tuple(self.out.segments),
            texts=tuple(self.out.texts),
        )

    def _getting_up(self) -> str | None:
        """How to come up, when the last exercise is done lying down or kneeling."""
        if not self.done_in_order:
            return None
        last = self.items[self.done_in_order[-1]].step
        assert isinstance(last, ExerciseStep)
        group = POSTURES[posture(self.catalog.exercise(last.exercise).position)][0]
        return GETTING_UP.get(group)

    def _cheer(self) -> str | None:
        """A word of encouragement, if the exercise under way has not had one."""
        if self.cheered or not self.may_cheer:
            return None
        self.cheered = True
        self.cheers += 1
        return WELL_DONE[(self.cheers - 1) % len(WELL_DONE)]

    def _next_exercise(self, position: int) -> Exercise | None:
        for item in self.items[position + 1 :]:
            if isinstance(item.step, ExerciseStep):
                return self.catalog.exercise(item.step.exercise)
        return None

    def _sides(self, exercise: Exercise, step: ExerciseStep) -> list[Side | None]:
        if not exercise.per_side:
            return [None]
        if step.sides != "both":
            return [step.sides]
        if self.routine.settings.side_order == "left-first":
            return ["left", "right"]
        return ["right", "left"]

    def _prepare(
        self,
        item: Item,
        step: ExerciseStep,
        exercise: Exercise,
        dose: ExerciseDose,
        sides: list[Side | None],
        sets: int,
    ) -> None:
        lines: list[tuple[CueKind, str]] = []
        total = len(self.done_in_order)
        if total > 1:
            number = self.done_in_order.index(self.items.index(item)) + 1
            lines.append(("progress", progress_text(number, total)))
        lines.append(("announce", announce_text(exercise, dose, sides, sets)))
        caution = exercise.spoken_caution
        if caution and caution not in self.cautions_said:
            self.cautions_said.add(caution)
            lines.append(("caution", caution))
        lines += [
            ("instruction", fill(line, sides[0]))
            for line in setup_lines(exercise, step, item.round)
        ]
        lines.append(("settle", self.out.take(SETTLE_LINES)))
        pauses = self._setup_pauses(lines)
        said, end = self.out.talk(lines, pauses)
        settle = settle_quiet(settle_seconds(self.routine, exercise), pauses, self.out.voice.gap)
        self.out.add(
            "prepare",
            max(self.routine.settings.prepare, ms(end + settle)),
            f"Get ready: {exercise.name}",
            said,
            item,
            exercise=exercise.id,
            side=sides[0],
            sets=sets,
        )

    def _setup_pauses(self, lines: Sequence[tuple[CueKind, str]]) -> list[float]:
        """Quiet after each line: a set-up instruction followed by another gets time to be
        done (the last one has "take your time" and the quiet after it)."""
        scale = setup_scale(self.routine.settings.settle)
        return [
            setup_pause(text, scale) if kind == "instruction" and after == "instruction" else 0.0
            for (kind, text), (after, _) in zip(lines, [*lines[1:], ("settle", "")], strict=True)
        ]

    def _exercise(self, item: Item, step: ExerciseStep, position: int) -> None:
        exercise = self.catalog.exercise(step.exercise)
        settings = self.routine.settings
        dose = resolve_dose(exercise, step, settings.breath)
        sides = self._sides(exercise, step)
        sets = step.sets or exercise.dose.sets
        # An exercise after one that had its word of encouragement gets none.
        self.may_cheer, self.cheered = not self.cheered, False
        self._prepare(item, step, exercise, dose, sides, sets)
        rotation = Rotation(form_cues(exercise, step), sets * len(sides))
        for set_number in range(1, sets + 1):
            if set_number > 1:
                self._set_rest(item, step, exercise, sides, set_number, sets)
            for n, side in enumerate(sides):
                if n > 0:
                    setup = setup_lines(exercise, step, item.round)
                    notes = step_notes(step) if item.round == 1 else []
                    self._switch(item, exercise, side, set_number, sets, setup, notes)
                self._hold(item, exercise, dose, rotation, side, set_number, sets)
        self._rest_after(item, step, position)

    def _set_rest(
        self,
        item: Item,
        step: ExerciseStep,
        exercise: Exercise,
        sides: list[Side | None],
        set_number: int,
        sets: int,
    ) -> None:
        # With two sides the next set starts on the first side again: that is a switch too.
        side = sides[0] if len(sides) == 2 else None
        lines: list[tuple[CueKind, str]] = []
        cheer = self._cheer() if set_number == sets else None
        if cheer:
            lines.append(("encourage", cheer))
        lines.append(("rest", set_rest_text(exercise, set_number, sets, side)))
        said, end = self.out.talk(lines)
        quiet = settle_seconds(self.routine, exercise)
        if side is not None:
            quiet = max(quiet, switch_seconds(self.routine, exercise))
        duration = max(set_rest_seconds(self.routine.settings, exercise, step), ms(end + quiet))
        self.out.add(
            "rest",
            duration,
            "Rest between sets",
            said + self._time_left(end, duration, quiet),
            item,
            exercise=exercise.id,
            side=side,
            set_number=set_number,
            sets=sets,
        )

    def _switch(
        self,
        item: Item,
        exercise: Exercise,
        side: Side | None,
        set_number: int,
        sets: int,
        setup: list[str],
        notes: list[str],
    ) -> None:
        assert side is not None
        texts = second_side_lines(exercise, side, setup, notes)
        lines: list[tuple[CueKind, str]] = []
        if set_number == sets:
            cheer = self._cheer()
            if cheer:
                lines.append(("encourage", cheer))
            lines.append(("progress", self.out.take(LAST_SIDE)))
        lines.append(("switch", texts[0]))
        lines += [("instruction", text) for text in texts[1:]]
        pauses = [SETUP_PAUSE["describe"]] * len(lines)
        said, end = self.out.talk(lines, pauses)
        self.out.add(
            "switch",
            ms(end + switch_seconds(self.routine, exercise)),
            "Switch sides",
            said,
            item,
            exercise=exercise.id,
            side=side,
            set_number=set_number,
            sets=sets,
        )

    def _rest_after(self, item: Item, step: ExerciseStep, position: int) -> None:
        """Rest before the next exercise; a rest or message step that follows replaces it."""
        following = self._next_exercise(position)
        if following is None:
            return
        next_is_exercise = isinstance(self.items[position + 1].step, ExerciseStep)
        if step.rest_after is None and not next_is_exercise:
            return
        exercise = self.catalog.exercise(step.exercise)
        seconds = rest_after_seconds(self.routine.settings, exercise, step)
        self._rest(item, RestStep(seconds=seconds, say=self.out.take(REST_LINES)), following)

    def _hold(
        self,
        item: Item,
        exercise: Exercise,
        dose: ExerciseDose,
        rotation: Rotation,
        side: Side | None,
        set_number: int,
        sets: int,
    ) -> None:
        label = exercise.name + (f" — {side} side" if side else "")
        if sets > 1:
            label += f" (set {set_number} of {sets})"
        order = rotation.order()
        texts = [fill(rotation.templates[i], side) for i in order]
        owed = rotation.owed()
        voice = self.out.voice
        self.out.consider(candidate_texts(dose, exercise.phase_words, texts))
        end_line = self.out.take(END_LINES)
        if dose.kind == "hold":
            lines = HoldLines(
                end=end_line,
                halfway=self.out.take(HALFWAY),
                ten_seconds_left=self.out.take(TEN_SECONDS_LEFT),
            )
            natural = max(1, int((dose.seconds - 10) // 10))
            said = timed_hold(
                dose,
                texts,
                words=exercise.phase_words,
                owed=owed,
                want=max(owed, natural),
                voice=voice,
                countdown=self.routine.settings.countdown,
                halfway=self.routine.settings.halfway,
                quiet=isinstance(item.step, ExerciseStep) and item.step.quiet,
                cheer=self.may_cheer and not self.cheered,
                lines=lines,
            )
            self.cheered = self.cheered or any(s.kind == "encourage" for s in said)
            duration = dose.seconds
        else:
            said, duration = paced_set(
                dose,
                exercise.phase_words,
                texts,
                want=max(owed, dose.count // 4),
                voice=voice,
                end_line=end_line,
            )
        spoken = {s.text for s in said if s.kind == "cue"}
        rotation.said([i for i, text in zip(order, texts, strict=True) if text in spoken])
        self.out.add(
            "reps" if dose.kind == "reps" else "hold",
            duration,
            label,
            said,
            item,
            exercise=exercise.id,
            side=side,
            set_number=set_number,
            sets=sets,
        )

    def _rest(self, item: Item, step: RestStep, following: Exercise | None) -> None:
        if step.seconds <= 0:
            return
        lines: list[tuple[CueKind, str]] = [
            ("rest", step.say or f"Rest for {spoken_seconds(step.seconds)}.")
        ]
        if following is not None:
            lines.append(("next", f"Next up: {following.name}."))
        said, end = self.out.talk(lines)
        duration = max(step.seconds, ms(end + self.out.voice.gap))
        self.out.add("rest", duration, "Rest", said + self._time_left(end, duration), item)

    def _time_left(self, talk_end: float, duration: float, least: float = 0) -> list[Said]:
        """How long is left of a long rest, so that it is never silent for over 30 s.

        :param least: quiet the end of the rest must keep (to settle or change sides).
        """
        marks: list[Said] = []
        left = max(10, 5 * math.ceil((least + 3) / 5))
        while duration - talk_end > FILL_AFTER and left < duration:
            text = f"{spoken_seconds(left).capitalize()} left."
            at = ms(duration - left)
            if at < talk_end + ROOM:
                break
            marks.append(Said(at, "time-left", text))
            self.out.consider([text])
            if at - talk_end <= LONGEST_SILENCE - 2:
                break
            left += 20
        return marks

    def _message(self, item: Item, step: MessageStep) -> None:
        said, end = self.out.talk([("message", step.text)])
        least = step.pause if step.pause is not None else 0
        duration = max(least, ms(end + _AFTER_MESSAGE))
        self.out.add("message", duration, step.text, said, item, wait=step.wait)


def _is_exercise(item: Item) -> bool:
    return isinstance(item.step, ExerciseStep)


# ----------------------------------------------------------------------------- public API


def compile(
    routine: Routine, catalog: Catalog, settings: CompileSettings | None = None
) -> Timeline:
    """Expand a validated routine into a timeline of segments and cues.

    :param routine: a routine whose exercise ids all resolve in ``catalog``.
    :param settings: speech lengths and gap; None lays the timeline out around
        speech lengths estimated from the words (a text session).
    :raises glutekit.errors.UnknownId: when a step names an exercise the catalog lacks.
    """
    return _Compiler(routine, catalog, settings or CompileSettings()).run()


def cue_texts(timeline: Timeline) -> list[str]:
    """Every text the session may say, cues first in order of use: what a voice pre-renders.

    This includes words the compiler would choose with other speech lengths (a
    shorter "Begin.", a form cue placed in another hold), so a timeline compiled
    again with measured lengths finds every text already rendered.
    """
    return list(dict.fromkeys([*(cue.text for cue in timeline.cues), *timeline.texts]))


def from_segment(timeline: Timeline, index: int) -> Timeline:
    """The rest of a timeline from segment ``index`` on, moved to start at 0.

    Segments are renumbered from 0; ``step_path``, ``round``, side and set are kept,
    so a resumed session still knows which routine step each segment belongs to.
    """
    if not 0 <= index < len(timeline.segments):
        raise IndexError(f"segment {index} is outside 0..{len(timeline.segments) - 1}")
    shift = timeline.segments[index].start
    segments = tuple(
        replace(
            seg,
            index=i,
            start=round(seg.start - shift, 3),
            cues=tuple(_shifted(c, shift) for c in seg.cues),
        )
        for i, seg in enumerate(timeline.segments[index:])
    )
    return replace(timeline, segments=segments)


def _shifted(cue: Cue, shift: float) -> Cue:
    phase = cue.phase and (round(cue.phase[0] - shift, 3), round(cue.phase[1] - shift, 3))
    return replace(cue, at=round(cue.at - shift, 3), phase=phase)


def step_start(timeline: Timeline, step_path: tuple[int, ...], round: int = 1) -> int | None:
    """Index of the first segment of a routine step (its prepare), for resuming there."""
    for seg in timeline.segments:
        if seg.step_path == step_path and seg.round == round:
            return seg.index
    return None
