"""What the tool warns against, it never does: exclusions, screens and the coaching check.

Composing runs in-process (hundreds of routines in a few seconds); the timelines are
laid out around speech lengths estimated from the words, as a text session plays them,
so no speech is rendered here.
"""

from __future__ import annotations

import itertools
import json
import random
import threading
from pathlib import Path
from typing import Any

import pytest

from glutekit.catalog import Catalog
from glutekit.compose import (
    build_request,
    compose,
    excluded_note,
    explain_missing,
    find_strategy,
    posture,
    surfaces_of,
)
from glutekit.errors import InputError
from glutekit.host.plugins import PluginHost
from glutekit.interfaces import ComposeRequest
from glutekit.model import ExerciseStep, Routine, Symptom
from glutekit.timeline import SCREEN_PAUSE, coaching
from glutekit.timeline import compile as compile_timeline
from glutekit.timeline.played import voiced_timeline

#: The voice plugin left out: the coaching check then uses lengths estimated from the words.
NO_VOICE = {"GLUTEKIT_BLOCK_PLUGINS": "voice"}
STRATEGIES = ("cycle", "stretch", "quick")
PLACES = (None, "floor", "chair", "bed", "standing")
KITS: tuple[tuple[str, ...], ...] = ((), ("tennis_ball",), ("tennis_ball", "foam_roller"))
ROUTINES_DIR = Path(__file__).resolve().parent.parent / "routines"


def excluded_in(routine: Routine, catalog: Catalog, symptom: Symptom) -> list[str]:
    """The exercises of ``routine`` that load something ``symptom`` excludes."""
    return [
        ex_id
        for ex_id in routine.exercise_ids()
        if set(catalog.exercise(ex_id).loads) & set(symptom.excludes)
    ]


def excluding_symptoms(catalog: Catalog) -> list[Symptom]:
    return [s for s in catalog.symptoms().values() if s.excludes]


def screened_symptoms(catalog: Catalog) -> list[Symptom]:
    return [s for s in catalog.symptoms().values() if s.screen_text]


def _compose_over(
    host: PluginHost,
    catalog: Catalog,
    symptoms: list[str | None],
    places: list[str | None],
    count: int,
    seed: int,
) -> list[tuple[str, Routine]]:
    """Up to ``count`` routines over strategies, symptoms, places, kits and minutes 5-30,
    in a seeded random order (requests that cannot be met are skipped), each with how it
    was asked."""
    rng = random.Random(seed)
    combos = list(itertools.product(STRATEGIES, symptoms, places, KITS, range(5, 31)))
    rng.shuffle(combos)
    made: list[tuple[str, Routine]] = []
    for strategy, symptom, place, kit, minutes in combos:
        if len(made) >= count:
            break
        request = build_request(
            catalog,
            symptom=symptom,
            minutes=minutes,
            place=place,
            equipment=kit,
            seed=rng.randrange(1_000_000),
        )
        try:
            _, routine = compose(request, catalog, find_strategy(host, strategy))
        except InputError:
            continue
        asked = f"--strategy {strategy} --minutes {minutes} --seed {request.seed}"
        asked += f" --symptom {symptom}" if symptom else ""
        asked += f" --place {place}" if place else ""
        asked += "".join(f" --equipment {item}" for item in kit)
        made.append((asked, routine))
    return made


def compose_many(
    host: PluginHost, catalog: Catalog, symptom: str, count: int, seed: int
) -> list[tuple[str, Routine]]:
    """Up to ``count`` routines for ``symptom`` over places, kits, minutes and strategies."""
    return _compose_over(host, catalog, [symptom], list(PLACES), count, seed)


# ----------------------------------------------------------------------------- exclusions


def test_the_glutes_pack_excludes_what_its_side_of_hip_caution_warns_against(
    catalog: Catalog,
) -> None:
    symptoms = catalog.symptoms()
    for sid in ("outer-hip", "side-sleeping"):
        assert {"crossed_leg_adduction", "trochanter_pressure", "side_lying"} <= set(
            symptoms[sid].excludes
        ), sid
        assert "glutes:standing-hip-abduction" in symptoms[sid].instead
    loads = {ex.local_id: set(ex.loads) for ex in catalog.exercises.values()}
    for crossed in ("crossover-hip-stretch", "seated-crossover-knee-hug", "supine-hip-rotation"):
        assert "crossed_leg_adduction" in loads[crossed], crossed
    assert "trochanter_pressure" in loads["ball-release-medius"]
    assert "side_lying" in loads["side-lying-clamshell"]
    assert not loads["standing-hip-abduction"]


