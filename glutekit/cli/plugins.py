"""``glutekit plugins``: what loaded, and what each plugin adds."""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import click

from glutekit import PROJECT
from glutekit.cli.app import App, pass_app
from glutekit.cli.licences import code_licence, is_gpl, licence_lines
from glutekit.cli.output import Column, info, print_json, print_table
from glutekit.host.offers import VOICE_MODELS
from glutekit.host.plugins import ENV_BLOCK, PluginRecord, disable_hint


@dataclass(frozen=True, kw_only=True)
class Added:
    """One thing a plugin adds: an exercise pack, a routine, a command …"""

    kind: str
    name: str
    description: str
    #: A pack's own version (the one its cards print), which may differ from its plugin's.
    version: str = ""

    def as_dict(self) -> dict[str, str]:
        found = {"kind": self.kind, "name": self.name, "description": self.description}
        if self.version:
            found["version"] = self.version
        return found


#: The order kinds are listed in.
KINDS = (
    "pack",
    "routine",
    "strategy",
    "output",
    "input",
    "export format",
    "voices",
    "voice model",
    "command",
)


def contributions(app: App) -> dict[str, list[Added]]:
    """Plugin name -> everything it adds, each with its description."""
    from glutekit.cli import COMMANDS
    from glutekit.cli.exporting import exporters
    from glutekit.cli.plugin_commands import plugin_commands
    from glutekit.compose import available_strategies

    found: dict[str, list[Added]] = defaultdict(list)

    def add(plugin: str, kind: str, name: str, description: Any, version: str = "") -> None:
        text = str(description or "")
        found[plugin].append(Added(kind=kind, name=name, description=text, version=version))

    catalog = app.catalog
    for pack in catalog.packs.values():
        count = f"{len(pack.exercises)} exercises"
        about = f"{pack.name}: {count}" if pack.name else count
        add(pack.plugin, "pack", pack.id, f"{about} (version {pack.version})", pack.version)
    for routine in catalog.routines.values():
        if routine.plugin not in ("user", "command-line", ""):
            add(routine.plugin, "routine", routine.id, routine.title)
    for name, strategy in available_strategies(app.host).items():
        add(strategy.plugin, "strategy", name, strategy.strategy.description)
    from glutekit.session import input_specs, output_specs

    for name, (plugin, spec) in output_specs(app.host).items():
        add(plugin, "output", name, spec.description)
    for name, (plugin, item) in input_specs(app.host).items():
        add(plugin, "input", name, item.description)
    for name, (plugin, exporter) in exporters(app).items():
        add(plugin, "export format", name, f"{exporter.suffix}: {exporter.description}")
    for record in app.host.records.values():
        if "glutekit_voices" in record.hooks:
            add(record.name, "voices", "", "lists the voices it speaks with ('glutekit voices')")
    for model_id, (plugin, model) in VOICE_MODELS.offered(app.host).items():
        add(plugin, "voice model", model_id, model.name)
    for name, (plugin, command) in plugin_commands(app.host, set(COMMANDS)).items():
        add(plugin, "command", name, command.description)
    for items in found.values():
        items.sort(key=lambda a: (KINDS.index(a.kind), a.name))
    return found


def plugin_description(record: PluginRecord) -> str:
    """The first sentence of the plugin module's docstring, else its distribution's summary."""
    module = sys.modules.get(record.module)
    doc = (getattr(module, "__doc__", None) or "").strip()
    if doc:
        first = " ".join(doc.split("\n\n", 1)[0].split())
        return first.replace("``", "'")
    if record.distribution:
        from importlib import metadata

        try:
            return str(metadata.metadata(record.distribution)["Summary"] or "")
        except metadata.PackageNotFoundError:
            return ""
    return ""


