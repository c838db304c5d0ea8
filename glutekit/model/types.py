"""The value types: exercises, packs, routines and their steps, and timelines.

Import them from :mod:`glutekit.model`, which loads this module when a type is first
used (see there).
"""

from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING, Literal

from glutekit.model.packed import install as install_packed
from glutekit.model.records import record

if TYPE_CHECKING:
    from glutekit.catalog.vocabulary import Category, Term

ExerciseKind = Literal["release", "stretch", "activation", "warm-up", "mobility"]
Side = Literal["left", "right"]
SideChoice = Literal["both", "left", "right"]
SideOrder = Literal["right-first", "left-first"]
DoseKind = Literal["hold", "breaths", "reps"]

#: The built-in kinds (packs may declare more; see glutekit.catalog.vocabulary).
KINDS: tuple[str, ...] = (
    "release",
    "stretch",
    "activation",
    "warm-up",
    "mobility",
    "strength",
    "plyometric",
    "cardio",
)


@record(frozen=True, kw_only=True)
class Tempo:
    """Seconds for each phase of one repetition."""

    up: float
    hold: float = 0.0
    down: float

    @property
    def seconds(self) -> float:
        return self.up + self.hold + self.down


#: The slowest counted breath, in and out, in seconds (the schemas' limits).
MAX_INHALE = 15.0
MAX_EXHALE = 20.0


@record(frozen=True, kw_only=True)
class BreathPace:
    """Seconds of one counted breath: the breath in, then the longer breath out."""

    inhale: float
    exhale: float

    @property
    def seconds(self) -> float:
        return self.inhale + self.exhale

    @classmethod
    def of_total(cls, seconds: float) -> BreathPace:
        """A whole breath split as a relaxed one is: two parts in, three parts out."""
        return cls(inhale=round(seconds * 0.4, 3), exhale=round(seconds * 0.6, 3))

    @classmethod
    def parse(cls, raw: object) -> BreathPace:
        """``"4/6"`` (seconds in, then out), within the schema's limits.

        :raises ValueError: saying what is expected, for anything else.
        """
        text = raw.strip() if isinstance(raw, str) else ""
        parts = text.split("/")
        try:
            inhale, exhale = (float(p) for p in parts) if len(parts) == 2 else (0.0, 0.0)
        except ValueError:
            inhale = exhale = 0.0
        if not (1 <= inhale <= MAX_INHALE and 1 <= exhale <= MAX_EXHALE):
            raise ValueError(
                f"must be seconds in and out as IN/OUT, such as 4/6 (in 1 to {MAX_INHALE:g}, "
                f"out 1 to {MAX_EXHALE:g}), got {raw!r}"
            )
        return cls(inhale=inhale, exhale=exhale)


#: A relaxed breath when nothing says otherwise: about 4 s in and 6 s out.
RELAXED_BREATH = BreathPace(inhale=4.0, exhale=6.0)


@record(frozen=True, kw_only=True)
class Dose:
    """How much of an exercise: a hold, a number of breaths, or reps at a tempo.

    ``seconds``/``breaths``/``reps`` is the amount used when running; the
    ``*_max`` fields keep the upper end of a recommended range for display.
    """

    kind: DoseKind
    seconds: int | None = None
    seconds_max: int | None = None
    breaths: int | None = None
    breaths_max: int | None = None
    reps: int | None = None
    reps_max: int | None = None
    tempo: Tempo | None = None
    #: The pace of each counted breath, when the exercise asks for its own.
    breath: BreathPace | None = None
    sets: int = 1
    #: The weight or resistance, as the pack writes it ("20 kg", "red band").
    load: str | None = None
    #: Seconds of rest between sets, when the pack states it (else a default by kind).
    rest: int | None = None

    def describe(self) -> str:
        """A short human description, such as ``30–60 s`` or ``6 breaths``."""
        from glutekit.model.counted import counted
        from glutekit.model.durations import format_seconds

        if self.kind == "hold":
            assert self.seconds is not None
            text = format_seconds(self.seconds)
            if self.seconds_max and self.seconds_max != self.seconds:
                if self.seconds_max <= 60:
                    text = f"{self.seconds}–{self.seconds_max} s"
                else:
                    text = f"{format_seconds(self.seconds)}–{format_seconds(self.seconds_max)}"
        elif self.kind == "breaths":
            low = self.breaths or 0
            text = counted(low, "breaths")
            if self.breaths_max and self.breaths_max != low:
                text = f"{low}–{self.breaths_max} breaths"
        else:
            low = self.reps or 0
            text = counted(low, "reps")
            if self.reps_max and self.reps_max != low:
                text = f"{low}–{self.reps_max} reps"
        if self.sets > 1:
            text = f"{self.sets} × {text}"
        if self.load:
            text = f"{text}, {self.load}"
        return text


