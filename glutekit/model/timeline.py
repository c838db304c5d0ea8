"""The timeline's value types: what a session says (cues), its parts (segments), and
the whole laid out in seconds.

Import them from :mod:`glutekit.model`, which loads this module when one is first used.
"""

from __future__ import annotations

from typing import Literal

from glutekit.model.records import record
from glutekit.model.types import Side

CueKind = Literal[
    "announce",  # exercise name and set-up
    "instruction",  # one set-up instruction
    "begin",
    "halfway",
    "time-left",
    "countdown",  # 3, 2, 1
    "switch",
    "breath",
    "rep",
    "cue",  # a coaching cue during the hold
    "encourage",  # a word of encouragement that breaks a long silence in a hold
    "rest",
    "next",
    "message",
    "end",  # "and relax" at the end of a hold
    "done",
    "settle",  # the lead-in after the set-up, before the quiet to get into position
    "caution",  # an exercise's spoken caution, once per session
    "safety",  # the session's line on when to stop
    "screen",  # a red flag said before the first exercise, with a pause after it
    "progress",  # where the session is: "Exercise 3 of 7.", "Final side."
    "getting-up",  # at the end, how to come up off the floor
]

SegmentKind = Literal["prepare", "hold", "reps", "switch", "rest", "message", "done"]

#: Higher wins when two cues compete for the speaker.
PRIORITY: dict[str, int] = {
    "countdown": 90,
    "switch": 85,
    "begin": 80,
    "end": 75,
    "done": 70,
    "time-left": 60,
    "rep": 60,
    "breath": 55,
    "halfway": 50,
    "announce": 45,
    "instruction": 40,
    "message": 40,
    "rest": 35,
    "cue": 30,
    "encourage": 25,
    "next": 20,
    "settle": 40,
    "caution": 45,
    "safety": 50,
    "screen": 50,
    "progress": 30,
    "getting-up": 70,
}


@record(frozen=True, kw_only=True)
class Cue:
    """Something to say or show at ``at`` seconds from the start of the session."""

    at: float
    kind: CueKind
    text: str
    priority: int = 0
    exercise: str | None = None
    side: Side | None = None
    #: For a paced word (a rep phase, an in or out breath): when its phase starts and ends.
    phase: tuple[float, float] | None = None


@record(frozen=True, kw_only=True)
class Segment:
    """A stretch of session time with one purpose, such as holding the right side."""

    index: int
    kind: SegmentKind
    start: float
    duration: float
    label: str
    cues: tuple[Cue, ...] = ()
    exercise: str | None = None
    side: Side | None = None
    set_number: int = 1
    sets: int = 1
    #: Position of the routine step that produced this segment, e.g. ``(2,)`` or ``(3, 0)``
    #: for the first step inside the block at step 3; ``round`` is the block repetition.
    step_path: tuple[int, ...] = ()
    round: int = 1
    #: At its end a session the user can drive pauses until they go on.
    wait: bool = False

    @property
    def end(self) -> float:
        # Start and duration sit on the millisecond grid; keep the sum there too.
        return round(self.start + self.duration, 3)


@record(frozen=True, kw_only=True)
class Timeline:
    routine_id: str
    title: str
    segments: tuple[Segment, ...]
    #: Every text the compiler may say for this routine (a superset of the cues' texts,
    #: whatever the speech lengths): what a voice renders before the session.
    texts: tuple[str, ...] = ()

    @property
    def duration(self) -> float:
        return self.segments[-1].end if self.segments else 0.0

    @property
    def cues(self) -> tuple[Cue, ...]:
        return tuple(c for s in self.segments for c in s.cues)
