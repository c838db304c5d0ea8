"""Speech without waiting for the engine: cached sessions never load it, and many missing
cues render on every core, with real Piper in real processes."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from glutekit_voice import cachecheck

from tests.conftest import run_glutekit

pytest.importorskip("piper", reason="the Piper backend (piper-tts) is not installed")

ENGINE = ("piper", "onnxruntime", "numpy")
SPOKEN = ("transcript", "quick-five", "--spoken")


def imported(importtime_stderr: str) -> set[str]:
    """Top-level modules named in ``python -X importtime``'s report."""
    names = set()
    for line in importtime_stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def own_cache(tmp_path: Path) -> dict[str, str]:
    """Environment for a glutekit process with an empty voice cache of its own."""
    return {"GLUTEKIT_VOICE_CACHE_DIR": str(tmp_path / "voice")}


def test_a_cached_voiced_transcript_never_imports_the_speech_engine() -> None:
    first = run_glutekit(*SPOKEN, timeout=600)
    assert first.returncode == 0, first.stderr
    warm = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "glutekit", *SPOKEN],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert warm.returncode == 0, warm.stderr[-2000:]
    assert warm.stdout == first.stdout
    assert not imported(warm.stderr) & set(ENGINE)
    assert "preparing speech" not in warm.stderr


# A process that renders with the API and says what it imported.
API = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from importlib.metadata import version
    from glutekit_voice.render import CueRenderer
    from glutekit_voice.settings import VoiceSettings
    renderer = CueRenderer(VoiceSettings(), cache_dir=Path(sys.argv[1]))
    done = []
    cues = renderer.render_all(json.loads(sys.argv[2]), done=done.append)
    print(json.dumps({
        "engine": sorted(m for m in ("piper", "onnxruntime", "numpy") if m in sys.modules),
        "files": {t: c.path.name for t, c in cues.items()},
        "seconds": {t: c.seconds for t, c in cues.items()},
        "done": done,
        "piper": version("piper-tts"),
    }))
    """
)


def render_api(cache: Path, texts: list[str], **env: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", API, str(cache), json.dumps(texts)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **env},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout)
    return result


def old_key(text: str, piper_version: str) -> str:
    """The cache key as glutekit computed it when it opened Piper first (format 4)."""
    parts = [4, f"piper/{piper_version}", "en_US-joe-medium", 165, 1.0, text]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:40] + ".wav"


def test_only_a_missing_cue_loads_the_engine_and_keys_stay_as_they_were(tmp_path: Path) -> None:
    cache = tmp_path / "voice"
    first = render_api(cache, ["Hold it there."])
    assert first["engine"]  # it had to render
    again = render_api(cache, ["Hold it there."])
    assert again["engine"] == [] and again["done"] == ["Hold it there."]
    missing = render_api(cache, ["Hold it there.", "And one more, new."])
    assert "onnxruntime" in missing["engine"]  # type: ignore[operator]
    seconds = missing["seconds"]
    assert isinstance(seconds, dict) and 0.5 < seconds["And one more, new."] < 5
    files = missing["files"]
    assert isinstance(files, dict)
    for text, name in files.items():
        assert name == old_key(text, str(missing["piper"]))  # caches from before stay valid
        assert cachecheck.problem(cache / name) is None


TEXTS = [f"Cue number {n}, hold it there." for n in ("one", "two", "three", "four", "five")]
TEXTS += ["Breathe in slowly.", "Now the other side.", "Relax your shoulders."]


def test_many_missing_cues_render_in_worker_processes(tmp_path: Path) -> None:
    cache = tmp_path / "voice"
    result = render_api(cache, TEXTS, GLUTEKIT_RENDER_WORKERS="2")
    # Rendered, verified and measured, and not by this process: it never loaded Piper.
    assert result["engine"] == []
    assert sorted(result["done"]) == sorted(TEXTS)  # type: ignore[type-var]
    files, seconds = result["files"], result["seconds"]
    assert isinstance(files, dict) and isinstance(seconds, dict)
    assert list(files) == TEXTS
    for text in TEXTS:
        assert files[text] == old_key(text, str(result["piper"]))
        assert cachecheck.problem(cache / files[text]) is None
        assert 0.5 < seconds[text] < 6
    assert not [p.name for p in cache.iterdir() if p.name.startswith(".render-")]


def test_a_worker_gets_its_next_cue_before_the_caller_hears_of_the_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What ``done`` does with a rendered cue (an export lays its timeline out again)
    does not keep the worker that rendered it waiting for its next cue."""
    from glutekit_voice.render import CueRenderer
    from glutekit_voice.settings import VoiceSettings

    monkeypatch.setenv("GLUTEKIT_RENDER_WORKERS", "2")
    texts = [f"{text} Again." for text in TEXTS]
    cache = tmp_path / "voice"
    renderer = CueRenderer(VoiceSettings(), cache_dir=cache)
    heard: list[str] = []

    def cues_in_cache() -> int:
        return len([p for p in cache.glob("*.wav") if not p.name.startswith(".")])

    def done(text: str) -> None:
        if not heard:
            # A third cue can only come from the worker that answered first (the
            # other one's answer waits until this returns): it renders one meanwhile.
            began = time.monotonic()
            while cues_in_cache() < 3:
                assert time.monotonic() - began < 60, "the worker was kept waiting"
                time.sleep(0.05)
        heard.append(text)

    rendered = renderer.render_all(texts, done=done)
    assert sorted(heard) == sorted(texts) and list(rendered) == texts


