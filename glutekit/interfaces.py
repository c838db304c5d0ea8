"""The small interfaces that plugins implement: outputs, exporters, strategies.

Hooks (see :mod:`glutekit.hookspecs`) return objects of these shapes. Each is a
``typing.Protocol`` or a frozen dataclass, so a plugin needs no base class.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from glutekit.model import Cue, Segment, Timeline
from glutekit.model.records import record

if TYPE_CHECKING:
    from glutekit.catalog import Catalog
    from glutekit.model import Routine
    from glutekit.session.clock import Clock

# ----------------------------------------------------------------------------- live outputs

EventKind = Literal[
    "start", "segment", "cue", "pause", "resume", "seek", "end", "heard", "time-left"
]


@record(frozen=True, kw_only=True)
class Event:
    """Something that happened in a session, handed to every output.

    ``at`` is the scheduled session time in seconds; ``late`` is how far behind
    schedule the engine was when it dispatched the event (real seconds); ``clock``
    is the session clock's reading when the engine made the event, so an output on
    another thread can tell how much time has passed since (an audio stream uses it
    to place a pause, a skip or the start at the exact sample).
    """

    kind: EventKind
    at: float
    segment: Segment | None = None
    cue: Cue | None = None
    late: float = 0.0
    clock: float = 0.0
    #: For ``heard``: what an input heard (e.g. "coach, pause"); for ``time-left``:
    #: the time left, ready to show (e.g. "4:10 left").
    text: str = ""


@record(frozen=True, kw_only=True)
class SessionSummary:
    """What a finished or interrupted session did."""

    routine_id: str
    status: Literal["finished", "interrupted", "quit"]
    elapsed: float
    planned: float
    #: ``(exercise id, side or None)`` for each hold completed, in order.
    completed: tuple[tuple[str, str | None], ...] = ()
    skipped: tuple[tuple[str, str | None], ...] = ()
    #: How often the session's audio ran dry while it played (the device asked for
    #: sound and none was ready in time: a gap the listener hears), summed over the
    #: outputs that play a stream (:class:`Underruns`); None when none did.
    underruns: int | None = None


class SessionControls(Protocol):
    """Commands for a running session (:class:`glutekit.session.engine.Controls`).

    Safe to call from any thread; each returns at once and the session obeys at its
    next step.
    """

    #: Someone can go on after a pause (keys, voice, the page): a step that waits for
    #: the user pauses the session; without one it plays on.
    waits: bool

    def toggle_pause(self) -> None: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def skip(self) -> None:
        """Go to the start of the next segment."""

    def back(self) -> None:
        """Restart the segment, or go to the previous one when just into it."""

    def repeat(self) -> None:
        """Play again from the last cue said, or the segment's start."""

    def time_left(self) -> None:
        """Tell the outputs how long the session has left (a ``time-left`` event)."""

    def heard(self, text: str) -> None:
        """Tell the outputs what an input heard (a ``heard`` event)."""

    def quit(self) -> None:
        """End the session because the user asked to (status ``quit``)."""

    def interrupt(self) -> None:
        """End the session because of a signal (status ``interrupted``)."""


def _unknown() -> bool | None:
    return None


def _no_sound() -> SoundTap | None:
    return None


@record(frozen=True, kw_only=True)
class OutputOptions:
    """What an output or input is created with: the session's services, typed, and
    the options the user gave, by name (plugins read the ones they know)."""

    speed: float = 1.0
    interactive: bool = False
    #: The options given on the command line or in the config file, by name
    #: (``voice``, ``rate``, ``countdown`` ...).
    values: Mapping[str, Any] = field(default_factory=dict)
    #: The session's controls, for inputs that drive it (None for plain outputs).
    controls: SessionControls | None = None
    #: Whether the coach's voice is sounding now: True, False, or None (cannot tell).
    coach_speaking: Callable[[], bool | None] = _unknown
    #: The sound being played to the loudspeakers, or None when no output lends one.
    coach_sound: Callable[[], SoundTap | None] = _no_sound
    #: The voice models every plugin offers (``glutekit_voice_models``).
    voice_models: tuple[VoiceModel, ...] = ()
    #: Standard output carries data (``run --events jsonl``): text goes to stderr.
    stdout_is_data: bool = False
    #: The sound plays on this computer; False when another device plays it (the
    #: session page on a phone), so an output only prepares its speech.
    plays_here: bool = True


