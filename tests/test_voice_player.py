"""Finding a way to play sound, and saying clearly when there is none."""

from __future__ import annotations

import os
import shutil
import stat
import sys
import time
from pathlib import Path

import pytest
from glutekit_voice import player

#: Found before the tests empty PATH.
SLEEP = shutil.which("sleep")

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="shell scripts stand in for players"
)


def install(folder: Path, name: str, script: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    return folder


def test_no_player_program_at_all_says_what_to_install(bin_dir: Path) -> None:
    with pytest.raises(player.NoAudioDevice) as caught:
        player.find_player()
    assert "no audio player found" in str(caught.value)
    assert "apt-get install alsa-utils" in caught.value.fix


def test_aplay_without_a_sound_card_is_reported_with_alsas_own_words(bin_dir: Path) -> None:
    # What aplay does on a machine with no sound card.
    install(
        bin_dir, "aplay", 'echo "aplay: main:831: audio open error: No such file" >&2\nexit 1\n'
    )
    with pytest.raises(player.NoAudioDevice) as caught:
        player.find_player()
    assert caught.value.what == "no audio device: aplay: main:831: audio open error: No such file"


@pytest.mark.realtime
def test_a_player_that_never_answers_does_not_hang_the_run(
    bin_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(player, "PROBE_TIMEOUT", 0.3)
    install(bin_dir, "paplay", f"exec {SLEEP} 30\n")
    start = time.monotonic()
    with pytest.raises(player.NoAudioDevice, match=r"paplay: no answer within 0\.3 s"):
        player.find_player()
    assert time.monotonic() - start < 3


def test_the_first_player_that_works_is_chosen(bin_dir: Path) -> None:
    install(bin_dir, "aplay", "exit 1\n")
    install(bin_dir, "paplay", 'test -s "$1"\n')  # plays (accepts) any non-empty file
    chosen = player.find_player()
    assert chosen.name == "paplay"
    assert os.environ["PATH"] == str(bin_dir)
