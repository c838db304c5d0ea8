"""Players: play one WAV file, blocking until it ends or is cancelled.

The first that works of ``aplay`` (ALSA), ``paplay`` (PulseAudio/PipeWire),
``afplay`` (macOS) and ``winsound`` (Windows) is used. A short silent file is
played once up front, so a machine with a player program but no sound card is
found before the session starts, not during it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Protocol

from glutekit_voice import wavfile

#: Program name -> arguments before the file name.
COMMANDS: dict[str, list[str]] = {
    "aplay": ["-q"],
    "paplay": [],
    "afplay": [],
}
PROBE_TIMEOUT = 5.0
FIX_PLAYER = (
    "apt-get install alsa-utils (aplay) or pulseaudio-utils (paplay), or export the session "
    "with 'glutekit export ROUTINE --format wav' and play it on another device"
)


class PlaybackFailed(Exception):
    """A file could not be played."""


class NoAudioDevice(Exception):
    """No player works on this machine. ``fix`` says what to do."""

    def __init__(self, what: str, fix: str = FIX_PLAYER) -> None:
        super().__init__(what)
        self.what = what
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.what} (fix: {self.fix})"


class Player(Protocol):
    name: str

    def play(self, path: Path, cancel: threading.Event) -> None:
        """Play ``path``; return when it has finished or soon after ``cancel`` is set.

        :raises PlaybackFailed: when the audio could not be played.
        """
        ...


class CommandPlayer:
    """Plays each file with an external program (aplay, paplay, afplay)."""

    def __init__(self, program: str, args: list[str]) -> None:
        self.name = Path(program).name
        self._command = [program, *args]

    def play(self, path: Path, cancel: threading.Event) -> None:
        try:
            process = subprocess.Popen(
                [*self._command, str(path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        except OSError as exc:
            raise PlaybackFailed(f"{self.name}: {exc}") from None
        while process.poll() is None:
            if cancel.wait(0.01):
                process.terminate()
                process.wait()
                return
        error = process.stderr.read().decode(errors="replace") if process.stderr else ""
        if process.returncode != 0:
            first = (error.strip().splitlines() or [f"exit code {process.returncode}"])[0]
            if not first.startswith(f"{self.name}:"):
                first = f"{self.name}: {first}"
            raise PlaybackFailed(first)


class WinsoundPlayer:
    """Windows' built-in player; plays asynchronously so it can be cut short."""

    name = "winsound"

    def play(self, path: Path, cancel: threading.Event) -> None:
        if sys.platform != "win32":
            raise PlaybackFailed("winsound exists only on Windows")
        import winsound

        try:
            winsound.PlaySound(str(path), winsound.SND_FILENAME | winsound.SND_ASYNC)
        except RuntimeError as exc:
            raise PlaybackFailed(f"winsound: {exc}") from None
        if cancel.wait(wavfile.seconds(path)):
            winsound.PlaySound(None, winsound.SND_PURGE)


def candidates() -> list[Player]:
    """Players whose program exists here, in order of preference."""
    found: list[Player] = []
    for program, args in COMMANDS.items():
        where = shutil.which(program)
        if where:
            found.append(CommandPlayer(where, args))
    if sys.platform == "win32":
        found.append(WinsoundPlayer())
    return found


def find_player() -> Player:
    """The first player that can play a short silent file.

    :raises NoAudioDevice: naming what was tried and why each failed.
    """
    players = candidates()
    if not players:
        names = ", ".join(COMMANDS) + (", winsound" if sys.platform == "win32" else "")
        raise NoAudioDevice(f"no audio player found (looked for {names})")
    problems = []
    with tempfile.TemporaryDirectory(prefix="glutekit-probe-") as folder:
        probe = Path(folder) / "silence.wav"
        wavfile.write_mono16(probe, wavfile.silence(wavfile.RATE // 20))
        for player in players:
            problem = _probe(player, probe)
            if problem is None:
                return player
            problems.append(problem)
    raise NoAudioDevice("no audio device: " + "; ".join(problems))


def _probe(player: Player, probe: Path) -> str | None:
    """Why ``player`` cannot play ``probe`` (50 ms of silence), or None when it can."""
    # A player waiting for a sound server that never answers must not hang the run.
    gave_up = threading.Event()
    timer = threading.Timer(PROBE_TIMEOUT, gave_up.set)
    timer.start()
    try:
        player.play(probe, gave_up)
    except PlaybackFailed as exc:
        return str(exc)
    finally:
        timer.cancel()
    if gave_up.is_set():
        return f"{player.name}: no answer within {PROBE_TIMEOUT:g} s"
    return None
