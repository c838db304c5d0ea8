"""Fault injection: full disks, read-only folders, locks, damaged files, killed exports.

Each test breaks something for real (a tmpfs that fills up, a folder remounted
read-only, a process that holds a lock, a signal in the middle of a write) and runs
the real command line against it.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from glutekit.history.db import HistoryDB
from tests.conftest import run_glutekit
from tests.faults import fill, remount_read_only, small_disk

RUN = ["run", "quick-five", "--speed", "1000", "--no-voice"]


def _one_error_line(stderr: str, needle: str) -> None:
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if needle in line]
    assert len(lines) == 1, stderr


def _record_one_session(data: Path) -> None:
    done = run_glutekit(*RUN, env={"GLUTEKIT_DATA_DIR": str(data)})
    assert done.returncode == 0, done.stderr


def _leftovers(data: Path) -> list[str]:
    return sorted(p.name for p in data.iterdir() if ".corrupt-" in p.name)


def test_full_disk_keeps_the_history(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "2m") as disk:
        data = disk / "data"
        _record_one_session(data)
        filler = fill(disk)
        env = {"GLUTEKIT_DATA_DIR": str(data)}
        for _ in range(2):
            shown = run_glutekit("history", env=env)
            assert shown.returncode in (0, 1), shown.stderr
            assert "No sessions recorded yet" not in shown.stdout
            if shown.returncode == 1:
                _one_error_line(shown.stderr, "is full")
            ran = run_glutekit(*RUN, env=env)
            assert ran.returncode == 0, ran.stderr
            assert "Traceback" not in ran.stderr
        assert _leftovers(data) == []
        filler.unlink()
        after = run_glutekit("history", "--json", env=env)
        assert after.returncode == 0, after.stderr
        assert '"routine": "quick-five"' in after.stdout
        assert _leftovers(data) == []


def test_full_disk_on_a_fresh_wal_is_reported_not_moved(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "2m") as disk:
        data = disk / "data"
        _record_one_session(data)
        for extra in ("-wal", "-shm"):
            Path(f"{data / 'history.sqlite3'}{extra}").unlink(missing_ok=True)
        fill(disk)
        shown = run_glutekit("history", env={"GLUTEKIT_DATA_DIR": str(data)})
        assert shown.returncode == 1, shown.stdout + shown.stderr
        _one_error_line(shown.stderr, "is full; free some space")
        assert str(data / "history.sqlite3") in shown.stderr
        assert _leftovers(data) == []


def test_read_only_folder_keeps_the_history(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "4m") as disk:
        data = disk / "data"
        _record_one_session(data)
        remount_read_only(disk)
        env = {"GLUTEKIT_DATA_DIR": str(data)}
        ran = run_glutekit(*RUN, env=env)
        assert ran.returncode == 0, ran.stderr
        _one_error_line(ran.stderr, "this session will not be recorded")
        assert "read-only" in ran.stderr
        shown = run_glutekit("history", env=env)
        assert "Traceback" not in shown.stderr
        assert "No sessions recorded yet" not in shown.stdout
        assert _leftovers(data) == []


def test_missing_column_is_its_own_message(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _record_one_session(data)
    conn = sqlite3.connect(data / "history.sqlite3")
    conn.execute("ALTER TABLE sessions DROP COLUMN process")
    conn.commit()
    conn.close()
    shown = run_glutekit("history", env={"GLUTEKIT_DATA_DIR": str(data)})
    assert shown.returncode == 1
    _one_error_line(shown.stderr, "does not have the tables this glutekit expects")
    assert _leftovers(data) == []
    assert (data / "history.sqlite3").exists()


def test_real_damage_is_still_moved_aside_with_its_path(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _record_one_session(data)
    HistoryDB.open(data / "history.sqlite3").close()
    with open(data / "history.sqlite3", "r+b") as handle:
        handle.write(b"junk" * 64)
    shown = run_glutekit("history", env={"GLUTEKIT_DATA_DIR": str(data)})
    assert shown.returncode == 1
    moved = _leftovers(data)
    assert len(moved) == 1
    _one_error_line(shown.stderr, f"moved to {data / moved[0]}")


# ----------------------------------------------------------------- the voice cache


def _wav(path: Path, *, frames: int, width: int = 2, channels: int = 1, rate: int = 22050) -> None:
    import wave

    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(channels)
        handle.setsampwidth(width)
        handle.setframerate(rate)
        handle.writeframes(bytes(range(256)) * (frames * width * channels // 256))


def _claim_one_hour(path: Path) -> None:
    import struct

    data = bytearray(path.read_bytes())
    data[40:44] = struct.pack("<I", 3600 * 22050 * 2)
    data[4:8] = struct.pack("<I", 36 + 3600 * 22050 * 2)
    path.write_bytes(bytes(data))


def _flip_audio(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for i in range(100, len(data), 97):
        data[i] ^= 0x55
    path.write_bytes(bytes(data))


def _replace(path: Path, make: Callable[[Path], None]) -> None:
    path.unlink()
    make(path)


OUTSIDE = "outside.wav"

#: Each kind of damage seen in the voice cache, as a function of the cached WAV's path.
DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated-to-header": lambda p: p.write_bytes(p.read_bytes()[:44]),
    "half-truncated": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "header-claims-an-hour": _claim_one_hour,
    "32-bit": lambda p: _replace(p, lambda q: _wav(q, frames=22050, width=4)),
    "stereo": lambda p: _replace(p, lambda q: _wav(q, frames=22050, channels=2)),
    "wrong-rate": lambda p: _replace(p, lambda q: _wav(q, frames=22050, rate=44100)),
    "empty-file": lambda p: p.write_bytes(b""),
    "garbage": lambda p: p.write_bytes(os.urandom(30_000)),
    "flipped-audio-bytes": _flip_audio,
    "another-cues-audio": lambda p: _replace(p, lambda q: _wav(q, frames=11025)),
    "no-checksum": lambda p: p.with_suffix(".sha256").unlink(),
    "garbage-checksum": lambda p: p.with_suffix(".sha256").write_text("not a digest"),
    "folder": lambda p: _replace(p, lambda q: (q.mkdir(), (q / "x").write_text("x"))),
    "symlink": lambda p: _replace(p, lambda q: q.symlink_to(q.parent.parent / OUTSIDE)),
    "dangling-symlink": lambda p: _replace(p, lambda q: q.symlink_to(q.parent / "gone.wav")),
    "fifo": lambda p: _replace(p, lambda q: os.mkfifo(q)),
}


@pytest.fixture(scope="module")
def clean_cue(tmp_path_factory: pytest.TempPathFactory) -> tuple[float, bytes]:
    from glutekit_voice.render import CueRenderer
    from glutekit_voice.settings import VoiceSettings

    cache = tmp_path_factory.mktemp("clean") / "voice"
    cue = CueRenderer(VoiceSettings(backend="espeak-ng"), cache_dir=cache).render(CUE_TEXT)
    return cue.seconds, cue.path.read_bytes()


CUE_TEXT = "Hold the stretch and breathe slowly."


def test_a_cue_another_process_is_storing_is_waited_for_not_called_damaged(
    tmp_path: Path, clean_cue: tuple[float, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two glutekit processes sharing a voice cache may render the same cue: one moves its
    WAV into place, then writes the checksum. The other, checking the cue in between,
    waits for the checksum instead of rendering the cue again with a warning."""
    from glutekit_voice import cachecheck

    wav = tmp_path / "cue.wav"
    wav.write_bytes(clean_cue[1])  # just moved into place
    # The wait ends as soon as the checksum is there: a long limit costs nothing, and a
    # busy machine that is slow to start the writer does not fail the test.
    monkeypatch.setattr(cachecheck, "SETTLING_SECONDS", 60.0)
    writer = threading.Timer(0.1, cachecheck.write_checksum, args=(wav,))
    writer.start()
    began = time.monotonic()
    try:
        assert cachecheck.problem(wav) is None
    finally:
        writer.join()
    assert time.monotonic() - began < 30
    # When no checksum comes, it is damage after the wait; once per file in a process.
    monkeypatch.setattr(cachecheck, "SETTLING_SECONDS", 0.3)
    other = tmp_path / "other.wav"
    other.write_bytes(clean_cue[1])
    began = time.monotonic()
    assert cachecheck.problem(other) == "has no checksum"
    assert 0.3 <= time.monotonic() - began < 30
    began = time.monotonic()
    assert cachecheck.problem(other) == "has no checksum"
    assert time.monotonic() - began < 0.3


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_cache_file_is_rendered_again_with_one_warning(
    damage: str, tmp_path: Path, clean_cue: tuple[float, bytes]
) -> None:
    from glutekit_voice.cachecheck import problem
    from glutekit_voice.render import CueRenderer
    from glutekit_voice.settings import VoiceSettings

    cache = tmp_path / "voice"
    outside = tmp_path / OUTSIDE
    _wav(outside, frames=22050)
    kept = outside.read_bytes()
    warnings: list[str] = []

    def renderer() -> CueRenderer:
        settings = VoiceSettings(backend="espeak-ng")
        return CueRenderer(settings, cache_dir=cache, warn=warnings.append)

    first = renderer().render(CUE_TEXT)
    assert problem(first.path) is None and warnings == []
    DAMAGE[damage](first.path)
    assert problem(first.path) not in (None, "missing")

    again = renderer().render_all([CUE_TEXT, CUE_TEXT])[CUE_TEXT]
    assert len(warnings) == 1, warnings
    assert first.path.name in warnings[0] and str(cache) in warnings[0]
    assert problem(again.path) is None
    assert again.seconds == pytest.approx(clean_cue[0], abs=0.01)
    assert again.path.read_bytes() == clean_cue[1]
    assert outside.read_bytes() == kept  # a symlink's target is never written through

    renderer().render_all([CUE_TEXT])
    assert len(warnings) == 1  # verified now: no second warning


