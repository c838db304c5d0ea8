"""Data a plugin hands over as dicts reads as the same JSON file would.

A JSON file's whole-number floats (``"sets": 2.0``, which JSON Schema counts as an
integer) are read as ints. A plugin's dicts, made in Python, may hold such floats too:
they must not show as "12.0 reps", slip past the limit on a routine's size, or stop a
program's ladder with a traceback.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

PLUGIN = """
import glutekit

EXERCISE = {
    "id": "press", "name": "Float press", "kind": "strength",
    "targets": {"primary": ["gluteus_maximus"]}, "position": "standing", "equipment": [],
    "per_side": False, "dose": {"reps": 10.0, "reps_max": 12.0, "sets": 2.0},
    "progression": {"up_to": {"reps": 14.0, "sets": 3.0}, "step": {"reps": 2.0}},
    "instructions": ["Press the floor away."], "cues": ["Breathe out as you press."],
}


@glutekit.hookimpl
def glutekit_exercise_packs():
    return [{"id": "floaty", "name": "Floaty", "version": "1.0.0", "license": "CC0-1.0",
             "exercises": [EXERCISE]}]


@glutekit.hookimpl
def glutekit_routines():
    press = {"exercise": "floaty:press", "sets": 2.0, "dose": {"reps": 12.0}}
    inner = {"block": "inner", "repeat": 20.0, "steps": [press] * 10}
    return [
        {"id": "floaty-routine", "title": "Floaty routine", "steps": [press]},
        {"id": "floaty-huge", "title": "Too many steps",
         "steps": [{"block": "outer", "repeat": 20.0, "steps": [inner]}]},
    ]


@glutekit.hookimpl
def glutekit_programs():
    return [{"id": "floaty-plan", "title": "Floaty plan", "weeks": 2.0, "days": ["mon"],
             "sessions": [{"routine": "floaty-routine"}],
             "rules": {"progress_after": 2.0, "easy_effort": 5.0}}]
"""


@pytest.fixture
def floaty(tmp_path: Path, glutekit_proc: Any) -> Any:
    (tmp_path / "gk_floaty.py").write_text(textwrap.dedent(PLUGIN))

    def run(*args: str) -> Any:
        proc = glutekit_proc("-p", "gk_floaty", *args, env={"PYTHONPATH": str(tmp_path)})
        assert "Traceback" not in proc.stderr, proc.stderr
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc

    return run


def test_a_plugin_s_whole_floats_read_as_whole_numbers(floaty: Any) -> None:
    card = floaty("show", "floaty:press").stdout
    assert "2 × 10–12 reps" in card, card
    listed = floaty("routines").stderr
    # The routine of 20 × 20 blocks of 10 steps is refused, as the same file would be.
    assert "/steps: the routine expands to 4021 steps; the limit is 2000" in listed, listed
    transcript = floaty("transcript", "floaty-routine").stdout
    assert "2 sets of 12 reps" in transcript, transcript
    floaty("program", "start", "floaty-plan")
    status = floaty("program", "status").stdout
    assert "One step harder after 2 sessions in a row with effort 5 or less" in status, status
    for _ in range(2):
        logged = floaty(
            "program", "log", "--effort", "3", "--pain-before", "1", "--pain-after", "1"
        )
    assert "Float press: 2 × 12 reps → 2 × 14 reps" in logged.stdout, logged.stdout
    shown = json.loads(floaty("program", "status", "--json").stdout)
    assert shown["rules"]["progress_after"] == 2 and ".0" not in json.dumps(shown["rules"])
    # A number such as "12.0" (a version such as "1.0.0" or licence "CC0-1.0" aside).
    assert not re.search(r"(?<![\d.-])\d+\.0(?![.\d])", status + card + transcript + logged.stdout)


def test_only_whole_floats_change_and_the_data_handed_over_is_left_alone() -> None:
    from glutekit.catalog.schema import whole_numbers

    kept = {"d": 1, "e": [2.5]}
    data = {"a": [1.0, 2.5, True, "3.0", {"b": 4.0}, float("inf")], "c": kept}
    made = whole_numbers(data)
    assert made == {"a": [1, 2.5, True, "3.0", {"b": 4}, float("inf")], "c": kept}
    assert type(made["a"][0]) is int and made["a"][2] is True
    assert made["c"] is kept  # what needs no change is not copied
    assert type(data["a"][0]) is float and type(data["a"][4]["b"]) is float
    deep: list[Any] = []
    inner = deep
    for _ in range(100_000):
        inner.append([])
        inner = inner[0]
    inner.append(1.0)
    assert whole_numbers(deep) is deep  # too deep to walk: left for the schema to name
