"""Misbehaving plugins, installed for real, and the switches that control loading.

One distribution, ``glutekit-test-misbehaving``, installs four plugins that go
wrong in four ways. It is installed into a folder that a test puts on
PYTHONPATH, so the shared venv stays clean for the other tests.
"""

from __future__ import annotations

import json

import pytest

from tests.listing import table_rows
from tests.venvs import Venv, install_to_folder, write_project

pytestmark = pytest.mark.slow

BROKEN = ("broken-import", "raises", "invalid", "shadow")

MODULES = {
    "gk_broken_import": """
        raise ImportError("this plugin needs the 'frobnicate' package")
    """,
    "gk_raises": """
        import glutekit

        @glutekit.hookimpl
        def glutekit_exercise_packs():
            raise RuntimeError("pack server unreachable")
    """,
    "gk_invalid": """
        import glutekit

        @glutekit.hookimpl
        def glutekit_exercise_packs():
            return [{"id": "bad-pack", "name": "Bad", "version": "1", "license": "MIT",
                     "exercises": [{"id": "x", "name": "X", "kind": "yoga"}]}]
    """,
    "gk_shadow": """
        import glutekit

        EXERCISE = {
            "id": "couch-stretch", "name": "Impostor couch stretch", "kind": "stretch",
            "targets": {"primary": ["hip_flexors"]}, "position": "kneeling",
            "per_side": True, "dose": {"hold": 30},
            "instructions": ["Do something else."], "cues": ["Not the real one."],
        }

        @glutekit.hookimpl
        def glutekit_exercise_packs():
            return [{"id": "hip-flexors", "name": "Shadow", "version": "1", "license": "MIT",
                     "exercises": [EXERCISE]}]
    """,
}


