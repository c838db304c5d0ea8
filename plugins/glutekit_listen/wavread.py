"""A listening WAV file, checked from its header and read a block at a time.

``GLUTEKIT_LISTEN_FILE`` may name anything: a named pipe, an empty or cut-short file, a
header that claims more audio than the file holds, a sample rate of 0 or 1 Hz, or a
recording of hours. Each is refused with its reason before the session starts, and a
good file is never read whole: the listener asks for 100 ms at a time, converted to
16 kHz mono as it goes, so memory stays small whatever the file's size.
"""

from __future__ import annotations

import os
import stat
import struct
from pathlib import Path

from glutekit_listen.recogniser import RATE

#: The largest listening file, and the longest recording it may hold.
MAX_BYTES = 1024**3
MAX_SECONDS = 4 * 3600
#: Sample rates a recording may have (telephone quality to studio quality).
MIN_RATE = 8_000
MAX_RATE = 192_000
MAX_CHANNELS = 8
#: Files at another rate are converted this many output frames at a time (10 s).
_CHUNK = 10 * RATE
#: Source audio read either side of a chunk, so its edges convert without a seam.
_PAD_SECONDS = 0.05


class BadWav(ValueError):
    """The file cannot be used; the message is the reason, without the file's name."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a directory, not a WAV file"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    return "is not a regular file"


class WavStream:
    """An open 16-bit PCM WAV file whose audio is read as 16 kHz mono on request.

    :raises BadWav: for anything that is not a WAV file this can play, with the reason.
    """

    def __init__(self, path: Path) -> None:
        try:
            info = os.stat(path)
        except FileNotFoundError:
            raise BadWav("no such file") from None
        except OSError as exc:
            raise BadWav(f"cannot read it: {exc.strerror or exc}") from None
        if not stat.S_ISREG(info.st_mode):
            raise BadWav(_kind(info.st_mode))
        try:
            # O_NONBLOCK: a file swapped for a named pipe since the stat does not hang.
            self._fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError as exc:
            raise BadWav(f"cannot read it: {exc.strerror or exc}") from None
        try:
            info = os.fstat(self._fd)
            if not stat.S_ISREG(info.st_mode):
                raise BadWav(_kind(info.st_mode))
            self._parse(info.st_size)
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ header

    def _read_at(self, offset: int, count: int) -> bytes:
        try:
            return os.pread(self._fd, count, offset)
        except OSError as exc:
            raise BadWav(f"cannot read it: {exc.strerror or exc}") from None

    def _parse(self, size: int) -> None:
        if size == 0:
            raise BadWav("the file is empty (expected a WAV file)")
        if size > MAX_BYTES:
            raise BadWav(f"the file is {size:,} bytes; the limit is {MAX_BYTES:,} bytes (1 GiB)")
        head = self._read_at(0, 12)
        if len(head) < 12:
            raise BadWav(f"not a WAV file: it is only {size} bytes long, shorter than a header")
        if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            raise BadWav("not a WAV file (it does not begin with RIFF…WAVE)")
        offset = 12
        fmt: bytes | None = None
        while True:
            chunk = self._read_at(offset, 8)
            if len(chunk) < 8:
                if fmt is None:
                    raise BadWav("the WAV file is cut short: it has no format chunk")
                raise BadWav("the WAV file is cut short: it has no data chunk")
            name, length = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            offset += 8
            if name == b"fmt ":
                fmt = self._read_at(offset, min(length, 40))
                if len(fmt) < 16:
                    raise BadWav("the WAV file is cut short inside its format chunk")
            elif name == b"data":
                if fmt is None:
                    raise BadWav("the WAV file's data comes before its format chunk")
                self._check_format(fmt)
                self._check_data(offset, length, size)
                return
            offset += length + (length & 1)

    def _check_format(self, fmt: bytes) -> None:
        tag, channels, rate, _, align, bits = struct.unpack("<HHIIHH", fmt[:16])
        if tag == 0xFFFE and len(fmt) >= 40:  # WAVE_FORMAT_EXTENSIBLE: the real tag follows
            tag = struct.unpack("<H", fmt[24:26])[0]
        if tag != 1:
            what = "floating-point samples" if tag == 3 else f"audio in format {tag}"
            raise BadWav(f"the WAV file holds {what}; expected 16-bit PCM")
        if bits != 16:
            raise BadWav(f"the WAV file has {bits}-bit samples; expected 16-bit PCM")
        if not 1 <= channels <= MAX_CHANNELS:
            raise BadWav(f"the WAV file has {channels} channels; expected 1 to {MAX_CHANNELS}")
        if not MIN_RATE <= rate <= MAX_RATE:
            raise BadWav(
                f"the WAV file's sample rate is {rate:,} Hz; expected {MIN_RATE:,} to "
                f"{MAX_RATE:,} Hz"
            )
        if align != 2 * channels:
            raise BadWav(
                f"the WAV file says {align} bytes per frame, which does not match "
                f"{channels} channel(s) of 16-bit samples"
            )
        self.channels = channels
        self.rate = rate
        self._align = align

    def _check_data(self, offset: int, length: int, size: int) -> None:
        held = max(0, size - offset)
        if length > held:
            raise BadWav(
                f"the WAV file is cut short: its header promises "
                f"{_duration(length / self._align / self.rate)} of audio, but the file "
                f"holds {_duration(held / self._align / self.rate)}"
            )
        self._data = offset
        self.frames = length // self._align
        if self.frames == 0:
            raise BadWav("the WAV file holds no audio (0 frames)")
        if self.frames / self.rate > MAX_SECONDS:
            raise BadWav(
                f"the WAV file holds {_duration(self.frames / self.rate)} of audio; "
                f"the limit is {MAX_SECONDS // 3600} h"
            )
        #: Frames once converted to 16 kHz.
        self.out_frames = self.frames * RATE // self.rate
        self._chunk: tuple[int, bytes] | None = None

    # ------------------------------------------------------------------ audio

    def _source(self, start: int, count: int) -> bytes:
        start = max(0, start)
        count = max(0, min(count, self.frames - start))
        return self._read_at(self._data + start * self._align, count * self._align)

    def read(self, start: int, count: int) -> bytes:
        """``count`` frames at 16 kHz mono 16-bit from output frame ``start`` (fewer at the end)."""
        count = max(0, min(count, self.out_frames - start))
        if count == 0:
            return b""
        if self.channels == 1 and self.rate == RATE:
            return self._source(start, count)
        out = bytearray()
        while count > 0:
            index, offset = divmod(start, _CHUNK)
            chunk = self._converted(index)
            piece = chunk[2 * offset : 2 * (offset + count)]
            if not piece:
                break
            out += piece
            start += len(piece) // 2
            count -= len(piece) // 2
        return bytes(out)

    def _converted(self, index: int) -> bytes:
        if self._chunk is not None and self._chunk[0] == index:
            return self._chunk[1]
        from glutekit_listen.audio import miniaudio_module

        miniaudio = miniaudio_module()
        first = index * _CHUNK * self.rate // RATE
        last = min(self.frames, (index + 1) * _CHUNK * self.rate // RATE)
        pad = round(_PAD_SECONDS * self.rate)
        lead = min(pad, first)
        raw = self._source(first - lead, (last - first) + lead + pad)
        signed16 = miniaudio.SampleFormat.SIGNED16
        converted = bytes(
            miniaudio.convert_frames(signed16, self.channels, self.rate, raw, signed16, 1, RATE)
        )
        skip = 2 * (lead * RATE // self.rate)
        wanted = 2 * min(_CHUNK, self.out_frames - index * _CHUNK)
        data = converted[skip : skip + wanted]
        self._chunk = (index, data)
        return data

    def read_all(self) -> bytes:
        return self.read(0, self.out_frames)

    def close(self) -> None:
        fd, self._fd = getattr(self, "_fd", -1), -1
        if fd >= 0:
            os.close(fd)


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 60:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:.1f} s"
