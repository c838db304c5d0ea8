"""Music under the voice: the user's own file, looped to fill the session, ducked under cues.

The file (MP3, OGG Vorbis, FLAC or WAV) is decoded by miniaudio, a real decoder, as
it plays: a block at a time, so a long file costs no more memory than a short one.
Before the session it is read once, whole, to check that it decodes and to measure
it, so that any music sits the same distance under the speech, however loud it was
mastered.

The mixer knows every cue's place in advance, so the music starts to dip a moment
*before* a cue speaks and comes back up shortly after it ends; cues close together
keep it down in between rather than pumping. Voice and music are added as floats,
and where a word's peak and the music together would reach full scale the music
gives way for that sample: the voice is never changed, and no sample clips.
"""

from __future__ import annotations

import bisect
import math
import os
from array import array
from collections.abc import Generator, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from glutekit.errors import InputError
from glutekit.model.records import record
from glutekit_voice import wavfile

ENV_DUCK = "GLUTEKIT_MUSIC_DUCK"
#: How far the music dips while a cue speaks, in dB.
DEFAULT_DUCK_DB = 12.0
MAX_DUCK_DB = 40.0
#: Between cues the music sits this far under the speech level (RMS over sound).
BELOW_SPEECH_DB = 6.0
#: The music's own peaks, before ducking, stay at or under this fraction of full scale.
PEAK_LIMIT = 0.5
#: Seconds the dip takes to go down (ending as the cue starts) and to come back up.
DUCK_ATTACK = 0.15
DUCK_RELEASE = 0.5
#: Cues closer together than this keep the music down in between.
DUCK_BRIDGE = 1.2
#: Fades: in at the start, in again after a pause, out at the session's end, and at
#: the seam where the file loops back to its beginning.
FADE_IN = 1.5
RESUME_FADE = 0.3
FADE_OUT = 3.0
SEAM = 0.02
#: No sample of the mix goes past this (about -0.3 dBFS).
CEILING = 31700
#: Measuring reads at most this much of the file (its length is still counted whole).
_MEASURE_SECONDS = 600
_FULL = 32767.0
#: Below this RMS a second of the file counts as silence when measuring (-60 dBFS).
_QUIET_RMS = 0.001
#: Frames decoded at a time.
_CHUNK = 8192
#: Frames over which a fade or a dip keeps one gain.
_STEP = 32
FORMATS = "MP3, OGG Vorbis, FLAC or WAV"


@record(frozen=True, kw_only=True)
class Music:
    """A music file checked and measured for a session at ``rate``."""

    path: Path
    #: Frames of the decoded file at ``rate``.
    frames: int
    #: Brings the file to its level under the speech.
    gain: float
    duck_db: float = DEFAULT_DUCK_DB
    rate: int = wavfile.RATE

    @property
    def duck_gain(self) -> float:
        return 10 ** (-self.duck_db / 20)


def _miniaudio() -> Any:
    from glutekit.session.devices import miniaudio_module

    try:
        return miniaudio_module()
    except ImportError:
        raise InputError(
            "--music needs miniaudio to decode the file, which is not installed here: "
            "pip install miniaudio"
        ) from None


def duck_db_of(values: Mapping[str, Any], env: Mapping[str, str] | None = None) -> float:
    """``--music-duck``, else ``GLUTEKIT_MUSIC_DUCK``, else the default.

    :raises InputError: for a value that is not a number of dB from 0 to 40.
    """
    raw, source = values.get("music_duck"), "--music-duck"
    if raw is None:
        raw, source = (os.environ if env is None else env).get(ENV_DUCK) or None, ENV_DUCK
    if raw is None:
        return DEFAULT_DUCK_DB
    try:
        duck = float(raw)
    except (TypeError, ValueError):
        duck = math.nan
    if not 0 <= duck <= MAX_DUCK_DB:  # NaN fails too
        raise InputError(f"{source}: must be a number of dB from 0 to {MAX_DUCK_DB:g}, got {raw!r}")
    return duck


def music_from(values: Mapping[str, Any], rate: int = wavfile.RATE) -> Music | None:
    """The ``--music`` file of a command's options, checked and measured; None without one.

    :raises InputError: one line naming the file, when it is missing or does not decode.
    """
    raw = values.get("music")
    if raw is None or raw == "":
        return None
    return open_music(Path(raw), duck_db_of(values), rate)


