"""Attacks on the newer surfaces (issue 27, items 12 to 25), each from scratch.

Every case runs a real ``glutekit`` process in the fresh home the suite gives each
test: plugins that end the process or leave threads behind, listening files that are
pipes, empty, cut short, lying or huge, broken config files, clashing vocabularies,
bad variables, a history database that is a folder, a render killed with SIGKILL.
Each test's docstring names the item of issue 27 it covers. Time limits only catch
hangs; they are generous on purpose.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, run_glutekit
from tests.serve_helpers import MAXRSS

HANG = 120  # seconds: only a hang gets anywhere near this
LISTEN_RUN = ["run", "quick-five", "--listen", "--no-voice", "--speed", "1000"]


def _clean(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr
    assert "internal error" not in stderr, stderr


def _plugin(folder: Path, name: str, source: str, version: str = "1.0") -> dict[str, str]:
    """Install a one-module plugin under ``folder`` (an entry point, as pip would)."""
    module = "gk_" + name.replace("-", "_")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    dist = folder / f"glutekit_test_{module}-{version}.dist-info"
    dist.mkdir(exist_ok=True)
    (dist / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: glutekit-test-{name}\nVersion: {version}\n",
        encoding="utf-8",
    )
    (dist / "entry_points.txt").write_text(f"[glutekit]\n{name} = {module}\n", encoding="utf-8")
    return _on_path(folder)


def _on_path(folder: Path) -> dict[str, str]:
    """PYTHONPATH with ``folder`` in front of what is there already."""
    return {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))
    }


# ------------------------------------------------------------------ listening files


def _wav_header(
    *,
    rate: int = 16000,
    channels: int = 1,
    bits: int = 16,
    data_bytes: int,
    align: int | None = None,
) -> bytes:
    align = channels * bits // 8 if align is None else align
    fmt = struct.pack("<HHIIHH", 1, channels, rate, (rate * align) & 0xFFFFFFFF, align, bits)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + struct.pack("<I", data_bytes)
    )


def _listen(
    path: Path, *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run_glutekit(
        *LISTEN_RUN,
        *extra,
        env={"GLUTEKIT_LISTEN_FILE": str(path), "GLUTEKIT_AUDIO_BACKEND": "null", **(env or {})},
        timeout=HANG,
    )


def _refused(proc: subprocess.CompletedProcess[str], path: Path, reason: str) -> None:
    """The session ran, with one line naming the file and the reason."""
    assert proc.returncode == 0, proc.stderr
    _clean(proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert f"input 'listen' could not start: {path}: " in lines[0], lines[0]
    assert reason in lines[0], lines[0]
    assert "goes on with the keyboard" in lines[0]
    assert proc.stdout.splitlines()[-1].startswith("Finished")


def test_a_fifo_as_the_listening_file_is_refused_like_any_other_file(tmp_path: Path) -> None:
    """issue 27 item 14: GLUTEKIT_LISTEN_FILE that is a FIFO hung before the session."""
    fifo = tmp_path / "mic.wav"
    os.mkfifo(fifo)
    _refused(_listen(fifo), fifo, "is a named pipe (FIFO), not a regular file")


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("empty", "the file is empty (expected a WAV file)"),
        ("truncated", "not a WAV file: it is only 6 bytes long"),
        ("no-data", "the WAV file is cut short: it has no data chunk"),
        ("lying", "its header promises 10.0 s of audio, but the file holds 0.1 s"),
        ("rate-0", "sample rate is 0 Hz; expected 8,000 to 192,000 Hz"),
        ("rate-max", "sample rate is 4,294,967,295 Hz; expected 8,000 to 192,000 Hz"),
        ("8-bit", "has 8-bit samples; expected 16-bit PCM"),
        ("not-wav", "not a WAV file (it does not begin with RIFF…WAVE)"),
    ],
)
def test_a_broken_listening_file_is_one_line_with_its_reason(
    tmp_path: Path, case: str, reason: str
) -> None:
    """issue 27 item 18: a truncated, empty or lying listening WAV said "cannot read …: ;"
    and frame rates 0 and 4,294,967,295 were taken silently."""
    path = tmp_path / f"{case}.wav"
    second = 32000
    data = {
        "empty": b"",
        "truncated": b"RIFF\x00\x00",
        "no-data": _wav_header(data_bytes=0)[:36],
        "lying": _wav_header(data_bytes=10 * second) + bytes(second // 10),
        "rate-0": _wav_header(rate=0, data_bytes=second) + bytes(second),
        "rate-max": _wav_header(rate=4294967295, data_bytes=second) + bytes(second),
        "8-bit": _wav_header(bits=8, data_bytes=second) + bytes(second),
        "not-wav": b"ID3\x03" + bytes(4000),
    }[case]
    path.write_bytes(data)
    _refused(_listen(path), path, reason)


def test_a_one_hertz_listening_file_is_refused_before_any_resampling(tmp_path: Path) -> None:
    """issue 27 item 15: a 400 KB WAV at 1 Hz was resampled to 3.2e9 frames (6.3 GB)."""
    path = tmp_path / "slow.wav"
    path.write_bytes(_wav_header(rate=1, data_bytes=400_000) + bytes(400_000))
    _refused(_listen(path), path, "sample rate is 1 Hz; expected 8,000 to 192,000 Hz")


def test_a_listening_file_past_the_size_limit_is_refused_without_reading_it(
    tmp_path: Path,
) -> None:
    """issue 27 item 15: a 1.9 GB listening WAV was read whole (sparse here: no disk used)."""
    path = tmp_path / "huge.wav"
    size = 1_900_000_000
    with path.open("wb") as out:
        out.write(_wav_header(data_bytes=size - 44))
        out.truncate(size)
    _refused(_listen(path), path, "the file is 1,900,000,000 bytes; the limit is 1,073,741,824")


def test_a_listening_file_past_four_hours_is_refused(tmp_path: Path) -> None:
    """issue 27 item 15: the length of a listening file is bounded (8 kHz keeps it small)."""
    path = tmp_path / "long.wav"
    frames = 5 * 3600 * 8000
    with path.open("wb") as out:
        out.write(_wav_header(rate=8000, data_bytes=2 * frames))
        out.truncate(44 + 2 * frames)
    _refused(_listen(path), path, "holds 5.0 h of audio; the limit is 4 h")


def test_a_long_listening_file_is_streamed_not_read_whole(tmp_path: Path) -> None:
    """issue 27 item 15: a large listening WAV is read 100 ms at a time, so the process
    stays far smaller than the file (a sparse 3.5-hour recording, 400 MB)."""
    path = tmp_path / "long.wav"
    frames = int(3.5 * 3600 * 16000)
    with path.open("wb") as wav:
        wav.write(_wav_header(data_bytes=2 * frames))
        wav.truncate(44 + 2 * frames)
    env = {
        **os.environ,
        "GLUTEKIT_LISTEN_FILE": str(path),
        "GLUTEKIT_AUDIO_BACKEND": "null",
    }
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    # Through a small launcher: a child's own rusage also counts the memory of the
    # process it was forked from (here this test worker, hundreds of MB late in a run).
    with out.open("wb") as stdout, err.open("wb") as stderr:  # files: no pipe to fill up
        proc = subprocess.Popen(
            [sys.executable, str(MAXRSS), sys.executable, "-m", "glutekit", *LISTEN_RUN],
            stdout=stdout,
            stderr=stderr,
            env=env,
        )
        try:
            proc.wait(timeout=HANG)
        except subprocess.TimeoutExpired:
            proc.terminate()  # the launcher passes it on to the session
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            pytest.fail("the session did not end")
    lines = err.read_text().splitlines()
    assert proc.returncode == 0, "\n".join(lines)
    assert lines and lines[-1].startswith("maxrss-kib "), "\n".join(lines)
    assert not any("could not start" in line for line in lines), "\n".join(lines)
    assert out.read_text().splitlines()[-1].startswith("Finished")
    peak = int(lines[-1].split()[1]) * 1024
    assert peak < 2 * frames * 0.75, f"{peak:,} bytes resident for a {2 * frames:,}-byte file"


# ------------------------------------------------------------------ plugins, variables


@pytest.mark.parametrize("value", ["abc", "-1", "0", "nan", "inf", "0.001"])
def test_a_bad_plugin_timeout_is_refused_before_any_plugin_loads(value: str) -> None:
    """issue 27 item 22: GLUTEKIT_PLUGIN_TIMEOUT was not checked (0.001 cut off the
    built-in plugins and ended in "unknown routine 'quick-five'")."""
    proc = run_glutekit("transcript", "quick-five", env={"GLUTEKIT_PLUGIN_TIMEOUT": value})
    assert proc.returncode == 2, proc.stderr
    _clean(proc.stderr)
    assert proc.stderr.strip().splitlines() == [
        f"glutekit: error: GLUTEKIT_PLUGIN_TIMEOUT: must be a number of seconds from 1 to "
        f"3600 (got {value!r}); leave it unset for 30"
    ]


def test_strict_plugins_with_an_unreadable_listening_file_do_not_say_the_session_goes_on(
    tmp_path: Path,
) -> None:
    """issue 27 item 21: GLUTEKIT_STRICT_PLUGINS=1 said "the session goes on", then exited 1."""
    missing = tmp_path / "missing.wav"
    proc = _listen(missing, env={"GLUTEKIT_STRICT_PLUGINS": "1"})
    assert proc.returncode == 1, proc.stderr
    _clean(proc.stderr)
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith(f"glutekit: error: input 'listen' could not start: {missing}: ")
    assert "goes on" not in line
    assert line.endswith("stopping, as GLUTEKIT_STRICT_PLUGINS is set"), line
    assert "Finished" not in proc.stdout


VCLASH = """
    from pathlib import Path

    import glutekit

    @glutekit.hookimpl
    def glutekit_exercise_packs():
        return [Path(__file__).resolve().parent / "vclash.json"]
