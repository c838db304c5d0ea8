"""The voices of a speech backend, for ``glutekit voices``."""

from __future__ import annotations

from glutekit.errors import GlutekitError
from glutekit.interfaces import VoiceInfo
from glutekit_voice.backends import SpeechUnavailable
from glutekit_voice.render import open_owner
from glutekit_voice.settings import VoiceSettings


def list_voices(backend: str | None) -> list[VoiceInfo]:
    """Voices of ``backend`` (or of the backend chosen as for a session when None).

    :raises glutekit.errors.InputError: for an unknown backend name.
    :raises GlutekitError: when no speech engine can start, saying how to fix it.
    """
    name = VoiceSettings.from_values({"voice_backend": backend}).backend
    try:
        owner = open_owner(name)
    except SpeechUnavailable as exc:
        raise GlutekitError(f"no voices: {exc}") from None
    return owner.call(lambda b: b.voices(), timeout=30.0)
