"""Routine + catalog -> Timeline: every segment and cue of a session, with exact times.

Pure: no clock, no I/O. The same routine and settings always give the same timeline,
so a whole session can be tested as data (``glutekit transcript`` prints it).

Without speech lengths the timeline is the *plain* one: cues sit at fixed offsets.
With speech lengths (seconds each text takes to say, learned from rendered audio),
cues are moved so that no two overlap, low-priority cues that no longer fit are left
out, and segments that hold set-up talk (prepare, messages, done) are lengthened
until the talk fits, so a hold never begins while instructions are still playing.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from glutekit.catalog import Catalog
from glutekit.cues import (
    Draft,
    ExerciseDose,
    hold_drafts,
    prepare_drafts,
    resolve_dose,
    spoken_seconds,
)
from glutekit.model import (
    PRIORITY,
    BlockStep,
    Cue,
    CueKind,
    Exercise,
    ExerciseStep,
    MessageStep,
    RestStep,
    Routine,
    Segment,
    SegmentKind,
    Side,
    Step,
    Timeline,
)

__all__ = [
    "CompileSettings",
    "compile",
    "cue_texts",
    "from_segment",
    "step_start",
]

DONE_SECONDS = 3.0


@dataclass(frozen=True, kw_only=True)
class CompileSettings:
    """How to fit cues around speech.

    :ivar speech_lengths: text -> seconds it takes to say; empty means no voice.
    :ivar gap: silence left between two spoken cues, in seconds.
    """

    speech_lengths: Mapping[str, float] = field(default_factory=dict)
    gap: float = 0.25


@dataclass(frozen=True, kw_only=True)
class _Item:
    """One routine step after blocks are unrolled, with where it came from."""

    step: Step
    path: tuple[int, ...]
    round: int = 1


def _flatten(
    steps: Sequence[Step], prefix: tuple[int, ...] = (), round_: int = 1
) -> Iterator[_Item]:
    for i, step in enumerate(steps):
        path = (*prefix, i)
        if not isinstance(step, BlockStep):
            yield _Item(step=step, path=path, round=round_)
            continue
        for r in range(1, step.repeat + 1):
            if r > 1 and step.rest_between:
                say = f"Rest. Round {r} of {step.repeat}: {step.name}."
                yield _Item(step=RestStep(seconds=step.rest_between, say=say), path=path, round=r)
            yield from _flatten(step.steps, path, r)


class _Builder:
    """Appends segments one after another, placing cues around speech when asked to."""

    def __init__(self, settings: CompileSettings) -> None:
        self.settings = settings
        self.segments: list[Segment] = []
        self.t = 0.0
        self.busy_until = 0.0  # when the last placed spoken cue (plus gap) finishes

    def add(
        self,
        kind: SegmentKind,
        duration: float,
        label: str,
        drafts: Sequence[Draft],
        item: _Item | None,
        *,
        stretch: bool = False,
        exercise: str | None = None,
        side: Side | None = None,
        set_number: int = 1,
        sets: int = 1,
    ) -> None:
        start = self.t
        if self.settings.speech_lengths:
            placed = self._fit(drafts, start, duration, stretch)
            if stretch and placed:
                last_end = max(at + self._length(d.text) for at, d in placed)
                talk = math.ceil((last_end + self.settings.gap - start) * 1000 - 1e-3) / 1000
                duration = max(duration, talk)
        else:
            placed = [(start + d.offset, d) for d in drafts]
        if duration <= 0 and not placed:
            return
        cues = tuple(
            Cue(
                at=round(at, 3),
                kind=d.kind,
                text=d.text,
                priority=PRIORITY[d.kind],
                exercise=exercise,
                side=side,
            )
            for at, d in sorted(placed, key=lambda p: p[0])
        )
        self.segments.append(
            Segment(
                index=len(self.segments),
                kind=kind,
                start=round(start, 3),
                duration=round(duration, 3),
                label=label,
                cues=cues,
                exercise=exercise,
                side=side,
                set_number=set_number,
                sets=sets,
                step_path=item.path if item else (),
                round=item.round if item else 1,
            )
        )
        # Keep the running time on the whole-millisecond grid the cues are placed on.
        self.t = math.ceil((start + duration) * 1000 - 1e-3) / 1000

    def _length(self, text: str) -> float:
        return float(self.settings.speech_lengths.get(text, 0.0))

    def _fit(
        self, drafts: Sequence[Draft], start: float, duration: float, stretch: bool
    ) -> list[tuple[float, Draft]]:
        """Give each cue the earliest free moment at or after its offset.

        Cues are placed by priority, so a countdown keeps its exact time and a coaching
        cue fills what is left. Cues of one kind keep their order. In a segment that
        cannot stretch, a cue that would still be talking at the segment's end is left
        out; only the closing "end" cue may run on into the next segment.
        """
        gap = self.settings.gap
        taken: list[tuple[float, float]] = [(-math.inf, self.busy_until)]
        kind_floor: dict[CueKind, float] = {}
        placed: list[tuple[float, Draft]] = []
        order = sorted(
            range(len(drafts)), key=lambda i: (-PRIORITY[drafts[i].kind], drafts[i].offset, i)
        )
        for i in order:
            draft = drafts[i]
            need = self._length(draft.text) + gap
            at = _earliest(
                max(start + draft.offset, kind_floor.get(draft.kind, -math.inf)), need, taken
            )
            at = math.ceil(at * 1000 - 1e-3) / 1000  # whole ms, never earlier than free
            limit = start + duration
            fits = at <= limit if draft.kind == "end" else at + need <= limit + 1e-9
            if not (stretch or fits):
                continue
            taken.append((at, at + need))
            kind_floor[draft.kind] = at + need
            placed.append((at, draft))
        self.busy_until = max(end for _, end in taken)
        return placed


def _earliest(at: float, need: float, taken: Sequence[tuple[float, float]]) -> float:
    moved = True
    while moved:
        moved = False
        for begin, end in taken:
            if at < end and begin < at + need:
                at, moved = end, True
    return at


# ----------------------------------------------------------------------------- steps


class _Compiler:
    def __init__(self, routine: Routine, catalog: Catalog, settings: CompileSettings) -> None:
        self.routine = routine
        self.catalog = catalog
        self.out = _Builder(settings)
        self.items = list(_flatten(routine.steps))

    def run(self) -> Timeline:
        for position, item in enumerate(self.items):
            step = item.step
            if isinstance(step, ExerciseStep):
                self._exercise(item, step, position)
            elif isinstance(step, RestStep):
                self._rest(item, step, self._next_exercise(position))
            elif isinstance(step, MessageStep):
                self._message(item, step)
        self.out.add(
            "done",
            DONE_SECONDS,
            "Done",
            [Draft(0.0, "done", "That's the end of the session. Well done.")],
            None,
            stretch=True,
        )
        return Timeline(
            routine_id=self.routine.id, title=self.routine.title, segments=tuple(self.out.segments)
        )

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

    def _exercise(self, item: _Item, step: ExerciseStep, position: int) -> None:
        exercise = self.catalog.exercise(step.exercise)
        settings = self.routine.settings
        dose = resolve_dose(exercise, step, settings.breath)
        sides = self._sides(exercise, step)
        sets = step.sets or exercise.dose.sets
        drafts = prepare_drafts(exercise, step, dose, sides, sets, settings.prepare)
        self.out.add(
            "prepare",
            settings.prepare,
            f"Get ready: {exercise.name}",
            drafts,
            item,
            stretch=True,
            exercise=exercise.id,
            side=sides[0],
            sets=sets,
        )
        for set_number in range(1, sets + 1):
            if set_number > 1:
                drafts = [Draft(0.0, "rest", f"Rest. Set {set_number} of {sets} next.")]
                self.out.add(
                    "rest",
                    settings.set_rest,
                    "Rest between sets",
                    drafts,
                    item,
                    exercise=exercise.id,
                    set_number=set_number,
                    sets=sets,
                )
            for n, side in enumerate(sides):
                if n > 0:
                    drafts = [Draft(0.0, "switch", f"Switch to the {side} side.")]
                    self.out.add(
                        "switch",
                        settings.switch,
                        "Switch sides",
                        drafts,
                        item,
                        stretch=True,
                        exercise=exercise.id,
                        side=side,
                        set_number=set_number,
                        sets=sets,
                    )
                self._hold(item, step, exercise, dose, side, set_number, sets)
        self._rest_after(item, step, position)

    def _rest_after(self, item: _Item, step: ExerciseStep, position: int) -> None:
        """Rest before the next exercise; a rest or message step that follows replaces it."""
        following = self._next_exercise(position)
        if following is None:
            return
        next_is_exercise = isinstance(self.items[position + 1].step, ExerciseStep)
        if step.rest_after is None and not next_is_exercise:
            return
        seconds = step.rest_after if step.rest_after is not None else self.routine.settings.rest
        self._rest(item, RestStep(seconds=seconds, say="Rest."), following)

    def _hold(
        self,
        item: _Item,
        step: ExerciseStep,
        exercise: Exercise,
        dose: ExerciseDose,
        side: Side | None,
        set_number: int,
        sets: int,
    ) -> None:
        label = exercise.name + (f" — {side} side" if side else "")
        if sets > 1:
            label += f" (set {set_number} of {sets})"
        drafts = hold_drafts(exercise, step, dose, self.routine.settings)
        self.out.add(
            "reps" if dose.kind == "reps" else "hold",
            dose.seconds,
            label,
            drafts,
            item,
            exercise=exercise.id,
            side=side,
            set_number=set_number,
            sets=sets,
        )

    def _rest(self, item: _Item, step: RestStep, following: Exercise | None) -> None:
        if step.seconds <= 0:
            return
        text = step.say or f"Rest for {spoken_seconds(step.seconds)}."
        drafts = [Draft(0.0, "rest", text)]
        if following is not None:
            drafts.append(Draft(min(2.0, step.seconds / 2), "next", f"Next up: {following.name}."))
        self.out.add("rest", step.seconds, "Rest", drafts, item)

    def _message(self, item: _Item, step: MessageStep) -> None:
        # Without a pause, leave roughly as long as it takes to read the message aloud.
        seconds = (
            step.pause
            if step.pause is not None
            else max(2, math.ceil(len(step.text.split()) * 0.4))
        )
        self.out.add(
            "message", seconds, step.text, [Draft(0.0, "message", step.text)], item, stretch=True
        )


# ----------------------------------------------------------------------------- public API


def compile(
    routine: Routine, catalog: Catalog, settings: CompileSettings | None = None
) -> Timeline:
    """Expand a validated routine into a timeline of segments and cues.

    :param routine: a routine whose exercise ids all resolve in ``catalog``.
    :param settings: speech lengths and gap; None gives the plain (silent) timeline.
    :raises glutekit.errors.UnknownId: when a step names an exercise the catalog lacks.
    """
    return _Compiler(routine, catalog, settings or CompileSettings()).run()


def cue_texts(timeline: Timeline) -> list[str]:
    """Every distinct cue text, in order of first use: what a voice must pre-render."""
    return list(dict.fromkeys(cue.text for cue in timeline.cues))


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
            cues=tuple(replace(c, at=round(c.at - shift, 3)) for c in seg.cues),
        )
        for i, seg in enumerate(timeline.segments[index:])
    )
    return replace(timeline, segments=segments)


def step_start(timeline: Timeline, step_path: tuple[int, ...], round: int = 1) -> int | None:
    """Index of the first segment of a routine step (its prepare), for resuming there."""
    for seg in timeline.segments:
        if seg.step_path == step_path and seg.round == round:
            return seg.index
    return None
