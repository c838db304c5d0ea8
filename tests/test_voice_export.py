"""``glutekit export ROUTINE --format wav``: the whole spoken session in one file."""

from __future__ import annotations

import itertools
import wave
from array import array
from pathlib import Path

import pytest
from conftest import run_glutekit
from glutekit_voice import wavfile
from glutekit_voice.render import CueRenderer
from glutekit_voice.settings import VoiceSettings

from glutekit import timeline
from glutekit.catalog import Catalog
from glutekit.model import Cue, Timeline

ROUTINE = "quick-five"
#: Margins around each sound, for rounding to whole frames and engine fade-outs.
EDGE = 0.03


def spoken_timeline(catalog: Catalog) -> tuple[Timeline, dict[str, float]]:
    """The timeline the exporter builds, from the same (cached) speech."""
    routine = catalog.find_routine(ROUTINE)
    plain = timeline.compile(routine, catalog)
    rendered = CueRenderer(VoiceSettings()).render_all(timeline.cue_texts(plain))
    lengths = {text: cue.seconds for text, cue in rendered.items()}
    settings = timeline.CompileSettings(speech_lengths=lengths)
    return timeline.compile(routine, catalog, settings), lengths


def sounding(cue: Cue, lengths: dict[str, float]) -> float:
    return 0.12 if cue.kind == "countdown" else lengths[cue.text]


def window(samples: array[int], start: float, end: float) -> array[int]:
    return samples[round(start * wavfile.RATE) : round(end * wavfile.RATE)]


@pytest.mark.usefixtures("shared_voice_cache")
def test_the_wav_lasts_as_long_as_the_transcript_with_sound_only_at_cues(
    catalog: Catalog, tmp_path: Path
) -> None:
    out = tmp_path / "session.wav"
    result = run_glutekit("export", ROUTINE, "--format", "wav", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert f"wrote {out}" in result.stderr

    spoken, lengths = spoken_timeline(catalog)
    with wave.open(str(out), "rb") as handle:
        assert (handle.getnchannels(), handle.getsampwidth()) == (1, 2)
        duration = handle.getnframes() / handle.getframerate()
    assert abs(duration - spoken.duration) <= 0.05

    samples = wavfile.read_mono16(out)
    cues = spoken.cues
    first = {kind: next(c for c in cues if c.kind == kind) for kind in ("announce", "begin")}
    countdown = next(c for c in cues if c.kind == "countdown")
    for cue in (first["announce"], first["begin"], countdown):
        level = wavfile.rms(window(samples, cue.at + EDGE, cue.at + 0.1))
        assert level > 0.01, f"no sound at {cue.at:.2f} s ({cue.kind}: {cue.text!r})"

    quiet = 0
    for before, after in itertools.pairwise(cues):
        start, end = before.at + sounding(before, lengths) + EDGE, after.at - EDGE
        if end - start >= 0.5:
            level = wavfile.rms(window(samples, start, end))
            assert level < 0.0005, f"sound between {start:.2f} s and {end:.2f} s"
            quiet += 1
    assert quiet >= 3


def test_a_failed_export_leaves_the_old_file_alone(tmp_path: Path) -> None:
    out = tmp_path / "session.wav"
    out.write_bytes(b"the previous export")
    empty = tmp_path / "bin"
    empty.mkdir()
    # The espeak-ng backend with no espeak-ng program anywhere on PATH.
    env = {"GLUTEKIT_VOICE_BACKEND": "espeak-ng", "PATH": str(empty)}
    result = run_glutekit("export", ROUTINE, "--format", "wav", "-o", str(out), env=env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "espeak-ng" in lines[0] and "apt-get install espeak-ng" in lines[0]
    assert out.read_bytes() == b"the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "session.wav"]
