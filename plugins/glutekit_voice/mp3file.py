"""The MP3 file around the encoder's frames: the frame format, silent frames, the
Info frame and the ID3 chapters (:mod:`glutekit_voice.id3`).

The encoder adds a start-up delay and pads the last frame. The file therefore starts
with an "Info" frame carrying the LAME tag (frame count, delay and padding), as LAME's
own command line writes it: players skip exactly that much, so the MP3 plays (and
reports) the same length as the WAV and every chapter lands on its word.

Chapters follow the ID3v2 chapter frame addendum that podcast players read: a CTOC
frame lists one CHAP frame per exercise, each with its start and end in
milliseconds and the exercise's name as its title. The tag is known before the audio
is encoded, so it is written first and the file is never rewritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from glutekit.model import Timeline
from glutekit.model.records import record

#: MPEG-2 Layer III, 22.05 kHz (the rate cues are rendered at, so LAME need not
#: resample), mono, 64 kbit/s: 576 samples in 208 or 209 bytes.
OUT_RATE = 22050
KBPS = 64
SAMPLES_PER_FRAME = 576
_BYTES_PER_KBIT = 72  # frame bytes = 72 * bit rate / sample rate, for MPEG-2 Layer III
INFO_FRAME_BYTES = _BYTES_PER_KBIT * KBPS * 1000 // OUT_RATE
#: Header of a frame of that kind without the padding byte: MPEG-2, Layer III, no CRC,
#: 64 kbit/s, 22.05 kHz, mono, original.
_HEADER = bytes([0xFF, 0xF3, 0x80, 0xC4])
_BITRATES = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
#: Bytes of side information in a mono MPEG-2 Layer III frame.
_SIDE_INFO = 9
#: LAME's own encoder delay, written in its tag (decoders add their 529 themselves).
ENCODER_DELAY = 576


def whole_frames(data: bytes) -> tuple[int, int]:
    """The whole frames at the start of ``data`` (frames of this format only): how many,
    and their bytes (the rest is the start of a frame)."""
    frames = at = 0
    while at + 4 <= len(data):
        size = _frame_bytes(data[at + 2])
        if at + size > len(data):
            break
        at += size
        frames += 1
    return frames, at


def _frame_bytes(third: int) -> int:
    """The length of a 64 kbit/s frame whose header's third byte is ``third``."""
    return INFO_FRAME_BYTES + ((third >> 1) & 1)


#: A frame of silence: no bits of audio data, no bit reservoir.
SILENT_FRAME = _HEADER + bytes(INFO_FRAME_BYTES - len(_HEADER))


def silent_frames(count: int) -> bytes:
    """``count`` frames of silence (none for a count below one)."""
    return SILENT_FRAME * max(0, count)


@record(frozen=True, kw_only=True)
class Chapter:
    title: str
    start: float
    end: float


def chapters_of(timeline: Timeline, title: str, names: Mapping[str, str]) -> list[Chapter]:
    """One chapter per exercise, from its first segment to the next exercise (or the end).

    Whatever comes before the first exercise (a welcome, the safety line) opens the
    file as a chapter of its own, named after the routine.
    """
    starts: list[tuple[str, float]] = []
    seen: str | None = None
    for segment in timeline.segments:
        if segment.exercise and segment.exercise != seen:
            seen = segment.exercise
            starts.append((names.get(segment.exercise, segment.label), segment.start))
    if starts and starts[0][1] > 0:
        starts.insert(0, (title, 0.0))
    ends = [start for _, start in starts[1:]] + [timeline.duration]
    return [
        Chapter(title=name, start=start, end=end)
        for (name, start), end in zip(starts, ends, strict=True)
    ]


def chapter_tag(chapters: list[Chapter], title: str | None = None) -> bytes:
    """The ID3 tag that opens the file: a table of contents and one CHAP frame per chapter."""
    from glutekit_voice.id3 import ChapterMark
    from glutekit_voice.id3 import chapter_tag as build

    marks = [
        ChapterMark(
            title=chapter.title,
            start_ms=round(chapter.start * 1000),
            end_ms=round(chapter.end * 1000),
        )
        for chapter in chapters
    ]
    return build(marks, title=title, toc_title="Exercises")


def reserve_info_frame() -> bytes:
    """Room for the Info frame, written before the audio and filled in by :func:`write_info_frame`."""
    return _HEADER + bytes(INFO_FRAME_BYTES - len(_HEADER))


def count_frames(path: Path, start: int) -> tuple[int, int]:
    """MPEG frames and bytes from ``start`` to the end of the file (reads headers only)."""
    frames = 0
    with open(path, "rb") as handle:
        handle.seek(start)
        while True:
            header = handle.read(4)
            if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
                break
            bitrate = _BITRATES[header[2] >> 4] * 1000
            padding = (header[2] >> 1) & 1
            handle.seek(_BYTES_PER_KBIT * bitrate // OUT_RATE + padding - 4, 1)
            frames += 1
        return frames, handle.tell() - start


def write_info_frame(path: Path, audio_samples: int, offset: int = 0) -> None:
    """Fill in the Info frame at byte ``offset`` of ``path`` (only MPEG frames follow it)."""
    frames, size = count_frames(path, offset + INFO_FRAME_BYTES)
    padding = frames * SAMPLES_PER_FRAME - ENCODER_DELAY - audio_samples
    padding = max(0, min(padding, 0xFFF))
    body = bytearray(INFO_FRAME_BYTES)
    body[:4] = _HEADER
    at = 4 + _SIDE_INFO
    toc = bytes(i * 256 // 100 for i in range(100))
    xing = b"Info" + (0x0F).to_bytes(4, "big") + frames.to_bytes(4, "big")
    xing += (size + INFO_FRAME_BYTES).to_bytes(4, "big") + toc + (0).to_bytes(4, "big")
    lame = bytearray(b"LAME3.100")
    lame += bytes([0x01, 0])  # tag revision 0, CBR; no lowpass recorded
    lame += bytes(4 + 2 + 2 + 1)  # peak, radio and audiophile gain, flags
    lame += bytes([min(KBPS, 255)])
    lame += ((ENCODER_DELAY << 12) | padding).to_bytes(3, "big")
    lame += bytes([0x00, 0]) + bytes(2)  # source rate up to 32 kHz; no gain, no preset
    lame += (size + INFO_FRAME_BYTES).to_bytes(4, "big") + bytes(2)  # music length, music CRC
    tag = xing + bytes(lame)
    body[at : at + len(tag)] = tag
    end = at + len(tag)
    body[end : end + 2] = _crc16(bytes(body[:end])).to_bytes(2, "big")
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write(body)


def _crc16(data: bytes) -> int:
    """CRC-16 (polynomial 0x8005, reflected), as the LAME tag's own checksum."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc
