"""MP3 chapters as FFmpeg reads them: in time order, with the exercises' names.

FFmpeg (under mpv, VLC and many podcast tools) lists an MP3's chapters in the order
their ID3 frames are stored, not in the order of the table of contents. PyAV is
FFmpeg's own reader, so what it lists is what those players show. Every shipped
routine is exported for real and read back.
"""

from __future__ import annotations

import itertools
import json
from array import array
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from conftest import ROUTINES_DIR, run_glutekit

pytest.importorskip("lameenc", reason="MP3 export needs lameenc")
av = pytest.importorskip("av", reason="FFmpeg's chapter reader comes from PyAV (the test extra)")

from glutekit.catalog import Catalog  # noqa: E402
from tests.run_speech import copy_cache  # noqa: E402

#: A chapter starts at its exercise's first cue, to the millisecond the tag holds.
TOLERANCE = 0.050
ROUTINES = sorted(path.stem for path in ROUTINES_DIR.glob("*.json"))


def _ok(*args: str | Path, env: dict[str, str] | None = None) -> str:
    result = run_glutekit(*map(str, args), env=env, timeout=900)
    assert result.returncode == 0, result.stderr
    return result.stdout


def ffmpeg_chapters(path: Path) -> list[dict[str, Any]]:
    """The chapters as FFmpeg lists them: (start s, end s, title), in its order."""
    with av.open(str(path)) as container:
        listed = container.chapters()
    return [
        {
            "start": float(chapter["start"] * chapter["time_base"]),
            "end": float(chapter["end"] * chapter["time_base"]),
            "title": chapter["metadata"].get("title"),
        }
        for chapter in listed
    ]


def expected_chapters(cues: list[dict[str, Any]], title: str, catalog: Catalog) -> list[Any]:
    """(title, start) of each chapter the timeline calls for: one per exercise, in the
    order they are played, after an opening chapter named after the routine."""
    starts: list[tuple[str, float]] = []
    current = None
    for cue in cues:
        exercise = cue["exercise"]
        if exercise and exercise != current:
            current = exercise
            starts.append((catalog.exercise(exercise).name, cue["at"]))
    if starts and starts[0][1] > 0:
        starts.insert(0, (title, 0.0))
    return starts


def export_all(folder: Path, shared_cache: Path) -> dict[str, tuple[Path, list[Any]]]:
    """Every shipped routine as an MP3, with its spoken transcript's cues.

    The exports run one after another: a cue that two of them rendered at once could be
    said a few milliseconds longer in one than in the other (the neural voice varies its
    timing a little from one rendering to the next) and the cache keeps only one. The
    transcripts then find every cue in the cache, as the exports left it. The cache is
    a copy of the run's, so that no other test renders a cue again in between.
    """
    cache = folder / "voice"
    copy_cache(shared_cache, cache)
    env = {"GLUTEKIT_VOICE_CACHE_DIR": str(cache)}
    paths = {routine: folder / f"{routine}.mp3" for routine in ROUTINES}
    for routine, path in paths.items():
        _ok("export", routine, "--format", "mp3", "-o", path, env=env)

    def cues(routine: str) -> list[Any]:
        spoken = _ok("transcript", routine, "--spoken", "--json", env=env)
        found: list[Any] = json.loads(spoken)["cues"]
        return found

    with ThreadPoolExecutor(max_workers=2) as pool:
        return {r: (paths[r], c) for r, c in zip(ROUTINES, pool.map(cues, ROUTINES), strict=True)}


def test_ffmpeg_lists_every_chapter_in_time_order_with_its_exercise(
    tmp_path: Path, catalog: Catalog, shared_voice_cache: Path
) -> None:
    # One test for all routines: the exports are made once, on one worker.
    for routine, (path, cues) in export_all(tmp_path, shared_voice_cache).items():
        chapters = ffmpeg_chapters(path)
        title = catalog.find_routine(routine).title
        expected = expected_chapters(cues, title, catalog)
        print(routine, [(round(c["start"], 3), c["title"]) for c in chapters])
        assert len(expected) >= 3, routine
        assert [c["title"] for c in chapters] == [name for name, _ in expected], routine
        starts = [c["start"] for c in chapters]
        assert starts == sorted(starts) and len(set(starts)) == len(starts), routine
        for chapter, (name, at) in zip(chapters, expected, strict=True):
            assert abs(chapter["start"] - at) <= TOLERANCE, (routine, name, chapter, at)
        # Each chapter runs to the next one, the last to the end of the session.
        for chapter, following in itertools.pairwise(chapters):
            assert chapter["end"] == following["start"], routine
        assert chapters[-1]["end"] >= cues[-1]["at"], routine


def test_chapters_given_out_of_order_are_stored_in_time_order(tmp_path: Path) -> None:
    """The tag writer sorts, whatever order it is handed the chapters in."""
    from glutekit_voice import wavfile
    from glutekit_voice.id3 import ChapterMark, chapter_tag
    from glutekit_voice.mp3 import Mp3Encoder

    marks = [
        ChapterMark(title=f"Part {n}", start_ms=n * 1000, end_ms=(n + 1) * 1000) for n in range(12)
    ]
    shuffled = marks[5:] + marks[:5][::-1]
    encoder = Mp3Encoder(wavfile.RATE, 22050, 64)
    audio = encoder.encode(array("h", bytes(2 * 12 * wavfile.RATE))) + encoder.flush()
    path = tmp_path / "parts.mp3"
    path.write_bytes(chapter_tag(shuffled, title="Parts", toc_title="Parts") + audio)
    chapters = ffmpeg_chapters(path)
    assert [c["title"] for c in chapters] == [m.title for m in marks]
    assert [c["start"] for c in chapters] == [m.start_ms / 1000 for m in marks]
