"""Median wall time of `glutekit --help` against `python -c pass`, measured in one run.

Target: a ratio of 4 or less.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time


def median_seconds(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    script = shutil.which("glutekit")
    glutekit_cmd = [script, "--help"] if script else [sys.executable, "-m", "glutekit", "--help"]
    # Warm the OS caches once so the first sample is not an outlier for either side.
    median_seconds(glutekit_cmd, 2)
    baseline = median_seconds([sys.executable, "-c", "pass"], args.runs)
    measured = median_seconds(glutekit_cmd, args.runs)
    ratio = measured / baseline
    print(f"python -c pass   median {baseline * 1000:7.1f} ms  ({args.runs} runs)")
    print(f"glutekit --help  median {measured * 1000:7.1f} ms  ({args.runs} runs)")
    print(f"ratio            {ratio:.2f}  (target <= 4)")


if __name__ == "__main__":
    main()
