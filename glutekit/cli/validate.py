"""``glutekit validate`` and ``glutekit schema``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from glutekit.cli.app import App, pass_app
from glutekit.loaders import pack_from_data


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
    catalog = app.catalog
    results: list[dict[str, Any]] = []
    checked: dict[Path, tuple[Any, Any, list[str]]] = {}
    # Packs first, so routines given alongside them can use their exercises.
    for path in paths:
        kind, doc, problems = catalog.check_file(path, resolve=False)
        checked[path] = (kind, doc, problems)
        if kind == "pack" and doc is not None and not problems:
            pack = pack_from_data(doc.data, plugin="command-line", origin=str(path))
            if pack.id not in catalog.packs:
                catalog.add_pack(pack)
    for path in paths:
        kind, doc, problems = checked[path]
        if kind == "routine" and problems == [] and doc is not None:
            problems = [str(p) for p in catalog.unknown_exercise_problems(doc)]
        results.append(
            {"file": str(path), "kind": kind, "valid": not problems, "problems": problems}
        )

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
