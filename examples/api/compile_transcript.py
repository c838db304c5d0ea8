"""Compile a routine into its timeline and print every cue with its time.

    python examples/api/compile_transcript.py ROUTINE_ID_OR_FILE

The timeline is pure data: the same cues ``glutekit run`` would speak, with no
clock and no sound, which makes it easy to test a routine or feed it elsewhere.
"""

from __future__ import annotations

import sys

from glutekit import timeline
from glutekit.catalog import Catalog
from glutekit.errors import GlutekitError
from glutekit.host.plugins import make_plugin_host


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    catalog = Catalog.build(make_plugin_host())
    try:
        routine = catalog.find_routine(argv[0])
    except GlutekitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    compiled = timeline.compile(routine, catalog)
    for cue in compiled.cues:
        minutes, seconds = divmod(int(cue.at), 60)
        print(f"{minutes:02d}:{seconds:02d}  {cue.kind:<11} {cue.text}")
    print(f"{routine.title}: {compiled.duration:.0f} s, {len(compiled.cues)} cues")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
