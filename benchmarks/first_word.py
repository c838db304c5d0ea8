"""How long a first voiced session keeps its user waiting for the coach's first word.

Each run is the real command, ``glutekit run ROUTINE --events jsonl``, in a fresh
process with an empty voice cache of its own and miniaudio's null device (it takes
sound in real time, as a sound card does). The time is from starting the process to
the session's first ``cue`` event: the moment the first words are handed to the stream.
The process is then stopped with SIGTERM, as a user's Ctrl-C would stop it.

Arms, interleaved run by run:

- ``now``: this checkout.
- ``before`` (with ``--before PATH``): another checkout, on ``PYTHONPATH`` in front of
  this one (for instance ``git worktree add /tmp/old a9e26c9``, where every cue was
  rendered before the session started).
- ``cached``: this checkout with the voice cache already full: the floor.

With ``--burners N``, N busy loops run beside every run (2 per core is a machine loaded
at twice its cores). Reports the median and every figure, with the load average.

    python benchmarks/first_word.py [--routine quick-five] [--runs 5] [--before /tmp/old]
        [--burners 4]
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def first_word(env: dict[str, str], routine: str, timeout: float) -> float:
    """Seconds from starting ``glutekit run`` to its first cue event."""
    began = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "glutekit", "run", routine, "--events", "jsonl"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        # ``python -m`` puts the working folder first on the path: not the checkout's.
        cwd=tempfile.gettempdir(),
        start_new_session=True,
    )
    assert proc.stdout is not None
    try:
        deadline = began + timeout
        for line in proc.stdout:
            if line.startswith('{"event": "cue"'):
                return time.perf_counter() - began
            if time.perf_counter() > deadline:
                break
        raise RuntimeError(f"no cue within {timeout:g} s (exit {proc.poll()})")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _burn() -> None:
    while True:
        pass


@contextlib.contextmanager
def burners(count: int) -> Iterator[None]:
    procs = [multiprocessing.Process(target=_burn, daemon=True) for _ in range(count)]
    for proc in procs:
        proc.start()
    try:
        yield
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--routine", default="quick-five")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", type=Path, help="another glutekit checkout, as an arm")
    parser.add_argument("--burners", type=int, default=0, help="busy loops beside each run")
    parser.add_argument("--timeout", type=float, default=300.0)
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="gk-first-word-"))
    base = {
        **os.environ,
        "HOME": str(work / "home"),
        "XDG_CACHE_HOME": str(work / "home" / "cache"),
        "XDG_DATA_HOME": str(work / "home" / "data"),
        "XDG_CONFIG_HOME": str(work / "home" / "config"),
        "GLUTEKIT_AUDIO_BACKEND": "null",
    }
    arms: list[tuple[str, dict[str, str]]] = [("now", base)]
    if options.before is not None:
        old = options.before.resolve()
        path = os.pathsep.join([str(old), str(old / "plugins")])
        arms.append(("before", {**base, "PYTHONPATH": path}))
    warm_cache = work / "warm"
    arms.append(("cached", {**base, "GLUTEKIT_VOICE_CACHE_DIR": str(warm_cache)}))
    try:
        # The cached arm's voice cache: every cue of the routine, rendered once.
        subprocess.run(
            [sys.executable, "-m", "glutekit", "transcript", options.routine, "--spoken"],
            env={**base, "GLUTEKIT_VOICE_CACHE_DIR": str(warm_cache)},
            capture_output=True,
            check=True,
        )
        figures: dict[str, list[float]] = {name: [] for name, _ in arms}
        loads = []
        with burners(options.burners):
            if options.burners:
                time.sleep(2)  # let the load settle
            for run in range(options.runs):
                for name, env in arms if run % 2 == 0 else list(reversed(arms)):
                    cache = work / f"cold-{name}-{run}"
                    if name != "cached":
                        env = {**env, "GLUTEKIT_VOICE_CACHE_DIR": str(cache)}
                    figures[name].append(first_word(env, options.routine, options.timeout))
                    shutil.rmtree(cache, ignore_errors=True)
                    loads.append(os.getloadavg()[0])
        print(
            f"{options.routine}, empty voice cache, {options.runs} runs per arm, "
            f"{options.burners} busy loop(s) beside, {os.cpu_count()} cores, "
            f"load average {min(loads):.1f} to {max(loads):.1f}"
        )
        print(f"{'arm':<8} {'median s':>9}  runs (s)")
        now = statistics.median(figures["now"])
        for name, values in figures.items():
            median = statistics.median(values)
            ratio = f"  ({median / now:.2f}× now)" if name != "now" else ""
            runs = ", ".join(f"{v:.2f}" for v in values)
            print(f"{name:<8} {median:>9.2f}  {runs}{ratio}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
