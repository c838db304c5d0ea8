"""The macOS 'say' backend, against a stand-in 'say' program (this machine is not a Mac).

The stand-in answers 'say -v ?' with the lines macOS prints, and writes a WAV file of
the requested format for 'say -o', recording its arguments and the text it was given.
"""

from __future__ import annotations

import json
import os
import sys
import wave
from pathlib import Path

import pytest
from glutekit_voice.backends import SayBackend, SpeechUnavailable, VoiceSpec

STAND_IN = r"""#!{python}
import json, sys, wave
args = sys.argv[1:]
if args == ["-v", "?"]:
    print("Samantha            en_US    # Hello, my name is Samantha.")
    print("Daniel              en_GB    # Hello, my name is Daniel.")
    print("Jacques             fr_FR    # Bonjour, je m’appelle Jacques.")
    sys.exit(0)
out = args[args.index("-o") + 1]
with open(out + ".call.json", "w") as fh:
    json.dump({{"args": args, "text": sys.stdin.read()}}, fh)
with wave.open(out, "wb") as handle:
    handle.setnchannels(1)
    handle.setsampwidth(2)
    handle.setframerate(22050)
    handle.writeframes(bytes(4410))
"""


@pytest.fixture
def say(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SayBackend:
    program = tmp_path / "bin" / "say"
    program.parent.mkdir()
    program.write_text(STAND_IN.format(python=sys.executable), encoding="utf-8")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{program.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(sys, "platform", "darwin")
    return SayBackend()


def test_say_lists_the_mac_voices_with_their_languages(say: SayBackend) -> None:
    voices = {v.id: v for v in say.voices()}
    assert set(voices) == {"Samantha", "Daniel", "Jacques"}
    assert voices["Daniel"].languages == ("en-gb", "en")
    assert voices["Jacques"].backend == "say"


def test_say_writes_a_wav_with_the_rate_voice_and_volume(say: SayBackend, tmp_path: Path) -> None:
    out = tmp_path / "cue.wav"
    say.synthesize("Begin.", out, VoiceSpec(voice="Daniel", rate=150, volume=0.5), timeout=30)
    with wave.open(str(out), "rb") as handle:
        assert handle.getframerate() == 22050 and handle.getsampwidth() == 2
    call = json.loads(Path(f"{out}.call.json").read_text(encoding="utf-8"))
    assert call["args"][call["args"].index("-r") + 1] == "150"
    assert call["args"][call["args"].index("-v") + 1] == "Daniel"
    assert "--data-format=LEI16@22050" in call["args"]
    assert call["text"] == "[[volm 0.50]] Begin."


def test_say_is_unavailable_off_macos(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    with pytest.raises(SpeechUnavailable, match="say"):
        SayBackend()
