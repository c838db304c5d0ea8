"""The live ``voice`` output: renders every cue up front, then plays each at its time.

Nothing here can stop a session. When there is no speech engine or no audio
device, one line says what is missing and how to fix it, the output goes quiet,
and the session carries on with text. A failure in the middle of a session is
reported once, the same way.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from glutekit.interfaces import Event, OutputOptions, OutputSpec, SessionSummary
from glutekit.model import PRIORITY, Timeline
from glutekit_voice.backends import SpeechFailed, SpeechUnavailable
from glutekit_voice.playback import PlaybackQueue
from glutekit_voice.player import NoAudioDevice, Player, find_player
from glutekit_voice.render import CueRenderer, RenderedCue
from glutekit_voice.settings import VoiceSettings

Report = Callable[[str], None]

#: Real seconds a cue may wait for the speaker before it is better left unsaid.
STALE_AFTER = 1.5
#: How long ``close`` lets the last cue ("well done") finish.
CLOSE_WAIT = 4.0


def report_to_stderr(message: str) -> None:
    print(f"glutekit: {message}", file=sys.stderr, flush=True)


class VoiceOutput:
    """Speaks cues through a :class:`~glutekit_voice.playback.PlaybackQueue`.

    :param player: the player to use; found on this machine when None.
    :param renderer: the cue renderer; built from ``options`` when None.
    """

    def __init__(
        self,
        options: OutputOptions,
        *,
        player: Player | None = None,
        renderer: CueRenderer | None = None,
        report: Report = report_to_stderr,
    ) -> None:
        self.settings = VoiceSettings.from_values(options.values)
        self.speed = options.speed
        self.renderer = renderer or CueRenderer(self.settings)
        self.queue: PlaybackQueue | None = None
        self.off_reason: str | None = None
        self._player = player
        self._report = report
        self._rendered: dict[str, RenderedCue] = {}
        self._ready = False
        self._lock = threading.Lock()
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
            self._rendered.update(self.renderer.render_all(texts))
        except SpeechFailed as exc:
            self._turn_off(f"voice off: {exc}; the session goes on with text")
            return {}
        return {text: cue.seconds for text, cue in self._rendered.items()}

    def start(self, timeline: Timeline) -> None:
        if not self._prepare():
            return
        assert self._player is not None
        self.queue = PlaybackQueue(
            self._player, stale_after=STALE_AFTER / self.speed, on_error=self._playback_failed
        )

    def handle(self, event: Event) -> None:
        queue = self.queue
        if queue is None or self.off_reason:
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

    def close(self, summary: SessionSummary | None) -> None:
        if self.queue is not None:
            self.queue.close(CLOSE_WAIT if summary and summary.status == "finished" else 0.5)

    # --------------------------------------------------------------- helpers

    def _prepare(self) -> bool:
        """Start the engine and find a player, once; False (after one message) if either fails.

        Both are checked, so one message names everything that is missing.
        """
        with self._lock:
            if self._ready or self.off_reason:
                return self._ready
            missing: list[NoAudioDevice | SpeechUnavailable] = []
            try:
                self.renderer.open()
            except SpeechUnavailable as exc:
                missing.append(exc)
            if self._player is None:
                try:
                    self._player = find_player()
                except NoAudioDevice as exc:
                    missing.append(exc)
            if missing:
                what = "; ".join(problem.what for problem in missing)
                fix = "; ".join(problem.fix for problem in missing)
                self._turn_off(f"voice off: {what}; the session goes on with text. Fix: {fix}")
                return False
            self._ready = True
            return True

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


def output_spec() -> OutputSpec:
    return OutputSpec(
        name="voice",
        description="Spoken coaching: every cue said aloud at its time (pyttsx3 or espeak-ng).",
        create=VoiceOutput,
        default=True,
        speaks=True,
    )
