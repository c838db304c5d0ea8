"""Spoken coaching for glutekit sessions, and a WAV export of a whole session.

Every cue is rendered to a WAV file before a session starts (by one thread that
owns the speech engine), cached, measured so the timeline can make room for it,
and played at its time by a player thread. See ``docs/voice.md``.

Heavy imports (pyttsx3, the player and renderer modules) wait until a hook runs.
"""

from __future__ import annotations

from collections.abc import Iterable

import glutekit
from glutekit.interfaces import Exporter, OutputSpec, VoiceInfo


@glutekit.hookimpl
def glutekit_outputs() -> Iterable[OutputSpec]:
    from glutekit_voice.output import output_spec

    return [output_spec()]


@glutekit.hookimpl
def glutekit_exporters() -> Iterable[Exporter]:
    from glutekit_voice.export import wav_exporter

    return [wav_exporter()]


@glutekit.hookimpl
def glutekit_voices(backend: str | None) -> list[VoiceInfo] | None:
    from glutekit_voice.voices import list_voices

    return list_voices(backend)
