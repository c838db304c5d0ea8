"""``glutekit plugins --licenses``: under what terms each loaded part comes.

Three sources, none of them named here: a plugin's code licence from its distribution's
metadata (``License-Expression``, else the older ``License`` field or classifiers), an
exercise pack's content licence from the pack, and whatever else a plugin ships (a font,
a voice model) from its ``glutekit_licences`` hook.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

from glutekit.cli.app import App
from glutekit.host.offers import LICENCES
from glutekit.host.plugins import PluginRecord


@dataclass(frozen=True, kw_only=True)
class LicenceLine:
    """One licence, of one thing, that came with one plugin."""

    plugin: str
    #: "code", "pack content", or "shipped" (a note the plugin returned).
    kind: str
    subject: str
    licence: str
    note: str = ""
    url: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "plugin": self.plugin,
            "kind": self.kind,
            "subject": self.subject,
            "licence": self.licence,
            "note": self.note,
            "url": self.url,
        }


def code_licence(distribution: str | None) -> str:
    """The SPDX expression (or the best the metadata says) of an installed distribution."""
    if not distribution:
        return "unknown (not installed as a distribution)"
    try:
        meta = metadata.metadata(distribution)
    except metadata.PackageNotFoundError:
        return "unknown (no metadata)"
    expression = meta["License-Expression"]
    if expression:
        return str(expression)
    older = str(meta["License"] or "").strip()
    if older and "\n" not in older and len(older) <= 60:
        return older
    classifiers = [c for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    if classifiers:
        return str(classifiers[0]).rsplit("::", 1)[-1].strip()
    return "not declared"


def is_gpl(expression: str) -> bool:
    """Whether a licence expression names the GPL or AGPL (the LGPL does not count)."""
    import re

    return re.search(r"(?<![A-Za-z])A?GPL(?![A-Za-z])", expression) is not None


def licence_lines(app: App) -> list[LicenceLine]:
    """Every loaded plugin's code licence, then its packs' and its notes, by plugin name."""
    records = sorted(
        (r for r in app.host.records.values() if r.status == "loaded"), key=lambda r: r.name
    )
    lines: list[LicenceLine] = []
    packs = sorted(app.catalog.packs.values(), key=lambda p: p.id)
    notes = LICENCES.offered(app.host)
    for record in records:
        lines.append(_code_line(record))
        lines += [
            LicenceLine(
                plugin=record.name,
                kind="pack content",
                subject=f"exercise pack '{pack.id}' (text and images)",
                licence=pack.license,
            )
            for pack in packs
            if pack.plugin == record.name
        ]
        lines += [
            LicenceLine(
                plugin=record.name,
                kind="shipped",
                subject=note.subject,
                licence=note.licence,
                note=note.note,
                url=note.url,
            )
            for plugin, note in notes.values()
            if plugin == record.name
        ]
    # Packs that came from no plugin (a folder of your own, '--pack FILE').
    loaded = {record.name for record in records}
    lines += [
        LicenceLine(
            plugin=pack.plugin or "user",
            kind="pack content",
            subject=f"exercise pack '{pack.id}' (text and images)",
            licence=pack.license,
        )
        for pack in packs
        if pack.plugin not in loaded
    ]
    return lines


def _code_line(record: PluginRecord) -> LicenceLine:
    where = f"{record.distribution} {record.version}" if record.distribution else record.module
    return LicenceLine(
        plugin=record.name,
        kind="code",
        subject=f"plugin code ({where})",
        licence=code_licence(record.distribution),
    )