def open_music(path: Path, duck_db: float = DEFAULT_DUCK_DB, rate: int = wavfile.RATE) -> Music:
    """Check that ``path`` decodes, count its frames at ``rate`` and measure its level.

    :raises InputError: one line naming the file.
    """
    if not path.exists():
        raise InputError(f"{path}: no such file (the --music file)")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a music file")
    miniaudio = _miniaudio()
    frames = 0
    squares = 0.0
    measured = 0
    peak = 0
    try:
        for chunk in _decode(miniaudio, path, rate):
            frames += len(chunk)
            if not chunk:
                continue
            peak = max(peak, max(chunk), -min(chunk))
            if measured < _MEASURE_SECONDS * rate:
                energy = math.fsum(s * s for s in chunk) / len(chunk)
                if math.sqrt(energy) / _FULL >= _QUIET_RMS:
                    squares += energy * len(chunk)
                    measured += len(chunk)
    except (miniaudio.MiniaudioError, OSError, ValueError) as exc:
        raise InputError(
            f"{path}: cannot be decoded as music ({FORMATS}): {_reason(exc)}"
        ) from None
    if frames < rate // 10:
        raise InputError(f"{path}: holds no music (less than 0.1 s of sound once decoded)")
    return Music(
        path=path,
        frames=frames,
        gain=_level_gain(squares, measured, peak),
        duck_db=duck_db,
        rate=rate,
    )


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def _level_gain(squares: float, frames: int, peak: int) -> float:
    """The gain that puts the music :data:`BELOW_SPEECH_DB` under the speech level,
    its peaks under :data:`PEAK_LIMIT`."""
    if frames == 0 or peak == 0:
        return 1.0
    level = math.sqrt(squares / frames) / _FULL
    target = wavfile.SPEECH_LEVEL * 10 ** (-BELOW_SPEECH_DB / 20)
    return min(target / level, PEAK_LIMIT * _FULL / peak)


def _decode(miniaudio: Any, path: Path, rate: int) -> Generator[array[int], int, None]:
    """A decoder of ``path`` to 16-bit mono at ``rate``: ``send(n)`` gives the next
    ``n`` frames (at most :data:`_CHUNK`), fewer at the end, then StopIteration."""
    stream: Generator[array[int], int, None] = miniaudio.stream_file(
        str(path),
        output_format=miniaudio.SampleFormat.SIGNED16,
        nchannels=1,
        sample_rate=rate,
        frames_to_read=_CHUNK,
    )
    return stream


class MusicReader:
    """Reads the music on and on, looping at the end of the file, at its level.

    It decodes as it goes (one decoder open at a time). Should the file become
    unreadable during the session, the music goes quiet and the voice plays on.
    """

    def __init__(self, music: Music) -> None:
        self.music = music
        self._miniaudio = _miniaudio()
        self._stream: Generator[array[int], int, None] | None = None
        #: Frame of the file the next sample comes from.
        self.at = 0
        self.failed = False
        self._seam = max(1, round(SEAM * music.rate))

    def read(self, count: int) -> array[int] | list[float]:
        """The next ``count`` samples as decoded (16-bit), faded at the loop's seam."""
        out: array[int] | list[float] = array("h")
        while len(out) < count and not self.failed:
            chunk = self._next(count - len(out))
            if chunk is None:
                continue
            start, self.at = self.at, self.at + len(chunk)
            if start < self._seam or self.at > self.music.frames - self._seam:
                out = [*out, *self._seamed(chunk, start)]
            else:
                out.extend(chunk)
        if len(out) < count:
            out = [*out, *([0.0] * (count - len(out)))]
        return out

    def _next(self, wanted: int) -> array[int] | None:
        """Up to ``wanted`` frames of the file; None at its end (the next call loops)."""
        try:
            if self._stream is None:
                self._stream = _decode(self._miniaudio, self.music.path, self.music.rate)
            chunk: array[int] = self._stream.send(min(wanted, _CHUNK))
        except StopIteration:
            chunk = array("h")
        except (self._miniaudio.MiniaudioError, OSError, ValueError):
            self.failed = True
            return None
        if not chunk:
            if self.at == 0:  # the file holds nothing any more
                self.failed = True
            self._stream = None
            self.at = 0
            return None
        return chunk

    def _seamed(self, chunk: array[int], start: int) -> list[float]:
        """``chunk`` (from file frame ``start``) faded near either end of the file, so
        that the loop's seam does not click."""
        total, seam = self.music.frames, self._seam
        return [
            s * min(1.0, (start + i) / seam, max(0, total - 1 - start - i) / seam)
            for i, s in enumerate(chunk)
        ]


