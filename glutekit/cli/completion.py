"""Shell completion: ``glutekit completion bash|zsh|fish`` and what each argument completes to.

click does the shell side; the functions here list the words that fit each
option: routine and exercise ids, export formats, outputs, voices, and the
vocabulary of the installed packs (muscles, equipment, positions, tags).
They run in a fresh process for every Tab press, with no group callback, so
each builds what it needs and never fails: a broken plugin means no
suggestions, not a traceback in the shell.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # click.shell_completion is imported when a Tab press needs it
    from click.shell_completion import CompletionItem

    from glutekit.catalog import Catalog
    from glutekit.cli.app import App

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_GLUTEKIT_COMPLETE"

Complete = Callable[[click.Context, click.Parameter, str], "list[CompletionItem]"]


def _app(ctx: click.Context) -> App:
    from glutekit.cli.app import App

    root = ctx.find_root()
    return App(plugin_modules=tuple(root.params.get("plugin_modules") or ()))


def _items(
    words: Iterable[str], incomplete: str, help: dict[str, str] | None = None
) -> list[CompletionItem]:
    from click.shell_completion import CompletionItem

    help = help or {}
    return [
        CompletionItem(word, help=help.get(word))
        for word in sorted(set(words))
        if word.startswith(incomplete)
    ]


def _quietly(build: Callable[[App], tuple[Iterable[str], dict[str, str]]]) -> Complete:
    """A completion function that never prints a warning or raises into the shell."""

    def complete(
        ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        try:
            with contextlib.redirect_stderr(io.StringIO()):
                words, help = build(_app(ctx))
        except Exception:
            return []
        return _items(words, incomplete, help)

    return complete


def _catalog_words(pick: Callable[[Catalog], Iterable[str]]) -> Complete:
    return _quietly(lambda app: (pick(app.catalog), {}))


def _routines(app: App) -> tuple[Iterable[str], dict[str, str]]:
    routines = app.catalog.routines
    return routines, {rid: r.title for rid, r in routines.items()}


def _programs(app: App) -> tuple[Iterable[str], dict[str, str]]:
    from glutekit.program.files import load_programs

    found = load_programs(app.host, app.catalog, lambda message: None).programs
    return found, {pid: p.title for pid, p in found.items()}


def _shareable(app: App) -> tuple[Iterable[str], dict[str, str]]:
    routines, titles = _routines(app)
    programs, program_titles = _programs(app)
    return [*routines, *programs], {**titles, **program_titles}


def _exercises(app: App) -> tuple[Iterable[str], dict[str, str]]:
    found = app.catalog.exercises
    return found, {eid: ex.name for eid, ex in found.items()}


def _formats(app: App) -> tuple[Iterable[str], dict[str, str]]:
    from glutekit.cli.exporting import exporters

    known = exporters(app)
    return known, {name: e.description for name, (_, e) in known.items()}


def _outputs(app: App) -> tuple[Iterable[str], dict[str, str]]:
    from glutekit.session import output_specs

    known = output_specs(app.host)
    return known, {name: spec.description for name, (_, spec) in known.items()}


def _voices(app: App) -> tuple[Iterable[str], dict[str, str]]:
    from glutekit.cli.voices import _voices as list_voices

    found = list_voices(app, None)
    return [v.id for v in found], {v.id: v.name for v in found}


def _strategies(app: App) -> tuple[Iterable[str], dict[str, str]]:
    from glutekit.compose import available_strategies

    found = available_strategies(app.host)
    return found, {name: s.strategy.description for name, s in found.items()}


def _symptoms(app: App) -> tuple[Iterable[str], dict[str, str]]:
    found = app.catalog.symptoms()
    return found, {sid: s.label for sid, s in found.items()}


def _vocabulary(category: str) -> Callable[[App], tuple[Iterable[str], dict[str, str]]]:
    """A category's terms, each with its label (synonyms work too, but are not offered)."""

    def words(app: App) -> tuple[Iterable[str], dict[str, str]]:
        terms = app.catalog.vocabulary.terms[category]  # type: ignore[index]
        return terms, {word: term.label for word, term in terms.items()}

    return words


def _muscles(app: App) -> tuple[Iterable[str], dict[str, str]]:
    """Muscles and the body regions a target may name, each with what it is."""
    words, help = _vocabulary("muscles")(app)
    regions = app.catalog.vocabulary.regions()
    extra = {r: f"every muscle of the {r.replace('_', ' ')} region" for r in regions}
    return [*words, *(r for r in regions if r not in help)], {**extra, **help}


def _equipment(app: App) -> tuple[Iterable[str], dict[str, str]]:
    words, help = _vocabulary("equipment")(app)
    return [*words, "none"], {**help, "none": "no equipment at all"}


def _positions(catalog: Catalog) -> set[str]:
    return {ex.position for ex in catalog.exercises.values()}


def _avoidable(catalog: Catalog) -> set[str]:
    from glutekit.catalog.postures import POSTURES

    tags = {t for ex in catalog.exercises.values() for t in ex.tags}
    return tags | _positions(catalog) | {name for name, _ in POSTURES}


complete_routine = _quietly(_routines)
complete_exercise = _quietly(_exercises)
complete_program = _quietly(_programs)
complete_shareable = _quietly(_shareable)
complete_format = _quietly(_formats)
complete_output = _quietly(_outputs)
complete_voice = _quietly(_voices)
complete_strategy = _quietly(_strategies)
complete_symptom = _quietly(_symptoms)
complete_muscle = _quietly(_muscles)
complete_equipment = _quietly(_equipment)
complete_position = _quietly(_vocabulary("positions"))
complete_kind = _quietly(_vocabulary("kinds"))
complete_avoid = _catalog_words(_avoidable)
complete_pack = _catalog_words(lambda catalog: catalog.packs)


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print the script that makes Tab complete glutekit's commands and words.

    It completes commands, options, routine, program and exercise ids, export formats,
    outputs, voices, strategies, symptoms, and the muscles, equipment,
    positions and tags of the installed packs.

    \b
    bash:  add to ~/.bashrc       eval "$(glutekit completion bash)"
    zsh:   add to ~/.zshrc        eval "$(glutekit completion zsh)"
    fish:  run once               glutekit completion fish > ~/.config/fish/completions/glutekit.fish
    """
    from click.shell_completion import get_completion_class

    from glutekit.cli import cli

    cls = get_completion_class(shell)
    assert cls is not None  # every name in SHELLS is one click knows
    click.echo(cls(cli, {}, "glutekit", COMPLETE_VAR).source())