"""


@pytest.mark.parametrize(
    ("category", "term", "expected"),
    [
        (
            "muscles",
            {"id": "gluteus_maximus", "label": "Gluteus maximus", "region": "thigh"},
            "muscle 'gluteus_maximus' means 'Gluteus maximus' (region hip) in pack "
            "'glutekit' but 'Gluteus maximus' (region thigh) in pack 'vclash'",
        ),
        (
            "positions",
            {"id": "supine", "label": "Lying on your back", "posture": "seated"},
            "position 'supine' means 'Lying on your back' (posture lying) in pack "
            "'glutekit' but 'Lying on your back' (posture seated) in pack 'vclash'",
        ),
    ],
)
def test_a_vocabulary_clash_says_what_differs(
    tmp_path: Path, category: str, term: dict[str, str], expected: str
) -> None:
    """issue 27 item 20: a clash on region or posture printed two identical labels."""
    env = _plugin(tmp_path / "site", "vclash", VCLASH)
    pack = {
        "id": "vclash",
        "name": "Clash",
        "version": "1",
        "license": "MIT",
        "vocabulary": {category: [term]},
        "exercises": [
            {
                "id": "lie-still",
                "name": "Lie still",
                "kind": "stretch",
                "targets": {"primary": ["gluteus_maximus"]},
                "position": "supine",
                "per_side": False,
                "dose": {"hold": 30},
                "instructions": ["Lie still."],
                "cues": ["Breathe out."],
            }
        ],
    }
    (tmp_path / "site" / "vclash.json").write_text(json.dumps(pack), encoding="utf-8")
    proc = run_glutekit("vocabulary", category, env=env)
    assert proc.returncode == 0, proc.stderr
    _clean(proc.stderr)
    assert f"glutekit: warning: vocabulary: {expected}; keeping the one from 'glutekit'" in (
        proc.stderr
    ), proc.stderr


def test_a_history_database_that_is_a_folder_is_called_a_folder(tmp_path: Path) -> None:
    """issue 27 item 24: a folder named history.sqlite3 was reported as "its folder is
    read-only or cannot be opened"."""
    (tmp_path / "history.sqlite3").mkdir()
    env = {"GLUTEKIT_DATA_DIR": str(tmp_path)}
    expected = (
        f"the history database {tmp_path / 'history.sqlite3'} is a folder, not a file; "
        "move it away, or set GLUTEKIT_DATA_DIR to another folder (it was left as it is)"
    )
    proc = run_glutekit("history", env=env)
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"glutekit: error: {expected}"
    run = run_glutekit("run", "quick-five", "--speed", "1000", "--no-voice", env=env)
    assert run.returncode == 0, run.stderr
    assert f"glutekit: warning: {expected}; this session will not be recorded" in run.stderr
    assert (tmp_path / "history.sqlite3").is_dir() and not any(
        (tmp_path / "history.sqlite3").iterdir()
    )


