"""MP3 encoding with lameenc, for the spoken export: frames for the file that
:mod:`glutekit_voice.mp3file` lays out (its Info frame and chapters).
"""

from __future__ import annotations

import os
import queue
import threading
from array import array
from collections import deque
from concurrent.futures import Future
from typing import Any

from glutekit.errors import GlutekitError
from glutekit_voice import mp3file, wavfile
from glutekit_voice.mp3file import KBPS, OUT_RATE, SAMPLES_PER_FRAME, silent_frames

MISSING_ENCODER = (
    "MP3 export needs lameenc, which is not installed: "
    "pip install lameenc (or 'glutekit[mp3]'), or export --format wav"
)
#: Bytes of one 576-sample frame of 16-bit input.
_GRANULE = 2 * SAMPLES_PER_FRAME
_ZEROS = bytes(_GRANULE)
#: Frames of digital silence LAME still encodes on each side of a silence it skips: a
#: margin around the sound (LAME's filter bank and transform reach under two frames).
_EDGE = 3
#: Frames of silence, between the edges, worth skipping: an encoder costs about as much
#: to start again as LAME spends on 40 frames of silence.
_SKIP_FROM = 40


#: Input bytes of runs no thread has taken yet, at most (about 24 s of sound): the
#: threads have work to go on with, and the caller waits rather than run far ahead.
AHEAD = 2**20
#: Input bytes of a run still open beyond which it is encoded as it comes, in the
#: caller's thread (a session under music never falls silent: it is one run).
LIVE_FROM = 2**20
#: Encoding threads at most, however many cores there are.
MAX_LANES = 8


