"""Voice: time to render every cue of the longest ready-made routine, and to export its WAV.

Each figure is printed with its ratio to the routine's own length (the baseline,
measured from its timeline in the same run). Targets: a cold render (empty cache)
within 2% of the routine's length, a warm render (every cue cached) within 0.2 s,
and the WAV export within 3 s for a 15-minute routine (0.33% of its length).

Run: python benchmarks/voice.py [--backend auto|pyttsx3|espeak-ng] [--routine ID]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from glutekit_voice import wavfile
from glutekit_voice.export import WavWriter
from glutekit_voice.render import CueRenderer
from glutekit_voice.settings import VoiceSettings

from glutekit import timeline
from glutekit.catalog import Catalog
from glutekit.model import Routine
from glutekit.plugins import make_plugin_host


def longest_routine(catalog: Catalog) -> tuple[Routine, float]:
    lengths = {
        routine_id: timeline.compile(routine, catalog).duration
        for routine_id, routine in catalog.routines.items()
    }
    routine_id = max(lengths, key=lengths.__getitem__)
    return catalog.routines[routine_id], lengths[routine_id]


def timed(label: str, seconds: float, length: float, target: str) -> None:
    print(f"{label:<26} {seconds:8.3f} s   {100 * seconds / length:7.3f}% of routine   ({target})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", default="auto")
    parser.add_argument("--routine", help="routine id (default: the longest ready-made one)")
    args = parser.parse_args()
    catalog = Catalog.build(make_plugin_host(), user_routines=False)
    if args.routine:
        routine = catalog.find_routine(args.routine)
        plain_length = timeline.compile(routine, catalog).duration
    else:
        routine, plain_length = longest_routine(catalog)
    texts = timeline.cue_texts(timeline.compile(routine, catalog))
    settings = VoiceSettings(backend=args.backend)

    with tempfile.TemporaryDirectory(prefix="glutekit-bench-") as folder:
        cache = Path(folder)
        start = time.perf_counter()
        renderer = CueRenderer(settings, cache_dir=cache / "voice")
        detail = renderer.open()
        opened = time.perf_counter() - start
        rendered = renderer.render_all(texts)
        cold = time.perf_counter() - start

        start = time.perf_counter()
        warm_renderer = CueRenderer(settings, cache_dir=cache / "voice")
        warm_renderer.render_all(texts)
        warm = time.perf_counter() - start

        lengths = {text: cue.seconds for text, cue in rendered.items()}
        spoken = timeline.compile(
            routine, catalog, timeline.CompileSettings(speech_lengths=lengths)
        )
        length = spoken.duration
        # The warm renderer: this measures mixing and writing, not rendering again.
        writer = WavWriter(settings, renderer=warm_renderer)
        start = time.perf_counter()
        samples = writer.mix(spoken)
        wavfile.write_mono16(cache / "session.wav", samples)
        export = time.perf_counter() - start

        start = time.perf_counter()
        wavfile.write_mono16(cache / "silence.wav", wavfile.silence(len(samples)))
        silence = time.perf_counter() - start

    print(f"routine      {routine.id}: {len(texts)} distinct cue texts")
    print(f"engine       {detail} (started in {opened:.3f} s, included in the cold render)")
    print(f"baseline     routine length {length:.1f} s with speech ({plain_length:.0f} s plain)")
    timed("cold render (empty cache)", cold, length, "target <= 2%")
    timed("warm render (all cached)", warm, length, "target <= 0.2 s")
    timed("export WAV (mix + write)", export, length, "target <= 3 s per 15 min = 0.33%")
    timed("  writing silence only", silence, length, "floor for the export")
    print(f"export, scaled to 15 min: {export * 900 / length:.3f} s (target <= 3 s)")


if __name__ == "__main__":
    main()
