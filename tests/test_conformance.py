"""``glutekit check-pack`` and ``glutekit.testing``: what a pack publisher runs."""

from __future__ import annotations

import copy
import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from glutekit.publish.checks import Options, check
from glutekit.testing import ConformanceError, check_pack
from tests.venvs import EXAMPLE

EXERCISE: dict[str, Any] = {
    "id": "wall-sit",
    "name": "Wall sit",
    "kind": "activation",
    "targets": {"primary": ["quadriceps"]},
    "position": "standing",
    "equipment": ["wall"],
    "per_side": False,
    "dose": {"hold": 30},
    "instructions": ["Slide down a wall until your knees are bent at a right angle."],
    "cues": ["Back flat on the wall."],
    "sources": [{"title": "Common strength-training practice"}],
}
PACK: dict[str, Any] = {
    "id": "legs",
    "name": "Legs",
    "version": "1.0.0",
    "license": "CC0-1.0",
    "authors": ["A. Tester"],
    "exercises": [EXERCISE],
}


def _write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def _pack(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = copy.deepcopy(PACK)
    change(data)
    return data


def _package(root: Path, routine_steps: list[dict[str, Any]], pyproject_group: str) -> Path:
    """A package folder with the valid pack and a routine, as a publisher would have it."""
    package = root / "glutekit_legs"
    _write(package / "pack.json", PACK)
    _write(
        package / "routines" / "legs.json",
        {"id": "legs-basic", "title": "Legs", "steps": routine_steps},
    )
    (package / "__init__.py").write_text(
        textwrap.dedent("""\
        from pathlib import Path
        import glutekit

        HERE = Path(__file__).parent

        @glutekit.hookimpl
        def glutekit_exercise_packs():
            return [HERE / "pack.json"]

        @glutekit.hookimpl
        def glutekit_routines():
            return sorted((HERE / "routines").glob("*.json"))
        """)
    )
    (root / "pyproject.toml").write_text(
        textwrap.dedent(f"""\
        [project]
        name = "glutekit-legs"
        version = "1.0.0"

        [project.entry-points.{pyproject_group}]
        legs = "glutekit_legs"
        """)
    )
    return root


def _broken_schema(tmp: Path) -> Path:
    return _write(tmp / "pack.json", _pack(lambda p: p["exercises"][0].update(kind="yoga")))


def _duplicate_ids(tmp: Path) -> Path:
    return _write(
        tmp / "pack.json", _pack(lambda p: p["exercises"].append(copy.deepcopy(EXERCISE)))
    )


def _clashes_with_installed(tmp: Path) -> Path:
    return _write(tmp / "pack.json", _pack(lambda p: p.update(id="glutes")))


def _no_sources(tmp: Path) -> Path:
    return _write(tmp / "pack.json", _pack(lambda p: p["exercises"][0].pop("sources")))


def _no_licence(tmp: Path) -> Path:
    return _write(tmp / "pack.json", _pack(lambda p: p.pop("license")))


def _routine_does_not_resolve(tmp: Path) -> Path:
    return _package(tmp / "legs", [{"exercise": "legs:wall-squat"}], "glutekit")


def _no_entry_point(tmp: Path) -> Path:
    return _package(tmp / "legs", [{"exercise": "legs:wall-sit"}], "console_scripts")


BROKEN = {
    "schema": (_broken_schema, "/exercises/0/kind: unknown kind 'yoga'"),
    "duplicate-id": (_duplicate_ids, "duplicate exercise id 'wall-sit'"),
    "clash": (
        _clashes_with_installed,
        "pack id 'glutes' clashes with the installed plugin 'glutes'",
    ),
    "no-sources": (_no_sources, "/exercises/0 ('legs:wall-sit'): no 'sources'"),
    "no-licence": (_no_licence, "'license' is a required property"),
    "unresolved-routine": (
        _routine_does_not_resolve,
        "unknown exercise 'legs:wall-squat' (did you mean: legs:wall-sit?)",
    ),
    "no-entry-point": (_no_entry_point, "no entry point in group 'glutekit'"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_check_pack_fails_a_broken_pack_with_one_line_naming_the_problem(
    case: str, tmp_path: Path, glutekit_proc: Any
) -> None:
    make, expected = BROKEN[case]
    target = make(tmp_path)
    proc = glutekit_proc("check-pack", target, "--no-voice", "--no-export")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, errors
    assert expected in errors[0]
    assert "FAILED" in proc.stderr.splitlines()[-1]
    assert "Traceback" not in proc.stderr


def test_schema_errors_point_at_file_line_and_column(tmp_path: Path) -> None:
    target = _broken_schema(tmp_path)
    report = check(str(target), options=Options(export=False, voice=False))
    (error,) = report.errors
    line = target.read_text().splitlines().index('      "kind": "yoga",') + 1
    assert error.message.startswith(f"{target}:{line}:")


def test_the_example_package_passes_every_check(glutekit_proc: Any) -> None:
    proc = glutekit_proc("check-pack", EXAMPLE, "--no-voice")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not [line for line in proc.stderr.splitlines() if line.startswith(("error", "warn"))]
    assert "ok (1 pack(s), 7 exercise(s), 1 routine(s)" in proc.stdout


def test_the_pdf_check_really_exports(tmp_path: Path) -> None:
    report = check(str(EXAMPLE), options=Options(voice=False))
    assert report.ok, report.findings
    assert not any("pdf" in f.message.lower() for f in report.findings)


def test_voice_check_is_skipped_with_an_info_line_when_nothing_speaks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GLUTEKIT_BLOCK_PLUGINS", "voice")
    report = check(str(EXAMPLE), options=Options(export=False))
    assert report.ok
    infos = [f.message for f in report.findings if f.severity == "info"]
    assert any("voice cues not checked" in m for m in infos), infos


def test_voice_cues_render_when_a_speech_engine_is_installed() -> None:
    # CI installs espeak-ng, so the voice plugin can render every cue to a WAV.
    said: list[str] = []
    report = check(str(EXAMPLE), options=Options(export=False, say=said.append))
    assert report.ok, [str(f) for f in report.findings]
    # Said before the rendering starts, with the way to skip it.
    (line,) = said
    assert "rendering the spoken cues of 1 routine(s)" in line and "--no-voice skips it" in line
    infos = [f.message for f in report.findings if f.severity == "info"]
    assert any(
        m.endswith("voice cues rendered with exporter 'wav' of plugin 'voice'") for m in infos
    ), infos


def test_nothing_is_said_about_speech_with_no_voice(tmp_path: Path) -> None:
    said: list[str] = []
    check(str(EXAMPLE), options=Options(export=False, voice=False, say=said.append))
    assert said == []


def test_defaults_a_pack_uses_on_purpose_are_summed_up_in_one_line(tmp_path: Path) -> None:
    def many(data: dict[str, Any]) -> None:
        data["defaults"] = {"by_kind": {"strength": {"dose": {"reps": 8, "sets": 3}}}}
        data["exercises"] = []
        for n in range(30):
            exercise = {k: v for k, v in EXERCISE.items() if k not in ("cues", "dose", "per_side")}
            exercise.update(id=f"move-{n}", kind="strength" if n % 3 else "stretch")
            data["exercises"].append(exercise)

    target = _write(tmp_path / "pack.json", _pack(many))
    report = check(str(target), options=Options(export=False, voice=False))
    notes = [f.message for f in report.findings if "defaults" in f.message]
    assert len(notes) == 1, notes
    assert "30 of 30 exercise(s) leave fields out" in notes[0]
    assert "'dose' from the pack's default for strength (3 × 8 reps) for 20" in notes[0]
    assert "'dose' from glutekit's default for stretch (30 s) for 10" in notes[0]
    assert "'cues' from glutekit's default (no cues) for 30" in notes[0]


@pytest.mark.parametrize("per_side", [None, True])
def test_side_placeholders_in_an_exercise_done_once_are_a_warning(
    tmp_path: Path, per_side: bool | None
) -> None:
    """Left out, "per_side" is false: "{side} knee" would be said as "working knee"."""

    def placeholders(data: dict[str, Any]) -> None:
        exercise = data["exercises"][0]
        exercise.pop("per_side")
        if per_side is not None:
            exercise["per_side"] = per_side
        exercise["cues"] = ["Back flat on the wall.", "Weight through the {side} heel."]

    target = _write(tmp_path / "pack.json", _pack(placeholders))
    report = check(str(target), options=Options(export=False, voice=False))
    assert report.ok
    found = [str(f) for f in report.warnings if "placeholders" in f.message]
    if per_side:
        assert found == []
    else:
        assert len(found) == 1
        assert "/exercises/0/cues/1" in found[0] and 'no "per_side": true' in found[0]


def test_a_data_only_folder_of_json_files_is_checked(tmp_path: Path) -> None:
    _write(tmp_path / "pack.json", PACK)
    _write(
        tmp_path / "routines" / "r.json",
        {"id": "legs-r", "title": "R", "steps": [{"exercise": "legs:wall-sit"}]},
    )
    report = check(str(tmp_path), options=Options(export=False, voice=False))
    assert report.ok, report.findings
    assert [r.id for r in report.routines] == ["legs-r"]


def test_a_module_that_raises_in_a_hook_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "gk_explodes.py").write_text(
        textwrap.dedent("""\
        import glutekit

        @glutekit.hookimpl
        def glutekit_exercise_packs():
            raise ValueError("no pack today")
        """)
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    report = check("gk_explodes", options=Options(export=False, voice=False))
    messages = [str(f) for f in report.errors]
    assert any(
        "raised in glutekit_exercise_packs: ValueError: no pack today" in m for m in messages
    ), messages


def test_an_unknown_target_is_one_line_and_exit_2(glutekit_proc: Any) -> None:
    proc = glutekit_proc("check-pack", "no_such_module_here")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "glutekit: error: no_such_module_here: no such file, folder or importable module"
    ]


def test_testing_helper_raises_an_assertion_that_lists_each_finding(tmp_path: Path) -> None:
    target = _no_sources(tmp_path)
    with pytest.raises(ConformanceError) as caught:
        check_pack(str(target), export=False, voice=False)
    assert isinstance(caught.value, AssertionError)
    assert "error: " in str(caught.value) and "no 'sources'" in str(caught.value)


def test_testing_helper_can_fail_on_warnings(tmp_path: Path) -> None:
    target = _write(tmp_path / "pack.json", _pack(lambda p: p.pop("authors")))
    assert check_pack(str(target), export=False, voice=False).ok
    with pytest.raises(ConformanceError, match="names no authors"):
        check_pack(str(target), export=False, voice=False, warnings_fail=True)
