"""The pack's own tests: glutekit's conformance checks, plus what this pack promises."""

from __future__ import annotations

from glutekit.testing import check_pack_module


def test_pack_passes_glutekit_conformance_checks() -> None:
    check_pack_module("glutekit_hip_flexors")


def test_pack_covers_hip_flexors_and_hamstrings() -> None:
    report = check_pack_module("glutekit_hip_flexors", export=False, voice=False)
    (pack,) = report.packs
    assert pack.id == "hip-flexors"
    assert len(pack.exercises) >= 6
    targets = {muscle for ex in pack.exercises for muscle in ex.primary}
    assert {"hip_flexors", "hamstrings"} <= targets


def test_routine_mixes_this_pack_with_the_glute_pack() -> None:
    report = check_pack_module("glutekit_hip_flexors", export=False, voice=False)
    (routine,) = report.routines
    packs = {exercise_id.split(":")[0] for exercise_id in routine.exercise_ids()}
    assert packs == {"hip-flexors", "glutes"}