#: A routine with as many distinct cues as there are kinds of damage, and few more: the
#: test renders each one twice with the real voice (once clean, once after the damage).
#: Eight lines, the safety line and the closing line: ten cues.
SHORT_EXPORT = {
    "id": "damage-me",
    "title": "Damage me",
    "steps": [
        {"say": line}
        for line in (
            "A short routine to damage.",
            "Lie on your back.",
            "Bend both knees.",
            "Rest your arms by your sides.",
            "Breathe in slowly.",
            "Breathe out slowly.",
            "Let your back soften.",
            "Stay here a moment.",
        )
    ],
}


@pytest.mark.own_voice_cache
def test_every_damaged_cue_is_rendered_again_before_a_wav_export(tmp_path: Path) -> None:
    import json
    import wave

    routine = tmp_path / "damage-me.json"
    routine.write_text(json.dumps(SHORT_EXPORT))
    out = tmp_path / "a.wav"
    first = run_glutekit("export", str(routine), "-f", "wav", "-o", str(out))
    assert first.returncode == 0, first.stderr
    with wave.open(str(out)) as handle:
        clean = handle.getnframes()
    cached = sorted((Path(os.environ["XDG_CACHE_HOME"]) / "glutekit" / "voice").glob("*.wav"))
    kinds = list(DAMAGE)[:9]
    assert len(cached) >= len(kinds)  # every kind of damage is met
    for i, path in enumerate(cached):
        DAMAGE[kinds[i % len(kinds)]](path)
    again = run_glutekit("export", str(routine), "-f", "wav", "-o", str(out))
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stderr
    warnings = [line for line in again.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1, again.stderr
    assert f"{len(cached)} file(s) in the voice cache" in again.stderr
    with wave.open(str(out)) as handle:
        # The same session: each cue rendered again, none lost. Piper draws random noise,
        # so a line rendered again may be a few hundredths of a second longer or shorter
        # (the session is mostly speech: 0.3 s over ten cues was seen); a cue lost or
        # cut would be a second or more.
        assert abs(handle.getnframes() - clean) < 0.06 * len(cached) * handle.getframerate()


@pytest.mark.own_voice_cache
def test_an_unwritable_voice_cache_is_one_line(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "1m") as disk:
        remount_read_only(disk)
        env = {"XDG_CACHE_HOME": str(disk / "cache")}
        for args in (
            ["export", "quick-five", "-f", "wav", "-o", str(tmp_path / "a.wav")],
            ["transcript", "quick-five", "--spoken"],
        ):
            done = run_glutekit(*args, env=env)
            assert done.returncode == 1, done.stdout + done.stderr
            assert "Traceback" not in done.stderr and "internal error" not in done.stderr
            _one_error_line(done.stderr, f"cannot write the voice cache {disk / 'cache'}")
        assert not (tmp_path / "a.wav").exists()


@pytest.mark.own_voice_cache
def test_a_voice_cache_on_a_full_disk_is_one_line(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "1m") as disk:
        (disk / "cache").mkdir()
        fill(disk)
        env = {"XDG_CACHE_HOME": str(disk / "cache")}
        for backend in ("pyttsx3", "espeak-ng"):
            done = run_glutekit(
                "export", "quick-five", "-f", "wav", "--voice-backend", backend,
                "-o", str(tmp_path / "a.wav"), env=env,
            )  # fmt: skip
            assert done.returncode == 1, done.stdout + done.stderr
            assert "Traceback" not in done.stderr, done.stderr
            _one_error_line(done.stderr, "the disk is full")


# ----------------------------------------------------------------- killed exports


def _temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def _kill_export(out: Path, fmt: str, sig: int, delay: float | None) -> int:
    """Start an export over ``out``; signal it after ``delay`` s, or when its temp file appears."""
    import subprocess
    import sys
    import time

    proc = subprocess.Popen(
        [sys.executable, "-m", "glutekit", "export", "max-stretch", "-f", fmt, "-o", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    give_up = time.monotonic() + 60
    started = time.monotonic()
    while proc.poll() is None and time.monotonic() < give_up:
        if delay is not None and time.monotonic() - started >= delay:
            break
        if delay is None and _temp_files(out.parent):
            break
        time.sleep(0.002)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    assert "Traceback" not in stderr, stderr
    return proc.returncode


def _complete(data: bytes, fmt: str) -> bool:
    import struct

    if fmt == "pdf":
        return data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    return data[:4] == b"RIFF" and struct.unpack("<I", data[40:44])[0] == len(data) - 44


def test_a_signal_while_a_wav_file_opens_leaves_no_traceback() -> None:
    """SIGTERM landed once after a WAV writer was made and before its __init__ ran (a
    killed export printed "Exception ignored ... AttributeError" with a traceback): a
    reader or writer left half made closes quietly."""
    import sys
    import wave

    from glutekit_voice import wavfile

    unraisable: list[Any] = []
    before = sys.unraisablehook
    sys.unraisablehook = unraisable.append
    try:
        for kind in wavfile.wave_classes():
            half_made = object.__new__(kind)
            del half_made
        assert unraisable == []
        # The standard library's own classes show the fault that the two above avoid.
        half_made = object.__new__(wave.Wave_write)
        del half_made
        assert [type(u.exc_value) for u in unraisable] == [AttributeError]
    finally:
        sys.unraisablehook = before


@pytest.mark.parametrize("fmt", ["wav", "pdf"])
@pytest.mark.parametrize("sig_name", ["SIGTERM", "SIGKILL"])
def test_a_killed_export_keeps_the_old_file_and_leaves_no_temp_file(
    fmt: str, sig_name: str, tmp_path: Path
) -> None:
    import random
    import signal

    sig = getattr(signal, sig_name)
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / f"routine.{fmt}"
    old = b"the previous export, which must survive" * 100
    rng = random.Random(f"{fmt}{sig_name}")
    for delay in [None, *(rng.uniform(0.3, 2.0) for _ in range(3))]:
        out.write_bytes(old)
        code = _kill_export(out, fmt, sig, delay)
        data = out.read_bytes()
        assert code in (0, -sig, 128 + sig), code
        # The old file, or (when the signal came after the replace) a complete new one.
        assert data == old or _complete(data, fmt), (delay, code, data[:20])
        if code == 0:
            assert data != old
        if sig == signal.SIGKILL:
            # Nothing can clean up after SIGKILL; the next write to the folder does.
            done = run_glutekit("export", "quick-five", "-f", "md", "-o", str(folder / "n.md"))
            assert done.returncode == 0, done.stderr
        assert _temp_files(folder) == [], (delay, code)


def test_the_cache_cap_leaves_no_checksum_without_its_cue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from glutekit_voice.render import CueRenderer
    from glutekit_voice.settings import VoiceSettings

    cache = tmp_path / "voice"
    renderer = CueRenderer(VoiceSettings(backend="espeak-ng"), cache_dir=cache)
    old = renderer.render_all(["Breathe in slowly.", "Breathe out slowly."])
    for cue in old.values():  # a megabyte each, and long unused
        cue.path.write_bytes(cue.path.read_bytes() + bytes(1024 * 1024))
        os.utime(cue.path, (1, 1))
    monkeypatch.setenv("GLUTEKIT_VOICE_CACHE_MB", "1")
    renderer.render_all(["Switch sides."])
    wavs = {p.stem for p in cache.glob("*.wav")}
    sums = {p.stem for p in cache.glob("*.sha256")}
    assert len(wavs) == 1 and sums == wavs
