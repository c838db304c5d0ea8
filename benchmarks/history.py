"""How long `glutekit history` takes with 10,000 recorded sessions.

Fills a fresh history database (in a temporary GLUTEKIT_DATA_DIR) with 10,000 sessions
of 8 holds each, spread over three years with pain scores, then times the real command
in fresh processes against `glutekit --version` (start-up alone), the arms taking turns
round by round; wall and CPU time (user + system) with their ratios to the baseline.
Target: `glutekit history` within 300 ms.

Also measures what the history costs `glutekit run` at start: a one-second routine run
at --speed 1000 with no voice, against this history and against an empty data folder,
alternating, in the same run. Target: at most 20 ms more with the full history.

    python benchmarks/history.py [--sessions N] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from measure import measure

from glutekit.history.db import HistoryDB
from glutekit.history.records import HoldRecord

TARGET_MS = 300.0


def fill(path: Path, sessions: int) -> None:
    rng = random.Random(7)
    db = HistoryDB.open(path)
    now = time.time()
    start = now - 3 * 365 * 86400
    conn = db._conn  # one big transaction: filling is not what is measured
    conn.execute("BEGIN")
    for i in range(sessions):
        began = start + (now - start) * i / sessions
        cursor = conn.execute(
            "INSERT INTO sessions (routine_id, routine_title, content_hash, started, ended,"
            " status, planned, elapsed, pain_before, pain_after, advised_per_week, completed)"
            " VALUES (?, ?, 'hash', ?, ?, ?, 305, 300, ?, ?, 2, 8)",
            (
                rng.choice(["quick-five", "desk-break", "after-run"]),
                "Routine",
                began,
                began + 300,
                rng.choice(["finished"] * 8 + ["quit", "interrupted"]),
                rng.randint(2, 8),
                rng.randint(0, 6),
            ),
        )
        for k in range(8):
            hold = HoldRecord(
                segment_index=k * 2 + 1,
                exercise="glutes:knee-hug",
                side="left" if k % 2 else "right",
                set_number=1,
                step_path=(k,),
                round=1,
            )
            conn.execute(
                "INSERT INTO holds (session_id, segment_index, exercise, side, set_number,"
                " step_path, round, outcome, at) VALUES (?, ?, ?, ?, 1, ?, 1, 'completed', ?)",
                (
                    cursor.lastrowid,
                    hold.segment_index,
                    hold.exercise,
                    hold.side,
                    str(k),
                    began + k * 30,
                ),
            )
    conn.execute("COMMIT")
    db.close()


def timed(
    args: list[str], env: dict[str, str], runs: int, cpu: list[float] | None = None
) -> list[float]:
    """Wall milliseconds of each run; the CPU milliseconds (user+system) go to ``cpu``."""
    out = []
    for _ in range(runs):
        done = measure(
            [sys.executable, "-m", "glutekit", *args], env=env, cwd=tempfile.gettempdir()
        )
        if done.returncode != 0:
            raise SystemExit(f"glutekit {' '.join(args)} failed")
        out.append(done.wall * 1000)
        if cpu is not None:
            cpu.append(done.cpu * 1000)
    return out


RUN_TARGET_MS = 20.0
TINY = '{"id": "tiny", "title": "Tiny", "steps": [{"rest": 1, "say": "Rest."}]}'


def run_start_cost(full_env: dict[str, str], empty_env: dict[str, str], runs: int) -> str:
    """Median run time with the full history minus with none, measured alternately."""
    with tempfile.TemporaryDirectory() as scratch:
        routine = Path(scratch) / "tiny.json"
        routine.write_text(TINY, encoding="utf-8")
        args = ["run", str(routine), "--speed", "1000", "--no-voice", "--output", "console"]
        full: list[float] = []
        empty: list[float] = []
        full_cpu: list[float] = []
        empty_cpu: list[float] = []
        timed(args, full_env, 1)  # warm the file cache and the validation cache
        timed(args, empty_env, 1)
        for i in range(runs):
            pair = ((full, full_cpu, full_env), (empty, empty_cpu, empty_env))
            for into, cpu, env in pair if i % 2 == 0 else reversed(pair):
                into.extend(timed(args, env, 1, cpu))
    cost = statistics.median(full) - statistics.median(empty)
    cpu_cost = statistics.median(full_cpu) - statistics.median(empty_cpu)
    verdict = "meets" if cost <= RUN_TARGET_MS else "MISSES"
    return (
        f"glutekit run (tiny routine)    with history median {statistics.median(full):7.1f} ms, "
        f"empty {statistics.median(empty):7.1f} ms (n={runs}); cpu {cpu_cost:+.1f} ms\n"
        f"target: run start-up cost from history <= {RUN_TARGET_MS:.0f} ms -> {verdict} "
        f"({cost:+.1f} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=9)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "GLUTEKIT_DATA_DIR": folder}
        began = time.perf_counter()
        fill(Path(folder) / "history.sqlite3", options.sessions)
        print(
            f"filled {options.sessions:,} sessions ({options.sessions * 8:,} holds) "
            f"in {time.perf_counter() - began:.1f} s"
        )
        timed(["history"], env, 1)  # warm the file cache
        cpu: dict[str, list[float]] = {"base": [], "history": [], "json": []}
        walls: dict[str, list[float]] = {"base": [], "history": [], "json": []}
        arms = [("base", ["--version"]), ("history", ["history"]), ("json", ["history", "--json"])]
        # Round by round, in turn (the order reversed every other round), so a machine
        # that slows down or speeds up meanwhile moves every arm alike.
        for round_ in range(options.runs):
            for name, args in arms if round_ % 2 == 0 else list(reversed(arms)):
                walls[name].extend(timed(args, env, 1, cpu[name]))
        baseline, history, as_json = walls["base"], walls["history"], walls["json"]
        with tempfile.TemporaryDirectory() as empty:
            run_line = run_start_cost(env, {**os.environ, "GLUTEKIT_DATA_DIR": empty}, options.runs)
    rows = [
        ("glutekit --version (baseline)", baseline, cpu["base"]),
        ("glutekit history", history, cpu["history"]),
        ("glutekit history --json", as_json, cpu["json"]),
    ]
    base = statistics.median(baseline)
    base_cpu = statistics.median(cpu["base"])
    print(f"{options.runs} rounds, arms in turn; load average {os.getloadavg()[0]:.1f}")
    for name, times, cpu_times in rows:
        median = statistics.median(times)
        cpu_median = statistics.median(cpu_times)
        print(
            f"{name:<30} median {median:7.1f} ms  min {min(times):7.1f} ms  "
            f"cpu {cpu_median:7.1f} ms  ratio to baseline: wall {median / base:4.2f}, "
            f"cpu {cpu_median / base_cpu:4.2f}"
        )
    verdict = "meets" if statistics.median(history) <= TARGET_MS else "MISSES"
    history_cpu = statistics.median(cpu["history"])
    cpu_verdict = "meets" if history_cpu <= TARGET_MS else "misses"
    print(
        f"target: history within {TARGET_MS:.0f} ms -> {verdict} "
        f"(history minus start-up: {statistics.median(history) - base:.1f} ms; "
        f"cpu {history_cpu:.0f} ms {cpu_verdict})"
    )
    print(run_line)


if __name__ == "__main__":
    main()