# Not traced for coverage: tracing doubles the CPU time of hundreds of composed routines,
# and what they reach, the single compositions below reach too.
@pytest.mark.untraced
@pytest.mark.parametrize("symptom", ["outer-hip", "side-sleeping"])
def test_two_hundred_composed_routines_contain_nothing_the_symptom_excludes(
    host: PluginHost, catalog: Catalog, symptom: str, seed: int
) -> None:
    made = compose_many(host, catalog, symptom, 200, seed)
    assert len(made) == 200, f"only {len(made)} requests could be met (seed {seed})"
    found = catalog.symptoms()[symptom]
    for asked, routine in made:
        assert not excluded_in(routine, catalog, found), asked
        assert routine.symptom == symptom and found.screen_text in routine.screens, asked
    # The exclusion is not vacuous: without the symptom, the same muscles get them.
    plain = build_request(catalog, targets=found.targets, minutes=20, equipment=["tennis_ball"])
    _, routine = compose(plain, catalog, find_strategy(host, "cycle"))
    assert excluded_in(routine, catalog, found)


def test_every_excluding_symptom_is_covered(catalog: Catalog) -> None:
    assert {s.id for s in excluding_symptoms(catalog)} == {"outer-hip", "side-sleeping"}


@pytest.mark.parametrize("seed", [None, "1", "7", "42"])
def test_the_readme_example_leaves_out_what_outer_hip_excludes(
    cli: Any, catalog: Catalog, seed: str | None
) -> None:
    args = ["compose", "--symptom", "outer-hip", "--minutes", "10", "--equipment", "tennis_ball"]
    result = cli(*args, *(["--seed", seed] if seed else []))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    routine = catalog.load_routine_data(data, "composed")
    assert not excluded_in(routine, catalog, catalog.symptoms()["outer-hip"])
    lines = result.stderr.splitlines()
    left_out = [line for line in lines if "left out" in line and "for outer-hip" in line]
    assert len(left_out) == 1, lines
    assert "crossed-leg adduction" in left_out[0] and "Standing hip abduction" in left_out[0]
    assert f"Take care: {data['screens'][0]}" in lines


def test_the_side_of_hip_session_from_the_issue_now_obeys_its_caution(
    host: PluginHost, catalog: Catalog
) -> None:
    request = build_request(catalog, symptom="side-sleeping", minutes=12, seed=7)
    _, routine = compose(request, catalog, find_strategy(host, "cycle"))
    assert not excluded_in(routine, catalog, catalog.symptoms()["side-sleeping"])
    assert "glutes:standing-hip-abduction" in routine.exercise_ids()
    note = excluded_note(catalog, request)
    assert note is not None and note.startswith("for side-sleeping, left out ")


def test_side_sleeper_relief_contains_nothing_its_symptom_excludes(catalog: Catalog) -> None:
    relief = catalog.routines["side-sleeper-relief"]
    assert relief.symptom == "side-sleeping"
    for sid in ("side-sleeping", "outer-hip"):
        assert not excluded_in(relief, catalog, catalog.symptoms()[sid]), sid
    assert "glutes:standing-hip-abduction" in relief.exercise_ids()


def test_what_a_symptom_excludes_is_never_offered_as_the_way_out(catalog: Catalog) -> None:
    request = build_request(catalog, symptom="outer-hip", equipment=["tennis_ball"])
    # The ball release near the bony point would need only the ball the user has, and the
    # roller rests an ankle across the other leg: both are excluded, so no kit is offered
    # as the way out.
    message = explain_missing(catalog, request, "release")
    assert "that the outer-hip guidance allows" in message, message
    assert "--equipment" not in message, message
    only_excluded = ComposeRequest(
        targets=("gluteus_minimus",),
        equipment=frozenset({"tennis_ball"}),
        excludes=frozenset({"trochanter_pressure"}),
        symptom="outer-hip",
    )
    assert explain_missing(catalog, only_excluded, "release", "use --strategy stretch") == (
        "no release exercise for gluteus_minimus that the outer-hip guidance allows; "
        "use --strategy stretch"
    )


# ----------------------------------------------------------------------------- screens


def first_exercise_at(cues: list[dict[str, Any]]) -> float:
    return min(c["at"] for c in cues if c["exercise"] is not None)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_composed_routine_says_its_screen_before_the_first_exercise(
    cli: Any, catalog: Catalog, tmp_path: Path, strategy: str
) -> None:
    for symptom in screened_symptoms(catalog):
        path = tmp_path / f"{symptom.id}.json"
        made = cli(
            "compose", "--symptom", symptom.id, "--strategy", strategy, "--minutes", "8",
            "--equipment", "tennis_ball", "--seed", "3", "-o", path,
        )  # fmt: skip
        assert made.exit_code == 0, made.output
        shown = cli("transcript", path, "--json")
        assert shown.exit_code == 0, shown.output
        cues = json.loads(shown.stdout)["cues"]
        screens = [c for c in cues if c["kind"] == "screen"]
        assert [c["text"] for c in screens] == [symptom.screen_text], symptom.id
        assert screens[0]["at"] < first_exercise_at(cues), symptom.id
        following = min(c["at"] for c in cues if c["at"] > screens[0]["at"])
        assert following - screens[0]["at"] >= SCREEN_PAUSE, "a real pause after the screen"