def _summary(items: list[Added]) -> str:
    by_kind: dict[str, list[str]] = defaultdict(list)
    for item in items:
        by_kind[item.kind].append(f"{item.name} {item.version}" if item.version else item.name)
    parts = []
    for kind, names in by_kind.items():
        if kind == "voices":
            parts.append("voices")
        elif kind == "routine" and len(names) > 3:
            parts.append(f"{len(names)} routines")
        else:
            parts.append(f"{kind}: {', '.join(names)}")
    return "; ".join(parts)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.option(
    "-l", "--long", "long_form", is_flag=True, help="List each thing a plugin adds, described."
)
@click.option(
    "--licenses",
    "--licences",
    "licences",
    is_flag=True,
    help="List the licence of each loaded plugin's code, of each pack's content, and of "
    "what plugins ship besides code (the font in PDFs, the voice model).",
)
@click.option(
    "--safe",
    is_flag=True,
    help="List installed plugins from their metadata without importing any "
    "(to find the one that hangs or crashes at import).",
)
@pass_app
def plugins(app: App, as_json: bool, long_form: bool, licences: bool, safe: bool) -> None:
    """List plugins: name, version, status, and what each adds.

    Plugins add exercise packs, routines, strategies, outputs, export formats,
    voices and commands; --long describes each one. A plugin that failed to
    load is shown with the reason and the variable that disables it. Set
    GLUTEKIT_TRACE_PLUGINS=1 to see every hook call.
    """
    if safe:
        _list_installed(as_json)
        return
    if licences:
        _list_licences(app, as_json)
        return
    records = sorted(app.host.records.values(), key=lambda r: r.name)
    adds = contributions(app) if any(r.status == "loaded" for r in records) else {}
    if as_json:
        print_json(
            [
                {
                    **r.as_dict(),
                    "license": code_licence(r.distribution) if r.status == "loaded" else None,
                    "description": plugin_description(r),
                    "adds": [a.as_dict() for a in adds.get(r.name, [])],
                }
                for r in records
            ]
        )
        return
    if not records:
        info("no plugins loaded")
        return
    rows = []
    for record in records:
        if record.status == "loaded":
            what = _summary(adds.get(record.name, [])) or "nothing yet"
        else:
            what = f"{record.reason}; {disable_hint(record.name)}"
        rows.append([record.name, record.version or "-", record.status, what])
    print_table([Column(heading="Plugin", no_wrap=True), "Version", "Status", "Adds"], rows)
    if long_form:
        for record in records:
            items = adds.get(record.name, [])
            if items:
                about = plugin_description(record)
                click.echo(f"\n{record.name}: {about}" if about else f"\n{record.name}:")
                for item in items:
                    label = f"{item.kind} {item.name}".rstrip()
                    click.echo(f"  {label}: {item.description}")
    if any(r.status == "failed" for r in records):
        info(f"To disable several plugins: {ENV_BLOCK}=name1,name2")


def _list_installed(as_json: bool) -> None:
    """Every entry point in the 'glutekit' group, read from metadata: nothing is imported."""
    from glutekit.host.plugins import installed_plugins

    found = installed_plugins()
    if as_json:
        print_json([entry.as_dict() for entry in found])
        return
    if not found:
        info("no plugins installed")
        return
    print_table(
        [Column(heading="Plugin", no_wrap=True), "Distribution", "Version", "Module", "Would"],
        [[e.name, e.distribution, e.version, e.module, e.would] for e in found],
    )
    info(f"Nothing was imported. To leave a plugin out: {ENV_BLOCK}=name1,name2")


def _list_licences(app: App, as_json: bool) -> None:
    lines = licence_lines(app)
    if as_json:
        print_json([line.as_dict() for line in lines])
        return
    if not lines:
        info("no plugins loaded")
        return
    print_table(
        [Column(heading="Plugin", no_wrap=True), "What", Column(heading="Licence", no_wrap=True)],
        [[line.plugin, line.subject, line.licence] for line in lines],
    )
    for line in lines:
        if line.note:
            click.echo(f"\n{line.subject}: {line.note}")
            if line.url:
                click.echo(f"  {line.url}")
    copyleft = [line.plugin for line in lines if line.kind == "code" and is_gpl(line.licence)]
    if copyleft:
        info(
            f"glutekit's own code is {code_licence(PROJECT)}; with {', '.join(copyleft)} "
            "installed, the program as a whole is distributed under the GPL."
        )
