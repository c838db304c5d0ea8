"""``glutekit exercises``, ``glutekit show`` and ``glutekit routines``."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import click

from glutekit.cli.app import App, pass_app
from glutekit.model import KINDS, Exercise


def exercise_dict(ex: Exercise) -> dict[str, Any]:
    data = asdict(ex)
    data["equipment"] = [list(need) for need in ex.equipment]
    data["dose_text"] = ex.dose.describe()
    return data


def _matches(
    ex: Exercise,
    secondary: bool,
    target: str | None,
    kind: str | None,
    position: str | None,
    equipment: tuple[str, ...],
    pack: str | None,
) -> bool:
    if target and target not in ex.primary and not (secondary and target in ex.secondary):
        return False
    if kind and ex.kind != kind:
        return False
    if position and ex.position != position:
        return False
    if pack and ex.pack != pack:
        return False
    if equipment:
        have = frozenset(e for e in equipment if e != "none")
        if not ex.usable_with(have):
            return False
    return True


@click.command()
@click.option("--target", metavar="MUSCLE", help="Only exercises that work this muscle.")
@click.option("--kind", type=click.Choice(KINDS), help="Only this kind of exercise.")
@click.option("--position", metavar="POSITION", help="Only this body position.")
@click.option(
    "--equipment",
    multiple=True,
    metavar="ITEM",
    help="Only exercises you can do with this equipment (repeatable; 'none' for none).",
)
@click.option("--pack", metavar="ID", help="Only exercises from this pack.")
@click.option(
    "--secondary",
    is_flag=True,
    help="With --target, also match the muscles an exercise works less.",
)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def exercises(
    app: App,
    secondary: bool,
    target: str | None,
    kind: str | None,
    position: str | None,
    equipment: tuple[str, ...],
    pack: str | None,
    as_json: bool,
) -> None:
    """List exercises, filtered by muscle, kind, position, equipment or pack.

    --target matches an exercise's main muscles (add --secondary for the others).
    With --equipment, an exercise is listed when everything it needs is among
    the items given: '--equipment none' lists exercises that need nothing.
    """
    catalog = app.catalog
    if pack and pack not in catalog.packs:
        from glutekit.catalog import suggest
        from glutekit.errors import UnknownId

        raise UnknownId(f"unknown pack '{pack}'{suggest(pack, catalog.packs)}")
    found = [
        ex
        for ex in catalog.exercises.values()
        if _matches(ex, secondary, target, kind, position, equipment, pack)
    ]
    if as_json:
        click.echo(json.dumps([exercise_dict(ex) for ex in found], indent=2, ensure_ascii=False))
        return
    for ex in found:
        side = "per side" if ex.per_side else ""
        click.echo(
            f"{ex.id:<36} {ex.kind:<10} {ex.position:<13} {ex.dose.describe():<16} {side}".rstrip()
        )
    if not found:
        click.echo("no exercises match", err=True)


@click.command()
@click.argument("exercise_id")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def show(app: App, exercise_id: str, as_json: bool) -> None:
    """Show one exercise (PACK:ID) as a card: targets, dose, steps, cues, cautions."""
    ex = app.catalog.exercise(exercise_id)
    if as_json:
        click.echo(json.dumps(exercise_dict(ex), indent=2, ensure_ascii=False))
        return
    from glutekit.cli.card import print_card

    print_card(ex)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def routines(app: App, as_json: bool) -> None:
    """List the routines glutekit can run: ready-made, from plugins, and your own."""
    catalog = app.catalog
    rows = []
    for routine in sorted(catalog.routines.values(), key=lambda r: r.id):
        rows.append(
            {
                "id": routine.id,
                "title": routine.title,
                "purpose": routine.purpose,
                "steps": len(routine.steps),
                "plugin": routine.plugin,
                "origin": routine.origin,
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        click.echo(f"{row['id']:<24} {row['title']}")
