"""A session as a Python API: choose outputs, compile around speech, play, report.

:class:`Session` is here; the room's other parts are :mod:`.setup` (the options, and
the outputs and inputs chosen for a session), :mod:`.engine` (plays a timeline against
a clock), :mod:`.controls` (what keys, voice and the page ask of it), :mod:`.workers`
(each output fed from a thread of its own), :mod:`.ahead` (a timeline laid out again
as its speech is measured), :mod:`.clock` (real, audio and virtual clocks),
:mod:`.events` (the event stream), :mod:`.history` (the session's record) and
:mod:`.devices` (what plugins that open sound devices share).

The ``glutekit run`` command, the tests and a Python user all go through here::

    from glutekit.session import open_session

    session = open_session("quick-five")        # outputs, speech rendered, timeline fitted
    result = session.play()                      # blocks; Ctrl-C ends it cleanly
    print(summary_line(result.summary))

How a session is put together, and where each feature plugs in:

1. **Options** — :class:`SessionOptions`. Values meant for outputs (voice: ``voice``,
   ``rate``, ``volume``, ``voice_backend``) go into ``SessionOptions.values``; every
   output receives them as ``OutputOptions.values``.
2. **Prepare** — :func:`prepare` picks the outputs (``glutekit_outputs`` hook), compiles
   the plain timeline, asks the outputs how long each cue takes to say and compiles again
   with those lengths. ``SessionOptions.start_segment`` starts later (``--resume``).
   An output that can speak ahead (:class:`~glutekit.interfaces.SpeaksAhead`, the voice
   with speech missing from its cache) lets the session start once its opening is
   measured: :mod:`.ahead` lays the rest out as lengths come in, and the engine plays
   only what is laid out for good (``SessionOptions.speak_ahead=False`` waits for all).
   ``Session.listeners`` are called with the session and its summary after playing;
   ``Session.extra_outputs`` takes outputs that were not chosen by name.
   ``SessionOptions.history`` (:mod:`glutekit.session.history`) records the session in
   the history as ``glutekit run`` does, resumes one (``resume=True``) and takes the pain
   scores; ``record=False`` leaves no trace.
   ``Session.events`` publishes every event to its subscribers (:mod:`glutekit.session.events`).
   ``SessionOptions.inputs`` names inputs (``glutekit_inputs`` hook, e.g. ``listen``):
   they drive the session's controls and receive its events like outputs.
3. **Play** — :meth:`Session.play` plays on a helper thread, with Ctrl-C and SIGTERM
   ending the session cleanly when called from the main thread. When an output owns an
   audio stream (:class:`~glutekit.interfaces.ClockSource`), the session follows that
   stream's clock, so what is shown and what is heard agree.
"""

from __future__ import annotations

import contextlib
import gc
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import field
from typing import TYPE_CHECKING, Any

from glutekit.errors import InputError
from glutekit.interfaces import ClockSource, Output, SessionSummary
from glutekit.model import Routine, Timeline
from glutekit.model.durations import clock as mmss
from glutekit.model.records import record
from glutekit.session.ahead import Growing, speak_ahead
from glutekit.session.clock import Clock, MonotonicClock
from glutekit.session.engine import Controls, play, speech_lengths
from glutekit.session.events import EventStream
from glutekit.session.history import HistoryOptions, SessionHistory, attach
from glutekit.session.setup import (
    SessionOptions,
    choose_outputs,
    coach_sound,
    coach_speaking,
    create_inputs,
    create_outputs,
    input_specs,
    output_specs,
    voice_models,
)
from glutekit.textcheck import safe
from glutekit.timeline import CompileSettings, compile, cue_texts

if TYPE_CHECKING:
    from glutekit.catalog import Catalog
    from glutekit.host.plugins import PluginHost

__all__ = [
    "EXIT_SIGNAL",
    "HistoryOptions",
    "Session",
    "SessionOptions",
    "SessionResult",
    "choose_outputs",
    "coach_sound",
    "coach_speaking",
    "input_specs",
    "open_session",
    "output_specs",
    "prepare",
    "summary_line",
    "voice_models",
]

