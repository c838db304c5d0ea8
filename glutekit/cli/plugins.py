"""``glutekit plugins``."""

from __future__ import annotations

import click

from glutekit.cli.app import App, pass_app
from glutekit.cli.output import Column, info, print_json, print_table
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
        print_json([r.as_dict() for r in records])
        return
    if not records:
        info("no plugins loaded")
        return
    rows = []
    for record in records:
        if record.status == "loaded":
            what = ", ".join(h.removeprefix("glutekit_") for h in record.hooks)
        else:
            what = f"{record.reason}; {disable_hint(record.name)}"
        rows.append([record.name, record.version or "-", record.status, what])
    print_table([Column(heading="Plugin", no_wrap=True), "Version", "Status", "Hooks"], rows)
    if any(r.status == "failed" for r in records):
        info(f"To disable several plugins: {ENV_BLOCK}=name1,name2")