# ------------------------------------------------------------------ voice cache


def _render_until_a_temp_file(
    env: dict[str, str], voice: Path, out: Path
) -> tuple[subprocess.Popen[bytes], list[str]]:
    """Start a WAV export and wait until its render has a temporary file in the cache."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "glutekit", "export", "quick-five", "-f", "wav", "-o", str(out)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    give_up = time.monotonic() + HANG
    while proc.poll() is None and time.monotonic() < give_up:
        with contextlib.suppress(OSError):
            mine = [n for n in os.listdir(voice) if n.startswith(f".render-{proc.pid}-")]
            legacy = [n for n in os.listdir(voice) if n.startswith(".render-")]
            if mine or (legacy and not any(n.split("-")[1].isdigit() for n in legacy)):
                return proc, sorted(os.listdir(voice))
        time.sleep(0.002)
    proc.kill()
    _, stderr = proc.communicate()
    pytest.fail(f"no render temporary file appeared: {stderr.decode()}")


@pytest.mark.own_voice_cache
def test_a_render_killed_with_sigkill_leaves_a_temp_file_the_next_render_sweeps(
    tmp_path: Path,
) -> None:
    """issue 27 item 25: a render killed by SIGKILL left .render-*.wav in the voice cache
    for ever."""
    voice = tmp_path / "cache" / "voice"
    # Rendered in the glutekit process itself, whose process id names its temporary
    # files (the render pool's workers are covered by tests/test_voice_pool.py).
    env = {"GLUTEKIT_CACHE_DIR": str(tmp_path / "cache"), "GLUTEKIT_RENDER_WORKERS": "1"}
    killed = None
    for _ in range(5):  # the kill may land just after the file was moved into place
        proc, _ = _render_until_a_temp_file(env, voice, tmp_path / "a.wav")
        proc.kill()
        proc.wait()
        left = [n for n in os.listdir(voice) if n.startswith(".render-")]
        if left:
            killed = left
            break
    assert killed, "no kill left a temporary file behind"
    keep = voice / ".render-notes.txt"  # a file of the user's, not one glutekit names
    keep.write_text("mine", encoding="utf-8")
    proc, seen = _render_until_a_temp_file(env, voice, tmp_path / "b.wav")
    proc.terminate()
    proc.communicate(timeout=HANG)
    assert not set(killed) & set(os.listdir(voice)), (killed, seen)
    assert keep.read_text(encoding="utf-8") == "mine"


# ------------------------------------------------------------------ plugins that end or linger

EXITS_IN_HOOK = """
    import os

    import glutekit

    @glutekit.hookimpl
    def glutekit_exercise_packs():
        os._exit(7)