#: Exit status for a session ended by each signal (128 + the signal number).
EXIT_SIGNAL = {signal.SIGINT: 130, signal.SIGTERM: 143}

Report = Callable[[str], None]
Listener = Callable[["Session", SessionSummary], None]


def _stderr(message: str) -> None:
    print(f"glutekit: warning: {safe(message)}", file=sys.stderr, flush=True)


@record(frozen=True, kw_only=True)
class SessionResult:
    summary: SessionSummary
    #: The signal (SIGINT, SIGTERM) that ended the session, or None.
    signal: int | None = None

    @property
    def exit_code(self) -> int:
        return EXIT_SIGNAL[signal.Signals(self.signal)] if self.signal is not None else 0


@record(kw_only=True)
class Session:
    """A prepared session: outputs created, speech rendered, timeline fitted around it."""

    routine: Routine
    timeline: Timeline
    options: SessionOptions
    controls: Controls
    outputs: list[tuple[str, Output]]
    extra_outputs: list[tuple[str, Output]] = field(default_factory=list)
    inputs: list[tuple[str, Output]] = field(default_factory=list)
    listeners: list[Listener] = field(default_factory=list)
    report: Report = _stderr
    #: The session's events for any number of listeners (``--events jsonl``, the page).
    events: EventStream = field(default_factory=EventStream)
    #: Its record in the history, or None when not recorded.
    history: SessionHistory | None = None
    #: The timeline while an output still measures its speech (it speaks ahead).
    growing: Growing | None = None

    def clock(self) -> Clock:
        """The clock to play against: an output's audio stream, else the monotonic clock."""
        for _, output in self.outputs:
            if isinstance(output, ClockSource):
                found = output.session_clock()
                if found is not None:
                    return found
        return MonotonicClock(self.options.speed)

    def play(self, *, clock: Clock | None = None) -> SessionResult:
        """Play the session to its end (or until quit or a signal) and return what was done.

        From the main thread, SIGINT and SIGTERM only ask the session to stop; a second
        Ctrl-C stops waiting at once. From another thread, signals are left alone.
        """
        caught: list[int] = []
        result: list[SessionSummary] = []
        chosen = clock or self.clock()

        def on_signal(signum: int, frame: object) -> None:
            if caught:
                raise KeyboardInterrupt
            caught.append(signum)
            self.controls.interrupt()

        def session() -> None:
            result.append(
                play(
                    self.timeline,
                    chosen,
                    [*self.outputs, *self.inputs, *self.extra_outputs, ("events", self.events)],
                    controls=self.controls,
                    start_segment=self.options.start_segment,
                    report=self.report,
                    growing=self.growing,
                )
            )

        main = threading.current_thread() is threading.main_thread()
        previous = {sig: signal.signal(sig, on_signal) for sig in EXIT_SIGNAL} if main else {}
        # Everything made while preparing (speech engines, the catalog) stays alive for
        # the whole session: keep it out of the garbage collector's full passes, which
        # would otherwise stop every thread, the audio stream's included, for a while.
        gc.collect()
        gc.freeze()
        try:
            worker = threading.Thread(target=session, name="glutekit-session", daemon=True)
            worker.start()
            while worker.is_alive():
                worker.join(0.2)
        finally:
            gc.unfreeze()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if not result:
            raise InputError("the session stopped unexpectedly")
        if self.growing is not None:
            # What was played: the layout with every length measured so far.
            self.timeline = self.growing.snapshot()[0]
        for listener in self.listeners:
            listener(self, result[0])
        if self.history is not None and self.options.history.finish_on_end:
            self.history.finish(interrupted=bool(caught))
        return SessionResult(summary=result[0], signal=caught[0] if caught else None)


