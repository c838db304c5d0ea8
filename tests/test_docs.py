"""The docs stay true: generated CLI reference, every format field, every variable, the tutorial."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from glutekit.host import plugins
from tests.doc_examples import Command, console_blocks, problems, run_commands
from tests.venvs import REPO, make_venv

DOCS = REPO / "docs"
MINE = (
    "plugins.md",
    "writing-a-pack.md",
    "hooks.md",
    "formats.md",
    "cli.md",
    "config.md",
    "cli-conventions.md",
    "completion.md",
)


def test_cli_reference_matches_every_command_s_help() -> None:
    proc = subprocess.run(
        [sys.executable, str(DOCS / "gen_cli.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr


def test_cli_reference_has_a_section_for_every_command() -> None:
    from glutekit.cli import COMMANDS

    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert sorted(re.findall(r"^## glutekit (\S+)$", text, re.M)) == sorted(COMMANDS)


def _properties(node: object) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict):
            found |= set(node["properties"])
        for value in node.values():
            found |= _properties(value)
    elif isinstance(node, list):
        for value in node:
            found |= _properties(value)
    return found


@pytest.mark.parametrize("schema", ["routine.schema.json", "exercise-pack.schema.json"])
def test_formats_page_describes_every_field(schema: str) -> None:
    data = json.loads((REPO / "schemas" / schema).read_text(encoding="utf-8"))
    text = (DOCS / "formats.md").read_text(encoding="utf-8")
    missing = sorted(p for p in _properties(data) if f"`{p}`" not in text)
    assert missing == []


def test_plugins_page_names_every_environment_variable() -> None:
    text = (DOCS / "plugins.md").read_text(encoding="utf-8")
    names = [getattr(plugins, n) for n in dir(plugins) if n.startswith("ENV_")]
    assert names and all(f"`{name}" in text for name in names)


def test_one_table_names_every_environment_variable_glutekit_reads() -> None:
    source = "".join(
        path.read_text(encoding="utf-8")
        for folder in (DOCS.parent / "glutekit", DOCS.parent / "plugins")
        for path in folder.rglob("*.py")
    )
    used = set(re.findall(r"(?<![A-Z_])GLUTEKIT_[A-Z_]+[A-Z]", source))
    table = (DOCS / "config.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(GLUTEKIT_[A-Z_]+)` \|", table, flags=re.M))
    assert used and used == documented


@pytest.mark.parametrize("page", MINE)
def test_relative_links_point_at_files_that_exist(page: str) -> None:
    text = (DOCS / page).read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
        assert (DOCS / target).exists(), f"{page} links to missing {target}"


# ----------------------------------------------------------------------------- the tutorial


def _tutorial() -> list[Command]:
    text = (DOCS / "writing-a-pack.md").read_text(encoding="utf-8")
    blocks = console_blocks(text, "docs/writing-a-pack.md")
    return [c for b in blocks if b.not_run is None for c in b.commands]


def test_console_blocks_are_parsed_with_their_here_documents() -> None:
    commands = [c.text for c in _tutorial()]
    routine = next(c for c in commands if c.startswith("cat >") and "routines/" in c)
    assert routine.endswith("\nEOF") and '"id": "calves-and-glutes"' in routine
    assert "python -m build" in commands
    assert not any(c.startswith("pip install glutekit") for c in commands)


@pytest.mark.slow
def test_writing_a_pack_tutorial_runs_from_an_empty_folder(
    tmp_path: Path, built_wheels: dict[str, Path]
) -> None:
    commands = _tutorial()
    venv = make_venv(tmp_path / "venv", built_wheels["glutekit"])
    work = tmp_path / "work"
    work.mkdir()
    outcomes = run_commands(commands, cwd=work, env=venv.env(), bin_dir=venv.bin, timeout=900)
    assert len(outcomes) == len(commands), f"the tutorial stopped early:\n{outcomes[-1].output}"
    found = problems(outcomes, "docs/writing-a-pack.md")
    assert not found, "\n\n".join(found)
    dist = work / "my-packs" / "calves" / "dist"
    assert sorted(p.name for p in dist.iterdir()) == [
        "glutekit_calves-0.1.0-py3-none-any.whl",
        "glutekit_calves-0.1.0.tar.gz",
    ]
    assert (work / "my-packs" / "calves" / "calves-and-glutes.pdf").read_bytes()[:4] == b"%PDF"
