"""Cold whole-process time to export the sheet plus cards of the largest ready-made routine.

Each run is a fresh ``python -m glutekit export ROUTINE --cards`` process, which
writes the routine sheet, the log grid and the exercise cards as one PDF, so
imports, font loading and the catalog are all counted, as a user would feel them.
The baseline is a cold ``glutekit --version`` measured in the same run.
Target: export at most 1.5 s.

    python benchmarks/cards.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROUTINES = Path(__file__).resolve().parent.parent / "routines"
TARGET = 1.5


def largest_routine() -> str:
    """The ready-made routine with the most exercise steps (blocks counted per round)."""

    def count(steps: list[dict[str, object]]) -> int:
        total = 0
        for step in steps:
            if "exercise" in step:
                total += 1
            elif "block" in step:
                inner = step.get("steps")
                repeat = step.get("repeat", 1)
                total += count(inner if isinstance(inner, list) else []) * int(repeat)  # type: ignore[call-overload]
        return total

    sizes = {
        p.stem: count(json.loads(p.read_text(encoding="utf-8"))["steps"])
        for p in ROUTINES.glob("*.json")
    }
    return max(sorted(sizes), key=lambda k: sizes[k])


def timed(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "glutekit", *args], check=True, stdout=subprocess.DEVNULL, env=env
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    routine = largest_routine()
    with tempfile.TemporaryDirectory() as folder:
        out = str(Path(folder) / "sheet-and-cards.pdf")
        # An installed glutekit has its bytecode compiled; keep ours in the temporary
        # folder (not the source tree), even where PYTHONDONTWRITEBYTECODE is set.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pycache")
        # Warm the OS file cache and the bytecode once, as any real use would.
        timed(["--version"], env)
        timed(["export", routine, "--cards", "-o", out], env)
        version, export = [], []
        for _ in range(runs):  # interleaved, so load on the machine hits both alike
            version.append(timed(["--version"], env))
            export.append(timed(["export", routine, "--cards", "-o", out], env))
    base, cost = statistics.median(version), statistics.median(export)
    print(f"routine: {routine} (largest ready-made), {runs} runs, medians (min)")
    print(f"glutekit --version (baseline):           {base:6.3f} s ({min(version):.3f})")
    print(f"export --cards, sheet + cards, one PDF:  {cost:6.3f} s ({min(export):.3f})")
    print(f"ratio export / baseline:                 {cost / base:6.1f}x")
    print(f"target: export <= {TARGET:.1f} s: {'met' if cost <= TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
