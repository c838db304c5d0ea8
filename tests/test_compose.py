"""glutekit compose: what each built-in strategy promises, errors, the CLI and the hook."""

from __future__ import annotations

import json
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from glutekit.catalog import Catalog
from glutekit.compose import (
    PLACES,
    build_request,
    compose,
    count_transitions,
    find_strategy,
    posture,
)
from glutekit.errors import GlutekitError, InputError, UnknownId
from glutekit.host.plugins import PluginHost
from glutekit.interfaces import ComposeRequest
from glutekit.model import Routine
from glutekit.timeline import compile as compile_timeline
from tests.listing import table_rows

MEDIUS = "gluteus_medius"


def make(host: PluginHost, catalog: Catalog, strategy: str, **options: Any) -> Routine:
    request = build_request(catalog, **options)
    _, routine = compose(request, catalog, find_strategy(host, strategy))
    return routine


def exercises_of(routine: Routine, catalog: Catalog) -> list[Any]:
    return [catalog.exercise(i) for i in routine.exercise_ids()]


def fewest_transitions(positions: list[str]) -> int:
    return len({posture(p) for p in positions}) - 1


# ----------------------------------------------------------------------------- strategies


@pytest.mark.parametrize("minutes", [7, 10, 20])
def test_cycle_releases_then_stretches_then_activates_the_target(
    host: PluginHost, catalog: Catalog, minutes: int
) -> None:
    routine = make(
        host, catalog, "cycle", targets=[MEDIUS], minutes=minutes, equipment=["tennis_ball"], seed=1
    )
    kinds = [ex.kind for ex in exercises_of(routine, catalog)]
    assert kinds[0] == "release"
    assert kinds == sorted(kinds, key=["release", "stretch", "activation"].index)
    assert {"release", "stretch", "activation"} == set(kinds)
    assert all(MEDIUS in ex.targets for ex in exercises_of(routine, catalog))


def test_stretch_has_only_stretches_from_the_floor_up(host: PluginHost, catalog: Catalog) -> None:
    routine = make(host, catalog, "stretch", targets=["gluteus_maximus"], minutes=12, seed=4)
    found = exercises_of(routine, catalog)
    assert {ex.kind for ex in found} == {"stretch"}
    groups = [posture(ex.position) for ex in found]
    assert groups == sorted(groups)
    assert count_transitions([ex.position for ex in found]) == fewest_transitions(
        [ex.position for ex in found]
    )


def test_quick_fits_two_minutes_where_cycle_cannot(host: PluginHost, catalog: Catalog) -> None:
    routine = make(host, catalog, "quick", targets=[MEDIUS], minutes=2, seed=0)
    assert 108 <= compile_timeline(routine, catalog).duration <= 132
    with pytest.raises(InputError, match=r"too short for the cycle strategy.*--strategy quick"):
        make(host, catalog, "cycle", targets=[MEDIUS], minutes=2, equipment=["tennis_ball"])


def test_quick_stays_in_one_posture_for_a_short_routine(host: PluginHost, catalog: Catalog) -> None:
    for seed in range(10):
        routine = make(host, catalog, "quick", targets=[MEDIUS], minutes=5, seed=seed)
        positions = [ex.position for ex in exercises_of(routine, catalog)]
        assert count_transitions(positions) == 0, (seed, positions)


def test_transition_count_is_in_the_description(host: PluginHost, catalog: Catalog) -> None:
    routine = make(host, catalog, "stretch", targets=[MEDIUS], minutes=10, seed=2)
    moves = count_transitions([ex.position for ex in exercises_of(routine, catalog)])
    assert f"Gets up or down {moves} time" in routine.description


def test_per_side_exercises_get_both_sides(host: PluginHost, catalog: Catalog) -> None:
    routine = make(
        host, catalog, "cycle", targets=[MEDIUS], minutes=10, equipment=["foam_roller"], seed=5
    )
    timeline = compile_timeline(routine, catalog)
    for ex in exercises_of(routine, catalog):
        sides = {
            s.side for s in timeline.segments if s.exercise == ex.id and s.kind in ("hold", "reps")
        }
        assert sides == ({"left", "right"} if ex.per_side else {None}), ex.id


