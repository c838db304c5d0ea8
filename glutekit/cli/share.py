"""``glutekit share`` and ``glutekit import``: hand a routine or program to someone else.

The file format and its checks are :mod:`glutekit.program.share`; this module finds
what to share, and on import validates everything before it writes anything.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from glutekit.cli import completion as complete
from glutekit.cli.app import App, pass_app, warn
from glutekit.cli.output import info, print_json
from glutekit.cli.output_path import OUTPUT_PATH
from glutekit.errors import GlutekitError, InputError, UnknownId


def _find(app: App, ref: str) -> tuple[str, dict[str, Any]]:
    """A routine or program by id, or by path to a JSON file: its kind and data."""
    from glutekit.errors import suggest
    from glutekit.program.files import find_program, load_programs

    if ref in app.catalog.routine_data:
        return "routine", app.catalog.routine_data[ref]
    programs = load_programs(app.host, app.catalog, warn)
    if ref in programs.programs:
        return "program", programs.data[ref]
    path = Path(ref)
    if path.suffix == ".json" or path.exists():
        from glutekit.catalog.schema import detect_kind, read_document

        doc = read_document(path)
        if detect_kind(doc.data) == "program":
            return "program", find_program(ref, programs, app.catalog)[1]
        app.catalog.load_routine_file(path)
        return "routine", doc.data
    known = [*app.catalog.routines, *programs.programs]
    raise UnknownId(
        f"no routine or program '{ref}'{suggest(ref, known)} "
        "(see 'glutekit routines' and 'glutekit program list', or give a .json file)"
    )


@click.command()
@click.argument("ref", metavar="ROUTINE-OR-PROGRAM", shell_complete=complete.complete_shareable)
@click.option(
    "-o",
    "--output",
    "out",
    type=OUTPUT_PATH,
    required=True,
    help="The file to write (- for standard output).",
)
@click.option("--note", metavar="TEXT", help="A note for the person you give it to.")
@click.option("--author", metavar="NAME", help="Who it is from (a name, a practice).")
@click.option("--force", is_flag=True, help="Replace a file that exists.")
@click.option("--json", "as_json", is_flag=True, help="Print a summary as JSON.")
@pass_app
def share(
    app: App,
    ref: str,
    out: Path,
    note: str | None,
    author: str | None,
    force: bool,
    as_json: bool,
) -> None:
    """Write a routine or program, and what it needs, to one file to hand over.

    The file holds the routine or program, every routine a program uses, the packs
    (with versions and how to install them) whose exercises it names, your note,
    and a checksum. The other person adds it with 'glutekit import FILE'.

    \b
    Examples:
      glutekit share medius-6-weeks -o for-sam.json --note "Start on Monday" --author "J. Physio"
      glutekit share my-routine.json -o routine-share.json
    """
    from glutekit import atomic
    from glutekit.program.share import make_bundle

    for label, text in (("--note", note), ("--author", author)):
        if text is not None and (len(text) > 2000 or any(ord(c) < 32 and c != "\n" for c in text)):
            raise InputError(f"{label}: use plain text of at most 2000 characters")
    kind, data = _find(app, ref)
    routines: dict[str, dict[str, Any]] = {}
    if kind == "program":
        for session in data["sessions"]:
            rid = session.get("routine")
            if rid is not None:
                routines[rid] = app.catalog.routine_data[rid]
    bundle = make_bundle(
        "routine" if kind == "routine" else "program",
        data,
        routines,
        app.catalog,
        author=author,
        note=note,
    )
    if not force and not atomic.is_stdout(out) and out.exists():
        raise InputError(f"{out}: exists; add --force to replace it")
    atomic.write_text(out, json.dumps(bundle, indent=2, ensure_ascii=False) + "\n")
    summary = {
        "file": str(out),
        "kind": kind,
        "id": data["id"],
        "routines": sorted(routines),
        "requires": [f"{r['pack']} {r['version']}" for r in bundle["requires"]],
        "checksum": bundle["checksum"],
    }
    if as_json:
        print_json(summary)
        return
    needs = ", ".join(summary["requires"]) or "nothing beyond glutekit"
    info(f"wrote {out}: {kind} '{data['id']}' (needs {needs})")


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace your routine or program of the same id.")
@click.option("--json", "as_json", is_flag=True, help="Print what was added as JSON.")
@pass_app
def import_file(app: App, file: Path, force: bool, as_json: bool) -> None:
    """Add a routine or program from a file made by 'glutekit share'.

    Checks the checksum, the routine or program, and that the packs it needs are
    installed (naming how to install any that are missing) before writing anything.
    Never replaces a routine or program of yours without --force.

    \b
    Examples:
      glutekit import for-sam.json
      glutekit import for-sam.json --force --json
    """
    from glutekit.program.share import missing, read_bundle

    bundle = read_bundle(file)
    absent, other = missing(bundle, app.catalog)
    if absent:
        for line in absent[1:]:
            click.echo(f"glutekit: error: {line}", err=True)
        raise GlutekitError(absent[0])
    for line in other:
        warn(line)
    writes = _planned_writes(app, bundle, force)
    from glutekit import atomic

    for path, data in writes:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    result = {
        "kind": bundle.kind,
        "id": bundle.content["id"],
        "author": bundle.author,
        "note": bundle.note,
        "written": [str(p) for p, _ in writes],
    }
    if as_json:
        print_json(result)
        return
    if bundle.author:
        click.echo(f"From: {bundle.author}")
    if bundle.note:
        click.echo(f"Note: {bundle.note}")
    for path, _ in writes:
        info(f"wrote {path}")
    how = (
        f"glutekit program start {result['id']}"
        if bundle.kind == "program"
        else f"glutekit run {result['id']}"
    )
    done = (
        f"Imported {bundle.kind} '{result['id']}'."
        if writes
        else f"You already have {bundle.kind} '{result['id']}', the same; nothing written."
    )
    click.echo(f"{done} Next: {how}")


def _planned_writes(app: App, bundle: Any, force: bool) -> list[tuple[Path, dict[str, Any]]]:
    """Every file the import will write, after checking all of them; nothing written yet."""
    from glutekit.catalog import user_routines_dir
    from glutekit.catalog.schema import Document
    from glutekit.program.files import program_problems, user_programs_dir

    routines = dict(bundle.routines)
    if bundle.kind == "routine":
        routines[str(bundle.content.get("id"))] = bundle.content
    writes: list[tuple[Path, dict[str, Any]]] = []
    for rid, data in routines.items():
        doc = Document(name=f"{bundle.name}#/routines/{rid}", data=data)
        from glutekit.catalog import document_problems

        problems = document_problems(doc, "routine") or app.catalog.routine_problems(doc)
        if problems:
            raise InputError(str(problems[0]))
        target = _target(app, "routine", data["id"], data, user_routines_dir(), force)
        if target is not None:
            writes.append((target, data))
            # Later checks (a program naming it) see it as if it were installed.

            app.catalog.routines[data["id"]] = app.catalog.routine_of(data, origin=str(target))
            app.catalog.routine_data[data["id"]] = data
    if bundle.kind == "program":
        doc = Document(name=f"{bundle.name}#/content", data=bundle.content)
        problems = program_problems(doc, app.catalog)
        if problems:
            raise InputError(str(problems[0]))
        pid = bundle.content["id"]
        from glutekit.program.files import load_programs
        from glutekit.program.share import canonical

        known = load_programs(app.host, app.catalog, lambda message: None)
        shipped = known.programs.get(pid)
        if shipped is not None and shipped.plugin != "user":
            if canonical(known.data[pid]) == canonical(bundle.content):
                return writes
            raise InputError(
                f"program id '{pid}' is a ready-made program of plugin '{shipped.plugin}', and "
                "the file's program differs from it; ask whoever shared it to give theirs "
                "another id"
            )
        target = _target(app, "program", pid, bundle.content, user_programs_dir(), force)
        if target is not None:
            writes.append((target, bundle.content))
    return writes


def _target(
    app: App, kind: str, item_id: str, data: dict[str, Any], folder: Path, force: bool
) -> Path | None:
    """Where to write one routine or program; None when the same one is already there."""
    from glutekit.program.share import canonical

    path = folder / f"{item_id}.json"
    installed: dict[str, Any] | None = None
    origin = ""
    if kind == "routine" and item_id in app.catalog.routine_data:
        installed = app.catalog.routine_data[item_id]
        origin = app.catalog.routines[item_id].plugin
    if installed is not None and canonical(installed) == canonical(data):
        return None
    if installed is not None and origin != "user":
        raise InputError(
            f"routine id '{item_id}' is a ready-made routine of plugin '{origin}', and the "
            "file's routine differs from it; ask whoever shared it to give theirs another id"
        )
    if path.exists():
        try:
            same = canonical(json.loads(path.read_text(encoding="utf-8"))) == canonical(data)
        except (OSError, ValueError):
            same = False
        if same:
            return None
        if not force:
            raise InputError(
                f"{path}: you have a different {kind} '{item_id}'; add --force to replace it"
            )
    return path
