"""Spoken coaching for glutekit sessions, and a WAV export of a whole session.

Every cue is rendered to a WAV file before a session starts (by one thread that owns
the speech engine: Piper when its plugin is installed, pyttsx3, macOS say or the
espeak-ng command), brought to a common loudness, cached, and measured so the timeline
can make room for it. See ``docs/voice.md``.

Heavy imports (pyttsx3, the player and renderer modules) wait until a hook runs.
"""

from __future__ import annotations

from collections.abc import Iterable

import glutekit
from glutekit.interfaces import Exporter, OutputSpec, VoiceInfo, VoiceModel


@glutekit.hookimpl
def glutekit_outputs() -> Iterable[OutputSpec]:
    from glutekit_voice.output import output_spec

    return [output_spec()]


@glutekit.hookimpl
def glutekit_exporters() -> Iterable[Exporter]:
    from glutekit_voice.export import mp3_exporter, wav_exporter

    return [wav_exporter(), mp3_exporter()]


@glutekit.hookimpl
def glutekit_voices(backend: str | None, models: tuple[VoiceModel, ...]) -> list[VoiceInfo] | None:
    from glutekit_voice.voices import list_voices

    return list_voices(backend, models)
