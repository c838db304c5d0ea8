"""``glutekit export ROUTINE --format mp3``: a phone-ready file with a chapter per exercise."""

from __future__ import annotations

import itertools
import json
import wave
from pathlib import Path

import pytest
from conftest import run_glutekit

pytest.importorskip("lameenc", reason="MP3 export needs lameenc")
mutagen_mp3 = pytest.importorskip("mutagen.mp3", reason="MP3 chapters need mutagen")

from mutagen.id3 import ID3  # noqa: E402

from glutekit.catalog import Catalog  # noqa: E402

ROUTINE = "medius-cycle"
TOLERANCE = 0.050


def _ok(*args: str | Path) -> str:
    result = run_glutekit(*map(str, args), timeout=600)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.usefixtures("shared_voice_cache")
def test_mp3_has_one_chapter_per_exercise_at_the_transcript_times(
    tmp_path: Path, catalog: Catalog
) -> None:
    mp3, wav = tmp_path / "session.mp3", tmp_path / "session.wav"
    _ok("export", ROUTINE, "--format", "mp3", "-o", mp3)
    _ok("export", ROUTINE, "--format", "wav", "-o", wav)
    cues = json.loads(_ok("transcript", ROUTINE, "--spoken", "--json"))["cues"]
    # Where each exercise begins in the transcript (its first cue, in order of play).
    starts = [
        (exercise, next(group)["at"])
        for exercise, group in itertools.groupby(cues, key=lambda c: c["exercise"])
        if exercise
    ]
    assert len(starts) >= 3
    tag = ID3(mp3)
    chapters = sorted(tag.getall("CHAP"), key=lambda c: c.start_time)
    routine = catalog.find_routine(ROUTINE)
    exercise_chapters = [c for c in chapters if str(c.sub_frames["TIT2"]) != routine.title]
    assert len(exercise_chapters) == len(starts)
    for chapter, (exercise, at) in zip(exercise_chapters, starts, strict=True):
        assert str(chapter.sub_frames["TIT2"]) == catalog.exercise(exercise).name
        assert abs(chapter.start_time / 1000 - at) <= TOLERANCE, (chapter, at)
    # The table of contents lists every chapter, so a player can skip between them.
    (toc,) = tag.getall("CTOC")
    assert list(toc.child_element_ids) == [c.element_id for c in chapters]
    # The MP3 is as long as the WAV, as its tags say and as a decoder plays it.
    with wave.open(str(wav), "rb") as handle:
        wav_seconds = handle.getnframes() / handle.getframerate()
    assert abs(mutagen_mp3.MP3(mp3).info.length - wav_seconds) <= TOLERANCE
    miniaudio = pytest.importorskip("miniaudio")
    decoded = miniaudio.mp3_get_file_info(str(mp3))
    assert abs(decoded.duration - wav_seconds) <= TOLERANCE


def test_mp3_of_a_routine_is_refused_without_speech_for_unknown_voice(tmp_path: Path) -> None:
    result = run_glutekit(
        "export", ROUTINE, "--format", "mp3", "--voice", "no-such-voice", "-o", tmp_path / "x.mp3"
    )
    assert result.returncode == 2
    assert "no voice 'no-such-voice'" in result.stderr
    assert not (tmp_path / "x.mp3").exists()
