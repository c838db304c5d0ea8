"""Where each clip of a session sits: a :class:`Schedule` places every cue of a
timeline at its sample (spoken cues from their rendered files, the 3-2-1 spoken or
as soft tones), and :class:`Started` logs a clip as it starts in a stream.

:mod:`glutekit_voice.mixer` reads the mix of a schedule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from glutekit.model import Cue, Timeline
from glutekit.model.records import record
from glutekit_voice import wavfile

if TYPE_CHECKING:  # music is decoded only when a session has some
    from glutekit_voice.music import Music, MusicBed

#: How far below the session's speech the tones sound: heard, but never a jolt.
TONE_BELOW_SPEECH_DB = 7.0
#: Clips measured to find the session's speech level.
_LEVEL_SAMPLE = 16


@record(frozen=True, kw_only=True)
class Placement:
    """One clip at its place in the session."""

    #: Session frame the clip starts at.
    start: int
    #: The rendered WAV, or None for a countdown tone.
    path: Path | None
    frames: int
    cue: Cue
    last_beep: bool = False


@record(frozen=True, kw_only=True)
class Started:
    """A clip that began to sound: at stream frame ``frame``, session frame ``at``."""

    frame: int
    at: int
    placement: Placement

    @property
    def end(self) -> int:
        return self.frame + self.placement.frames


class Schedule:
    """Every clip of a timeline, by start frame."""

    def __init__(
        self,
        placements: list[Placement],
        duration_frames: int,
        rate: int,
        tone_level: float = wavfile.SPEECH_LEVEL,
        music: Music | None = None,
    ) -> None:
        self.placements = sorted(placements, key=lambda p: p.start)
        self.starts = [p.start for p in self.placements]
        #: Frames until the timeline ends (what is laid out, whatever still sounds after).
        self.laid_out = duration_frames
        self.rate = rate
        #: RMS of the countdown tones, as a fraction of full scale.
        self.tone_level = tone_level
        #: Frames until the timeline ends or the last clip is finished, whichever is later.
        self.frames = max([duration_frames] + [p.start + p.frames for p in self.placements])
        #: The user's music under the voice (``--music``), if any.
        self.music = music

    @classmethod
    def build(
        cls,
        timeline: Timeline,
        clips: Mapping[str, Path],
        rate: int = wavfile.RATE,
        *,
        tones: bool = False,
        music: Music | None = None,
        tone_level: float | None = None,
        seconds: Mapping[Path, float] | None = None,
    ) -> Schedule:
        """Place each cue of ``timeline``: spoken cues from ``clips`` (text -> WAV).

        :param tones: play the 3-2-1 as tones, :data:`TONE_BELOW_SPEECH_DB` under the
            speech level measured on this session's clips; otherwise it is spoken like
            any cue (from ``clips``).
        :param music: music to play under the voice, ducked while clips sound.
        :param seconds: the playing time of clips already measured
            (:func:`wavfile.seconds`), by file; the others are read here.
        """
        beep_frames = wavfile.beep_frames(rate)
        known = seconds or {}
        placements = []
        for cue in timeline.cues:
            start = round(cue.at * rate)
            if cue.kind == "countdown" and tones:
                last = cue.text.strip(". ") == "1"
                placements.append(
                    Placement(start=start, path=None, frames=beep_frames, cue=cue, last_beep=last)
                )
            elif cue.text in clips:
                path = clips[cue.text]
                length = known[path] if path in known else wavfile.seconds(path)
                frames = int(length * rate)
                placements.append(Placement(start=start, path=path, frames=frames, cue=cue))
        level = wavfile.SPEECH_LEVEL
        if tones:  # read some clips only when there are tones to match to them
            level = tone_level if tone_level is not None else cls.tone_level_of(clips.values())
        return cls(placements, round(timeline.duration * rate), rate, level, music)

    @staticmethod
    def tone_level_of(clips: Iterable[Path]) -> float:
        """The countdown tones' level: :data:`TONE_BELOW_SPEECH_DB` under the speech of
        ``clips``."""
        return speech_level_of(list(clips)) * 10 ** (-TONE_BELOW_SPEECH_DB / 20)

    def music_bed(self) -> MusicBed | None:
        """A fresh mixer of this schedule's music (one per playhead), or None."""
        if self.music is None:
            return None
        from glutekit_voice.music import MusicBed

        spans = [(p.start, p.start + p.frames) for p in self.placements]
        return MusicBed(self.music, spans, self.frames)


def speech_level_of(paths: list[Path]) -> float:
    """The median speech level (RMS over speech, a fraction of full scale) of some of
    ``paths``, spread over the list; the renderer's target level when none can be read."""
    step = max(1, len(paths) // _LEVEL_SAMPLE)
    levels = []
    for path in paths[::step][:_LEVEL_SAMPLE]:
        try:
            level = wavfile.speech_level(wavfile.read_mono16(path))
        except (OSError, EOFError, ValueError):
            continue
        if level > 0:
            levels.append(level)
    import statistics  # with fractions and decimal: only sessions with tones need it

    return statistics.median(levels) if levels else wavfile.SPEECH_LEVEL
