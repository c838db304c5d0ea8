"""``glutekit show``: one blank line between sections, hanging indents, sources by title."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest


@pytest.fixture
def card(cli: Any) -> list[str]:
    result = cli("show", "glutes:half-pigeon", env={"COLUMNS": "70"})
    assert result.exit_code == 0, result.output
    # The text inside the panel's borders.
    return [
        line[2:-2].rstrip() if line.startswith("│") else line for line in result.stdout.splitlines()
    ]


def test_sections_are_separated_by_exactly_one_blank_line(card: list[str]) -> None:
    inside = card[1:-1]
    assert "" in inside
    assert not any(a == b == "" for a, b in itertools.pairwise(inside))
    for heading in ("Set-up", "Cues", "Mistakes to avoid", "Cautions", "Source"):
        at = inside.index(heading)
        assert inside[at - 1] == ""


def test_numbered_steps_and_bullets_hang(card: list[str]) -> None:
    steps = card[card.index("Set-up") + 1 : card.index("Cues") - 1]
    assert steps[0].startswith("1. ")
    assert len(steps) > 4, "a 70-column card wraps at least one step"
    for line in steps:
        assert re.match(r"^\d\. \S", line) or (line.startswith("   ") and line[3] != " "), line
    cues = card[card.index("Cautions") + 1 :]
    wrapped = [line for line in cues[: cues.index("")] if not line.startswith("• ")]
    assert wrapped and all(line.startswith("  ") and line[2] != " " for line in wrapped)


def test_sources_print_as_titles_and_muscles_as_labels(cli: Any) -> None:
    text = cli("show", "glutes:half-pigeon", env={"COLUMNS": "120"}).stdout
    assert "• Glute medius vs. glute maximus stretches" in text
    assert ".md" not in text and "seeds/" not in text
    assert "deep hip rotators, piriformis" in text


def test_an_acronym_keeps_its_capitals(cli: Any) -> None:
    text = cli("show", "glutes:crossover-hip-stretch", env={"COLUMNS": "120"}).stdout
    assert "gluteus maximus, IT band" in text
    assert "it band" not in text
