"""A cold MP3 export against the rendering of its speech alone, both on every core.

Both through the real command, in fresh processes, each with an empty voice cache of
its own, interleaved run by run (the order rotated so that no arm always follows the
same one):

- baseline: ``glutekit transcript ROUTINE --spoken``: every cue rendered on the pool
  of render processes (one per core), the timeline fitted around the speech, no audio
  written;
- subject: ``glutekit export ROUTINE -o session.mp3``: the same rendering, then (or
  meanwhile) the session mixed and encoded to MP3;
- with ``--other PATH``: the export of another glutekit checkout (on ``PYTHONPATH`` in
  front of this one), a third arm.

Reports wall and CPU time (user + system, the render processes' included) with every
figure and the median, the export's wall time over the rendering's (goal: at most 1.0),
both as the ratio of the medians and as the median of each round's ratio, and the load
average before and after. Load on a shared machine moves the seconds; the
ratio of arms run side by side is what to compare.

With ``--warm-runs N``, then the same from a voice cache that holds every cue (rendered
once, not timed): a WAV export (mixing alone) against the MP3 export (mixing and
encoding), and the other checkout's MP3 export with ``--other``; wall, CPU and peak
memory.

    python benchmarks/export_mp3.py [--routine quick-five] [--runs 3] [--warm-runs 0]
        [--other /tmp/wt]
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
    peak_mib: float = 0.0


@dataclass(frozen=True)
class Arm:
    name: str
    args: list[str]
    #: Another checkout to run instead of this one, or None.
    checkout: Path | None = None


def glutekit() -> list[str]:
    script = shutil.which("glutekit", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "glutekit"]


def arm_env(home: Path, checkout: Path | None) -> dict[str, str]:
    """A home of its own (an empty voice cache); another checkout first on the path."""
    env = home_env(home, home.parent / "pycache")
    if checkout is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(checkout), str(checkout / "plugins")])
    return env


def run(arm: Arm, home: Path, *, warm: bool = False) -> Sample:
    """One run of ``arm`` in ``home``: emptied first (cold), or as it is (warm)."""
    if not warm:
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
    done = measure([*glutekit(), *arm.args], env=arm_env(home, arm.checkout), cwd=home)
    if done.returncode != 0:
        raise SystemExit(f"{arm.name} failed: {done.stderr.decode().strip()}")
    written = [home / a for a in arm.args if a.endswith(".mp3")]
    if written and not all(p.is_file() and p.stat().st_size > 0 for p in written):
        raise SystemExit(f"{arm.name} wrote no MP3")
    cues = home / "cache" / "glutekit" / "voice"
    if not cues.is_dir() or not any(cues.glob("*.wav")):
        raise SystemExit(f"{arm.name} rendered nothing: was the voice cache empty?")
    return Sample(done.wall, done.cpu, done.peak_mib)


def median(samples: list[Sample], what: str) -> float:
    return float(statistics.median(getattr(s, what) for s in samples))


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routine", default="quick-five")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warm-runs", type=int, default=0)
    parser.add_argument("--other", type=Path, help="another glutekit checkout: its export, an arm")
    options = parser.parse_args()
    routine = options.routine
    arms = [
        Arm("transcript --spoken", ["transcript", routine, "--spoken"]),
        Arm("export -o X.mp3", ["export", routine, "-o", "session.mp3"]),
    ]
    if options.other is not None:
        other = options.other.resolve()
        arms.append(Arm(f"export, {other}", ["export", routine, "-o", "session.mp3"], other))
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {os.uname().machine}")
    samples: dict[str, list[Sample]] = {arm.name: [] for arm in arms}
    with tempfile.TemporaryDirectory(prefix="glutekit-bench-mp3-") as folder:
        # Bytecode compiled once and kept, as an installed glutekit runs (not timed).
        for arm in arms:
            run(arm, Path(folder) / "home")
        started = load()
        for n in range(options.runs):
            shift = n % len(arms)
            for arm in arms[shift:] + arms[:shift]:
                samples[arm.name].append(run(arm, Path(folder) / "home"))
    print(
        f"\ncold {routine}, empty voice cache each run, {options.runs} runs each, interleaved "
        f"({started}; after: {load()})"
    )
    for arm in arms:
        got = samples[arm.name]
        print(
            f"  {arm.name:<22} wall {median(got, 'wall'):6.2f} s   CPU {median(got, 'cpu'):6.2f} s"
            "   walls " + ", ".join(f"{s.wall:.2f}" for s in got)
        )
    rendering = median(samples[arms[0].name], "wall")
    for arm in arms[1:]:
        ratio = median(samples[arm.name], "wall") / rendering
        extra = median(samples[arm.name], "cpu") - median(samples[arms[0].name], "cpu")
        # Each run against the rendering of the same round (the machine's pace drifts
        # from round to round more than the arms differ).
        paired = sorted(
            mine.wall / theirs.wall
            for mine, theirs in zip(samples[arm.name], samples[arms[0].name], strict=True)
        )
        print(
            f"  {arm.name}: {ratio:.3f}x the rendering's wall time (goal <= 1.00); "
            f"run by run {statistics.median(paired):.3f}x (from {paired[0]:.3f} to "
            f"{paired[-1]:.3f}); CPU {extra:+.2f} s"
        )
    if options.warm_runs:
        warm(routine, options.warm_runs, options.other)


def warm(routine: str, runs: int, other: Path | None) -> None:
    """Exports from a voice cache that holds every cue, interleaved."""
    arms = [
        Arm("export -o X.wav", ["export", routine, "-o", "session.wav"]),
        Arm("export -o X.mp3", ["export", routine, "-o", "session.mp3"]),
    ]
    if other is not None:
        other = other.resolve()
        arms.append(Arm(f"export, {other}", ["export", routine, "-o", "session.mp3"], other))
    samples: dict[str, list[Sample]] = {arm.name: [] for arm in arms}
    with tempfile.TemporaryDirectory(prefix="glutekit-bench-mp3-warm-") as folder:
        home = Path(folder) / "home"
        run(arms[1], home)  # every cue rendered, bytecode compiled (not timed)
        for arm in arms:
            run(arm, home, warm=True)
        for n in range(runs):
            shift = n % len(arms)
            for arm in arms[shift:] + arms[:shift]:
                samples[arm.name].append(run(arm, home, warm=True))
    print(f"\nwarm {routine}, every cue cached, {runs} runs each, interleaved ({load()})")
    for arm in arms:
        got = samples[arm.name]
        print(
            f"  {arm.name:<22} wall {median(got, 'wall'):6.3f} s   CPU {median(got, 'cpu'):6.3f} s"
            f"   peak {median(got, 'peak_mib'):5.1f} MiB"
        )


if __name__ == "__main__":
    main()
