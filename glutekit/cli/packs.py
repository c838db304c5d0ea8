"""``glutekit new-pack`` and ``glutekit check-pack``: for people who publish packs."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("new-pack")
@click.argument("name")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to create (default: ./NAME). It must not exist or must be empty.",
)
@click.option("--author", metavar="NAME", help="Author written into the pack and pyproject.toml.")
@click.option(
    "--template",
    type=click.Choice(["starter", "gym"]),
    default="starter",
    show_default=True,
    help="What the pack starts with. starter: two exercises and a routine. gym: also "
    "its own muscle and equipment, defaults, start and end pictures with credits, and "
    "sources, each explained in the package's README.",
)
def new_pack(name: str, folder: Path | None, author: str | None, template: str) -> None:
    """Create a ready-to-publish exercise-pack package called glutekit-NAME.

    The package has a pack with two starter exercises, a routine, the entry
    point glutekit loads it by, and a test that runs the conformance checks.
    Install it with 'pip install ./NAME' and run its tests with 'pytest NAME'.
    """
    from glutekit.publish.scaffold import PackNames, new_pack

    written = new_pack(name, folder, author=author, template=template)
    names = PackNames.from_name(name)
    from glutekit.cli.output import info

    info(f"created {written}/ ({names.distribution}, pack id '{names.slug}')")
    info(f"next: edit {written}/{names.package}/pack.json, then 'glutekit check-pack {written}'")


@click.command("check-pack")
@click.argument("target", metavar="PATH_OR_MODULE")
@click.option("--no-export", is_flag=True, help="Skip the PDF card export check.")
@click.option("--no-voice", is_flag=True, help="Skip rendering the voice cues.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def check_pack(target: str, no_export: bool, no_voice: bool, as_json: bool) -> None:
    """Run the conformance checks a pack publisher needs before a release.

    PATH_OR_MODULE is a pack or routine JSON file, a package folder (with a
    pyproject.toml that declares a 'glutekit' entry point) or an importable
    module name. Checks: the schema; unique ids that do not clash with
    installed packs; instructions, cues and a dose for every exercise; licence
    and sources; per-side texts that write out "left" or "right", and side
    placeholders in exercises done once; every routine resolves and compiles, keeps the coaching rules of 'validate --coaching'
    (as warnings), its cards export to PDF and its voice cues render (when a
    speech engine is present).

    Prints one line per finding (error:, warning: or info:) on stderr, then a
    summary: on stdout when the pack passes, on stderr when it fails. Exits 0
    when there is no error, 2 when there is one or the target cannot be found
    (the same codes as 'glutekit validate').
    """
    from glutekit.cli.output import print_json
    from glutekit.messages import note
    from glutekit.publish.checks import Options, check

    options = Options(export=not no_export, voice=not no_voice, say=None if as_json else note)
    report = check(target, options=options)
    if as_json:
        print_json(report.as_dict())
    else:
        for finding in report.findings:
            click.echo(str(finding), err=True)
        click.echo(report.summary(), err=not report.ok)
    if not report.ok:
        raise SystemExit(2)
