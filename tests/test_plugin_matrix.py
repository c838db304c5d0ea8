"""Misbehaving plugins installed for real, against every command that loads plugins.

Each plugin goes wrong in one way (raise, sleep, loop, ``sys.exit``, ``KeyboardInterrupt``,
print to stdout, wrong return types, a clashing pack id, a clashing entry-point name, an
output that exits its thread). Each is installed with pip into its own folder that a test
puts on PYTHONPATH of the shared venv. For every plugin and command: the command ends
within the watchdog's time, a plugin that caused a warning or a failure is named in it,
stdout of ``--json`` stays JSON, and the block switch makes the command clean again.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.venvs import REPO, Venv, install_to_folder, once_per_run, write_project

pytestmark = pytest.mark.slow

#: Seconds before the watchdog interrupts a plugin (the default is 30).
TIMEOUT = 3

PACK = """
def pack(pack_id):
    return {"id": pack_id, "name": "X", "version": "1", "license": "MIT", "exercises": [{
        "id": "x", "name": "X", "kind": "stretch", "targets": {"primary": ["gluteus_maximus"]},
        "position": "supine", "per_side": False, "dose": {"hold": 30},
        "instructions": ["Lie down."], "cues": ["Breathe."]}]}
"""

#: plugin name -> module source
PLUGINS: dict[str, str] = {
    "raise": """
        import glutekit
        @glutekit.hookimpl
        def glutekit_exercise_packs():
            raise RuntimeError("database unreachable")
    """,
    "sleep-import": """
        import time
        time.sleep(3600)
    """,
    "sleep-hook": """
        import time, glutekit
        @glutekit.hookimpl
        def glutekit_routines():
            time.sleep(3600)
    """,
    "loop": """
        import glutekit
        @glutekit.hookimpl
        def glutekit_exercise_packs():
            while True:
                pass
    """,
    "exit-import": """
        import sys
        sys.exit(3)
    """,
    "exit-hook": """
        import sys, glutekit
        @glutekit.hookimpl
        def glutekit_strategies():
            sys.exit("bye")
    """,
    "interrupt": """
        import glutekit
        @glutekit.hookimpl
        def glutekit_exporters():
            raise KeyboardInterrupt
    """,
    "print": """
        import glutekit
        print("hello from import")
        @glutekit.hookimpl
        def glutekit_exercise_packs():
            print("hello from a hook")
            return []
    """,
    "wrong-type": """
        import glutekit
        @glutekit.hookimpl
        def glutekit_exporters():
            return 42
        @glutekit.hookimpl
        def glutekit_routines():
            return ["not", "a", "file"]
        @glutekit.hookimpl(tryfirst=True)
        def glutekit_voices(backend, models):
            return "nope"
    """,
    "pack-clash": "import glutekit\n"
    + PACK
    + """
        @glutekit.hookimpl
        def glutekit_exercise_packs():
            return [pack("glutes")]
    """.replace("\n        ", "\n"),
    "exit-output": """
        import sys, glutekit
        from glutekit.interfaces import OutputSpec

        class Quitter:
            def speech_lengths(self, texts):
                return {}
            def start(self, timeline):
                pass
            def handle(self, event):
                sys.exit(1)
            def close(self, summary):
                pass

        @glutekit.hookimpl
        def glutekit_outputs():
            return [OutputSpec(name="quitter", description="exits", create=lambda o: Quitter(),
                               default=True)]
    """,
}

#: An entry point named like a built-in plugin, in a distribution of its own.
CLASH = "glutes"


def _module(name: str) -> str:
    return "gkm_" + name.replace("-", "_")


def _install(root: Path, distribution: str, modules: dict[str, str], eps: dict[str, str]) -> Path:
    project = write_project(root / "src", distribution, modules, eps)
    return install_to_folder(project, root / "site")


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Plugin name -> a folder where pip installed it (one distribution each), made once
    per run for every worker: the tests that use it then spread over the workers (each
    waits out its own hanging plugin)."""
    names = [*PLUGINS, "name-clash"]
    with once_per_run(tmp_path_factory, "matrix") as (root, build):
        if build:
            for name, source in PLUGINS.items():
                module = _module(name)
                _install(root / name, f"gk-matrix-{name}", {module: source}, {name: module})
            _install(
                root / "name-clash",
                "gk-matrix-name-clash",
                {"gkm_name_clash": PLUGINS["print"]},
                {CLASH: "gkm_name_clash"},
            )
        return {name: root / name / "site" for name in names}


def _commands(out: Path) -> list[list[str]]:
    return [
        ["plugins", "--json"],
        ["plugins", "--safe", "--json"],
        ["validate", str(REPO / "routines" / "quick-five.json")],
        ["transcript", "quick-five"],
        ["run", "quick-five", "--speed", "100", "--no-voice"],
        ["export", "quick-five", "-f", "md", "-o", str(out / "q.md")],
        [
            "compose",
            "--target",
            "gluteus_medius",
            "--strategy",
            "stretch",
            "-o",
            str(out / "c.json"),
        ],
        ["voices", "--json"],
    ]


