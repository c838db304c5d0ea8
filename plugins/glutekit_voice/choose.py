"""Which backend and voice speak: the backend asked for, or the best one that has the voice.

With ``--voice-backend auto`` (the default) the backends are tried best first (Piper
where its plugin is installed, pyttsx3, macOS say, the espeak-ng command). The first that
starts is used, unless ``--voice`` names a voice it does not have: then the next backend
that has it speaks, so ``--voice de`` reaches espeak-ng's German while English stays with
Piper.
"""

from __future__ import annotations

from glutekit.errors import InputError
from glutekit.interfaces import VoiceInfo
from glutekit_voice.backends import (
    ModelBackend,
    SpeechUnavailable,
    backend_for_model,
    backend_names,
    resolve_voice,
)
from glutekit_voice.owner import OwnerThread, owner_thread
from glutekit_voice.render import BASE_TIMEOUT
from glutekit_voice.settings import VoiceSettings


def _names(settings: VoiceSettings) -> list[str]:
    if settings.backend != "auto":
        return [settings.backend]
    if settings.voice:
        owner = backend_for_model(settings.voice)
        if owner is not None:
            return [owner]
    return backend_names()


def _started(name: str, settings: VoiceSettings) -> OwnerThread:
    """The owner thread of backend ``name``, started, with the plugins' models handed over."""
    owner = owner_thread(name)
    if isinstance(owner.backend(), ModelBackend):
        models = settings.models
        owner.call(lambda b: b.add_models(models), timeout=BASE_TIMEOUT)
    return owner


def _voices(owner: OwnerThread) -> list[VoiceInfo]:
    return owner.call(lambda b: b.voices(), timeout=BASE_TIMEOUT * 3)


def open_voice(settings: VoiceSettings) -> tuple[OwnerThread, str | None]:
    """The owner thread that will speak, and the voice id to ask it for.

    :raises SpeechUnavailable: when no backend starts, naming each and its fix.
    :raises InputError: when ``settings.voice`` matches no voice of the backends tried.
    """
    problems: list[SpeechUnavailable] = []
    unknown: InputError | None = None
    names = _names(settings)
    for name in names:
        try:
            owner = _started(name, settings)
        except SpeechUnavailable as exc:
            problems.append(exc)
            continue
        if isinstance(owner.backend(), ModelBackend):
            voice = _model_voice(owner, settings.voice, name)
            if voice is not None:
                return owner, voice
            unknown = unknown or _no_such_voice(settings.voice, name)
            continue
        if not settings.voice:
            return owner, None
        try:
            return owner, resolve_voice(settings.voice, _voices(owner), name)
        except InputError as exc:
            unknown = unknown or exc
    if unknown is not None:
        if len(names) > 1:
            raise InputError(
                f"--voice: no voice {settings.voice!r} in any speech backend; "
                "run 'glutekit voices' to list them"
            )
        raise unknown
    if len(problems) == 1:
        raise problems[0]
    what = "no speech engine: " + "; ".join(p.what for p in problems)
    raise SpeechUnavailable(what, problems[0].fix)


def _model_voice(owner: OwnerThread, wanted: str | None, name: str) -> str | None:
    """The voice id for ``wanted`` (None: the default voice) of a backend that speaks with
    model files, or None if it has no such voice."""
    if not wanted:
        return str(owner.call(lambda b: b.default_voice(), timeout=BASE_TIMEOUT))
    from_path = owner.call(lambda b: b.voice_from_path(wanted), timeout=BASE_TIMEOUT)
    if from_path is not None:
        return str(from_path)
    try:
        return resolve_voice(wanted, _voices(owner), name)
    except InputError:
        return None


def _no_such_voice(wanted: str | None, backend: str) -> InputError:
    return InputError(
        f"--voice: no voice {wanted!r} in the {backend} backend; "
        f"run 'glutekit voices --voice-backend {backend}' to list them"
    )