"""

EXITS_AT_IMPORT = """
    import os

    os.abort()
"""


def test_a_plugin_calling_os_exit_in_a_hook_is_named_and_the_command_goes_on(
    tmp_path: Path,
) -> None:
    """issue 27 item 12: a plugin calling os._exit(7) in a hook silently ended every
    command with exit 7."""
    env = _plugin(tmp_path / "site", "exits", EXITS_IN_HOOK)
    proc = run_glutekit("exercises", "--pack", "glutes", env=env, timeout=HANG)
    assert proc.returncode == 0, (proc.returncode, proc.stderr)
    _clean(proc.stderr)
    assert proc.stderr.strip().splitlines() == [
        "glutekit: warning: plugin 'exits' called os._exit(7) in glutekit_exercise_packs, "
        "which would have ended glutekit (disable it with GLUTEKIT_BLOCK_PLUGINS=exits)"
    ]
    assert "glutes:" in proc.stdout
    transcript = run_glutekit("transcript", "quick-five", env=env, timeout=HANG)
    assert transcript.returncode == 0 and "plugin 'exits' called os._exit(7)" in transcript.stderr


def test_plugins_safe_remembers_a_plugin_that_would_have_ended_glutekit(tmp_path: Path) -> None:
    """issue 27 item 12: 'plugins --safe' (which imports nothing) said the plugin "would
    load"; once a command has caught it, it says what it did, until the plugin changes."""
    env = _plugin(tmp_path / "site", "exits", EXITS_IN_HOOK)

    def would() -> str:
        proc = run_glutekit("plugins", "--safe", "--json", env=env)
        assert proc.returncode == 0, proc.stderr
        return str(next(e for e in json.loads(proc.stdout) if e["name"] == "exits")["would"])

    assert would() == "load"
    assert run_glutekit("exercises", env=env, timeout=HANG).returncode == 0
    assert would() == (
        "load (when it last ran, it called os._exit(7) in glutekit_exercise_packs, which "
        "would have ended glutekit)"
    )
    module = tmp_path / "site" / "gk_exits.py"
    module.write_text(module.read_text(encoding="utf-8") + "# fixed\n", encoding="utf-8")
    assert would() == "load"


def test_a_plugin_aborting_at_import_is_named_and_the_command_goes_on(tmp_path: Path) -> None:
    """issue 27 item 12: the same for os.abort() while the plugin is imported."""
    env = _plugin(tmp_path / "site", "aborts", EXITS_AT_IMPORT)
    proc = run_glutekit("routines", env=env, timeout=HANG)
    assert proc.returncode == 0, (proc.returncode, proc.stderr)
    _clean(proc.stderr)
    assert (
        "glutekit: warning: plugin 'aborts' failed to load: called os.abort() in its import, "
        "which would have ended glutekit (disable it with GLUTEKIT_BLOCK_PLUGINS=aborts)"
    ) in proc.stderr
    assert "quick-five" in proc.stdout


FORKS = """
    import multiprocessing
    import os

    import glutekit

    def work(queue):
        queue.put(os.getpid())

    @glutekit.hookimpl
    def glutekit_routines():
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        child = context.Process(target=work, args=(queue,))
        child.start()
        queue.get(timeout=60)
        child.join(60)
        return []
"""


def test_a_plugin_s_forked_child_still_ends_with_os_exit(tmp_path: Path) -> None:
    """issue 27 item 12: catching os._exit in plugin code must not catch it in a child
    that plugin code forks (multiprocessing ends it with os._exit): the child would go on
    running glutekit's command a second time."""
    env = _plugin(tmp_path / "site", "forks", FORKS)
    proc = run_glutekit("routines", env=env, timeout=HANG)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.count("quick-five") == 1, proc.stdout


LINGERS = """
    import threading
    import time

    import glutekit

    threading.Thread(target=time.sleep, args=(3600,), name="lingering-poll").start()

    @glutekit.hookimpl
    def glutekit_routines():
        return []
"""