@runtime_checkable
class Output(Protocol):
    """A live output: receives events while a session plays.

    ``handle`` is called from the output's own worker thread, never from the
    clock's, so a slow ``handle`` delays only this output.
    """

    def speech_lengths(self, texts: Sequence[str]) -> Mapping[str, float]:
        """Seconds it takes to say each text (empty when the output does not speak).

        Called before the session starts, so the timeline can make room for speech.
        """
        ...

    def start(self, timeline: Timeline) -> None: ...

    def handle(self, event: Event) -> None: ...

    def close(self, summary: SessionSummary | None) -> None: ...


#: What an output that speaks ahead calls as its lengths come in: seconds for each
#: text measured since the last call, and True once it will measure no more (every
#: text done, or it gave up and the session goes on without it).
Measured = Callable[[Mapping[str, float], bool], None]


@runtime_checkable
class SpeaksAhead(Protocol):
    """An output that lets a session start before all of its speech is rendered.

    The session then starts as soon as its opening is measured. The timeline is laid
    out again as lengths come in; the part already played never changes, and the
    session waits between segments for speech it does not have yet.
    """

    def speak_ahead(self, texts: Sequence[str], measured: Measured) -> bool:
        """Start measuring ``texts`` in this order (the order the session needs them).

        Returns False when it will not (then ``speech_lengths`` is asked as usual).
        Otherwise ``measured`` is called from any thread, as texts are ready, and last
        with True; the texts it has at once may be given before this returns.
        """
        ...


@runtime_checkable
class Revises(Protocol):
    """An output told when the timeline it started with is laid out again.

    Its first ``ready`` segments are laid out for good (they are what may be played);
    only what comes after them can still change.
    """

    def revise(self, timeline: Timeline, ready: int) -> None: ...


@runtime_checkable
class ClockSource(Protocol):
    """An output that owns the session's audio stream and can lend its clock.

    A session plays against the first such clock, so events (and the live display)
    follow the samples actually played rather than the wall clock.
    """

    def session_clock(self) -> Clock | None:
        """The stream's clock, or None when there is no stream (no audio device)."""
        ...


@runtime_checkable
class Underruns(Protocol):
    """An output that plays the session as one audio stream and counts its gaps.

    Asked once, when the session ends and before ``close``, from the session's own
    thread: it must return at once (read a counter; never wait on the device). The
    count goes into the :class:`SessionSummary`.
    """

    def underruns(self) -> int | None:
        """Times the stream ran dry while the session played; None when it played none."""
        ...


@runtime_checkable
class SpeechActivity(Protocol):
    """An output that knows whether the coach's voice is sounding right now.

    A listening input asks it, so it can be stricter with what it hears while the
    coach speaks and never obey the coach's own words.
    """

    def speaking(self) -> bool | None:
        """True while speech is being heard, False when quiet, None when it cannot tell."""
        ...


@runtime_checkable
class SoundTap(Protocol):
    """The sound an output is sending to the loudspeakers, sample by sample.

    A listening input takes it out of what the microphone hears (echo cancelling), so
    the coach's own voice does not drown a command said over it.
    """

    #: Samples per second of what :meth:`played` returns.
    rate: int

    def heard_frame(self) -> int:
        """The number of the sample being heard from the loudspeakers now."""
        ...

    def played(self, start: int, count: int) -> bytes:
        """Samples ``start`` to ``start + count`` as 16-bit little-endian mono; silence
        for any the output no longer keeps or has not played yet."""
        ...


@runtime_checkable
class SpeechClips(Protocol):
    """An output that can lend the rendered speech of a cue, as an audio file.

    The session page plays these on the phone, in time with the session's events.
    """

    def clip(self, text: str) -> Path | None:
        """The WAV file of ``text`` as it is said, or None when it has none."""
        ...


@runtime_checkable
class SoundSource(Protocol):
    """An output that can lend its :class:`SoundTap` (None while it has no stream)."""

    def sound_tap(self) -> SoundTap | None: ...


@record(frozen=True, kw_only=True)
class OutputSpec:
    """What the ``glutekit_outputs`` hook returns for each output it offers."""

    name: str
    description: str
    create: Callable[[OutputOptions], Output]
    #: Used when the user names no ``--output``.
    default: bool = False
    #: True for outputs that speak: ``--no-voice`` turns these off.
    speaks: bool = False