def _run(
    venv: Venv, args: list[str], env: dict[str, str], cwd: Path
) -> tuple[int, str, str, float]:
    started = time.monotonic()
    done = venv.glutekit(*args, env=env, cwd=cwd, timeout=4 * TIMEOUT + 60)
    return done.returncode, done.stdout, done.stderr, time.monotonic() - started


@pytest.mark.parametrize("name", [*PLUGINS, "name-clash"])
def test_a_misbehaving_plugin_is_named_and_blocking_it_recovers_every_command(
    name: str, installed: dict[str, Path], plugin_venv: Venv, tmp_path: Path
) -> None:
    base = {"PYTHONPATH": str(installed[name]), "GLUTEKIT_PLUGIN_TIMEOUT": str(TIMEOUT)}
    # The name clash is refused already: nothing to block (blocking 'glutes' would
    # take the built-in away too).
    blocked = {**base, "GLUTEKIT_BLOCK_PLUGINS": name} if name != "name-clash" else base
    shown = CLASH if name == "name-clash" else name
    for args in _commands(tmp_path):
        code, stdout, stderr, took = _run(plugin_venv, args, base, tmp_path)
        what = f"{name}: glutekit {' '.join(args)}"
        assert took < 4 * TIMEOUT + 30, f"{what} took {took:.0f} s"
        assert "Traceback" not in stderr and "internal error" not in stderr, f"{what}\n{stderr}"
        assert code in (0, 1, 2), f"{what}: exit {code}\n{stderr}"
        # On a busy machine a built-in plugin may be slow enough to be named as busy:
        # that notice is about it, not about the plugin under test.
        notices = [
            line
            for line in stderr.splitlines()
            if not (" has been busy in " in line and f"'{shown}'" not in line)
        ]
        if code != 0 or any("warning" in line for line in notices):
            assert f"'{shown}'" in stderr, f"{what}: plugin not named\n{stderr}"
        if "--json" in args and code == 0:
            json.loads(stdout)  # a plugin's prints never reach stdout
        if name == "print":
            assert "hello" not in stdout, what
        code, stdout, stderr, _ = _run(plugin_venv, args, blocked, tmp_path)
        assert code == 0, f"{what} with the plugin blocked: exit {code}\n{stderr}"
        if name != "name-clash":
            assert f"'{name}'" not in stderr, f"{what} with the plugin blocked\n{stderr}"


def test_plugins_safe_lists_a_plugin_that_hangs_at_import_without_importing_it(
    installed: dict[str, Path], plugin_venv: Venv, tmp_path: Path
) -> None:
    env = {"PYTHONPATH": str(installed["sleep-import"])}  # the default 30 s watchdog
    code, stdout, stderr, took = _run(plugin_venv, ["plugins", "--safe", "--json"], env, tmp_path)
    assert code == 0, stderr
    assert took < 10
    listed = {p["name"]: p for p in json.loads(stdout)}
    assert listed["sleep-import"]["module"] == "gkm_sleep_import"
    assert listed["sleep-import"]["would"] == "load"


def test_the_watchdog_names_a_stuck_plugin_its_hook_and_the_switch(
    installed: dict[str, Path], plugin_venv: Venv, tmp_path: Path
) -> None:
    env = {"PYTHONPATH": str(installed["sleep-hook"]), "GLUTEKIT_PLUGIN_TIMEOUT": "4"}
    code, _, stderr, _ = _run(plugin_venv, ["transcript", "quick-five"], env, tmp_path)
    assert code == 0, stderr
    lines = stderr.splitlines()
    assert any(
        "plugin 'sleep-hook' has been busy in glutekit_routines for 2 s" in line
        and "GLUTEKIT_BLOCK_PLUGINS=sleep-hook" in line
        for line in lines
    ), stderr
    assert any(
        "plugin 'sleep-hook' did not return from glutekit_routines in 4 s" in line for line in lines
    )


def test_a_second_pack_with_a_built_in_id_and_a_clashing_entry_point_name_are_refused(
    installed: dict[str, Path], plugin_venv: Venv, tmp_path: Path
) -> None:
    env = {"PYTHONPATH": f"{installed['pack-clash']}:{installed['name-clash']}"}
    code, stdout, stderr, _ = _run(plugin_venv, ["exercises", "--json"], env, tmp_path)
    assert code == 0, stderr
    assert "pack id 'glutes' of plugin 'pack-clash' is already used by plugin 'glutes'" in stderr
    assert "plugin name 'glutes' of distribution 'gk-matrix-name-clash' clashes" in stderr
    assert "'glutekit'" in stderr
    ids = {e["id"] for e in json.loads(stdout)}
    assert "glutes:x" not in ids and "glutes:knee-hug" in ids
