"""``glutekit voices``: the voices a speech plugin offers."""

from __future__ import annotations

from dataclasses import asdict

import click

from glutekit.cli.app import App, pass_app
from glutekit.cli.output import Column, info, print_json, print_table
from glutekit.errors import GlutekitError
from glutekit.interfaces import VoiceInfo


@click.command()
@click.option(
    "--voice-backend",
    "backend",
    metavar="NAME",
    envvar="GLUTEKIT_VOICE_BACKEND",
    help="Speech backend to ask: piper, pyttsx3 or espeak-ng; default: every one, best first. "
    "[env: GLUTEKIT_VOICE_BACKEND]",
)
@click.option("--language", metavar="CODE", help="Only voices for this language, e.g. en or en-gb.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@pass_app
def voices(app: App, backend: str | None, language: str | None, as_json: bool) -> None:
    """List the voices of the speech backends, best first: id, backend, languages, name.

    Pass an id, a name or a language code to 'glutekit run --voice'.
    """
    found = _voices(app, backend)
    if language:
        wanted = language.lower()
        found = [v for v in found if any(_matches(lang, wanted) for lang in v.languages)]
    if as_json:
        print_json([asdict(v) for v in found])
        return
    if not found:
        info("no voices found")
        return
    print_table(
        [Column(heading="ID", no_wrap=True), "Backend", "Languages", "Name"],
        [[v.id, v.backend or "-", ", ".join(v.languages) or "-", v.name] for v in found],
    )


def _voices(app: App, backend: str | None) -> list[VoiceInfo]:
    try:
        from glutekit.session import voice_models

        result: list[VoiceInfo] | None = app.host.hook.glutekit_voices(
            backend=backend, models=voice_models(app.host)
        )
    except GlutekitError:
        raise
    except Exception as exc:
        raise GlutekitError(f"listing voices failed: {type(exc).__name__}: {exc}") from exc
    if result is None:
        raise GlutekitError("no speech plugin is loaded (the 'voice' plugin provides voices)")
    return result


def _matches(language: str, wanted: str) -> bool:
    language = language.lower()
    return language == wanted or language.startswith(wanted + "-")