@record(frozen=True, kw_only=True)
class InputSpec:
    """What the ``glutekit_inputs`` hook returns for each input it offers.

    An input drives the session (pause, skip …) through ``OutputOptions.controls``
    and receives the session's events like an output. ``OutputOptions.coach_speaking``
    says whether the coach's voice is sounding now, ``OutputOptions.coach_sound`` what
    is being played.
    """

    name: str
    description: str
    create: Callable[[OutputOptions], Output]
    #: Words that cue texts must not contain, such as a wake word: the input could
    #: take the coach's own speech for a command. ``check-pack`` flags such cues.
    reserved_words: tuple[str, ...] = ()


# ----------------------------------------------------------------------------- exporters


@record(frozen=True, kw_only=True)
class ExportRequest:
    """Everything an exporter needs to write one file."""

    routine: Routine
    timeline: Timeline
    catalog: Catalog
    path: Path
    format: str
    options: ExportOptions = field(default_factory=lambda: ExportOptions())


@record(frozen=True, kw_only=True)
class ExportOptions:
    """What an export is written with: the options the user gave, by name, and what
    glutekit found for it."""

    #: The options given on the command line, by name (``paper``, ``voice`` ...).
    values: Mapping[str, Any] = field(default_factory=dict)
    #: The voice models every plugin offers (``glutekit_voice_models``).
    voice_models: tuple[VoiceModel, ...] = ()
    #: Folders of templates that override the exporter's own (``glutekit_template_dirs``),
    #: the first found first.
    template_dirs: tuple[Path, ...] = ()


@record(frozen=True, kw_only=True)
class Exporter:
    """What the ``glutekit_exporters`` hook returns: one file format."""

    format: str
    description: str
    suffix: str
    write: Callable[[ExportRequest], None]
    #: For formats that speak (wav): seconds each cue text takes to say, given the
    #: export options (``--voice``, ``--rate`` …). The timeline is then compiled
    #: around the speech, exactly as a live voiced session would be.
    speech_lengths: Callable[[Sequence[str], ExportOptions], Mapping[str, float]] | None = None
    #: Why a timeline cannot be written in this format (too long for it, say), or None.
    #: Asked before any speech is rendered, and again for the timeline fitted around it.
    refuse: Callable[[Timeline], str | None] | None = None
    #: For formats that speak, called instead of ``speech_lengths`` then ``write``:
    #: writes the file while its speech is still rendering. The request's timeline is
    #: the one laid out before any speech was measured; the exporter fits it around
    #: the speech as the lengths come in, exactly as compiling with every length would,
    #: and asks :attr:`refuse` about the fitted timeline itself before writing.
    write_ahead: Callable[[ExportRequest], None] | None = None

    @property
    def speaks(self) -> bool:
        return self.speech_lengths is not None


# ----------------------------------------------------------------------------- strategies


@record(frozen=True, kw_only=True)
class ComposeRequest:
    """What the user asked ``glutekit compose`` for."""

    #: The muscles to work: what ``--target`` named, with every muscle in a region or
    #: group it named, and the symptom's targets.
    targets: tuple[str, ...] = ()
    #: The ``--target`` words as the user gave them (synonyms as their terms), when a
    #: region or group made ``targets`` longer; titles and messages name these.
    asked: tuple[str, ...] = ()
    minutes: float = 10.0
    #: Equipment the user has; empty means none.
    equipment: frozenset[str] = frozenset()
    #: Positions allowed, or None for any.
    positions: frozenset[str] | None = None
    #: Positions or tags to leave out.
    avoid: frozenset[str] = frozenset()
    level: str | None = None
    seed: int = 0
    symptom: str | None = None
    #: The place the user named (``--place``), which ``positions`` came from.
    place: str | None = None
    #: Kinds of exercise asked for (``--kind``), or None for what the strategy does.
    kinds: frozenset[str] | None = None
    #: Surfaces the place offers (see ``Exercise.surfaces``), or None for any.
    surfaces: frozenset[str] | None = None
    #: Loads the symptom excludes: exercises with any of them are left out.
    excludes: frozenset[str] = frozenset()
    #: Red flags the routine must say before its first exercise (from the symptom).
    screens: tuple[str, ...] = ()
    #: Exercises the symptom's guidance names to use instead of the excluded ones.
    instead: tuple[str, ...] = ()


