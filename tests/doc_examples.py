"""The console examples of README.md and docs/, read and run as a reader would type them.

A ```console block holds commands, each on a line starting with ``$ ``, and below each
the output a reader sees (stdout and stderr together, as on a terminal). A command may
end in a here-document (``<<'EOF'``), whose lines go with it.

Output shown under a command is compared with what the command prints, line by line
after trailing spaces are cut: a line ``...`` stands for any number of lines, and
``...`` inside a line for any text. A command shown with no output is run, and must
succeed, but what it prints is not compared. A command that fails must show what it
prints, so that the page tells the reader it fails.

A block that cannot run in the tests (it needs a sound card, plays for minutes in real
time, or installs into the environment running the tests) is marked on the line just
above its fence, with the reason::

    <!-- not run: plays the whole session in real time -->
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

NOT_RUN = re.compile(r"^<!-- not run: (?P<reason>\S.*?) -->$")
FENCE = re.compile(r"^```(?P<lang>[\w-]*)\s*$")


@dataclass
class Command:
    """One ``$`` line (with its here-document) and the output shown under it."""

    text: str
    line: int
    shown: list[str] = field(default_factory=list)


@dataclass
class Block:
    """One ```console block of a page."""

    page: str
    line: int
    commands: list[Command]
    not_run: str | None = None
    #: Lines before the first ``$`` line: a block written without prompts.
    stray: list[int] = field(default_factory=list)


def console_blocks(markdown: str, page: str = "") -> list[Block]:
    """Every ```console block of a Markdown text, in order, with its not-run reason."""
    lines = markdown.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        if fence.group("lang") == "console":
            above = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
            marker = NOT_RUN.match(above.strip())
            block = Block(
                page=page,
                line=i + 1,
                commands=[],
                not_run=marker.group("reason") if marker else None,
            )
            block.commands = _commands(lines[i + 1 : end], first_line=i + 2, stray=block.stray)
            blocks.append(block)
        i = end + 1
    return blocks


def _commands(lines: list[str], *, first_line: int, stray: list[int]) -> list[Command]:
    commands: list[Command] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.startswith("$ "):
            if commands:
                commands[-1].shown.append(line.rstrip())
            elif line.strip():
                stray.append(first_line + i - 1)
            continue
        command = Command(text=line[2:], line=first_line + i - 1)
        heredoc = re.search(r"<<'?(\w+)'?$", command.text)
        if heredoc:
            end = lines.index(heredoc.group(1), i)
            command.text = "\n".join([command.text, *lines[i:end], heredoc.group(1)])
            i = end + 1
        commands.append(command)
    for command in commands:
        while command.shown and not command.shown[-1]:
            command.shown.pop()
    return commands


def mismatch(shown: list[str], output: str) -> str | None:
    """Why ``output`` does not match the lines shown, or None when it does."""
    if not shown:
        return None
    parts = []
    for line in shown:
        if line == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            pieces = (re.escape(piece) for piece in line.split("..."))
            parts.append(r"[^\n]*?".join(pieces) + r"\n")
    actual = "\n".join(line.rstrip() for line in output.rstrip().splitlines()) + "\n"
    if re.fullmatch("".join(parts), actual):
        return None
    return "shown:\n" + "\n".join(shown) + "\nprinted:\n" + _tail(actual)


def _tail(output: str, lines: int = 40) -> str:
    """The end of a long output: enough to see what differs without pages of it."""
    kept = output.splitlines()
    if len(kept) <= lines:
        return output
    return f"[{len(kept) - lines} lines before]\n" + "\n".join(kept[-lines:])


@dataclass
class Outcome:
    command: Command
    output: str
    returncode: int


def run_commands(
    commands: list[Command],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    bin_dir: Path | None = None,
    timeout: float = 600,
) -> list[Outcome]:
    """Run the commands in order in one bash, as a reader types them into one terminal.

    ``glutekit`` is the one in ``bin_dir``, by default the one installed beside the
    running Python; output is unbuffered,
    so messages and data interleave as on a terminal. A command that fails
    does not stop the rest; each one's output and exit status are returned.
    """
    full_env = {**os.environ, **(env or {})}
    full_env["PATH"] = (
        str(bin_dir or Path(sys.executable).parent) + os.pathsep + full_env.get("PATH", "")
    )
    # Unbuffered, as on a terminal: stdout and stderr lines come in the order printed.
    full_env["PYTHONUNBUFFERED"] = "1"
    script = ["exec 2>&1 </dev/null"]
    for index, command in enumerate(commands):
        script += [command.text, f"printf '\\n@@done {index} %d\\n' $?"]
    proc = subprocess.run(
        ["bash", "-c", "\n".join(script) + "\n"],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        timeout=timeout,
    )
    outcomes: list[Outcome] = []
    rest = proc.stdout
    for index, command in enumerate(commands):
        found = re.search(rf"^@@done {index} (\d+)$", rest, re.M)
        if found is None:
            outcomes.append(Outcome(command=command, output=rest, returncode=-1))
            break
        output = rest[: found.start()].removesuffix("\n")
        outcomes.append(Outcome(command=command, output=output, returncode=int(found.group(1))))
        rest = rest[found.end() + 1 :]
    return outcomes


def problems(outcomes: list[Outcome], page: str) -> list[str]:
    """What went wrong, one entry per command, naming the page and line."""
    found = []
    for outcome in outcomes:
        command = outcome.command
        where = f"{page}:{command.line}: $ {command.text.splitlines()[0]}"
        if "Traceback (most recent call last)" in outcome.output:
            found.append(f"{where}\nprinted a traceback:\n{_tail(outcome.output)}")
            continue
        if outcome.returncode != 0 and not command.shown:
            found.append(
                f"{where}\nexited {outcome.returncode} but the page shows no output:\n"
                f"{_tail(outcome.output)}"
            )
            continue
        why = mismatch(command.shown, outcome.output)
        if why:
            found.append(f"{where}\n{why}")
    return found
