"""The live view in a real terminal (tmux): title, "exercise N of M", bars without colour,
no key hint once the session is over; and the summary line's wording."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from glutekit.interfaces import SessionSummary
from glutekit.session import summary_line

TMUX = shutil.which("tmux")


class Tmux:
    """One tmux server of our own (its own socket), running one command in a 100x30 window."""

    def __init__(self, folder: Path, command: list[str], env: dict[str, str]) -> None:
        self.socket = str(folder / "tmux.sock")
        exports = " ".join(f"{k}={v!r}" for k, v in env.items())
        # Keep the window after the command ends, so the last screen can be read.
        script = f"env {exports} {' '.join(command)}; echo EXITED=$?; sleep 60"
        self.tmux("new-session", "-d", "-x", "100", "-y", "30", "sh", "-c", script)

    def tmux(self, *args: str) -> str:
        assert TMUX is not None
        return subprocess.run(
            [TMUX, "-S", self.socket, *args], capture_output=True, text=True, check=True
        ).stdout

    def screen(self, escapes: bool = False) -> str:
        return self.tmux("capture-pane", "-p", *(["-e"] if escapes else []))

    def wait_for(self, pattern: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if re.search(pattern, shown):
                return shown
            assert time.monotonic() < deadline, f"never saw {pattern!r}:\n{shown}"
            time.sleep(0.1)

    def close(self) -> None:
        subprocess.run([TMUX or "tmux", "-S", self.socket, "kill-server"], capture_output=True)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[object]:
    if TMUX is None:
        pytest.skip("needs tmux (Debian package tmux)")
    started: list[Tmux] = []

    def start(*args: str, **env: str) -> Tmux:
        base = {
            k: os.environ[k]
            for k in ("HOME", "PATH", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME")
            if k in os.environ
        }
        term = Tmux(tmp_path, [sys.executable, "-m", "glutekit", *args], {**base, **env})
        started.append(term)
        return term

    yield start
    for term in started:
        term.close()


RUN = ("run", "medius-cycle", "--speed", "60", "--no-voice")


def past_the_warm_up(term: Tmux) -> str:
    """medius-cycle asks for a warm-up and waits for a key; go on with space."""
    waiting = term.wait_for(r"PAUSED")
    term.tmux("send-keys", "Space")
    return waiting


def test_the_live_view_shows_the_title_and_which_exercise_of_how_many(terminal: object) -> None:
    term = terminal(*RUN)  # type: ignore[operator]
    waiting = past_the_warm_up(term)
    assert "warm up first" in waiting, "it waits on the warm-up line"
    first = term.wait_for(r"exercise 1 of 6")
    assert "Gluteus medius cycle: release, stretch, activate" in first
    assert "space pause/resume" in first
    second = term.wait_for(r"exercise 2 of 6", timeout=90)
    assert "Seated spinal twist" in second or "Rest" in second or "Switch" in second
    last = term.wait_for(r"Finished in", timeout=120)
    assert "space pause/resume" not in last  # the key hint goes when the session ends
    assert "exercise 6 of 6" in last
    assert "EXITED=0" in term.wait_for("EXITED=")


def test_without_colour_the_bars_still_show_done_and_left(terminal: object) -> None:
    term = terminal(*RUN, NO_COLOR="1")  # type: ignore[operator]
    past_the_warm_up(term)
    term.wait_for(r"exercise 1 of 6")
    time.sleep(1.5)
    shown = term.screen(escapes=True)
    colours = [
        code
        for sgr in re.findall(r"\x1b\[([0-9;]*)m", shown)
        for code in sgr.split(";")
        if re.fullmatch(r"3[0-8]|9[0-7]|4[0-8]|10[0-7]", code)  # 39 and 49 mean "default"
    ]
    assert not colours, f"colour despite NO_COLOR: {colours}"
    bars = [line for line in shown.splitlines() if "█" in line or "░" in line]
    assert bars and all(re.search(r"█+░+|█{40}|░{40}", line) for line in bars), bars
    assert any("█" in line and "░" in line for line in bars)


def _summary(status: str, completed: int, sides: int, skipped: int) -> str:
    done = tuple((f"p:e{i}", "left" if i < sides else None) for i in range(completed))
    return summary_line(
        SessionSummary(
            routine_id="r",
            status=status,  # type: ignore[arg-type]
            elapsed=75,
            planned=600,
            completed=done,
            skipped=tuple(("p:x", None) for _ in range(skipped)),
        )
    )


def test_the_summary_reads_well_with_skips() -> None:
    assert _summary("quit", 0, 0, 1) == "Quit after 01:15 of 10:00: 1 skipped."
    assert _summary("quit", 0, 0, 0) == "Quit after 01:15 of 10:00: nothing done yet."
    assert _summary("interrupted", 2, 2, 1) == (
        "Stopped after 01:15 of 10:00: 2 exercises, 2 sides done; 1 skipped."
    )
    assert _summary("finished", 3, 2, 0) == "Finished in 01:15: 3 exercises, 2 sides."
    assert _summary("finished", 1, 0, 2) == "Finished in 01:15: 1 exercise; 2 skipped."
