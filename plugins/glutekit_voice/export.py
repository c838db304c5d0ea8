"""``glutekit export ROUTINE --format wav|mp3``: the whole spoken session as one file.

The file comes from the same mixer as the live stream (:mod:`glutekit_voice.mixer`):
every cue at its exact sample, the 3-2-1 spoken (or soft tones with ``--countdown
tones``), silence or the user's music (``--music``) in between. It is written
block by block as it is mixed, so memory stays the same whatever the length, and
atomically (a reader never sees half a file). MP3 files get one ID3 chapter per
exercise, so a phone's player shows the exercise names and can skip between them.
"""

from __future__ import annotations

import contextlib
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING

from glutekit.errors import GlutekitError, InputError
from glutekit.interfaces import Exporter, ExportOptions, ExportRequest
from glutekit.model import Timeline
from glutekit_voice import wavfile
from glutekit_voice.backends import SpeechFailed, SpeechUnavailable
from glutekit_voice.progress import render_with_progress
from glutekit_voice.render import CueRenderer, RenderedCue
from glutekit_voice.settings import VoiceSettings, countdown_tones

if TYPE_CHECKING:  # the mixer is imported when audio is made, not to measure speech
    from glutekit_voice.mixahead import MixAhead
    from glutekit_voice.mixer import Schedule
    from glutekit_voice.mp3 import Mp3Encoder
    from glutekit_voice.music import Music

#: Frames mixed and written at a time (about 1.5 s).
BLOCK = 32768
MP3_KBPS = 64
#: MP3 is written at the rate cues are rendered at, so the encoder need not resample.
MP3_RATE = 22050


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
        self._musics: dict[tuple[str, float], Music] = {}

    def music(self, options: ExportOptions | None = None) -> Music | None:
        """The ``--music`` file of ``options``, checked and measured once; None without one.

        :raises InputError: one line naming the file, when it is missing or does not decode.
        """
        values = options.values if options is not None else {}
        if not values.get("music"):
            return None
        from glutekit_voice.music import duck_db_of, music_from

        key = (str(values["music"]), duck_db_of(values))
        if key not in self._musics:
            found = music_from(values)
            assert found is not None
            self._musics[key] = found
        return self._musics[key]

    def renderer(self, options: ExportOptions | None = None) -> CueRenderer:
        if self._default_renderer is not None and self._settings is None:
            return self._default_renderer
        options = options or ExportOptions()
        settings = self._settings or VoiceSettings.from_values(
            options.values, models=options.voice_models
        )
        if settings not in self._renderers:
            self._renderers[settings] = CueRenderer(settings)
        return self._renderers[settings]

    def speech_lengths(
        self, texts: Sequence[str], options: ExportOptions | None = None
    ) -> Mapping[str, float]:
        self.music(options)  # a bad music file is said before any speech is rendered
        rendered = _rendering(lambda: render_with_progress(self.renderer(options), texts))
        return {text: cue.seconds for text, cue in rendered.items()}

    def schedule(self, timeline: Timeline, options: ExportOptions | None = None) -> Schedule:
        from glutekit_voice.mixer import Schedule

        tones = countdown_tones(options.values if options else None)
        spoken = [cue.text for cue in timeline.cues if not (tones and cue.kind == "countdown")]
        rendered = _rendering(lambda: self.renderer(options).render_all(spoken))
        clips = {text: cue.path for text, cue in rendered.items()}
        return Schedule.build(timeline, clips, tones=tones, music=self.music(options))

    def blocks(
        self, timeline: Timeline, options: ExportOptions | None = None
    ) -> Iterator[array[int]]:
        """The session's audio in blocks, from the first sample to the last word."""
        from glutekit_voice.mixer import Playhead

        playhead = Playhead(self.schedule(timeline, options))
        frame = 0
        while not playhead.finished:
            count = min(BLOCK, max(1, playhead.schedule.frames - frame))
            yield playhead.read(count, frame)
            frame += count

    def mix(self, timeline: Timeline, options: ExportOptions | None = None) -> array[int]:
        """The whole session's audio in memory (for short sessions and tests)."""
        out = array("h")
        for block in self.blocks(timeline, options):
            out.extend(block)
        return out

    def write(self, request: ExportRequest) -> None:
        from glutekit.atomic import atomic_path

        if request.format == "mp3":
            write_mp3(request.path, self.blocks(request.timeline, request.options), request)
            return
        with atomic_path(request.path) as temp:
            write_wav(temp, self.blocks(request.timeline, request.options))

    def write_ahead(self, request: ExportRequest) -> None:
        """Write the file while its speech is still rendering: the same file as
        :meth:`write` given the timeline fitted around the speech.

        ``request.timeline`` is the routine's timeline before any speech was measured;
        the one fitted around the speech is laid out here, as the lengths come in, and
        the audio laid out for good is mixed and encoded meanwhile
        (:mod:`glutekit_voice.mixahead`). With ``--music`` (ducked over the whole
        session) or the countdown as tones (at a level measured on every cue), the
        speech is rendered first and then mixed, as by :meth:`write`.
        """
        from glutekit import timeline as timelines
        from glutekit_voice.mixahead import MixAhead, progress

        options = request.options
        renderer = self.renderer(options)
        if self.music(options) is not None or countdown_tones(options.values):
            lengths = self.speech_lengths(timelines.cue_texts(request.timeline), options)
            settings = timelines.CompileSettings(speech_lengths=lengths)
            fitted = timelines.compile(request.routine, request.catalog, settings)
            self.write(replace(request, timeline=_fits(request.format, fitted)))
            return
        texts = timelines.cue_texts(request.timeline)
        with _rendering_errors(), progress(renderer, texts) as advance:
            mix = MixAhead(
                request.routine,
                request.catalog,
                request.timeline,
                renderer,
                block=BLOCK,
                advance=advance,
            )
            if request.format == "mp3":
                write_mp3_ahead(request, mix, self.blocks)
            else:
                write_wav_ahead(request, mix, self.blocks)


