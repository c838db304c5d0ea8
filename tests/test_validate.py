"""`glutekit validate`: good files pass, every kind of bad file gets one line and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glutekit.files import MAX_FILE_BYTES
from tests.conftest import ROUTINES_DIR, run_glutekit

ROUTINE_WITH_ERROR_ON_LINE_7 = """{
  "id": "bad-dose",
  "title": "A routine with a bad dose",
  "steps": [
    {"exercise": "glutes:supine-figure-four"},
    {"rest": "20s"},
    {"exercise": "glutes:supine-figure-four", "dose": {"hold": "ten seconds"}}
  ]
}
"""


def test_ready_made_routines_validate(cli) -> None:
    paths = sorted(ROUTINES_DIR.glob("*.json"))
    assert len(paths) >= 8
    result = cli("validate", *paths)
    assert result.exit_code == 0, result.output + result.stderr
    assert result.output.count(": ok (routine)") == len(paths)


def test_pack_validates(cli) -> None:
    pack = ROUTINES_DIR.parent / "plugins" / "glutekit_glutes" / "pack.json"
    result = cli("validate", pack)
    assert result.exit_code == 0, result.stderr
    assert "ok (pack)" in result.output


def test_error_points_at_line_and_pointer(cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(ROUTINE_WITH_ERROR_ON_LINE_7)
    result = cli("validate", path)
    assert result.exit_code == 2
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith(str(path))]
    assert len(lines) == 1
    assert lines[0].startswith(f"{path}:7:")
    assert "/steps/2/dose/hold" in lines[0]


def test_unknown_exercise_suggests_close_ids(cli, tmp_path: Path) -> None:
    path = tmp_path / "typo.json"
    path.write_text(
        json.dumps(
            {
                "id": "typo",
                "title": "Typo",
                "steps": [{"exercise": "glutes:supine-figure-for"}],
            },
            indent=2,
        )
    )
    result = cli("validate", path)
    assert result.exit_code == 2
    assert "unknown exercise 'glutes:supine-figure-for'" in result.stderr
    assert "did you mean: glutes:supine-figure-four" in result.stderr
    line = next(
        i for i, text in enumerate(path.read_text().splitlines(), 1) if "supine-figure-for" in text
    )
    assert f"{path}:{line}:" in result.stderr


def test_json_output(cli, tmp_path: Path) -> None:
    good = ROUTINES_DIR / "quick-five.json"
    bad = tmp_path / "bad.json"
    bad.write_text(ROUTINE_WITH_ERROR_ON_LINE_7)
    result = cli("validate", "--json", good, bad)
    assert result.exit_code == 2
    data = json.loads(result.output)
    assert data["valid"] is False
    assert [f["valid"] for f in data["files"]] == [True, False]
    assert data["files"][1]["problems"][0].startswith(f"{bad}:7:")


def test_pack_given_alongside_resolves_routine(cli, tmp_path: Path) -> None:
    pack = {
        "id": "mini",
        "name": "Mini",
        "version": "1.0",
        "license": "CC0-1.0",
        "exercises": [
            {
                "id": "wall-sit",
                "name": "Wall sit",
                "kind": "activation",
                "targets": {"primary": ["quadriceps"]},
                "position": "standing",
                "equipment": ["wall"],
                "per_side": False,
                "dose": {"hold": "30s"},
                "instructions": ["Slide down the wall."],
                "cues": ["Keep breathing.", "Knees over toes."],
            }
        ],
    }
    routine = {"id": "mini-routine", "title": "Mini", "steps": [{"exercise": "mini:wall-sit"}]}
    (tmp_path / "pack.json").write_text(json.dumps(pack))
    (tmp_path / "routine.json").write_text(json.dumps(routine))
    result = cli("validate", tmp_path / "routine.json", tmp_path / "pack.json")
    assert result.exit_code == 0, result.stderr


def _write(tmp_path: Path, name: str, content: bytes | str | None) -> Path:
    path = tmp_path / name
    if content is None:
        return path  # missing
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return path


BAD_FILES: list[tuple[str, bytes | str | None, str]] = [
    ("missing.json", None, "no such file"),
    ("empty.json", b"", "file is empty"),
    ("whitespace.json", b"  \n\t ", "file is empty"),
    ("truncated.json", b'{"id": "x", "title": "T", "steps": [', "invalid JSON"),
    ("not-json.json", b"id = 'toml, not json'\n", "invalid JSON"),
    ("binary.json", bytes(range(256)), "not UTF-8"),
    ("nan.json", b'{"id": "x", "title": "T", "steps": [{"rest": NaN}]}', "NaN is not allowed"),
    ("array.json", b"[1, 2, 3]", "neither a routine"),
    ("deep.json", b'{"steps": ' + b"[" * 200 + b"]" * 200 + b"}", "nested"),
    ("no-steps.json", b'{"id": "x", "title": "T", "steps": []}', "should be non-empty"),
    (
        "wrong-type.json",
        b'{"id": "x", "title": 5, "steps": [{"rest": 5}]}',
        "is not of type 'string'",
    ),
    (
        "ten-hours.json",
        b'{"id": "x", "title": "T", "steps": [{"rest": "10h"}]}',
        "the limit is 3600 s",
    ),
    ("negative.json", b'{"id": "x", "title": "T", "steps": [{"rest": -5}]}', "/steps/0/rest"),
    (
        "control-chars.json",
        '{"id": "x", "title": "bad\\u0007bell", "steps": [{"rest": 5}]}',
        "/title",
    ),
]


@pytest.mark.parametrize(("name", "content", "expected"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_gets_one_line_and_exit_2(
    cli, tmp_path: Path, name: str, content: bytes | str | None, expected: str
) -> None:
    path = _write(tmp_path, name, content)
    result = cli("validate", path)
    assert result.exit_code == 2
    problem_lines = [ln for ln in result.stderr.splitlines() if ln.startswith(str(path))]
    assert len(problem_lines) == 1, result.stderr
    assert expected in problem_lines[0]
    assert "Traceback" not in result.stderr + result.output


def test_directory_and_huge_file(tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    # Over the size limit (a list of steps that long would only fail the schema).
    huge.write_text(
        '{"id": "x", "title": "T", "steps": ['
        + '{"rest": 1},' * (MAX_FILE_BYTES // 12 + 1)
        + '{"rest": 1}]}'
    )
    for target, expected in ((tmp_path, "is a directory"), (huge, "the limit is")):
        proc = run_glutekit("validate", target)
        assert proc.returncode == 2
        assert expected in proc.stderr
        assert "Traceback" not in proc.stderr
