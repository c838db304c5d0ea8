"""The run's isolation from the real user's folders, and the guard that proves it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import platformdirs

from tests.isolation import REAL_FOLDERS, RUN_VOICE_CACHE, changes, snapshot

REPO = Path(__file__).resolve().parent.parent

INNER_TEST = """
    import os
    from pathlib import Path

    def test_runs_in_a_throw_away_home():
        assert os.environ["HOME"] != os.environ["FAKE_REAL_HOME"]

    def test_maybe_leaks():
        target = os.environ.get("LEAK_TO")
        if target:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            Path(target).write_text("a fake finished session")
"""


def _inner_run(
    tmp_path: Path, leak_to: Path | None, *options: str
) -> subprocess.CompletedProcess[str]:
    """Run pytest with the guard against a fake "real" home, in a process of its own."""
    fake_home = tmp_path / "real-home"
    fake_home.mkdir(exist_ok=True)
    (tmp_path / "test_inner.py").write_text(textwrap.dedent(INNER_TEST))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "GLUTEKIT_"))}
    env.update(HOME=str(fake_home), FAKE_REAL_HOME=str(fake_home), PYTHONPATH=str(REPO))
    if leak_to is not None:
        env["LEAK_TO"] = str(leak_to)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.isolation",
            "-p",
            "no:cacheprovider",
            "-q",
            "--rootdir",
            str(tmp_path),
            *options,
            str(tmp_path / "test_inner.py"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


def test_the_guard_fails_a_run_that_writes_into_the_real_data_folder(tmp_path: Path) -> None:
    leaked = tmp_path / "real-home" / ".local" / "share" / "glutekit" / "history.sqlite3"
    proc = _inner_run(tmp_path, leaked)
    assert leaked.exists()  # the inner test really wrote there
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "2 passed" in proc.stdout
    assert "changed the real user's glutekit folders" in proc.stdout
    assert f"added:   {leaked}" in proc.stdout


def test_the_guard_also_fails_a_run_whose_leak_happens_in_a_worker_process(
    tmp_path: Path,
) -> None:
    """With pytest-xdist the tests run in workers; the main process still catches a leak."""
    leaked = tmp_path / "real-home" / ".cache" / "glutekit" / "voice" / "cue.wav"
    proc = _inner_run(tmp_path, leaked, "-n", "2")
    assert leaked.exists()
    assert "2 passed" in proc.stdout, proc.stdout + proc.stderr
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "changed the real user's glutekit folders" in proc.stdout
    assert f"added:   {leaked}" in proc.stdout


def test_the_guard_passes_a_run_that_leaves_the_real_folders_alone(tmp_path: Path) -> None:
    proc = _inner_run(tmp_path, tmp_path / "elsewhere" / "file")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "changed the real user's" not in proc.stdout


def test_this_run_uses_its_own_home_for_every_glutekit_folder() -> None:
    for folder in (
        platformdirs.user_data_dir("glutekit"),
        platformdirs.user_cache_dir("glutekit"),
        platformdirs.user_config_dir("glutekit"),
    ):
        assert Path(folder) not in REAL_FOLDERS
        assert not any(Path(folder).is_relative_to(real) for real in REAL_FOLDERS)
    # The one folder variable a test has: the run's shared voice cache, in the run's root.
    shared = Path(os.environ["GLUTEKIT_VOICE_CACHE_DIR"])
    assert shared == RUN_VOICE_CACHE
    assert not any(shared.is_relative_to(real) for real in REAL_FOLDERS)
    others = [n for n in os.environ if n.startswith("GLUTEKIT_") and n.endswith("_DIR")]
    assert others == ["GLUTEKIT_VOICE_CACHE_DIR"]


def test_changes_names_added_removed_and_changed_paths(tmp_path: Path) -> None:
    (tmp_path / "kept").write_text("same")
    (tmp_path / "edited").write_text("old")
    (tmp_path / "gone").write_text("bye")
    before = snapshot([tmp_path])
    (tmp_path / "edited").write_text("newer and longer")
    (tmp_path / "gone").unlink()
    (tmp_path / "new").write_text("hello")
    assert changes(before, snapshot([tmp_path])) == [
        f"changed: {tmp_path / 'edited'}",
        f"removed: {tmp_path / 'gone'}",
        f"added:   {tmp_path / 'new'}",
    ]
