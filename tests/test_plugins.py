"""The plugin host: isolation of broken plugins, allow/deny lists, provenance."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import glutekit
from glutekit.catalog import Catalog
from glutekit.host.plugins import PluginHost, make_plugin_host
from tests.conftest import run_glutekit

FIRST_PARTY = {"glutes", "console", "voice", "strategies", "cards"}


def _exercise(ex_id: str) -> dict[str, Any]:
    return {
        "id": ex_id,
        "name": ex_id.replace("-", " ").title(),
        "kind": "stretch",
        "targets": {"primary": ["hamstrings"]},
        "position": "seated",
        "equipment": [],
        "per_side": True,
        "dose": {"hold": 30},
        "instructions": ["Sit tall."],
        "cues": ["Breathe out slowly.", "Stay tall."],
    }


def _pack(pack_id: str, *ids: str) -> dict[str, Any]:
    return {
        "id": pack_id,
        "name": pack_id,
        "version": "1.0.0",
        "license": "CC0-1.0",
        "exercises": [_exercise(i) for i in ids],
    }


class RaisesInPacks:
    @glutekit.hookimpl
    def glutekit_exercise_packs(self) -> list[Any]:
        raise RuntimeError("database unreachable")


class InvalidPack:
    @glutekit.hookimpl
    def glutekit_exercise_packs(self) -> list[Any]:
        bad = _pack("broken", "ok-one")
        bad["exercises"][0]["kind"] = "yoga"
        return [bad]


class PackA:
    @glutekit.hookimpl
    def glutekit_exercise_packs(self) -> list[Any]:
        return [_pack("shared", "hamstring-fold", "only-in-a")]


class PackB:
    @glutekit.hookimpl
    def glutekit_exercise_packs(self) -> list[Any]:
        return [_pack("shared", "hamstring-fold", "only-in-b")]


def _warnings_host(**kwargs: Any) -> tuple[PluginHost, list[str]]:
    seen: list[str] = []
    host = make_plugin_host(warn=seen.append, strict=False, trace=False, **kwargs)
    return host, seen


def test_first_party_plugins_load_through_entry_points() -> None:
    host, seen = _warnings_host(autoload=True, only=None, block=())
    loaded = {name for name, r in host.records.items() if r.status == "loaded"}
    assert loaded >= FIRST_PARTY
    assert all(host.records[n].distribution == "glutekit" for n in FIRST_PARTY)
    assert seen == []


def test_plugin_raising_in_hook_is_named_and_rest_still_works() -> None:
    host, seen = _warnings_host(autoload=True, only=None, block=())
    host.register(RaisesInPacks(), "flaky")
    catalog = Catalog.build(host)
    assert "glutes:supine-figure-four" in catalog.exercises
    assert len(seen) == 1
    assert "plugin 'flaky' raised in glutekit_exercise_packs" in seen[0]
    assert "GLUTEKIT_BLOCK_PLUGINS=flaky" in seen[0]


def test_invalid_pack_is_named_and_skipped() -> None:
    host, seen = _warnings_host(autoload=True, only=None, block=())
    host.register(InvalidPack(), "sloppy")
    catalog = Catalog.build(host)
    assert "broken" not in catalog.packs
    assert "glutes" in catalog.packs
    assert len(seen) == 1
    assert "plugin 'sloppy' returned an invalid pack" in seen[0]
    assert "/exercises/0/kind" in seen[0]


def test_a_pack_id_another_plugin_has_is_refused_naming_both_plugins() -> None:
    host, seen = _warnings_host(autoload=False, only=None, block=())
    host.register(PackA(), "alpha")
    host.register(PackB(), "beta")
    catalog = Catalog.build(host)
    assert catalog.exercises["shared:hamstring-fold"].plugin == "alpha"
    assert "shared:only-in-a" in catalog.exercises
    assert "shared:only-in-b" not in catalog.exercises  # never merged into alpha's pack
    clashes = [w for w in seen if "pack id 'shared'" in w]
    assert len(clashes) == 1 and len(seen) == 1
    assert "plugin 'beta' is already used by plugin 'alpha'" in clashes[0]


def test_duplicate_exercise_ids_are_one_line_per_pack_with_a_count() -> None:
    from glutekit.catalog.loaders import pack_from_data

    host, seen = _warnings_host(autoload=False, only=None, block=())
    catalog = Catalog.build(host)
    base = PackA().glutekit_exercise_packs()[0]
    first = pack_from_data(base, plugin="alpha")
    catalog.add_pack(first, seen.append)
    again = pack_from_data(base, plugin="alpha")  # the same plugin's second file, same ids
    catalog.add_pack(again, seen.append)
    dupes = [w for w in seen if "duplicate exercise id" in w]
    count = len(first.exercises)
    assert len(dupes) == 1
    assert f"in pack 'shared' of plugin 'alpha': {count} already defined" in dupes[0]


def test_strict_mode_turns_warnings_into_errors() -> None:
    from glutekit.errors import PluginError

    host = make_plugin_host(autoload=False, strict=True, trace=False)
    host.register(RaisesInPacks(), "flaky")
    with pytest.raises(PluginError, match="flaky"):
        Catalog.build(host)


def test_allow_and_block_lists() -> None:
    host, _ = _warnings_host(autoload=True, only=["glutes"], block=())
    assert host.records["glutes"].status == "loaded"
    assert host.records["cards"].status == "not-allowed"
    host, _ = _warnings_host(autoload=True, only=None, block=["cards"])
    assert host.records["cards"].status == "blocked"
    assert host.pm.get_plugin("cards") is None
    assert host.records["glutes"].status == "loaded"


def test_misspelled_hookimpl_fails_check_pending() -> None:
    class Typo:
        @glutekit.hookimpl
        def glutekit_exercise_pack(self) -> list[Any]:  # missing the "s"
            return []

    host, _ = _warnings_host(autoload=False, only=None, block=())
    with pytest.raises(Exception, match="glutekit_exercise_pack"):
        host.register(Typo(), "typo")


def test_cli_plugin_module_that_raises_on_import(tmp_path: Path) -> None:
    (tmp_path / "explodes_on_import.py").write_text("raise ImportError('missing dependency foo')\n")
    (tmp_path / "good_pack_plugin.py").write_text(
        textwrap.dedent(f"""
        import glutekit

        @glutekit.hookimpl
        def glutekit_exercise_packs():
            return [{json.dumps(_pack("extra", "sit-and-reach"))!r}]
    """)
        .replace("['", "[__import__('json').loads('")
        .replace("']", "')]")
    )
    env = {"PYTHONPATH": f"{tmp_path}:{':'.join(sys.path)}"}
    proc = run_glutekit(
        "-p",
        "explodes_on_import",
        "-p",
        "good_pack_plugin",
        "exercises",
        "--pack",
        "extra",
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "extra:sit-and-reach" in proc.stdout
    warning = [ln for ln in proc.stderr.splitlines() if "explodes_on_import" in ln]
    assert len(warning) == 1 and "missing dependency foo" in warning[0]


def test_disable_autoload_lists_no_entry_point_plugins() -> None:
    proc = run_glutekit("plugins", "--json", env={"GLUTEKIT_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


def test_plugins_json_lists_first_party_loaded() -> None:
    proc = run_glutekit("plugins", "--json")
    assert proc.returncode == 0, proc.stderr
    records = {r["name"]: r for r in json.loads(proc.stdout)}
    for name in FIRST_PARTY:
        assert records[name]["status"] == "loaded"
        assert records[name]["version"] == glutekit.__version__
    assert "glutekit_exercise_packs" in records["glutes"]["hooks"]


def test_trace_prints_hook_calls() -> None:
    proc = run_glutekit("exercises", "--pack", "glutes", env={"GLUTEKIT_TRACE_PLUGINS": "1"})
    assert proc.returncode == 0, proc.stderr
    assert "trace: call glutekit_exercise_packs" in proc.stderr
    assert "trace: glutekit_exercise_packs returned" in proc.stderr
