"""Value types shared by the core and the plugins.

Next to them: :mod:`.durations` (``1m30s`` as routines write it), :mod:`.sides` (the
``{side}`` placeholders of per-side exercises) and :mod:`.records` (``@record``, the
dataclass decorator glutekit's records use: their methods are compiled on first use).

Routines and packs stay JSON on disk; they become these frozen dataclasses only
after they have been validated (see :mod:`glutekit.catalog.schema` and :mod:`glutekit.catalog.loaders`).

The types live in :mod:`.types`, :mod:`.routine` (a routine, its steps and
settings) and :mod:`.timeline` (cues, segments and the timeline), and are loaded when
one is first used: a command that
only reads the history or the config file, or formats a duration with
:mod:`.durations`, needs none of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from glutekit.model.routine import (
        BlockStep,
        DoseOverride,
        ExerciseStep,
        MessageStep,
        RestStep,
        Routine,
        Settings,
        Step,
    )
    from glutekit.model.timeline import PRIORITY, Cue, CueKind, Segment, SegmentKind, Timeline
    from glutekit.model.types import (
        KINDS,
        MAX_EXHALE,
        MAX_INHALE,
        RELAXED_BREATH,
        BreathPace,
        Dose,
        DoseKind,
        Exercise,
        ExerciseKind,
        Guidance,
        Image,
        Pack,
        PhaseWords,
        Progression,
        Side,
        SideChoice,
        SideOrder,
        Source,
        Symptom,
        Tempo,
        Transition,
        Variation,
    )

__all__ = [
    "KINDS",
    "MAX_EXHALE",
    "MAX_INHALE",
    "PRIORITY",
    "RELAXED_BREATH",
    "BlockStep",
    "BreathPace",
    "Cue",
    "CueKind",
    "Dose",
    "DoseKind",
    "DoseOverride",
    "Exercise",
    "ExerciseKind",
    "ExerciseStep",
    "Guidance",
    "Image",
    "MessageStep",
    "Pack",
    "PhaseWords",
    "Progression",
    "RestStep",
    "Routine",
    "Segment",
    "SegmentKind",
    "Settings",
    "Side",
    "SideChoice",
    "SideOrder",
    "Source",
    "Step",
    "Symptom",
    "Tempo",
    "Timeline",
    "Transition",
    "Variation",
]


#: The modules of the names not in :mod:`.types`.
_MODULES = {
    **dict.fromkeys(
        ("CueKind", "PRIORITY", "Cue", "Segment", "SegmentKind", "Timeline"), "timeline"
    ),
    **dict.fromkeys(
        (
            "Settings",
            "DoseOverride",
            "ExerciseStep",
            "RestStep",
            "MessageStep",
            "BlockStep",
            "Step",
            "Routine",
        ),
        "routine",
    ),
}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from glutekit.model import routine, timeline, types

    module = {"routine": routine, "timeline": timeline}.get(_MODULES.get(name, ""), types)
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
