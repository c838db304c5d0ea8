"""``glutekit export ROUTINE --format wav``: the whole spoken session as one WAV file.

Each cue is rendered (or taken from the cache) and copied in at its exact offset;
3-2-1 countdowns become short beeps; everything else is silence. No audio device is
needed, so the file can be made on a server and played on a phone.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from glutekit.atomic import atomic_path
from glutekit.errors import GlutekitError
from glutekit.interfaces import Exporter, ExportRequest
from glutekit.model import Timeline
from glutekit_voice import wavfile
from glutekit_voice.backends import SpeechFailed, SpeechUnavailable
from glutekit_voice.render import CueRenderer, RenderedCue
from glutekit_voice.settings import VoiceSettings

#: Countdown beeps: the last one is higher, as on a sports timer.
BEEP_HZ = 880.0
LAST_BEEP_HZ = 1320.0


class WavWriter:
    """Renders and mixes; one renderer per voice setting serves both measuring and writing.

    The voice comes from the export options (``--voice``, ``--rate`` …), then the
    ``GLUTEKIT_*`` environment variables, then the defaults; ``settings`` fixes it.
    """

    def __init__(
        self, settings: VoiceSettings | None = None, *, renderer: CueRenderer | None = None
    ) -> None:
        self._settings = settings
        self._renderers: dict[VoiceSettings, CueRenderer] = {}
        if renderer is not None and settings is not None:
            self._renderers[settings] = renderer
        self._default_renderer = renderer

    def renderer(self, options: Mapping[str, Any] | None = None) -> CueRenderer:
        if self._default_renderer is not None and self._settings is None:
            return self._default_renderer
        settings = self._settings or VoiceSettings.from_values(options or {})
        if settings not in self._renderers:
            self._renderers[settings] = CueRenderer(settings)
        return self._renderers[settings]

    def speech_lengths(
        self, texts: Sequence[str], options: Mapping[str, Any] | None = None
    ) -> Mapping[str, float]:
        rendered = _rendering(lambda: self.renderer(options).render_all(texts))
        return {text: cue.seconds for text, cue in rendered.items()}

    def write(self, request: ExportRequest) -> None:
        samples = self.mix(request.timeline, request.options)
        with atomic_path(request.path) as temp:
            wavfile.write_mono16(temp, samples)

    def mix(self, timeline: Timeline, options: Mapping[str, Any] | None = None) -> array[int]:
        """The session's audio: every cue at its offset, at least as long as the timeline."""
        spoken = [cue.text for cue in timeline.cues if cue.kind != "countdown"]
        rendered = _rendering(lambda: self.renderer(options).render_all(spoken))
        clips = {text: wavfile.read_mono16(cue.path) for text, cue in rendered.items()}
        beep, last_beep = wavfile.beep(hertz=BEEP_HZ), wavfile.beep(hertz=LAST_BEEP_HZ)
        placed: list[tuple[int, array[int]]] = []
        for cue in timeline.cues:
            if cue.kind == "countdown":
                clip = last_beep if cue.text.strip(". ") == "1" else beep
            else:
                clip = clips.get(cue.text, array("h"))
            placed.append((round(cue.at * wavfile.RATE), clip))
        # Speech-aware timelines end after the last word; keep any tail rather than cut it.
        frames = max([round(timeline.duration * wavfile.RATE)] + [o + len(c) for o, c in placed])
        buffer = wavfile.silence(frames)
        for offset, clip in placed:
            wavfile.mix_into(buffer, clip, offset)
        return buffer


def _rendering(work: Callable[[], dict[str, RenderedCue]]) -> dict[str, RenderedCue]:
    try:
        return work()
    except (SpeechUnavailable, SpeechFailed) as exc:
        raise GlutekitError(f"cannot make the spoken WAV: {exc}") from None


def wav_exporter(settings: VoiceSettings | None = None) -> Exporter:
    writer = WavWriter(settings)
    return Exporter(
        format="wav",
        description="The whole spoken session as one WAV file (cues at their times, beeps for 3-2-1).",
        suffix=".wav",
        write=writer.write,
        speech_lengths=writer.speech_lengths,
    )