def one_line_error(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if "preparing speech" not in line]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    # Which cue fails first depends on which process answers first.
    return re.sub(r"could not speak '[^']*'", "could not speak '…'", lines[0])


def test_a_worker_failure_is_the_same_one_line_error_as_without_workers(tmp_path: Path) -> None:
    bad = tmp_path / "broken.onnx"
    bad.write_bytes(os.urandom(4000))
    bad.with_name("broken.onnx.json").write_text("{}")
    errors = []
    for workers in ("1", "2"):
        done = run_glutekit(
            *("transcript", "quick-five", "--spoken", "--voice", str(bad)),
            env={**own_cache(tmp_path), "GLUTEKIT_RENDER_WORKERS": workers},
        )
        assert done.returncode == 1
        errors.append(one_line_error(done.stderr))
    assert errors[0] == errors[1]
    assert "could not load" in errors[0] and str(bad) in errors[0]
    refused = run_glutekit(*SPOKEN, env={**own_cache(tmp_path), "GLUTEKIT_RENDER_WORKERS": "lots"})
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "glutekit: error: GLUTEKIT_RENDER_WORKERS: must be a whole number of processes, "
        "1 to 64 (got 'lots')"
    )


def children(pid: int) -> set[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return set()
    return {int(p) for p in text.split()}


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_ctrl_c_while_rendering_stops_every_worker_and_leaves_no_half_file(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "voice"
    proc = subprocess.Popen(
        [sys.executable, "-m", "glutekit", "transcript", "quick-five", "--spoken"],
        env={**os.environ, **own_cache(tmp_path), "GLUTEKIT_RENDER_WORKERS": "2"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    workers: set[int] = set()
    give_up = time.monotonic() + 300
    # Interrupted in the middle: workers running and some cues already in the cache.
    while proc.poll() is None and time.monotonic() < give_up:
        workers |= children(proc.pid)
        if len(workers) >= 2 and cache.is_dir() and any(cache.glob("*.wav")):
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the render finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    # click reports a Ctrl-C inside a command as "aborted", outside one as "interrupted".
    assert stderr.strip().splitlines()[-1] in ("glutekit: aborted", "glutekit: interrupted")
    assert "Traceback" not in stderr
    for pid in workers:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert not [p.name for p in cache.iterdir() if p.name.startswith(".render-")]
    for wav in cache.glob("*.wav"):
        assert cachecheck.problem(wav) is None, wav
