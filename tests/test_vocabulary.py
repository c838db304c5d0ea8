"""Vocabularies: built-in terms, terms packs declare, and the options that take them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pytest

import glutekit
from glutekit.catalog import Catalog
from glutekit.catalog.loaders import pack_from_data
from glutekit.catalog.packwords import word_problems
from glutekit.catalog.schema import parse_document, read_document
from glutekit.catalog.vocabulary import builtin
from glutekit.host.plugins import PluginHost

REPO = Path(__file__).resolve().parent.parent
GYM = Path(__file__).resolve().parent / "packs" / "glutekit_test_gym" / "pack.json"

# (command line, option named in the error, what the user meant)
UNKNOWN_WORDS: list[tuple[list[str], str, str]] = [
    (["exercises", "--target", "glute_medus"], "--target", "gluteus_medius"),
    (["exercises", "--equipment", "tenis_ball"], "--equipment", "tennis_ball"),
    (["exercises", "--position", "suppine"], "--position", "supine"),
    (["exercises", "--kind", "strech"], "--kind", "stretch"),
    (["exercises", "--target", "thigg"], "--target", "thigh"),
    (["compose", "--target", "gluteus_medus", "--minutes", "5"], "--target", "gluteus_medius"),
    (["compose", "--equipment", "foam_rollr", "--minutes", "5"], "--equipment", "foam_roller"),
    (["compose", "--avoid", "kneling", "--minutes", "5"], "--avoid", "kneeling"),
    (["compose", "--place", "flor", "--minutes", "5"], "--place", "floor"),
    (
        ["run", "--compose", "--target", "hamstring_s", "--minutes", "5", "--no-voice"],
        "--target",
        "hamstrings",
    ),
    (
        ["run", "--compose", "--equipment", "tenis_ball", "--minutes", "5", "--no-voice"],
        "--equipment",
        "tennis_ball",
    ),
    (
        ["run", "--compose", "--avoid", "lyin", "--minutes", "5", "--no-voice"],
        "--avoid",
        "lying",
    ),
]


@pytest.mark.parametrize(("args", "option", "meant"), UNKNOWN_WORDS, ids=lambda v: str(v))
def test_every_vocabulary_option_refuses_an_unknown_word_with_a_suggestion(
    cli: Any, args: list[str], option: str, meant: str, tmp_path: Path
) -> None:
    result = cli(*args)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert option in lines[-1]
    assert meant in lines[-1]
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("synonym", "term"),
    [("glute_med", "gluteus_medius"), ("hamstring", "hamstrings"), ("hip_flexor", "hip_flexors")],
)
def test_a_synonym_lists_the_same_exercises_as_its_term(cli: Any, synonym: str, term: str) -> None:
    by_synonym = cli("exercises", "--target", synonym, "--json")
    by_term = cli("exercises", "--target", term, "--json")
    assert by_synonym.exit_code == by_term.exit_code == 0
    assert json.loads(by_synonym.stdout) == json.loads(by_term.stdout) != []


def test_compose_accepts_synonyms(cli: Any) -> None:
    result = cli(
        "compose", "--target", "glute_med", "--equipment", "roller", "--minutes", "8", "--seed", "4"
    )
    assert result.exit_code == 0, result.output
    routine = json.loads(result.stdout)
    assert "gluteus_medius" in routine["targets"]


def test_vocabulary_lists_built_in_terms_with_their_labels(cli: Any) -> None:
    result = cli("vocabulary", "muscles", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    medius = next(r for r in rows if r["id"] == "gluteus_medius")
    assert medius == {
        "category": "muscles",
        "id": "gluteus_medius",
        "label": "Gluteus medius",
        "region": "hip",
        "parent": "glutes",
        "synonyms": ["glute_med", "glute_medius", "gluteus_med"],
        "pack": "glutekit",
    }
    assert {r["category"] for r in rows} == {"muscles"}
    kinds = {r["id"] for r in json.loads(cli("vocabulary", "kinds", "--json").stdout)}
    assert {"strength", "plyometric", "cardio", "mobility", "release"} <= kinds
    table = cli("vocabulary", "positions").stdout.splitlines()
    assert table[0].split()[:3] == ["Category", "Term", "Label"]
    assert any(line.split()[1] == "quadruped" and "kneeling" in line for line in table[2:])


def test_vocabulary_names_the_pack_that_added_a_term(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(GYM.parent.parent))
    rows = json.loads(cli("-p", "glutekit_test_gym", "vocabulary", "--json").stdout)
    by_id = {(r["category"], r["id"]): r for r in rows}
    assert by_id[("muscles", "deltoids")]["pack"] == "gym"
    assert by_id[("muscles", "deltoids")]["region"] == "shoulder"
    assert by_id[("positions", "bench-lying")]["posture"] == "lying"
    assert by_id[("equipment", "tennis_ball")]["pack"] == "glutekit"


class _DataPack:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @glutekit.hookimpl
    def glutekit_exercise_packs(self) -> list[dict[str, Any]]:
        return [self.data]


def _tiny_pack(pack_id: str, label: str) -> dict[str, Any]:
    return {
        "id": pack_id,
        "name": f"Pack {pack_id}",
        "version": "1.0",
        "license": "CC0-1.0",
        "vocabulary": {"muscles": [{"id": "rotator_cuff", "label": label, "region": "shoulder"}]},
        "exercises": [
            {
                "id": "external-rotation",
                "name": "External rotation",
                "kind": "activation",
                "targets": {"primary": ["rotator_cuff"]},
                "instructions": ["Turn the forearm out against a light band."],
            }
        ],
    }


def test_two_packs_giving_one_term_different_meanings_are_named_in_a_warning(
    host: PluginHost, register: Any
) -> None:
    register(_DataPack(_tiny_pack("one", "Rotator cuff")), "one")
    register(_DataPack(_tiny_pack("two", "Shoulder capsule")), "two")
    warnings: list[str] = []
    host.report = warnings.append  # type: ignore[method-assign]
    catalog = Catalog.build(host, user_routines=False)
    conflicts = [w for w in warnings if "rotator_cuff" in w]
    assert len(conflicts) == 1
    assert "pack 'one'" in conflicts[0] and "pack 'two'" in conflicts[0]
    assert catalog.vocabulary.terms["muscles"]["rotator_cuff"].label == "Rotator cuff"
    assert {"one:external-rotation", "two:external-rotation"} <= set(catalog.exercises)


def test_the_same_meaning_from_two_packs_merges_quietly(host: PluginHost, register: Any) -> None:
    register(_DataPack(_tiny_pack("one", "Rotator cuff")), "one")
    register(_DataPack(_tiny_pack("two", "rotator cuff")), "two")
    warnings: list[str] = []
    host.report = warnings.append  # type: ignore[method-assign]
    catalog = Catalog.build(host, user_routines=False)
    assert warnings == []
    assert catalog.vocabulary.terms["muscles"]["rotator_cuff"].pack == "one"


def test_a_word_the_pack_does_not_declare_is_located_with_a_suggestion(
    cli: Any, tmp_path: Path
) -> None:
    data = json.loads(GYM.read_text(encoding="utf-8"))
    data["exercises"][0]["targets"]["primary"] = ["deltoid"]
    data["exercises"][0].pop("images")
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    result = cli("validate", path)
    assert result.exit_code == 2
    (line,) = [x for x in result.stderr.splitlines() if "/exercises/0/targets" in x]
    assert line.startswith(f"{path}:")
    assert "unknown muscle 'deltoid'" in line and "did you mean: deltoids" in line


def test_a_pack_writes_terms_not_synonyms(tmp_path: Path) -> None:
    data = json.loads(GYM.read_text(encoding="utf-8"))
    data["exercises"][1]["targets"]["primary"] = ["pecs"]
    path = GYM.parent / "_synonym_test.json"
    try:
        path.write_text(json.dumps(data), encoding="utf-8")
        catalog = Catalog()
        _, _, problems = catalog.check_file(path)
    finally:
        path.unlink()
    assert any("'pecs' is a synonym; write the term itself, 'pectorals'" in p for p in problems)


@pytest.mark.parametrize(
    ("place", "pointer", "message"),
    [
        ({"kind": "strech"}, "kind", "unknown kind 'strech'"),
        ({"targets": {"primary": ["glütëus"]}}, "targets/primary/0", "unknown muscle 'glütëus'"),
        (
            {"targets": {"primary": ["glutes"], "secondary": ["glutes", "buttocks"]}},
            "targets/secondary/1",
            "'buttocks' is a synonym; write the term itself, 'glutes'",
        ),
        ({"position": "floating"}, "position", "unknown position 'floating'"),
        ({"loads": ["crossover"]}, "loads/0", "'crossover' is a synonym"),
        ({"equipment": ["foam_roller", "bänd"]}, "equipment/1", "unknown equipment item 'bänd'"),
        (
            {"equipment": [{"any_of": ["foam_roller", "roller"]}]},
            "equipment/0/any_of/1",
            "'roller' is a synonym; write the term itself, 'foam_roller'",
        ),
    ],
    ids=["kind", "primary", "secondary", "position", "loads", "equipment", "any_of"],
)
def test_each_wrong_word_of_an_exercise_is_reported_where_it_is(
    place: dict[str, Any], pointer: str, message: str
) -> None:
    data = json.loads(GYM.read_text(encoding="utf-8"))
    last = len(data["exercises"]) - 1
    data["exercises"][last].update(place)
    doc = parse_document(json.dumps(data, ensure_ascii=False).encode(), "pack.json")
    (problem,) = word_problems(doc)
    assert f"/exercises/{last}/{pointer}:" in str(problem) and message in str(problem)


# ----------------------------------------------------------------------------- old files


OLD_FILES = [
    REPO / "plugins" / "glutekit_glutes" / "pack.json",
    REPO / "examples" / "glutekit-hip-flexors" / "glutekit_hip_flexors" / "pack.json",
    *sorted((REPO / "routines").glob("*.json")),
    *sorted((REPO / "examples" / "glutekit-hip-flexors").rglob("routines/*.json")),
]


@pytest.mark.parametrize("path", OLD_FILES, ids=lambda p: p.name)
def test_the_published_schemas_still_validate_every_file_that_validated_before(
    path: Path,
) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    name = "exercise-pack" if "exercises" in data else "routine"
    schema = json.loads((REPO / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(data)) == []
    assert jsonschema_rs.validator_for(schema).is_valid(data)
    catalog = Catalog()
    _, _, problems = catalog.check_file(path, resolve=False)
    assert problems == []


def test_every_built_in_word_the_old_schema_allowed_is_a_term() -> None:
    words = builtin()
    glutes = read_document(REPO / "plugins" / "glutekit_glutes" / "pack.json").data
    for ex in glutes["exercises"]:
        assert ex["kind"] in words.terms["kinds"]
        assert ex["position"] in words.terms["positions"]
        for muscle in ex["targets"]["primary"] + ex["targets"].get("secondary", []):
            assert muscle in words.terms["muscles"]


def test_the_complete_pack_example_in_the_formats_page_validates(cli: Any, tmp_path: Path) -> None:
    text = (REPO / "docs" / "formats.md").read_text(encoding="utf-8")
    section = text[text.index("### A complete example") :]
    example = section[section.index("```json") + len("```json") : section.index("```\n", 10)]
    (tmp_path / "images").mkdir()
    (tmp_path / "figures").mkdir()
    (tmp_path / "images" / "shoulder-press.png").write_bytes(
        (GYM.parent / "images" / "shoulder-press.png").read_bytes()
    )
    (tmp_path / "figures" / "bench.svg").write_bytes(
        (GYM.parent / "figures" / "curl.svg").read_bytes()
    )
    path = tmp_path / "pack.json"
    path.write_text(example, encoding="utf-8")
    result = cli("validate", path)
    assert result.exit_code == 0, result.output
    pack = pack_from_data(json.loads(example), origin=str(path))
    bench = next(ex for ex in pack.exercises if ex.id == "gym:bench-press")
    assert set(bench.defaulted) == {"per_side", "dose", "cues"}
    assert bench.dose.describe() == "3 × 8 reps"
    assert bench.figure == str(tmp_path.resolve() / "figures" / "bench.svg")


# ----------------------------------------------------------------------------- hierarchy


def test_a_region_or_a_group_stands_for_every_muscle_in_it() -> None:
    words = builtin()
    upper = words.muscles_in("upper_back")
    assert upper[0] == "upper_back"
    assert {"latissimus_dorsi", "trapezius", "middle_back"} <= set(upper)
    assert words.muscles_in("lats") == ("latissimus_dorsi",)
    hip = set(words.muscles_in("hip"))
    assert {"glutes", "gluteus_medius", "piriformis", "hip_flexors"} <= hip
    assert "hamstrings" not in hip
    assert words.muscles_in("glutes") == (
        "glutes",
        "gluteus_maximus",
        "gluteus_medius",
        "gluteus_minimus",
    )


def test_exercises_for_a_region_are_those_for_its_muscles(cli: Any) -> None:
    def rows(*args: str) -> list[dict[str, Any]]:
        result = cli("exercises", *args, "--json")
        assert result.exit_code == 0, result.output
        return list(json.loads(result.stdout))

    def ids(*args: str) -> set[str]:
        return {row["id"] for row in rows(*args)}

    hip = ids("--target", "hip")
    medius, flexors = ids("--target", "gluteus_medius"), ids("--target", "hip_flexors")
    assert medius and flexors and medius | flexors <= hip
    assert ids("--target", "glutes") <= hip
    in_the_hip = set(builtin().muscles_in("hip"))
    assert all(in_the_hip & set(row["primary"]) for row in rows("--target", "hip"))
    thigh = rows("--target", "thigh")
    assert thigh and all(not in_the_hip & set(row["primary"]) or row["id"] in hip for row in thigh)


def test_compose_for_a_region_works_its_muscles_and_is_named_after_it(cli: Any) -> None:
    result = cli("compose", "--target", "hip", "--minutes", "5", "--seed", "3")
    assert result.exit_code == 0, result.output
    routine = json.loads(result.stdout)
    assert routine["title"].startswith("Cycle: hip,")
    assert routine["id"] == "cycle-hip-5-min"
    assert {"gluteus_medius", "hip_flexors"} <= set(routine["targets"])


def _hierarchy_pack(parents: dict[str, str]) -> dict[str, Any]:
    data = _tiny_pack("cuff", "Rotator cuff")
    data["vocabulary"]["muscles"] += [
        {"id": "infraspinatus", "label": "Infraspinatus", "region": "shoulder"},
        {"id": "serratus", "label": "Serratus anterior", "region": "trunk"},
    ]
    for muscle in data["vocabulary"]["muscles"]:
        if muscle["id"] in parents:
            muscle["parent"] = parents[muscle["id"]]
    data["exercises"][0]["targets"]["primary"] = ["infraspinatus"]
    data["exercises"].append(
        {
            "id": "wall-slide",
            "name": "Wall slide",
            "kind": "activation",
            "targets": {"primary": ["serratus"]},
            "instructions": ["Slide the forearms up the wall and back down."],
        }
    )
    return data


def _built_with(host: PluginHost, register: Any, pack: dict[str, Any]) -> tuple[Catalog, list[str]]:
    """The catalog with ``pack`` registered as plugin 'cuff', and the warnings it gave."""
    register(_DataPack(pack), "cuff")
    warnings: list[str] = []
    host.report = warnings.append  # type: ignore[method-assign]
    return Catalog.build(host, user_routines=False), warnings


def test_groups_and_regions_a_pack_declares_find_its_muscles(
    host: PluginHost, register: Any
) -> None:
    from glutekit.compose import build_request

    pack = _hierarchy_pack({"infraspinatus": "rotator_cuff", "serratus": "upper_back"})
    catalog, warnings = _built_with(host, register, pack)
    assert warnings == []
    words = catalog.vocabulary
    assert words.muscles_in("rotator_cuff") == ("rotator_cuff", "infraspinatus")
    # A pack's muscle may sit under a built-in group, in another region.
    assert "serratus" in words.muscles_in("upper_back")
    assert "infraspinatus" in words.muscles_in("shoulder")
    request = build_request(catalog, targets=["rotator_cuff"], minutes=5)
    assert request.targets == ("rotator_cuff", "infraspinatus")
    assert request.asked == ("rotator_cuff",)


def test_a_group_that_contains_itself_is_named_once_and_ends(
    host: PluginHost, register: Any
) -> None:
    pack = _hierarchy_pack({"rotator_cuff": "infraspinatus", "infraspinatus": "rotator_cuff"})
    catalog, warnings = _built_with(host, register, pack)
    (warning,) = [w for w in warnings if "belong" in w]
    assert "pack 'cuff'" in warning and "infraspinatus" in warning
    # The first declaration stands; the one that would close the loop is left out.
    assert catalog.vocabulary.muscles_in("infraspinatus") == ("infraspinatus", "rotator_cuff")
    assert catalog.vocabulary.muscles_in("rotator_cuff") == ("rotator_cuff",)


def test_a_parent_the_pack_does_not_declare_is_located_with_a_suggestion(
    cli: Any, tmp_path: Path
) -> None:
    data = json.loads(GYM.read_text(encoding="utf-8"))
    data["vocabulary"]["muscles"][0]["parent"] = "shoulder_girdle"
    for ex in data["exercises"]:
        ex.pop("images", None)
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    result = cli("validate", path)
    assert result.exit_code == 2
    (line,) = [x for x in result.stderr.splitlines() if "/vocabulary/muscles/0/parent" in x]
    assert "unknown muscle 'shoulder_girdle'" in line


def test_a_pack_file_whose_muscle_groups_loop_is_refused_by_validate_and_check_pack(
    tmp_path: Path,
) -> None:
    from tests.conftest import run_glutekit

    pack = {
        "id": "loopy",
        "name": "Loopy",
        "version": "1.0.0",
        "license": "CC0-1.0",
        "authors": ["A tester"],
        "vocabulary": {
            "muscles": [
                {"id": "m_one", "label": "M one", "region": "hip", "parent": "m_two"},
                {"id": "m_two", "label": "M two", "region": "hip", "parent": "m_one"},
            ]
        },
        "exercises": [
            {
                "id": "lift",
                "name": "Lift",
                "kind": "activation",
                "targets": {"primary": ["m_one"]},
                "position": "standing",
                "per_side": False,
                "dose": {"reps": 8},
                "instructions": ["Lift."],
                "cues": ["Slowly."],
                "sources": [{"title": "A test"}],
            }
        ],
    }
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(pack), encoding="utf-8")
    said = "/vocabulary/muscles/1/parent: 'm_two' cannot belong to 'm_one', which is under 'm_two' itself"
    for command in ("validate", "check-pack"):
        proc = run_glutekit(command, str(path))
        assert proc.returncode == 2, (command, proc.stdout, proc.stderr)
        assert said in proc.stderr, (command, proc.stderr)


def test_a_known_group_put_under_a_new_muscle_of_its_own_is_named_and_left_as_it_was() -> None:
    from glutekit.catalog.vocabulary import term_from_data

    declared = [
        {"id": "m_new", "label": "M new", "region": "hip", "parent": "gluteus_medius"},
        {"id": "glutes", "label": "Glutes", "region": "hip", "parent": "m_new"},
    ]
    merged, conflicts = builtin().with_terms(
        ("muscles", term_from_data(term, "loopy")) for term in declared
    )
    assert conflicts == [
        "vocabulary: muscle 'glutes' of pack 'loopy' cannot belong to 'm_new', which is under "
        "'glutes' itself; it is left without a group"
    ]
    assert merged.terms["muscles"]["glutes"].parent is None
    assert merged.terms["muscles"]["m_new"].parent == "gluteus_medius"
