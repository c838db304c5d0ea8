"""The voice options a user can set: voice, speaking rate, volume and backend.

``glutekit run`` passes them in :attr:`glutekit.interfaces.OutputOptions.values`
(keys ``voice``, ``rate``, ``volume``, ``voice_backend``); anything left unset
falls back to the environment (``GLUTEKIT_VOICE`` …) and then to the defaults here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from glutekit.errors import InputError
from glutekit.interfaces import VoiceModel
from glutekit.model.records import record

ENV_VOICE = "GLUTEKIT_VOICE"
ENV_RATE = "GLUTEKIT_RATE"
ENV_VOLUME = "GLUTEKIT_VOLUME"
ENV_BACKEND = "GLUTEKIT_VOICE_BACKEND"
ENV_COUNTDOWN = "GLUTEKIT_COUNTDOWN"
#: How the 3-2-1 at the end of a hold sounds: said by the voice, or played as soft tones.
COUNTDOWN_STYLES = ("spoken", "tones")
#: How many processes render many missing cues; 1 renders in the glutekit process itself.
ENV_WORKERS = "GLUTEKIT_RENDER_WORKERS"

#: Words per minute. espeak-ng's own default (175) is a little fast for coaching.
DEFAULT_RATE = 165
MIN_RATE = 80
MAX_RATE = 450
#: ``auto`` and the backends shipped here; plugins add more (:func:`backend_choices`).
BACKEND_NAMES = ("auto", "pyttsx3", "say", "espeak-ng")


@record(frozen=True, kw_only=True)
class VoiceSettings:
    """How cues are spoken. ``voice`` None means the backend's default voice."""

    voice: str | None = None
    rate: int = DEFAULT_RATE
    volume: float = 1.0
    backend: str = "auto"
    #: Voice models offered by plugins (``glutekit_voice_models``), passed on by the core.
    models: tuple[VoiceModel, ...] = ()
    #: Values of the options speech backends read (``BackendEntry.options``, declared by
    #: their plugins through ``glutekit_options``), as sorted ``(key, value)`` pairs.
    extra: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def from_values(
        cls,
        values: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
        *,
        models: tuple[VoiceModel, ...] = (),
    ) -> VoiceSettings:
        """Build settings from option values, then the environment, then defaults.

        :raises InputError: for a rate, volume or backend out of range, naming the source.
        """
        values = values or {}
        env = os.environ if env is None else env

        def pick(key: str, var: str) -> tuple[Any, str]:
            if values.get(key) is not None:
                return values[key], f"--{key.replace('_', '-')}"
            if env.get(var):
                return env[var], var
            return None, ""

        voice, _ = pick("voice", ENV_VOICE)
        rate_raw, rate_src = pick("rate", ENV_RATE)
        volume_raw, volume_src = pick("volume", ENV_VOLUME)
        backend_raw, backend_src = pick("voice_backend", ENV_BACKEND)
        return cls(
            voice=str(voice) if voice else None,
            rate=_rate(rate_raw, rate_src),
            volume=_volume(volume_raw, volume_src),
            backend=_backend(backend_raw, backend_src),
            models=models,
            extra=backend_option_values(values),
        )


def countdown_tones(
    values: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
) -> bool:
    """Whether the 3-2-1 is played as tones (``--countdown tones``) rather than spoken.

    :raises InputError: for a style that is neither, naming where it came from.
    """
    values = values or {}
    env = os.environ if env is None else env
    raw, source = values.get("countdown"), "--countdown"
    if raw is None:
        raw, source = env.get(ENV_COUNTDOWN) or None, ENV_COUNTDOWN
    style = str(raw).strip().lower() if raw is not None else "spoken"
    if style not in COUNTDOWN_STYLES:
        raise InputError(
            f"{source}: unknown countdown {raw!r}; choose one of {', '.join(COUNTDOWN_STYLES)}"
        )
    return style == "tones"


def _rate(raw: Any, source: str) -> int:
    if raw is None:
        return DEFAULT_RATE
    try:
        rate = int(raw)
    except (TypeError, ValueError):
        raise InputError(f"{source}: rate must be words per minute, got {raw!r}") from None
    if not MIN_RATE <= rate <= MAX_RATE:
        raise InputError(
            f"{source}: rate must be {MIN_RATE}–{MAX_RATE} words per minute, got {rate}"
        )
    return rate


def _volume(raw: Any, source: str) -> float:
    if raw is None:
        return 1.0
    try:
        volume = float(raw)
    except (TypeError, ValueError):
        raise InputError(f"{source}: volume must be a number from 0 to 1, got {raw!r}") from None
    if not 0.0 <= volume <= 1.0:
        raise InputError(f"{source}: volume must be from 0 to 1, got {volume:g}")
    return volume


def _backend(raw: Any, source: str) -> str:
    if raw is None:
        return "auto"
    name = str(raw).strip().lower()
    names = backend_choices()
    if name not in names:
        raise InputError(
            f"{source}: unknown voice backend {raw!r}; choose one of {', '.join(names)}"
        )
    return name


def backend_choices() -> tuple[str, ...]:
    """``auto`` and every backend installed, best first."""
    from glutekit_voice.backends import backend_names

    return ("auto", *backend_names())


def backend_option_values(values: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """The values of the options that installed backends read, as sorted pairs.

    The core passes every option on by key; a backend says which ones it reads
    (``BackendEntry.options``), so only those become part of what is spoken (and of the
    cache key). Values are kept only when hashable: settings key a dict of renderers.
    """
    from glutekit_voice.backends import registry

    read = {key for entry in registry().values() for key in entry.options}
    found = []
    for key in sorted(read):
        value = values.get(key)
        if value is not None and isinstance(value, (str, int, float, bool)):
            found.append((key, value))
    return tuple(found)


def render_workers(env: Mapping[str, str] | None = None) -> int | None:
    """``GLUTEKIT_RENDER_WORKERS``, or None when it is not set (one process per core).

    :raises InputError: when it is not a whole number from 1 to 64.
    """
    text = (os.environ if env is None else env).get(ENV_WORKERS, "").strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise InputError(
            f"{ENV_WORKERS}: must be a whole number of processes, 1 to 64 (got {text!r})"
        )
    return int(text)
