"""``glutekit compose`` and ``glutekit strategies``.

The compose options are defined once, in :func:`compose_options`, so that
``glutekit run --compose`` accepts exactly the same ones.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from glutekit.cli import completion as complete
from glutekit.cli.app import App, pass_app
from glutekit.cli.output import Column, info, print_json, print_table
from glutekit.cli.output_path import OUTPUT_PATH
from glutekit.compose import LEVELS, PLACES
from glutekit.model import Routine

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_STRATEGY = "cycle"

_OPTIONS: tuple[Callable[[Any], Any], ...] = (
    click.option(
        "--target",
        "targets",
        multiple=True,
        metavar="MUSCLE",
        shell_complete=complete.complete_muscle,
        help="Muscle to work, such as gluteus_medius, or a region or muscle group, "
        "such as hip or upper_back, for every muscle in it (repeatable).",
    ),
    click.option(
        "--symptom",
        metavar="ID",
        shell_complete=complete.complete_symptom,
        help="Where it hurts, such as outer-hip; picks the muscles for you "
        "(see 'glutekit compose --symptoms').",
    ),
    click.option(
        "--minutes",
        type=float,
        default=10.0,
        show_default=True,
        help="How long the routine should last (it lands within ±10%).",
    ),
    click.option(
        "--equipment",
        multiple=True,
        metavar="ITEM",
        shell_complete=complete.complete_equipment,
        help="Equipment you have, such as tennis_ball (repeatable; 'none' for none).",
    ),
    click.option(
        "--place",
        type=click.Choice(list(PLACES)),
        help="Where you are: floor, chair (sitting on a chair or standing), bed (what "
        "works on a mattress), standing, gym, or home (anything without gym kit). Limits "
        "the positions and surfaces, and brings a chair, bed or gym kit with it.",
    ),
    click.option(
        "--avoid",
        multiple=True,
        metavar="WORD",
        shell_complete=complete.complete_avoid,
        help="A position, posture (lying, seated, kneeling, standing) or tag to "
        "leave out (repeatable).",
    ),
    click.option(
        "--level", type=click.Choice(LEVELS), help="Leave out exercises above this level."
    ),
    click.option(
        "--kind",
        "kinds",
        multiple=True,
        metavar="KIND",
        shell_complete=complete.complete_kind,
        help="Only exercises of this kind, such as mobility, stretch or strength "
        "(repeatable; 'glutekit vocabulary kinds' lists them).",
    ),
    click.option(
        "--strategy",
        default=DEFAULT_STRATEGY,
        show_default=True,
        metavar="NAME",
        shell_complete=complete.complete_strategy,
        help="How to choose exercises (see 'glutekit strategies').",
    ),
    click.option(
        "--seed",
        type=int,
        help="Same seed, same routine. Without it a new seed is drawn and recorded "
        "in the routine's description.",
    ),
)


def compose_options(func: F) -> F:
    """Add every ``compose`` option to a command (used by ``compose`` and ``run``)."""
    for option in reversed(_OPTIONS):
        func = option(func)
    return func


def _declared_names() -> frozenset[str]:
    def bare() -> None:
        """Carries the compose options, to read their names."""

    params: list[click.Parameter] = getattr(compose_options(bare), "__click_params__", [])
    return frozenset(str(param.name) for param in params)


#: The parameter names of the compose options, read from their declarations above.
COMPOSE_PARAMETERS = _declared_names()


def compose_options_given(ctx: click.Context) -> list[str]:
    """The compose options given on the command line or by their variables, as typed.

    A value from the config file or a default is not the user asking for it here.
    """
    from click.core import ParameterSource

    given = (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
    return [
        param.opts[0]
        for param in ctx.command.params
        if param.name in COMPOSE_PARAMETERS and ctx.get_parameter_source(param.name) in given
    ]


def composed(app: App, options: dict[str, Any]) -> tuple[dict[str, Any], Routine]:
    """Build the request from parsed options, run the strategy and check the result.

    Prints, on stderr, the screens the routine will say (always, even with --quiet) and
    one line on what the symptom's guidance left out: ``compose`` and ``run --compose``
    say the same.
    """
    from glutekit.compose import build_request, compose, excluded_note, find_strategy
    from glutekit.messages import note

    seed = options.get("seed")
    if seed is None:
        import secrets

        seed = secrets.randbelow(1_000_000)
    request = build_request(
        app.catalog,
        targets=options.get("targets") or (),
        symptom=options.get("symptom"),
        minutes=options.get("minutes", 10.0),
        equipment=options.get("equipment") or (),
        place=options.get("place"),
        avoid=options.get("avoid") or (),
        level=options.get("level"),
        seed=seed,
        kinds=options.get("kinds") or (),
    )
    found = find_strategy(app.host, options.get("strategy") or DEFAULT_STRATEGY)
    data, routine = compose(request, app.catalog, found)
    for screen in routine.screens:
        click.echo(f"Take care: {screen}", err=True)
    left_out = excluded_note(app.catalog, request)
    if left_out:
        note(left_out)
    return data, routine


@click.command()
@compose_options
@click.option(
    "-o",
    "--output",
    type=OUTPUT_PATH,
    help="Write the routine to this file instead of printing it.",
)
@click.option(
    "--symptoms", "list_symptoms", is_flag=True, help="List the symptoms --symptom knows, and exit."
)
@click.option("--json", "as_json", is_flag=True, help="With --symptoms, print the list as JSON.")
@pass_app
def compose(
    app: App, /, output: Path | None, list_symptoms: bool, as_json: bool, **options: Any
) -> None:
    """Build a routine for a muscle or a symptom that fits your time, kit and place.

    Prints the routine as JSON (or writes it with -o), ready for 'glutekit run FILE'.
    When the constraints cannot be met, one line says which and what would work.

    \b
    Examples:
      glutekit compose --target gluteus_medius --minutes 10 --equipment tennis_ball
      glutekit compose --symptom outer-hip --place chair --strategy stretch -o desk.json
    """
    if list_symptoms:
        _print_symptoms(app, as_json)
        return
    data, routine = composed(app, options)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    from glutekit.atomic import write_text

    write_text(output, text)
    steps = len(routine.exercise_ids())
    info(f"wrote {output}: '{routine.title}', {steps} exercises")


def _print_symptoms(app: App, as_json: bool) -> None:
    found = list(app.catalog.symptoms().values())
    if as_json:
        print_json(
            [
                {
                    "id": s.id,
                    "label": s.label,
                    "targets": list(s.targets),
                    "caution": s.caution,
                    "screen": s.screen_text,
                    "excludes": list(s.excludes),
                    "instead": list(s.instead),
                }
                for s in found
            ]
        )
        return
    if not found:
        info("no symptoms known (no pack declares any)")
        return
    print_table(
        [Column(heading="Symptom", no_wrap=True), "Where", "Muscles"],
        [[s.id, s.label, ", ".join(t.replace("_", " ") for t in s.targets)] for s in found],
    )
    # The warning signs are too long for a table column; each gets a line of its own,
    # after a blank line that ends the table.
    cautions = [s for s in found if s.caution]
    if cautions:
        click.echo()
    for symptom in cautions:
        click.echo(f"Take care ({symptom.id}): {symptom.caution}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@pass_app
def strategies(app: App, as_json: bool) -> None:
    """List the strategies 'glutekit compose --strategy' can use."""
    from glutekit.compose import available_strategies

    found = sorted(available_strategies(app.host).items())
    if as_json:
        print_json(
            [
                {"name": name, "description": item.strategy.description, "plugin": item.plugin}
                for name, item in found
            ]
        )
        return
    if not found:
        info("no strategies loaded (is the 'strategies' plugin blocked?)")
        return
    print_table(
        [Column(heading="Strategy", no_wrap=True), "Description", "Plugin"],
        [
            [
                name + (" (default)" if name == DEFAULT_STRATEGY else ""),
                item.strategy.description,
                item.plugin,
            ]
            for name, item in found
        ],
    )
