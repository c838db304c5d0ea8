"""What a listener gets from one voiced session, in numbers, and the length a routine
says it lasts (for :mod:`.coaching` and ``benchmarks/coaching.py``)."""

from __future__ import annotations

import itertools
import re

from glutekit.catalog import Catalog
from glutekit.model import ExerciseStep, MessageStep, Routine, Timeline
from glutekit.model.records import record
from glutekit.model.sides import fill
from glutekit.timeline.cues import DEFAULT_SAFETY, NUMBERS, form_cues
from glutekit.timeline.violations import Length, step_at, talk_end

#: Numbers as words are said, to their values.
NUMBER_WORDS = {w: n for n, w in enumerate(NUMBERS)}
NUMBER_WORDS.update({"thirty": 30, "forty": 40, "forty-five": 45, "sixty": 60})
#: "Five minutes.", "a 10-minute routine"; not "walk for five minutes" (another activity).
_MINUTES = re.compile(
    r"(?<!\bfor )(?<!\bof )\b(\d+|[a-z]+(?:-[a-z]+)?)[ -]minutes?\b", re.IGNORECASE
)


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
                minutes = int(word) if word.isdigit() else NUMBER_WORDS.get(word)
                if minutes:
                    return minutes * 60, f"/steps/{i}/say"
            return None
    return None


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
        quiet = round(seg.start - talk_end(cues, seg.start, length), 3)
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
        step = step_at(routine, path)
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
