"""Every console example of README.md and docs/ runs, and prints what the page shows.

How examples are written and marked is in ``tests/doc_examples.py`` and in the
README's section on the tests. The tutorial,
docs/writing-a-pack.md, needs a package installed into a virtual environment of its
own and runs in ``tests/test_docs.py``, with the same rules.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.doc_examples import Command, console_blocks, mismatch, problems, run_commands
from tests.venvs import REPO

TUTORIAL = "docs/writing-a-pack.md"
PAGES = sorted(
    str(p.relative_to(REPO)) for p in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
)


def _runnable(page: str) -> list[Command]:
    text = (REPO / page).read_text(encoding="utf-8")
    return [c for b in console_blocks(text, page) if b.not_run is None for c in b.commands]


def _param(page: str) -> Any:
    """A page whose examples clear the cache clears a cache of its own, as a reader's
    would be: never the run's shared voice cache, which every later test would then
    have to render again."""
    if any("cache clear" in c.text for c in _runnable(page)):
        return pytest.param(page, marks=pytest.mark.own_voice_cache)
    return page


RUN_HERE = [_param(p) for p in PAGES if p != TUTORIAL and _runnable(p)]


@pytest.mark.parametrize("page", RUN_HERE)
def test_console_examples_run_and_print_what_the_page_shows(page: str, tmp_path: Path) -> None:
    commands = _runnable(page)
    outcomes = run_commands(commands, cwd=tmp_path)
    assert len(outcomes) == len(commands), f"{page}: the examples stopped early"
    found = problems(outcomes, page)
    assert not found, "\n\n".join(found)


@pytest.mark.parametrize("page", PAGES)
def test_commands_are_in_console_blocks_and_every_skip_says_why(page: str) -> None:
    text = (REPO / page).read_text(encoding="utf-8")
    shell = re.findall(r"^```(?:sh|bash|shell|shell-session)\s*$", text, re.M)
    assert not shell, f"{page}: write commands in ```console blocks, with '$ ' before each"
    for block in console_blocks(text, page):
        assert not block.stray, f"{page}:{block.stray[0]}: a command without '$ ' before it"
        assert block.commands, f"{page}:{block.line}: a console block with no '$ ' command"
        if block.not_run is not None:
            assert len(block.not_run.split()) >= 3, f"{page}:{block.line}: say why it cannot run"


def test_most_console_examples_run() -> None:
    """Marking a block as not run is for what this machine cannot do, not a way out."""
    total = run = 0
    for page in PAGES:
        for block in console_blocks((REPO / page).read_text(encoding="utf-8"), page):
            total += len(block.commands)
            run += len(block.commands) if block.not_run is None else 0
    assert total >= 100 and run / total >= 0.6, (run, total)


# ------------------------------------------------------------------ the collector itself


def test_the_reader_finds_commands_output_here_documents_and_marks() -> None:
    text = (
        "Intro\n\n"
        "```console\n$ echo one\none\n$ cat > f <<'EOF'\n{}\nEOF\n$ true\n```\n\n"
        "<!-- not run: needs a sound card here -->\n"
        "```console\n$ play\n```\n"
    )
    first, second = console_blocks(text, "page.md")
    assert [c.text for c in first.commands] == ["echo one", "cat > f <<'EOF'\n{}\nEOF", "true"]
    assert first.commands[0].shown == ["one"] and first.commands[0].line == 4
    assert first.not_run is None and second.not_run == "needs a sound card here"


def test_shown_output_is_compared_line_by_line_with_ellipses() -> None:
    assert mismatch([], "anything") is None
    assert mismatch(["a", "b"], "a\nb\n") is None
    assert mismatch(["a", "b"], "a\nb\nc\n") is not None  # an extra line is a difference
    assert mismatch(["a", "...", "d"], "a\nb\nc\nd") is None
    assert mismatch(["a", "...", "d"], "a\nd") is None
    assert mismatch(["took ... s"], "took 12.5 s") is None
    assert mismatch(["took ... s"], "took 12.5 ms") is not None
    assert mismatch(["wrote hip.json: 4 exercises"], "wrote hip.json: 3 exercises") is not None


def test_a_failing_or_drifted_example_is_reported_with_its_page_and_line(tmp_path: Path) -> None:
    text = (
        "```console\n$ echo 3 exercises\n4 exercises\n$ false\n$ sh -c 'echo no; exit 2'\nno\n```\n"
    )
    (block,) = console_blocks(text, "page.md")
    found = problems(run_commands(block.commands, cwd=tmp_path), "page.md")
    assert len(found) == 2
    assert found[0].startswith("page.md:2: $ echo 3 exercises") and "4 exercises" in found[0]
    assert found[1].startswith("page.md:4: $ false") and "exited 1" in found[1]
