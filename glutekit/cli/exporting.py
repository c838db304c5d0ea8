"""Exporters as the commands use them: which plugin writes each format, and a routine's
timeline laid out for one (fitted around the speech, for a format that speaks).

Kept apart from the ``export`` command, so ``transcript --spoken`` does not build it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glutekit.cli.app import App
from glutekit.errors import InputError
from glutekit.host.offers import EXPORTERS, TEMPLATE_DIRS
from glutekit.interfaces import Exporter, ExportOptions
from glutekit.model import Routine, Timeline

if TYPE_CHECKING:
    from glutekit.timeline.played import Measure


def exporters(app: App) -> dict[str, tuple[str, Exporter]]:
    """Format -> (plugin name, exporter); the first plugin to offer a format keeps it."""
    return EXPORTERS.offered(app.host)


def speech_measure(app: App, options: Mapping[str, Any] | None = None) -> Measure | None:
    """The default voice's speech lengths, from the first exporter that speaks; None if none."""
    speaking = [e for _, e in exporters(app).values() if e.speech_lengths is not None]
    if not speaking:
        return None
    measure = speaking[0].speech_lengths
    assert measure is not None
    typed = export_options(app, options or {}, speaks=True)
    return lambda texts: measure(texts, typed)


def export_options(
    app: App, values: Mapping[str, Any], *, speaks: bool, format: str | None = None
) -> ExportOptions:
    """What an exporter is given besides the routine: the options by name, the voice
    models (for a format that speaks) and the template folders plugins offer."""
    from glutekit.session import voice_models

    dirs = TEMPLATE_DIRS.offered(app.host, format=format) if format is not None else []
    return ExportOptions(
        values=dict(values),
        voice_models=voice_models(app.host) if speaks else (),
        template_dirs=tuple(Path(d) for _, d in dirs),
    )


def compile_for(
    exporter: Exporter,
    routine: Routine,
    app: App,
    options: ExportOptions,
    *,
    fit: bool = True,
    plain: Timeline | None = None,
) -> Timeline:
    """The routine's timeline; for a format that speaks, fitted around the speech unless
    ``fit`` is false (an exporter that writes ahead fits it as the speech renders).

    :param plain: the routine's timeline with estimated speech, when the caller has
        already compiled it (it is not laid out again).
    """
    from glutekit import timeline

    if plain is None:
        plain = timeline.compile(routine, app.catalog)
    plain = _checked(exporter, plain)
    if exporter.speech_lengths is None or not fit:
        return plain
    lengths = exporter.speech_lengths(timeline.cue_texts(plain), options)
    if not lengths:
        return plain
    settings = timeline.CompileSettings(speech_lengths=lengths)
    return _checked(exporter, timeline.compile(routine, app.catalog, settings))


def _checked(exporter: Exporter, compiled: Timeline) -> Timeline:
    reason = exporter.refuse(compiled) if exporter.refuse is not None else None
    if reason:
        raise InputError(f"cannot export '{compiled.routine_id}' as {exporter.format}: {reason}")
    return compiled
