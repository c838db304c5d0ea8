"""The speech options shared by ``glutekit run`` and ``glutekit export``.

The core only carries these values; the plugin that speaks reads them (from
``OutputOptions.values`` for a live session, ``ExportRequest.options`` for a file).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from glutekit.cli.completion import complete_voice
from glutekit.model.records import record

_F = TypeVar("_F", bound=Callable[..., Any])


@record(frozen=True)
class BadVariable:
    """A speech variable that does not parse; an error only if speech is used."""

    name: str
    value: str
    problem: str


if TYPE_CHECKING:  # click 8.2+ types ParamType as generic; 8.1 cannot subscript it
    _ParamType = click.ParamType[Any]
else:
    _ParamType = click.ParamType


class _FromEnvironment(_ParamType):
    """Checks like ``inner``, but a bad value from the environment is held, not fatal.

    ``GLUTEKIT_RATE=abc glutekit run --no-voice`` must run: nothing speaks.
    """

    def __init__(self, inner: Any, variable: str, expected: str) -> None:
        self.inner = inner
        self.variable = variable
        self.expected = expected
        self.name = inner.name

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return self.inner.convert(value, param, ctx)
        except click.BadParameter:
            from click.core import ParameterSource

            if ctx is None or param is None or param.name is None:
                raise
            if ctx.get_parameter_source(param.name) is not ParameterSource.ENVIRONMENT:
                raise
            return BadVariable(self.variable, str(value), f"must be {self.expected}")

    def get_metavar(self, *args: Any, **kwargs: Any) -> str | None:
        metavar: str | None = self.inner.get_metavar(*args, **kwargs)
        return metavar


#: Option name -> the key it is passed on under.
VOICE_KEYS = ("voice", "rate", "volume", "voice_backend", "countdown")


def voice_options(func: _F) -> _F:
    """Add ``--voice``, ``--rate``, ``--volume``, ``--voice-backend`` and ``--countdown``."""
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
            type=_FromEnvironment(
                click.IntRange(80, 450), "GLUTEKIT_RATE", "whole words per minute, 80 to 450"
            ),
            metavar="WPM",
            envvar="GLUTEKIT_RATE",
            help="Speaking rate in words per minute (80-450; default 165). [env: GLUTEKIT_RATE]",
        ),
        click.option(
            "--volume",
            type=_FromEnvironment(_Volume(0, 1), "GLUTEKIT_VOLUME", "a number from 0 to 1"),
            metavar="0..1",
            envvar="GLUTEKIT_VOLUME",
            help="Speech volume from 0 to 1 (default 1). [env: GLUTEKIT_VOLUME]",
        ),
        click.option(
            "--voice-backend",
            # Any name: plugins add backends, and the plugin that speaks checks the name.
            metavar="NAME",
            envvar="GLUTEKIT_VOICE_BACKEND",
            help="Speech engine (default auto: Piper where its plugin is installed, then "
            "pyttsx3, macOS say, then the espeak-ng command; the first that has the --voice; "
            "plugins can add more). [env: GLUTEKIT_VOICE_BACKEND]",
        ),
        click.option(
            "--countdown",
            type=_FromEnvironment(
                click.Choice(["spoken", "tones"]),
                "GLUTEKIT_COUNTDOWN",
                "one of spoken, tones",
            ),
            envvar="GLUTEKIT_COUNTDOWN",
            help="The 3-2-1 at the end of a hold: said by the voice (spoken, the default) or "
            "soft tones 7 dB under the speech (tones). [env: GLUTEKIT_COUNTDOWN]",
        ),
    ]
    for decorate in reversed(decorators):
        func = decorate(func)
    return func


def voice_values(kwargs: dict[str, Any], *, speaking: bool = True) -> dict[str, Any]:
    """Take the speech options out of a command's keyword arguments (those that are set).

    A bad value from a ``GLUTEKIT_*`` variable stops the command only when it speaks.

    :raises InputError: naming the variable, when ``speaking``.
    """
    from glutekit.errors import InputError

    values = {key: kwargs.pop(key, None) for key in VOICE_KEYS}
    for value in values.values():
        if isinstance(value, BadVariable) and speaking:
            raise InputError(f"{value.name}: {value.problem} (got {value.value!r})")
    return {
        key: value
        for key, value in values.items()
        if value is not None and not isinstance(value, BadVariable)
    }


class _Volume(click.FloatRange):
    """0 to 1; not-a-number is refused (NaN compares false with both bounds)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if number != number:
            self.fail(f"{value!r} is not a number from 0 to 1", param, ctx)
        return number