@record(frozen=True, kw_only=True)
class Source:
    title: str | None = None
    file: str | None = None
    url: str | None = None
    note: str | None = None

    def describe(self) -> str:
        # A file name is a local reference for the pack's authors; a reader only sees it
        # when there is no title or address to show instead.
        shown = self.file if not (self.title or self.url) else None
        return " — ".join(p for p in (self.title, shown, self.url, self.note) if p)


@record(frozen=True, kw_only=True)
class Image:
    """A picture of an exercise: a file inside its pack's folder (``path`` is absolute)."""

    path: str
    alt: str | None = None
    credit: str | None = None


@record(frozen=True, kw_only=True)
class Variation:
    name: str
    description: str


@record(frozen=True, kw_only=True)
class Transition:
    """How a listener changes sides in a per-side exercise."""

    #: Seconds of quiet after the switch is announced; None means the default for the position.
    seconds: int | None = None
    #: A short spoken line on setting up the second side (may use side placeholders).
    say: str | None = None


@record(frozen=True, kw_only=True)
class PhaseWords:
    """The words said at the start of each phase of a repetition, and how a dose is said."""

    up: str = "Up"
    hold: str = "Hold"
    down: str = "Down"
    #: Said in place of the phase words at the start of the second half of a set.
    halfway: str | None = None
    #: What the repetitions are called when the dose is announced: "8 circles".
    unit: str = "reps"
    #: What a timed dose asks for: "Begin. Keep moving for 5 minutes."
    timed: str = "Hold"


@record(frozen=True, kw_only=True)
class Progression:
    """How an exercise gets harder or easier in a program (see :mod:`glutekit.program`).

    The dose moves first, one step at a time, up to ``*_up_to``; past its last step
    comes the first of ``harder`` that the program allows, and below its first step the
    first of ``easier``.
    """

    #: Qualified ids, in order of preference.
    easier: tuple[str, ...] = ()
    harder: tuple[str, ...] = ()
    hold_step: int = 5
    reps_step: int = 2
    breaths_step: int = 1
    #: The most the dose steps reach; None: the top of the dose's range.
    hold_up_to: int | None = None
    reps_up_to: int | None = None
    breaths_up_to: int | None = None
    sets_up_to: int | None = None


def needs_met(equipment: tuple[tuple[str, ...], ...], available: frozenset[str] | set[str]) -> bool:
    """True when each need (a tuple of things, any one of which will do) is met by
    something in ``available``; no needs are always met."""
    if not equipment:
        return True  # most exercises need nothing
    return all(any(item in available for item in need) for need in equipment)


