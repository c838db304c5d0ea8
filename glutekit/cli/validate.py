"""``glutekit validate`` and ``glutekit schema``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from glutekit.cli.app import App, pass_app
from glutekit.loaders import pack_from_data
from glutekit.schema import read_document


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@pass_app
def validate(app: App, paths: tuple[Path, ...], as_json: bool) -> None:
    """Check routine and exercise-pack files.

    Each problem is printed on stderr as FILE:LINE:COL: /json/pointer: message;
    each valid file gets an ok line on stdout. Packs named on the command line
    are used to resolve the routines given with them. Exits 0 when every file is
    valid, 2 otherwise (the same codes as 'glutekit check-pack').
    """
    from glutekit.catalog import Catalog

    # Files are checked one at a time and only their verdict is kept, so a pack of
    # 100,000 exercises never sits in memory next to the next one. The catalog (every
    # installed pack) is built only when a routine needs its exercise ids resolved.
    verdicts: dict[Path, tuple[Any, list[str]]] = {}
    routines: dict[Path, Any] = {}
    given_packs: list[Path] = []
    checker = Catalog()
    for path in paths:
        kind, doc, problems = checker.check_file(path, resolve=False)
        verdicts[path] = (kind, problems)
        if doc is None or problems:
            continue
        if kind == "routine":
            routines[path] = doc
        elif kind == "pack":
            given_packs.append(path)  # read again only if a routine needs it
    if routines:
        catalog = app.catalog
        # Packs given alongside the routines can supply their exercises.
        for path in given_packs:
            data = read_document(path).data
            if data["id"] not in catalog.packs:
                catalog.add_pack(pack_from_data(data, plugin="command-line", origin=str(path)))
        for path, doc in routines.items():
            kind, _ = verdicts[path]
            verdicts[path] = (kind, [str(p) for p in catalog.unknown_exercise_problems(doc)])
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


@click.command()
@click.argument("name", type=click.Choice(["routine", "pack"]))
def schema(name: str) -> None:
    """Print the JSON Schema for routines or exercise packs."""
    from glutekit.schema import load_schema

    click.echo(json.dumps(load_schema("routine" if name == "routine" else "pack"), indent=2))
