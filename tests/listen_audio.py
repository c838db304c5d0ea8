"""Audio for measuring the listener: spoken commands in a second voice, the session's
own audio, room noise, and mixing them at a chosen signal-to-noise ratio.

Used by the listener's tests and by ``benchmarks/listen.py``.

- **Commands** are spoken by espeak-ng (its command-line program), a voice other than
  the coach's (Piper's Joe, or pyttsx3's espeak-ng voice with other settings).
- **Session audio** is the WAV export of a routine (``glutekit export -f wav``): the
  coach exactly as a session plays it.
- **Room noise** is brown noise (rumble), pink-ish noise (air, fans) and mains hum.
- **Echo**: at the microphone the coach's voice comes through the room: after the
  devices' delay, coloured and with reflections (:func:`room_echo`). The listener is
  handed the session audio itself as the sound being played (:class:`ArrayTap`), as
  a session's audio stream lends it, and has to learn that path to take it out.
- **SNR**: a command's speech power over the long-term power of everything else it is
  mixed into (session audio plus room noise). Room noise sits 15 dB under the session
  audio.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from glutekit_listen.audio import read_wav
from glutekit_listen.grammar import COMMANDS, Command
from glutekit_listen.recogniser import RATE

#: espeak-ng voices for the person giving commands (never the coach's settings).
COMMAND_VOICES = ("en-us+klatt", "en-us+klatt2", "en-us+klatt3", "en-us+klatt4", "en-us+f3")
#: Words per minute for the commands.
COMMAND_RATES = (140, 165, 190)
NOISE_BELOW_SESSION_DB = 15.0
#: Long-term level of the background (session audio and room noise) at the microphone,
#: in 16-bit units: about -47 dBFS, so a command 20 dB above it does not clip.
BACKGROUND_RMS = 150.0


def espeak() -> str | None:
    return shutil.which("espeak-ng")


def to_array(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32)


def to_pcm(samples: np.ndarray) -> bytes:
    return np.clip(np.round(samples), -32768, 32767).astype("<i2").tobytes()


def trim(samples: np.ndarray, floor: float = 100.0) -> np.ndarray:
    """Without the silence before and after the speech."""
    loud = np.flatnonzero(np.abs(samples) > floor)
    return samples[loud[0] : loud[-1] + 1] if loud.size else samples


def speak(text: str, voice: str, rate: int = 165) -> np.ndarray:
    """``text`` said by espeak-ng, as 16 kHz float samples without the silence around it."""
    program = espeak()
    assert program is not None, "espeak-ng is not installed"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "said.wav")
        subprocess.run(
            [program, "-v", voice, "-s", str(rate), "-w", str(path), text],
            check=True,
            capture_output=True,
        )
        return trim(to_array(read_wav(path)))


@dataclass(frozen=True)
class Spoken:
    command: Command
    voice: str
    rate: int
    samples: np.ndarray


def spoken_commands(
    voices: tuple[str, ...] = COMMAND_VOICES, rates: tuple[int, ...] = COMMAND_RATES
) -> list[Spoken]:
    """Every command in every voice at every rate."""
    return [
        Spoken(command, voice, rate, speak(f"coach, {command.words}", voice, rate))
        for voice in voices
        for rate in rates
        for command in COMMANDS
    ]


def room_noise(count: int, rng: np.random.Generator) -> np.ndarray:
    """Room noise with a long-term RMS of 1."""
    white = rng.standard_normal(count)
    brown = np.cumsum(white)
    brown -= np.convolve(brown, np.ones(1601) / 1601, mode="same")  # keep it a rumble, not drift
    pinkish = np.convolve(rng.standard_normal(count), np.ones(8) / 8, mode="same")
    t = np.arange(count) / RATE
    hum = sum(np.sin(2 * np.pi * f * t) / k for k, f in enumerate((50.0, 100.0, 150.0), 1))
    parts = [brown / _rms(brown), pinkish / _rms(pinkish), hum / _rms(hum)]
    noise = 0.5 * parts[0] + 0.4 * parts[1] + 0.1 * parts[2]
    return noise / _rms(noise)


def _rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) or 1.0


#: Seconds from the sample being played to its sound reaching the microphone, beyond
#: the room's own reflections (device buffers on both sides).
ECHO_DELAY = 0.08


def room_echo(session: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``session`` as a microphone across the room hears it from the loudspeaker: the
    devices' delay, a direct path, then reflections dying away (a room with a
    reverberation time of 0.3 s), at the same long-term level."""
    length = int(0.2 * RATE)
    t = np.arange(length) / RATE
    path = 0.3 * rng.standard_normal(length) * np.exp(-6.9 * t / 0.3)
    path[0] += 1.0
    path[1] += 0.4  # the loudspeaker's own colouring: a little low-pass
    path = np.concatenate([np.zeros(int(ECHO_DELAY * RATE)), path])
    heard = np.convolve(session, path)[: len(session)]
    return (heard * (_rms(session) / _rms(heard))).astype(np.float32)


