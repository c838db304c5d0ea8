"""Content tests for the glute pack and the ready-made routines.

These read the JSON files and schemas straight from the repository, so they check the
content on its own, independent of the loaders in the core.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parent.parent
PACK_PATH = ROOT / "plugins" / "glutekit_glutes" / "pack.json"
ROUTINES_DIR = ROOT / "routines"
SCHEMAS_DIR = ROOT / "schemas"
#: The seed articles sit beside the checkout (../shared/seeds), or one level further up
#: when the checkout is a worktree in a folder of its own.
SEEDS_DIR = next(
    (
        p
        for p in (ROOT.parent / "shared" / "seeds", ROOT.parent.parent / "shared" / "seeds")
        if p.is_dir()
    ),
    ROOT.parent / "shared" / "seeds",
)
SEED_FILES = {
    "000_c9961f326b94c89d.txt",
    "001_fe3a565c549dc31d.txt",
    "002_6b41d3b3fe898326.txt",
    "003_e8aa8dd18e084c45.txt",
    "004_e57c2e0d0fcab602.txt",
}


#: How each seed is cited: its headline where it opens with one, else a short description.
SOURCE_TITLES = {
    "000_c9961f326b94c89d.txt": "Glute medius vs. glute maximus stretches",
    "001_fe3a565c549dc31d.txt": "4 Feel-Good Stretches for Your Gluteus Medius",
    "002_6b41d3b3fe898326.txt": "Stretching the upper glutes",
    "003_e8aa8dd18e084c45.txt": "Gluteus Medius Stretch - What I Wish I knew",
    "004_e57c2e0d0fcab602.txt": "How to Release the Gluteus Medius for Pain Relief",
}


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


PACK = _load(PACK_PATH)
EXERCISES = {ex["id"]: ex for ex in PACK["exercises"]}
ROUTINE_PATHS = sorted(ROUTINES_DIR.glob("*.json"))
ROUTINES = {path.stem: _load(path) for path in ROUTINE_PATHS}


def _seconds(value: int | str) -> int:
    if isinstance(value, int):
        return value
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", value)
    assert match and value, f"bad duration {value!r}"
    hours, minutes, secs = (int(g) if g else 0 for g in match.groups())
    return hours * 3600 + minutes * 60 + secs


# --------------------------------------------------------------------- 1. doses from the seeds

# (exercise id, dose kind, low, high or None, per_side)
SEED_DOSES = [
    ("knee-hug", "hold", 30, None, True),
    ("double-knee-hug", "hold", 30, None, False),
    ("knee-circles", "reps", 8, 10, True),
    ("deep-lunge", "hold", 30, None, True),
    ("supine-figure-four", "hold", 30, None, True),
    ("half-pigeon", "hold", 30, None, True),
    ("modified-pigeon", "hold", 30, None, True),
    ("crossover-hip-stretch", "hold", 30, None, True),
    ("seated-crossover-knee-hug", "hold", 30, None, True),
    ("hanging-side-arch", "hold", 30, None, True),
    ("supine-hip-rotation", "breaths", 6, None, True),
    ("tabletop-hip-stretch", "breaths", 5, 6, True),
    ("seated-figure-four", "hold", 20, 30, True),
    ("standing-figure-four", "hold", 20, 30, True),
    ("deep-lunge-glute-stretch", "hold", 20, 30, True),
    ("seated-spinal-twist", "hold", 30, None, True),
    ("ball-release-medius", "hold", 30, 60, True),
    ("ball-release-max", "hold", 30, 60, True),
    ("foam-roll-glutes", "hold", 45, None, True),
    ("single-leg-glute-bridge", "reps", 10, 12, True),
    ("fire-hydrant", "reps", 10, 15, True),
    ("side-lying-clamshell", "reps", 12, 15, True),
    ("standing-hip-abduction", "reps", 10, 15, True),
    ("light-cardio", "hold", 300, None, False),
]


def test_seed_dose_table_covers_the_whole_pack() -> None:
    assert {row[0] for row in SEED_DOSES} == set(EXERCISES)
    assert len(EXERCISES) == len(PACK["exercises"]), "duplicate exercise id"


@pytest.mark.parametrize(("ex_id", "kind", "low", "high", "per_side"), SEED_DOSES)
def test_dose_and_sides_match_the_seeds(
    ex_id: str, kind: str, low: int, high: int | None, per_side: bool
) -> None:
    ex = EXERCISES[ex_id]
    dose = ex["dose"]
    assert ex["per_side"] is per_side
    if kind == "hold":
        assert _seconds(dose["hold"]) == low
        assert (_seconds(dose["hold_max"]) if "hold_max" in dose else None) == high
    elif kind == "breaths":
        assert dose["breaths"] == low
        assert dose.get("breaths_max") == high
    else:
        assert dose["reps"] == low
        assert dose.get("reps_max") == high
        assert "tempo" in dose, "reps need a tempo so the timeline can time them"


def test_specific_seed_facts() -> None:
    medius_ball = EXERCISES["ball-release-medius"]
    assert medius_ball["equipment"] == [{"any_of": ["lacrosse_ball", "tennis_ball"]}]
    assert any("figure" in v["name"].lower() for v in medius_ball["variations"])
    assert EXERCISES["tabletop-hip-stretch"]["equipment"] == ["table"]
    assert EXERCISES["hanging-side-arch"]["equipment"] == ["pull_up_bar"]
    assert EXERCISES["seated-figure-four"]["equipment"] == [{"any_of": ["chair", "bench"]}]
    assert EXERCISES["foam-roll-glutes"]["equipment"] == ["foam_roller"]
    warm = EXERCISES["light-cardio"]
    assert (warm["kind"], warm["position"]) == ("warm-up", "standing")
    kinds = {
        "release": {"ball-release-medius", "ball-release-max", "foam-roll-glutes"},
        "activation": {
            "single-leg-glute-bridge",
            "fire-hydrant",
            "side-lying-clamshell",
            "standing-hip-abduction",
        },
    }
    for kind, expected in kinds.items():
        assert {i for i, e in EXERCISES.items() if e["kind"] == kind} == expected
    pigeon = " ".join(EXERCISES["half-pigeon"]["mistakes"]).lower()
    for word in ("knee", "opening the hip", "slump"):
        assert word in pigeon
    assert any("front of the hip" in c for c in EXERCISES["knee-hug"]["cautions"])


def test_guidance() -> None:
    guidance = PACK["guidance"]
    symptoms = {s["id"]: s["targets"] for s in guidance["symptoms"]}
    assert symptoms["centre-of-buttock"] == ["gluteus_maximus"]
    for sid in ("outer-hip", "si-joint", "side-sleeping", "top-of-pelvis"):
        assert "gluteus_medius" in symptoms[sid], sid
    # A medius problem can mimic sciatica (seed 004): the medius comes first.
    assert symptoms["sciatica-like"][0] == "gluteus_medius"
    cautions = {s["id"]: s.get("caution", "") for s in guidance["symptoms"]}
    for word in ("below the knee", "numbness", "weakness", "bladder or bowel", "night"):
        assert word in cautions["sciatica-like"], word
    assert "piriformis" not in guidance["symptoms"][5]["description"].lower()
    for sid in ("outer-hip", "side-sleeping"):
        assert "tendinopathy" in cautions[sid] and "physiotherapist" in cautions[sid], sid
        assert "standing hip abduction" in cautions[sid], sid
    lower_back = next(s for s in guidance["symptoms"] if s["id"] == "lower-back")
    assert "blaming" not in lower_back["description"] and "assessed" in cautions["lower-back"]
    assert any("physiotherapist or doctor" in note for note in guidance["notes"])
    assert guidance["frequency"]["min_sessions_per_week"] >= 2
    assert guidance["frequency"]["when_stiff_sessions_per_week"] == 7
    assert guidance["order"] == ["warm-up", "release", "stretch", "activation"]


# --------------------------------------------------------------------- 2. schemas and references


def _validator(name: str) -> Draft202012Validator:
    schema = _load(SCHEMAS_DIR / name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _errors(validator: Draft202012Validator, data: dict) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(data)]


def test_pack_validates() -> None:
    assert PACK["id"] == "glutes"
    assert _errors(_validator("exercise-pack.schema.json"), PACK) == []


#: The ready-made routines the pack promises.
READY_MADE = {
    "medius-cycle",
    "max-stretch",
    "morning-in-bed",
    "desk-break",
    "after-run",
    "side-sleeper-relief",
    "quick-five",
    "gym-bar",
}


def test_there_are_the_expected_routines() -> None:
    assert set(ROUTINES) >= READY_MADE


@pytest.mark.parametrize("path", ROUTINE_PATHS, ids=lambda p: p.stem)
def test_routine_validates(path: Path) -> None:
    routine = _load(path)
    assert _errors(_validator("routine.schema.json"), routine) == []
    assert routine["id"] == path.stem
    assert routine.get("purpose")


def _walk(steps: list[dict]):
    for step in steps:
        yield step
        if "block" in step:
            yield from _walk(step["steps"])


@pytest.mark.parametrize("path", ROUTINE_PATHS, ids=lambda p: p.stem)
def test_routine_exercises_exist(path: Path) -> None:
    routine = _load(path)
    for step in _walk(routine["steps"]):
        if "exercise" in step:
            pack, _, local = step["exercise"].partition(":")
            assert pack == "glutes"
            assert local in EXERCISES, step["exercise"]


# --------------------------------------------------------------------- stated length

#: The played length itself is checked against real speech in test_glutes_coaching.py.


@pytest.mark.parametrize("path", ROUTINE_PATHS, ids=lambda p: p.stem)
def test_routine_states_its_length_in_one_way(path: Path) -> None:
    routine = _load(path)
    seconds = _seconds(routine["length"])
    assert 4.5 * 60 <= seconds <= 25 * 60, f"{routine['id']} states {seconds} s"
    stated = re.search(r"[Aa]bout (\d+) minutes", routine["description"])
    assert stated, "the description should say roughly how long it takes"
    assert abs(int(stated.group(1)) * 60 - seconds) <= 30, "description and length agree"


def test_routines_use_every_kind_of_step() -> None:
    steps = [s for r in ROUTINES.values() for s in _walk(r["steps"])]
    assert any(s.get("repeat", 1) > 1 or s.get("sets", 1) > 1 for s in steps)
    assert any("say" in s and "rest" not in s for s in steps)
    assert any("rest" in s for s in steps)
    used = [EXERCISES[s["exercise"].split(":")[1]] for s in steps if "exercise" in s]
    assert any("breaths" in ex["dose"] for ex in used)
    assert any("reps" in ex["dose"] for ex in used)


def _positions(routine_id: str) -> set[str]:
    return {
        EXERCISES[s["exercise"].split(":")[1]]["position"]
        for s in _walk(ROUTINES[routine_id]["steps"])
        if "exercise" in s
    }


def _routine_exercises(routine_id: str) -> set[str]:
    return {
        s["exercise"].split(":")[1] for s in _walk(ROUTINES[routine_id]["steps"]) if "exercise" in s
    }


def test_routines_keep_their_promises() -> None:
    assert _positions("morning-in-bed") == {"supine"}
    assert _positions("desk-break") <= {"seated", "standing"}
    for ex_id in _routine_exercises("desk-break"):
        assert "floor" not in EXERCISES[ex_id]["tags"], ex_id
    assert "hanging-side-arch" in _routine_exercises("gym-bar")
    cycle = ROUTINES["medius-cycle"]["steps"]
    kinds = [
        EXERCISES[s["exercise"].split(":")[1]]["kind"] for s in _walk(cycle) if "exercise" in s
    ]
    first = {k: kinds.index(k) for k in ("release", "stretch", "activation")}
    assert first["release"] < first["stretch"] < first["activation"]
    for ex_id in _routine_exercises("side-sleeper-relief"):
        assert "gluteus_medius" in EXERCISES[ex_id]["targets"]["primary"], ex_id


# --------------------------------------------------------------------- 3. completeness


@pytest.mark.parametrize("ex_id", sorted(EXERCISES))
def test_exercise_is_complete(ex_id: str) -> None:
    ex = EXERCISES[ex_id]
    assert len(ex["instructions"]) >= 1
    for line in ex["instructions"]:
        assert not re.match(r"\s*(\d+[.)]|step \d)", line, re.I), "numbering is added on output"
    assert len(ex["cues"]) >= 2
    for cue in ex["cues"]:
        assert len(cue.split()) <= 9, f"cue too long to say in a few seconds: {cue!r}"
    assert ex.get("cautions")
    assert ex.get("why") and ex.get("summary")
    assert ex.get("sources")
    for source in ex["sources"]:
        assert source["file"] in SEED_FILES
        assert (SEEDS_DIR / source["file"]).is_file()
        assert source["title"] == SOURCE_TITLES[source["file"]]
        assert "note" not in source, "users see a source's note; keep editing notes out"


# --------------------------------------------------------------------- 4. subsets of the data


#: Stretches whose main target is the gluteus medius.
MEDIUS_STRETCHES = {
    "crossover-hip-stretch",
    "seated-crossover-knee-hug",
    "hanging-side-arch",
    "supine-hip-rotation",
    "tabletop-hip-stretch",
    "seated-spinal-twist",
}

#: Exercises done lying on the back with no equipment.
SUPINE_NO_EQUIPMENT = {
    "knee-hug",
    "double-knee-hug",
    "knee-circles",
    "supine-figure-four",
    "crossover-hip-stretch",
    "supine-hip-rotation",
    "single-leg-glute-bridge",
}


def test_medius_stretches() -> None:
    found = {
        i
        for i, e in EXERCISES.items()
        if "gluteus_medius" in e["targets"]["primary"] and e["kind"] == "stretch"
    }
    assert found == MEDIUS_STRETCHES


def test_supine_without_equipment() -> None:
    found = {i for i, e in EXERCISES.items() if e["position"] == "supine" and not e["equipment"]}
    assert found == SUPINE_NO_EQUIPMENT


# --------------------------------------------------------------------- 5. wording is our own

RUN = 8


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _runs(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}


def _strings(value, where: str = ""):
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{where}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}/{index}")


def test_no_eight_word_run_copied_from_the_seeds() -> None:
    if not SEEDS_DIR.is_dir():
        pytest.fail(f"seed articles not found at {SEEDS_DIR}")
    seed_runs: set[tuple[str, ...]] = set()
    for path in SEEDS_DIR.glob("*.txt"):
        seed_runs |= _runs(_words(path.read_text(encoding="utf-8", errors="replace")))
    assert seed_runs
    documents = {"pack.json": PACK, **{f"routines/{k}.json": v for k, v in ROUTINES.items()}}
    headlines = _first_lines()
    copied = [
        f"{name}{where}: {' '.join(run)}"
        for name, data in documents.items()
        for where, text in _strings(data)
        # Citing an article by its exact headline is not copying its text.
        if not (re.search(r"/sources/\d+/title$", where) and text in headlines)
        for run in _runs(_words(text)) & seed_runs
    ]
    assert copied == []


def _first_lines() -> set[str]:
    return {
        path.read_text(encoding="utf-8").lstrip().splitlines()[0].strip()
        for path in SEEDS_DIR.glob("*.txt")
    }


def test_source_titles_are_the_articles_own() -> None:
    """A seed that opens with its headline is cited by it; the others get a description."""
    headlines = _first_lines()
    for name, title in SOURCE_TITLES.items():
        first = (SEEDS_DIR / name).read_text(encoding="utf-8").lstrip().splitlines()[0]
        assert (title in headlines) == (len(first.split()) <= 12), (name, title)


def test_copy_check_catches_a_copied_sentence() -> None:
    seed = (SEEDS_DIR / "001_fe3a565c549dc31d.txt").read_text(encoding="utf-8")
    sentence = "Keep your torso upright and your standing leg straight as you hold"
    assert sentence in seed
    assert _runs(_words(sentence)) & _runs(_words(seed))


# --------------------------------------------------------------------- 6. generated docs


def test_exercise_docs_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "gen_exercises.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --------------------------------------------------------------------- 7. a physiotherapist's review

FIGURE_FOURS = ("supine-figure-four", "seated-figure-four", "standing-figure-four")
#: Long crossed-leg stretches that a sore hip tendon does not like.
CROSSOVERS = ("crossover-hip-stretch", "seated-crossover-knee-hug", "hanging-side-arch")


def _caution_texts(ex: dict) -> list[str]:
    return [c if isinstance(c, str) else c["text"] for c in ex.get("cautions", [])]


def _spoken_texts(routine: dict) -> list[str]:
    """Every text a routine adds to what is said: messages, notes and cues."""
    texts = list(routine.get("screens", []))
    for step in _walk(routine["steps"]):
        texts += [step[k] for k in ("say", "note") if k in step]
        texts += step.get("cues", [])
    return texts


def _setup_texts(routine: dict) -> list[str]:
    """What a session says: the routine's own lines and its exercises' set-up and cues."""
    texts = _spoken_texts(routine)
    for step in _walk(routine["steps"]):
        if "exercise" in step:
            ex = EXERCISES[step["exercise"].split(":")[1]]
            texts += [ex["name"], *ex["instructions"], *ex["cues"]]
    return texts


def test_targets_follow_the_anatomy() -> None:
    for ex_id in FIGURE_FOURS:
        targets = EXERCISES[ex_id]["targets"]
        assert targets["primary"] == ["gluteus_maximus", "deep_hip_rotators"], ex_id
        assert "gluteus_medius" in targets["secondary"], ex_id
    lunge = EXERCISES["deep-lunge-glute-stretch"]["targets"]
    assert lunge == {"primary": ["hip_flexors"], "secondary": ["gluteus_medius"]}
    glutes = {"gluteus_maximus", "gluteus_medius", "gluteus_minimus"}
    assert not glutes & set(EXERCISES["light-cardio"]["targets"]["primary"])


def test_the_two_lying_figure_fours_are_one_exercise() -> None:
    assert "supine-piriformis" not in EXERCISES
    assert EXERCISES["supine-figure-four"]["former_ids"] == ["supine-piriformis"]


def test_crossover_stretches_say_when_to_skip_them() -> None:
    for ex_id in CROSSOVERS:
        cautions = " ".join(_caution_texts(EXERCISES[ex_id]))
        assert "bony point" in cautions and "physiotherapist" in cautions, ex_id
    clamshell = " ".join(_caution_texts(EXERCISES["side-lying-clamshell"]))
    assert "standing hip abduction" in clamshell
    relief = ROUTINES["side-sleeper-relief"]
    assert "bony point" in relief["description"] and "physiotherapist" in relief["description"]
    # What the caution advises is what the routine does: standing abduction, nothing
    # that crosses the legs, lies on the side or presses near the bony point.
    assert "standing-hip-abduction" in _order("side-sleeper-relief")
    for ex_id in _order("side-sleeper-relief"):
        assert not {
            "crossed_leg_adduction",
            "crossed_ankle",
            "side_lying",
            "trochanter_pressure",
        } & set(EXERCISES[ex_id].get("loads", [])), ex_id
    # Every position a listener would hear as crossing the legs declares it, figure-fours
    # and pigeons included ("rest your ankle on the other thigh").
    for ex_id, ex in EXERCISES.items():
        said = " ".join(ex["instructions"]).lower()
        if re.search(r"ankle (across|over|on|just above)|cross (one|your)", said):
            assert {"crossed_leg_adduction", "crossed_ankle"} & set(ex.get("loads", [])), ex_id
    # The screen lists red flags; it never turns away the very person the routine is for.
    assert all("lying on that side hurts" not in text for text in relief["screens"])


def test_no_claims_about_the_sciatic_nerve() -> None:
    for ex in EXERCISES.values():
        assert "sciatic nerve" not in json.dumps(ex), ex["id"]
        assert "sciatica" not in ex.get("tags", []), ex["id"]


def test_nothing_in_brackets_is_read_aloud() -> None:
    for ex in EXERCISES.values():
        for text in [ex["name"], *ex["instructions"], *ex["cues"], *_caution_texts(ex)]:
            assert "(" not in text, f"{ex['id']}: {text}"
    for routine_id, routine in ROUTINES.items():
        for text in _spoken_texts(routine):
            assert "(" not in text, f"{routine_id}: {text}"


def test_routines_say_nothing_out_of_place() -> None:
    in_bed = " ".join(_setup_texts(ROUTINES["morning-in-bed"])).lower()
    assert "floor" not in in_bed
    office = " ".join(
        [*_setup_texts(ROUTINES["desk-break"]), ROUTINES["desk-break"]["description"]]
    )
    assert "kitchen" not in office.lower()


def test_a_step_note_does_not_repeat_the_set_up() -> None:
    for routine_id, routine in ROUTINES.items():
        for step in _walk(routine["steps"]):
            if "note" not in step:
                continue
            ex = EXERCISES[step["exercise"].split(":")[1]]
            note = {
                tuple(_words(step["note"])[i : i + 4]) for i in range(len(_words(step["note"])))
            }
            for line in ex["instructions"]:
                words = _words(line)
                shared = {tuple(words[i : i + 4]) for i in range(len(words) - 3)} & note
                assert not shared, f"{routine_id}: note repeats {line!r}"


def test_per_side_instructions_do_not_hard_code_a_side() -> None:
    side_word = re.compile(r"\b(left|right)\b", re.I)
    per_side = [ex for ex in EXERCISES.values() if ex["per_side"]]
    assert len(per_side) == 22
    for ex in per_side:
        texts = [*ex["instructions"], *ex["cues"], ex["working_side"], ex["reminder"]]
        texts.append(ex["transition"]["say"])
        for text in texts:
            assert not side_word.search(text), f"{ex['id']}: {text}"
        # Which limb "right side" means, said with placeholders so it is always true.
        assert "{side}" in ex["working_side"] or "{other}" in ex["working_side"], ex["id"]
        assert any("{side}" in t or "{other}" in t for t in ex["instructions"]), ex["id"]


def test_the_hard_coded_side_check_can_fail() -> None:
    side_word = re.compile(r"\b(left|right)\b", re.I)
    assert side_word.search("Rest your right ankle across your left knee.")
    assert not side_word.search("Rest your {side} ankle across your {other} knee.")


#: Exercises where people get hurt: each says one caution aloud, once per session.
SPOKEN_CAUTIONS = {
    "ball-release-medius": "tingling or numbness",
    "ball-release-max": "tingling",
    "deep-lunge": "Pad the back knee",
    "deep-lunge-glute-stretch": "Pad the back knee",
    "supine-figure-four": "knee hurts",
    "seated-figure-four": "knee hurts",
    "standing-figure-four": "knee hurts",
    "half-pigeon": "Never force the front hip down",
    "modified-pigeon": "Never force the hips down",
    "crossover-hip-stretch": "bony point",
    "seated-crossover-knee-hug": "bony point",
    "hanging-side-arch": "bar is secure",
    "tabletop-hip-stretch": "table is stable",
}


def spoken_caution(ex: dict) -> str | None:
    spoken = [c["text"] for c in ex.get("cautions", []) if isinstance(c, dict) and c.get("spoken")]
    assert len(spoken) <= 1, ex["id"]
    return spoken[0] if spoken else None


def test_the_exercises_where_people_get_hurt_say_one_caution() -> None:
    marked = {i: spoken_caution(ex) for i, ex in EXERCISES.items() if spoken_caution(ex)}
    assert set(marked) == set(SPOKEN_CAUTIONS)
    for ex_id, words in SPOKEN_CAUTIONS.items():
        assert words in marked[ex_id], ex_id
        assert len(marked[ex_id].split()) <= 20, f"{ex_id}: too long to say in passing"


def _order(routine_id: str) -> list[str]:
    return [
        s["exercise"].split(":")[1] for s in _walk(ROUTINES[routine_id]["steps"]) if "exercise" in s
    ]


def test_routines_keep_getting_up_and_down_to_a_minimum() -> None:
    assert _order("medius-cycle")[:2] == ["ball-release-medius", "seated-spinal-twist"]
    assert _order("medius-cycle")[-2:] == ["side-lying-clamshell", "fire-hydrant"]
    assert _order("after-run")[2:5] == ["deep-lunge", "half-pigeon", "supine-figure-four"]
    assert _order("side-sleeper-relief") == ["single-leg-glute-bridge", "standing-hip-abduction"]
    assert _order("gym-bar")[-2:] == ["fire-hydrant", "single-leg-glute-bridge"]
    # Each exercise is done in one go: no position is left and come back to.
    for routine_id in ROUTINES:
        order = _order(routine_id)
        runs = [ex for i, ex in enumerate(order) if i == 0 or order[i - 1] != ex]
        repeats = {ex for ex in runs if runs.count(ex) > 1} - {"double-knee-hug"}
        assert not repeats, routine_id


def test_max_stretch_releases_before_it_stretches_and_says_warm_up() -> None:
    order = _order("max-stretch")
    kinds = [EXERCISES[ex]["kind"] for ex in order]
    assert "ball-release-max" in order and kinds.index("release") < kinds.index("stretch")
    assert "warm up" in _spoken_texts(ROUTINES["max-stretch"])[0]


def test_end_range_routines_start_warm() -> None:
    deep = {"half-pigeon", "deep-lunge", "hanging-side-arch", "seated-spinal-twist"}
    for routine_id, routine in ROUTINES.items():
        if not deep & set(_order(routine_id)):
            continue
        said = [t for t in _spoken_texts(routine) if t not in routine.get("screens", [])]
        opening = " ".join(said[:1]).lower()
        starts_warm = _order(routine_id)[0] == "light-cardio"
        assert starts_warm or "warm" in opening, routine_id


def test_medius_cycle_closes_with_the_pack_frequency() -> None:
    closing = _spoken_texts(ROUTINES["medius-cycle"])[-1]
    assert "every day while" in closing and "twice a week" in closing
