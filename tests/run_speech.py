"""Speech that many tests need, rendered once for the whole run, on every core.

Rendering a cue with the real voice (Piper) costs about a third of a CPU second, and the
ready-made routines have a few hundred distinct cues. Many tests hear them: voiced
transcripts of every routine, real-time sessions, exports, listening sessions. They all
use the run's shared voice cache (``tests/isolation.py``), so a cue is rendered once per
run; this module renders the ready-made routines' cues up front, split over one process
per CPU core, before the first test that needs them starts, instead of one cue at a time
in whichever test asks first (while another worker renders the same cue).

The first xdist worker to get here renders; the others wait on a lock and find the
work done. Nothing here is faked: the cache is filled by glutekit's own renderer.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

#: Test modules that hear the ready-made routines' speech, or most of it.
SPEECH_MODULES = frozenset(
    {
        "test_glutes_coaching.py",
        "test_voice_stream.py",
        "test_voice_session.py",
        "test_voice_cli.py",
        "test_voice_export.py",
        "test_voice_mp3.py",
        "test_voice_chapters.py",
        "test_voice_music.py",
        "test_listen.py",
        "test_faults.py",
        "test_coaching.py",
        "test_hostile.py",
        "test_crashes.py",
        "test_serve_page.py",
        "test_voice_takes.py",
    }
)

#: Written beside the cache once its ready-made speech is complete.
DONE = "prefill.done"
#: Names one of the ready-made cue files: a test after which it is gone emptied the
#: shared cache (``glutekit cache clear``, say) instead of a cache of its own.
SENTINEL = "prefill.sentinel"

_RENDER = """
import json, sys
from pathlib import Path
from glutekit_voice.render import CueRenderer
from glutekit_voice.settings import VoiceSettings
texts = json.loads(sys.stdin.read())
CueRenderer(VoiceSettings(), cache_dir=Path(sys.argv[1])).render_all(texts)
"""


#: Routines of the tests' own whose speech is rendered up front too, as their modules
#: register them at import (collection imports every module before the first test): the
#: real-time tests would otherwise render it while they measure, one cue at a time.
TEST_ROUTINES: list[dict[str, Any]] = []


def also(routine: dict[str, Any]) -> dict[str, Any]:
    """Render ``routine``'s cues up front with the ready-made ones; returns it."""
    TEST_ROUTINES.append(routine)
    return routine


def wanted(items: Iterable[pytest.Item]) -> bool:
    """Whether any selected test is in a module that hears the ready-made speech."""
    return any(item.path.name in SPEECH_MODULES for item in items)


def ready_made_texts() -> list[str]:
    """Every distinct cue text of the ready-made routines and the tests' registered ones,
    as the default voice says them."""
    from glutekit import timeline
    from glutekit.catalog import Catalog
    from glutekit.host.plugins import make_plugin_host

    host = make_plugin_host(autoload=True, only=None, block=(), strict=False, trace=False)
    catalog = Catalog.build(host, user_routines=False)
    routines = list(catalog.routines.values())
    routines += [catalog.load_routine_data(data, "test") for data in TEST_ROUTINES]
    texts: set[str] = set()
    for routine in routines:
        texts.update(timeline.cue_texts(timeline.compile(routine, catalog)))
    return sorted(texts)


def prefill(folder: Path, say: Callable[[str], None]) -> None:
    """Render every ready-made cue missing from the voice cache ``folder/voice``, once
    per run, on every core (one render process per core)."""
    from glutekit_voice import pool
    from glutekit_voice.render import CueRenderer
    from glutekit_voice.settings import VoiceSettings

    cache = folder / "voice"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "prefill.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be rendering: wait for it
        if (folder / DONE).exists():
            return
        began = time.perf_counter()
        missing = CueRenderer(VoiceSettings(), cache_dir=cache).missing(ready_made_texts())
        failures = []
        # glutekit's renderer splits the work over one process per core by itself.
        proc = subprocess.run(
            [sys.executable, "-c", _RENDER, str(cache)],
            input=json.dumps(missing),
            stderr=subprocess.PIPE,
            text=True,
            # A limit against a hang only: a few hundred cues take a minute or two.
            timeout=1800,
            check=False,
        )
        if proc.returncode != 0:
            failures.append((proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1])
        workers = pool.workers_for(len(missing))
        took = time.perf_counter() - began
        if failures:
            # The tests that hear this speech render what they miss and fail on their own.
            say(f"rendering the ready-made speech up front failed: {'; '.join(failures)}")
            return
        cues = sorted(p.name for p in cache.glob("*.wav"))
        if cues:
            (folder / SENTINEL).write_text(cues[0])
        (folder / DONE).write_text(
            f"{len(missing)} ready-made cue(s) rendered up front into the run's voice cache "
            f"in {took:.0f} s by {workers} process(es)\n"
        )


_sentinel: list[str] = []


def emptied(folder: Path) -> bool:
    """Whether the shared cache lost the ready-made cue named by :data:`SENTINEL`
    (False before the cues are rendered, or when no cue was named)."""
    if not _sentinel:
        try:
            _sentinel.append((folder / SENTINEL).read_text().strip())
        except OSError:
            return False
    return bool(_sentinel[0]) and not (folder / "voice" / _sentinel[0]).exists()


def summary(folder: Path) -> str | None:
    """What :func:`prefill` did in this run, if it ran."""
    try:
        return (folder / DONE).read_text().strip()
    except OSError:
        return None


def still_cached(folder: Path) -> str | None:
    """How many of the cues rendered up front the shared cache still holds, after the
    run; a test that cleared or trimmed the run's cache makes later tests render again."""
    if summary(folder) is None:
        return None
    from glutekit_voice.render import CueRenderer
    from glutekit_voice.settings import VoiceSettings

    texts = ready_made_texts()
    gone = CueRenderer(VoiceSettings(), cache_dir=folder / "voice").missing(texts)
    if not gone:
        return f"the run's voice cache still holds all {len(texts)} ready-made cue(s)"
    return (
        f"WARNING: {len(gone)} of the {len(texts)} ready-made cue(s) went from the run's "
        f"voice cache during the run (a test cleared or trimmed it instead of its own "
        f"cache: mark it own_voice_cache); the tests after it rendered them again"
    )


def copy_cache(shared: Path, copy: Path) -> None:
    """A copy of the shared voice cache's finished cues, taken while other workers may be
    rendering into it.

    A cue is finished once its checksum is written (after its WAV is in place). A render
    still under way (``.render-*`` files) is left out, and so is a WAV whose checksum is
    not there yet, or a cue replaced while it was copied (its WAV gone, or not the one
    its checksum names): copied alone, it would look damaged to the copy's users.
    """
    copy.mkdir(parents=True)
    names = {entry.name for entry in shared.iterdir() if not entry.name.startswith(".")}
    for name in sorted(names):
        stem, _, suffix = name.rpartition(".")
        if suffix == "sha256":
            continue
        if suffix != "wav":
            with contextlib.suppress(FileNotFoundError):
                shutil.copy2(shared / name, copy / name)
            continue
        if f"{stem}.sha256" not in names:
            continue
        try:
            wav = (shared / name).read_bytes()
            checksum = (shared / f"{stem}.sha256").read_text(encoding="ascii")
        except FileNotFoundError:
            continue
        if hashlib.sha256(wav).hexdigest() != checksum.strip():
            continue
        (copy / name).write_bytes(wav)
        (copy / f"{stem}.sha256").write_text(checksum, encoding="ascii")
