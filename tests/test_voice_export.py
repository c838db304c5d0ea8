"""``glutekit export ROUTINE --format wav``: the whole spoken session in one file."""

from __future__ import annotations

import itertools
import json
import math
import statistics
import wave
from array import array
from pathlib import Path
from typing import Any

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
    return lengths[cue.text]  # the 3-2-1 is spoken too, by default


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


def _levels(samples: array[int], cues: list[dict[str, Any]]) -> tuple[float, float]:
    """Median speech level (dBFS) of the spoken cues and of the 3-2-1, from the audio."""
    speech, countdown = [], []
    for cue, after in itertools.pairwise(cues):
        level = wavfile.speech_level(window(samples, cue["at"], min(after["at"], cue["at"] + 4)))
        (countdown if cue["kind"] in ("countdown", "tone") else speech).append(level)
    assert countdown
    return (
        20 * math.log10(statistics.median(speech)),
        20 * math.log10(statistics.median(countdown)),
    )


@pytest.mark.usefixtures("shared_voice_cache")
@pytest.mark.parametrize("style", ["spoken", "tones"])
def test_the_countdown_is_as_loud_as_the_transcript_says(tmp_path: Path, style: str) -> None:
    out = tmp_path / f"{style}.wav"
    flags = ["--countdown", style]
    result = run_glutekit("export", ROUTINE, "--format", "wav", "-o", str(out), *flags)
    assert result.returncode == 0, result.stderr
    said = run_glutekit("transcript", ROUTINE, "--spoken", "--json", *flags)
    cues = json.loads(said.stdout)["cues"]
    speech, countdown = _levels(wavfile.read_mono16(out), cues)
    kinds = {c["text"]: c["kind"] for c in cues if c["kind"] in ("countdown", "tone")}
    if style == "spoken":
        # Said by the voice, at the voice's level, and the transcript lists the words.
        assert abs(countdown - speech) <= 3, (speech, countdown)
        assert kinds == {"3.": "countdown", "2.": "countdown", "1.": "countdown"}
    else:
        # Soft tones 6-8 dB under the speech measured in this file, listed as tones.
        assert -8 <= countdown - speech <= -6, (speech, countdown)
        assert kinds == {"(tone) 3": "tone", "(tone) 2": "tone", "(tone) 1": "tone"}


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
