"""Audio at the listener's edges: WAV files in at 16 kHz mono, and the earcon out.

The recogniser wants 16 kHz mono 16-bit samples. A microphone is opened at that rate;
a WAV file (tests, benchmarks, ``GLUTEKIT_LISTEN_FILE``) is converted with miniaudio.
"""

from __future__ import annotations

import contextlib
import math
import struct
import threading
from pathlib import Path
from typing import Any

from glutekit.session import devices
from glutekit_listen.recogniser import RATE

#: miniaudio backend for the microphone and the earcon; the voice's stream reads it too.
ENV_BACKEND = devices.ENV_BACKEND


class AudioUnavailable(Exception):
    """miniaudio is missing, or no device opened; the message says which, in one line."""


def miniaudio_module() -> Any:
    try:
        return devices.miniaudio_module()
    except ImportError:
        raise AudioUnavailable("miniaudio is not installed") from None


def backends(miniaudio: Any) -> list[Any]:
    """The backend named by ``GLUTEKIT_AUDIO_BACKEND`` (e.g. null), else the real ones."""
    try:
        return devices.backends(miniaudio)
    except devices.UnknownBackend as exc:
        raise AudioUnavailable(str(exc)) from None


def read_wav(path: Path) -> bytes:
    """A WAV file's samples as 16 kHz mono little-endian int16.

    :raises ValueError: (``BadWav``) for a file that cannot be used, with the reason.
    """
    from glutekit_listen.wavread import WavStream

    stream = WavStream(path)
    try:
        return stream.read_all()
    finally:
        stream.close()


def earcon(rate: int = RATE, volume: float = 0.25) -> bytes:
    """Two short rising tones (about a quarter of a second): "heard you"."""
    out = bytearray()
    for frequency, seconds in ((660.0, 0.07), (990.0, 0.09)):
        count = round(rate * seconds)
        fade = round(rate * 0.01)
        for i in range(count):
            envelope = min(1.0, i / fade, (count - i) / fade)
            value = volume * envelope * math.sin(2 * math.pi * frequency * i / rate)
            out += struct.pack("<h", round(32767 * value))
        out += bytes(2 * round(rate * 0.02))
    return bytes(out)


class EarconPlayer:
    """A small playback device of its own that sounds the earcon when asked.

    :raises AudioUnavailable: when no playback device opens.
    """

    def __init__(self) -> None:
        miniaudio = miniaudio_module()
        self._sound = earcon()
        self._pending = bytearray()
        self._lock = threading.Lock()
        try:
            with devices.quiet_stderr():
                self._device = miniaudio.PlaybackDevice(
                    output_format=miniaudio.SampleFormat.SIGNED16,
                    nchannels=1,
                    sample_rate=RATE,
                    buffersize_msec=40,
                    backends=backends(miniaudio),
                    app_name="glutekit listener",
                )
            generator = self._blocks()
            next(generator)
            self._device.start(generator)
        except miniaudio.MiniaudioError as exc:
            raise AudioUnavailable(
                f"no audio device for the earcon ({devices.reason(exc)})"
            ) from None

    def play(self) -> None:
        with self._lock:
            self._pending += self._sound

    def close(self) -> None:
        for step in (self._device.stop, self._device.close):
            with contextlib.suppress(Exception):
                step()

    def _blocks(self) -> Any:
        frames: int = yield b""
        while True:
            wanted = 2 * frames
            with self._lock:
                block = bytes(self._pending[:wanted])
                del self._pending[:wanted]
            frames = yield block + bytes(wanted - len(block))
