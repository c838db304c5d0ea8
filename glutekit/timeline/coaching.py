"""The coaching check: rules a physiotherapist would apply to a voiced session.

``glutekit validate --coaching`` and ``check-pack`` compile a routine's timeline
around its speech and check it against these rules:

1. at least :data:`MIN_SETTLE` s of quiet between the end of the set-up speech and
   the start of a hold or set;
2. quiet to change sides at least as long as the exercise's transition time;
3. no two spoken items overlap, and in holds the items other than 3-2-1 and the
   breath words are at least :data:`ROOM` s apart;
4. every rep or breath phase word starts within :data:`PHASE_SLACK` s of its phase
   and ends before the next phase;
5. every form cue of an exercise is heard at least once each time it is done;
6. every per-side exercise names its working side when announced and at each switch;
7. the session's safety line is heard once;
8. the played length is within 5% of any stated length;
9. no exercise loads what the routine's symptom (its ``symptom`` field, or a tag that
   names a symptom) or its own ``excludes`` rules out;
10. the symptom's screen and every screen of the routine are heard before the first
    exercise starts, each followed by :data:`SCREEN_PAUSE` s of quiet;
11. a message before the first exercise that asks for a warm-up gives it time: it
    waits for the user (``"wait": true``), or the routine starts with a warm-up;
12. a set-up line that changes position is followed by at least
    :data:`MIN_POSITION_PAUSE` s before the next set-up line, one that adjusts by
    :data:`MIN_ADJUST_PAUSE` s: time to do what it asks;
13. a second side hears every side-specific instruction the first side's set-up
    said, mirrored ("drop the knees to your right side" after "... left side");
14. no line uses "left side" and "right side" together: heard, not read, "side"
    then has two meanings (the side that works, the side one lies on);
15. every set of reps or counted breaths says every count from one to its number, in
    order: a form cue never takes the place of a number;
16. a breathing instruction in a set of counted breaths ("Deep breath in, long breath
    out") starts within :data:`BREATH_SLACK` s of the start of the phase it names first,
    and no line asks the listener to count the breaths the voice is counting;
17. no silence lasts over :data:`~glutekit.timeline.pacing.LONGEST_SILENCE` s, except in a step
    marked ``"quiet": true`` or a message that waits for the user.

Pure: the timeline and the speech lengths come in, violations come out. The safety
rules (7, 9, 10, 11) are in :mod:`.safetyrules`, what a violation is in
:mod:`.violations`, a session's figures and its stated length in :mod:`.figures`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from glutekit.catalog import Catalog
from glutekit.model import (
    Cue,
    Exercise,
    ExerciseStep,
    Routine,
    Segment,
    Timeline,
)
from glutekit.model.durations import clock
from glutekit.model.sides import fill, mirrored, side_phrases, sides_named_side
from glutekit.timeline.cues import (
    SETTLE_FLOOR,
    form_cues,
    resolve_dose,
    setup_move,
    transition_seconds,
    working_side_text,
)
from glutekit.timeline.figures import NUMBER_WORDS, Figures, figures, stated_length
from glutekit.timeline.pacing import LONGEST_SILENCE, ROOM, breath_phase
from glutekit.timeline.safetyrules import (
    SAFETY_RULES,
    WARMING_KINDS,
    exclusions,
    routine_symptoms,
    safety_line,
    screens,
    warm_up,
)
from glutekit.timeline.violations import (
    EPS,
    Length,
    Violation,
    pointer_to,
    short,
    step_at,
    talk_end,
)

__all__ = [
    "SAFETY_RULES",
    "WARMING_KINDS",
    "Figures",
    "Length",
    "Violation",
    "check",
    "figures",
    "routine_symptoms",
    "stated_length",
]

MIN_SETTLE = SETTLE_FLOOR
PHASE_SLACK = 0.25
#: Least quiet after a set-up line that changes position, and after one that adjusts it.
MIN_POSITION_PAUSE = 2.0
MIN_ADJUST_PAUSE = 1.0
#: How far from the start of its phase a breathing instruction may start.
BREATH_SLACK = 0.3
_COUNT = re.compile(r"(?:Out… )?([A-Za-z-]+)\.")
_COUNT_YOUR_BREATHS = re.compile(r"\bcount (?:your|the|each) breaths?\b", re.IGNORECASE)
LENGTH_TOLERANCE = 0.05


def check(
    routine: Routine, catalog: Catalog, timeline: Timeline, length: Length
) -> list[Violation]:
    """Every coaching rule ``timeline`` (compiled from ``routine``) breaks."""
    found: list[Violation] = []
    found += _quiet_before_holds(routine, catalog, timeline, length)
    found += _spoken_items(timeline, length)
    found += _pace(timeline, length)
    found += _step_rules(routine, catalog, timeline)
    found += safety_line(routine, timeline)
    found += _length(routine, timeline)
    found += exclusions(routine, catalog)
    found += screens(routine, catalog, timeline, length)
    found += warm_up(routine, catalog)
    found += _setup_pace(timeline, length)
    found += _second_sides(catalog, timeline)
    found += _one_meaning_of_side(timeline)
    found += _counts(routine, catalog, timeline)
    found += _breathing(routine, catalog, timeline)
    found += _silences(routine, timeline, length)
    return sorted(found, key=lambda v: v.rule)


def _quiet_before_holds(
    routine: Routine, catalog: Catalog, timeline: Timeline, length: Length
) -> Iterator[Violation]:
    cues = list(timeline.cues)
    segments = timeline.segments
    for before, seg in itertools.pairwise(segments):
        if seg.kind not in ("hold", "reps") or seg.exercise is None:
            continue
        quiet = seg.start - talk_end(cues, seg.start, length)
        pointer = pointer_to(seg.step_path)
        side_change = before.kind == "switch" or (before.kind == "rest" and before.side)
        if before.kind in ("prepare", "rest") and quiet < MIN_SETTLE - EPS:
            yield Violation(
                rule=1,
                pointer=pointer,
                message=f"settle: {quiet:.1f} s of quiet between the set-up and the start "
                f"of {_label(seg)} at {clock(seg.start)}; at least {MIN_SETTLE:g} s needed",
            )
        if side_change:
            exercise = catalog.exercise(seg.exercise)
            need = transition_seconds(exercise)
            if quiet < need - EPS:
                yield Violation(
                    rule=2,
                    pointer=pointer,
                    message=f"switch: {quiet:.1f} s of quiet to change to the {seg.side} side "
                    f"of {exercise.name} at {clock(seg.start)}; its transition needs {need} s",
                )


def _label(seg: Segment) -> str:
    return seg.label.split(" (set")[0]


def _spoken_items(timeline: Timeline, length: Length) -> Iterator[Violation]:
    placed = sorted(((c, s) for s in timeline.segments for c in s.cues), key=lambda p: p[0].at)
    for (a, _), (b, seg) in itertools.pairwise(placed):
        if a.at + length(a.text) > b.at + EPS:
            yield Violation(
                rule=3,
                pointer=pointer_to(seg.step_path) or "/steps",
                message=f"overlap: {a.text!r} at {clock(a.at)} is still being said when "
                f"{b.text!r} starts",
            )
    for seg in timeline.segments:
        if seg.kind != "hold":
            continue
        items = [c for c in seg.cues if c.kind != "countdown" and c.phase is None]
        for a, b in itertools.pairwise(items):
            quiet = b.at - (a.at + length(a.text))
            if 0 <= quiet < ROOM - EPS:
                yield Violation(
                    rule=3,
                    pointer=pointer_to(seg.step_path),
                    message=f"crowded: only {quiet:.1f} s between {a.text!r} and {b.text!r} "
                    f"in {seg.label} at {clock(b.at)}; at least {ROOM:g} s needed",
                )


def _pace(timeline: Timeline, length: Length) -> Iterator[Violation]:
    for seg in timeline.segments:
        for cue in seg.cues:
            if cue.phase is not None:
                yield from _paced(seg, cue, length)


def _paced(seg: Segment, cue: Cue, length: Length) -> Iterator[Violation]:
    assert cue.phase is not None
    start, end = cue.phase
    late = cue.at - start
    over = cue.at + length(cue.text) - end
    if abs(late) > PHASE_SLACK + EPS:
        yield Violation(
            rule=4,
            pointer=pointer_to(seg.step_path),
            message=f"pace: {cue.text!r} at {clock(cue.at)} in {seg.label} starts {late:+.2f} s "
            f"from its phase; within {PHASE_SLACK:g} s needed",
        )
    if over > EPS:
        yield Violation(
            rule=4,
            pointer=pointer_to(seg.step_path),
            message=f"pace: {cue.text!r} at {clock(cue.at)} in {seg.label} runs {over:.2f} s "
            "into the next phase",
        )


def _step_rules(routine: Routine, catalog: Catalog, timeline: Timeline) -> Iterator[Violation]:
    """Rules 5 and 6, for each time an exercise step is done."""
    groups: dict[tuple[tuple[int, ...], int], list[Segment]] = {}
    for seg in timeline.segments:
        if seg.exercise is not None:
            groups.setdefault((seg.step_path, seg.round), []).append(seg)
    for (path, round_), segments in groups.items():
        step = step_at(routine, path)
        if not isinstance(step, ExerciseStep):
            continue
        exercise = catalog.exercise(step.exercise)
        pointer = pointer_to(path)
        where = f"{exercise.name}" + (f" (round {round_})" if round_ > 1 else "")
        heard = {c.text for s in segments for c in s.cues if c.kind == "cue"}
        for template in form_cues(exercise, step):
            if not any(fill(template, side) in heard for side in ("right", "left", None)):
                yield Violation(
                    rule=5, pointer=pointer, message=f"cues: {where} never says {template!r}"
                )
        if exercise.per_side:
            yield from _working_side(exercise, segments, pointer, where)


def _working_side(
    exercise: Exercise, segments: list[Segment], pointer: str, where: str
) -> Iterator[Violation]:
    for seg in segments:
        kinds = ("announce",) if seg.kind == "prepare" else ("switch", "rest")
        for cue in seg.cues:
            if cue.kind not in kinds or seg.side is None:
                continue
            working = working_side_text(exercise, seg.side)
            if working is None:
                yield Violation(
                    rule=6,
                    pointer=pointer,
                    message=f"sides: {where} is done per side but never says which side works "
                    "(give the exercise a 'working_side')",
                )
                return
            if working not in cue.text:
                yield Violation(
                    rule=6,
                    pointer=pointer,
                    message=f"sides: {cue.text!r} at {clock(cue.at)} does not name the "
                    f"working side ({working!r})",
                )


def _length(routine: Routine, timeline: Timeline) -> Iterator[Violation]:
    stated = stated_length(routine)
    if stated is None:
        return
    seconds, pointer = stated
    played = timeline.duration
    off = (played - seconds) / seconds
    if abs(off) > LENGTH_TOLERANCE + EPS:
        yield Violation(
            rule=8,
            pointer=pointer,
            message=f"length: plays for {clock(played)} but states {clock(seconds)} "
            f"({off:+.0%}); keep within {LENGTH_TOLERANCE:.0%}",
        )


def _setup_pace(timeline: Timeline, length: Length) -> Iterator[Violation]:
    least = {"position": MIN_POSITION_PAUSE, "adjust": MIN_ADJUST_PAUSE}
    for seg in timeline.segments:
        if seg.kind != "prepare":
            continue
        for a, b in itertools.pairwise(seg.cues):
            if a.kind != "instruction" or b.kind != "instruction":
                continue
            move = setup_move(a.text)
            need = least.get(move)
            quiet = b.at - (a.at + length(a.text))
            if need is not None and quiet < need - EPS:
                yield Violation(
                    rule=12,
                    pointer=pointer_to(seg.step_path),
                    message=f"set-up pace: only {quiet:.1f} s after {short(a.text)} at "
                    f"{clock(a.at)} before the next line; a {move} line needs {need:g} s",
                )


def _second_sides(catalog: Catalog, timeline: Timeline) -> Iterator[Violation]:
    """Rule 13: each switch says, mirrored, every side phrase of the first side's set-up."""
    first: dict[tuple[tuple[int, ...], int], set[str]] = {}
    for seg in timeline.segments:
        if seg.exercise is None or seg.side is None:
            continue
        key = (seg.step_path, seg.round)
        if seg.kind == "prepare":
            texts = [c.text for c in seg.cues if c.kind == "instruction"]
            first[key] = set().union(*map(side_phrases, texts)) if texts else set()
        elif seg.kind == "switch" and key in first:
            heard = set().union(*(side_phrases(c.text) for c in seg.cues))
            missing = sorted(mirrored(p) for p in first[key] if mirrored(p) not in heard)
            if missing:
                name = catalog.exercise(seg.exercise).name
                yield Violation(
                    rule=13,
                    pointer=pointer_to(seg.step_path),
                    message=f"second side: the switch to the {seg.side} side of {name} at "
                    f"{clock(seg.start)} never says {', '.join(repr(m) for m in missing)}, "
                    "which the first side's set-up said for its side",
                )


