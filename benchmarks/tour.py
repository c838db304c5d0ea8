"""How long the README's 30-second tour takes, step by step, in fresh processes.

Reads the commands from the README's tour block, runs each one in a fresh process
in a throw-away home (so the voice and validation caches start cold, as for a new
user), alternating with a cold ``glutekit --version`` as the baseline, and reports
the median of each. Target: the whole tour in at most 30 s.

    python benchmarks/tour.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
TARGET = 30.0


def tour_commands(readme: Path = README) -> list[list[str]]:
    """Each ``glutekit ...`` line of the tour's console block, as arguments (comments cut)."""
    text = readme.read_text(encoding="utf-8")
    section = text[text.index("## A 30-second tour") :]
    block = re.search(r"```console\n(.*?)```", section, re.S)
    assert block, "the README has no console block in its tour"
    commands = []
    for line in block.group(1).splitlines():
        words = shlex.split(line.removeprefix("$ "), comments=True)
        if words and words[0] == "glutekit":
            commands.append(words[1:])
    return commands


def timed(args: list[str], env: dict[str, str], cwd: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "glutekit", *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=cwd,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    commands = tour_commands()
    steps: dict[str, list[float]] = {" ".join(c): [] for c in commands}
    baseline: list[float] = []
    totals: list[float] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="glutekit-tour-") as home:
            env = {
                **os.environ,
                "HOME": home,
                "XDG_DATA_HOME": f"{home}/data",
                "XDG_CACHE_HOME": f"{home}/cache",
                "XDG_CONFIG_HOME": f"{home}/config",
            }
            total = 0.0
            for command in commands:
                baseline.append(timed(["--version"], env, home))
                took = timed(command, env, home)
                steps[" ".join(command)].append(took)
                total += took
            totals.append(total)
    print(
        f"baseline 'glutekit --version': median {statistics.median(baseline):.2f} s "
        f"({len(baseline)} runs)"
    )
    for name, times in steps.items():
        print(f"{statistics.median(times):6.2f} s  glutekit {name}  ({len(times)} runs)")
    total = statistics.median(totals)
    verdict = "meets" if total <= TARGET else "MISSES"
    print(
        f"whole tour: median {total:.1f} s over {len(totals)} runs; {verdict} the {TARGET:.0f} s target"
    )


if __name__ == "__main__":
    main()
