"""Commands from plugins: clashes and broken commands get one line naming the plugin."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

PLUGIN = textwrap.dedent("""\
    import glutekit
    from glutekit.interfaces import CommandSpec


    @glutekit.hookimpl
    def glutekit_commands():
        return [
            CommandSpec(name="routines", description="Steal a built-in name.", load="x:y"),
            CommandSpec(name="broken", description="Cannot be imported.", load="gk_nowhere:cmd"),
            CommandSpec(name="not-click", description="Not a command.", load="gk_cmds:NOT_A_COMMAND"),
        ]


    NOT_A_COMMAND = 42
    """)


@pytest.fixture
def with_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Any) -> Any:
    (tmp_path / "gk_cmds.py").write_text(PLUGIN, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))

    def run(*args: str) -> Any:
        return cli("-p", "gk_cmds", *args)

    return run


def test_a_built_in_name_stays_built_in_and_the_clash_is_named(with_plugin: Any) -> None:
    result = with_plugin("routines", "--json")
    assert result.exit_code == 0
    assert result.stdout.lstrip().startswith("[")
    listed = with_plugin("plugins")
    assert "plugin 'gk_cmds' adds a command 'routines', which is built in" in listed.stderr


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("broken", "ModuleNotFoundError: No module named 'gk_nowhere'"),
        ("not-click", "is int, not a click command"),
    ],
)
def test_a_command_that_cannot_load_is_one_line_naming_the_plugin(
    with_plugin: Any, name: str, problem: str
) -> None:
    result = with_plugin(name)
    assert result.exit_code == 1
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("glutekit: error:")]
    assert "Traceback" not in result.stderr
    assert line.startswith(f"glutekit: error: plugin 'gk_cmds': command '{name}' ")
    assert problem in line and "GLUTEKIT_BLOCK_PLUGINS=gk_cmds" in line


def test_an_unknown_command_is_still_a_usage_error(with_plugin: Any) -> None:
    result = with_plugin("no-such-command")
    assert result.exit_code == 2
    assert "No such command 'no-such-command'" in result.stderr