def _default_sigint() -> None:
    """In the child: SIGINT handled as Python does by default. A test run started where
    SIGINT is ignored (in the background by a shell without job control, say) hands that
    on to the glutekit it starts, which rightly goes on ignoring it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


LINGERING_WARNING = (
    "glutekit: warning: plugin 'lingers' left a thread running ('lingering-poll'); "
    "glutekit ends without waiting for it (disable it with GLUTEKIT_BLOCK_PLUGINS=lingers)"
)


def test_a_plugin_leaving_a_thread_running_is_named_and_does_not_hang_the_exit(
    tmp_path: Path,
) -> None:
    """issue 27 item 16: a plugin starting a (non-daemon) thread at import hung every
    command at exit, and nothing named it."""
    env = _plugin(tmp_path / "site", "lingers", LINGERS)
    proc = run_glutekit("routines", env=env, timeout=HANG)
    assert proc.returncode == 0, proc.stderr
    _clean(proc.stderr)
    assert proc.stderr.strip().splitlines() == [LINGERING_WARNING]
    assert "quick-five" in proc.stdout
    bad = run_glutekit("transcript", "no-such-routine", env=env, timeout=HANG)
    assert bad.returncode == 2, bad.stderr  # the command's own exit code is kept
    assert "unknown routine" in bad.stderr and "'lingers' left a thread" in bad.stderr


def _with_lingering_plugin(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    """``glutekit ARGS`` started with the plugin that leaves a thread running, its output
    in pipes, and SIGINT at its default."""
    env = {**os.environ, **_plugin(tmp_path / "site", "lingers", LINGERS)}
    env["GLUTEKIT_DATA_DIR"] = str(tmp_path / "data")
    return subprocess.Popen(
        [sys.executable, "-m", "glutekit", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=_default_sigint,
    )


@pytest.mark.parametrize(
    ("signum", "status", "said"),
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")],
    ids=["ctrl-c", "sigterm"],
)
def test_a_signal_while_glutekit_waits_for_a_plugin_s_thread_is_one_line(
    signum: int, status: int, said: str, tmp_path: Path
) -> None:
    """At the end of a command glutekit waits a few seconds for the threads plugins
    started; Ctrl-C or SIGTERM in that wait is the one line and exit status of anywhere
    else (it was a traceback)."""
    proc = _with_lingering_plugin(tmp_path, "routines")
    try:
        assert proc.stdout is not None
        listing = ""
        while "quick-five" not in listing:  # the command's output is written before the wait
            line = proc.stdout.readline()
            assert line, "glutekit ended before listing the routines"
            listing += line
        time.sleep(0.5)
        started = time.monotonic()
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=HANG)
    finally:
        proc.kill()
    assert time.monotonic() - started < 2.0  # not after the 3-second wait
    assert proc.returncode == status, stderr
    _clean(stderr)
    lines = stderr.strip().splitlines()
    # Landing in the wait, it is the last line; landing just before (on a busy machine),
    # the plugin's thread is named after it, without waiting for the thread.
    assert f"glutekit: {said}" in lines, stderr
    assert set(lines) <= {f"glutekit: {said}", LINGERING_WARNING}, stderr


def test_ctrl_c_in_a_session_does_not_wait_for_a_plugin_s_thread(tmp_path: Path) -> None:
    """Stopped by Ctrl-C, glutekit names the plugin whose thread is left and ends at
    once, without the few seconds it gives such threads at a normal end."""
    proc = _with_lingering_plugin(tmp_path, "run", "quick-five", "--no-voice", "--speed", "1")
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline(), "the session printed nothing"
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=HANG)
    finally:
        proc.kill()
    assert time.monotonic() - started < 2.0  # the plugin's thread is not waited for
    assert proc.returncode == 130, stderr
    assert "Stopped after" in stdout  # the session's own answer to Ctrl-C
    _clean(stderr)
    assert stderr.strip().splitlines() == [LINGERING_WARNING]


# ------------------------------------------------------------------ a broken config file


def _config(tmp_path: Path, text: str) -> tuple[Path, dict[str, str]]:
    path = tmp_path / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path, {"GLUTEKIT_CONFIG_DIR": str(path.parent)}


def test_config_commands_keep_working_on_a_broken_file_so_it_can_be_fixed(
    tmp_path: Path,
) -> None:
    """issue 27 item 19: docs/config.md promises 'config' keeps working on a broken file;
    config set/unset/get/list all refused."""
    path, env = _config(tmp_path, 'rate = 150.7\nvolume = "loud"\nbogus = 1\npaper = "letter"\n')
    stopped = run_glutekit("routines", env=env)
    assert stopped.returncode == 2
    listed = run_glutekit("config", "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    rows = {r["key"]: r for r in json.loads(listed.stdout)}
    assert rows["paper"]["value"] == "letter" and rows["rate"]["source"] == "default"
    warnings = listed.stderr.strip().splitlines()
    assert len(warnings) == 3 and all(
        w.startswith(f"glutekit: warning: {path}: ") for w in warnings
    )
    got = run_glutekit("config", "get", "paper", env=env)
    assert got.returncode == 0 and got.stdout == "letter\n"
    assert run_glutekit("config", "set", "rate", "150", env=env).returncode == 0
    assert run_glutekit("config", "set", "volume", "0.5", env=env).returncode == 0
    unset = run_glutekit("config", "unset", "bogus", env=env)
    assert unset.returncode == 0, unset.stderr
    assert f"removed bogus from {path}" in unset.stderr
    fixed = run_glutekit("config", "list", env=env)
    assert fixed.returncode == 0 and fixed.stderr == ""
    assert run_glutekit("routines", env=env).returncode == 0
    _clean(listed.stderr + unset.stderr)


def test_a_config_file_that_is_not_toml_is_named_and_left_for_an_editor(tmp_path: Path) -> None:
    """issue 27 item 19: a file that is not TOML cannot be edited key by key: 'config'
    says so (and lists the defaults) instead of refusing without a way out."""
    path, env = _config(tmp_path, "rate = [oops\n")
    listed = run_glutekit("config", "list", env=env)
    assert listed.returncode == 0
    assert listed.stderr.startswith(f"glutekit: warning: {path}: not a valid TOML file: ")
    assert "fix it in a text editor" in listed.stderr
    refused = run_glutekit("config", "set", "rate", "150", env=env)
    assert refused.returncode == 2
    (line,) = refused.stderr.strip().splitlines()
    assert line.startswith(f"glutekit: error: {path}: not a valid TOML file: ")
    assert "it was left as it is" in line
    assert path.read_text(encoding="utf-8") == "rate = [oops\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("listen = 1979-05-27\n", "listen: expected true or false, got a date (1979-05-27)"),
        ("rate = 150.7\n", "rate: must be whole words per minute from 80 to 450, got 150.7"),
        ("paper = {size = 'a4'}\n", "paper: must be one of a4, letter, got a table"),
    ],
)
def test_a_bad_config_value_is_said_in_words_and_never_cut_down(
    tmp_path: Path, text: str, expected: str
) -> None:
    """issue 27 item 19: `listen = 1979-05-27` printed `got datetime.date(…)`, and
    `rate = 150.7` was silently taken as 150."""
    path, env = _config(tmp_path, text)
    proc = run_glutekit("transcript", "quick-five", env=env)
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith(f"glutekit: error: {path}: {expected} ("), line
    assert "datetime" not in line


def test_an_unknown_output_in_the_config_file_is_named_with_the_file(tmp_path: Path) -> None:
    """issue 27 item 19: `output = ["nonesuch"]` passed 'config list', and 'run' did not
    name the config file."""
    path, env = _config(tmp_path, 'output = ["nonesuch"]\n')
    listed = run_glutekit("config", "list", env=env)
    assert listed.returncode == 0
    assert f"glutekit: warning: {path}: output: unknown output 'nonesuch'" in listed.stderr
    proc = run_glutekit("run", "quick-five", "--speed", "1000", "--no-voice", env=env)
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("glutekit: error: unknown output 'nonesuch'")
    assert f"it is the 'output' setting of the config file {path}" in line
    chosen = run_glutekit("run", "quick-five", "--speed", "1000", "--output", "nonesuch", env=env)
    assert chosen.returncode == 2 and str(path) not in chosen.stderr  # the option's own


# ------------------------------------------------------------------ other programs' noise

HOSTILE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    '<script>alert(1)</script><rect x="10" y="10" width="50" height="50"/></svg>'
)


def test_the_pdf_library_s_svg_warnings_become_one_line_naming_the_picture(
    tmp_path: Path,
) -> None:
    """issue 27 item 23: fpdf2 printed `UserWarning: <svg> has no "viewBox"` with its
    module path, and "Ignoring unsupported SVG tag: <script> (contributions are welcome…)"."""
    site = tmp_path / "site"
    site.mkdir()
    shutil.copytree(REPO / "tests" / "packs" / "glutekit_test_gym", site / "gk_svgpack")
    (site / "gk_svgpack" / "figures" / "curl.svg").write_text(HOSTILE_SVG, encoding="utf-8")
    routine = tmp_path / "r.json"
    steps = [{"exercise": "gym:dumbbell-curl"}, {"exercise": "gym:dumbbell-curl"}]
    routine.write_text(json.dumps({"id": "c", "title": "C", "steps": steps}), encoding="utf-8")
    proc = run_glutekit(
        "-p", "gk_svgpack", "export", routine, "--cards-only", "-o", tmp_path / "c.pdf",
        env=_on_path(site),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    _clean(proc.stderr)
    assert "UserWarning" not in proc.stderr and "contributions" not in proc.stderr
    assert "pdf_base.py" not in proc.stderr and "fpdf" not in proc.stderr
    notes = [line for line in proc.stderr.splitlines() if "curl.svg" in line]
    assert notes == [
        "glutekit: warning: picture 'curl.svg': left out the unsupported SVG tag <script>; "
        '<svg> has no "viewBox", using its "width" & "height" as default "viewBox" '
        "(the PDF shows the rest of it)"
    ], proc.stderr


def _onnx_with_an_unused_initializer(path: Path) -> None:
    """A tiny ONNX model, written by hand: y = Identity(x), and a weight no node uses
    (onnxruntime warns about it while loading, in colour, whatever stderr is)."""

    def varint(n: int) -> bytes:
        out = b""
        while True:
            low, n = n & 0x7F, n >> 7
            if not n:
                return out + bytes([low])
            out += bytes([low | 0x80])

    def field(number: int, payload: bytes | int) -> bytes:
        if isinstance(payload, int):
            return varint(number << 3) + varint(payload)
        return varint(number << 3 | 2) + varint(len(payload)) + payload

    tensor = field(1, field(1, 1) + field(2, field(1, field(1, 1))))
    value = {name: field(1, name.encode()) + field(2, tensor) for name in ("x", "y")}
    node = field(1, b"x") + field(2, b"y") + field(4, b"Identity")
    weight = field(1, 1) + field(2, 1) + field(8, b"unused") + field(9, struct.pack("<f", 1.0))
    graph = field(1, node) + field(2, b"g") + field(5, weight) + field(11, value["x"])
    graph += field(12, value["y"])
    path.write_bytes(field(1, 7) + field(8, field(1, b"") + field(2, 13)) + field(7, graph))


def test_the_speech_runtime_s_log_lines_stay_off_stderr(tmp_path: Path) -> None:
    """issue 27 item 23: onnxruntime printed its warnings with raw colour codes when
    stderr was not a terminal; glutekit's own line about the voice remains."""
    pytest.importorskip("onnxruntime")
    model = tmp_path / "voice.onnx"
    _onnx_with_an_unused_initializer(model)
    (tmp_path / "voice.onnx.json").write_text("{}", encoding="utf-8")
    proc = run_glutekit(
        "transcript", "quick-five", "--spoken", "--voice-backend", "piper", "--voice", model,
        timeout=HANG,
    )  # fmt: skip
    assert "\x1b" not in proc.stderr, proc.stderr
    assert "onnxruntime:" not in proc.stderr, proc.stderr
    _clean(proc.stderr)
    assert proc.stderr.strip().splitlines()[-1].startswith("glutekit: error: ")
    assert f"Piper voice {model} could not load" in proc.stderr


