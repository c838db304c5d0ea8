"""``--music FILE`` and ``--music-duck DB`` of ``glutekit run`` and ``glutekit export``.

The core only carries the values: the plugin that speaks decodes the file and mixes
it under the voice (``OutputOptions.values`` for a live session, ``ExportRequest.options``
for a file), and says in one line what is wrong with a file it cannot play.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from glutekit.cli.voice_options import BadVariable, _FromEnvironment

_F = TypeVar("_F", bound=Callable[..., Any])

ENV_DUCK = "GLUTEKIT_MUSIC_DUCK"
MUSIC_KEYS = ("music", "music_duck")


def music_options(func: _F) -> _F:
    """Add ``--music`` and ``--music-duck``."""
    func = click.option(
        "--music-duck",
        "music_duck",
        type=_FromEnvironment(click.FloatRange(0, 40), ENV_DUCK, "a number of dB from 0 to 40"),
        metavar="DB",
        envvar=ENV_DUCK,
        help="How far the music dips while the coach speaks, in dB (0-40; default 12). "
        f"[env: {ENV_DUCK}]",
    )(func)
    return click.option(
        "--music",
        "music",
        type=click.Path(path_type=Path),
        metavar="FILE",
        help="Play this music (MP3, OGG, FLAC or WAV) under the voice, looped to fill the "
        "session and ducked while the coach speaks.",
    )(func)


def music_values(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Take the music options out of a command's keyword arguments (none without --music).

    :raises InputError: for a bad ``GLUTEKIT_MUSIC_DUCK``, only when there is music.
    """
    from glutekit.errors import InputError

    music, duck = (kwargs.pop(key, None) for key in MUSIC_KEYS)
    if music is None:
        return {}
    if isinstance(duck, BadVariable):
        raise InputError(f"{duck.name}: {duck.problem} (got {duck.value!r})")
    values: dict[str, Any] = {"music": str(music)}
    if duck is not None:
        values["music_duck"] = duck
    return values
