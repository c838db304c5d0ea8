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

Pure: the timeline and the speech lengths come in, violations come out.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator

from glutekit.catalog import Catalog
from glutekit.model import (
    BlockStep,
    Cue,
    Exercise,
    ExerciseStep,
    MessageStep,
    Routine,
    Segment,
    Step,
    Symptom,
    Timeline,
)
from glutekit.model.durations import clock
from glutekit.model.records import record
from glutekit.model.sides import fill, mirrored, side_phrases, sides_named_side
from glutekit.timeline import SCREEN_PAUSE
from glutekit.timeline.cues import (
    DEFAULT_SAFETY,
    NUMBERS,
    SETTLE_FLOOR,
    form_cues,
    resolve_dose,
    setup_move,
    transition_seconds,
    working_side_text,
)
from glutekit.timeline.pacing import LONGEST_SILENCE, ROOM, breath_phase

MIN_SETTLE = SETTLE_FLOOR
#: Rules that keep a session from doing what it warns against: ``check-pack`` fails a
#: pack whose routine breaks one (the others are warnings there).
SAFETY_RULES = frozenset({9, 10, 11})
PHASE_SLACK = 0.25
#: Least quiet after a set-up line that changes position, and after one that adjusts it.
MIN_POSITION_PAUSE = 2.0
MIN_ADJUST_PAUSE = 1.0
#: How far from the start of its phase a breathing instruction may start.
BREATH_SLACK = 0.3
_COUNT = re.compile(r"(?:Out… )?([A-Za-z-]+)\.")
_COUNT_YOUR_BREATHS = re.compile(r"\bcount (?:your|the|each) breaths?\b", re.IGNORECASE)
LENGTH_TOLERANCE = 0.05
_EPS = 1e-6

_NUMBER_WORDS = {w: n for n, w in enumerate(NUMBERS)}
_NUMBER_WORDS.update({"thirty": 30, "forty": 40, "forty-five": 45, "sixty": 60})
#: "Five minutes.", "a 10-minute routine"; not "walk for five minutes" (another activity).
_MINUTES = re.compile(
    r"(?<!\bfor )(?<!\bof )\b(\d+|[a-z]+(?:-[a-z]+)?)[ -]minutes?\b", re.IGNORECASE
)


@record(frozen=True, kw_only=True)
class Violation:
    """One broken rule, at a JSON pointer into the routine."""

    rule: int
    pointer: str
    message: str


Length = Callable[[str], float]


def stated_length(routine: Routine) -> tuple[int, str] | None:
    """The length the routine states, in seconds, and the pointer to where it says so.

    The ``length`` field, else a number of minutes in its first ``say`` step.
    """
    if routine.length is not None:
        return routine.length, "/length"
    for i, step in enumerate(routine.steps):
        if isinstance(step, MessageStep):
            for match in _MINUTES.finditer(step.text):
                word = match.group(1).lower()
                minutes = int(word) if word.isdigit() else _NUMBER_WORDS.get(word)
                if minutes:
                    return minutes * 60, f"/steps/{i}/say"
            return None
    return None


def check(
    routine: Routine, catalog: Catalog, timeline: Timeline, length: Length
) -> list[Violation]:
    """Every coaching rule ``timeline`` (compiled from ``routine``) breaks."""
    found: list[Violation] = []
    found += _quiet_before_holds(routine, catalog, timeline, length)
    found += _spoken_items(timeline, length)
    found += _pace(timeline, length)
    found += _step_rules(routine, catalog, timeline)
    found += _safety(routine, timeline)
    found += _length(routine, timeline)
    found += _exclusions(routine, catalog)
    found += _screens(routine, catalog, timeline, length)
    found += _warm_up(routine, catalog)
    found += _setup_pace(timeline, length)
    found += _second_sides(catalog, timeline)
    found += _one_meaning_of_side(timeline)
    found += _counts(routine, catalog, timeline)
    found += _breathing(routine, catalog, timeline)
    found += _silences(routine, timeline, length)
    return sorted(found, key=lambda v: v.rule)


def _pointer(path: tuple[int, ...]) -> str:
    return "".join(f"/steps/{i}" for i in path)


