"""``glutekit export``: write a routine to a file in any format a plugin offers."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from glutekit.cli import completion as complete
from glutekit.cli.app import App, pass_app
from glutekit.cli.exporting import compile_for, export_options, exporters
from glutekit.cli.music_options import music_options, music_values
from glutekit.cli.output import detail, info
from glutekit.cli.output_path import OUTPUT_PATH
from glutekit.cli.plugin_options import WithPluginOptions, take_declared
from glutekit.cli.sides_option import timing_options, with_timing
from glutekit.cli.voice_options import voice_options, voice_values
from glutekit.errors import GlutekitError, InputError
from glutekit.interfaces import Exporter, ExportRequest
from glutekit.model import BreathPace

#: Written when neither --format nor an output file says otherwise.
DEFAULT_FORMAT = "pdf"


def pick_format(
    known: Mapping[str, tuple[str, Exporter]], wanted: str | None, output: Path | None
) -> str:
    """The format asked for, else the one the output file's suffix names, else PDF."""
    names = (
        ", ".join(f"{f} ({e.suffix})" for f, (_, e) in sorted(known.items()))
        or "none (no exporter plugin is loaded)"
    )
    if wanted is not None:
        if wanted not in known:
            raise InputError(f"unknown format '{wanted}' (known formats: {names})")
        return wanted
    if output is not None and output.suffix:
        suffix = output.suffix.lower()
        matches = sorted(f for f, (_, e) in known.items() if e.suffix.lower() == suffix)
        if suffix.lstrip(".") in matches:
            return suffix.lstrip(".")
        if matches:
            return matches[0]
        raise InputError(
            f"{output}: glutekit does not know the suffix '{output.suffix}'; "
            f"use one of the formats' suffixes or give --format (known formats: {names})"
        )
    if DEFAULT_FORMAT in known:
        return DEFAULT_FORMAT
    raise InputError(f"say which format to write with --format (known formats: {names})")


def write(plugin: str, exporter: Exporter, request: ExportRequest) -> None:
    try:
        (exporter.write_ahead or exporter.write)(request)
    except GlutekitError:
        raise
    except OSError as exc:
        raise GlutekitError(f"cannot write {request.path}: {exc.strerror or exc}") from None
    except Exception as exc:
        raise GlutekitError(
            f"the '{exporter.format}' exporter of plugin '{plugin}' failed: "
            f"{type(exc).__name__}: {exc}"
        ) from exc


@click.command(cls=WithPluginOptions)
@click.argument("routine_ref", metavar="ROUTINE", shell_complete=complete.complete_routine)
@click.option(
    "-f",
    "--format",
    "fmt",
    metavar="FORMAT",
    shell_complete=complete.complete_format,
    help="pdf, html, md, wav, or any format a plugin adds. "
    "Default: the one matching -o's suffix, else pdf.",
)
@click.option(
    "-o",
    "--output",
    type=OUTPUT_PATH,
    help="File to write. Default: ROUTINE-ID.<suffix> in this folder.",
)
@click.option(
    "--paper",
    type=click.Choice(["a4", "letter"]),
    default="a4",
    show_default=True,
    help="Paper size for printable formats.",
)
@click.option("--cards", is_flag=True, help="Add exercise cards after the sheet and log grid.")
@click.option(
    "--cards-only", is_flag=True, help="Only the exercise cards, without the sheet and log grid."
)
@click.option(
    "--weeks",
    type=click.IntRange(1, 52),
    default=4,
    show_default=True,
    help="Weeks in the sheet's log grid.",
)
@voice_options
@music_options
@timing_options
@pass_app
def export(
    app: App,
    /,
    routine_ref: str,
    fmt: str | None,
    output: Path | None,
    paper: str,
    cards: bool,
    cards_only: bool,
    weeks: int,
    first_side: str | None = None,
    breath_pace: BreathPace | None = None,
    **speech: Any,
) -> None:
    """Write ROUTINE (an id or a .json file) to a file: a printable sheet, cards, and more.

    The speech options (--voice, --rate ...) and --music apply to formats that speak,
    such as wav and mp3.
    """
    known = exporters(app)
    name = pick_format(known, fmt, output)
    plugin, exporter = known[name]
    music = music_values(speech)
    if music and not exporter.speaks:
        raise InputError(f"--music only goes with a format that speaks, such as wav; not {name}")
    detail(f"format {name}, written by plugin '{plugin}'")
    routine = with_timing(app.catalog.find_routine(routine_ref), first_side, breath_pace)
    path = output or Path(f"{routine.id}{exporter.suffix}")
    values = {
        "paper": paper,
        "cards": cards,
        "cards_only": cards_only,
        "weeks": weeks,
        **voice_values(speech, speaking=exporter.speaks),
        **music,
        **take_declared(speech),
    }
    # Exporters get no plugin host: what plugins offer for them comes with the options.
    options = export_options(app, values, speaks=exporter.speaks, format=name)
    request = ExportRequest(
        routine=routine,
        timeline=compile_for(exporter, routine, app, options, fit=exporter.write_ahead is None),
        catalog=app.catalog,
        path=path,
        format=name,
        options=options,
    )
    write(plugin, exporter, request)
    info(f"wrote {path} ({name})")
