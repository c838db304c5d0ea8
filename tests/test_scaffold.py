"""``glutekit new-pack``: the generated package installs, loads and passes its own tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from glutekit.publish.checks import Options, check
from tests.listing import first_column
from tests.venvs import make_venv


def test_new_pack_writes_a_complete_package(tmp_path: Path, cli: Any) -> None:
    result = cli("new-pack", "stretchy", "--dir", tmp_path / "stretchy", "--author", "Ada")
    assert result.exit_code == 0, result.output
    root = tmp_path / "stretchy"
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert files == [
        "README.md",
        "glutekit_stretchy/__init__.py",
        "glutekit_stretchy/pack.json",
        "glutekit_stretchy/routines/stretchy-starter.json",
        "pyproject.toml",
        "tests/test_pack.py",
    ]
    pyproject = (root / "pyproject.toml").read_text()
    assert 'name = "glutekit-stretchy"' in pyproject
    assert '[project.entry-points.glutekit]\nstretchy = "glutekit_stretchy"' in pyproject
    pack = json.loads((root / "glutekit_stretchy" / "pack.json").read_text())
    assert pack["id"] == "stretchy" and pack["authors"] == ["Ada"]
    assert 'check_pack_module("glutekit_stretchy")' in (root / "tests" / "test_pack.py").read_text()


def test_the_generated_package_passes_check_pack_as_it_is(tmp_path: Path, cli: Any) -> None:
    cli("new-pack", "demo", "--dir", tmp_path / "demo")
    report = check(str(tmp_path / "demo"), options=Options(voice=False))
    assert report.ok, [str(f) for f in report.findings]
    assert not report.warnings
    assert [r.id for r in report.routines] == ["demo-starter"]


def test_the_gym_template_shows_vocabularies_defaults_pictures_and_credits(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = cli("new-pack", "lifts", "--template", "gym", "--dir", tmp_path / "lifts")
    assert result.exit_code == 0, result.output
    package = tmp_path / "lifts" / "glutekit_lifts"
    pack = json.loads((package / "pack.json").read_text(encoding="utf-8"))
    (muscle,) = pack["vocabulary"]["muscles"]
    assert muscle["parent"] and muscle["region"]
    assert pack["vocabulary"]["equipment"]
    assert pack["defaults"]["by_kind"] and pack["attribution"]
    for exercise in pack["exercises"]:
        assert exercise["sources"]
        assert len(exercise["images"]) == 2  # start and end
        for image in exercise["images"]:
            assert image["alt"] and image["credit"]
            assert (package / image["path"]).is_file()
    readme = (tmp_path / "lifts" / "README.md").read_text(encoding="utf-8")
    for key in ("attribution", "vocabulary.muscles", "vocabulary.equipment", "defaults"):
        assert f"**`{key}`**" in readme
    assert "**`images`**" in readme and "**`sources`**" in readme
    # The base template's other files are there too.
    assert (tmp_path / "lifts" / "tests" / "test_pack.py").is_file()

    checked = cli("check-pack", tmp_path / "lifts", "--no-voice", "--no-export")
    assert checked.exit_code == 0, checked.output
    assert "0 error(s), 0 warning(s)" in checked.output
    # Its muscle is found through the hierarchy, by region and by its parent, and its
    # equipment by a synonym.
    monkeypatch.syspath_prepend(str(tmp_path / "lifts"))
    for option, word in (("--target", "upper_back"), ("--target", "lower_traps")):
        listed = cli("-p", "glutekit_lifts", "exercises", "--pack", "lifts", option, word, "--json")
        assert listed.exit_code == 0, listed.output
        assert {r["id"] for r in json.loads(listed.stdout)} == {
            "lifts:band-pull-apart",
            "lifts:cable-face-pull",
        }
    # --equipment is what one has: the face pull needs the new cable machine.
    for kit, found in (
        ("cable_station", "cable-face-pull"),
        ("resistance_band", "band-pull-apart"),
    ):
        listed = cli(
            "-p", "glutekit_lifts", "exercises", "--pack", "lifts", "--equipment", kit, "--json"
        )
        assert [r["id"] for r in json.loads(listed.stdout)] == [f"lifts:{found}"]


def test_the_cli_offers_every_template() -> None:
    from glutekit.cli.packs import new_pack
    from glutekit.publish.scaffold import TEMPLATES

    (option,) = [p for p in new_pack.params if p.name == "template"]
    assert list(option.type.choices) == list(TEMPLATES)  # type: ignore[attr-defined]


def test_an_unknown_template_is_refused_in_one_line(tmp_path: Path) -> None:
    from glutekit.errors import InputError
    from glutekit.publish.scaffold import new_pack

    with pytest.raises(InputError, match="no template 'yoga': choose one of starter, gym"):
        new_pack("demo", tmp_path / "demo", template="yoga")
    assert not (tmp_path / "demo").exists()


def test_the_glutekit_prefix_is_not_doubled(tmp_path: Path, cli: Any) -> None:
    cli("new-pack", "glutekit-calves", "--dir", tmp_path / "c")
    assert 'name = "glutekit-calves"' in (tmp_path / "c" / "pyproject.toml").read_text()
    assert (tmp_path / "c" / "glutekit_calves" / "pack.json").is_file()


@pytest.mark.parametrize("name", ["Bad Name", "9lives", "x-", "a--b", ""])
def test_a_bad_name_is_refused_in_one_line(name: str, tmp_path: Path, glutekit_proc: Any) -> None:
    proc = glutekit_proc("new-pack", name, cwd=tmp_path)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "is not a usable pack name" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_never_overwritten(tmp_path: Path, glutekit_proc: Any) -> None:
    target = tmp_path / "demo"
    target.mkdir()
    (target / "mine.txt").write_text("keep me")
    proc = glutekit_proc("new-pack", "demo", cwd=tmp_path)
    assert proc.returncode == 2
    assert "already exists and is not empty" in proc.stderr
    assert [p.name for p in target.iterdir()] == ["mine.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]  # no staging left behind


def test_the_template_ships_inside_the_glutekit_package() -> None:
    from glutekit.publish.scaffold import template_root

    names = {entry.name for entry in template_root().iterdir()}
    assert {"pyproject.toml.j2", "README.md.j2", "__package__", "tests"} <= names


@pytest.mark.slow
def test_new_pack_then_pip_install_then_pytest_passes(
    tmp_path: Path, built_wheels: dict[str, Path]
) -> None:
    venv = make_venv(tmp_path / "venv", built_wheels["glutekit"])
    work = tmp_path / "work"
    work.mkdir()
    created = venv.glutekit("new-pack", "demo", cwd=work)
    assert created.returncode == 0, created.stderr
    install = venv.run(
        venv.python, "-m", "pip", "install", "--no-build-isolation", "./demo", cwd=work
    )
    assert install.returncode == 0, install.stdout + install.stderr
    listed = venv.glutekit("exercises", "--pack", "demo")
    assert listed.returncode == 0, listed.stderr
    assert first_column(listed.stdout) == [
        "demo:cat-cow",
        "demo:wall-calf-stretch",
    ]
    tests = venv.run(venv.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "demo", cwd=work)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "1 passed" in tests.stdout