def with_room_noise(session: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Session audio and room noise 15 dB under it, at the microphone's level."""
    level = _rms(session) * 10 ** (-NOISE_BELOW_SESSION_DB / 20)
    mixed = session + level * room_noise(len(session), rng)
    return mixed * (BACKGROUND_RMS / _rms(mixed))


def place(background: np.ndarray, command: np.ndarray, at: int, snr_db: float) -> tuple[int, int]:
    """Add ``command`` into ``background`` (made by :func:`with_room_noise`) at sample
    ``at``, ``snr_db`` above the background's level. Returns its (first, last) sample.
    """
    gain = BACKGROUND_RMS * 10 ** (snr_db / 20) / _rms(command)
    end = min(len(background), at + len(command))
    background[at:end] += gain * command[: end - at]
    return at, end


def session_audio(routine: str, folder: Path, env: dict[str, str] | None = None) -> np.ndarray:
    """A routine's whole spoken session, exported by glutekit in a fresh process."""
    path = folder / f"{routine}.wav"
    if not path.exists():
        subprocess.run(
            [sys.executable, "-m", "glutekit", "export", routine, "-f", "wav", "-o", str(path)],
            check=True,
            capture_output=True,
            env=env or dict(os.environ),
        )
    return to_array(read_wav(path))


def speaking_mask(
    session: np.ndarray, block: int = RATE // 10, floor_db: float = -45.0
) -> np.ndarray:
    """Per block of 100 ms: whether the coach is audible (what the audio stream knows)."""
    blocks = len(session) // block
    power = np.square(session[: blocks * block].reshape(blocks, block) / 32768.0).mean(axis=1)
    return 10 * np.log10(power + 1e-12) > floor_db


class ArraySource:
    """Hands a whole recording to the listener at once, in 100 ms blocks, as a
    microphone would hand them over one by one (everything after capture is the same).

    With ``played`` (what the loudspeakers played meanwhile, sample for sample), its
    :attr:`tap` lends that sound as a session's audio stream does.
    """

    what = "a recording"

    def __init__(self, samples: np.ndarray, played: np.ndarray | None = None) -> None:
        self.pcm = to_pcm(samples)
        self.blocks = 0
        self.sent = 0  # samples handed over, the block being handed over included
        self.tap = ArrayTap(self, played) if played is not None else None

    def start(self, sink: object) -> None:
        block = 2 * RATE // 10
        for offset in range(0, len(self.pcm), block):
            chunk = self.pcm[offset : offset + block]
            self.sent += len(chunk) // 2
            sink(chunk)  # type: ignore[operator]
            self.blocks += 1

    def stop(self) -> None:
        pass


class ArrayTap:
    """The sound played during an :class:`ArraySource`'s recording, lent like a
    session's audio stream (:class:`glutekit.interfaces.SoundTap`)."""

    rate = RATE

    def __init__(self, source: ArraySource, played: np.ndarray) -> None:
        self._source = source
        self._pcm = to_pcm(played)

    def heard_frame(self) -> int:
        return self._source.sent

    def played(self, start: int, count: int) -> bytes:
        first, last = max(0, start), max(0, min(start + count, len(self._pcm) // 2))
        before = bytes(2 * max(0, min(count, first - start)))
        body = self._pcm[2 * first : 2 * last] if last > first else b""
        return (before + body).ljust(2 * count, b"\0")[: 2 * count]


@dataclass(frozen=True, kw_only=True)
class Fed:
    """What :func:`feed_listener` saw: the commands obeyed and the CPU time it took."""

    acted: list[Any]
    cpu: float


def feed_listener(
    samples: np.ndarray,
    *,
    mask: np.ndarray | None = None,
    played: np.ndarray | None = None,
    tuning: Any = None,
    timeline: Any = None,
    timeout: float = 600.0,
) -> Fed:
    """The listener's worker, fed a recording block by block, as a session feeds it.

    :param mask: per 100 ms, whether the coach speaks (what a session tells the
        listener); None: not told.
    :param played: the sound the session played meanwhile, lent as a stream lends it.
    :param timeline: the session's cues, whose words the recogniser learns.
    """
    from glutekit_listen.listener import ListenInput

    from glutekit.interfaces import OutputOptions
    from glutekit.model import Timeline
    from glutekit.session.engine import Controls

    box: dict[str, ListenInput] = {}

    def speaking() -> bool | None:
        if mask is None:
            return None
        return bool(mask[min(int(box["listener"].seconds * 10), len(mask) - 1)])

    source = ArraySource(samples, played)
    options = OutputOptions(
        controls=Controls(), coach_speaking=speaking, coach_sound=lambda: source.tap
    )
    # The whole recording is handed over at once, far faster than life: nothing dropped.
    listener = ListenInput(options, source=source, tuning=tuning, earcon=False, max_behind=None)
    box["listener"] = listener
    began = time.process_time()
    listener.start(timeline or Timeline(routine_id="fed", title="fed", segments=()))
    finished = listener.wait_for_blocks(source.blocks, timeout=timeout)
    cpu = time.process_time() - began
    listener.close(None)
    if not finished:
        raise TimeoutError(f"the listener decoded {listener.blocks} of {source.blocks} blocks")
    return Fed(acted=list(listener.acted), cpu=cpu)
