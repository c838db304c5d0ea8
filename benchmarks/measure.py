"""One fresh process measured: wall time, CPU time and peak memory.

The command runs under a tiny launcher (a Python that imports only ``os``), which
starts it, waits for it and reports what the kernel counted. A child's own rusage
also counts the memory of the process it was forked from: measured straight from a
benchmark that has imported glutekit, every command would seem to need at least as
much as the benchmark itself. The launcher is a few MiB, below anything measured.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

_LAUNCHER = """\
import os, sys, time
report, argv = int(sys.argv[1]), sys.argv[2:]
began = time.perf_counter()
pid = os.posix_spawnp(argv[0], argv, os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - began
code = os.waitstatus_to_exitcode(status)
os.write(report, f"{code} {wall} {usage.ru_utime + usage.ru_stime} {usage.ru_maxrss}".encode())
"""


@dataclass(frozen=True)
class Measured:
    returncode: int
    #: Seconds from start to exit, taken by the launcher (its own start-up excluded).
    wall: float
    #: CPU seconds (user + system) of the command and of the children it waited for.
    cpu: float
    #: The command's peak resident memory, KiB.
    peak_kib: int
    stderr: bytes

    @property
    def peak_mib(self) -> float:
        return self.peak_kib / 1024


def measure(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    stdout: int | IO[bytes] = subprocess.DEVNULL,
) -> Measured:
    """Run ``argv`` to its end; its standard error is returned, its output goes to ``stdout``."""
    read, write = os.pipe()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-S", "-c", _LAUNCHER, str(write), *argv],
            env=None if env is None else dict(env),
            cwd=cwd,
            stdout=stdout,
            stderr=subprocess.PIPE,
            pass_fds=(write,),
        )
    finally:
        os.close(write)
    with os.fdopen(read, "rb") as report:
        err = proc.communicate()[1]
        fields = report.read().split()
    if proc.returncode != 0 or len(fields) != 4:
        raise SystemExit(f"could not measure {' '.join(argv)}: {err.decode(errors='replace')}")
    code, wall, cpu, peak = fields
    return Measured(int(code), float(wall), float(cpu), int(peak), err)


def home_env(home: Path, pycache: Path) -> dict[str, str]:
    """This environment with a home of its own for glutekit (its own folders, an empty
    voice cache) and bytecode compiled once into ``pycache`` and kept, as an installed
    glutekit runs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLUTEKIT_")}
    env["HOME"] = str(home)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    for var, sub in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_STATE_HOME", "state"),
    ):
        env[var] = str(home / sub)
    return env
