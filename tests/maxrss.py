"""Run a command and print its peak memory (resident set, KiB) as the last line on stderr.

``python tests/maxrss.py CMD ...``: Ctrl-C and SIGTERM are passed on to the command, so it
stops as it would for a user; the exit status is the command's.
"""

from __future__ import annotations

import resource
import signal
import subprocess
import sys


def main() -> int:
    child = subprocess.Popen(sys.argv[1:])

    def forward(signum: int, frame: object) -> None:
        child.send_signal(signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    code = child.wait()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"maxrss-kib {peak}", file=sys.stderr, flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
