"""Side placeholders are filled wherever a side is known, and refused where none is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_glutekit


@pytest.mark.parametrize(
    ("fields", "pointer", "what"),
    [
        ({"steps": [{"say": "Now the {side} side."}]}, "/steps/0/say", "a message or a rest"),
        ({"steps": [{"rest": 10, "say": "Shake out the {other} leg."}]}, "/steps/0/say", "a rest"),
        ({"safety": "Stop if the {side} hip aches."}, "/safety", "the safety line"),
        ({"screens": ["Numb {Side} foot? Stop here."]}, "/screens/0", "a screen"),
        ({"title": "My {side} hip"}, "/title", "the title"),
    ],
    ids=["message", "rest", "safety", "screen", "title"],
)
def test_a_placeholder_where_no_side_is_known_is_refused(
    tmp_path: Path, fields: dict[str, object], pointer: str, what: str
) -> None:
    routine = {"id": "r", "title": "T", "steps": [{"exercise": "glutes:knee-hug"}], **fields}
    if "steps" in fields:
        routine["steps"] = [*fields["steps"], {"exercise": "glutes:knee-hug"}]  # type: ignore[misc]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(routine), encoding="utf-8")
    for command in (("validate",), ("transcript",)):
        proc = run_glutekit(*command, str(path))
        assert proc.returncode == 2, proc.stdout + proc.stderr
        line = proc.stderr.strip().splitlines()[0]
        assert f"{pointer}: " in line and "is for no side" in line, line
        assert what in line, line


def test_a_step_note_on_the_sheet_reads_for_its_side(tmp_path: Path) -> None:
    routine = {
        "id": "r",
        "title": "T",
        "steps": [
            {"exercise": "glutes:side-lying-clamshell", "note": "Keep the {side} knee soft"},
            {"exercise": "glutes:side-lying-clamshell", "sides": "left", "note": "{Other} hip"},
        ],
    }
    path = tmp_path / "r.json"
    path.write_text(json.dumps(routine), encoding="utf-8")
    out = tmp_path / "sheet.md"
    proc = run_glutekit("export", str(path), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    sheet = out.read_text(encoding="utf-8")
    assert "Keep the working knee soft" in sheet and "Right hip" in sheet, sheet
    assert "{" not in sheet
