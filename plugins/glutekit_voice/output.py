"""The live ``voice`` output: renders the session's cues, then plays it as one stream.

When speech is missing from the cache, the session starts as soon as its opening is
rendered; the rest renders in the background, in the order it is said, and joins the
stream as it comes (:meth:`VoiceOutput.speak_ahead`). The stream
(:mod:`glutekit_voice.stream`) mixes each cue in at its sample and lends the session
its clock. Where miniaudio cannot open a device but a player program
(``aplay``, ``paplay`` …) works, cues are played one by one as before.

Nothing here can stop a session. When there is no speech engine or no audio
device, one line says what is missing, the output goes quiet, and the session
carries on with text. A failure in the middle of a session is reported once, the
same way.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from glutekit.interfaces import Event, Measured, OutputOptions, OutputSpec, SessionSummary
from glutekit.model import PRIORITY, Cue, Timeline
from glutekit.session.clock import Clock
from glutekit_voice.backends import SpeechFailed, SpeechUnavailable
from glutekit_voice.mixer import Schedule
from glutekit_voice.music import Music
from glutekit_voice.playback import PlaybackQueue
from glutekit_voice.player import NoAudioDevice as NoPlayer
from glutekit_voice.player import Player, find_player
from glutekit_voice.progress import render_with_progress
from glutekit_voice.render import CueRenderer, RenderedCue
from glutekit_voice.settings import VoiceSettings, countdown_tones
from glutekit_voice.stream import AudioStream, NoAudioDevice

Report = Callable[[str], None]

#: Real seconds a cue may wait for the speaker before it is better left unsaid.
STALE_AFTER = 1.5
#: How long ``close`` lets the last cue ("well done") finish.
CLOSE_WAIT = 4.0
NO_SOUND = (
    "the session goes on with text (to listen elsewhere: "
    "glutekit export ROUTINE --format mp3 -o session.mp3)"
)


#: Real seconds ``close`` waits for the speech still rendering to stop.
AHEAD_STOP_WAIT = 2.0


class _Stopped(Exception):
    """The session ended while its speech was still being rendered."""


def report_to_stderr(message: str) -> None:
    # A note, not an error: the session goes on in text, and --quiet silences it.
    from glutekit.messages import note

    note(message)


class VoiceOutput:
    """Speaks cues through one :class:`AudioStream`, or a player program as a fallback.

    :param player: play cue by cue with this player instead of a stream.
    :param stream: the stream to play on; opened on this machine when None.
    :param renderer: the cue renderer; built from ``options`` when None.
    """

    def __init__(
        self,
        options: OutputOptions,
        *,
        player: Player | None = None,
        stream: AudioStream | None = None,
        renderer: CueRenderer | None = None,
        report: Report = report_to_stderr,
    ) -> None:
        self.settings = VoiceSettings.from_values(options.values, models=options.voice_models)
        #: The 3-2-1 as soft tones (``--countdown tones``) instead of spoken numbers.
        self.tones = countdown_tones(options.values)
        self.speed = options.speed
        self.renderer = renderer or CueRenderer(self.settings)
        self.stream = stream
        self.queue: PlaybackQueue | None = None
        self.off_reason: str | None = None
        self._player = player
        self._report = report
        self._rendered: dict[str, RenderedCue] = {}
        self._ready = False
        self._lock = threading.Lock()
        #: Renders the session's speech while it plays (:meth:`speak_ahead`).
        self._ahead: threading.Thread | None = None
        self._stop_ahead = threading.Event()
        #: The stream is paused (a jump then keeps it paused).
        self._held = False
        #: The session waits for its speech (a jump then waits where it lands).
        self._waiting = False
        #: The countdown tones' level, measured once on the first clips of the session.
        self._tone_level: float | None = None
        #: False: render and measure every cue but play nothing on this machine (the
        #: session page plays the cues on the phone instead, see :meth:`clip`).
        self.plays_here = options.plays_here
        #: The user's music under the voice (``--music``): checked now, so a missing or
        #: undecodable file stops the run with one line before anything is prepared.
        self.music = _music_of(options.values)
        if self.settings.voice:
            # Check the voice now, so a misspelt --voice stops the run with exit 2
            # instead of being found while the session is being prepared.
            self._prepare()

    # --------------------------------------------------------------- Output protocol

    def speech_lengths(self, texts: Sequence[str]) -> Mapping[str, float]:
        """Render every text now (so the session never waits for speech) and measure it."""
        if not self._prepare():
            return {}
        try:
            self._rendered.update(render_with_progress(self.renderer, texts))
        except SpeechFailed as exc:
            self._turn_off(f"voice off: {exc}; the session goes on with text")
            return {}
        return {text: cue.seconds for text, cue in self._rendered.items()}

    def speak_ahead(self, texts: Sequence[str], measured: Measured) -> bool:
        """Render ``texts`` in order in the background, so the session starts with its
        first words instead of after its last.

        Only for a session played here on the audio stream with some speech missing
        (and no music, whose ducking is planned over the whole session); otherwise
        :meth:`speech_lengths` prepares everything first, as it always did.
        """
        if not self._prepare() or not self.plays_here or self.stream is None:
            return False
        if self.music is not None:
            return False
        distinct = list(dict.fromkeys(t for t in texts if t.strip()))
        try:
            missing = self.renderer.missing(distinct)
            if not missing:
                return False
            cached = [t for t in distinct if t not in set(missing)]
            found = {t: self.renderer.render(t) for t in cached}
            detail = self.renderer.detail
        except SpeechFailed as exc:
            self._turn_off(f"voice off: {exc}; the session goes on with text")
            return False
        with self._lock:
            self._rendered.update(found)
        self._report(
            f"preparing speech: {len(missing)} cue(s) with {detail}; "
            "the session starts as soon as its first words are ready…"
        )
        measured({text: cue.seconds for text, cue in found.items()}, False)
        self._ahead = threading.Thread(
            target=self._render_ahead,
            # All of them: the cached ones are checked again in a moment, and the cache's
            # size cap then keeps every file of this session.
            args=(distinct, measured),
            name="glutekit-voice-ahead",
            daemon=True,  # Ctrl-C before the session starts must not wait for it
        )
        self._ahead.start()
        return True

    def _render_ahead(self, texts: list[str], measured: Measured) -> None:
        def done(text: str) -> None:
            if self._stop_ahead.is_set():
                raise _Stopped
            cue = self.renderer.render(text)  # in the cache now: a file check
            with self._lock:
                self._rendered[text] = cue
            measured({text: cue.seconds}, False)

        try:
            self.renderer.render_all(texts, done=done)
        except _Stopped:
            pass
        except Exception as exc:
            if not self._stop_ahead.is_set():  # not the session ending meanwhile
                what = str(exc) if isinstance(exc, SpeechFailed) else f"{type(exc).__name__}: {exc}"
                self._turn_off(f"voice stopped: {what}; the session goes on with text")
                if self.stream is not None:
                    # Events no longer reach the stream: what it holds must not play on.
                    self.stream.load(self._schedule(None, 0))
        finally:
            measured({}, True)

    def revise(self, timeline: Timeline, ready: int) -> None:
        """The session is laid out again: its first ``ready`` segments are final."""
        if self.off_reason or self.stream is None or self._ahead is None:
            return
        self.stream.extend(self._schedule(timeline, ready))

    def _schedule(self, timeline: Timeline | None, ready: int | None = None) -> Schedule:
        """The schedule of ``timeline``; of its first ``ready`` segments (those laid out
        for good) while its speech is rendered ahead."""
        with self._lock:
            clips = {text: cue.path for text, cue in self._rendered.items()}
        if timeline is None or ready is not None:
            segments = []
            for segment in timeline.segments[:ready] if timeline is not None else ():
                if not all(self._clipped(cue, clips) for cue in segment.cues):
                    break  # measured by another output only: not said here
                segments.append(segment)
            timeline = Timeline(
                routine_id=timeline.routine_id if timeline else "",
                title=timeline.title if timeline else "",
                segments=tuple(segments),
            )
        if self.tones and self._tone_level is None:
            self._tone_level = Schedule.tone_level_of(list(clips.values()))
        return Schedule.build(
            timeline, clips, tones=self.tones, music=self.music, tone_level=self._tone_level
        )

    def _clipped(self, cue: Cue, clips: Mapping[str, Path]) -> bool:
        return not cue.text.strip() or cue.text in clips or (self.tones and cue.kind == "countdown")

    def session_clock(self) -> Clock | None:
        """The stream's clock, so the session runs on the samples played."""
        if not self._prepare() or self.stream is None:
            return None
        return self.stream.clock

    def underruns(self) -> int | None:
        """Times the stream ran dry while the session played; None without a stream."""
        if self.off_reason or self.stream is None:
            return None
        return self.stream.underruns

    def sound_tap(self) -> AudioStream | None:
        """The stream, whose sound a listening input takes out of the microphone's."""
        if self.off_reason or not self._ready:
            return None
        return self.stream

    def speaking(self) -> bool | None:
        """Whether a cue is sounding now (a listening input is stricter then).

        Known from the stream, sample by sample; None when cues go to a player program.
        """
        if self.off_reason or not self._ready:
            return False
        stream = self.stream
        if stream is None:
            return None
        return bool(stream.playing_at(stream.heard_frame()))

    def clip(self, text: str) -> Path | None:
        """The rendered WAV of a cue text that was measured for this session, if any."""
        if self.off_reason:
            return None
        cue = self._rendered.get(text)
        return cue.path if cue is not None else None

    def start(self, timeline: Timeline) -> None:
        if not self._prepare():
            return
        spoken = [
            cue.text
            for cue in timeline.cues
            if cue.text.strip() and not (self.tones and cue.kind == "countdown")
        ]
        if not self.plays_here:
            for text in spoken:
                self._path_for(text)
            return
        if self.stream is not None:
            if self._ahead is not None:
                # Nothing yet: the session's first revise says what is laid out for good.
                self.stream.load(self._schedule(timeline, 0))
                return
            for text in spoken:
                self._path_for(text)
            self.stream.load(self._schedule(timeline))
            return
        if self.music is not None:
            self._report(
                f"music off: {self.music.path.name} needs the session's audio stream "
                "(miniaudio), and cues go to a player program here; the voice goes on"
            )
        assert self._player is not None
        self.queue = PlaybackQueue(
            self._player, stale_after=STALE_AFTER / self.speed, on_error=self._playback_failed
        )

    def handle(self, event: Event) -> None:
        if self.off_reason or not self.plays_here:
            return
        if self.stream is not None:
            self._steer(self.stream, event)
            return
        self._handle_with_player(event)

    def _steer(self, stream: AudioStream, event: Event) -> None:
        """Move the stream as the session moves: start, pause, jump, and wait for speech
        (what sounds plays on, nothing new starts, and nothing is said twice)."""
        waits = event.text == "speech"
        if event.kind == "pause" and waits:
            self._held, self._waiting = False, True
            stream.hold(event.at, event.clock)
        elif event.kind == "resume" and waits:
            self._waiting = False
            stream.release(event.at, event.clock)
        elif event.kind in ("start", "resume"):
            self._held = self._waiting = False
            stream.seek(event.at, event.clock)
        elif event.kind == "seek":
            stream.seek(event.at, event.clock)
            if self._waiting:  # a jump while waiting for speech waits where it lands
                stream.hold(event.at, event.clock)
            if self._held:  # a jump while paused stays paused
                stream.pause(event.at, event.clock)
        elif event.kind == "pause":
            self._held = True
            stream.pause(event.at, event.clock)

    def close(self, summary: SessionSummary | None) -> None:
        finished = bool(summary and summary.status == "finished")
        self._stop_ahead.set()
        if self.stream is not None:
            if finished and not self.off_reason:
                self.stream.wait_until_finished(CLOSE_WAIT / min(1.0, self.speed))
            self.stream.close()
        if self._ahead is not None:
            # Stops at the next cue rendered; the render processes are killed then.
            self._ahead.join(AHEAD_STOP_WAIT)
        if self.queue is not None:
            self.queue.close(CLOSE_WAIT if finished else 0.5)

    # --------------------------------------------------------------- helpers

    def _handle_with_player(self, event: Event) -> None:
        queue = self.queue
        if queue is None:
            return
        if event.kind in ("pause", "seek"):
            queue.clear()
            return
        if event.kind != "cue" or event.cue is None:
            return
        # The engine says how late it was; counting back from now gives the moment
        # the cue was due on this machine's clock.
        due = time.perf_counter() - event.late
        cue = event.cue
        path = self._path_for(cue.text)
        if path is not None:
            priority = cue.priority or PRIORITY.get(cue.kind, 0)
            queue.submit(path, text=cue.text, kind=cue.kind, priority=priority, due=due)

    def _prepare(self) -> bool:
        """Start the engine and the audio, once; False (after one message) if either fails.

        Both are checked, so one message names everything that is missing.
        """
        with self._lock:
            if self._ready or self.off_reason:
                return self._ready
            problems: list[str] = []
            fixes: list[str] = []
            try:
                self.renderer.open()
            except SpeechUnavailable as exc:
                problems.append(exc.what)
                fixes.append(exc.fix)
            if self.stream is None and self._player is None and self.plays_here:
                problems += self._open_audio()
            if problems:
                if self.stream is not None:
                    self.stream.close()  # no speech to play on it
                    self.stream = None
                fix = f" Fix: {'; '.join(fixes)}" if fixes else ""
                self._turn_off(f"voice off: {'; '.join(problems)}; {NO_SOUND}.{fix}")
                return False
            self._ready = True
            return True

    def _open_audio(self) -> list[str]:
        """Open the stream, else a player program; the reasons when neither works."""
        try:
            self.stream = AudioStream(speed=self.speed)
            return []
        except NoAudioDevice as exc:
            no_stream = exc.what
        try:
            self._player = find_player()
            return []
        except NoPlayer:
            return [no_stream]

    def _path_for(self, text: str) -> Path | None:
        cue = self._rendered.get(text)
        if cue is None and text.strip():
            try:
                cue = self._rendered[text] = self.renderer.render(text)
            except SpeechFailed as exc:
                self._turn_off(f"voice stopped: {exc}; the session goes on with text")
                return None
        return cue.path if cue else None

    def _playback_failed(self, message: str) -> None:
        self._turn_off(f"voice stopped: {message}; the session goes on with text")

    def _turn_off(self, message: str) -> None:
        if self.off_reason is None:
            self.off_reason = message
            self._report(message)


def _music_of(values: Mapping[str, object]) -> Music | None:
    if not values.get("music"):
        return None
    from glutekit_voice.music import music_from

    return music_from(values)


def output_spec() -> OutputSpec:
    return OutputSpec(
        name="voice",
        description="Spoken coaching: every cue said aloud at its time, on one audio stream.",
        create=VoiceOutput,
        default=True,
        speaks=True,
    )
