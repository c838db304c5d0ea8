"""The sound-device helpers the voice and listen plugins share."""

from __future__ import annotations

import os

import pytest

from glutekit.session import devices

miniaudio = pytest.importorskip("miniaudio", reason="miniaudio is not installed")


def test_without_a_named_backend_only_real_devices_are_tried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # miniaudio would fall back to its null backend on a machine with no sound system;
    # then a session would listen to silence without saying so.
    monkeypatch.delenv(devices.ENV_BACKEND, raising=False)
    tried = devices.backends(miniaudio)
    assert miniaudio.Backend.NULL not in tried
    assert miniaudio.Backend.ALSA in tried and miniaudio.Backend.PULSEAUDIO in tried


def test_a_named_backend_is_the_only_one_tried(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(devices.ENV_BACKEND, "null")
    assert devices.backends(miniaudio) == [miniaudio.Backend.NULL]
    monkeypatch.setenv(devices.ENV_BACKEND, "bogus")
    with pytest.raises(devices.UnknownBackend, match="'bogus' is not an audio backend"):
        devices.backends(miniaudio)


def test_what_c_libraries_print_while_probing_is_hidden(capfd: pytest.CaptureFixture[str]) -> None:
    with devices.quiet_stderr():
        os.write(2, b"ALSA lib confmisc.c: cannot find card '0'\n")
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"


def test_a_miniaudio_error_reads_as_words() -> None:
    error = miniaudio.MiniaudioError("failed to init device", -401)
    assert devices.reason(error) == "miniaudio: failed to init device"
