"""Where the listener's audio comes from: the microphone, or a WAV file.

Both hand 100 ms blocks of 16 kHz mono int16 to the same ``sink`` from their own
thread, so everything after capture is the same code whichever is used.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from glutekit.session import devices
from glutekit_listen.audio import AudioUnavailable, backends, miniaudio_module
from glutekit_listen.recogniser import RATE
from glutekit_listen.wavread import BadWav, WavStream

Sink = Callable[[bytes], None]
BLOCK_SECONDS = 0.1
#: A recording is never read more than this far behind the session's clock.
MAX_LAG_SECONDS = 5.0


class Source(Protocol):
    #: What the audio is, for messages ("the microphone", "file x.wav").
    what: str

    def start(self, sink: Sink) -> None: ...

    def stop(self) -> None: ...


class Microphone:
    """The default capture device (miniaudio), opened at 16 kHz mono.

    :raises AudioUnavailable: when miniaudio is missing or no capture device opens.
    """

    what = "the microphone"

    def __init__(self) -> None:
        miniaudio = miniaudio_module()
        try:
            with devices.quiet_stderr():
                self._device = miniaudio.CaptureDevice(
                    input_format=miniaudio.SampleFormat.SIGNED16,
                    nchannels=1,
                    sample_rate=RATE,
                    buffersize_msec=round(1000 * BLOCK_SECONDS),
                    backends=backends(miniaudio),
                    app_name="glutekit listener",
                )
        except miniaudio.MiniaudioError as exc:
            raise AudioUnavailable(f"no microphone ({devices.reason(exc)})") from None
        self.backend = str(self._device.backend)

    def start(self, sink: Sink) -> None:
        def receive() -> Any:
            while True:
                block = yield
                sink(bytes(block))

        generator = receive()
        next(generator)
        self._device.start(generator)

    def stop(self) -> None:
        for step in (self._device.stop, self._device.close):
            with contextlib.suppress(Exception):
                step()


class WavFileSource:
    """Plays a WAV file into the listener as a microphone would, in real time.

    :param speed: how many seconds of audio per real second (the session's --speed).
    :param silence_after: what to do at the end of the file: keep sending silence (as
        a quiet room would) or stop.
    :param clock: seconds since the session began by the session's own clock (None
        until it begins). With it, the file is the room's recording from the session's
        start: each block goes out when the session's clock has passed its end, so a
        coach's voice recorded into the file lines up with the sound the session plays,
        however long the listener took to start (what fell before that is lost, as it
        would be from a microphone). Without it, the file starts when the listener does.
    """

    def __init__(
        self,
        path: Path,
        *,
        speed: float = 1.0,
        silence_after: bool = True,
        clock: Callable[[], float | None] | None = None,
    ) -> None:
        self.what = f"file {path}"
        try:
            # Checked now, read 100 ms at a time as the session goes (never whole).
            self._audio = WavStream(path)
        except BadWav as exc:
            raise AudioUnavailable(f"{path}: {exc}") from None
        self._speed = speed
        self._silence_after = silence_after
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: perf_counter() when each block was handed over, by its index in the file
        #: (the first is the one the session's clock had reached when listening began).
        self.sent_at: dict[int, float] = {}
        #: The index of the block to be handed over next.
        self.next_block = 0

    def start(self, sink: Sink) -> None:
        self._thread = threading.Thread(
            target=self._run, args=(sink,), name="glutekit-listen-file", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(1.0)
        if self._thread is None or not self._thread.is_alive():
            self._audio.close()

    def _run(self, sink: Sink) -> None:
        block = round(RATE * BLOCK_SECONDS)
        silence = bytes(2 * block)
        clock = self._clock if self._clock is not None else self._own_clock()
        index = None
        while not self._stop.is_set():
            now = clock()
            if now is None:  # the session has not begun
                self._stop.wait(0.005)
                continue
            if index is None:
                index = int(now / BLOCK_SECONDS)
            # Further behind than a listener keeps (a busy machine, a session played many
            # times faster than life): what lies between is skipped, as a microphone's
            # sound would be, rather than read in one burst.
            index = max(index, int((now - MAX_LAG_SECONDS) / BLOCK_SECONDS))
            due = (index + 1) * BLOCK_SECONDS
            if now < due:
                self._stop.wait(min(due - now, BLOCK_SECONDS) / self._speed)
                continue
            try:
                chunk = self._audio.read(index * block, block)
            except BadWav:
                chunk = b""  # the file changed under us: as at its end
            if not chunk:
                if not self._silence_after:
                    return
                chunk = silence
            self.sent_at[index] = time.perf_counter()
            index += 1
            self.next_block = index
            sink(chunk)

    def _own_clock(self) -> Callable[[], float]:
        began = time.perf_counter()
        return lambda: (time.perf_counter() - began) * self._speed