class Mp3Encoder:
    """16-bit mono samples in, MP3 frames out, block by block.

    Long stretches of digital silence (the quiet of a hold) are not put through LAME:
    each of their frames is a silent frame written here, and LAME starts afresh after
    them. Every frame keeps its place, so the file has the frames one LAME run would
    give, plays the same length and sounds the same, for less encoding.

    The LAME runs between those silences do not depend on each other, so they are
    encoded side by side, on a thread per core. :meth:`encode` returns the bytes ready
    so far, in order, and :meth:`flush` the rest. Memory stays bounded: when more than
    :data:`AHEAD` bytes of input wait for a thread, :meth:`encode` waits too. Use it as
    a context manager (or call :meth:`close`) so that its threads end when an export
    stops early.
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
        #: The one LAME run of an encoder that does not skip silence.
        self._stream: Any = None if self._skips else self._new_lame()
        #: Input bytes short of a whole frame, kept for the next block.
        self._pending = b""
        #: Whole silent frames held back: a silence to skip, or not, once its end is seen.
        self._zeros = 0
        #: Index of the next whole input frame.
        self._granule = 0
        #: Index of the next frame to write (-1: the first frame holds the encoder delay).
        self._next_frame = -1
        #: Whether a LAME run is open, and the input frame it starts at.
        self._open = True
        self._run_begin = 0
        #: The open run's input not encoded yet, and the bytes of it encoded already
        #: (by :attr:`_live`, once the run is long enough to be encoded as it comes).
        self._run = _Chunks()
        self._run_fed = 0
        self._live: Any = None
        #: Whole frames the live run has written so far, and the start of the next.
        self._live_frames = 0
        self._live_part = b""
        #: The output in order: bytes, or runs being encoded.
        self._items: deque[bytes | Future[bytes]] = deque()
        self._lanes: list[threading.Thread] = []
        #: Whether no encoding thread could start (then runs are encoded in the caller).
        self._alone = False
        self._jobs: queue.SimpleQueue[tuple[bytes, int, Future[bytes]] | None] = queue.SimpleQueue()
        #: Input bytes of the runs no thread has taken yet, and whether the encoder was
        #: closed (both guarded by :attr:`_changed`).
        self._held = 0
        self._closed = False
        self._changed = threading.Condition()

    def __enter__(self) -> Mp3Encoder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
            return bytes(self._stream.encode(data))
        data = self._pending + data
        whole = len(data) - len(data) % _GRANULE
        self._pending = data[whole:]
        run = self._run
        view = memoryview(data)
        for start in range(0, whole, _GRANULE):
            frame = view[start : start + _GRANULE]
            if frame == _ZEROS:
                self._zeros += 1
                if self._open and self._zeros == 2 * _EDGE + _SKIP_FROM:
                    # A silence long enough: the run ends a few frames into it.
                    run.add(_ZEROS * _EDGE)
                    self._end_run()
            else:
                if not self._open:
                    self._start_run()
                elif self._zeros:
                    run.add(_ZEROS * self._zeros)
                self._zeros = 0
                run.add(frame)
            self._granule += 1
        if self._open and (self._live is not None or run.size >= LIVE_FROM):
            self._encode_live()
        self._wait_for_room()
        return self._ready()

    def flush(self) -> bytes:
        """The rest of the file, once every run is encoded; the threads end."""
        if not self._skips:
            return bytes(self._stream.flush())
        if not self._open and any(self._pending):
            self._start_run()
        if self._open:
            self._run.add(_ZEROS * self._zeros + self._pending)
            self._end_run()
        else:
            # Ends in a silence: the frames one LAME run would have written for it.
            last = -(-self.in_frames // SAMPLES_PER_FRAME)
            self._items.append(silent_frames(last - self._next_frame + 1))
            self._next_frame = last + 1
        self._pending = b""
        self._zeros = 0
        out = bytearray()
        try:
            for item in self._items:
                out += item.result() if isinstance(item, Future) else item
        finally:
            self._items.clear()
            self.close()
        return bytes(out)

    def close(self) -> None:
        """Drop the runs not encoded yet and end the threads (at once: a run takes
        milliseconds)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        for _ in self._lanes:
            self._jobs.put(None)
        for lane in self._lanes:
            lane.join()
        self._lanes.clear()

    @property
    def out_frames(self) -> int:
        """Samples of real audio in the output (before delay and padding)."""
        return self.in_frames * OUT_RATE // self.in_rate

    def _start_run(self) -> None:
        """Silent frames up to where a new run starts, a few frames before the sound
        that ends the silence; the run opens with those frames of silence."""
        begin = self._granule - _EDGE  # the new run's first input frame
        self._items.append(silent_frames(begin - 1 - self._next_frame))  # its first: begin - 1
        self._open = True
        self._run_begin = begin
        self._zeros = 0
        self._run.add(_ZEROS * _EDGE)

    def _end_run(self) -> None:
        """Close the open run: it writes a frame more on each side of its input's."""
        whole = -(-(self._run_fed + self._run.size) // _GRANULE)
        self._open = False
        if not whole:
            return  # given no samples at all: no frames
        frames = whole + 2
        self._next_frame = self._run_begin + whole + 1
        if self._live is not None:
            lame, self._live = self._live, None
            rest = bytes(lame.encode(self._run.take())) if self._run.size else b""
            out = rest + bytes(lame.flush())
            self._count_live(out)
            _check_frames(self._live_frames, frames, len(self._live_part))
            self._live_frames, self._live_part = 0, b""
            self._items.append(out)
        else:
            self._items.append(self._submit(self._run.take(), frames))
        self._run_fed = 0

    def _encode_live(self) -> None:
        if self._live is None:
            self._live = self._new_lame()
        self._run_fed += self._run.size
        out = bytes(self._live.encode(self._run.take()))
        self._count_live(out)
        self._items.append(out)

    def _count_live(self, out: bytes) -> None:
        """Count the live run's frames (LAME may hand out the start of one)."""
        data = self._live_part + out
        frames, used = mp3file.whole_frames(data)
        self._live_frames += frames
        self._live_part = data[used:]

    def _submit(self, pcm: bytes, frames: int) -> Future[bytes]:
        if not self._lanes and not self._alone:
            self._start_lanes()
        with self._changed:
            self._held += len(pcm)
        future: Future[bytes] = Future()
        if self._alone:  # no thread could start: encoded here, as it comes
            future.set_result(self._encode_run(pcm, frames))
        else:
            self._jobs.put((pcm, frames, future))
        return future

    def _start_lanes(self) -> None:
        for number in range(min(_cores(), MAX_LANES)):
            lane = threading.Thread(target=self._lane, name=f"glutekit-mp3-{number}", daemon=True)
            try:
                lane.start()
            except RuntimeError:  # the process may start no more threads
                break
            self._lanes.append(lane)
        self._alone = not self._lanes

    def _lane(self) -> None:
        while (job := self._jobs.get()) is not None:
            pcm, frames, future = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(self._encode_run(pcm, frames))
            except BaseException as exc:  # handed to the thread that writes the file
                future.set_exception(exc)

    def _encode_run(self, pcm: bytes, frames: int) -> bytes:
        with self._changed:
            self._held -= len(pcm)
            self._changed.notify_all()
            if self._closed:
                raise EncodingStopped
        lame = self._new_lame()
        out = (bytes(lame.encode(pcm)) if pcm else b"") + bytes(lame.flush())
        got, used = mp3file.whole_frames(out)
        _check_frames(got, frames, len(out) - used)
        return out

    def _wait_for_room(self) -> None:
        if self._held <= AHEAD:
            return
        with self._changed:
            self._changed.wait_for(lambda: self._held <= AHEAD or self._closed)

    def _ready(self) -> bytes:
        """The output ready so far, in order."""
        out = bytearray()
        items = self._items
        while items:
            item = items[0]
            if isinstance(item, Future):
                if not item.done():
                    break
                item = item.result()
            out += item
            items.popleft()
        return bytes(out)


def _cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class _Chunks:
    """Input gathered for LAME, joined once when it is taken (no copy as it grows)."""

    __slots__ = ("parts", "size")

    def __init__(self) -> None:
        self.parts: list[bytes | memoryview] = []
        self.size = 0

    def add(self, data: bytes | memoryview) -> None:
        self.parts.append(data)
        self.size += len(data)

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        self.size = 0
        return data


def _check_frames(got: int, due: int, left: int) -> None:
    """A run's frames must be as many as its input makes (and whole), or later frames
    would sit in the wrong place, and the chapters with them."""
    if got != due or left:
        raise RuntimeError(f"LAME wrote {got} MP3 frames where {due} were due")


class EncodingStopped(Exception):
    """The encoder was closed before this run was encoded."""
