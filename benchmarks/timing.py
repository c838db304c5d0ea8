"""Timing of a spoken session on the one audio stream, with and without both cores busy.

Plays ``quick-five`` (about six minutes with speech) at --speed 1 through miniaudio's
null backend, which takes samples in real time with no sound card, in a fresh process
each time. During the run it pauses, resumes, skips and goes back once each. Prints,
for a run on an idle machine (the baseline) and a run while busy loops keep every
core at 100%, alternating:

- underruns: times the device waited longer than its whole buffer (target 0);
- the end drift of the audio clock against the wall clock;
- the largest error of a cue's start against its planned sample;
- pause, resume, skip and back latency, key to sound (target <= 150 ms).

    python benchmarks/timing.py [--runs 1] [--routine quick-five]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

#: When the child presses each key, in seconds from the session's start.
KEYS = (("pause", 20.0), ("resume", 22.0), ("skip", 40.0), ("back", 70.0))


def child(routine: str) -> None:
    """Play the routine through the null backend and print what happened, as JSON."""
    os.environ["GLUTEKIT_AUDIO_BACKEND"] = "null"
    from glutekit.session import open_session

    session = open_session(routine, outputs=("voice",))
    voice = session.outputs[0][1]
    stream = voice.stream  # type: ignore[attr-defined]
    if stream is None:
        raise SystemExit("no stream: " + str(voice.off_reason))  # type: ignore[attr-defined]
    pressed: dict[str, tuple[float, int]] = {}

    def keys() -> None:
        began = time.perf_counter()
        for key, at in KEYS:
            # A random part of a period later each time, so presses do not all fall
            # at the same point between two blocks.
            at += random.uniform(0.0, 0.05)
            time.sleep(max(0.0, began + at - time.perf_counter()))
            pressed[key] = (time.perf_counter(), len(stream.applied))
            getattr(session.controls, key)()

    threading.Thread(target=keys, daemon=True).start()
    frames_before = stream.frames
    wall = time.perf_counter()
    result = session.play()
    wall = time.perf_counter() - wall
    frames = stream.frames - frames_before
    applied = list(stream.applied)
    latency = {key: applied[index].heard - at for key, (at, index) in pressed.items()}
    # Cue starts against their planned samples, within each stretch between two jumps.
    errors = []
    seeks = [a for a in applied if a.kind == "seek"]
    for clip in stream.started:
        origin = max((s for s in seeks if s.frame <= clip.frame), key=lambda s: s.frame)
        planned = origin.origin + clip.placement.start
        if planned >= origin.frame:
            errors.append(abs(clip.frame - planned))
    print(
        json.dumps(
            {
                "status": result.summary.status,
                "underruns": stream.underruns,
                "drift_ms": 1000 * (frames / stream.rate - wall),
                "played_s": frames / stream.rate,
                "cues": len(stream.started),
                "worst_start_error_samples": max(errors, default=0),
                "latency_ms": {k: 1000 * v for k, v in latency.items()},
            }
        )
    )


def busy_loops(count: int) -> list[subprocess.Popen[bytes]]:
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


def run_child(routine: str, cache: Path, busy: bool) -> dict[str, Any]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    loops = busy_loops(os.cpu_count() or 2) if busy else []
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", routine],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()
    if done.returncode != 0:
        raise SystemExit(f"the session failed: {done.stderr.strip()}")
    data: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return data


def warm_cache(routine: str, cache: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    subprocess.run(
        [sys.executable, "-m", "glutekit", "transcript", routine, "--spoken"],
        capture_output=True,
        env=env,
        check=True,
    )


def report(label: str, runs: list[dict[str, Any]]) -> None:
    def median(key: str) -> float:
        return statistics.median(float(r[key]) for r in runs)

    latency = {key: statistics.median(r["latency_ms"][key] for r in runs) for key, _ in KEYS}
    print(f"{label} ({len(runs)} run(s), medians; {runs[0]['played_s']:.0f} s of audio each)")
    print(f"  underruns            {median('underruns'):6.0f}        (target 0)")
    print(f"  end drift            {median('drift_ms'):8.1f} ms   (audio clock - wall clock)")
    print(f"  worst cue start      {median('worst_start_error_samples'):6.0f} samples")
    shown = "  ".join(f"{k} {v:.0f} ms" for k, v in latency.items())
    print(f"  latency              {shown}   (target <= 150 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--routine", default="quick-five")
    parser.add_argument("--child", metavar="ROUTINE", help=argparse.SUPPRESS)
    parser.add_argument("--loaded-only", action="store_true", help="skip the baseline run")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    with tempfile.TemporaryDirectory(prefix="glutekit-bench-") as folder:
        cache = Path(folder)
        warm_cache(args.routine, cache)
        idle: list[dict[str, Any]] = []
        loaded: list[dict[str, Any]] = []
        for _ in range(args.runs):
            if not args.loaded_only:
                idle.append(run_child(args.routine, cache, busy=False))
            loaded.append(run_child(args.routine, cache, busy=True))
    if idle:
        report("no added load (baseline)", idle)
    report(f"every core busy ({os.cpu_count()} busy loops)", loaded)


if __name__ == "__main__":
    main()
