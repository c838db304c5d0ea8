"""The voice from the command line: options, ``glutekit voices``, and degrading to text."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_glutekit

from glutekit import timeline
from glutekit.catalog import Catalog

ROUTINE = "quick-five"
#: Runs the real CLI with pyttsx3 impossible to import, as on a machine without it.
WITHOUT_PYTTSX3 = "import sys; sys.modules['pyttsx3'] = None; from glutekit.cli import main; main()"


def run_without_pyttsx3(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-c", WITHOUT_PYTTSX3, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


def voice_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "voice" in line]


def test_without_pyttsx3_the_run_says_why_once_and_finishes_with_text() -> None:
    result = run_without_pyttsx3("run", ROUTINE, "--speed", "100", "--voice-backend", "pyttsx3")
    assert result.returncode == 0, result.stderr
    lines = voice_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert "voice off: pyttsx3 cannot be imported" in lines[0]
    assert "pip install pyttsx3" in lines[0] and "goes on with text" in lines[0]
    assert "Finished in" in result.stdout
    # The text cues were all shown.
    assert "That's the end of the session. Well done." in result.stdout


def test_with_no_audio_device_the_timeline_is_the_plain_one(
    catalog: Catalog, tmp_path: Path
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    # No sound card for miniaudio, and no aplay, paplay or afplay on PATH either.
    result = run_glutekit("run", ROUTINE, "--speed", "100", env={"PATH": str(empty)})
    assert result.returncode == 0, result.stderr
    lines = voice_lines(result.stderr)
    assert len(lines) == 1 and "no audio device" in lines[0], result.stderr
    assert "goes on with text" in lines[0] and "--format mp3" in lines[0]
    # Nothing to install would give this machine a sound card: no package is advised.
    assert "apt-get" not in lines[0] and "pip install" not in lines[0]
    assert "ALSA" not in result.stderr  # the C library's own complaints are kept out
    # The session is laid out as a text one: its heading gives the plain timeline's
    # length (how long it then took depends on how busy the machine was: --speed 100
    # turns each tenth of a second late into ten seconds).
    plain = timeline.compile(catalog.find_routine(ROUTINE), catalog)
    heading = re.match(r".*\((\d+):(\d\d)\)$", result.stdout.splitlines()[0])
    assert heading, result.stdout[:200]
    assert int(heading[1]) * 60 + int(heading[2]) == round(plain.duration)
    assert "Finished in" in result.stdout


def test_voices_lists_ids_and_languages() -> None:
    result = run_glutekit("voices", "--language", "en-us")
    assert result.returncode == 0, result.stderr
    ids = [line.split()[0] for line in result.stdout.splitlines()]
    assert "gmw/en-us" in ids
    as_json = run_glutekit("voices", "--json", "--voice-backend", "espeak-ng")
    voices = json.loads(as_json.stdout)
    assert len(voices) > 50
    assert all(v["backend"] == "espeak-ng" and v["id"] and v["languages"] for v in voices)


def test_voices_with_an_unknown_backend_is_a_usage_error() -> None:
    result = run_glutekit("voices", "--voice-backend", "festival")
    assert result.returncode == 2
    assert "unknown voice backend 'festival'" in result.stderr
    assert "auto, piper, pyttsx3, say, espeak-ng" in result.stderr


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--rate", "20"], {}, "--rate"),
        (["--volume", "1.5"], {}, "--volume"),
        ([], {"GLUTEKIT_RATE": "fast"}, "GLUTEKIT_RATE: must be whole words per minute"),
    ],
)
def test_bad_voice_options_are_refused_before_the_session(
    args: list[str], env: dict[str, str], message: str
) -> None:
    result = run_glutekit("run", ROUTINE, "--speed", "100", *args, env=env)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Finished" not in result.stdout


def test_an_unknown_voice_names_the_voice_and_how_to_list_them() -> None:
    result = run_glutekit("run", ROUTINE, "--speed", "1000", "--voice", "klingon-opera")
    assert "klingon-opera" in result.stderr and "glutekit voices" in result.stderr
    # The user asked for something that does not exist: refuse, don't run without it.
    assert result.returncode == 2
    assert "Finished" not in result.stdout


#: One exercise with its full set-up: at a rate no other test uses, each of its cues is
#: rendered afresh, so it is kept to a dozen.
#: A few long lines and nothing else: each rate renders five cues (the safety line and the
#: closing line too), not the two dozen of an exercise, and the lines are long enough for
#: the rate to move the session's length by seconds.
SPOKEN_LINES = {
    "id": "spoken-lines",
    "title": "Spoken lines",
    "steps": [
        {"say": "Sit tall, let your shoulders drop, and breathe out slowly through your mouth."},
        {"say": "Let your knees fall gently to one side, then bring them back to the middle."},
        {"say": "Rest your hands on your belly and feel it rise as you breathe in."},
    ],
}


@pytest.mark.usefixtures("shared_voice_cache")
def test_export_takes_the_speech_options(tmp_path: Path) -> None:
    import wave

    routine = tmp_path / "spoken-lines.json"
    routine.write_text(json.dumps(SPOKEN_LINES))
    lengths = {}
    for rate in ("120", "300"):
        out = tmp_path / f"rate-{rate}.wav"
        result = run_glutekit("export", routine, "-o", out, "--rate", rate)
        assert result.returncode == 0, result.stderr
        with wave.open(str(out)) as wav:
            lengths[rate] = wav.getnframes() / wav.getframerate()
    # Slower speech needs more room, so the fitted session (and its WAV) is longer.
    assert lengths["120"] > lengths["300"] + 5, lengths


@pytest.mark.usefixtures("shared_voice_cache")
def test_spoken_transcript_is_the_timeline_the_wav_plays(tmp_path: Path) -> None:
    import wave

    plain = json.loads(run_glutekit("transcript", ROUTINE, "--json").stdout)
    result = run_glutekit("transcript", ROUTINE, "--json", "--spoken")
    assert result.returncode == 0, result.stderr
    spoken = json.loads(result.stdout)
    # The text timeline estimates speech from the words: the same session, about as long...
    assert abs(spoken["duration"] - plain["duration"]) < 0.1 * spoken["duration"]
    setup = ("announce", "instruction", "settle", "switch", "safety")
    assert [c["text"] for c in spoken["cues"] if c["kind"] in setup] == [
        c["text"] for c in plain["cues"] if c["kind"] in setup
    ]
    # ...and the WAV export plays exactly that timeline.
    out = tmp_path / "session.wav"
    assert run_glutekit("export", ROUTINE, "-o", out).returncode == 0
    with wave.open(str(out)) as wav:
        assert abs(wav.getnframes() / wav.getframerate() - spoken["duration"]) < 0.05
    # No cue starts while the one before it is still being said.
    starts = [c["at"] for c in spoken["cues"]]
    assert starts == sorted(starts)
