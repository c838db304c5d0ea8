"""The voices of the speech backends, for ``glutekit voices``."""

from __future__ import annotations

from glutekit.errors import GlutekitError
from glutekit.interfaces import VoiceInfo, VoiceModel
from glutekit_voice.backends import SpeechUnavailable, backend_names
from glutekit_voice.settings import VoiceSettings


def list_voices(backend: str | None, models: tuple[VoiceModel, ...] = ()) -> list[VoiceInfo]:
    """Voices of ``backend``, or of every backend that starts (best first) for None or auto.

    :raises glutekit.errors.InputError: for an unknown backend name.
    :raises GlutekitError: when no speech engine can start, saying how to fix it.
    """
    from glutekit_voice.choose import _started, _voices

    settings = VoiceSettings.from_values({"voice_backend": backend}, models=models)
    names = backend_names() if settings.backend == "auto" else [settings.backend]
    found: list[VoiceInfo] = []
    problems: list[SpeechUnavailable] = []
    for name in names:
        try:
            found += _voices(_started(name, settings))
        except SpeechUnavailable as exc:
            problems.append(exc)
    if not found and problems:
        raise GlutekitError("no voices: " + "; ".join(str(p) for p in problems))
    return found
