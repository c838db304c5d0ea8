"""One audio stream for the whole session (miniaudio), fed by the same mixer as the export.

The device asks for a block of samples every period (25 ms); each block is mixed from the
session's schedule right then, so a cue starts at its exact sample and the only
look-ahead is the device's own buffer (a few tens of milliseconds). Pause, resume and
skip are applied at the next block boundary, at the sample that matches the engine's
clock reading when the user pressed the key.

The stream also is the session's clock (:class:`glutekit.session.clock.AudioClock`): time is
the count of samples played, so what is shown and what is heard agree. miniaudio's
``null`` backend (``GLUTEKIT_AUDIO_BACKEND=null``) consumes the stream in real time
with no sound card; tests and benchmarks play real sessions through it.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Generator
from typing import Any, Literal

from glutekit.model import Cue
from glutekit.model.records import record
from glutekit.session import devices
from glutekit.session.clock import AudioClock
from glutekit_voice import wavfile
from glutekit_voice.mixer import Playhead, Schedule, Started

ENV_BACKEND = devices.ENV_BACKEND
#: The device asks for 25 ms at a time and holds four such periods (100 ms): enough
#: to ride out a busy machine, short enough that a pause is heard within 150 ms.
PERIOD_MS = 25
PERIODS = 4
#: Seconds of played sound kept for :meth:`AudioStream.played` (a listener's echo
#: reference).
KEEP_SECONDS = 5

Change = Literal["seek", "pause", "hold", "release"]
_TOLERANCE = 0.002


class NoAudioDevice(Exception):
    """The stream could not open a device; ``what`` says why, in one line."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


@record(frozen=True, kw_only=True)
class Applied:
    """A pause or a jump as the stream carried it out (for latency measurements)."""

    kind: Change
    #: Stream frame of the first block that has it.
    frame: int
    #: :func:`time.perf_counter` when that block was mixed, and when it is heard.
    mixed: float
    heard: float
    #: For a seek: the stream frame at which session time 0 falls from here on.
    origin: float = 0.0


def _backends(miniaudio: Any, wanted: str | None) -> list[Any]:
    try:
        return devices.backends(miniaudio, wanted)
    except devices.UnknownBackend as exc:
        raise NoAudioDevice(str(exc)) from None