def prepare(
    routine: Routine,
    *,
    host: PluginHost,
    catalog: Catalog,
    options: SessionOptions | None = None,
    report: Report = _stderr,
) -> Session:
    """Create the outputs, then compile a timeline that leaves room for speech.

    :raises InputError: when no output can run the session, or an option is wrong.
    """
    options = options or SessionOptions()
    # A step that waits for the user waits only for someone who can go on.
    controls = Controls(waits=options.interactive or bool(options.inputs))
    outputs = create_outputs(host, options, controls)
    if not outputs:
        raise InputError("no output to run the session on (see 'glutekit run --help')")
    timeline = compile(routine, catalog)
    texts = cue_texts(timeline)
    growing, rest = None, outputs
    if options.speak_ahead:
        growing, rest = speak_ahead(outputs, routine, catalog, timeline, texts, report=host.report)
    try:
        lengths = speech_lengths(rest, texts, report=host.report)
        if growing is not None:
            growing.set_known(lengths)
            # The session starts once its first segment can be said; the rest is laid
            # out as it is measured, while the session plays.
            timeline = growing.wait_ready(options.start_segment + 1)
        elif lengths:
            timeline = compile(routine, catalog, CompileSettings(speech_lengths=lengths))
        inputs = create_inputs(host, options, controls, outputs)
        session = Session(
            routine=routine,
            timeline=timeline,
            options=options,
            controls=controls,
            outputs=outputs,
            inputs=inputs,
            report=report,
            events=EventStream(report=report),
            growing=growing,
        )
        if options.history.record:
            session.history, resumed = attach(routine, timeline, catalog, options.history, report)
            if resumed is not None:
                options.start_segment = resumed.start_segment
                print(resumed.line, file=sys.stderr, flush=True)
            if session.history.recorder is not None:
                session.extra_outputs.append(("history", session.history.recorder))
        if growing is not None and options.start_segment > 0:
            # Resuming: the segment it resumes at, and all before it, laid out for good.
            session.timeline = growing.wait_ready(options.start_segment + 1)
    except BaseException:
        # Ctrl-C or a failure before the session plays: stop the speech being rendered.
        for _, output in outputs:
            if growing is not None and all(output is not other for _, other in rest):
                with contextlib.suppress(Exception):
                    output.close(None)
        raise
    return session


def open_session(
    routine: str | Routine,
    *,
    speed: float = 1.0,
    voice: bool = True,
    outputs: tuple[str, ...] = (),
    values: dict[str, Any] | None = None,
    host: PluginHost | None = None,
    history: HistoryOptions | None = None,
) -> Session:
    """The short way from a routine id, a path or a Routine to a session ready to play.

    Loads the installed plugins (unless ``host`` is given) and their catalog.
    """
    from glutekit.catalog import Catalog
    from glutekit.host.plugins import make_plugin_host

    host = host or make_plugin_host(warn=_stderr)
    catalog = Catalog.build(host)
    loaded = catalog.find_routine(routine) if isinstance(routine, str) else routine
    options = SessionOptions(
        speed=speed,
        voice=voice,
        outputs=outputs,
        interactive=sys.stdout.isatty(),
        values=dict(values or {}),
        history=history or HistoryOptions(),
    )
    return prepare(loaded, host=host, catalog=catalog, options=options)


def summary_line(summary: SessionSummary) -> str:
    """One line saying how the session ended and what was done."""
    exercises = len({exercise for exercise, _ in summary.completed})
    sides = sum(1 for _, side in summary.completed if side)
    parts = []
    if exercises:
        done = f"{exercises} exercise{'s' if exercises != 1 else ''}"
        if sides:
            done += f", {sides} side{'s' if sides != 1 else ''}"
        parts.append(done if summary.status == "finished" else done + " done")
    if summary.skipped:
        parts.append(f"{len(summary.skipped)} skipped")
    # "1 skipped", never "0 exercises, 0 sides, 1 skipped done".
    work = "; ".join(parts) or "nothing done yet"
    if summary.status == "finished":
        return f"Finished in {mmss(summary.elapsed)}: {work}."
    verb = "Quit" if summary.status == "quit" else "Stopped"
    return f"{verb} after {mmss(summary.elapsed)} of {mmss(summary.planned)}: {work}."