# Not traced for coverage: tracing doubles the CPU time of hundreds of composed routines,
# and what they reach, the single compositions below reach too.
@pytest.mark.untraced
@pytest.mark.parametrize("symptom", ["outer-hip", "sciatica-like", "lower-back"])
def test_many_composed_routines_say_the_screen_first(
    host: PluginHost, catalog: Catalog, symptom: str, seed: int
) -> None:
    text = catalog.symptoms()[symptom].screen_text
    for asked, routine in compose_many(host, catalog, symptom, 60, seed):
        timeline = compile_timeline(routine, catalog)
        said = [c.at for c in timeline.cues if c.kind == "screen" and c.text == text]
        start = next(s.start for s in timeline.segments if s.exercise is not None)
        assert said and said[0] < start, asked


def test_run_compose_prints_what_compose_prints(glutekit_proc: Any, cli: Any) -> None:
    options = ("--symptom", "outer-hip", "--minutes", "4", "--strategy", "quick", "--seed", "5")
    composed = cli("compose", *options)
    assert composed.exit_code == 0, composed.output
    proc = glutekit_proc("run", "--compose", *options, "--speed", "500", "--no-voice")
    assert proc.returncode == 0, proc.stderr
    said = [line for line in composed.stderr.splitlines() if line]
    assert said and all(line in proc.stderr.splitlines() for line in said), proc.stderr
    screen = json.loads(composed.stdout)["screens"][0]
    assert screen in proc.stdout, "the text session shows the screen too"


