"""One of something is said and printed in the singular: "1 rep", "1 session"."""

from __future__ import annotations

import json
from pathlib import Path

from glutekit.catalog.chains import Rung
from glutekit.model import Dose
from tests.conftest import run_glutekit


def test_a_dose_of_one_reads_in_the_singular() -> None:
    assert Dose(kind="reps", reps=1).describe() == "1 rep"
    assert Dose(kind="reps", reps=1, reps_max=3).describe() == "1–3 reps"
    assert Dose(kind="breaths", breaths=1).describe() == "1 breath"
    assert Dose(kind="reps", reps=12, sets=2).describe() == "2 × 12 reps"
    one = Rung(exercise="p:x", name="X", kind="reps", amount=1)
    assert one.dose_text() == "1 rep"
    assert Rung(exercise="p:x", name="X", kind="breaths", amount=1, sets=2).dose_text() == (
        "2 × 1 breath"
    )


def test_one_rep_and_one_breath_are_said_in_the_singular(tmp_path: Path) -> None:
    routine = {
        "id": "ones",
        "title": "Ones",
        "steps": [
            {"exercise": "glutes:side-lying-clamshell", "dose": {"reps": 1}},
            {"exercise": "glutes:supine-hip-rotation", "dose": {"breaths": 1}},
        ],
    }
    path = tmp_path / "ones.json"
    path.write_text(json.dumps(routine), encoding="utf-8")
    proc = run_glutekit("transcript", str(path))
    assert proc.returncode == 0, proc.stderr
    assert "Side-lying clamshell. 1 rep each side" in proc.stdout, proc.stdout
    assert "1 slow breath each side" in proc.stdout, proc.stdout
    assert "1 reps" not in proc.stdout and "1 slow breaths" not in proc.stdout


def test_a_program_of_one_week_and_one_session_a_week(tmp_path: Path) -> None:
    program = {
        "id": "one-week",
        "title": "One week",
        "weeks": 1,
        "days": ["mon"],
        "sessions": [{"routine": "quick-five"}],
        "rules": {"progress_after": 1},
    }
    path = tmp_path / "one-week.json"
    path.write_text(json.dumps(program), encoding="utf-8")
    shown = run_glutekit("program", "show", str(path))
    assert shown.returncode == 0, shown.stderr
    assert "1 week, 1 session a week (Monday)." in shown.stdout, shown.stdout
    started = run_glutekit("program", "start", str(path))
    assert started.returncode == 0, started.stderr
    assert "Started 'One week': 1 session on mon" in started.stdout, started.stdout
    status = run_glutekit("program", "status")
    assert "One step harder after 1 session in a row" in status.stdout, status.stdout
