"""Render every command's --help into docs/cli.md.

    python docs/gen_cli.py           # rewrite docs/cli.md
    python docs/gen_cli.py --check   # exit 1 when docs/cli.md is stale

The command list comes from ``glutekit.cli.COMMANDS``, so a new command shows
up here without editing this script.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from click.testing import CliRunner

DOC = Path(__file__).resolve().parent / "cli.md"

HEADER = """\
# Command-line reference

This page is generated from `glutekit --help` and each command's `--help` by
`python docs/gen_cli.py`; a test fails when it is out of date. Environment
variables that change which plugins load are described in
[plugins.md](plugins.md).
"""


def _help(args: list[str]) -> str:
    from glutekit.cli import cli

    # A fixed width, so the page does not depend on the terminal it was made in.
    result = CliRunner().invoke(
        cli, [*args, "--help"], terminal_width=88, prog_name="glutekit", env={"COLUMNS": "88"}
    )
    if result.exit_code != 0:
        raise SystemExit(f"glutekit {' '.join(args)} --help failed:\n{result.output}")
    return result.output.rstrip() + "\n"


def render() -> str:
    import click

    from glutekit.cli import COMMANDS, cli

    parts = [HEADER, "## glutekit\n", "```text\n" + _help([]) + "```\n"]
    ctx = click.Context(cli)
    for name in sorted(COMMANDS):
        parts.append(f"## glutekit {name}\n")
        parts.append("```text\n" + _help([name]) + "```\n")
        command = cli.get_command(ctx, name)
        if isinstance(command, click.Group):
            for sub in sorted(command.list_commands(ctx)):
                parts.append(f"### glutekit {name} {sub}\n")
                parts.append("```text\n" + _help([name, sub]) + "```\n")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when cli.md is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if current != text:
            print(f"{DOC} is out of date: run 'python docs/gen_cli.py'", file=sys.stderr)
            return 1
        return 0
    tmp = DOC.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, DOC)
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
