"""The MP3 encoder skips LAME over long digital silence and writes silent frames itself.

Checked against one LAME run over the same samples: the same frames in number and
place, the same length decoded, the same sound (error against the source, overall and
in every 50 ms), exact silence where the input was silent, whatever the block sizes.
"""

from __future__ import annotations

import math
import wave
from array import array
from pathlib import Path

import pytest

lameenc = pytest.importorskip("lameenc", reason="MP3 export needs lameenc")
miniaudio = pytest.importorskip("miniaudio", reason="decoding needs miniaudio")

from glutekit_voice import mp3, mp3file  # noqa: E402

RATE = 22050
FRAME = mp3.SAMPLES_PER_FRAME
#: dr_mp3 keeps the encoder's delay and its own: the source's first sample comes here.
DELAY = mp3file.ENCODER_DELAY + 529


def _speech(cache: Path, count: int) -> list[array[int]]:
    """``count`` rendered cues from the run's voice cache, at the MP3's rate."""
    clips: list[array[int]] = []
    for path in sorted(cache.rglob("*.wav")):
        if path.name.startswith("."):
            continue  # a cue another test is rendering into the shared cache right now
        with wave.open(str(path), "rb") as handle:
            if handle.getframerate() != RATE or handle.getnchannels() != 1:
                continue
            samples = array("h", handle.readframes(handle.getnframes()))
        if samples.count(0) < len(samples) and len(samples) > RATE // 2:
            clips.append(samples)
        if len(clips) == count:
            return clips
    pytest.fail(f"fewer than {count} rendered cues in {cache}")


def _session(cache: Path, gaps: list[int], tail: int) -> array[int]:
    """Cues with silences of ``gaps`` frames between them, then ``tail`` samples more
    of silence (or, when negative, the last cue cut that many samples short)."""
    clips = _speech(cache, len(gaps) + 1)
    out = array("h")
    for clip, gap in zip(clips, [*gaps, 0], strict=True):
        out.extend(clip)
        out.extend(array("h", bytes(2 * gap * FRAME + 2 * 37)))  # off the frame grid
    del out[len(out) - 37 :]
    if tail >= 0:
        out.extend(array("h", bytes(2 * tail)))
    else:
        del out[tail:]
    return out


def _ours(samples: array[int], block: int) -> bytes:
    encoder = mp3.Mp3Encoder(RATE, RATE, mp3.KBPS)
    out = bytearray()
    for start in range(0, len(samples), block):
        out += encoder.encode(samples[start : start + block])
    return bytes(out + encoder.flush())


def _one_lame_run(samples: array[int]) -> bytes:
    encoder = lameenc.Encoder()
    encoder.set_channels(1)
    encoder.set_in_sample_rate(RATE)
    encoder.set_out_sample_rate(RATE)
    encoder.set_bit_rate(mp3.KBPS)
    encoder.set_quality(7)
    encoder.silence()
    return bytes(encoder.encode(samples.tobytes()) + encoder.flush())


def _frames(data: bytes) -> list[bytes]:
    frames, at = [], 0
    while at < len(data):
        assert data[at] == 0xFF and data[at + 1] & 0xE0 == 0xE0, f"no frame header at byte {at}"
        size = mp3file.INFO_FRAME_BYTES + ((data[at + 2] >> 1) & 1)
        frames.append(data[at : at + size])
        at += size
    assert at == len(data)
    return frames


def _decoded(data: bytes) -> array[int]:
    sound = miniaudio.decode(
        data, output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1, sample_rate=RATE
    )
    return array("h", sound.samples)


def _error(decoded: array[int], source: array[int], start: int, end: int) -> float:
    total = sum((decoded[i + DELAY] - source[i]) ** 2 for i in range(start, end))
    return math.sqrt(total / max(1, end - start))


@pytest.mark.parametrize(
    ("gaps", "tail"),
    [
        ([200, 20, 47, 46, 400], 3 * RATE),  # ends in silence
        ([120, 300], -700),  # ends in the middle of a word, right after a skipped silence
        ([90], 0),
    ],
    ids=["ends-silent", "ends-speaking", "one-gap"],
)
def test_long_silences_skip_lame_and_the_mp3_sounds_as_one_lame_run(
    shared_voice_cache: Path, gaps: list[int], tail: int
) -> None:
    source = _session(shared_voice_cache, gaps, tail)
    ours = _ours(source, 32768)
    assert _ours(source, 1000) == ours  # the block size changes nothing
    reference = _one_lame_run(source)
    frames, lame_frames = _frames(ours), _frames(reference)
    assert len(frames) == len(lame_frames)
    # The silences long enough were written as silent frames, not by LAME.
    skippable = sum(g - 2 * 3 - 3 for g in gaps if g >= 47)  # off the grid: one frame less
    assert sum(f == mp3file.SILENT_FRAME for f in frames) >= skippable > 0
    decoded, expected = _decoded(ours), _decoded(reference)
    assert len(decoded) == len(expected)
    usable = len(source) - DELAY
    ours_error = _error(decoded, source, 0, usable)
    assert ours_error <= 1.05 * _error(expected, source, 0, usable)
    window = RATE // 20
    for start in range(0, usable - window, window):
        theirs = _error(expected, source, start, start + window)
        mine = _error(decoded, source, start, start + window)
        assert mine <= max(1.5 * theirs, 30.0), (start / RATE, mine, theirs)
        if not any(source[max(0, start - 3 * FRAME) : start + window + 3 * FRAME]):
            assert not any(decoded[start + DELAY : start + DELAY + window])


def test_a_word_that_starts_in_the_last_short_frame_after_a_skipped_silence_keeps_its_place(
    shared_voice_cache: Path,
) -> None:
    first, second = _speech(shared_voice_cache, 2)
    source = array("h", first)
    source.extend(array("h", bytes(2 * (100 * FRAME - len(first) % FRAME))))  # on the grid
    middle = len(second) // 2
    source.extend(second[middle : middle + 300])  # less than a frame; the file ends there
    ours, reference = _ours(source, 32768), _one_lame_run(source)
    assert len(_frames(ours)) == len(_frames(reference))
    decoded, expected = _decoded(ours), _decoded(reference)
    assert len(decoded) == len(expected)

    def last_sound(samples: array[int]) -> int:
        return max(i for i, v in enumerate(samples) if abs(v) > 64)

    # Within a frame (the codec rings a little differently around so short a sound).
    assert abs(last_sound(decoded) - last_sound(expected)) <= FRAME


def test_silence_alone_is_all_silent_frames_as_many_as_lame_writes() -> None:
    source = array("h", bytes(2 * (60 * FRAME + 11)))
    ours = _ours(source, 4096)
    frames = _frames(ours)
    assert len(frames) == len(_frames(_one_lame_run(source)))
    assert sum(f == mp3file.SILENT_FRAME for f in frames) > 40
    assert not any(_decoded(ours))
