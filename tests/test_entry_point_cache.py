"""The plugins' entry points are read from the installed metadata once, and kept until a
distribution on the path is added, removed, upgraded or has its entry points rewritten."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from conftest import run_glutekit

from glutekit import paths
from glutekit.host.entrypoints import NAME


def _install(site: Path, version: str = "1.0", entry: str = "gkep_plugin") -> Path:
    """A distribution as pip leaves it: a module and a ``.dist-info`` folder."""
    (site / "gkep_plugin.py").write_text(
        textwrap.dedent(
            """
            import glutekit

            @glutekit.hookimpl
            def glutekit_routines():
                return [{"id": "from-gkep", "title": "From gkep",
                         "steps": [{"exercise": "glutes:knee-hug", "dose": {"hold": 20}}]}]
            """
        )
    )
    info = site / f"gkep-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: gkep\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(f"[glutekit]\n{entry} = gkep_plugin\n")
    return info


def _plugins(site: Path) -> dict[str, dict[str, object]]:
    done = run_glutekit("plugins", "--json", env={"PYTHONPATH": str(site)})
    assert done.returncode == 0, done.stderr
    return {p["name"]: p for p in json.loads(done.stdout)}


def test_an_installed_plugin_is_seen_at_once_and_a_removed_one_goes(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    assert "gkep_plugin" not in _plugins(site)
    kept = paths.catalog_cache_dir() / NAME
    assert kept.is_file()

    info = _install(site)
    found = _plugins(site)["gkep_plugin"]
    assert (found["distribution"], found["version"], found["status"]) == ("gkep", "1.0", "loaded")

    # Kept: a value changed in the file is what the next start reports.
    stored = json.loads(kept.read_text())
    for items in stored.values():
        for item in items:
            if item["name"] == "gkep_plugin":
                item["version"] = "9.9"
    kept.write_text(json.dumps(stored))
    assert _plugins(site)["gkep_plugin"]["version"] == "9.9"

    # Entry points rewritten in place (a reinstall of the same version) are read again.
    (info / "entry_points.txt").write_text("[glutekit]\ngkep_renamed = gkep_plugin\n")
    names = _plugins(site)
    assert "gkep_renamed" in names and "gkep_plugin" not in names

    # An upgrade renames the metadata folder; an uninstall removes it.
    for path in info.iterdir():
        path.unlink()
    info.rmdir()
    _install(site, version="2.0")
    assert _plugins(site)["gkep_plugin"]["version"] == "2.0"
    for path in (site / "gkep-2.0.dist-info").iterdir():
        path.unlink()
    (site / "gkep-2.0.dist-info").rmdir()
    assert "gkep_plugin" not in _plugins(site)


def test_a_damaged_entry_point_file_is_ignored(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    _install(site)
    assert _plugins(site)["gkep_plugin"]["status"] == "loaded"
    kept = paths.catalog_cache_dir() / NAME
    ((key, items),) = json.loads(kept.read_text()).items()
    item = next(i for i in items if i["name"] == "gkep_plugin")
    damaged = [
        {key: [{"name": 1}]},  # the wrong shape, under the key this start looks up
        {key: "not a list"},
        {key: [{**item, "source": "a\u0000b"}]},  # a path no file system takes
        {key: [{**item, "value": "no_such_module_here"}]},  # stale: its file has changed
    ]
    for text in ("{not json", "[" * 100_000, *map(json.dumps, damaged)):
        kept.write_text(text)
        item_stamp_changed = "no_such_module_here" in text
        if item_stamp_changed:
            (site / "gkep-1.0.dist-info" / "entry_points.txt").write_text(
                "[glutekit]\ngkep_plugin = gkep_plugin\n"
            )
        found = _plugins(site)
        assert found["gkep_plugin"]["status"] == "loaded", text[:80]
        assert '"gkep_plugin"' in kept.read_text()