class DuckEnvelope:
    """How far down the music is at each session frame: 0 (full) to 1 (fully ducked).

    Built from the frames where clips sound; spans closer than :data:`DUCK_BRIDGE`
    merge. Each span ramps down over :data:`DUCK_ATTACK` before it and back up over
    :data:`DUCK_RELEASE` after it.
    """

    def __init__(self, spans: Iterable[tuple[int, int]], rate: int) -> None:
        self.attack = max(1, round(DUCK_ATTACK * rate))
        self.release = max(1, round(DUCK_RELEASE * rate))
        bridge = round(DUCK_BRIDGE * rate)
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start - merged[-1][1] <= bridge:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]

    def at(self, frame: float) -> float:
        index = bisect.bisect_right(self.starts, frame + self.attack) - 1
        if index < 0:
            return 0.0
        start, end = self.starts[index], self.ends[index]
        if frame < start:
            return 1.0 - (start - frame) / self.attack
        if frame <= end:
            return 1.0
        return max(0.0, 1.0 - (frame - end) / self.release)

    def steady(self, first: float, last: float) -> float | None:
        """The envelope's value over session frames ``first`` to ``last``, if it does not
        change there; None when a ramp falls inside."""
        index = bisect.bisect_right(self.starts, last + self.attack) - 1
        if index < 0:
            return 0.0
        start, end = self.starts[index], self.ends[index]
        if first >= start and last <= end:
            return 1.0
        if first >= end + self.release:
            return 0.0
        return None


class MusicBed:
    """Mixes a :class:`Music` under the voice, block by block, for one playhead.

    :param spans: session frames (start, end) where clips sound.
    :param end: the session's last frame; the music fades out before it.
    """

    def __init__(self, music: Music, spans: Sequence[tuple[int, int]], end: int) -> None:
        self.music = music
        self.reader = MusicReader(music)
        self.envelope = DuckEnvelope(spans, music.rate)
        self.end = end
        #: Music frames played so far, and where the current fade-in started.
        self.played = 0
        self._fade_from = 0
        self._fade_frames = max(1, round(FADE_IN * music.rate))
        self._fade_out = max(1, round(FADE_OUT * music.rate))

    def pause(self) -> None:
        """The session paused: the music stops, and comes back with a short fade."""
        self._fade_from = self.played
        self._fade_frames = max(1, round(RESUME_FADE * self.music.rate))

    def mix(self, voice: array[int], position: float, speed: float = 1.0) -> array[int]:
        """``voice`` (a block starting at session frame ``position``) with the music under it."""
        count = len(voice)
        music = self.reader.read(count)
        gains = self._gains(position, count, speed)
        self.played += count
        if isinstance(gains, float):
            mixed = [v + m * gains for v, m in zip(voice, music, strict=True)]
        else:
            mixed = [v + m * g for v, m, g in zip(voice, music, gains, strict=True)]
        if max(mixed, default=0.0) > CEILING or min(mixed, default=0.0) < -CEILING:
            mixed = [_limited(total) for total in mixed]
        return array("h", map(int, mixed))

    def _gains(self, position: float, count: int, speed: float) -> float | list[float]:
        """The music's gain for each frame of the block (one number when it is steady).

        Ramps move in steps of :data:`_STEP` frames (1.5 ms), too small to hear.
        """
        last = position + (count - 1) * speed
        duck = self.music.duck_gain
        fading_in = self.played < self._fade_from + self._fade_frames
        fading_out = last > self.end - self._fade_out
        steady = self.envelope.steady(position, last)
        if steady is not None and not fading_in and not fading_out:
            return self.music.gain * math.pow(duck, steady)
        gains: list[float] = []
        for at in range(0, count, _STEP):
            gain = self._gain(position + at * speed, self.played + at, duck)
            gains += [gain] * min(_STEP, count - at)
        return gains

    def _gain(self, frame: float, played: int, duck: float) -> float:
        gain = self.music.gain * math.pow(duck, self.envelope.at(frame))
        if played < self._fade_from + self._fade_frames:
            gain *= (played - self._fade_from) / self._fade_frames
        if frame > self.end - self._fade_out:
            gain *= max(0.0, (self.end - frame) / self._fade_out)
        return gain


def _limited(total: float) -> float:
    """``total`` held inside the ceiling: the music gives way where a word peaks (the
    voice alone passes it only where two cues overlap, which the voice mix clips)."""
    if -CEILING <= total <= CEILING:
        return total
    return float(CEILING if total > 0 else -CEILING)
