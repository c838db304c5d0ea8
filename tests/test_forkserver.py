"""The tests' forked glutekit processes (tests/forkserver.py) behave as fresh ones do."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests import forkserver
from tests.conftest import REPO

pytestmark = pytest.mark.skipif(
    bool(os.environ.get(forkserver.FRESH_VAR)), reason=f"{forkserver.FRESH_VAR} is set"
)


@pytest.fixture(autouse=True)
def _strict(monkeypatch: pytest.MonkeyPatch) -> None:
    """A client that finds no zygote fails instead of starting glutekit fresh."""
    monkeypatch.setenv("GKTESTS_FORKSERVER_STRICT", "1")


def _both(
    args: list[str], limits: dict[str, tuple[int, int]] | None = None, **kw: object
) -> tuple[subprocess.CompletedProcess[str], ...]:
    forked = forkserver.command(limits=limits)
    assert forkserver._CLIENT in forked, "the zygote did not start: every test would run fresh"
    return tuple(
        subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=120, **kw)  # type: ignore[call-overload]
        for prefix in (forkserver.command(limits=limits, fresh=True), forked)
    )


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["validate", str(REPO / "routines" / "quick-five.json")],
        ["validate", "no-such-file.json"],
        ["no-such-command"],
        ["transcript", "quick-five"],
        ["export", "quick-five", "-f", "md", "-o", "-"],
    ],
    ids=["version", "valid", "missing-file", "bad-command", "transcript", "export-stdout"],
)
def test_a_forked_command_answers_as_a_fresh_one(args: list[str], tmp_path: Path) -> None:
    fresh, forked = _both(args, cwd=tmp_path)
    assert (forked.returncode, forked.stdout, forked.stderr) == (
        fresh.returncode,
        fresh.stdout,
        fresh.stderr,
    )
    assert fresh.stdout or fresh.stderr


def test_the_command_gets_the_callers_environment_folder_and_limits(tmp_path: Path) -> None:
    (tmp_path / "here.json").write_text('{"id": "r", "title": "t", "steps": [{"rest": 1}]}')
    data = tmp_path / "data"
    env = {**os.environ, "GLUTEKIT_DATA_DIR": str(data)}
    fresh, forked = _both(["paths"], env=env, cwd=tmp_path)
    assert str(data) in forked.stdout and forked.stdout == fresh.stdout
    # A relative path is found in the caller's working folder.
    fresh, forked = _both(["validate", "here.json"], cwd=tmp_path)
    assert forked.returncode == fresh.returncode == 0, forked.stderr

    # A file size limit holds for the command (Python ignores SIGXFSZ, so the write
    # fails and glutekit says so).
    out = ["export", "quick-five", "-f", "md", "-o", "big.md"]
    fresh, forked = _both(out, limits={"RLIMIT_FSIZE": (200, 200)}, cwd=tmp_path)
    assert fresh.returncode == forked.returncode != 0
    assert forked.stderr == fresh.stderr
    assert not (tmp_path / "big.md").exists()


def _session(tmp_path: Path, prefix: list[str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*(prefix or forkserver.command()), "run", "quick-five", "--no-voice", "--speed", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "GLUTEKIT_DATA_DIR": str(tmp_path / "data")},
    )


def _wait_for_output(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    assert proc.stdout.readline(), "the session printed nothing"


def test_a_signal_to_the_command_line_reaches_glutekit(tmp_path: Path) -> None:
    ended = []
    for prefix in (forkserver.FRESH, forkserver.command()):
        proc = _session(tmp_path, prefix)
        _wait_for_output(proc)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
        ended.append((proc.returncode, stderr))
    assert ended[1] == ended[0]
    assert ended[0][0] == 128 + signal.SIGTERM  # glutekit's own exit, not the signal's


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            found.update(map(int, children))
            todo += map(int, children)
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


def _glutekit_under_the_zygote() -> int:
    """The pid of the one glutekit process the zygote runs (its handler's child)."""
    assert forkserver._zygote is not None
    handlers = _descendants(forkserver._zygote.pid)
    glutekit = [pid for pid in handlers if not _descendants(pid) & handlers and _alive(pid)]
    assert len(handlers) == 2 and len(glutekit) == 1, handlers
    return glutekit[0]


needs_proc = pytest.mark.skipif(
    not any(Path("/proc/self/task").glob("*/children")),
    reason="needs /proc/PID/task/TID/children (a kernel built with CONFIG_PROC_CHILDREN)",
)


@needs_proc
def test_a_killed_command_line_takes_its_glutekit_process_with_it(tmp_path: Path) -> None:
    proc = _session(tmp_path)
    _wait_for_output(proc)
    glutekit = _glutekit_under_the_zygote()
    proc.kill()
    proc.wait(timeout=30)
    deadline = time.monotonic() + 30
    while _alive(glutekit) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(glutekit)


@needs_proc
def test_the_command_line_dies_of_the_signal_that_killed_glutekit(tmp_path: Path) -> None:
    proc = _session(tmp_path)
    _wait_for_output(proc)
    os.kill(_glutekit_under_the_zygote(), signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def test_a_command_line_that_finds_no_zygote_starts_glutekit_fresh_with_its_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GKTESTS_FORKSERVER_STRICT")
    forked = forkserver.command(limits={"RLIMIT_FSIZE": (200, 200)})
    gone = [*forked[:5], str(tmp_path / "no-zygote"), *forked[6:]]
    out = ["export", "quick-five", "-f", "md", "-o", "big.md"]
    done = subprocess.run([*gone, *out], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode != 0 and "big.md" in done.stderr, done.stderr
    assert not (tmp_path / "big.md").exists()
    monkeypatch.setenv("GKTESTS_FORKSERVER_STRICT", "1")
    strict = subprocess.run([*gone, "--version"], capture_output=True, text=True)
    assert strict.returncode == 99 and "no zygote" in strict.stderr


def test_variables_read_as_python_starts_get_a_fresh_process() -> None:
    assert forkserver._CLIENT in forkserver.command()
    assert forkserver._LIMITED in forkserver.command(
        {**os.environ, "PYTHONPATH": "/elsewhere"}, limits={"RLIMIT_CPU": (9, 10)}
    )
    assert forkserver.command({**os.environ, "PYTHONPATH": "/elsewhere"}) == forkserver.FRESH
    assert forkserver.command({**os.environ, "LC_ALL": "de_AT.ISO-8859-1"}) == forkserver.FRESH
    assert forkserver.command(fresh=True) == forkserver.FRESH