def test_seed_varies_the_routine_and_repeats_it(host: PluginHost, catalog: Catalog) -> None:
    def ids(seed: int) -> list[str]:
        return make(host, catalog, "stretch", targets=[MEDIUS], minutes=6, seed=seed).exercise_ids()

    assert ids(7) == ids(7)
    assert len({tuple(ids(seed)) for seed in range(12)}) > 1


# ----------------------------------------------------------------------------- constraints


def test_cycle_without_equipment_leaves_out_release_and_says_what_would_add_it(
    host: PluginHost, catalog: Catalog, capsys: pytest.CaptureFixture[str]
) -> None:
    routine = make(host, catalog, "cycle", targets=[MEDIUS], equipment=["none"], seed=1)
    kinds = [catalog.exercise(i).kind for i in routine.exercise_ids()]
    assert "release" not in kinds
    assert {"stretch", "activation"} <= set(kinds)
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(
        f"glutekit: the cycle leaves out release: no release exercise without equipment "
        f"for {MEDIUS}; add --equipment"
    )
    assert "tennis_ball" in line and "--strategy" not in line
    assert "no release without a ball or roller" in (routine.description or "")


def test_when_no_single_change_would_do_the_message_names_the_changes_that_would(
    host: PluginHost, catalog: Catalog
) -> None:
    """Every hip-flexor stretch is ruled out by the place and the avoided word at once:
    the line names both changes and the exercise they would let in."""
    with pytest.raises(InputError) as raised:
        make(
            host,
            catalog,
            "quick",
            targets=["hip_flexors"],
            minutes=2,
            equipment=["bed"],
            place="bed",
            avoid=["floor"],
        )
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(
        "no stretch exercise for hip_flexors fits your place and avoid together; to allow "
    ), message
    assert message.endswith(", use --place floor and leave out --avoid floor"), message
    name = message.split("to allow ", 1)[1].split(", use", 1)[0]
    allowed = next(ex for ex in catalog.exercises.values() if ex.name == name)
    assert allowed.kind == "stretch" and "hip_flexors" in allowed.targets
    assert allowed.position in PLACES["floor"]


def test_the_bare_compose_command_works(glutekit_proc: Any) -> None:
    proc = glutekit_proc("compose", "--minutes", "10")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["steps"]
    (line,) = proc.stderr.splitlines()
    assert line.startswith("glutekit: the cycle leaves out release:")
    quiet = glutekit_proc("--quiet", "compose", "--minutes", "10")
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_place_chair_keeps_to_seated_and_standing(host: PluginHost, catalog: Catalog) -> None:
    routine = make(host, catalog, "stretch", targets=[MEDIUS], place="chair", minutes=5)
    assert {ex.position for ex in exercises_of(routine, catalog)} <= PLACES["chair"]


def test_avoid_a_posture_leaves_out_all_its_positions(host: PluginHost, catalog: Catalog) -> None:
    routine = make(host, catalog, "stretch", targets=[MEDIUS], avoid=["kneeling"], minutes=8)
    positions = {ex.position for ex in exercises_of(routine, catalog)}
    assert not positions & {"kneeling", "half-kneeling", "quadruped", "lunge"}


def test_too_many_minutes_names_what_fits(host: PluginHost, catalog: Catalog) -> None:
    with pytest.raises(
        InputError, match=r"^only 1 stretch exercise .* ask for --minutes \d+ or fewer"
    ):
        make(host, catalog, "stretch", targets=["gluteus_minimus"], place="standing", minutes=45)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"targets": ["gluteus_medus"]}, "did you mean: gluteus_medius"),
        ({"symptom": "outer-hips"}, "did you mean: outer-hip"),
        ({"avoid": ["kneelin"]}, "did you mean: kneeling"),
        ({"place": "office"}, "use one of: bed, floor, chair, standing, gym, home"),
        ({"minutes": 0}, "--minutes must be more than 0"),
    ],
)
def test_bad_options_are_named(catalog: Catalog, options: dict[str, Any], expected: str) -> None:
    with pytest.raises(InputError, match=expected):
        build_request(catalog, **options)


