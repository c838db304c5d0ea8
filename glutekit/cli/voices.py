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
    help="Speech backend to ask: piper, pyttsx3, say or espeak-ng; default: every one, best first. "
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
    """The first plugin's voices; a plugin that raises or returns the wrong type is named."""
    from glutekit.host.plugins import disable_hint
    from glutekit.session import voice_models

    models = voice_models(app.host)
    for plugin, result in app.host.call_each("glutekit_voices", backend=backend, models=models):
        if isinstance(result, list) and all(isinstance(v, VoiceInfo) for v in result):
            return result
        app.host.report(
            f"plugin '{plugin}' returned {type(result).__name__} from glutekit_voices, "
            f"expected a list of VoiceInfo; ignored ({disable_hint(plugin)})"
        )
    raise GlutekitError(
        "no plugin listed any voices (the 'voice' plugin provides them; see 'glutekit plugins')"
    )


def _matches(language: str, wanted: str) -> bool:
    language = language.lower()
    return language == wanted or language.startswith(wanted + "-")