def write_wav(path: Path, blocks: Iterator[array[int]], rate: int = wavfile.RATE) -> None:
    """16-bit mono WAV, block by block (the header's length is filled in at the end)."""
    with wavfile.open_write(path) as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        for block in blocks:
            handle.writeframes(wavfile.little_endian(block))


def write_mp3(target: Path, blocks: Iterator[array[int]], request: ExportRequest) -> None:
    from glutekit.atomic import atomic_path
    from glutekit_voice.mp3 import Mp3Encoder
    from glutekit_voice.mp3file import reserve_info_frame, write_info_frame

    tag = _chapter_tag(request)
    with atomic_path(target) as temp, Mp3Encoder(wavfile.RATE, MP3_RATE, MP3_KBPS) as encoder:
        with open(temp, "wb") as out:
            out.write(tag)
            out.write(reserve_info_frame())
            for block in blocks:
                out.write(encoder.encode(block))
            out.write(encoder.flush())
        write_info_frame(temp, encoder.out_frames, offset=len(tag))


#: The old way's blocks for a fitted timeline (:meth:`WavWriter.blocks`).
Remix = Callable[[Timeline, ExportOptions], Iterator["array[int]"]]


def write_wav_ahead(request: ExportRequest, mix: MixAhead, remix: Remix) -> None:
    from glutekit.atomic import atomic_path
    from glutekit_voice.mixahead import Diverged

    with _stopped_on_failure(mix), atomic_path(request.path) as temp:
        try:
            write_wav(temp, iter(mix))
            mix.finish()
        except Diverged:
            mix.finish()  # the renderer is this thread's again
            assert mix.timeline is not None
            write_wav(temp, remix(mix.timeline, request.options))
        assert mix.timeline is not None
        _fits(request.format, mix.timeline)


def write_mp3_ahead(request: ExportRequest, mix: MixAhead, remix: Remix) -> None:
    """Encode into a scratch file while the speech renders; then write the file, its
    chapters (known once the timeline is final) first, in one go."""
    import shutil
    import tempfile

    from glutekit.atomic import atomic_path
    from glutekit_voice.mixahead import Diverged
    from glutekit_voice.mp3file import reserve_info_frame, write_info_frame

    with _stopped_on_failure(mix), tempfile.TemporaryFile(prefix="glutekit-mp3-") as audio:
        try:
            encoder = _encode(iter(mix), audio)
        except Diverged:
            mix.finish()  # the renderer is this thread's again
            assert mix.timeline is not None
            audio.seek(0)
            audio.truncate()
            encoder = _encode(remix(mix.timeline, request.options), audio)
        assert mix.timeline is not None
        tag = _chapter_tag(replace(request, timeline=mix.timeline))
        audio.seek(0)
        with atomic_path(request.path) as temp:
            with open(temp, "wb") as out:
                out.write(tag)
                out.write(reserve_info_frame())
                shutil.copyfileobj(audio, out)
            write_info_frame(temp, encoder.out_frames, offset=len(tag))
            # The render processes exit while the file is finished; the file is put
            # in place only if nothing failed meanwhile.
            mix.finish()


