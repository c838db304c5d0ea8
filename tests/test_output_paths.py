"""What ``-o`` names is written to, never replaced by something else.

Regular files are replaced atomically (keeping their mode); a symlink is written
through to its target; a device, a FIFO and ``-`` are written to directly.
"""

from __future__ import annotations

import os
import stat
import subprocess
import threading
from pathlib import Path

import pytest

from tests.conftest import run_glutekit

#: command -> (arguments before the path, text the output starts with)
WRITERS: dict[str, tuple[list[str], bytes]] = {
    "export-md": (["export", "quick-five", "-f", "md", "-o"], b"# Quick five"),
    "export-pdf": (["export", "quick-five", "-f", "pdf", "-o"], b"%PDF"),
    "compose": (
        ["compose", "--target", "gluteus_medius", "--minutes", "5", "--strategy", "stretch", "-o"],
        b"{",
    ),
    "history-plot": (["history", "--plot"], b"<svg"),
}


def _args(name: str, path: str) -> list[str]:
    args, _ = WRITERS[name]
    if name == "history-plot":
        return [*args, path]
    return [*args, path]


@pytest.mark.parametrize("name", list(WRITERS))
def test_a_symlink_is_written_through_and_stays_a_link(name: str, tmp_path: Path) -> None:
    real = tmp_path / "real.svg"
    real.write_text("old")
    link = tmp_path / "link.svg"
    link.symlink_to(real)
    done = run_glutekit(*_args(name, str(link)), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes().lstrip().startswith(WRITERS[name][1])


@pytest.mark.parametrize("name", list(WRITERS))
def test_a_replaced_file_keeps_its_mode(name: str, tmp_path: Path) -> None:
    target = tmp_path / "private.svg"
    target.write_text("old")
    target.chmod(0o600)
    done = run_glutekit(*_args(name, str(target)), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes().lstrip().startswith(WRITERS[name][1])


@pytest.mark.parametrize("name", list(WRITERS))
def test_a_fifo_is_written_to_not_replaced(name: str, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.svg"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as handle:
            received.append(handle.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    done = run_glutekit(*_args(name, str(fifo)), cwd=tmp_path, timeout=60)
    reader.join(10)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert received and received[0].lstrip().startswith(WRITERS[name][1])
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("name", list(WRITERS))
def test_a_device_is_written_to_not_replaced(name: str, tmp_path: Path) -> None:
    null = tmp_path / "null.svg"
    made = subprocess.run(["mknod", str(null), "c", "1", "3"], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot make a device node here (needs root): {made.stderr.strip()}")
    done = run_glutekit(*_args(name, str(null)), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null.svg"]


@pytest.mark.parametrize("name", ["export-md", "export-pdf", "compose"])
@pytest.mark.parametrize("target", ["-", "stdout-link"])
def test_standard_output(name: str, target: str, tmp_path: Path) -> None:
    # A link of our own to /proc/self/fd/1 behaves as /dev/stdout does, and a test run
    # against a glutekit that replaces links can then never replace the system's.
    if target == "stdout-link":
        (tmp_path / target).symlink_to("/proc/self/fd/1")
    done = subprocess.run(
        ["bash", "-c", 'exec "$@" | cat', "-", *_glutekit(), *_args(name, target)],
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.lstrip().startswith(WRITERS[name][1])
    assert b"wrote" not in done.stdout
    if target == "stdout-link":
        assert os.readlink(tmp_path / target) == "/proc/self/fd/1"
    assert [p.name for p in tmp_path.iterdir()] == ([] if target == "-" else [target])


def _glutekit() -> list[str]:
    import sys

    return [sys.executable, "-m", "glutekit"]


@pytest.mark.parametrize("name", list(WRITERS))
def test_an_empty_path_or_a_folder_is_one_clear_line(name: str, tmp_path: Path) -> None:
    empty = run_glutekit(*_args(name, ""), cwd=tmp_path)
    assert empty.returncode == 2
    assert "the output path is empty" in empty.stderr and "Traceback" not in empty.stderr
    (tmp_path / "out.svg").mkdir()
    folder = run_glutekit(*_args(name, str(tmp_path / "out.svg")), cwd=tmp_path)
    assert folder.returncode in (1, 2), folder.stderr
    assert "Traceback" not in folder.stderr
    assert "is a directory" in folder.stderr


class _SignalOnClose:
    """``os`` as glutekit.atomic sees it, except that the first ``close`` is followed by
    an interrupt: a signal landing the moment the temporary file exists."""

    def __init__(self) -> None:
        self.fired = False

    def __getattr__(self, name: str) -> object:
        return getattr(os, name)

    def close(self, fd: int) -> None:
        os.close(fd)
        if not self.fired:
            self.fired = True
            raise KeyboardInterrupt


def test_a_signal_the_moment_the_temp_file_exists_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM is handled in the main thread even when another thread received it, so
    blocking it there cannot hold it: the name must be known before the file exists."""
    from glutekit import atomic

    fake = _SignalOnClose()
    monkeypatch.setattr(atomic, "os", fake)
    target = tmp_path / "routine.wav"
    target.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt), atomic.atomic_path(target) as temp:
        temp.write_bytes(b"new")
    assert fake.fired
    assert sorted(p.name for p in tmp_path.iterdir()) == ["routine.wav"]
    assert target.read_bytes() == b"old"
