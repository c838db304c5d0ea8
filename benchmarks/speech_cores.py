"""What a user waits for before speech: a warm voiced start, and a cold render on every core.

Both through the real command, ``glutekit transcript ROUTINE --spoken`` (the same speech
preparation as a voiced session or an export, without a sound card), in fresh
processes, baseline and subject interleaved in one run, medians with their counts:

1. Warm start: every cue of ROUTINE is in the voice cache. Subject: ``--spoken``;
   baseline: the same transcript without a voice (a text session's start). Reports CPU
   time (user + system), wall time and peak memory, and the CPU ratio (goal <= 1.2).
2. Cold render: an empty voice cache each run. Baselines: one process renders every cue
   with one thread (``GLUTEKIT_RENDER_WORKERS=1 GLUTEKIT_PIPER_THREADS=1``: one worker on
   one core), and one process with onnxruntime's own threads, one per core (the way
   glutekit rendered before the pool); subject: the default, one render process per
   core. Reports wall and CPU time (the children's included), the wall ratio against
   each baseline (goal >= 1.7 on 2 cores against one worker on one core) and how many
   cores each kept busy (CPU time over wall time).

Load on a shared machine moves the seconds; the load average is printed with the
figures, and the ratios are what to compare.

    python benchmarks/speech_cores.py [--routine quick-five] [--warm-runs 11] [--cold-runs 3]
        [--before OTHER_VENV/bin/python]   # also an older glutekit, in the same run
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from measure import home_env, measure


@dataclass(frozen=True)
class Sample:
    wall: float
    cpu: float
    peak_mib: float


def glutekit(python: str = sys.executable) -> list[str]:
    script = shutil.which("glutekit", path=str(Path(python).parent))
    return [script] if script else [python, "-m", "glutekit"]


def own_home(home: Path) -> dict[str, str]:
    return home_env(home, home / "pycache")


def run(args: list[str], env: dict[str, str], python: str = sys.executable) -> Sample:
    """One process, with its own and its children's CPU time and its peak memory."""
    done = measure([*glutekit(python), *args], env=env)
    if done.returncode != 0:
        raise SystemExit(f"glutekit {' '.join(args)} failed: {done.stderr.decode().strip()}")
    # The CPU counts the process's own and that of the children it waited for.
    return Sample(done.wall, done.cpu, done.peak_mib)


def median(samples: list[Sample], what: str) -> float:
    return float(statistics.median(getattr(s, what) for s in samples))


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def warm_start(routine: str, runs: int, home: Path, before: str | None) -> None:
    env = own_home(home)
    text_args = ["transcript", routine]
    voiced_args = ["transcript", routine, "--spoken"]
    run(voiced_args, env)  # fills the cache
    arms: list[tuple[str, list[str], str]] = [
        ("text transcript", text_args, sys.executable),
        ("--spoken, all cached", voiced_args, sys.executable),
    ]
    if before:
        # The same cache: cues rendered by one version are found by the other.
        arms += [
            ("before: text", text_args, before),
            ("before: --spoken", voiced_args, before),
        ]
    for _, args, python in arms:
        run(args, env, python)  # compiled bytecode and the OS's file caches, for each
    samples: dict[str, list[Sample]] = {name: [] for name, _, _ in arms}
    started = load()
    for _ in range(runs):
        for name, args, python in arms:
            samples[name].append(run(args, env, python))
    print(f"\nwarm start, {routine}, {runs} runs each, interleaved ({started}; after: {load()})")
    for name, _, _ in arms:
        print(
            f"  {name:<22} CPU {median(samples[name], 'cpu'):6.3f} s   wall "
            f"{median(samples[name], 'wall'):6.3f} s   peak "
            f"{median(samples[name], 'peak_mib'):5.1f} MiB"
        )
    pairs = [("now", "text transcript", "--spoken, all cached")]
    if before:
        pairs.append(("before", "before: text", "before: --spoken"))
    for label, text, voiced in pairs:
        ratio = median(samples[voiced], "cpu") / median(samples[text], "cpu")
        extra = median(samples[voiced], "peak_mib") - median(samples[text], "peak_mib")
        print(f"  {label}: CPU ratio {ratio:.2f} (goal <= 1.2); memory +{extra:.1f} MiB")


def cold_render(routine: str, runs: int, home: Path, before: str | None) -> None:
    cache = home / "cache"
    args = ["transcript", routine, "--spoken"]
    one = {**own_home(home), "GLUTEKIT_RENDER_WORKERS": "1"}
    arms: list[tuple[str, dict[str, str], str]] = [
        ("1 process, 1 thread", {**one, "GLUTEKIT_PIPER_THREADS": "1"}, sys.executable),
        ("1 process", one, sys.executable),
        ("pool (1 per core)", own_home(home), sys.executable),
    ]
    if before:
        arms.append(("before", own_home(home), before))
    samples: dict[str, list[Sample]] = {name: [] for name, _, _ in arms}
    started = load()
    for n in range(runs):
        # Rotate which goes first, so none always meets the same neighbours.
        shift = n % len(arms)
        for name, env, python in arms[shift:] + arms[:shift]:
            shutil.rmtree(cache, ignore_errors=True)
            samples[name].append(run(args, env, python))
    voice = cache / "glutekit" / "voice"
    cues = len(list(voice.glob("*.wav"))) if voice.is_dir() else 0
    print(
        f"\ncold render, {routine} ({cues} cues), {runs} runs each, interleaved "
        f"({started}; after: {load()}; {os.cpu_count()} cores)"
    )
    for name, _, _ in arms:
        print(
            f"  {name:<20} wall {median(samples[name], 'wall'):6.2f} s   "
            f"CPU {median(samples[name], 'cpu'):6.2f} s   walls "
            + ", ".join(f"{s.wall:.1f}" for s in samples[name])
        )
    single, serial = samples["1 process, 1 thread"], samples["1 process"]
    pooled = samples["pool (1 per core)"]
    # One worker on one core is the goal's baseline; one process with the runtime's own
    # threads (one per core) is a second one, which already keeps part of the other
    # core busy, so no pool can be much faster than it.
    for label, base in (("one worker on one core", single), ("one process, its threads", serial)):
        ratio = median(base, "wall") / median(pooled, "wall")
        cpu = median(pooled, "cpu") / median(base, "cpu")
        print(f"  the pool against {label}: {ratio:.2f}x faster (CPU ratio {cpu:.2f})")
    busy = median(pooled, "cpu") / median(pooled, "wall")
    print(
        f"  cores kept busy: pool {busy:.2f} of {os.cpu_count()}, 1 process "
        f"{median(serial, 'cpu') / median(serial, 'wall'):.2f}, 1 thread "
        f"{median(single, 'cpu') / median(single, 'wall'):.2f} (goal: the pool >= 1.7x "
        "faster than one worker on one core)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routine", default="quick-five")
    parser.add_argument("--warm-runs", type=int, default=11)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--skip-warm", action="store_true")
    parser.add_argument(
        "--before",
        metavar="PYTHON",
        help="also measure the glutekit installed for this Python (an older version)",
    )
    parser.add_argument("--skip-cold", action="store_true")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {os.uname().machine}")
    with tempfile.TemporaryDirectory(prefix="glutekit-bench-") as folder:
        if not args.skip_warm:
            warm_start(args.routine, args.warm_runs, Path(folder) / "warm", args.before)
        if not args.skip_cold:
            cold_render(args.routine, args.cold_runs, Path(folder) / "cold", args.before)


if __name__ == "__main__":
    main()
