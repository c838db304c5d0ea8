"""Playback gaps of a voiced session on a busy machine, through the real command.

Runs ``glutekit run ROUTINE --events jsonl`` (miniaudio's null backend: it takes samples
in real time with no sound card) in a fresh process, and reads how often the sound broke
up from the ``underruns`` of its ``finished`` event: the times the device asked for
sound and waited longer than the whole buffer it holds, as a listener would hear it.
Runs alternate between an idle machine and one kept busy by CPU-bound loops, two per core
(a load of twice the cores), so both see the same machine. The voice cache is filled
once before the first run. Goal (issue "fast where people wait"): 0 underruns in 10
runs on the busy machine.

    python benchmarks/underruns.py [--runs 10] [--routine quick-five] [--speed 10]

``--speed`` plays the routine faster (10: a six-minute routine in about 40 s); the device
still asks for a block every 25 ms of real time, which is what a gap is measured on.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def busy(loops: int) -> Iterator[None]:
    """``loops`` processes spinning on the CPU for as long as the block runs."""
    spinners = [
        subprocess.Popen([sys.executable, "-S", "-c", "while True: pass"]) for _ in range(loops)
    ]
    try:
        time.sleep(1.0)  # let the scheduler spread them
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
        for spinner in spinners:
            spinner.wait()


def session(routine: str, speed: float, env: dict[str, str]) -> tuple[int, float]:
    """One voiced session: its underruns and its wall time."""
    began = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "glutekit",
            "run",
            routine,
            "--events",
            "jsonl",
            "--speed",
            str(speed),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tempfile.gettempdir(),
        check=False,
    )
    wall = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"glutekit run failed: {done.stderr[-400:]}")
    finished = json.loads(done.stdout.splitlines()[-1])
    if "underruns" not in finished:
        raise SystemExit(f"no voice stream played (no sound device?): {done.stderr[-400:]}")
    return int(finished["underruns"]), wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--routine", default="quick-five")
    parser.add_argument("--speed", type=float, default=10.0)
    options = parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        env = {
            k: v
            for k, v in os.environ.items()
            if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith(("GLUTEKIT_", "XDG_"))
        }
        env.update(
            HOME=str(root / "home"),
            PYTHONPYCACHEPREFIX=str(root / "pycache"),
            GLUTEKIT_AUDIO_BACKEND="null",
        )
        session(options.routine, 1000, env)  # renders the speech once, compiles the bytecode
        results: dict[str, list[tuple[int, float]]] = {"idle": [], "busy": []}
        loads: dict[str, list[float]] = {"idle": [], "busy": []}
        for _ in range(options.runs):
            results["idle"].append(session(options.routine, options.speed, env))
            loads["idle"].append(os.getloadavg()[0])
            with busy(2 * cores):
                results["busy"].append(session(options.routine, options.speed, env))
                loads["busy"].append(os.getloadavg()[0])
    print(
        f"{options.routine} at --speed {options.speed:g}, {options.runs} runs each, "
        f"alternating; {cores} cores; busy = {2 * cores} CPU-bound loops"
    )
    for name, runs in results.items():
        gaps = [g for g, _ in runs]
        walls = sorted(w for _, w in runs)
        with_gaps = sum(1 for g in gaps if g)
        print(
            f"  {name:<5} underruns per run {gaps}: {with_gaps} of {len(gaps)} runs had any; "
            f"wall {walls[len(walls) // 2]:.1f} s median; load average "
            f"{min(loads[name]):.1f} to {max(loads[name]):.1f}"
        )
    busy_gaps = sum(1 for g, _ in results["busy"] if g)
    print(f"goal: 0 underruns in {options.runs} busy runs: {'met' if not busy_gaps else 'NOT met'}")


if __name__ == "__main__":
    main()
