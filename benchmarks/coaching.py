"""Coaching: what a listener gets from each ready-made routine, voiced and as text.

For every ready-made routine, compiled around the default voice's real speech
lengths (every cue rendered) and, as the baseline in the same run, around the
lengths estimated from the words (the text session):

- the least quiet to settle before a hold or set, and to change sides (rule 1: 4 s
  or more; rule 2: the exercise's transition);
- the share of form cues heard (each counted once per exercise step done);
- the number of spoken safety lines (one) and spoken cautions;
- the voiced and the stated length (within 5%), and the text session's length;
- how many coaching rules the voiced session breaks.

Speech is rendered into a throw-away cache, so the first routine pays for rendering.

Run: python benchmarks/coaching.py [ROUTINE_ID ...]
"""

from __future__ import annotations

import os
import sys
import tempfile


def main() -> None:
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="glutekit-bench-coaching-")
    from glutekit.catalog import Catalog
    from glutekit.host.offers import EXPORTERS
    from glutekit.host.plugins import make_plugin_host
    from glutekit.interfaces import ExportOptions
    from glutekit.model.durations import clock
    from glutekit.timeline import coaching
    from glutekit.timeline.played import voiced_timeline

    host = make_plugin_host()
    catalog = Catalog.build(host, user_routines=False)
    speaking = [e for _, e in EXPORTERS.offered(host).values() if e.speech_lengths]
    if not speaking:
        sys.exit("no speaking exporter is installed (the glutekit_voice plugin)")
    exporter = speaking[0]

    def measure(texts):  # type: ignore[no-untyped-def]
        return exporter.speech_lengths(list(texts), ExportOptions())

    def seconds(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}"

    ids = sys.argv[1:] or sorted(r.id for r in catalog.routines.values() if r.plugin == "glutes")
    print(
        f"{'routine':<20} {'settle':>6} {'switch':>6} {'cues heard':>12} {'safety':>6} "
        f"{'caution':>7} {'voiced':>6} {'stated':>6} {'off':>5} {'text':>6} {'rules':>5}"
    )
    for routine_id in ids:
        routine = catalog.find_routine(routine_id)
        voiced, lengths = voiced_timeline(routine, catalog, measure)
        text, _ = voiced_timeline(routine, catalog, None)
        got = coaching.figures(routine, catalog, voiced, lengths)
        broken = coaching.check(routine, catalog, voiced, lengths)
        off = "-" if got.stated is None else f"{(got.played - got.stated) / got.stated:+.0%}"
        share = f"{got.cues_heard}/{got.cues_total}"
        print(
            f"{routine_id:<20} {seconds(got.min_settle):>6} {seconds(got.min_switch):>6} "
            f"{share:>12} {got.safety_lines:>6} {got.spoken_cautions:>7} "
            f"{clock(got.played):>6} {clock(got.stated) if got.stated else '-':>6} {off:>5} "
            f"{clock(text.duration):>6} {len(broken):>5}"
        )
    print("settle/switch: least quiet in seconds; text: the same routine as a text session")


if __name__ == "__main__":
    main()
