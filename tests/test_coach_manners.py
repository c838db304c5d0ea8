"""Breathing in phase and a coach's manners, over every ready-made routine.

Each routine is compiled with the real catalog and speech lengths estimated from the
words (the timeline a text session plays); the checks work from the cues a listener
hears, not from the compiler's own notes, so they would catch a compiler that lied.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest

from glutekit import timeline as tl
from glutekit.catalog import Catalog
from glutekit.catalog.postures import POSTURES, posture
from glutekit.model import ExerciseStep, Routine, Timeline
from glutekit.timeline import coaching
from glutekit.timeline.cues import LAST_SIDE
from glutekit.timeline.pacing import breath_phase
from glutekit.timeline.speech import SpeechLengths
from tests.conftest import ROUTINES_DIR

READY_MADE = sorted(p.stem for p in ROUTINES_DIR.glob("*.json"))
_IN_WORDS = ("Breathe in.", "In.")


@pytest.fixture(scope="module")
def compiled() -> dict[str, tuple[Routine, Timeline, Catalog]]:
    from glutekit.host.plugins import make_plugin_host

    catalog = Catalog.build(make_plugin_host(autoload=True), user_routines=False)
    out = {}
    for rid in READY_MADE:
        data = json.loads((ROUTINES_DIR / f"{rid}.json").read_text(encoding="utf-8"))
        routine = catalog.load_routine_data(data, rid)
        out[rid] = (routine, tl.compile(routine, catalog), catalog)
    return out


def _breath_offsets(timeline: Timeline) -> list[tuple[str, float]]:
    """Each breathing line in a set of counted breaths, and how far (s) it starts from
    the nearest start of the phase it names; the phases are read from the breath words."""
    found = []
    for seg in timeline.segments:
        ins = [c.at for c in seg.cues if c.kind == "breath" and c.text in _IN_WORDS]
        outs = [c.at for c in seg.cues if c.kind == "breath" and c.text.startswith("Out")]
        if not ins or not outs:
            continue
        inhale = outs[0] - ins[0]
        period = min((b - a for a, b in itertools.pairwise(ins)), default=None)
        for cue in seg.cues:
            named = breath_phase(cue.text) if cue.kind == "cue" else None
            if named is None:
                continue
            assert period is not None, cue.text
            onset = ins[0] + (inhale if named == "out" else 0.0)
            off = (cue.at - onset) % period
            found.append((cue.text, round(min(off, period - off), 3)))
    return found


@pytest.mark.parametrize("rid", READY_MADE)
def test_breathing_lines_start_on_the_phase_they_name(
    rid: str, compiled: dict[str, tuple[Routine, Timeline, Catalog]]
) -> None:
    routine, timeline, catalog = compiled[rid]
    offsets = _breath_offsets(timeline)
    print(f"{rid}: breathing lines and their distance from their phase: {offsets}")
    assert all(off <= 0.3 for _, off in offsets), offsets
    texts = [c.text.lower() for c in timeline.cues]
    assert not [t for t in texts if "count your breaths" in t]
    assert not [
        v for v in coaching.check(routine, catalog, timeline, SpeechLengths()) if v.rule == 16
    ]


def test_some_ready_made_routine_has_a_breathing_line_in_a_breath_count(
    compiled: dict[str, tuple[Routine, Timeline, Catalog]],
) -> None:
    # Otherwise the test above checks nothing.
    assert sum(len(_breath_offsets(t)) for _, t, _ in compiled.values()) >= 4


def test_counted_breaths_are_relaxed_four_in_six_out(
    compiled: dict[str, tuple[Routine, Timeline, Catalog]],
) -> None:
    for rid, (_, timeline, _) in compiled.items():
        for seg in timeline.segments:
            words = [c for c in seg.cues if c.kind == "breath" and c.phase]
            for a, b in itertools.pairwise(words):
                assert a.phase is not None and b.phase is not None
                if a.text in _IN_WORDS and b.text.startswith("Out"):
                    assert b.at - a.at == pytest.approx(4.0, abs=0.002), rid
                    assert a.phase[1] - a.phase[0] == pytest.approx(4.0), rid
                    assert b.phase[1] - b.phase[0] == pytest.approx(6.0), rid


# ----------------------------------------------------------------------------- manners


def _exercise_runs(timeline: Timeline) -> list[list[int]]:
    """Segment indices of each exercise done, in order (a block's rounds count apart)."""
    runs: dict[tuple[tuple[int, ...], int], list[int]] = {}
    for seg in timeline.segments:
        if seg.exercise is not None:
            runs.setdefault((seg.step_path, seg.round), []).append(seg.index)
    return list(runs.values())


@pytest.mark.parametrize("rid", READY_MADE)
def test_one_word_of_encouragement_per_exercise_at_most(
    rid: str, compiled: dict[str, tuple[Routine, Timeline, Catalog]]
) -> None:
    _, timeline, _ = compiled[rid]
    runs = _exercise_runs(timeline)
    per_exercise = [
        sum(c.kind == "encourage" for i in run for c in timeline.segments[i].cues) for run in runs
    ]
    print(f"{rid}: encouragements per exercise: {per_exercise}")
    assert max(per_exercise) <= 1
    assert sum(per_exercise) >= 1, "a coach says a kind word now and then"
    # Not nagging: never in two exercises in a row.
    assert "11" not in "".join(map(str, per_exercise))


@pytest.mark.parametrize("rid", READY_MADE)
def test_progress_is_said_and_right(
    rid: str, compiled: dict[str, tuple[Routine, Timeline, Catalog]]
) -> None:
    _, timeline, _ = compiled[rid]
    runs = _exercise_runs(timeline)
    total = len(runs)
    for number, run in enumerate(runs, start=1):
        segments = [timeline.segments[i] for i in run]
        prepare = segments[0]
        assert prepare.kind == "prepare"
        first = prepare.cues[0]
        wanted = f"Exercise {number} of {total}" + (", the last one." if number == total else ".")
        assert (first.kind, first.text) == ("progress", wanted), rid
        assert prepare.cues[1].kind == "announce"
        # "Final side." (or another wording of it) before the final side, and only there.
        lasts = [s for s in segments if any(c.text in LAST_SIDE for c in s.cues)]
        final_switch = [s for s in segments if s.kind == "switch"][-1:]
        assert lasts == final_switch, (rid, prepare.label)
        # "Last set" in the rest before the final set, and only there.
        sets = segments[0].sets
        last_set = [s for s in segments if any("Last set" in c.text for c in s.cues)]
        if sets > 1:
            assert [s.set_number for s in last_set] == [sets], (rid, prepare.label)
        else:
            assert last_set == []


def test_progress_covers_sets_and_sides_somewhere(
    compiled: dict[str, tuple[Routine, Timeline, Catalog]],
) -> None:
    texts = [c.text for _, t, _ in compiled.values() for c in t.cues]
    # Each wording of the last side's line is said, in turn, somewhere.
    assert set(LAST_SIDE) <= set(texts)
    assert any(re.match(r"Rest\. Last set next", t) for t in texts)


def _last_exercise_posture(routine: Routine, catalog: Catalog, timeline: Timeline) -> str:
    last = [s for s in timeline.segments if s.exercise is not None][-1]
    assert last.exercise is not None
    return POSTURES[posture(catalog.exercise(last.exercise).position)][0]


@pytest.mark.parametrize("rid", READY_MADE)
def test_the_end_says_how_to_get_up_exactly_when_it_ends_on_the_floor(
    rid: str, compiled: dict[str, tuple[Routine, Timeline, Catalog]]
) -> None:
    routine, timeline, catalog = compiled[rid]
    where = _last_exercise_posture(routine, catalog, timeline)
    done = timeline.segments[-1]
    assert done.kind == "done"
    getting_up = [c for c in timeline.cues if c.kind == "getting-up"]
    if where in ("lying", "kneeling"):
        assert len(getting_up) == 1 and getting_up[0] in done.cues, rid
        text = getting_up[0].text
        assert "stand" in text and ("roll onto your side" in text) == (where == "lying")
    else:
        assert getting_up == [], rid


def test_ready_made_routines_end_both_on_the_floor_and_off_it(
    compiled: dict[str, tuple[Routine, Timeline, Catalog]],
) -> None:
    ends = {_last_exercise_posture(r, c, t) for r, t, c in compiled.values()}
    assert {"lying", "standing"} <= ends, ends


@pytest.mark.parametrize("rid", READY_MADE)
def test_manners_keep_the_timeline_honest(
    rid: str, compiled: dict[str, tuple[Routine, Timeline, Catalog]]
) -> None:
    """No line overlaps another, segments follow each other, every rule still holds."""
    routine, timeline, catalog = compiled[rid]
    say = SpeechLengths()
    cues = sorted(timeline.cues, key=lambda c: c.at)
    for a, b in itertools.pairwise(cues):
        assert a.at + say(a.text) <= b.at + 1e-6, (rid, a.text, b.text)
    for a, b in zip(timeline.segments, timeline.segments[1:], strict=False):
        assert b.start == pytest.approx(a.end)
    assert timeline.duration == pytest.approx(sum(s.duration for s in timeline.segments))
    assert coaching.check(routine, catalog, timeline, say) == []


def test_a_single_exercise_session_says_no_exercise_count(
    compiled: dict[str, tuple[Routine, Timeline, Catalog]],
) -> None:
    _, _, catalog = compiled[READY_MADE[0]]
    data = {"id": "one", "title": "One", "steps": [{"exercise": "glutes:supine-figure-four"}]}
    timeline = tl.compile(catalog.load_routine_data(data, "one"), catalog)
    assert not [c for c in timeline.cues if c.text.startswith("Exercise ")]
    assert [c.text for c in timeline.cues if c.kind == "progress"] == [LAST_SIDE[0]]


def test_an_exercise_pace_beats_the_routine_pace_and_a_step_pace_beats_both(
    compiled: dict[str, tuple[Routine, Timeline, Catalog]],
) -> None:
    from dataclasses import replace

    from glutekit.model import BreathPace
    from glutekit.timeline.cues import resolve_dose

    _, _, catalog = compiled[READY_MADE[0]]
    exercise = catalog.exercise("glutes:supine-hip-rotation")
    step = ExerciseStep(exercise=exercise.id)
    routine_pace = BreathPace(inhale=3, exhale=5)
    dose = resolve_dose(exercise, step, None)
    assert (dose.inhale, dose.exhale) == (4.0, 6.0)
    dose = resolve_dose(exercise, step, routine_pace)
    assert (dose.inhale, dose.exhale) == (3, 5)
    own = replace(exercise, dose=replace(exercise.dose, breath=BreathPace(inhale=5, exhale=8)))
    assert resolve_dose(own, step, routine_pace).exhale == 8
    data = {
        "id": "paced",
        "title": "Paced",
        "settings": {"breath": {"in": 3, "out": 5}},
        "steps": [
            {"exercise": exercise.id, "sides": "right", "dose": {"breaths": 2, "breath": {"in": 2, "out": 7}}}
        ],
    }  # fmt: skip
    routine = catalog.load_routine_data(data, "paced")
    step = routine.steps[0]
    assert isinstance(step, ExerciseStep)
    dose = resolve_dose(own, step, routine.settings.breath)
    assert (dose.inhale, dose.exhale, dose.seconds) == (2, 7, 18)


def test_breath_pace_from_the_command_line_the_environment_and_the_config(
    cli: object, tmp_path: Path
) -> None:
    def breaths(*args: str, env: dict[str, str] | None = None) -> list[float]:
        result = cli("transcript", "quick-five", "--json", *args, env=env)  # type: ignore[operator]
        assert result.exit_code == 0, result.output
        cues = json.loads(result.stdout)["cues"]
        ins = [c["at"] for c in cues if c["text"] in _IN_WORDS]
        outs = [c["at"] for c in cues if c["text"].startswith("Out")]
        return [round(outs[0] - ins[0], 3), round(outs[1] - outs[0], 3)]

    assert breaths() == [4.0, 10.0]
    assert breaths("--breath-pace", "3/5") == [3.0, 8.0]
    assert breaths(env={"GLUTEKIT_BREATH_PACE": "5/7"}) == [5.0, 12.0]
    assert cli("config", "set", "breath_pace", "4.5/6.5").exit_code == 0  # type: ignore[operator]
    assert breaths() == [4.5, 11.0]
    assert breaths("--breath-pace", "3/5") == [3.0, 8.0]  # the option comes first
    bad = cli("transcript", "quick-five", "--breath-pace", "4-6")  # type: ignore[operator]
    assert bad.exit_code == 2
    assert "must be seconds in and out as IN/OUT, such as 4/6" in bad.stderr