class AudioStream:
    """A playback device that plays a :class:`Schedule` and tells the time by its samples.

    :raises NoAudioDevice: when miniaudio is missing or no device opens.
    """

    def __init__(
        self, *, rate: int = wavfile.RATE, speed: float = 1.0, backend: str | None = None
    ) -> None:
        try:
            miniaudio = devices.miniaudio_module()
        except ImportError:
            raise NoAudioDevice("miniaudio is not installed") from None
        self.rate = rate
        self.speed = speed
        self.period_frames = rate * PERIOD_MS // 1000
        wanted = backend if backend is not None else os.environ.get(ENV_BACKEND) or None
        self._device = _open_device(miniaudio, rate, _backends(miniaudio, wanted))
        self.backend = str(self._device.backend)
        null = self.backend.lower() == "null"
        #: Frames between the one being mixed and the one being heard.
        self.latency_frames = 0 if null else (PERIODS - 1) * self.period_frames
        #: Frames handed to the device so far.
        self.frames = 0
        self._anchor = (0, time.perf_counter())
        self._lock = threading.Lock()
        self._playhead: Playhead | None = None
        self._paused = True
        self._pending: list[tuple[Change, float, float]] = []
        self.applied: list[Applied] = []
        self.underruns = 0
        self.started_at: float | None = None
        self._last_callback: float | None = None
        self.clock = AudioClock(lambda: self._anchor, rate, speed)
        self._kept = bytearray(2 * rate * KEEP_SECONDS)  # a ring: frame f at f % size
        generator = self._blocks()
        next(generator)
        self._device.start(generator)

    # ------------------------------------------------------------------ control

    def load(self, schedule: Schedule) -> None:
        """What to play; it starts at the first :meth:`seek` (the session's start)."""
        with self._lock:
            self._playhead = Playhead(schedule, self.speed)

    def extend(self, schedule: Schedule) -> None:
        """More of the session to play: ``schedule`` starts with the loaded one's clips."""
        with self._lock:
            if self._playhead is None:
                self._playhead = Playhead(schedule, self.speed)
            else:
                self._playhead.extend(schedule)

    def seek(self, at: float, clock: float) -> None:
        """Play from session second ``at``, which the session clock reached at ``clock``."""
        with self._lock:
            self._pending.append(("seek", at, clock))

    def pause(self, at: float, clock: float) -> None:
        with self._lock:
            self._pending.append(("pause", at, clock))

    def hold(self, at: float, clock: float) -> None:
        """The session waits at session second ``at`` for its speech: play what sounds
        to its end, start nothing from ``at`` on."""
        with self._lock:
            self._pending.append(("hold", at, clock))

    def release(self, at: float, clock: float) -> None:
        """The session goes on from ``at`` (reached when its clock read ``clock``) after
        :meth:`hold`, without cutting or starting again what already sounded."""
        with self._lock:
            self._pending.append(("release", at, clock))

    @property
    def started(self) -> list[Started]:
        """Every clip that began to sound, with its stream frame."""
        with self._lock:
            return list(self._playhead.started) if self._playhead else []

    def playing_at(self, frame: int) -> list[Cue]:
        """The cues sounding at stream frame ``frame``."""
        with self._lock:
            return self._playhead.playing_at(frame) if self._playhead else []

    def heard_frame(self) -> int:
        """The stream frame being heard now."""
        return round(self.clock.now() / self.speed * self.rate)

    def played(self, start: int, count: int) -> bytes:
        """Stream frames ``start`` to ``start + count`` as 16-bit little-endian mono:
        what was sent to the device (silence for frames not kept or not yet mixed)."""
        size = len(self._kept) // 2
        out = bytearray(2 * max(0, count))
        with self._lock:
            first = max(start, self.frames - size, 0)
            last = min(start + count, self.frames)
            frame = first
            while frame < last:
                at = frame % size
                run = min(last - frame, size - at)
                offset = frame - start
                out[2 * offset : 2 * (offset + run)] = self._kept[2 * at : 2 * (at + run)]
                frame += run
        return bytes(out)

    def finished(self) -> bool:
        with self._lock:
            return self._playhead is None or self._paused or self._playhead.finished

    def wait_until_finished(self, timeout: float) -> bool:
        give_up = time.perf_counter() + timeout
        while not self.finished():
            if time.perf_counter() > give_up:
                return False
            time.sleep(0.02)
        # Let the device play out what it holds.
        time.sleep(PERIODS * PERIOD_MS / 1000)
        return True

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._device.stop()
        with contextlib.suppress(Exception):
            self._device.close()

    # ------------------------------------------------------------------ device thread

    def _blocks(self) -> Generator[bytes, int, None]:
        required: int = yield b""
        while True:
            now = time.perf_counter()
            self._count_underrun(now)
            with self._lock:
                block = self._mix(required, now)
                data = wavfile.little_endian(block)
                self._keep(data)
                self.frames += required
            heard = max(0, self.frames - required - self.latency_frames)
            self._anchor = (heard, now)
            required = yield data

    def _keep(self, data: bytes) -> None:
        """Keep the block about to be played (frames from ``self.frames`` on)."""
        size = len(self._kept)
        end = 2 * self.frames + len(data)
        data = data[-size:]
        at = (end - len(data)) % size
        first = min(len(data), size - at)
        self._kept[at : at + first] = data[:first]
        self._kept[: len(data) - first] = data[first:]

    def _count_underrun(self, now: float) -> None:
        if self.started_at is None:
            self.started_at = now
        elif (
            self._last_callback is not None
            and now - self._last_callback > PERIODS * PERIOD_MS / 1000
            and self._playhead is not None
            and not self._paused
        ):
            # The device holds PERIODS periods; a longer gap means it ran dry. Only
            # while the session plays: a gap in the silence before it or during a
            # pause is not heard.
            self.underruns += 1
        self._last_callback = now

    def _mix(self, count: int, now: float) -> Any:
        playhead = self._playhead
        if playhead is not None:
            for change, at, clock in self._pending:
                self._apply(playhead, change, at, clock, now)
        self._pending.clear()
        if playhead is None or self._paused:
            return wavfile.silence(count)
        return playhead.read(count, self.frames)

    def _apply(
        self, playhead: Playhead, change: Change, at: float, clock: float, now: float
    ) -> None:
        origin = 0.0
        if change == "pause":
            self._paused = True
            playhead.flush(self.frames)
        elif change == "hold":
            playhead.hold(at * self.rate)
            self._paused = False
        elif change == "release":
            event_frame = clock / self.speed * self.rate
            position = at * self.rate + (self.frames - event_frame) * self.speed
            playhead.release(position, (at - _TOLERANCE) * self.rate, frame=self.frames)
            self._paused = False
            origin = event_frame - at * self.rate / self.speed
        else:
            # The frame that was being heard when the clock read ``clock``; the block
            # starting at self.frames is that much further into the session.
            event_frame = clock / self.speed * self.rate
            position = at * self.rate + (self.frames - event_frame) * self.speed
            # The engine reads its clock a hair after the segment's start; a cue due
            # in those microseconds is still to come.
            playhead.seek(position, first=(at - _TOLERANCE) * self.rate, frame=self.frames)
            self._paused = False
            origin = event_frame - at * self.rate / self.speed
        heard = now + self.latency_frames / self.rate
        self.applied.append(
            Applied(kind=change, frame=self.frames, mixed=now, heard=heard, origin=origin)
        )


def _open_device(miniaudio: Any, rate: int, backends: list[Any]) -> Any:
    """The playback device, its thread at real-time priority where the system allows it.

    :raises NoAudioDevice: when no device opens.
    """
    problem: Exception | None = None
    for priority in (miniaudio.ThreadPriority.REALTIME, miniaudio.ThreadPriority.HIGHEST):
        try:
            with devices.quiet_stderr():
                return miniaudio.PlaybackDevice(
                    output_format=miniaudio.SampleFormat.SIGNED16,
                    nchannels=1,
                    sample_rate=rate,
                    buffersize_msec=PERIOD_MS,
                    callback_periods=PERIODS,
                    backends=backends,
                    thread_prio=priority,
                    app_name="glutekit",
                )
        except miniaudio.MiniaudioError as exc:
            problem = exc
    assert problem is not None
    raise NoAudioDevice(f"no audio device ({devices.reason(problem)})")