def _step_at(routine: Routine, path: tuple[int, ...]) -> Step | None:
    steps: tuple[Step, ...] = routine.steps
    step: Step | None = None
    for i in path:
        if i >= len(steps):
            return None
        step = steps[i]
        if isinstance(step, BlockStep):
            steps = step.steps
    return step


def _talk_end(cues: list[Cue], before: float, length: Length) -> float:
    ends = [c.at + length(c.text) for c in cues if c.at < before - _EPS]
    return max(ends, default=0.0)


def _quiet_before_holds(
    routine: Routine, catalog: Catalog, timeline: Timeline, length: Length
) -> Iterator[Violation]:
    cues = list(timeline.cues)
    segments = timeline.segments
    for before, seg in itertools.pairwise(segments):
        if seg.kind not in ("hold", "reps") or seg.exercise is None:
            continue
        quiet = seg.start - _talk_end(cues, seg.start, length)
        pointer = _pointer(seg.step_path)
        side_change = before.kind == "switch" or (before.kind == "rest" and before.side)
        if before.kind in ("prepare", "rest") and quiet < MIN_SETTLE - _EPS:
            yield Violation(
                rule=1,
                pointer=pointer,
                message=f"settle: {quiet:.1f} s of quiet between the set-up and the start "
                f"of {_label(seg)} at {clock(seg.start)}; at least {MIN_SETTLE:g} s needed",
            )
        if side_change:
            exercise = catalog.exercise(seg.exercise)
            need = transition_seconds(exercise)
            if quiet < need - _EPS:
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
        if a.at + length(a.text) > b.at + _EPS:
            yield Violation(
                rule=3,
                pointer=_pointer(seg.step_path) or "/steps",
                message=f"overlap: {a.text!r} at {clock(a.at)} is still being said when "
                f"{b.text!r} starts",
            )
    for seg in timeline.segments:
        if seg.kind != "hold":
            continue
        items = [c for c in seg.cues if c.kind != "countdown" and c.phase is None]
        for a, b in itertools.pairwise(items):
            quiet = b.at - (a.at + length(a.text))
            if 0 <= quiet < ROOM - _EPS:
                yield Violation(
                    rule=3,
                    pointer=_pointer(seg.step_path),
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
    if abs(late) > PHASE_SLACK + _EPS:
        yield Violation(
            rule=4,
            pointer=_pointer(seg.step_path),
            message=f"pace: {cue.text!r} at {clock(cue.at)} in {seg.label} starts {late:+.2f} s "
            f"from its phase; within {PHASE_SLACK:g} s needed",
        )
    if over > _EPS:
        yield Violation(
            rule=4,
            pointer=_pointer(seg.step_path),
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
        step = _step_at(routine, path)
        if not isinstance(step, ExerciseStep):
            continue
        exercise = catalog.exercise(step.exercise)
        pointer = _pointer(path)
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


def _safety(routine: Routine, timeline: Timeline) -> Iterator[Violation]:
    line = routine.safety or DEFAULT_SAFETY
    times = sum(1 for c in timeline.cues if c.text == line)
    if times != 1:
        yield Violation(
            rule=7,
            pointer="/safety" if routine.safety else "",
            message=f"safety: the line on when to stop ({line!r}) is heard {times} times; "
            "once is right",
        )


def _length(routine: Routine, timeline: Timeline) -> Iterator[Violation]:
    stated = stated_length(routine)
    if stated is None:
        return
    seconds, pointer = stated
    played = timeline.duration
    off = (played - seconds) / seconds
    if abs(off) > LENGTH_TOLERANCE + _EPS:
        yield Violation(
            rule=8,
            pointer=pointer,
            message=f"length: plays for {clock(played)} but states {clock(seconds)} "
            f"({off:+.0%}); keep within {LENGTH_TOLERANCE:.0%}",
        )


def routine_symptoms(routine: Routine, catalog: Catalog) -> list[tuple[Symptom, str]]:
    """The symptoms a routine is for, with the pointer that says so: its ``symptom``
    field, then each tag that is the id of a symptom in the catalog's guidance."""
    known = catalog.symptoms()
    found: list[tuple[Symptom, str]] = []
    if routine.symptom in known:
        found.append((known[routine.symptom], "/symptom"))
    for i, tag in enumerate(routine.tags):
        if tag in known and all(s.id != tag for s, _ in found):
            found.append((known[tag], f"/tags/{i}"))
    return found


def _exercise_steps(
    steps: tuple[Step, ...], path: tuple[int, ...] = ()
) -> Iterator[tuple[tuple[int, ...], ExerciseStep]]:
    for i, step in enumerate(steps):
        if isinstance(step, ExerciseStep):
            yield (*path, i), step
        elif isinstance(step, BlockStep):
            yield from _exercise_steps(step.steps, (*path, i))


def _exclusions(routine: Routine, catalog: Catalog) -> Iterator[Violation]:
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
    rules: list[tuple[str, str, tuple[str, ...]]] = [
        (load, f"the {symptom.id} symptom", symptom.instead)
        for symptom, _ in symptoms
        for load in symptom.excludes
    ]
    rules += [(load, "the routine's own 'excludes'", ()) for load in routine.excludes]
    if not rules:
        return
    for path, step in _exercise_steps(routine.steps):
        exercise = catalog.exercise(step.exercise)
        for load, who, instead in rules:
            if load not in exercise.loads:
                continue
            names = [catalog.exercises[i].name for i in instead if i in catalog.exercises]
            hint = f"; use {' or '.join(names)} instead" if names else ""
            yield Violation(
                rule=9,
                pointer=_pointer(path),
                message=f"excluded: {exercise.name} loads "
                f"{words.inline_label('loads', load)}, which {who} rules out{hint}",
            )
            break


def _screens(
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
                message=f"screen: {what} ({_short(text)}) is never said; "
                "put it in the routine's 'screens'",
            )
            continue
        said = heard[0]
        if said.at >= start - _EPS:
            name = first.label.removeprefix("Get ready: ") if first is not None else "the session"
            yield Violation(
                rule=10,
                pointer=pointer,
                message=f"screen: {what} ({_short(text)}) is first said at {clock(said.at)}, "
                f"after {name} starts at {clock(start)}; put it in the routine's 'screens'",
            )
            continue
        after = [c.at for c in cues if c.at > said.at + _EPS]
        quiet = min(after, default=timeline.duration) - (said.at + length(text))
        if quiet < SCREEN_PAUSE - _EPS:
            yield Violation(
                rule=10,
                pointer=pointer,
                message=f"screen: only {quiet:.1f} s of quiet after {what} at "
                f"{clock(said.at)} to decide whether to stop; at least {SCREEN_PAUSE:g} s needed",
            )


_WARM_UP = re.compile(r"\bwarm(?:ed)?[ -]?up\b|\bwhen you (?:are|feel) warm\b", re.IGNORECASE)
#: Kinds of exercise that warm a body up.
WARMING_KINDS = ("warm-up", "cardio")


def _warm_up(routine: Routine, catalog: Catalog) -> Iterator[Violation]:
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
            if need is not None and quiet < need - _EPS:
                yield Violation(
                    rule=12,
                    pointer=_pointer(seg.step_path),
                    message=f"set-up pace: only {quiet:.1f} s after {_short(a.text)} at "
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
                    pointer=_pointer(seg.step_path),
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
                    pointer=_pointer(seg.step_path) or "/steps",
                    message=f"side: {_short(cue.text)} at {clock(cue.at)} says both 'left side' "
                    "and 'right side'; name the working limb and the side lain on in different "
                    'words ("lie on your right hip, left knee on top")',
                )


def _counts(routine: Routine, catalog: Catalog, timeline: Timeline) -> Iterator[Violation]:
    for seg in timeline.segments:
        step = _step_at(routine, seg.step_path)
        if seg.kind not in ("reps", "hold") or not isinstance(step, ExerciseStep):
            continue
        dose = resolve_dose(catalog.exercise(step.exercise), step, routine.settings.breath)
        if dose.kind == "hold":
            continue
        said = []
        for cue in seg.cues:
            match = _COUNT.fullmatch(cue.text)
            word = match.group(1).lower() if match else ""
            if cue.kind in ("rep", "breath") and word in _NUMBER_WORDS:
                said.append(_NUMBER_WORDS[word])
        wanted = list(range(1, dose.count + 1))
        if said != wanted:
            missing = [n for n in wanted if n not in said]
            what = (
                f"never says {', '.join(map(str, missing))}" if missing else "counts out of order"
            )
            yield Violation(
                rule=15,
                pointer=_pointer(seg.step_path),
                message=f"counts: {seg.label} at {clock(seg.start)} {what}; every count from "
                f"1 to {dose.count} is said, with form cues between them",
            )


def _breathing(routine: Routine, catalog: Catalog, timeline: Timeline) -> Iterator[Violation]:
    for seg in timeline.segments:
        step = _step_at(routine, seg.step_path)
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
                    pointer=_pointer(seg.step_path),
                    message=f"breathing: {_short(cue.text)} at {clock(cue.at)} asks the listener "
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
            if off > BREATH_SLACK + _EPS:
                yield Violation(
                    rule=16,
                    pointer=_pointer(seg.step_path),
                    message=f"breathing: {_short(cue.text)} at {clock(cue.at)} starts "
                    f"{off:.1f} s from the start of a breath {named}; within "
                    f"{BREATH_SLACK:g} s needed (a breathing line must fit in the phase it "
                    "names: shorten it, or give the breath a slower pace)",
                )


def _silences(routine: Routine, timeline: Timeline, length: Length) -> Iterator[Violation]:
    cues = sorted(timeline.cues, key=lambda c: c.at)
    for a, b in itertools.pairwise(cues):
        quiet = b.at - (a.at + length(a.text))
        if quiet <= LONGEST_SILENCE + _EPS:
            continue
        middle = b.at - quiet / 2
        seg = next(s for s in timeline.segments if s.start + s.duration >= middle - _EPS)
        step = _step_at(routine, seg.step_path)
        if seg.wait or (isinstance(step, ExerciseStep) and step.quiet):
            continue
        yield Violation(
            rule=17,
            pointer=_pointer(seg.step_path) or "/steps",
            message=f"silence: {quiet:.0f} s without a word from {clock(a.at + length(a.text))} "
            f'in {seg.label}; at most {LONGEST_SILENCE:g} s, or mark the step "quiet": true',
        )


def _short(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37].rstrip() + "...")


# ----------------------------------------------------------------------------- figures


@record(frozen=True, kw_only=True)
class Figures:
    """What a listener gets from one voiced session, in numbers (``benchmarks/coaching.py``)."""

    min_settle: float | None  # least quiet before a hold or set, after its set-up
    min_switch: float | None  # least quiet to change sides
    cues_heard: int  # form cues heard at least once, counted per exercise step done
    cues_total: int
    safety_lines: int  # times the session's line on when to stop is said
    spoken_cautions: int
    played: float
    stated: int | None


def figures(routine: Routine, catalog: Catalog, timeline: Timeline, length: Length) -> Figures:
    cues = list(timeline.cues)
    settles: list[float] = []
    switches: list[float] = []
    for before, seg in itertools.pairwise(timeline.segments):
        if seg.kind not in ("hold", "reps") or seg.exercise is None:
            continue
        quiet = round(seg.start - _talk_end(cues, seg.start, length), 3)
        if before.kind == "switch" or (before.kind == "rest" and before.side):
            switches.append(quiet)
        elif before.kind in ("prepare", "rest"):
            settles.append(quiet)
    heard = total = 0
    groups: dict[tuple[tuple[int, ...], int], set[str]] = {}
    for seg in timeline.segments:
        if seg.exercise is not None:
            texts = groups.setdefault((seg.step_path, seg.round), set())
            texts.update(c.text for c in seg.cues if c.kind == "cue")
    for (path, _), texts in groups.items():
        step = _step_at(routine, path)
        if isinstance(step, ExerciseStep):
            templates = form_cues(catalog.exercise(step.exercise), step)
            total += len(templates)
            heard += sum(
                any(fill(t, side) in texts for side in ("right", "left", None)) for t in templates
            )
    line = routine.safety or DEFAULT_SAFETY
    stated = stated_length(routine)
    return Figures(
        min_settle=min(settles, default=None),
        min_switch=min(switches, default=None),
        cues_heard=heard,
        cues_total=total,
        safety_lines=sum(1 for c in cues if c.text == line),
        spoken_cautions=sum(1 for c in cues if c.kind == "caution"),
        played=timeline.duration,
        stated=stated[0] if stated else None,
    )