@pytest.fixture(scope="module")
def misbehaving(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """PYTHONPATH that adds the four misbehaving plugins, really installed with pip."""
    root = tmp_path_factory.mktemp("misbehaving")
    project = write_project(
        root / "src",
        "glutekit-test-misbehaving",
        MODULES,
        {name: f"gk_{name.replace('-', '_')}" for name in BROKEN},
    )
    return {"PYTHONPATH": str(install_to_folder(project, root / "site"))}


def _records(venv: Venv, env: dict[str, str]) -> dict[str, dict[str, object]]:
    proc = venv.glutekit("plugins", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    return {r["name"]: r for r in json.loads(proc.stdout)}


def test_plugins_command_works_with_broken_plugins_and_says_how_to_disable_them(
    plugin_venv: Venv, misbehaving: dict[str, str]
) -> None:
    proc = plugin_venv.glutekit("plugins", env=misbehaving)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    lines = table_rows(proc.stdout)
    failed = next(line for line in lines if line.startswith("broken-import"))
    assert "failed" in failed and "frobnicate" in failed
    assert "GLUTEKIT_BLOCK_PLUGINS=broken-import" in proc.stdout
    assert any(line.startswith("hip-flexors") and "loaded" in line for line in lines)


def test_each_failure_is_one_line_naming_the_plugin_and_the_rest_keep_working(
    plugin_venv: Venv, misbehaving: dict[str, str]
) -> None:
    proc = plugin_venv.glutekit("exercises", "--pack", "hip-flexors", env=misbehaving)
    assert proc.returncode == 0, proc.stderr
    assert len(table_rows(proc.stdout)) == 7
    warnings = proc.stderr.splitlines()
    expected = {
        "broken-import": "failed to load: ImportError: this plugin needs the 'frobnicate'",
        "raises": "raised in glutekit_exercise_packs: RuntimeError: pack server unreachable",
        "invalid": "returned an invalid pack",
        "shadow": "pack id 'hip-flexors' of plugin 'shadow' is already used",
    }
    for plugin, text in expected.items():
        hits = [w for w in warnings if text in w and f"'{plugin}'" in w]
        assert len(hits) == 1, (plugin, warnings)
        assert f"GLUTEKIT_BLOCK_PLUGINS={plugin}" in hits[0]
    clash = next(w for w in warnings if "pack id 'hip-flexors'" in w)
    assert "'hip-flexors'" in clash  # both plugins are named


def test_a_clash_keeps_the_first_plugin_s_exercise(
    plugin_venv: Venv, misbehaving: dict[str, str]
) -> None:
    proc = plugin_venv.glutekit("show", "hip-flexors:couch-stretch", "--json", env=misbehaving)
    assert proc.returncode == 0, proc.stderr
    shown = json.loads(proc.stdout)
    assert shown["name"] == "Couch stretch"
    assert shown["plugin"] == "hip-flexors"


def test_strict_mode_turns_a_plugin_warning_into_an_error(
    plugin_venv: Venv, misbehaving: dict[str, str]
) -> None:
    env = {**misbehaving, "GLUTEKIT_STRICT_PLUGINS": "1"}
    proc = plugin_venv.glutekit("exercises", env=env)
    assert proc.returncode != 0
    assert "broken-import" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_deny_list_silences_the_blocked_plugins(
    plugin_venv: Venv, misbehaving: dict[str, str]
) -> None:
    env = {**misbehaving, "GLUTEKIT_BLOCK_PLUGINS": ",".join(BROKEN)}
    proc = plugin_venv.glutekit("exercises", "--pack", "hip-flexors", env=env)
    assert proc.returncode == 0
    assert proc.stderr == ""
    records = _records(plugin_venv, env)
    assert {records[name]["status"] for name in BROKEN} == {"blocked"}
    assert records["hip-flexors"]["status"] == "loaded"


def test_allow_list_loads_only_the_named_plugins(
    plugin_venv: Venv, misbehaving: dict[str, str]
) -> None:
    env = {**misbehaving, "GLUTEKIT_PLUGINS": "glutes"}
    records = _records(plugin_venv, env)
    assert records["glutes"]["status"] == "loaded"
    assert records["hip-flexors"]["status"] == "not-allowed"
    assert records["broken-import"]["status"] == "not-allowed"
    proc = plugin_venv.glutekit("exercises", "--pack", "hip-flexors", env=env)
    assert proc.returncode == 2
    assert "unknown pack 'hip-flexors'" in proc.stderr


def test_autoload_off_loads_no_entry_point_but_dash_p_still_works(
    plugin_venv: Venv, misbehaving: dict[str, str]
) -> None:
    env = {**misbehaving, "GLUTEKIT_DISABLE_PLUGIN_AUTOLOAD": "1"}
    assert _records(plugin_venv, env) == {}
    proc = plugin_venv.glutekit(
        "-p",
        "glutekit_glutes",
        "-p",
        "glutekit_hip_flexors",
        "exercises",
        "--pack",
        "hip-flexors",
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(table_rows(proc.stdout)) == 7
    assert proc.stderr == ""


def test_trace_prints_each_hook_call_and_its_results(plugin_venv: Venv) -> None:
    env = {"GLUTEKIT_TRACE_PLUGINS": "1"}
    proc = plugin_venv.glutekit("exercises", "--pack", "hip-flexors", env=env)
    assert proc.returncode == 0, proc.stderr
    trace = [line for line in proc.stderr.splitlines() if line.startswith("glutekit: trace:")]
    calls = [line for line in trace if "call glutekit_exercise_packs" in line]
    assert calls and any("hip-flexors" in line for line in calls), trace
    results = [line for line in trace if "glutekit_exercise_packs returned" in line]
    assert any("pack.json" in line for line in results), trace
    assert len(table_rows(proc.stdout)) == 7


def test_trace_shows_a_hook_that_raised(plugin_venv: Venv, misbehaving: dict[str, str]) -> None:
    env = {**misbehaving, "GLUTEKIT_TRACE_PLUGINS": "1", "GLUTEKIT_PLUGINS": "raises"}
    proc = plugin_venv.glutekit("exercises", env=env)
    trace = [line for line in proc.stderr.splitlines() if line.startswith("glutekit: trace:")]
    assert any("raised RuntimeError: pack server unreachable" in line for line in trace), trace