def _encode(blocks: Iterator[array[int]], out: IO[bytes]) -> Mp3Encoder:
    from glutekit_voice.mp3 import Mp3Encoder

    with Mp3Encoder(wavfile.RATE, MP3_RATE, MP3_KBPS) as encoder:
        for block in blocks:
            out.write(encoder.encode(block))
        out.write(encoder.flush())
    return encoder


def _chapter_tag(request: ExportRequest) -> bytes:
    from glutekit_voice.mp3file import chapter_tag, chapters_of

    exercises = request.catalog.exercises
    names = {
        segment.exercise: exercises[segment.exercise].name
        for segment in request.timeline.segments
        if segment.exercise and segment.exercise in exercises
    }
    chapters = chapters_of(request.timeline, request.routine.title, names)
    return chapter_tag(chapters, title=request.routine.title)


def _fits(format: str, timeline: Timeline) -> Timeline:
    """``timeline``, fitted around the speech, unless it is too long for ``format``.

    :raises InputError: as ``glutekit export`` says it of a timeline refused before.
    """
    reason = too_long_for_wav(timeline) if format == "wav" else None
    if reason:
        raise InputError(f"cannot export '{timeline.routine_id}' as {format}: {reason}")
    return timeline


@contextlib.contextmanager
def _stopped_on_failure(mix: MixAhead) -> Iterator[None]:
    """Stop the speech still rendering when writing fails (or on Ctrl-C)."""
    try:
        yield
    except BaseException:
        mix.stop()
        raise


@contextlib.contextmanager
def _rendering_errors() -> Iterator[None]:
    try:
        yield
    except (SpeechUnavailable, SpeechFailed) as exc:
        raise GlutekitError(f"cannot make the spoken audio: {exc}") from None


def _rendering(work: Callable[[], dict[str, RenderedCue]]) -> dict[str, RenderedCue]:
    try:
        return work()
    except (SpeechUnavailable, SpeechFailed) as exc:
        raise GlutekitError(f"cannot make the spoken audio: {exc}") from None


#: A WAV file's sizes are 32-bit: its audio data stops at 4 GiB.
WAV_MAX_BYTES = 2**32 - 1 - 44


def too_long_for_wav(timeline: Timeline) -> str | None:
    """Why ``timeline`` does not fit in one WAV file, or None."""
    size = round(timeline.duration * wavfile.RATE) * 2
    if size <= WAV_MAX_BYTES:
        return None
    hours = timeline.duration / 3600
    limit = WAV_MAX_BYTES / 2 / wavfile.RATE / 3600
    return (
        f"the session lasts {hours:.1f} h, and a WAV file holds at most {limit:.1f} h "
        f"(4 GiB of 16-bit audio at {wavfile.RATE:,} Hz); export a compressed format "
        "such as MP3 where a plugin offers one, or split the routine"
    )


def wav_exporter(settings: VoiceSettings | None = None) -> Exporter:
    writer = WavWriter(settings)
    return Exporter(
        format="wav",
        description="The whole spoken session as one WAV file (every cue at its time).",
        suffix=".wav",
        write=writer.write,
        speech_lengths=writer.speech_lengths,
        refuse=too_long_for_wav,
        write_ahead=writer.write_ahead,
    )


def mp3_exporter(settings: VoiceSettings | None = None) -> Exporter:
    writer = WavWriter(settings)
    return Exporter(
        format="mp3",
        description="The whole spoken session as an MP3 for phones, with a chapter per exercise.",
        suffix=".mp3",
        write=writer.write,
        speech_lengths=writer.speech_lengths,
        refuse=_without_encoder,
        write_ahead=writer.write_ahead,
    )


def _without_encoder(timeline: Timeline) -> str | None:
    """Said before any speech is rendered, when the MP3 encoder is not installed."""
    from importlib.util import find_spec

    from glutekit_voice.mp3 import MISSING_ENCODER

    return MISSING_ENCODER if find_spec("lameenc") is None else None