def test_symptom_picks_its_muscles(catalog: Catalog) -> None:
    request = build_request(catalog, symptom="outer-hip")
    assert request.targets == catalog.symptoms()["outer-hip"].targets


def test_unknown_strategy_lists_the_known_ones(host: PluginHost) -> None:
    with pytest.raises(UnknownId, match=r"unknown strategy 'strech' \(did you mean: stretch\?\)"):
        find_strategy(host, "strech")


# ----------------------------------------------------------------------------- the hook


class OneStretch:
    """A third-party strategy: the first allowed stretch, held for the whole budget."""

    name = "one-stretch"
    description = "One long stretch."

    def compose(self, request: ComposeRequest, catalog: Catalog) -> dict[str, Any]:
        from glutekit.compose import candidates

        ex = candidates(catalog, request, {"stretch"})[0]
        return {"id": "one", "title": "One stretch", "steps": [{"exercise": ex.id}]}


class IgnoresAvoid(OneStretch):
    name = "rude"

    def compose(self, request: ComposeRequest, catalog: Catalog) -> dict[str, Any]:
        return {"id": "rude", "title": "Rude", "steps": [{"exercise": "glutes:half-pigeon"}]}


class StrategyPlugin:
    def __init__(self, *strategies: object) -> None:
        self.strategies = strategies

    def glutekit_strategies(self) -> list[object]:
        return list(self.strategies)


def _hookimpl(plugin: StrategyPlugin) -> StrategyPlugin:
    import glutekit

    glutekit.hookimpl(StrategyPlugin.glutekit_strategies)
    return plugin


def test_a_plugin_strategy_is_found_with_its_plugin(
    host: PluginHost, catalog: Catalog, register: Any
) -> None:
    register(_hookimpl(StrategyPlugin(OneStretch())), "third-party")
    found = find_strategy(host, "one-stretch")
    assert found.plugin == "third-party"
    data, routine = compose(build_request(catalog, targets=[MEDIUS]), catalog, found)
    assert routine.exercise_ids() == [data["steps"][0]["exercise"]]


def test_a_strategy_that_ignores_avoid_is_refused_by_name(
    host: PluginHost, catalog: Catalog, register: Any
) -> None:
    register(_hookimpl(StrategyPlugin(IgnoresAvoid())), "rude-plugin")
    request = build_request(catalog, avoid=["kneeling"])
    with pytest.raises(GlutekitError, match=r"strategy 'rude' \(plugin 'rude-plugin'\) ignored"):
        compose(request, catalog, find_strategy(host, "rude"))


PLUGIN_MODULE = textwrap.dedent("""
    import glutekit

    class Longest:
        name = "longest-hold"
        description = "The stretch with the longest usual hold."

        def compose(self, request, catalog):
            from glutekit.compose import candidates
            pool = candidates(catalog, request, {"stretch"})
            best = max(pool, key=lambda ex: (ex.dose.seconds or 0, ex.id))
            return {"id": "longest", "title": "Longest hold", "steps": [{"exercise": best.id}]}

    @glutekit.hookimpl
    def glutekit_strategies():
        return [Longest()]
""")


