"""Text the printing fonts cannot draw is named in one line, and check-pack finds it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from glutekit.publish.checks import Options, check
from tests.test_conformance import EXERCISE, PACK, _write


def test_an_emoji_in_a_routine_title_is_one_warning_naming_the_field(
    glutekit_proc: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "routines"
    _write(
        folder / "smile.json",
        {"id": "smile", "title": "Happy hips 🧘", "steps": [{"exercise": "glutes:knee-hug"}]},
    )
    out = tmp_path / "smile.pdf"
    done = glutekit_proc("export", "smile", "-o", out, env={"GLUTEKIT_ROUTINES_DIR": str(folder)})
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF")  # still printed
    warnings = [line for line in done.stderr.splitlines() if "wrote" not in line]
    assert len(warnings) == 1, done.stderr  # and not fpdf's own line per font
    assert warnings[0].startswith(f"glutekit: warning: {out}: the printing font cannot draw")
    assert "routine title: 🧘" in warnings[0]
    quiet = glutekit_proc(
        "-q", "export", "smile", "-o", out, env={"GLUTEKIT_ROUTINES_DIR": str(folder)}
    )
    assert "routine title: 🧘" in quiet.stderr  # a warning, not a progress note


def test_plain_text_in_any_language_the_fonts_have_gives_no_warning(
    glutekit_proc: Any, tmp_path: Path
) -> None:
    done = glutekit_proc("export", "medius-cycle", "--cards", "-o", tmp_path / "m.pdf")
    assert done.returncode == 0
    assert "warning" not in done.stderr


def test_check_pack_reports_text_the_fonts_cannot_draw(tmp_path: Path) -> None:
    exercise = {**EXERCISE, "cues": ["背中を壁に。"]}
    _write(tmp_path / "pack.json", {**PACK, "exercises": [exercise]})
    _write(
        tmp_path / "routines" / "r.json",
        {"id": "legs-r", "title": "R", "steps": [{"exercise": "legs:wall-sit"}]},
    )
    report = check(str(tmp_path), options=Options(voice=False))
    warnings = [f.message for f in report.findings if f.severity == "warning"]
    assert any(
        "routine 'legs-r': PDF:" in m and "exercise legs:wall-sit cues: 背 中 を 壁 に" in m
        for m in warnings
    ), warnings


@pytest.mark.parametrize("text", ["½ → é ü ß — “quoted” 30–45 s × 2"])
def test_the_characters_glutekit_uses_are_all_drawable(text: str) -> None:
    from glutekit_cards.glyphs import _missing

    assert _missing(text) == ""
    assert json.dumps(_missing("🧘漢")) == json.dumps("🧘漢")
