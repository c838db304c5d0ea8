"""Run a routine with the voice, from Python, without the command line.

    python examples/api/run_session.py [ROUTINE_ID_OR_FILE] [SPEED]

Prepares the session (outputs chosen, every cue rendered, the timeline fitted around
the speech), plays it, and prints how it ended. Ctrl-C stops it cleanly.
"""

from __future__ import annotations

import sys

from glutekit.errors import GlutekitError
from glutekit.session import open_session, summary_line


def main(argv: list[str]) -> int:
    routine = argv[0] if argv else "quick-five"
    speed = float(argv[1]) if len(argv) > 1 else 1.0
    try:
        session = open_session(routine, speed=speed)
    except GlutekitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    result = session.play()
    print(summary_line(result.summary))
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
