"""Small WAV helpers on the standard library: read, measure, write, beep and mix.

Everything works on 16-bit mono samples held in ``array("h")``. Copying a run of
samples into a buffer is done with slice assignment, which runs in C, so mixing a
fifteen-minute session stays well under a second in pure Python.
"""

from __future__ import annotations

import math
import sys
from array import array
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import wave

RATE = 22050
_LIMIT = 32767
#: Below this a sample is silence (about -54 dBFS).
_QUIET = 64


@cache
def wave_classes() -> tuple[type[wave.Wave_read], type[wave.Wave_write]]:
    """The standard library's WAV reader and writer, quiet when a signal lands while one
    opens. :mod:`wave` is imported when the first file is opened: a warm start measures
    its cached cues without opening any."""
    import wave

    class Reader(wave.Wave_read):
        # Ctrl-C or SIGTERM can land after the object is made and before the first line
        # of its __init__; __del__ then closes an object with no attributes and Python
        # prints "Exception ignored ... AttributeError" with a traceback. Empty defaults
        # make that close a no-op.
        _file = None
        _i_opened_the_file = None

    class Writer(wave.Wave_write):
        _file = None  # as in Reader
        _i_opened_the_file = None

    return Reader, Writer


def open_read(path: Path) -> wave.Wave_read:
    """``wave.open(path, "rb")``, quiet when a signal lands while it opens."""
    return wave_classes()[0](str(path))


def open_write(path: Path) -> wave.Wave_write:
    """``wave.open(path, "wb")``, quiet when a signal lands while it opens."""
    return wave_classes()[1](str(path))


def frame_count(path: Path) -> int:
    """Frames in a WAV file, or 0 when it is missing, empty or not a WAV."""
    import wave

    try:
        with open_read(path) as handle:
            return handle.getnframes()
    except (OSError, EOFError, wave.Error):
        return 0


def seconds(path: Path) -> float:
    """Playing time of a WAV file (0.0 when unreadable)."""
    import wave

    try:
        with open_read(path) as handle:
            return handle.getnframes() / float(handle.getframerate())
    except (OSError, EOFError, wave.Error):
        return 0.0


def read_mono16(path: Path, rate: int = RATE) -> array[int]:
    """Samples of a WAV file as 16-bit mono at ``rate`` (first channel, nearest-sample resampling).

    :raises wave.Error: when the file is not a PCM WAV of 8 or 16 bits.
    """
    import wave

    with open_read(path) as handle:
        width = handle.getsampwidth()
        channels = handle.getnchannels()
        source_rate = handle.getframerate()
        raw = handle.readframes(handle.getnframes())
    if width == 2:
        samples = array("h", raw)
        if sys.byteorder == "big":
            samples.byteswap()
    elif width == 1:
        samples = array("h", ((b - 128) << 8 for b in raw))
    else:
        raise wave.Error(f"{path}: {8 * width}-bit audio is not supported")
    if channels > 1:
        samples = samples[::channels]
    if source_rate != rate:
        step = source_rate / rate
        count = int(len(samples) / step)
        samples = array("h", (samples[int(i * step)] for i in range(count)))
    return samples


def little_endian(samples: array[int]) -> bytes:
    """16-bit samples as the little-endian bytes WAV and encoders expect."""
    if sys.byteorder == "big":
        swapped = array("h", samples)
        swapped.byteswap()
        return swapped.tobytes()
    return samples.tobytes()


def write_mono16(path: Path, samples: array[int], rate: int = RATE) -> None:
    """Write 16-bit mono samples as a WAV file (callers make it atomic)."""
    data = samples
    if sys.byteorder == "big":
        data = array("h", samples)
        data.byteswap()
    with open_write(path) as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(data.tobytes())


def silence(frames: int) -> array[int]:
    return array("h", bytes(2 * frames))


#: How long a countdown tone lasts.
BEEP_SECONDS = 0.12


def beep_frames(rate: int = RATE, duration: float = BEEP_SECONDS) -> int:
    """How many frames :func:`beep` makes, without making it."""
    return int(rate * duration)


def beep(
    rate: int = RATE, hertz: float = 880.0, duration: float = BEEP_SECONDS, level: float = 0.45
) -> array[int]:
    """A short sine tone with 5 ms fades, so it clicks neither in nor out."""
    frames = beep_frames(rate, duration)
    fade = max(1, int(rate * 0.005))
    out = array("h", bytes(2 * frames))
    for i in range(frames):
        envelope = min(1.0, i / fade, (frames - 1 - i) / fade)
        out[i] = int(level * _LIMIT * envelope * math.sin(2 * math.pi * hertz * i / rate))
    return out


def mix_into(buffer: array[int], samples: array[int], offset: int) -> None:
    """Add ``samples`` to ``buffer`` from frame ``offset``, clipping at full scale.

    Samples that would land past the end of ``buffer`` are dropped; callers size it.
    """
    end = min(len(buffer), offset + len(samples))
    if end <= offset:
        return
    window = buffer[offset:end]
    if window.tobytes() == bytes(2 * len(window)):
        # The usual case: cues do not overlap, so this is a plain copy. (Compared as
        # bytes, in C: any() over the samples made a Python int of each one.)
        buffer[offset:end] = samples[: end - offset]
        return
    for i in range(end - offset):
        total = window[i] + samples[i]
        buffer[offset + i] = (
            _LIMIT if total > _LIMIT else -_LIMIT - 1 if total < -_LIMIT - 1 else total
        )


def trim_trailing_silence(samples: array[int], rate: int = RATE, keep: float = 0.06) -> array[int]:
    """Drop the quiet tail engines add after the last word, keeping ``keep`` seconds.

    A cue's length then means the time it takes to say it, which is what the
    timeline makes room for.
    """
    end = len(samples)
    while end > 0 and abs(samples[end - 1]) < _QUIET:
        end -= 1
    return samples[: min(len(samples), end + int(keep * rate))]


def rms(samples: array[int]) -> float:
    """Root-mean-square level as a fraction of full scale (0.0 for silence)."""
    if not samples:
        return 0.0
    return math.sqrt(sum(s * s for s in samples) / len(samples)) / _LIMIT


#: Speech level every cue is brought to: -20 dBFS over the parts that are speech.
SPEECH_LEVEL = 0.1
#: Never louder than this at the peaks, whatever the level asks for.
PEAK_CEILING = 0.95
_WINDOW = RATE // 50  # 20 ms


def speech_level(samples: array[int]) -> float:
    """RMS over the 20 ms windows that carry speech (within 30 dB of the loudest one).

    Pauses between words do not dilute it, so a long sentence and a single word
    said equally loud measure the same.
    """
    powers = []
    for start in range(0, len(samples), _WINDOW):
        window = samples[start : start + _WINDOW]
        powers.append(sum(s * s for s in window) / len(window))
    if not powers or max(powers) == 0:
        return 0.0
    floor = max(powers) / 1000.0
    active = [p for p in powers if p >= floor]
    return math.sqrt(sum(active) / len(active)) / _LIMIT


def normalise_loudness(samples: array[int], level: float = 1.0) -> array[int]:
    """``samples`` scaled to :data:`SPEECH_LEVEL` times ``level``, peaks kept under the ceiling."""
    measured = speech_level(samples)
    peak = max((abs(s) for s in samples), default=0)
    if measured == 0.0 or peak == 0:
        return array("h", samples)
    gain = min(SPEECH_LEVEL * level / measured, PEAK_CEILING * _LIMIT / peak)
    return array("h", (int(s * gain) for s in samples))
