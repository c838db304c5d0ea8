"""Hostile and unusual content: escaping, Unicode, very long text, paper sizes, HTML, Markdown."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from glutekit_cards.content import effective_dose
from glutekit_cards.figures import FIGURES, figure_for, svg
from glutekit_cards.pdf import write_pdf
from glutekit_cards.templates_render import markdown_escape
from test_cards_pdf import assert_clean_layout, pages_of, text_of

from glutekit import timeline
from glutekit.catalog import Catalog
from glutekit.host.plugins import PluginHost
from glutekit.interfaces import ExportOptions, ExportRequest
from glutekit.model import Dose, DoseOverride, Exercise, ExerciseStep, Tempo
from glutekit.model.sides import fill

SCRIPT = "<script>alert(1)</script>"


def routine_data(title: str, steps: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": "test-routine", "title": title, "purpose": "For testing ½ → é.", "steps": steps}


def export(cli: Any, routine: dict[str, Any], out: Path, *args: str) -> Any:
    path = out.parent / "routine.json"
    path.write_text(json.dumps(routine), encoding="utf-8")
    result = cli("export", str(path), "-o", str(out), *args)
    assert result.exit_code == 0, result.output
    return result


GLUTE_STEPS = [
    {"exercise": "glutes:side-lying-clamshell", "sides": "left"},
    {"exercise": "glutes:supine-figure-four", "sides": "both"},
]


def test_script_title_prints_literally_in_pdf(cli: Any, tmp_path: Path) -> None:
    export(cli, routine_data(SCRIPT, GLUTE_STEPS), tmp_path / "s.pdf")
    assert SCRIPT in text_of(tmp_path / "s.pdf")


def test_script_title_is_escaped_in_html(cli: Any, tmp_path: Path) -> None:
    for extra in ((), ("--cards",), ("--cards-only",)):
        out = tmp_path / f"s{len(extra)}.html"
        export(cli, routine_data(SCRIPT, GLUTE_STEPS), out, *extra)
        html = out.read_text(encoding="utf-8")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script" not in html


def test_script_title_is_escaped_in_markdown(cli: Any, tmp_path: Path) -> None:
    export(cli, routine_data(SCRIPT, GLUTE_STEPS), tmp_path / "s.md")
    text = (tmp_path / "s.md").read_text(encoding="utf-8")
    assert text.startswith("# \\<script\\>alert(1)\\</script\\>")
    assert re.search(r"(?<!\\)<", text) is None  # every "<" is backslashed: shown, not run


def test_unicode_prints_in_pdf(cli: Any, tmp_path: Path) -> None:
    export(cli, routine_data("Stretch ½ → café", GLUTE_STEPS), tmp_path / "u.pdf")
    text = text_of(tmp_path / "u.pdf")
    assert "Stretch ½ → café" in text and "For testing ½ → é." in text


def test_single_side_steps_say_which_side(cli: Any, tmp_path: Path) -> None:
    export(cli, routine_data("Sides", GLUTE_STEPS), tmp_path / "side.pdf")
    text = text_of(tmp_path / "side.pdf")
    assert "left side" in text and "each side" in text
    assert "clamshell — left" in text and "clamshell — right" not in text


def test_html_shows_the_same_content_as_the_pdf(cli: Any, tmp_path: Path, catalog: Catalog) -> None:
    cli("export", "gym-bar", "-o", str(tmp_path / "g.html"))
    cli("export", "gym-bar", "--cards-only", "-o", str(tmp_path / "c.html"))
    cli("export", "gym-bar", "--cards", "-o", str(tmp_path / "both.html"))
    html = (tmp_path / "g.html").read_text(encoding="utf-8")
    cards = (tmp_path / "c.html").read_text(encoding="utf-8")
    both = (tmp_path / "both.html").read_text(encoding="utf-8")
    routine = catalog.routines["gym-bar"]
    assert routine.title in html and "Total time" in html and "Pain after (0–10)" in html
    for ex_id in routine.exercise_ids():
        exercise = catalog.exercise(ex_id)
        assert exercise.name in html and exercise.name in cards
        assert fill(exercise.instructions[0], None) in html
    assert "2 × 30 s" in html and "each side" in html and "Week 4" in html
    assert cards.count('<article class="card"') == len(set(routine.exercise_ids()))
    assert cards.count("<svg") == len(set(routine.exercise_ids()))
    assert '<article class="card"' not in html and "Total time" not in cards
    # With --cards the page holds the whole sheet and log, then the same cards.
    sheet_part, cards_part = both.split('<main class="cards after-sheet">')
    assert html.split("</main>")[0] in sheet_part and "Pain after (0–10)" in sheet_part
    assert cards_part.count('<article class="card"') == len(set(routine.exercise_ids()))


def test_markdown_sheet_reads_as_tables_and_lists(cli: Any, tmp_path: Path) -> None:
    cli("export", "quick-five", "-o", str(tmp_path / "q.md"))
    text = (tmp_path / "q.md").read_text(encoding="utf-8")
    assert "| # | Exercise | Dose | Sides | Note |" in text
    assert "\n1. " in text and "## Log" in text and "☐" in text
    assert "## Exercise cards" not in text


@pytest.mark.parametrize("extra", [(), ("--cards",), ("--cards-only",)])
def test_markdown_has_single_blank_lines_between_parts(
    extra: tuple[str, ...], cli: Any, tmp_path: Path, catalog: Catalog
) -> None:
    routine = catalog.routines["medius-cycle"]
    cli("export", "medius-cycle", *extra, "-o", str(tmp_path / "m.md"))
    text = (tmp_path / "m.md").read_text(encoding="utf-8")
    assert "\n\n\n" not in text
    assert text.endswith("\n") and not text.endswith("\n\n")
    with_sheet = extra != ("--cards-only",)
    assert (
        text.startswith(f"# {routine.title}\n\n{routine.purpose}\n\n**Total time:**") == with_sheet
    )
    assert ("## Log" in text) == with_sheet
    assert ("**Avoid**\n\n- " in text) == bool(extra)
    assert ("## Exercise cards\n\n### " in text) == (extra == ("--cards",))


def long_pack(words: int) -> dict[str, Any]:
    sentence = " ".join(["Supercalifragilisticexpialidocious-length"] + ["stretch"] * words)
    exercises = [
        {
            "id": f"wordy-{n}",
            "name": f"A very long exercise name that goes on and on {n}",
            "kind": "stretch",
            "targets": {"primary": ["gluteus_maximus"]},
            "position": "prone",
            "equipment": [],
            "per_side": True,
            "dose": {"hold": 30},
            "instructions": [sentence] * 16,
            "cues": [sentence] * 6,
            "mistakes": [sentence] * 6,
            "cautions": [sentence + f" {n}"] * 3,
        }
        for n in range(3)
    ]
    return {
        "id": "wordy",
        "name": "Wordy",
        "version": "1.0.0",
        "license": "MIT",
        "exercises": exercises,
    }


class WordyPlugin:
    import glutekit

    @glutekit.hookimpl
    def glutekit_exercise_packs(self) -> list[dict[str, Any]]:
        return [long_pack(38)]


def test_long_content_flows_onto_more_pages_without_overflow(
    host: PluginHost, register: Any, tmp_path: Path
) -> None:
    register(WordyPlugin(), "wordy")
    catalog = Catalog.build(host, user_routines=False)
    routine = catalog.load_routine_data(
        routine_data("Wordy " * 30, [{"exercise": f"wordy:wordy-{n}"} for n in range(3)]), "<test>"
    )
    for cards_only, name in ((False, "sheet.pdf"), (True, "cards.pdf")):
        request = ExportRequest(
            routine=routine,
            timeline=timeline.compile(routine, catalog),
            catalog=catalog,
            path=tmp_path / name,
            format="pdf",
            options=ExportOptions(values={"cards_only": cards_only}),
        )
        write_pdf(request)
        assert_clean_layout(tmp_path / name)
    assert pages_of(tmp_path / "sheet.pdf") > 2
    assert "(continued)" in text_of(tmp_path / "cards.pdf")


def test_letter_paper_and_more_weeks(cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "letter.pdf"
    cli("export", "medius-cycle", "--paper", "letter", "--weeks", "12", "-o", str(out))
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert "612 x 792 pts" in info
    text = text_of(out)
    assert "Week 12" in text and "Week 13" not in text
    assert pages_of(out) > 2  # twelve weeks of log need more than one page
    assert_clean_layout(out)


def test_step_dose_overrides_the_exercise_dose() -> None:
    exercise = Exercise(
        id="p:e",
        pack="p",
        name="E",
        kind="activation",
        primary=("gluteus_medius",),
        position="supine",
        per_side=True,
        dose=Dose(kind="reps", reps=8, reps_max=12, tempo=Tempo(up=1, down=2)),
    )
    assert effective_dose(ExerciseStep(exercise="p:e"), exercise).describe() == "8–12 reps"
    step = ExerciseStep(exercise="p:e", dose=DoseOverride(reps=10), sets=3)
    assert effective_dose(step, exercise).describe() == "3 × 10 reps"
    hold = ExerciseStep(exercise="p:e", dose=DoseOverride(hold=45))
    assert effective_dose(hold, exercise).describe() == "45 s"


@pytest.mark.parametrize("position", ["supine", "prone", "half-kneeling", "hanging", "yoga"])
def test_every_position_gets_a_figure(position: str) -> None:
    assert figure_for(position) in FIGURES
    markup = svg(position)
    assert markup.startswith("<svg") and "<circle" in markup and "<polyline" in markup


def test_markdown_escape_keeps_text_literal() -> None:
    assert markdown_escape("a|b *c* <d>") == "a\\|b \\*c\\* \\<d\\>"


@pytest.mark.parametrize("suffix", ["md", "html", "pdf"])
def test_sheet_says_when_to_stop_and_see_a_professional(
    suffix: str, cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / f"q.{suffix}"
    assert cli("export", "quick-five", "-o", str(out)).exit_code == 0
    text = text_of(out) if suffix == "pdf" else out.read_text(encoding="utf-8")
    flat = " ".join(text.split())
    assert "physiotherapist or doctor before you start" in flat
    assert "tingling down the leg" in flat


@pytest.mark.parametrize("suffix", ["md", "html"])
def test_printed_instructions_fill_the_side_placeholders(
    suffix: str, cli: Any, tmp_path: Path
) -> None:
    both, one = tmp_path / f"both.{suffix}", tmp_path / f"one.{suffix}"
    assert cli("export", "quick-five", "--cards", "-o", str(both)).exit_code == 0
    export(cli, routine_data("Sides", GLUTE_STEPS), one, "--cards")
    text = both.read_text(encoding="utf-8")
    assert "{side}" not in text and "{other}" not in text
    # Both sides on one card: the working leg and the other one.
    assert "Lift your working leg and rest that ankle across your other thigh" in text
    assert "uncrossed thigh" in text
    # A left-only step reads for the left side.
    assert "Lie on your right hip with both knees bent and your left knee" in (
        one.read_text(encoding="utf-8")
    )