def test_a_sheet_prints_the_screens(cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "relief.md"
    result = cli("export", "side-sleeper-relief", "-o", out, env=NO_VOICE)
    assert result.exit_code == 0, result.output
    assert "see a doctor first if the hip pain began with a fall" in out.read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- the check


def _routine(rid: str, steps: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {"id": rid, "title": rid.upper(), **fields, "steps": steps}


def _problems(cli: Any, tmp_path: Path, routine: dict[str, Any]) -> tuple[int, list[str]]:
    path = tmp_path / "routine.json"
    path.write_text(json.dumps(routine, indent=2), encoding="utf-8")
    result = cli("validate", "--coaching", path, env=NO_VOICE)
    lines = [line.removeprefix(f"{path}:") for line in result.stderr.splitlines()]
    return result.exit_code, [line for line in lines if not line.endswith("file(s) invalid")]


def _screen(catalog: Catalog, sid: str) -> str:
    text = catalog.symptoms()[sid].screen_text
    assert text is not None
    return text


DEFECTS: dict[str, tuple[Any, str]] = {
    "an excluded exercise": (
        lambda screen: _routine(
            "crossed",
            [{"exercise": "glutes:crossover-hip-stretch"}],
            symptom="outer-hip",
            screens=[screen("outer-hip")],
        ),
        "/steps/0: excluded: Crossover hip stretch loads crossed-leg adduction, which the "
        "outer-hip symptom rules out; use Standing hip abduction instead",
    ),
    "an excluded exercise in a block, by tag": (
        lambda screen: _routine(
            "tagged",
            [{"block": "b", "steps": [{"exercise": "glutes:side-lying-clamshell"}]}],
            tags=["side-sleeping"],
            screens=[screen("side-sleeping")],
        ),
        "/steps/0/steps/0: excluded: Side-lying clamshell loads lying on one side, which the "
        "side-sleeping symptom rules out",
    ),
    "the routine's own exclusion": (
        lambda screen: _routine(
            "own", [{"exercise": "glutes:knee-hug"}], excludes=["deep_hip_flexion"]
        ),
        "/steps/0: excluded: Single knee hug loads deep hip flexion, which the routine's own "
        "'excludes' rules out",
    ),
    "an unknown load": (
        lambda screen: _routine("typo", [{"exercise": "glutes:knee-hug"}], excludes=["twisting"]),
        "/excludes/0: excluded: unknown load 'twisting' (see 'glutekit vocabulary loads')",
    ),
    "an unknown symptom": (
        lambda screen: _routine("nosuch", [{"exercise": "glutes:knee-hug"}], symptom="knee-ache"),
        "/symptom: excluded: no loaded pack knows the symptom 'knee-ache'",
    ),
}


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_validate_coaching_catches_each_defect(
    cli: Any, catalog: Catalog, tmp_path: Path, defect: str
) -> None:
    make, message = DEFECTS[defect]
    code, problems = _problems(cli, tmp_path, make(lambda sid: _screen(catalog, sid)))
    assert code == 2, problems
    assert any(message in line for line in problems), problems


def test_a_symptom_s_screen_is_said_and_printed_where_the_routine_leaves_it_out(
    cli: Any, catalog: Catalog, tmp_path: Path
) -> None:
    screen = _screen(catalog, "sciatica-like")
    routine = _routine(
        "unscreened", [{"exercise": "glutes:standing-hip-abduction"}], symptom="sciatica-like"
    )
    code, problems = _problems(cli, tmp_path, routine)
    assert code == 0 and not problems, problems
    path = tmp_path / "routine.json"
    said = json.loads(cli("transcript", path, "--json", env=NO_VOICE).stdout)
    cues = [(c["kind"], c["text"]) for c in said["cues"]]
    first = next(i for i, (kind, _) in enumerate(cues) if kind == "announce")
    assert ("screen", screen) in cues[:first], cues[: first + 1]
    sheet = tmp_path / "sheet.md"
    assert cli("export", path, "-o", sheet, env=NO_VOICE).exit_code == 0
    assert screen in sheet.read_text(encoding="utf-8")
    # Said again later by the routine itself, it is still said first at the start.
    late = {**routine, "steps": [*routine["steps"], {"say": screen}]}
    code, problems = _problems(cli, tmp_path, late)
    assert code == 0 and not problems, problems


def test_a_screen_left_unsaid_or_said_late_is_caught(catalog: Catalog) -> None:
    from dataclasses import replace

    data = _routine("late", [{"exercise": "glutes:standing-hip-abduction"}], symptom="lower-back")
    routine = catalog.load_routine_data(data, "late")
    text = _screen(catalog, "lower-back")
    assert routine.screens == (text,)
    timeline = compile_timeline(routine, catalog)
    assert not coaching.check(routine, catalog, timeline, lambda t: 0.0)

    def rule_10(segments: Any) -> list[str]:
        changed = replace(timeline, segments=tuple(segments))
        return [
            v.message
            for v in coaching.check(routine, catalog, changed, lambda t: 0.0)
            if v.rule == 10
        ]

    screen = next(c for c in timeline.cues if c.text == text)
    unsaid = [
        replace(s, cues=tuple(c for c in s.cues if c is not screen)) for s in timeline.segments
    ]
    assert any("is never said" in m for m in rule_10(unsaid)), rule_10(unsaid)
    first = next(i for i, s in enumerate(unsaid) if s.exercise is not None)
    late_cue = replace(screen, at=round(unsaid[first].start + 1.0, 3))
    late = [
        *unsaid[:first],
        replace(unsaid[first], cues=(*unsaid[first].cues, late_cue)),
        *unsaid[first + 1 :],
    ]
    found = rule_10(late)
    assert any("after Standing hip abduction starts at 00:" in m for m in found), found


def test_a_screen_without_a_pause_is_caught(catalog: Catalog) -> None:
    from dataclasses import replace

    data = _routine(
        "hurried",
        [{"exercise": "glutes:standing-hip-abduction"}],
        symptom="lower-back",
        screens=[_screen(catalog, "lower-back")],
    )
    routine = catalog.load_routine_data(data, "hurried")
    timeline = compile_timeline(routine, catalog)
    assert not coaching.check(routine, catalog, timeline, lambda text: 0.0)
    # Shift everything after the screen back to 1 s after it.
    screen = next(c for c in timeline.cues if c.kind == "screen")
    segments = list(timeline.segments)
    index = next(i for i, s in enumerate(segments) if any(c is screen for c in s.cues))
    from glutekit.timeline.speech import SpeechLengths

    say = SpeechLengths()
    shift = segments[index].end - (screen.at + say(screen.text) + 1.0)
    moved = [
        replace(
            s,
            start=round(s.start - shift, 3),
            cues=tuple(replace(c, at=round(c.at - shift, 3)) for c in s.cues),
        )
        for s in segments[index + 1 :]
    ]
    hurried = replace(timeline, segments=(*segments[: index + 1], *moved))
    found = [v.message for v in coaching.check(routine, catalog, hurried, say) if v.rule == 10]
    assert found and "to decide whether to stop" in found[0], found


def test_every_shipped_routine_passes_the_coaching_check(catalog: Catalog) -> None:
    shipped = sorted(ROUTINES_DIR.glob("*.json"))
    assert len(shipped) >= 8
    for path in shipped:
        routine = catalog.routines[path.stem]
        timeline, lengths = voiced_timeline(routine, catalog, None)
        assert coaching.check(routine, catalog, timeline, lengths) == [], path.stem


def test_validate_coaching_passes_the_shipped_routines(cli: Any) -> None:
    result = cli("validate", "--coaching", *sorted(ROUTINES_DIR.glob("*.json")), env=NO_VOICE)
    assert result.exit_code == 0, result.stderr


# ----------------------------------------------------------------------------- packs


def _pack(**symptom: Any) -> dict[str, Any]:
    return {
        "id": "wrists",
        "name": "Wrists",
        "version": "1.0.0",
        "license": "CC0-1.0",
        "vocabulary": {
            "loads": [{"id": "wrist_extension", "label": "Weight on a bent-back wrist"}],
        },
        "guidance": {
            "symptoms": [
                {
                    "id": "sore-wrist",
                    "label": "Sore wrist",
                    "targets": ["gluteus_maximus"],
                    "screen": "If your wrist is swollen or hot, stop here and have it seen.",
                    "excludes": ["wrist_extension"],
                    "instead": ["standing-squeeze"],
                    **symptom,
                }
            ]
        },
        "exercises": [
            {
                "id": "table-top-squeeze",
                "name": "Table-top squeeze",
                "kind": "activation",
                "targets": {"primary": ["gluteus_maximus"]},
                "position": "quadruped",
                "loads": ["wrist_extension"],
                "dose": {"reps": 10, "tempo": {"up": 2, "down": 2}},
                "instructions": ["Kneel on all fours and squeeze the buttocks."],
            },
            {
                "id": "standing-squeeze",
                "name": "Standing squeeze",
                "kind": "activation",
                "targets": {"primary": ["gluteus_maximus"]},
                "position": "standing",
                "dose": {"reps": 10, "tempo": {"up": 2, "down": 2}},
                "instructions": ["Stand tall and squeeze the buttocks."],
            },
        ],
    }


def test_a_third_party_pack_declares_its_own_loads(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "wrists.json"
    path.write_text(json.dumps(_pack()), encoding="utf-8")
    assert cli("validate", path).exit_code == 0
    undeclared = _pack(excludes=["wrist_flexion"])
    path.write_text(json.dumps(undeclared), encoding="utf-8")
    result = cli("validate", path)
    assert result.exit_code == 2
    assert "/guidance/symptoms/0/excludes/0: unknown load 'wrist_flexion'" in result.stderr
    assert "vocabulary/loads" in result.stderr


def test_a_third_party_symptom_filters_compose(register: Any, host: PluginHost) -> None:
    import glutekit

    class Wrists:
        @glutekit.hookimpl
        def glutekit_exercise_packs(self) -> list[dict[str, Any]]:
            return [_pack()]

    register(Wrists(), "wrists")
    catalog = Catalog.build(host, user_routines=False)
    request = build_request(catalog, symptom="sore-wrist", minutes=20, seed=1)
    assert request.instead == ("wrists:standing-squeeze",)
    chosen = [catalog.exercise(i) for i in compose_ids(host, catalog, request)]
    assert chosen and all("wrist_extension" not in ex.loads for ex in chosen)
    assert excluded_note(catalog, request) == (
        "for sore-wrist, left out 1 exercise that loads weight on a bent-back wrist; "
        "use Standing squeeze instead"
    )


def compose_ids(host: PluginHost, catalog: Catalog, request: Any) -> list[str]:
    _, routine = compose(request, catalog, find_strategy(host, "quick"))
    return routine.exercise_ids()


# ----------------------------------------------------------------------------- places


def compose_at(
    host: PluginHost, catalog: Catalog, place: str, count: int, seed: int
) -> list[tuple[str, Routine]]:
    """Up to ``count`` routines composed at ``place`` for every symptom and for none."""
    symptoms: list[str | None] = [None, *sorted(catalog.symptoms())]
    return _compose_over(host, catalog, symptoms, [place], count, seed)


FITS: dict[str, Any] = {
    "chair": lambda ex: (
        ex.position in ("seated", "standing") and bool({"chair", "standing"} & set(surfaces_of(ex)))
    ),
    "bed": lambda ex: (
        "bed" in surfaces_of(ex)
        and posture(ex.position) <= posture("seated")
        and ex.usable_with({"bed"})
    ),
    "home": lambda ex: (
        "gym" not in surfaces_of(ex)
        and ex.usable_with({"bed", "chair", "table", "wall", "tennis_ball", "foam_roller"})
    ),
}


@pytest.mark.parametrize("place", sorted(FITS))
def test_a_place_composes_only_what_fits_it(host: PluginHost, catalog: Catalog, place: str) -> None:
    seed = random.randrange(1_000_000)
    print(f"seed {seed}")
    made = compose_at(host, catalog, place, 60, seed)
    assert len(made) >= 40, f"only {len(made)} (seed {seed})"
    for asked, routine in made:
        for ex_id in routine.exercise_ids():
            assert FITS[place](catalog.exercise(ex_id)), f"{ex_id} at --place {place}: {asked}"


def test_a_chair_session_does_not_sit_on_the_floor(host: PluginHost, catalog: Catalog) -> None:
    request = build_request(catalog, symptom="lower-back", place="chair", minutes=10, seed=2)
    _, routine = compose(request, catalog, find_strategy(host, "cycle"))
    assert "glutes:seated-spinal-twist" not in routine.exercise_ids()
    said = " ".join(c.text for c in compile_timeline(routine, catalog).cues).lower()
    assert "sit on the floor" not in said and "sit tall on the floor" not in said


def test_no_bed_session_says_floor(
    host: PluginHost, catalog: Catalog, cli: Any, tmp_path: Path
) -> None:
    seed = random.randrange(1_000_000)
    print(f"seed {seed}")
    for asked, routine in compose_at(host, catalog, "bed", 60, seed):
        for cue in compile_timeline(routine, catalog).cues:
            assert "floor" not in cue.text.lower(), f"{asked}: {cue.text}"
    path = tmp_path / "bed.json"
    made = cli("compose", "--place", "bed", "--minutes", "10", "--seed", "4", "-o", path)
    assert made.exit_code == 0, made.output
    shown = cli("transcript", path, "--json")
    assert "floor" not in shown.stdout.lower()


def test_place_home_is_accepted_and_leaves_out_gym_kit(cli: Any) -> None:
    result = cli("compose", "--place", "home", "--target", "gluteus_medius", "--seed", "1")
    assert result.exit_code == 0, result.output
    assert "hanging-side-arch" not in result.stdout


# ----------------------------------------------------------------------------- doses


def dose_problems(routine: Routine, catalog: Catalog) -> list[str]:
    """Each composed dose outside its exercise's range, or a hold not in 5-s steps."""
    found: list[str] = []
    for step in routine.steps:
        if not isinstance(step, ExerciseStep):
            continue
        dose = catalog.exercise(step.exercise).dose
        given = step.dose
        if dose.kind == "hold":
            amount = given.hold if given and given.hold is not None else dose.seconds
            assert amount is not None and dose.seconds is not None
            top = dose.seconds_max or dose.seconds
            if not dose.seconds <= amount <= top or amount % 5:
                found.append(f"{step.exercise}: hold {amount} s (range {dose.describe()})")
        elif dose.kind == "breaths":
            amount = given.breaths if given and given.breaths is not None else dose.breaths
            assert amount is not None and dose.breaths is not None
            if not dose.breaths <= amount <= (dose.breaths_max or dose.breaths):
                found.append(f"{step.exercise}: {amount} breaths (range {dose.describe()})")
        else:
            amount = given.reps if given and given.reps is not None else dose.reps
            assert amount is not None and dose.reps is not None
            if not dose.reps <= amount <= (dose.reps_max or dose.reps):
                found.append(f"{step.exercise}: {amount} reps (range {dose.describe()})")
    return found


# Not traced for coverage: tracing doubles the CPU time of hundreds of composed routines,
# and what they reach, the single compositions below reach too.
@pytest.mark.untraced
def test_composed_doses_stay_in_range_in_numbers_people_say(
    host: PluginHost, catalog: Catalog
) -> None:
    seed = random.randrange(1_000_000)
    print(f"seed {seed}")
    made = [
        item
        for symptom in ("outer-hip", "lower-back", "centre-of-buttock")
        for item in compose_many(host, catalog, symptom, 70, seed)
    ]
    made += [
        item
        for place in ("chair", "bed", "home")
        for item in compose_at(host, catalog, place, 30, seed)
    ]
    assert len(made) >= 250
    sets = 0
    for asked, routine in made:
        assert dose_problems(routine, catalog) == [], asked
        minutes = float(asked.split("--minutes ")[1].split()[0])
        played = compile_timeline(routine, catalog).duration
        assert abs(played - minutes * 60) <= 0.1 * minutes * 60, asked
        sets += sum(1 for s in routine.steps if isinstance(s, ExerciseStep) and (s.sets or 1) > 1)
    assert sets, "time left over becomes more sets"


def test_the_doses_from_the_issue_are_gone(host: PluginHost, catalog: Catalog) -> None:
    request = build_request(catalog, symptom="side-sleeping", minutes=12, seed=7)
    _, routine = compose(request, catalog, find_strategy(host, "cycle"))
    assert dose_problems(routine, catalog) == []
    for symptom in ("lower-back", "sciatica-like"):
        for place in ("bed", None):
            request = build_request(catalog, symptom=symptom, place=place, minutes=15, seed=3)
            _, routine = compose(request, catalog, find_strategy(host, "stretch"))
            assert dose_problems(routine, catalog) == [], (symptom, place)


# ----------------------------------------------------------------------------- docs

DOCS = Path(__file__).resolve().parent.parent / "docs"
#: The doc sections on contraindications, screens and places, whose examples must run.
# compose.md and formats.md run whole in tests/test_docs_examples.py; the tutorial's
# section on loads runs here too, without the virtual environment its page needs.
DOC_SECTIONS = (("writing-a-pack.md", "### What your exercises load, and who should not do them"),)


def _section(page: str, heading: str) -> str:
    text = (DOCS / page).read_text(encoding="utf-8")
    start = text.index(f"\n{heading}\n")
    level = heading.split(" ", 1)[0]
    ends = [text.find(f"\n{h} ", start + 1) for h in ("#" * n for n in range(1, len(level) + 1))]
    return text[start : min([e for e in ends if e > 0], default=len(text))]


@pytest.mark.parametrize(("page", "heading"), DOC_SECTIONS, ids=lambda v: str(v)[:30])
def test_the_doc_examples_run_verbatim(page: str, heading: str, tmp_path: Path) -> None:
    from tests.doc_examples import console_blocks, problems, run_commands

    commands = [c for b in console_blocks(_section(page, heading), page) for c in b.commands]
    assert commands, f"{page}: no console example under {heading}"
    found = problems(run_commands(commands, cwd=tmp_path, env=NO_VOICE), page)
    assert not found, "\n\n".join(found)


def test_the_pack_in_writing_a_pack_does_what_the_text_says(
    register: Any, host: PluginHost
) -> None:
    import glutekit

    section = _section("writing-a-pack.md", DOC_SECTIONS[-1][1])
    pack = json.loads(section.split("<<'EOF'\n", 1)[1].split("\nEOF\n", 1)[0])

    class Heels:
        @glutekit.hookimpl
        def glutekit_exercise_packs(self) -> list[dict[str, Any]]:
            return [pack]

    register(Heels(), "heels")
    catalog = Catalog.build(host, user_routines=False)
    for place in (None, "bed"):
        request = build_request(
            catalog, symptom="achilles-ache", minutes=3, equipment=["strap"], place=place
        )
        _, routine = compose(request, catalog, find_strategy(host, "stretch"))
        assert "heels:seated-towel-stretch" in routine.exercise_ids()
        assert routine.screens == (pack["guidance"]["symptoms"][0]["screen"],)
    _, hops = compose(
        build_request(catalog, targets=["calves"], minutes=4),
        catalog,
        find_strategy(host, "workout"),
    )
    assert "heels:pogo-hops" in hops.exercise_ids(), "only the symptom leaves the hops out"
    request = build_request(catalog, symptom="achilles-ache", minutes=3)
    with pytest.raises(InputError):
        compose(request, catalog, find_strategy(host, "workout"))


# ----------------------------------------------------------------------------- warm-up


class Events:
    """An output that keeps the session's events."""

    def __init__(self) -> None:
        self.events: list[Any] = []
        self.paused = threading.Event()

    def start(self, timeline: Any) -> None:
        pass

    def handle(self, event: Any) -> None:
        self.events.append(event)
        if event.kind == "pause":
            self.paused.set()

    def close(self, summary: Any) -> None:
        pass


def _warm_up_routine(catalog: Catalog, wait: bool) -> Routine:
    data = _routine(
        "warm",
        [
            {"say": "If you are cold, press pause and come back when you are warm.", "wait": wait},
            {"exercise": "glutes:standing-hip-abduction", "sides": "right"},
        ],
    )
    return catalog.load_routine_data(data, "warm")


def test_a_session_that_can_go_on_waits_after_the_warm_up_line(catalog: Catalog) -> None:
    from glutekit.session.clock import VirtualClock
    from glutekit.session.engine import Controls, play

    timeline = compile_timeline(_warm_up_routine(catalog, wait=True), catalog)
    waiting = next(s for s in timeline.segments if s.wait)
    controls = Controls(waits=True)
    events = Events()
    done: list[Any] = []
    runner = threading.Thread(
        target=lambda: done.append(
            play(timeline, VirtualClock(), [("rec", events)], controls=controls)
        )
    )
    runner.start()
    assert events.paused.wait(10), "the session never waited"
    pause = next(e for e in events.events if e.kind == "pause")
    assert pause.segment.index == waiting.index and pause.at == pytest.approx(waiting.end)
    assert not any(e.kind == "segment" and e.segment.index > waiting.index for e in events.events)
    controls.resume()
    runner.join(10)
    assert done and done[0].status == "finished"
    assert [e.kind for e in events.events].count("pause") == 1, "it waits once"


def test_without_anyone_to_go_on_the_session_plays_on(catalog: Catalog) -> None:
    from glutekit.session.clock import VirtualClock
    from glutekit.session.engine import Controls, play

    timeline = compile_timeline(_warm_up_routine(catalog, wait=True), catalog)
    events = Events()
    summary = play(timeline, VirtualClock(), [("rec", events)], controls=Controls())
    assert summary.status == "finished" and not events.paused.is_set()


def test_a_warm_up_without_time_for_it_is_caught(
    cli: Any, catalog: Catalog, tmp_path: Path
) -> None:
    code, problems = _problems(cli, tmp_path, _routine("cold", [
        {"say": "Warm up first with a brisk walk."},
        {"exercise": "glutes:standing-hip-abduction"},
    ]))  # fmt: skip
    assert code == 2
    assert any(
        line.endswith('/steps/0/say: warm-up: the message asks for a warm-up but gives no time '
                      'for it; add "wait": true (the session waits until the user goes on) or '
                      "start with a warm-up exercise")
        for line in problems
    ), problems  # fmt: skip
    for fixed in (
        [{"say": "Warm up first with a brisk walk.", "wait": True}],
        [{"say": "Warm up first."}, {"exercise": "glutes:light-cardio"}],
    ):
        routine = _routine("warm", [*fixed, {"exercise": "glutes:standing-hip-abduction"}])
        code, problems = _problems(cli, tmp_path, routine)
        assert not [p for p in problems if "warm-up:" in p], problems


def test_the_routines_that_ask_for_a_warm_up_wait_for_it(catalog: Catalog) -> None:
    for rid in ("max-stretch", "medius-cycle", "side-sleeper-relief"):
        timeline = compile_timeline(catalog.routines[rid], catalog)
        waits = [s for s in timeline.segments if s.wait]
        first = next(s for s in timeline.segments if s.exercise is not None)
        assert waits and waits[0].end <= first.start, rid
        assert "come back when you are warm" in waits[0].label, rid


def test_check_pack_fails_a_shipped_routine_that_does_what_its_symptom_rules_out(
    tmp_path: Path,
) -> None:
    from glutekit.publish.checks import Options, check

    section = _section("writing-a-pack.md", DOC_SECTIONS[-1][1])
    pack = json.loads(section.split("<<'EOF'\n", 1)[1].split("\nEOF\n", 1)[0])
    pack = {**pack, "authors": ["A tester"]}
    for exercise in pack["exercises"]:
        exercise["sources"] = [{"title": "A test"}]
        exercise["cues"] = ["Breathe out slowly.", "Stay tall."]
    (tmp_path / "pack.json").write_text(json.dumps(pack), encoding="utf-8")
    (tmp_path / "routines").mkdir()
    routine = _routine(
        "hops", [{"exercise": "heels:pogo-hops"}], symptom="achilles-ache", length="2m"
    )
    (tmp_path / "routines" / "hops.json").write_text(json.dumps(routine), encoding="utf-8")
    report = check(str(tmp_path), options=Options(export=False, voice=False))
    errors = [f.message for f in report.errors]
    assert not report.ok
    assert any("excluded: Pogo hops loads impact" in m for m in errors), report.findings
    # The symptom's screen, left out of the routine, is said all the same: not an error.
    assert not any("screen:" in m for m in errors), report.findings


def test_a_routine_that_does_what_its_own_symptom_rules_out_is_refused_everywhere(
    tmp_path: Path, catalog: Catalog
) -> None:
    """Not only `validate --coaching`: nothing runs, prints, exports or shares a routine
    for outer-hip pain with the crossover stretch in it, and the routines folder and a
    plugin leave it out with one line."""
    from tests.conftest import run_glutekit

    routine = _routine(
        "for-sam",
        [{"exercise": "glutes:knee-hug"}, {"exercise": "glutes:crossover-hip-stretch"}],
        symptom="outer-hip",
        screens=[_screen(catalog, "outer-hip")],
    )
    path = tmp_path / "for-sam.json"
    path.write_text(json.dumps(routine), encoding="utf-8")
    said = (
        "/steps/1: excluded: Crossover hip stretch loads crossed-leg adduction, which the "
        "outer-hip symptom rules out; use Standing hip abduction instead"
    )
    for args in (
        ("run", str(path), "--no-voice", "--speed", "200"),
        ("transcript", str(path)),
        ("export", str(path), "-o", str(tmp_path / "sheet.pdf")),
        ("share", str(path), "-o", str(tmp_path / "shared.json")),
        ("validate", str(path)),
    ):
        proc = run_glutekit(*args)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert proc.stderr.strip().splitlines()[0].endswith(said), (args, proc.stderr)
        assert "Traceback" not in proc.stderr and "Begin" not in proc.stdout
    assert not (tmp_path / "sheet.pdf").exists() and not (tmp_path / "shared.json").exists()
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "for-sam.json").write_text(json.dumps(routine), encoding="utf-8")
    listed = run_glutekit("routines", env={"GLUTEKIT_ROUTINES_DIR": str(folder)})
    assert listed.returncode == 0 and "for-sam" not in listed.stdout
    assert said in listed.stderr and "routine skipped (a file in your routines folder)" in (
        listed.stderr
    )
    # The same routine from a plugin, as a dict.
    (tmp_path / "gk_unsafe.py").write_text(
        "import glutekit\n\n\n@glutekit.hookimpl\ndef glutekit_routines():\n"
        f"    return [{routine!r}]\n",
        encoding="utf-8",
    )
    plugin = run_glutekit("-p", "gk_unsafe", "routines", env={"PYTHONPATH": str(tmp_path)})
    assert plugin.returncode == 0 and "for-sam" not in plugin.stdout
    assert "/steps/1: excluded: Crossover hip stretch" in plugin.stderr
    assert "routine skipped (plugin 'gk_unsafe')" in plugin.stderr


def test_the_symptom_list_says_what_each_rules_out(cli: Any) -> None:
    listed = {s["id"]: s for s in json.loads(cli("compose", "--symptoms", "--json").stdout)}
    assert "trochanter_pressure" in listed["outer-hip"]["excludes"]
    assert listed["outer-hip"]["instead"] == ["glutes:standing-hip-abduction"]
    assert "stop here" in listed["sciatica-like"]["screen"]
    assert listed["centre-of-buttock"]["excludes"] == []
