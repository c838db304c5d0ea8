"""``glutekit validate`` and ``glutekit schema``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from glutekit.catalog.loaders import pack_from_data
from glutekit.catalog.schema import read_document
from glutekit.cli.app import App, pass_app


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@click.option(
    "--coaching",
    is_flag=True,
    help="Also compile each routine around its speech (the default voice, or lengths "
    "estimated from the words) and check the coaching rules: time to settle and to "
    "switch sides, no crowded or overlapping speech, paced words, every cue heard, the "
    "working side named, one safety line, an honest stated length, no exercise its "
    "symptom excludes, its screen said before the first exercise, time for a warm-up it "
    "asks for. A routine may be given by id.",
)
@pass_app
def validate(app: App, paths: tuple[Path, ...], as_json: bool, coaching: bool) -> None:
    """Check routine and exercise-pack files.

    Each problem is printed on stderr as FILE:LINE:COL: /json/pointer: message;
    each valid file gets an ok line on stdout. Packs named on the command line
    are used to resolve the routines given with them. Exits 0 when every file is
    valid, 2 otherwise (the same codes as 'glutekit check-pack').
    """
    from glutekit.catalog import Catalog

    if coaching:
        paths = tuple(_routine_path(app, p) for p in paths)
    # Files are checked one at a time and only their verdict is kept, so a pack of
    # 100,000 exercises never sits in memory next to the next one. The catalog (every
    # installed pack) is built only when a routine needs its exercise ids resolved.
    verdicts: dict[Path, tuple[Any, list[str]]] = {}
    routines: dict[Path, Any] = {}
    programs: dict[Path, Any] = {}
    given_packs: list[Path] = []
    checker = Catalog()
    for path in paths:
        kind, doc, problems = checker.check_file(path, resolve=False)
        verdicts[path] = (kind, problems)
        if doc is None or problems:
            continue
        if kind == "routine":
            routines[path] = doc
        elif kind == "program":
            programs[path] = doc  # its routines and symptom are checked against the install
        elif kind == "pack":
            given_packs.append(path)  # read again only if a routine needs it
    if routines or programs:
        catalog = app.catalog
        # Packs given alongside the routines can supply their exercises.
        for path in given_packs:
            data = read_document(path).data
            if data["id"] not in catalog.packs:
                catalog.add_pack(pack_from_data(data, plugin="command-line", origin=str(path)))
        for path, doc in routines.items():
            kind, _ = verdicts[path]
            # The coaching check names what the routine's symptom rules out among the
            # rest of what it finds; without it, such a routine is refused here.
            resolve = catalog.unknown_exercise_problems if coaching else catalog.routine_problems
            problems = [str(p) for p in resolve(doc)]
            if coaching and not problems:
                problems = coaching_problems(app, doc, path)
            verdicts[path] = (kind, problems)
        for path, doc in programs.items():
            from glutekit.program.files import reference_problems, rule_problems

            found = rule_problems(doc) or reference_problems(doc, catalog)
            verdicts[path] = ("program", [str(p) for p in found])
    results: list[dict[str, Any]] = [
        {"file": str(path), "kind": kind, "valid": not problems, "problems": problems}
        for path, (kind, problems) in ((path, verdicts[path]) for path in paths)
    ]

    ok = all(r["valid"] for r in results)
    if as_json:
        click.echo(
            json.dumps({"ok": ok, "valid": ok, "files": results}, indent=2, ensure_ascii=False)
        )
    else:
        for result in results:
            if result["valid"]:
                click.echo(f"{result['file']}: ok ({result['kind']})")
            for problem in result["problems"]:
                click.echo(problem, err=True)
        bad = sum(not r["valid"] for r in results)
        if bad:
            click.echo(f"{bad} of {len(results)} file(s) invalid", err=True)
    if not all(r["valid"] for r in results):
        raise SystemExit(2)


def _routine_path(app: App, path: Path) -> Path:
    """A routine id stands for the file it was loaded from."""
    if path.exists() or path.suffix:
        return path
    routine = app.catalog.routines.get(str(path))
    if routine is not None and routine.origin and Path(routine.origin).is_file():
        return Path(routine.origin)
    return path


def coaching_problems(app: App, doc: Any, path: Path) -> list[str]:
    """The coaching rules a routine document breaks, as FILE:LINE:COL: /pointer: message."""
    from glutekit.cli.exporting import speech_measure
    from glutekit.timeline import coaching
    from glutekit.timeline.played import voiced_timeline

    routine = app.catalog.routine_of(doc.data, origin=str(path))
    measure = speech_measure(app)
    try:
        timeline, lengths = voiced_timeline(routine, app.catalog, measure)
    except Exception as exc:  # a voice that fails must not hide the check
        click.echo(
            f"glutekit: the voice could not measure the speech ({type(exc).__name__}: {exc}); "
            "using lengths estimated from the words",
            err=True,
        )
        timeline, lengths = voiced_timeline(routine, app.catalog, None)
    found = coaching.check(routine, app.catalog, timeline, lengths)
    return [str(doc.problem(v.pointer, v.message)) for v in found]


@click.command()
@click.argument("name", type=click.Choice(["routine", "pack", "program"]))
def schema(name: str) -> None:
    """Print the JSON Schema for routines, exercise packs or programs."""
    from glutekit.catalog.schema import SchemaName, load_schema

    kinds: dict[str, SchemaName] = {"routine": "routine", "pack": "pack", "program": "program"}
    click.echo(json.dumps(load_schema(kinds[name]), indent=2))
