"""``glutekit exercises``, ``glutekit show`` and ``glutekit routines``."""

from __future__ import annotations

import functools
from dataclasses import fields
from typing import Any

import click

from glutekit.cli import completion as complete
from glutekit.cli.app import App, pass_app
from glutekit.cli.output import Column, info, print_json, print_table
from glutekit.model import Exercise, Routine


def exercise_dict(ex: Exercise) -> dict[str, Any]:
    data = _plain(ex)
    assert isinstance(data, dict)
    data["equipment"] = [list(need) for need in ex.equipment]
    data["dose_text"] = ex.dose.describe()
    return data


#: Each dataclass's field names, looked up once per class.
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _plain(value: Any) -> Any:
    """``value`` as the data JSON writes: what ``dataclasses.asdict`` gives for it, without
    the deep copy it makes of every value on the way (a catalog's worth of exercises
    spent most of its time there)."""
    kind = type(value)
    if kind in (str, int, float, bool) or value is None:
        return value
    names = _FIELD_NAMES.get(kind)
    if names is None and hasattr(kind, "__dataclass_fields__"):
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(value))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {_plain(key): _plain(item) for key, item in value.items()}
    return value


def _matches(
    ex: Exercise,
    secondary: bool,
    targets: frozenset[str],
    kind: str | None,
    position: str | None,
    equipment: tuple[str, ...],
    pack: str | None,
) -> bool:
    worked = ex.primary + ex.secondary if secondary else ex.primary
    if targets and targets.isdisjoint(worked):
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
@click.option(
    "--target",
    metavar="MUSCLE",
    shell_complete=complete.complete_muscle,
    help="Only exercises that work this muscle, or a muscle in this region or group (such as hip or upper_back).",
)
@click.option(
    "--kind",
    metavar="KIND",
    shell_complete=complete.complete_kind,
    help="Only this kind of exercise, such as stretch or strength (see 'glutekit vocabulary kinds').",
)
@click.option(
    "--position",
    metavar="POSITION",
    shell_complete=complete.complete_position,
    help="Only this body position.",
)
@click.option(
    "--equipment",
    multiple=True,
    metavar="ITEM",
    shell_complete=complete.complete_equipment,
    help="Only exercises you can do with this equipment (repeatable; 'none' for none).",
)
@click.option(
    "--pack",
    metavar="ID",
    shell_complete=complete.complete_pack,
    help="Only exercises from this pack.",
)
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

    --target matches an exercise's main muscles (add --secondary for the others);
    a region or a muscle group, such as hip or upper_back, matches every muscle in it.
    With --equipment, an exercise is listed when everything it needs is among
    the items given: '--equipment none' lists exercises that need nothing.
    """
    catalog = app.catalog
    words = catalog.vocabulary
    # Every word is checked, and a synonym stands for its term: a typo must not list
    # nothing (or everything) with exit 0.
    # A region or a muscle group matches every muscle in it.
    targets = frozenset(words.muscles_in(target) if target else ())
    kind = words.resolve("kinds", kind, "--kind") if kind else None
    position = words.resolve("positions", position, "--position") if position else None
    equipment = tuple(
        e if e == "none" else words.resolve("equipment", e, "--equipment") for e in equipment
    )
    if pack and pack not in catalog.packs:
        from glutekit.errors import UnknownId, suggest

        raise UnknownId(f"unknown pack '{pack}'{suggest(pack, catalog.packs)}")
    # With a muscle to look for, only the exercises that work it are read.
    found = (
        catalog.working(targets, mainly=not secondary)
        if targets
        else list(catalog.exercises.values())
    )
    if targets or kind or position or equipment or pack:
        found = [
            ex for ex in found if _matches(ex, secondary, targets, kind, position, equipment, pack)
        ]
    if as_json:
        print_json([exercise_dict(ex) for ex in found])
        return
    if not found:
        info("no exercises match")
        return
    doses: dict[int, str] = {}
    print_table(
        [
            Column(heading="ID", no_wrap=True),
            "Name",
            Column(heading="Kind", no_wrap=True),
            "Position",
            Column(heading="Dose", no_wrap=True),
        ],
        [[ex.id, ex.name, ex.kind, ex.position, _dose(ex, doses)] for ex in found],
    )


def _dose(ex: Exercise, doses: dict[int, str]) -> str:
    # A large catalog shares a few dose objects: describe each once (by identity,
    # which is cheaper than hashing the dose).
    text = doses.get(id(ex.dose))
    if text is None:
        text = doses[id(ex.dose)] = ex.dose.describe()
    return text + " per side" if ex.per_side else text


@click.command()
@click.argument("exercise_id", shell_complete=complete.complete_exercise)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def show(app: App, exercise_id: str, as_json: bool) -> None:
    """Show one exercise (PACK:ID) as a card: targets, dose, steps, cues, cautions."""
    ex = app.catalog.exercise(exercise_id)
    if as_json:
        print_json(exercise_dict(ex))
        return
    from glutekit.cli.card import print_card

    vocabulary = app.catalog.vocabulary
    print_card(ex, lambda muscle: vocabulary.inline_label("muscles", muscle))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def routines(app: App, as_json: bool) -> None:
    """List the routines glutekit can run: ready-made, from plugins, and your own.

    LENGTH is how long the routine plays, pauses and set-up included.
    """
    from glutekit.catalog.lengthcache import LengthCache
    from glutekit.model.durations import format_seconds

    catalog = app.catalog
    lengths = LengthCache(catalog)
    rows: list[dict[str, Any]] = []
    for routine in sorted(catalog.routines.values(), key=lambda r: r.id):
        seconds = lengths.length(routine, functools.partial(routine_seconds, app, routine))
        rows.append(
            {
                "id": routine.id,
                "title": routine.title,
                "purpose": routine.purpose,
                "steps": len(routine.steps),
                "seconds": seconds,
                "plugin": routine.plugin,
                "origin": routine.origin,
            }
        )
    lengths.save()
    if as_json:
        print_json(rows)
        return
    if not rows:
        info("no routines found")
        return
    print_table(
        [
            Column(heading="ID", no_wrap=True),
            "Title",
            Column(heading="Length", justify="right", no_wrap=True),
            "Purpose",
            "From",
        ],
        [
            [
                row["id"],
                row["title"],
                "?" if row["seconds"] is None else format_seconds(row["seconds"]),
                row["purpose"] or "",
                _origin(row["plugin"], row["origin"]),
            ]
            for row in rows
        ],
    )


def routine_seconds(app: App, routine: Routine) -> float | None:
    """How long the routine plays (its speech estimated from the words, as tuned to the
    default voice); None when it cannot be compiled here."""
    from glutekit.errors import GlutekitError
    from glutekit.timeline.played import played_length

    try:
        return round(played_length(routine, app.catalog), 1)
    except GlutekitError:
        return None


def _origin(plugin: str | None, origin: str | None) -> str:
    if plugin and plugin not in ("user", "command-line"):
        return f"plugin {plugin}"
    return origin or plugin or ""
