"""The speech options shared by ``glutekit run`` and ``glutekit export``.

The core only carries these values; the plugin that speaks reads them (from
``OutputOptions.values`` for a live session, ``ExportRequest.options`` for a file).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from glutekit.cli.completion import complete_voice

_F = TypeVar("_F", bound=Callable[..., Any])

#: Option name -> the key it is passed on under.
VOICE_KEYS = ("voice", "rate", "volume", "voice_backend")


def voice_options(func: _F) -> _F:
    """Add ``--voice``, ``--rate``, ``--volume`` and ``--voice-backend`` to a command."""
    decorators = [
        click.option(
            "--voice",
            "voice",
            metavar="NAME",
            shell_complete=complete_voice,
            envvar="GLUTEKIT_VOICE",
            help="Voice id, name or language code (see 'glutekit voices'), or a Piper "
            "voice file (.onnx). [env: GLUTEKIT_VOICE]",
        ),
        click.option(
            "--rate",
            type=click.IntRange(80, 450),
            metavar="WPM",
            envvar="GLUTEKIT_RATE",
            help="Speaking rate in words per minute (80-450; default 165). [env: GLUTEKIT_RATE]",
        ),
        click.option(
            "--volume",
            type=click.FloatRange(0, 1),
            metavar="0..1",
            envvar="GLUTEKIT_VOLUME",
            help="Speech volume from 0 to 1 (default 1). [env: GLUTEKIT_VOLUME]",
        ),
        click.option(
            "--voice-backend",
            type=click.Choice(["auto", "piper", "pyttsx3", "espeak-ng"]),
            envvar="GLUTEKIT_VOICE_BACKEND",
            help="Speech engine (default auto: Piper, then pyttsx3, then the espeak-ng "
            "command; the first that has the --voice). "
            "[env: GLUTEKIT_VOICE_BACKEND]",
        ),
    ]
    for decorate in reversed(decorators):
        func = decorate(func)
    return func


def voice_values(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Take the speech options out of a command's keyword arguments (those that are set)."""
    values = {key: kwargs.pop(key, None) for key in VOICE_KEYS}
    return {key: value for key, value in values.items() if value is not None}
