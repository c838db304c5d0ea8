"""A small pack and routines written for the coaching tests: one exercise per feature."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import glutekit


def _exercise(ex_id: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": ex_id,
        "name": ex_id.replace("-", " ").capitalize(),
        "kind": "stretch",
        "targets": {"primary": ["gluteus_maximus"]},
        "position": "supine",
        "per_side": True,
        "dose": {"hold": 30},
        "instructions": ["Lie on your back."],
        "cues": ["Breathe out slowly."],
    }
    return {**base, **fields}


PACK: dict[str, Any] = {
    "id": "c",
    "name": "Coaching test pack",
    "version": "1.0.0",
    "license": "CC0-1.0",
    "exercises": [
        _exercise(
            "cross",
            working_side="{side} ankle crosses over your {other} knee",
            instructions=[
                "Lie on your back, knees bent.",
                "Cross your {side} ankle over your {other} knee.",
            ],
            cues=["Breathe out slowly.", "Let the {side} knee open."],
            transition={"seconds": 6, "say": "Uncross, and cross the {side} ankle over."},
            cautions=[{"text": "Ease off if the knee complains.", "spoken": True}],
        ),
        _exercise(
            "lunge",
            position="lunge",
            working_side="{side} foot forward",
            instructions=["Kneel, then step your {side} foot forward."],
            cues=["Tall through the chest.", "Sink the {other} hip."],
        ),
        _exercise(
            "bridge",
            kind="activation",
            dose={"reps": 6, "tempo": {"up": 2, "hold": 1, "down": 2}},
            working_side="{side} foot on the floor, {other} leg long",
            instructions=["Bend your {side} knee and lift the {other} leg long."],
            cues=["Hips level.", "Squeeze at the top."],
            phase_words={"up": "Lift", "hold": "Hold", "down": "Lower"},
        ),
        _exercise(
            "breathe",
            kind="mobility",
            per_side=False,
            dose={"breaths": 5},
            instructions=["Rest your hands on your belly."],
            cues=["Belly rises first."],
        ),
        _exercise("nosides"),
        _exercise(
            "rotate",
            working_side="{side} ankle on your {other} knee",
            instructions=[
                "Lie on your back, knees bent.",
                "Rest your {side} ankle on your {other} knee.",
                "Let the knees drop slowly to your {other} side.",
            ],
            transition={
                "say": "Come back to the middle and rest your {side} ankle on your {other} knee."
            },
        ),
        _exercise(
            "walk",
            kind="mobility",
            position="standing",
            per_side=False,
            dose={"hold": 300},
            instructions=["Walk at an easy pace."],
            cues=["Easy pace.", "Arms swing."],
        ),
        _exercise(
            "clam",
            kind="activation",
            position="side-lying",
            working_side="lie on your {other} side, {side} knee opens",
            instructions=["Lie on your {other} side, knees bent."],
        ),
        _exercise(
            "many-cues",
            per_side=False,
            dose={"hold": 20},
            cues=[
                "Breathe out slowly.",
                "Soften the jaw.",
                "Shoulders heavy.",
                "Let the floor hold you.",
                "Long neck.",
                "Stay easy.",
            ],
        ),
    ],
}

#: A routine that keeps every coaching rule.
GOOD: dict[str, Any] = {
    "id": "good",
    "title": "Good",
    "steps": [
        {"say": "Lie on your back."},
        {"exercise": "c:cross"},
        {"exercise": "c:lunge"},
        {"block": "Pair", "repeat": 2, "rest_between": 10, "steps": [
            {"exercise": "c:bridge"},
            {"exercise": "c:breathe"},
        ]},
    ],
}  # fmt: skip


def write(folder: Path, name: str, data: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


class CoachingPack:
    @glutekit.hookimpl
    def glutekit_exercise_packs(self) -> list[dict[str, Any]]:
        return [PACK]
