"""A third-party plugin adds a voice backend with an option of its own, without touching the core.

``pitchy`` is installed for real: a module and a ``pitchy-1.0.dist-info`` folder on the
glutekit process's ``PYTHONPATH``, found through its entry points like any installed
distribution. It declares ``--pitch`` (``glutekit_options``) and a speech backend
``pitchy`` (``glutekit.speech_backends``) that speaks every cue as a tone whose frequency
follows the pitch. The tests measure the frequency in the exported WAV files.
"""

from __future__ import annotations

import array
import itertools
import statistics
import textwrap
import wave
from pathlib import Path
from typing import Any

import pytest
from conftest import run_glutekit

PLUGIN = '''
"""pitchy: a voice that speaks in tones, at a pitch of its own option."""

import math
import struct
import wave

import glutekit
from glutekit.interfaces import OptionSpec, VoiceInfo
from glutekit_voice.backends import BackendEntry

RATE = 22050


@glutekit.hookimpl
def glutekit_options():
    return [
        OptionSpec(
            name="pitch",
            help="How high the pitchy voice sounds, in hundredths of an octave.",
            type="int",
            default=0,
            minimum=-100,
            maximum=100,
            env="PITCHY_PITCH",
            commands=("run", "export", "transcript"),
        )
    ]


class Pitchy:
    name = "pitchy"
    detail = "pitchy tones"
    identity = "pitchy/1"

    def voices(self):
        return [VoiceInfo(id="tone", name="Tone", languages=("en",), backend=self.name)]

    def synthesize(self, text, path, spec, timeout):
        frequency = 220.0 * 2 ** (spec.option("pitch", 0) / 100)
        count = int(RATE * 0.06 * max(1, len(text.split())))
        step = 2 * math.pi * frequency / RATE
        samples = [int(12000 * math.sin(step * i)) for i in range(count)]
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes(struct.pack(f"<{count}h", *samples))


BACKEND = BackendEntry(name="pitchy", open=Pitchy, rank=90, options=("pitch",))
'''

ENTRY_POINTS = """\
[glutekit]
pitchy = pitchy

[glutekit.speech_backends]
pitchy = pitchy:BACKEND
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A folder where ``pitchy`` is installed, as pip would leave it."""
    folder = tmp_path / "site"
    info = folder / "pitchy-1.0.dist-info"
    info.mkdir(parents=True)
    (folder / "pitchy.py").write_text(textwrap.dedent(PLUGIN))
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: pitchy\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    return folder


def glutekit(site: Path | None, *args: str | Path, **env: str) -> Any:
    """glutekit with ``pitchy`` installed (or, with ``site`` None, without it)."""
    path = {"PYTHONPATH": str(site)} if site is not None else {}
    return run_glutekit(*map(str, args), env={**path, **env})


def tone_frequency(path: Path) -> float:
    """The frequency of the tones in a WAV file: the median over its 0.1 s windows that
    sound throughout, each measured by counting zero crossings."""
    with wave.open(str(path)) as wav:
        rate = wav.getframerate()
        assert wav.getsampwidth() == 2
        samples = array.array("h", wav.readframes(wav.getnframes()))[:: wav.getnchannels()]
    window = rate // 10
    found = []
    for start in range(0, len(samples) - window, window):
        part = samples[start : start + window]
        if min(max(part), -min(part)) < 1000:
            continue  # silence, or the edge of a cue
        crossings = sum(1 for a, b in itertools.pairwise(part) if (a < 0) != (b < 0))
        found.append(crossings / 2 / (window / rate))
    assert len(found) > 20, f"{path}: hardly any sound"
    return statistics.median(found)


