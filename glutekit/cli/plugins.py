"""``glutekit plugins``."""

from __future__ import annotations

import json

import click

from glutekit.cli.app import App, pass_app
from glutekit.plugins import ENV_BLOCK, disable_hint


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@pass_app
def plugins(app: App, as_json: bool) -> None:
    """List plugins: name, version, hooks, and status.

    A plugin that failed to load is shown with the reason and the variable
    that disables it. Set GLUTEKIT_TRACE_PLUGINS=1 to see every hook call.
    """
    records = sorted(app.host.records.values(), key=lambda r: r.name)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in records], indent=2))
        return
    if not records:
        click.echo("no plugins loaded")
        return
    for record in records:
        version = record.version or "-"
        line = f"{record.name:<16} {version:<10} {record.status:<11}"
        if record.status == "loaded":
            line += " " + ", ".join(h.removeprefix("glutekit_") for h in record.hooks)
        else:
            line += f" {record.reason}"
        click.echo(line.rstrip())
        if record.status == "failed":
            click.echo(f"{'':<16} {disable_hint(record.name)}")
    if any(r.status == "failed" for r in records):
        click.echo(f"\nTo disable several plugins: {ENV_BLOCK}=name1,name2", err=True)
