"""MP3 encoding (lameenc) and ID3 chapters (:mod:`glutekit_voice.id3`) for the spoken export.

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

from array import array
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from glutekit.errors import GlutekitError
from glutekit.model import Timeline
from glutekit.model.records import record
from glutekit_voice import wavfile

MISSING_ENCODER = (
    "MP3 export needs lameenc, which is not installed: "
    "pip install lameenc (or 'glutekit[mp3]'), or export --format wav"
)
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


#: Bytes of one 576-sample frame of 16-bit input.
_GRANULE = 2 * SAMPLES_PER_FRAME
_ZEROS = bytes(_GRANULE)
#: Frames of digital silence LAME still encodes on each side of a silence it skips: a
#: margin around the sound (LAME's filter bank and transform reach under two frames).
_EDGE = 3
#: Frames of silence, between the edges, worth skipping: an encoder costs about as much
#: to start again as LAME spends on 40 frames of silence.
_SKIP_FROM = 40


class Mp3Encoder:
    """16-bit mono samples in, MP3 frames out, block by block (constant memory).

    Long stretches of digital silence (the quiet of a hold) are not put through LAME:
    each of their frames is a silent frame written here, and LAME starts afresh after
    them. Every frame keeps its place, so the file has the frames one LAME run would
    give, plays the same length and sounds the same, for less encoding.
    """

    def __init__(self, in_rate: int, out_rate: int, kbps: int) -> None:
        try:
            import lameenc  # noqa: F401
        except ImportError:
            raise GlutekitError(MISSING_ENCODER) from None
        if (out_rate, kbps) != (OUT_RATE, KBPS):
            raise ValueError(f"only {OUT_RATE} Hz at {KBPS} kbit/s is supported")
        self.in_frames = 0
        self.in_rate = in_rate
        #: Silence is skipped only where input frames are output frames.
        self._skips = in_rate == OUT_RATE
        self._lame: Any = self._new_lame()
        #: Input bytes short of a whole frame, kept for the next block.
        self._pending = b""
        #: Whole silent frames held back: a silence to skip, or not, once its end is seen.
        self._zeros = 0
        #: Index of the next whole input frame.
        self._granule = 0
        #: Index of the next frame written (-1: the first frame holds the encoder delay).
        self._next_frame = -1
        #: Bytes of LAME's output not yet counted as whole frames.
        self._partial = b""

    def _new_lame(self) -> Any:
        import lameenc

        encoder = lameenc.Encoder()
        encoder.set_channels(1)
        encoder.set_in_sample_rate(self.in_rate)
        encoder.set_out_sample_rate(OUT_RATE)
        encoder.set_bit_rate(KBPS)
        # Quality 7 is LAME's fast setting; speech at 64 kbit/s still sounds clean.
        encoder.set_quality(7)
        encoder.silence()
        return encoder

    def encode(self, block: array[int]) -> bytes:
        self.in_frames += len(block)
        data = wavfile.little_endian(block)
        if not self._skips:
            return bytes(self._lame.encode(data))
        data = self._pending + data
        whole = len(data) - len(data) % _GRANULE
        self._pending = data[whole:]
        out = bytearray()
        feed = bytearray()  # for LAME, in one call
        view = memoryview(data)
        for start in range(0, whole, _GRANULE):
            frame = view[start : start + _GRANULE]
            if frame == _ZEROS:
                self._zeros += 1
                if self._lame is not None and self._zeros == 2 * _EDGE + _SKIP_FROM:
                    # A silence long enough: LAME ends a few frames into it.
                    feed += _ZEROS * _EDGE
                    out += self._counted(self._lame.encode(bytes(feed)))
                    out += self._counted(self._lame.flush())
                    feed.clear()
                    self._lame = None
            else:
                if self._lame is None:
                    out += self._resume()
                    feed += _ZEROS * _EDGE
                else:
                    feed += _ZEROS * self._zeros
                self._zeros = 0
                feed += frame
            self._granule += 1
        if feed:
            out += self._counted(self._lame.encode(bytes(feed)))
        return bytes(out)

    def _resume(self) -> bytes:
        """Silent frames up to where a new LAME run starts, a few frames before the
        sound that ends the silence; the new run."""
        begin = self._granule - _EDGE  # the new run's first input frame
        out = _silent_frames(begin - 1 - self._next_frame)  # its first frame: begin - 1
        self._next_frame = begin - 1
        self._lame = self._new_lame()
        self._zeros = 0
        return out

    def _counted(self, mp3: bytes) -> bytes:
        """``mp3`` as it is, counting the whole frames in it."""
        data = self._partial + mp3
        at = 0
        while len(data) - at >= 4:
            size = _frame_bytes(data[at + 2])
            if len(data) - at < size:
                break
            at += size
            self._next_frame += 1
        self._partial = data[at:]
        return bytes(mp3)

    @property
    def out_frames(self) -> int:
        """Samples of real audio in the output (before delay and padding)."""
        return self.in_frames * OUT_RATE // self.in_rate

    def flush(self) -> bytes:
        if not self._skips:
            return bytes(self._lame.flush())
        out = bytearray()
        if self._lame is None and any(self._pending):
            out += self._resume()
            self._pending = _ZEROS * _EDGE + self._pending
        if self._lame is not None:
            tail = _ZEROS * self._zeros + self._pending
            out += self._counted(self._lame.encode(tail) if tail else b"")
            out += self._counted(self._lame.flush())
            self._lame = None
        else:
            # Ends in a silence: the frames one LAME run would have written for it.
            last = -(-self.in_frames // SAMPLES_PER_FRAME)
            out += _silent_frames(last - self._next_frame + 1)
            self._next_frame = last + 1
        self._pending = b""
        self._zeros = 0
        return bytes(out)


def _frame_bytes(third: int) -> int:
    """The length of a 64 kbit/s frame whose header's third byte is ``third``."""
    return INFO_FRAME_BYTES + ((third >> 1) & 1)


#: A frame of silence: no bits of audio data, no bit reservoir.
_SILENT_FRAME = _HEADER + bytes(INFO_FRAME_BYTES - len(_HEADER))


def _silent_frames(count: int) -> bytes:
    return _SILENT_FRAME * max(0, count)


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
