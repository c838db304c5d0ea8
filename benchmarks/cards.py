"""CPU time and peak memory to export the sheet plus cards of the largest ready-made routine.

Each run is a fresh ``python -m glutekit export ROUTINE --cards`` process, which writes
the routine sheet, the log grid and the exercise cards as one PDF, so imports, font
loading and the catalog are all counted, as a user would feel them. Two arms:

- **first export**: every cache empty (a new cache folder each run: the catalog is
  compiled, the routine's lengths worked out and the sheet's type scale found);
- **again**: the caches filled by an earlier run, as every later export finds them.

The baseline, ``glutekit --version``, runs in the same rounds, interleaved, so a busy
machine slows all alike; each figure is the CPU time (user + system) the kernel
counted for the process, through :mod:`measure`. Goal (issue "fast where people
wait"): the first export at most 6x ``--version``.

    python benchmarks/cards.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from measure import Measured, measure

ROUTINES = Path(__file__).resolve().parent.parent / "routines"
GOAL = 6.0


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


def glutekit(args: list[str], env: dict[str, str]) -> Measured:
    done = measure([sys.executable, "-m", "glutekit", *args], env=env, cwd=tempfile.gettempdir())
    if done.returncode != 0:
        raise SystemExit(f"glutekit {' '.join(args)} failed: {done.stderr.decode()[-400:]}")
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    routine = largest_routine()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        out = str(root / "sheet-and-cards.pdf")
        # An installed glutekit has its bytecode compiled; keep ours in the temporary
        # folder (not the source tree), even where PYTHONDONTWRITEBYTECODE is set.
        env = {
            k: v
            for k, v in os.environ.items()
            if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith(("GLUTEKIT_", "XDG_"))
        }
        env.update(HOME=str(root / "home"), PYTHONPYCACHEPREFIX=str(root / "pycache"))
        export = ["export", routine, "--cards", "-o", out]
        # Warm the OS file cache, the bytecode and the caches once, as any real use would.
        glutekit(["--version"], env)
        glutekit(export, env)
        arms: dict[str, list[Measured]] = {"--version": [], "first export": [], "again": []}
        for run in range(runs):  # interleaved, so load on the machine hits all alike
            arms["--version"].append(glutekit(["--version"], env))
            empty = {**env, "GLUTEKIT_CACHE_DIR": str(root / f"cache-{run}")}
            arms["first export"].append(glutekit(export, empty))
            arms["again"].append(glutekit(export, env))
        load = os.getloadavg()
    base = statistics.median(m.cpu for m in arms["--version"])
    print(f"routine: {routine} (largest ready-made); {runs} runs each, interleaved; medians")
    print(f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{'arm':<40} {'CPU ms':>8} {'x --version':>12} {'wall ms':>8} {'peak MiB':>9}")
    for name, done in arms.items():
        cpu = statistics.median(m.cpu for m in done)
        wall = statistics.median(m.wall for m in done)
        peak = max(m.peak_mib for m in done)
        label = name if name == "--version" else f"export --cards, {name}"
        print(f"{label:<40} {cpu * 1000:8.1f} {cpu / base:12.2f} {wall * 1000:8.1f} {peak:9.1f}")
    first = statistics.median(m.cpu for m in arms["first export"]) / base
    print(f"goal: the first export <= {GOAL:g}x --version: {'met' if first <= GOAL else 'NOT met'}")


if __name__ == "__main__":
    main()