def test_pitch_reaches_the_backend_and_the_cache_keeps_pitches_apart(
    site: Path, tmp_path: Path
) -> None:
    # The voice cache is shared by both exports: a cue rendered at pitch 50 must not be
    # taken for the same cue at pitch 0.
    cache = {"GLUTEKIT_VOICE_CACHE_DIR": str(tmp_path / "voice-cache")}
    frequencies = {}
    for pitch in ("50", "0", "50"):
        out = tmp_path / f"pitch{pitch}.wav"
        result = glutekit(
            site, "export", "quick-five", "-f", "wav", "--voice-backend", "pitchy",
            "--pitch", pitch, "-o", out, **cache,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        frequencies[pitch] = tone_frequency(out)
    assert frequencies["50"] == pytest.approx(220 * 2**0.5, rel=0.02)
    assert frequencies["0"] == pytest.approx(220, rel=0.02)


def test_the_variable_sets_the_pitch_and_the_option_beats_it(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "from-variable.wav"
    args = ("export", "quick-five", "-f", "wav", "--voice-backend", "pitchy", "-o", out)
    assert glutekit(site, *args, PITCHY_PITCH="100").returncode == 0
    assert tone_frequency(out) == pytest.approx(440, rel=0.02)
    assert glutekit(site, *args, "--pitch", "-100", PITCHY_PITCH="100").returncode == 0
    assert tone_frequency(out) == pytest.approx(110, rel=0.02)


def test_help_lists_the_option_only_when_the_plugin_is_installed(site: Path) -> None:
    for command in ("run", "export", "transcript"):
        shown = glutekit(site, command, "--help")
        assert shown.returncode == 0, shown.stderr
        words = " ".join(shown.stdout.split())  # as read, whatever the wrapping
        assert "--pitch N How high the pitchy voice sounds, in hundredths of an octave." in words
        assert "(from -100 to 100; default 0) [env: PITCHY_PITCH; plugin: pitchy]" in words
        assert "--pitch" not in glutekit(None, command, "--help").stdout
    assert "--pitch" not in glutekit(site, "--help").stdout


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        (["--pitch", "500"], {}, "'--pitch': must be a whole number from -100 to 100, got '500'"),
        (["--pitch", "high"], {}, "'--pitch': must be a whole number from -100 to 100"),
        ([], {"PITCHY_PITCH": "1.5"}, "PITCHY_PITCH: must be a whole number from -100 to 100"),
    ],
)
def test_a_bad_pitch_is_one_line_and_exit_2(
    site: Path, tmp_path: Path, args: list[str], env: dict[str, str], named: str
) -> None:
    result = glutekit(
        site, "export", "quick-five", "-f", "wav", "-o", tmp_path / "x.wav", *args, **env
    )
    assert result.returncode == 2
    assert named in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "x.wav").exists()


def test_without_the_plugin_pitch_is_an_unknown_option(tmp_path: Path) -> None:
    result = glutekit(None, "run", "quick-five", "--pitch", "5", "--speed", "1000")
    assert result.returncode == 2
    assert "No such option '--pitch'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_the_backend_is_a_voice_backend_like_the_others(site: Path) -> None:
    listed = glutekit(site, "voices", "--voice-backend", "pitchy")
    assert listed.returncode == 0, listed.stderr
    assert "tone" in listed.stdout
    unknown = glutekit(site, "voices", "--voice-backend", "pitchie")
    assert unknown.returncode == 2
    assert "pitchy" in unknown.stderr  # named among the backends to choose from


def test_shell_completion_offers_the_option(site: Path) -> None:
    words = glutekit(
        site, _GLUTEKIT_COMPLETE="bash_complete", COMP_WORDS="glutekit export quick-five --pi",
        COMP_CWORD="3",
    )  # fmt: skip
    assert "--pitch" in words.stdout, words.stdout + words.stderr


CLASHING = """
import glutekit
from glutekit.interfaces import OptionSpec


@glutekit.hookimpl
def glutekit_options():
    return [
        OptionSpec(name="rate", help="Takes --rate, which run has.", type="int"),
        OptionSpec(name="Loud Mode", help="Not a name.", type="flag"),
        OptionSpec(name="mood", help="A type glutekit does not know.", type="colour"),
        OptionSpec(name="tempo", help="Its default is out of its range.", type="int",
                   default=9, maximum=5),
        OptionSpec(name="shade", help="A choice that works.", type="choice",
                   choices=("warm", "cool"), default="warm", commands=("run",)),
        "not a spec",
    ]
"""


def test_declarations_that_cannot_work_are_named_and_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Any
) -> None:
    (tmp_path / "gk_clash.py").write_text(textwrap.dedent(CLASHING))
    monkeypatch.syspath_prepend(str(tmp_path))
    result = cli("-p", "gk_clash", "run", "--help")
    assert result.exit_code == 0, result.stderr
    warnings = result.stderr.splitlines()
    assert len(warnings) == 5, result.stderr
    assert all("plugin 'gk_clash'" in line for line in warnings)
    assert any("adds an option --rate to 'run', which has one of that name" in w for w in warnings)
    assert any("'Loud Mode'" in w and "lower-case words" in w for w in warnings)
    assert any("'mood'" in w and "'colour' is not one of" in w for w in warnings)
    assert any(
        "'tempo'" in w and "its default must be a whole number up to 5" in w for w in warnings
    )
    assert any("returned str from glutekit_options" in w for w in warnings)
    words = " ".join(result.stdout.split())
    assert "--shade [warm|cool] A choice that works. (default warm)" in words
    assert "Takes --rate" not in words and "--tempo" not in words
    # The choice is checked, and taken only by the command it names.
    bad = cli("-p", "gk_clash", "run", "quick-five", "--shade", "hot")
    assert bad.exit_code == 2
    assert "'--shade': must be one of warm, cool, got 'hot'" in bad.stderr
    assert (
        "No such option '--shade'"
        in cli("-p", "gk_clash", "export", "quick-five", "--shade", "warm").stderr
    )
