"""What a user waits for at the prompt: CPU time and peak memory of short commands.

Each command runs in a fresh process, as typed, with warm caches (each is run once
before measuring). The baselines run in the same rounds, interleaved with the
subjects, so a busy machine slows both alike: ``python -c "import click"`` (the floor
of any click program) and ``glutekit --version``. ``--before PATH`` adds a third arm:
another checkout of glutekit (``git worktree add PATH REV``), run by the same Python
with that checkout first on its path.

The history rows use a database of ``--sessions`` sessions (100,000 by default) spread
over three years, with eight holds each.

Goals (issue "fast where people wait"), as CPU-time ratios:
``routines`` and ``exercises`` <= 2x ``import click``; ``history`` and
``history --json --limit 20`` <= 1.5x ``--version``; ``history --json`` streams
(peak memory flat: compared with a history of 200 sessions).

    python benchmarks/startup.py [--runs 11] [--sessions 100000] [--before /tmp/old]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from history import fill  # benchmarks/history.py: 8 holds a session over three years
from measure import measure


@dataclass
class Arm:
    """One command line, in one checkout, and what each of its runs cost."""

    label: str
    argv: list[str]
    env: dict[str, str]
    cpu_ms: list[float] = field(default_factory=list)
    peak_kib: list[int] = field(default_factory=list)

    def run(self) -> None:
        # Not from the checkout: "python -m" puts the working folder first on the path,
        # which would run this checkout's glutekit in every arm.
        done = measure(self.argv, env=self.env, cwd=tempfile.gettempdir())
        if done.returncode != 0:
            raise SystemExit(f"{self.label} failed: {done.stderr.decode(errors='replace')[-400:]}")
        self.cpu_ms.append(done.cpu * 1000)
        self.peak_kib.append(done.peak_kib)

    def cpu(self) -> float:
        return statistics.median(self.cpu_ms)

    def peak_mib(self) -> float:
        return max(self.peak_kib) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--before", type=Path, help="another glutekit checkout, as a third arm")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        home = root / "home"
        home.mkdir()
        base_env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("GLUTEKIT_", "XDG_")) and key != "PYTHONDONTWRITEBYTECODE"
        }
        # Compiled modules are kept, as an installed glutekit keeps them.
        base_env.update(HOME=str(home), PYTHONPYCACHEPREFIX=str(root / "pycache"))
        began = time.perf_counter()
        for name, count in (("large", options.sessions), ("small", 200)):
            (root / name).mkdir()
            fill(root / name / "history.sqlite3", count)
        print(f"filled {options.sessions:,} sessions in {time.perf_counter() - began:.1f} s")

        checkouts: list[tuple[str, dict[str, str]]] = [("now", base_env)]
        if options.before is not None:
            old = options.before.resolve()
            path = os.pathsep.join([str(old), str(old / "plugins")])
            checkouts.append(("before", {**base_env, "PYTHONPATH": path}))

        def glutekit(*args: str, data: str = "large") -> list[Arm]:
            history = f" ({data} history)" if "history" in args else ""
            return [
                Arm(
                    f"{name}: glutekit {' '.join(args)}{history}",
                    [sys.executable, "-m", "glutekit", *args],
                    {**env, "GLUTEKIT_DATA_DIR": str(root / data)},
                )
                for name, env in checkouts
            ]

        arms = [
            Arm("python -c 'import click'", [sys.executable, "-c", "import click"], base_env),
            *glutekit("--version"),
            *glutekit("routines"),
            *glutekit("exercises"),
            *glutekit("history"),
            *glutekit("history", "--json", "--limit", "20"),
            *glutekit("history", "--json"),
            *glutekit("history", "--json", data="small"),
        ]
        for arm in arms:  # warm every cache the command fills
            arm.run()
            arm.cpu_ms.clear()
            arm.peak_kib.clear()
        for round_ in range(options.runs):
            order = arms if round_ % 2 == 0 else arms[::-1]
            for arm in order:
                arm.run()
    click_cpu = arms[0].cpu()
    versions = {arm.label.split(":")[0]: arm.cpu() for arm in arms if arm.argv[-1] == "--version"}
    load = os.getloadavg()
    print(
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, load average "
        f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; medians of {options.runs} runs each"
    )
    print(f"{'command':<58} {'CPU ms':>7} {'x click':>8} {'x --version':>12} {'peak MiB':>9}")
    for arm in arms:
        version = versions.get(arm.label.split(":")[0], float("nan"))
        print(
            f"{arm.label:<58} {arm.cpu():7.1f} {arm.cpu() / click_cpu:8.2f} "
            f"{arm.cpu() / version:12.2f} {arm.peak_mib():9.1f}"
        )


if __name__ == "__main__":
    main()
