"""The ``listen`` input: hears "coach, <command>" and drives the session's controls.

Audio comes from a :class:`~glutekit_listen.sources.Source` (the microphone, or a WAV
file named by ``GLUTEKIT_LISTEN_FILE``) on its own thread into a queue, each block
with the sound the session played while it was captured (when an output lends it);
one worker thread takes that sound out of the block (:mod:`glutekit_listen.echo`) and
feeds the recogniser, asking the session each time whether the coach is
speaking, and turns each command into the same call the keys make. An earcon and a
``heard`` event (shown by the live view) confirm it.

Whatever goes wrong (no recogniser, no microphone, the capture stopping) is said in
one line and the session goes on with the keyboard.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from glutekit.interfaces import Event, OutputOptions, SessionControls, SessionSummary
from glutekit.model import Timeline
from glutekit.model.records import record
from glutekit_listen.audio import AudioUnavailable, EarconPlayer
from glutekit_listen.grammar import WAKE_WORD, words_of
from glutekit_listen.recogniser import RATE, Heard, Recogniser, RecogniserMissing, Tuning
from glutekit_listen.sources import Microphone, Source, WavFileSource

#: Read audio from this WAV file instead of the microphone (tests, trying it out).
ENV_FILE = "GLUTEKIT_LISTEN_FILE"
#: Without a microphone's data for this long, the capture is taken to have stopped.
STALL_SECONDS = 3.0
#: The coach's voice counts as taken out once the echo canceller makes what the
#: microphone hears this much quieter while the coach speaks …
ECHO_TAKEN_OUT_DB = 10.0
#: … or when the microphone is at most this much louder while the coach speaks than in
#: its pauses: it does not hear the coach (headphones, a quiet loudspeaker far off).
COACH_UNHEARD_DB = 3.0
#: The most sound waiting for the recogniser, in seconds: when it falls further behind
#: (a machine too busy, or a recording played faster than life), the oldest sound is
#: dropped, so memory stays bounded however long the session and however fast the source.
MAX_BEHIND_SECONDS = 5.0
#: Speaking rate used to guess how long a cue sounds when the voice cannot tell.
WORDS_PER_SECOND = 2.6

Report = Callable[[str], None]


class ListenOff(Exception):
    """Voice commands cannot work here; the message is the one line to show."""


@record(frozen=True, kw_only=True)
class Acted:
    """A command the listener obeyed."""

    heard: Heard
    #: perf_counter() when the session's control was called.
    at: float


def _actions(controls: SessionControls) -> dict[str, Callable[[], None]]:
    return {
        "pause": controls.pause,
        "resume": controls.resume,
        "skip": controls.skip,
        "back": controls.back,
        "repeat": controls.repeat,
        "stop": controls.quit,
        "time_left": controls.time_left,
    }


def open_source(speed: float, clock: Callable[[], float | None] | None = None) -> Source:
    named = os.environ.get(ENV_FILE, "").strip()
    if named:
        return WavFileSource(Path(named), speed=speed, clock=clock)
    return Microphone()


class ListenInput:
    """An input (and an output, for events): spoken commands for a running session.

    :raises ListenOff: when the recogniser or the microphone is missing.
    """

    def __init__(
        self,
        options: OutputOptions,
        *,
        source: Source | None = None,
        tuning: Tuning | None = None,
        earcon: bool = True,
        report: Report | None = None,
        max_behind: float | None = MAX_BEHIND_SECONDS,
    ) -> None:
        if options.controls is None:
            raise ListenOff("this session takes no commands")
        self.controls = options.controls
        self._coach_speaking = options.coach_speaking
        self._coach_sound = options.coach_sound
        self.speed = options.speed
        self.tuning = tuning or Tuning()
        self._report = report or _stderr
        for module, what in (("pocketsphinx", "the recogniser"), ("numpy", "numpy")):
            try:  # fail now, before the session starts
                __import__(module)
            except ImportError:
                raise ListenOff(
                    f"{what} ({module}) is not installed; "
                    "'pip install \"glutekit[listen]\"' turns voice commands on"
                ) from None
        #: The session clock's reading at the start event, and perf_counter() when
        #: the listener saw it (for sessions whose sound no output lends).
        self._began: tuple[float, float] | None = None
        try:
            self.source = source or open_source(self.speed, self.session_seconds)
        except AudioUnavailable as exc:
            raise ListenOff(str(exc)) from None
        self._earcon: EarconPlayer | None = None
        if earcon:
            try:
                self._earcon = EarconPlayer()
            except AudioUnavailable:
                self._earcon = None  # the "heard" line on screen still confirms
        self._actions = _actions(self.controls)
        self._audio: queue.SimpleQueue[tuple[bytes, Any] | None] = queue.SimpleQueue()
        #: Seconds of sound dropped because the recogniser was too far behind (None: never;
        #: for a test that hands over a whole recording at once, faster than life).
        self.max_behind = max_behind
        self.dropped = 0.0
        self._dropped_said = False
        self._echo: Any = None  # an EchoCanceller, made at start (numpy is heavy)
        self._reference: Any = None
        self._worker: threading.Thread | None = None
        self._recogniser: Recogniser | None = None
        self._cue_until = 0.0
        self._off = False
        self.acted: list[Acted] = []
        #: Blocks of audio decoded so far.
        self.blocks = 0

    # ------------------------------------------------------------------ Output protocol

    def speech_lengths(self, texts: Sequence[str]) -> Mapping[str, float]:
        return {}

    def start(self, timeline: Timeline) -> None:
        words = words_of(cue.text for cue in timeline.cues)
        try:
            self._recogniser = Recogniser(extra_words=words - {WAKE_WORD}, tuning=self.tuning)
        except RecogniserMissing as exc:
            self._turn_off(f"voice commands off: {exc}")
            return
        from glutekit_listen.echo import EchoCanceller, Reference

        self._echo = EchoCanceller()
        self._reference = Reference(self._coach_sound, RATE)
        self._worker = threading.Thread(target=self._run, name="glutekit-listen", daemon=True)
        self._worker.start()
        try:
            self.source.start(self._captured)
        except Exception as exc:
            self._turn_off(f"voice commands off: {self.source.what} did not start ({exc})")

    def handle(self, event: Event) -> None:
        if event.kind == "start" and self._began is None:
            self._began = (event.clock, time.perf_counter())
        if event.kind == "cue" and event.cue is not None:
            # A guess for when the voice cannot say when it speaks (no audio stream).
            seconds = len(event.cue.text.split()) / WORDS_PER_SECOND / max(self.speed, 1e-6)
            self._cue_until = max(self._cue_until, time.monotonic() + seconds)

    def close(self, summary: SessionSummary | None) -> None:
        self._off = True
        self.source.stop()
        self._audio.put(None)
        if self._worker is not None:
            self._worker.join(2.0)
        if self._earcon is not None:
            self._earcon.close()

    # ------------------------------------------------------------------ worker

    @property
    def seconds(self) -> float:
        """Seconds of audio decoded so far."""
        return self._recogniser.seconds if self._recogniser is not None else 0.0

    def wait_for_blocks(self, count: int, timeout: float) -> bool:
        """Wait until ``count`` blocks are decoded (for tests feeding a recording)."""
        give_up = time.monotonic() + timeout
        while self.blocks < count and not self._off:
            if time.monotonic() > give_up:
                return False
            time.sleep(0.01)
        return self.blocks >= count

    def session_seconds(self) -> float | None:
        """How far the session's clock has run since the session began (pauses
        included), by the sound being heard when an output lends it; None before the
        start."""
        if self._began is None:
            return None
        tap = self._coach_sound()
        if tap is None:
            return (time.perf_counter() - self._began[1]) * self.speed
        return float(tap.heard_frame() / tap.rate * self.speed - self._began[0])

    def coach_speaking(self) -> bool:
        told = self._coach_speaking()
        if told is not None:
            return told
        return time.monotonic() < self._cue_until

    def _captured(self, block: bytes) -> None:
        """A block from the microphone, with the sound played while it was captured."""
        assert self._reference is not None
        if self._off:
            return
        seconds = len(block) / 2 / RATE
        self._audio.put((block, self._reference.take(len(block) // 2)))
        if self.max_behind is not None and self._audio.qsize() * seconds > self.max_behind:
            try:
                self._audio.get_nowait()
            except queue.Empty:
                return
            self.dropped += seconds
            if self.speed <= 1 and not self._dropped_said:
                self._dropped_said = True
                self._report(
                    f"voice commands fell over {self.max_behind:.0f} s behind the "
                    "microphone (the machine is busy); the oldest sound is skipped"
                )

    def _run(self) -> None:
        recogniser = self._recogniser
        echo = self._echo
        assert recogniser is not None and echo is not None
        while not self._off:
            try:
                block = self._audio.get(timeout=STALL_SECONDS)
            except queue.Empty:
                self._turn_off(
                    f"voice commands off: {self.source.what} stopped sending sound; "
                    "the keys still work"
                )
                return
            if block is None:
                return
            try:
                mic, played = _samples(block[0]), block[1]
                cleaned = echo.process(mic, mic * 0.0 if played is None else played)
                heard = recogniser.feed(
                    _pcm(cleaned),
                    coach_speaking=self.coach_speaking(),
                    coach_removed=played is not None and _coach_taken_out(echo),
                )
            except Exception as exc:
                self._turn_off(f"voice commands off: the recogniser failed ({exc})")
                return
            for item in heard:
                self._obey(item)
            self.blocks += 1

    def _obey(self, heard: Heard) -> None:
        # What was heard first, then what it does: the session reads both when it wakes,
        # and a command handed over first could be acted on (and shown) before the words.
        self.controls.heard(f"{WAKE_WORD}, {heard.command.words}")
        self._actions[heard.command.action]()
        self.acted.append(Acted(heard=heard, at=time.perf_counter()))
        if self._earcon is not None:
            self._earcon.play()

    def _turn_off(self, message: str) -> None:
        if not self._off:
            self._off = True
            self._report(f"{message}; the session goes on with the keyboard")
            self.source.stop()


def _coach_taken_out(echo: Any) -> bool:
    """Whether the coach's voice is out of what the recogniser hears (the command then
    needs the echo threshold over the coach's speech, not the strict one)."""
    if echo.reduction_db >= ECHO_TAKEN_OUT_DB:
        return True
    heard = echo.coach_heard_db
    return heard is not None and heard <= COACH_UNHEARD_DB


def _samples(pcm: bytes) -> Any:
    import numpy as np

    return np.frombuffer(pcm, dtype="<i2").astype(np.float64)


def _pcm(samples: Any) -> bytes:
    import numpy as np

    return bytes(np.clip(np.round(samples), -32768, 32767).astype("<i2").tobytes())


def _stderr(message: str) -> None:
    import sys

    print(f"glutekit: warning: {message}", file=sys.stderr, flush=True)