@pytest.fixture
def plugin_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "my_strategy_plugin.py").write_text(PLUGIN_MODULE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "my_strategy_plugin"
    sys.modules.pop("my_strategy_plugin", None)


# ----------------------------------------------------------------------------- CLI


def test_cli_compose_uses_a_plugin_strategy(cli: Any, plugin_on_path: str) -> None:
    result = cli("-p", plugin_on_path, "compose", "--strategy", "longest-hold", "--target", MEDIUS)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == "longest"
    listing = cli("-p", plugin_on_path, "strategies").stdout
    row = next(line for line in table_rows(listing) if line.startswith("longest-hold "))
    assert row.split()[-1] == "my_strategy_plugin"
    assert "The stretch with the longest usual hold." in row


def test_cli_strategies_lists_one_line_each(cli: Any) -> None:
    lines = table_rows(cli("strategies").stdout)
    assert [line.split()[0] for line in lines] == ["cycle", "quick", "stretch", "workout"]
    assert all(line.endswith(" strategies") for line in lines)


def test_cli_writes_a_file_that_validates(cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "desk.json"
    result = cli(
        "compose",
        "--target",
        "gluteus_medius",
        "--target",
        "gluteus_minimus",
        "--place",
        "chair",
        "--strategy",
        "stretch",
        "--minutes",
        "5",
        "--seed",
        "3",
        "-o",
        out,
    )
    assert result.exit_code == 0, result.output
    assert cli("validate", out).exit_code == 0
    assert json.loads(out.read_text())["targets"] == ["gluteus_medius", "gluteus_minimus"]
    assert [p.name for p in tmp_path.iterdir()] == ["desk.json"]


def test_cli_same_seed_same_output(cli: Any) -> None:
    args = ("compose", "--target", MEDIUS, "--equipment", "tennis_ball", "--seed", "11")
    assert cli(*args).stdout == cli(*args).stdout


def test_cli_unmet_constraint_is_one_line_and_exit_2(glutekit_proc: Any, tmp_path: Path) -> None:
    out = tmp_path / "never.json"
    proc = glutekit_proc(
        "compose",
        "--target",
        "gluteus_minimus",
        "--place",
        "standing",
        "--strategy",
        "stretch",
        "--minutes",
        "30",
        "-o",
        out,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert proc.stderr.startswith(
        "glutekit: error: only 1 stretch exercise for gluteus_minimus fit your equipment"
    )
    assert "Traceback" not in proc.stderr and not out.exists()


def test_transitions_helper_counts_posture_changes() -> None:
    assert count_transitions(["supine", "side-lying", "seated", "supine"]) == 2
    assert count_transitions([]) == 0
    assert count_transitions(["prone", "hanging"]) == 1


def test_run_compose_plays_a_composed_routine(glutekit_proc: Any) -> None:
    proc = glutekit_proc(
        "run",
        "--compose",
        "--target",
        MEDIUS,
        "--minutes",
        "4",
        "--strategy",
        "quick",
        "--seed",
        "1",
        "--speed",
        "200",
        "--no-voice",
    )
    assert proc.returncode == 0, proc.stderr
    assert "That's the end of the session" in proc.stdout
    finished = re.match(r"Finished in (\d+):(\d\d)", proc.stdout.strip().splitlines()[-1])
    assert finished, proc.stdout
    played = int(finished.group(1)) * 60 + int(finished.group(2))
    assert 0.9 * 240 <= played <= 1.1 * 240, "compose keeps to the time asked, within 10%"


def test_run_refuses_compose_options_without_compose(cli: Any) -> None:
    result = cli("run", "--target", MEDIUS)
    assert result.exit_code == 2
    assert "--target only works with --compose" in result.stderr


def test_run_refuses_every_compose_option_given_without_compose(glutekit_proc: Any) -> None:
    # The options are read from their declarations: those with a default count too.
    proc = glutekit_proc("run", "quick-five", "--strategy", "nonsense")
    assert proc.returncode == 2
    assert proc.stderr == "glutekit: error: --strategy only works with --compose\n"
    assert proc.stdout == ""
    proc = glutekit_proc("run", "quick-five", "--level", "advanced", "--minutes", "3")
    assert proc.returncode == 2
    assert proc.stderr == "glutekit: error: --minutes and --level only work with --compose\n"


def test_symptoms_say_when_to_see_a_professional(cli: Any) -> None:
    listing = cli("compose", "--symptoms").stdout
    assert "Take care (sciatica-like): See a doctor or physiotherapist" in listing
    result = cli("compose", "--symptom", "sciatica-like", "--strategy", "stretch", "--seed", "1")
    assert result.exit_code == 0, result.output
    # The line printed is the screen the routine carries and says before it starts.
    screen = json.loads(result.stdout)["screens"][0]
    assert result.stderr.startswith(f"Take care: {screen}")
    assert "below your knee" in screen and "doctor or physiotherapist" in screen
    assert json.loads(result.stdout)["steps"]