@record(frozen=True, kw_only=True)
class Exercise:
    """One exercise from a pack. ``id`` is qualified: ``<pack>:<exercise>``."""

    id: str
    pack: str
    name: str
    kind: str  # a kind word from the vocabulary (see KINDS for the built-in ones)
    primary: tuple[str, ...]
    secondary: tuple[str, ...] = ()
    position: str
    #: Each entry is one need; a need with several items is met by any one of them.
    equipment: tuple[tuple[str, ...], ...] = ()
    per_side: bool
    dose: Dose
    level: str = "beginner"
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    #: Qualified ids this exercise had before; routines naming them get this exercise.
    former_ids: tuple[str, ...] = ()
    summary: str | None = None
    why: str | None = None
    instructions: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()
    mistakes: tuple[str, ...] = ()
    cautions: tuple[str, ...] = ()
    variations: tuple[Variation, ...] = ()
    sources: tuple[Source, ...] = ()
    #: What working the right side means, with side placeholders ("{side} ankle crosses over").
    working_side: str | None = None
    #: Seconds of quiet to get into position after the set-up speech, when more than the default.
    settle: int | None = None
    transition: Transition = field(default_factory=Transition)
    #: One line that replaces the set-up instructions in later rounds of a block.
    reminder: str | None = None
    phase_words: PhaseWords = field(default_factory=PhaseWords)
    #: The one caution said aloud, once per session, when the exercise is first set up.
    spoken_caution: str | None = None
    #: Pictures of the exercise, from its pack's folder; the first goes on its card.
    images: tuple[Image, ...] = ()
    #: A figure of the position (SVG or PNG, absolute path) drawn instead of the stick figure.
    figure: str | None = None
    #: What the exercise loads in ways that matter clinically ("crossed_leg_adduction",
    #: "trochanter_pressure", ...): words of the open "loads" vocabulary, which a
    #: symptom's ``excludes`` rules out.
    loads: tuple[str, ...] = ()
    #: What the exercise can be done on: "floor", "chair", "bed", "standing", "gym";
    #: empty means what its position implies (see :func:`glutekit.compose.surfaces_of`).
    surfaces: tuple[str, ...] = ()
    #: Easier and harder variants and the dose steps between, for programs.
    progression: Progression | None = None
    #: Fields the pack left out and defaults filled in ("dose", "position", ...).
    defaulted: tuple[str, ...] = ()
    #: Where the exercise comes from and under what licence, printed on sheets and cards.
    credit: str = ""
    #: Name of the plugin that contributed the exercise.
    plugin: str = ""

    @property
    def local_id(self) -> str:
        return self.id.split(":", 1)[1]

    @property
    def targets(self) -> tuple[str, ...]:
        return self.primary + self.secondary

    def needs_equipment(self) -> bool:
        return bool(self.equipment)

    def usable_with(self, available: frozenset[str] | set[str]) -> bool:
        """True when every need is met by something in ``available``."""
        return needs_met(self.equipment, available)

    def equipment_text(self) -> str:
        if not self.equipment:
            return "none"
        return ", ".join(" or ".join(n.replace("_", " ") for n in need) for need in self.equipment)


# An exercise read from the compiled catalog unpacks its long texts when first read.
install_packed(Exercise)


@record(frozen=True, kw_only=True)
class Symptom:
    id: str
    label: str
    targets: tuple[str, ...]
    description: str | None = None
    #: When to skip self-help for this complaint and have it checked first.
    caution: str | None = None
    #: The red flags said aloud before the first exercise of a routine for this
    #: complaint (a question that ends in what to do); None: the caution is the screen.
    screen: str | None = None
    #: Loads (see :attr:`Exercise.loads`) an exercise must not have to be done for it.
    excludes: tuple[str, ...] = ()
    #: Qualified ids of exercises to use instead of the excluded ones.
    instead: tuple[str, ...] = ()

    @property
    def screen_text(self) -> str | None:
        """The line a routine for this complaint must say before its first exercise."""
        return self.screen or self.caution


@record(frozen=True, kw_only=True)
class Guidance:
    symptoms: tuple[Symptom, ...] = ()
    min_sessions_per_week: int | None = None
    when_stiff_sessions_per_week: int | None = None
    frequency_text: str | None = None
    order: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@record(frozen=True, kw_only=True)
class Pack:
    id: str
    name: str
    version: str
    license: str
    authors: tuple[str, ...] = ()
    description: str = ""
    homepage: str | None = None
    guidance: Guidance = field(default_factory=Guidance)
    exercises: tuple[Exercise, ...] = ()
    plugin: str = ""
    #: Where the pack came from: a file path, or "<dict>" for packs given as data.
    origin: str = ""
    #: A line to print wherever the pack's exercises are printed ("Adapted from ...").
    attribution: str | None = None
    #: Terms the pack adds to the vocabulary: (category, Term) pairs.
    vocabulary: tuple[tuple[Category, Term], ...] = ()
