"""Speech backends from other distributions: found through entry points, never by name."""

from __future__ import annotations

import pytest
from glutekit_voice.backends import (
    SpeechUnavailable,
    backend_for_model,
    backend_names,
    open_backend,
)


def test_built_in_backends_come_after_installed_neural_ones() -> None:
    names = backend_names()
    assert names[-3:] == ["pyttsx3", "say", "espeak-ng"]
    if "piper" in names:  # the Piper plugin is installed (as .ci/test does)
        assert names[0] == "piper"
        assert backend_for_model("/voices/en_GB-alba-medium.onnx") == "piper"


def test_a_blocked_plugin_s_backend_is_not_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLUTEKIT_BLOCK_PLUGINS", "piper")
    assert "piper" not in backend_names()
    assert backend_for_model("voice.onnx") is None
    with pytest.raises(SpeechUnavailable) as refused:
        open_backend("piper")
    assert "no speech backend 'piper' is installed" in str(refused.value)
    assert "plugins/glutekit-piper" in refused.value.fix