@runtime_checkable
class Strategy(Protocol):
    """Builds a routine (as JSON data) from a request and the catalog."""

    name: str
    description: str

    def compose(self, request: ComposeRequest, catalog: Catalog) -> dict[str, Any]:
        """Return routine data that validates against the routine schema.

        :raises glutekit.errors.InputError: when the request cannot be met; the
            message names the constraint and what would work.
        """
        ...


# ----------------------------------------------------------------------------- voices


@record(frozen=True, kw_only=True)
class VoiceInfo:
    id: str
    name: str
    languages: tuple[str, ...] = ()
    backend: str = ""


# ----------------------------------------------------------------------------- commands


@record(frozen=True, kw_only=True)
class CommandSpec:
    """What the ``glutekit_commands`` hook returns: one command added to the CLI.

    The command itself is imported only when it runs (or its ``--help`` is
    asked for), so a plugin that adds commands costs ``glutekit --help`` nothing
    but its module import.
    """

    #: The command's name: ``glutekit NAME``. Built-in commands keep their names.
    name: str
    #: One line for ``glutekit --help`` and ``glutekit plugins``.
    description: str
    #: ``"package.module:attribute"`` naming a click command or group, or a
    #: function that returns one.
    load: str | Callable[[], Any]


# ----------------------------------------------------------------------------- options

#: How a plugin-declared option's value is read from the command line, a variable or the
#: config file: a whole number, a number, a text, one of ``choices``, or an on/off flag.
OptionType = Literal["int", "float", "text", "choice", "flag"]
#: The commands a plugin-declared option can be given to.
OPTION_COMMANDS = ("run", "export", "transcript")


@record(frozen=True, kw_only=True)
class OptionSpec:
    """What the ``glutekit_options`` hook returns: one option a plugin adds to commands.

    ``name`` is the option's name without dashes: ``"pitch"`` becomes ``--pitch`` on the
    command line, and its value reaches plugins under the key ``"pitch"``
    (``OutputOptions.values``, ``ExportOptions.values``; a dash becomes ``_``). The value
    comes from the option, else the variable ``env``, else ``default``; it is checked
    against the type and range first, so a plugin only ever sees good values.
    """

    #: Lower-case words joined by dashes: ``"pitch"``, ``"breath-depth"``.
    name: str
    #: One or two sentences for ``--help``.
    help: str
    type: OptionType = "text"
    #: The value when the option is not given (None: the key is left out of the values).
    default: Any = None
    #: The smallest and largest value of an ``int`` or ``float`` option (None: no bound).
    minimum: float | None = None
    maximum: float | None = None
    #: The values a ``choice`` option takes.
    choices: tuple[str, ...] = ()
    #: An environment variable that sets the option when it is not given.
    env: str | None = None
    #: Which commands take it: any of ``"run"``, ``"export"`` and ``"transcript"``.
    commands: tuple[str, ...] = ("run", "export")
    #: The word for the value in ``--help`` (default: from the type).
    metavar: str | None = None

    @property
    def key(self) -> str:
        """The name its value is passed on under: ``"breath_depth"``."""
        return self.name.replace("-", "_")


@record(frozen=True, kw_only=True)
class VoiceModel:
    """A voice that comes as a model file, offered by a plugin (``glutekit_voice_models``).

    For the ``piper`` backend, ``model`` is the ``.onnx`` file and ``config`` its
    ``.onnx.json`` (None: the model's path with ``.json`` added).
    """

    id: str
    name: str
    language: str
    model: Path
    config: Path | None = None
    backend: str = "piper"


@record(frozen=True, kw_only=True)
class LicenceNote:
    """The licence of something a plugin ships besides its code (``glutekit_licences``):
    a font embedded in the files it writes, a voice model, a data set."""

    #: What it is, as a user would name it: "DejaVu Sans (font embedded in PDFs)".
    subject: str
    #: An SPDX expression where one fits ("Bitstream-Vera"), else a few words.
    licence: str
    #: What the licence covers and what it does not, in a sentence or two.
    note: str = ""
    #: Where to read the full terms.
    url: str = ""