def _one_meaning_of_side(timeline: Timeline) -> Iterator[Violation]:
    for seg in timeline.segments:
        for cue in seg.cues:
            if len(sides_named_side(cue.text)) == 2:
                yield Violation(
                    rule=14,
                    pointer=pointer_to(seg.step_path) or "/steps",
                    message=f"side: {short(cue.text)} at {clock(cue.at)} says both 'left side' "
                    "and 'right side'; name the working limb and the side lain on in different "
                    'words ("lie on your right hip, left knee on top")',
                )


def _counts(routine: Routine, catalog: Catalog, timeline: Timeline) -> Iterator[Violation]:
    for seg in timeline.segments:
        step = step_at(routine, seg.step_path)
        if seg.kind not in ("reps", "hold") or not isinstance(step, ExerciseStep):
            continue
        dose = resolve_dose(catalog.exercise(step.exercise), step, routine.settings.breath)
        if dose.kind == "hold":
            continue
        said = []
        for cue in seg.cues:
            match = _COUNT.fullmatch(cue.text)
            word = match.group(1).lower() if match else ""
            if cue.kind in ("rep", "breath") and word in NUMBER_WORDS:
                said.append(NUMBER_WORDS[word])
        wanted = list(range(1, dose.count + 1))
        if said != wanted:
            missing = [n for n in wanted if n not in said]
            what = (
                f"never says {', '.join(map(str, missing))}" if missing else "counts out of order"
            )
            yield Violation(
                rule=15,
                pointer=pointer_to(seg.step_path),
                message=f"counts: {seg.label} at {clock(seg.start)} {what}; every count from "
                f"1 to {dose.count} is said, with form cues between them",
            )


