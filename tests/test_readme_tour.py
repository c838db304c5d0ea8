"""Every command of the README's 30-second tour works, in order, for a new user."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.conftest import REPO, run_glutekit

sys.path.insert(0, str(REPO / "benchmarks"))
from tour import tour_commands


def test_the_tour_is_the_one_the_benchmark_times() -> None:
    commands = tour_commands()
    assert len(commands) >= 8
    assert ["run", "quick-five", "--speed", "60", "--no-voice"] in commands


def test_every_tour_step_succeeds_in_order(tmp_path: Path) -> None:
    for command in tour_commands():
        done = run_glutekit(*command, cwd=tmp_path)
        assert done.returncode == 0, f"glutekit {' '.join(command)}:\n{done.stderr}"
        assert "Traceback" not in done.stderr
    assert (tmp_path / "mine.json").is_file() and (tmp_path / "medius.pdf").is_file()
