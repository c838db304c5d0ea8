"""A routine's value types: its steps, its settings, and the routine itself.

Import them from :mod:`glutekit.model`, which loads this module when one is first used.
"""

from __future__ import annotations

from dataclasses import field

from glutekit.model.records import record
from glutekit.model.types import BreathPace, SideChoice, SideOrder, Tempo


@record(frozen=True, kw_only=True)
class Settings:
    """Routine-wide timing. All times in whole seconds."""

    prepare: int = 10
    #: Quiet seconds to get into position after the set-up speech, before a hold starts.
    settle: int = 5
    rest: int = 10
    set_rest: int = 10
    #: Quiet seconds to change sides for every exercise; None: each exercise's own transition.
    switch: int | None = None
    side_order: SideOrder = "right-first"
    #: The pace of counted breaths; None: the user's setting, else :data:`RELAXED_BREATH`.
    breath: BreathPace | None = None
    countdown: bool = True
    halfway: bool = True


@record(frozen=True, kw_only=True)
class DoseOverride:
    hold: int | None = None
    breaths: int | None = None
    reps: int | None = None
    tempo: Tempo | None = None
    breath: BreathPace | None = None


@record(frozen=True, kw_only=True)
class ExerciseStep:
    exercise: str
    dose: DoseOverride | None = None
    sides: SideChoice = "both"
    sets: int | None = None
    rest_after: int | None = None
    #: Rest between this step's sets, instead of the exercise's or the routine's.
    set_rest: int | None = None
    cues: tuple[str, ...] = ()
    note: str | None = None
    #: Lines said only in one round of a block: (round, text) pairs.
    round_notes: tuple[tuple[int, str], ...] = ()
    #: Keep the holds quiet: no minute markers or words to break a long silence.
    quiet: bool = False


@record(frozen=True, kw_only=True)
class RestStep:
    seconds: int
    say: str | None = None


@record(frozen=True, kw_only=True)
class MessageStep:
    text: str
    pause: int | None = None
    #: Pause the session after the message until the user goes on (a warm-up, say).
    wait: bool = False


@record(frozen=True, kw_only=True)
class BlockStep:
    name: str
    steps: tuple[Step, ...]
    repeat: int = 1
    rest_between: int | None = None


Step = ExerciseStep | RestStep | MessageStep | BlockStep


@record(frozen=True, kw_only=True)
class Routine:
    id: str
    title: str
    steps: tuple[Step, ...]
    description: str = ""
    purpose: str = ""
    tags: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    settings: Settings = field(default_factory=Settings)
    #: The length the routine states for itself, in seconds (the ``length`` field).
    length: int | None = None
    #: The line on when to stop, said once at the start; None means the default line.
    safety: str | None = None
    #: The symptom (a pack guidance id) the routine is for; its exclusions and screen apply.
    symptom: str | None = None
    #: Red flags said after the safety line, before the first exercise, each with a pause.
    screens: tuple[str, ...] = ()
    #: Loads the routine promises to leave out, beyond those its symptom excludes.
    excludes: tuple[str, ...] = ()
    #: A file path, or ``plugin:<name>`` for routines given as data.
    origin: str = ""
    plugin: str = ""
    #: sha256 of the canonical JSON of the routine, for history records.
    content_hash: str = ""

    def exercise_ids(self) -> list[str]:
        """Every exercise id the routine names, in order, with repeats."""
        out: list[str] = []

        def walk(steps: tuple[Step, ...]) -> None:
            for step in steps:
                if isinstance(step, ExerciseStep):
                    out.append(step.exercise)
                elif isinstance(step, BlockStep):
                    walk(step.steps)

        walk(self.steps)
        return out