def _breathing(routine: Routine, catalog: Catalog, timeline: Timeline) -> Iterator[Violation]:
    for seg in timeline.segments:
        step = step_at(routine, seg.step_path)
        if seg.kind != "hold" or not isinstance(step, ExerciseStep):
            continue
        dose = resolve_dose(catalog.exercise(step.exercise), step, routine.settings.breath)
        paced = [c for c in seg.cues if c.phase is not None]
        if dose.kind != "breaths" or not paced:
            continue
        for cue in seg.cues:
            if _COUNT_YOUR_BREATHS.search(cue.text):
                yield Violation(
                    rule=16,
                    pointer=pointer_to(seg.step_path),
                    message=f"breathing: {short(cue.text)} at {clock(cue.at)} asks the listener "
                    f"to count the breaths that {seg.label} counts aloud",
                )
        # The first breath's in-breath starts the grid every later phase sits on.
        first = paced[0]
        assert first.phase is not None
        origin = first.phase[0] - (dose.inhale if first.text.startswith("Out") else 0.0)
        for cue in seg.cues:
            named = breath_phase(cue.text) if cue.kind == "cue" else None
            if named is None:
                continue
            onset = origin + (dose.inhale if named == "out" else 0.0)
            off = (cue.at - onset) % dose.breath
            off = min(off, dose.breath - off)
            if off > BREATH_SLACK + EPS:
                yield Violation(
                    rule=16,
                    pointer=pointer_to(seg.step_path),
                    message=f"breathing: {short(cue.text)} at {clock(cue.at)} starts "
                    f"{off:.1f} s from the start of a breath {named}; within "
                    f"{BREATH_SLACK:g} s needed (a breathing line must fit in the phase it "
                    "names: shorten it, or give the breath a slower pace)",
                )


def _silences(routine: Routine, timeline: Timeline, length: Length) -> Iterator[Violation]:
    cues = sorted(timeline.cues, key=lambda c: c.at)
    for a, b in itertools.pairwise(cues):
        quiet = b.at - (a.at + length(a.text))
        if quiet <= LONGEST_SILENCE + EPS:
            continue
        middle = b.at - quiet / 2
        seg = next(s for s in timeline.segments if s.start + s.duration >= middle - EPS)
        step = step_at(routine, seg.step_path)
        if seg.wait or (isinstance(step, ExerciseStep) and step.quiet):
            continue
        yield Violation(
            rule=17,
            pointer=pointer_to(seg.step_path) or "/steps",
            message=f"silence: {quiet:.0f} s without a word from {clock(a.at + length(a.text))} "
            f'in {seg.label}; at most {LONGEST_SILENCE:g} s, or mark the step "quiet": true',
        )