# ------------------------------------------------------------------ pack images


def _picture_pack(tmp_path: Path, picture: Any) -> tuple[Path, Path]:
    """A copy of the test gym pack whose first exercise's picture is ``picture``
    (a Pillow image, or raw bytes); returns the package folder and its pack.json."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    package = site / "gk_picturepack"
    shutil.copytree(REPO / "tests" / "packs" / "glutekit_test_gym", package)
    target = package / "images" / "shoulder-press.png"
    if isinstance(picture, bytes):
        target.write_bytes(picture)
    else:
        picture.save(target, format="PNG")
    return package, package / "pack.json"


def test_a_pack_image_over_the_size_limit_is_refused_with_the_limit(tmp_path: Path) -> None:
    """issue 27 item 17: pack images had no size limit (a 100 MB PNG passed 'validate')."""
    from PIL import Image

    noise = Image.frombytes("RGB", (1500, 1500), os.urandom(1500 * 1500 * 3))
    _, pack = _picture_pack(tmp_path, noise)
    size = (pack.parent / "images" / "shoulder-press.png").stat().st_size
    assert size > 5 * 1024 * 1024
    expected = (
        f"'images/shoulder-press.png' is {size:,} bytes; a pack image may be at most "
        "5,242,880 bytes (5 MiB)"
    )
    checked = run_glutekit("validate", pack)
    assert checked.returncode == 2
    _clean(checked.stderr)
    assert f"/exercises/0/images/0/path: {expected}" in checked.stderr, checked.stderr
    report = run_glutekit("check-pack", pack, "--no-export", "--no-voice")
    assert report.returncode != 0
    assert expected in report.stdout + report.stderr


def test_a_pack_image_too_many_pixels_on_a_side_is_refused(tmp_path: Path) -> None:
    """issue 27 item 17: a picture of 5,000 pixels on a side (a small file) is refused too."""
    from PIL import Image

    _, pack = _picture_pack(tmp_path, Image.new("RGB", (5000, 40), (244, 239, 230)))
    checked = run_glutekit("validate", pack)
    assert checked.returncode == 2
    assert (
        "'images/shoulder-press.png' is 5,000 pixels on its longer side; a pack image may "
        "be at most 4,096 (sheets and cards use 1,200)"
    ) in checked.stderr, checked.stderr


def test_large_pack_pictures_are_scaled_down_for_sheets_and_cards(tmp_path: Path) -> None:
    """issue 27 item 17: a large picture was embedded whole in every sheet and card; it is
    scaled down to 1,200 pixels on a side in HTML and PDF."""
    import base64
    import io
    import re

    from PIL import Image

    big = Image.linear_gradient("L").resize((3600, 2400)).convert("RGB")
    package, pack = _picture_pack(tmp_path, big)
    assert run_glutekit("validate", pack).returncode == 0
    routine = tmp_path / "r.json"
    steps = [{"exercise": "gym:dumbbell-shoulder-press"}]
    routine.write_text(json.dumps({"id": "p", "title": "P", "steps": steps}), encoding="utf-8")
    env = _on_path(package.parent)
    html = tmp_path / "cards.html"
    made = run_glutekit("-p", "gk_picturepack", "export", routine, "--cards", "-o", html, env=env)
    assert made.returncode == 0, made.stderr
    # The card's picture and the sheet's thumbnail: one scaled picture, embedded as such.
    found = set(re.findall(r'src="data:image/png;base64,([^"]+)"', html.read_text("utf-8")))
    assert len(found) == 1, len(found)
    assert Image.open(io.BytesIO(base64.b64decode(found.pop()))).size == (1200, 800)
    pdf = tmp_path / "cards.pdf"
    made = run_glutekit(
        "-p", "gk_picturepack", "export", routine, "--cards-only", "-o", pdf, env=env
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    sizes = {(int(row.split()[3]), int(row.split()[4])) for row in listing}
    assert (1200, 800) in sizes and not any(w > 1200 or h > 1200 for w, h in sizes), sizes


# ------------------------------------------------------------------ Ctrl-C before glutekit runs


def _glutekit_folders() -> list[str]:
    import click
    import pluggy

    import glutekit

    return [str(Path(m.__file__).parent) + os.sep for m in (glutekit, pluggy, click)]


def _frames_past_the_handler(stderr: str, ours: list[str]) -> list[str]:
    """The traceback's frames in glutekit, pluggy or click, but for those that can show
    before glutekit's own Ctrl-C handler is in place: in ``glutekit/__init__.py``, its
    first instruction (a Ctrl-C that arrived while Python read the file is raised there,
    shown as line 0 or the docstring's line), the ``def`` and the call of the function
    that puts the handler in place, and that function's lines up to it."""
    package = ours[0]
    source = (Path(package) / "__init__.py").read_text(encoding="utf-8").splitlines()
    defined = 1 + source.index("def _quiet_early_interrupt() -> None:")
    handler_set = 1 + source.index("    signal.signal(signal.SIGINT, interrupted)")
    called = 1 + source.index("_quiet_early_interrupt()")
    module_lines = {0, 1, defined, called}
    frames = re.findall(r'File "([^"]+)", line (\d+), in (\S+)', stderr)
    mentioned = sum(line.count(folder) for line in stderr.splitlines() for folder in ours)
    assert mentioned == sum(
        any(path.startswith(folder) for folder in ours) for path, _, _ in frames
    ), f"a traceback this check cannot read:\n{stderr}"
    return [
        f"{path}:{line} {where}"
        for path, line, where in frames
        if any(path.startswith(folder) for folder in ours)
        and not (
            path == package + "__init__.py"
            and (
                (where == "<module>" and int(line) in module_lines)
                or (where == "_quiet_early_interrupt" and int(line) <= handler_set)
            )
        )
    ]


def test_ctrl_c_before_glutekit_starts_is_python_s_own_and_documented(tmp_path: Path) -> None:
    """issue 27 item 13: Ctrl-C in the first 100 ms may land in Python's own start-up or
    in the launcher pip writes (its ``import re``), before glutekit's handler is in place;
    no Python code can catch it there. That is the documented limit (docs/errors.md names
    this test): such a traceback has no frame of glutekit's past the few lines that put
    its handler in place, the process ends by the interrupt, and it has written nothing.
    From then on, it is quiet."""
    script = Path(sys.executable).parent / "glutekit"
    if not script.exists():
        pytest.skip("no glutekit console script next to this Python")
    docs = (REPO / "docs" / "errors.md").read_text(encoding="utf-8")
    assert "test_ctrl_c_before_glutekit_starts_is_python_s_own_and_documented" in docs
    subprocess.run([str(script), "--version"], capture_output=True, check=True)  # compiled
    ours = _glutekit_folders()
    for i in range(1, 26):
        delay = 0.004 * i
        data = tmp_path / f"data-{i}"
        # No colours in a traceback (Python 3.13 and later), so its frames can be read.
        env = {**os.environ, "GLUTEKIT_DATA_DIR": str(data), "PYTHON_COLORS": "0"}
        proc = subprocess.Popen(
            [str(script), "run", "quick-five", "--no-voice", "--speed", "1000"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            preexec_fn=_default_sigint,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=HANG)
        assert not _frames_past_the_handler(stderr, ours), (delay, stderr)
        if proc.returncode in (0, 130):
            continue  # finished, or interrupted quietly by glutekit's own handler
        # Python's own start-up: killed by SIGINT, or exit 1 with its traceback.
        assert proc.returncode in (1, -signal.SIGINT), (delay, proc.returncode, stderr)
        if "Traceback" in stderr or proc.returncode == 1:
            # Landing while Python sets up its own standard streams, the interrupt ends
            # in Python's own fatal error instead (seen once, in a CI run).
            streams = stderr.startswith("Fatal Python error: init_sys_streams")
            last = stderr.rstrip().splitlines()[-1]
            assert last.startswith("KeyboardInterrupt") or streams, stderr
        assert not data.exists(), (delay, "wrote before glutekit ran")
