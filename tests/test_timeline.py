"""The timeline compiler: exact transcripts, exact durations, and room for speech."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import glutekit
from glutekit import timeline as tl
from glutekit.catalog import Catalog
from glutekit.host.plugins import make_plugin_host
from glutekit.model import Routine, Timeline
from glutekit.timeline.speech import estimate_seconds

ROUTINES = sorted((Path(__file__).resolve().parent.parent / "routines").glob("*.json"))

PACK: dict[str, Any] = {
    "id": "t",
    "name": "Test pack",
    "version": "1.0.0",
    "license": "CC0-1.0",
    "exercises": [
        {
            "id": "side-hold",
            "name": "Side hold",
            "kind": "stretch",
            "targets": {"primary": ["gluteus_medius"]},
            "position": "side-lying",
            "per_side": True,
            "dose": {"hold": 20},
            "instructions": ["Lie on your side."],
            "cues": ["Breathe."],
        },
        {
            "id": "breathing",
            "name": "Belly breathing",
            "kind": "mobility",
            "targets": {"primary": ["gluteus_maximus"]},
            "position": "supine",
            "per_side": False,
            "dose": {"breaths": 5},
            "instructions": ["Lie on your back."],
            "cues": ["Slow."],
        },
        {
            "id": "lifts",
            "name": "Leg lifts",
            "kind": "activation",
            "targets": {"primary": ["gluteus_medius"]},
            "position": "side-lying",
            "per_side": True,
            "dose": {"reps": 10, "tempo": {"up": 2, "down": 2}},
            "instructions": ["Lie on your side.", "Lift the top leg."],
            "cues": ["Slow."],
        },
    ],
}

#: A per-side hold, a rest, and a repeated block with a breath-counted hold and reps at a tempo.
ROUTINE: dict[str, Any] = {
    "id": "golden",
    "title": "Golden",
    "settings": {"prepare": 5, "rest": 6, "switch": 4, "breath": {"in": 2, "out": 2}},
    "steps": [
        {"say": "Lie down.", "pause": 2},
        {"exercise": "t:side-hold"},
        {"rest": 8},
        {
            "block": "Floor pair",
            "repeat": 2,
            "rest_between": 5,
            "steps": [
                {"exercise": "t:breathing", "dose": {"breaths": 3}},
                {
                    "exercise": "t:lifts",
                    "sides": "left",
                    "dose": {"reps": 2, "tempo": {"up": 1, "hold": 1, "down": 2}},
                },
            ],
        },
    ],
}

GOLDEN = [
    "0 safety If you feel sharp, shooting or tingling pain, stop and ease off.",
    "4.908 message Lie down.",
    "6.908 progress Exercise 1 of 5.",
    "8.142 announce Side hold. 20 seconds each side, right side first.",
    "11.692 instruction Lie on your side.",
    "12.97 settle Take your time to get into position.",
    "19.822 begin Begin. Hold for 20 seconds.",
    "29.822 time-left 10 seconds to go.",
    "34.892 cue Breathe.",
    "36.822 countdown 3.",
    "37.822 countdown 2.",
    "38.822 countdown 1.",
    "39.822 end And relax.",
    "40.796 encourage Good work.",
    "42.02 progress Final side.",
    "43.287 switch Switch to the left side.",
    "48.619 begin Begin. Hold for 20 seconds.",
    "58.619 time-left 10 more seconds.",
    "63.667 cue Breathe.",
    "65.619 countdown 3.",
    "66.619 countdown 2.",
    "67.619 countdown 1.",
    "68.619 end And release.",
    "69.68 rest Rest for 8 seconds.",
    "71.045 next Next up: Belly breathing.",
    "76.619 progress Exercise 2 of 5.",
    "77.853 announce Belly breathing. 3 slow breaths.",
    "80.202 instruction Lie on your back.",
    "81.48 settle Take a moment to get into position.",
    "88.289 begin Begin.",
    "89.089 breath Breathe in.",
    "91.089 breath Out… one.",
    "93.089 breath In.",
    "95.089 breath Out… two.",
    "96.44 cue Slow.",
    "97.089 breath In.",
    "99.089 breath Out… three.",
    "101.089 end Relax now.",
    "102.063 rest Rest.",
    "102.82 next Next up: Leg lifts.",
    "107.089 progress Exercise 3 of 5.",
    "108.323 announce Leg lifts. 2 reps, left side only.",
    "111.179 instruction Lie on your side.",
    "114.207 instruction Lift the top leg.",
    "115.485 settle Get into position in your own time.",
    "121.294 begin Begin.",
    "122.094 rep Up",
    "123.094 rep Hold",
    "124.094 rep Down",
    "125.58 rep One.",
    "126.094 rep Up",
    "127.094 rep Hold",
    "128.094 rep Down",
    "129.58 rep Two.",
    "130.094 end And relax.",
    "131.068 rest Rest. Round 2 of 2: Floor pair.",
    "133.793 next Next up: Belly breathing.",
    "135.838 progress Exercise 4 of 5.",
    "137.072 announce Belly breathing. 3 slow breaths.",
    "139.421 instruction Same position as last round.",
    "141.176 settle Take your time to get into position.",
    "148.028 begin Begin.",
    "148.828 breath Breathe in.",
    "150.828 breath Out… one.",
    "152.828 breath In.",
    "154.828 breath Out… two.",
    "156.179 cue Slow.",
    "156.828 breath In.",
    "158.828 breath Out… three.",
    "160.828 end And release.",
    "161.889 rest Time to rest.",
    "162.993 next Next up: Leg lifts.",
    "166.828 progress Exercise 5 of 5, the last one.",
    "169.09 announce Leg lifts. 2 reps, left side only.",
    "171.946 instruction Same position as last round.",
    "173.701 settle Take a moment to get into position.",
    "180.51 begin Begin.",
    "181.31 rep Up",
    "182.31 rep Hold",
    "183.31 rep Down",
    "184.796 rep One.",
    "185.31 rep Up",
    "186.31 rep Hold",
    "187.31 rep Down",
    "188.796 rep Two.",
    "189.31 end Relax now.",
    "190.284 done That's the end of the session. Well done.",
    "193.023 getting-up Take your time getting up: roll onto your side, push up to sitting, then stand up slowly.",
]


class TestPack:
    @glutekit.hookimpl
    def glutekit_exercise_packs(self) -> list[dict[str, Any]]:
        return [PACK]


@pytest.fixture
def test_catalog() -> Catalog:
    host = make_plugin_host(autoload=False)
    host.register(TestPack(), "testpack")
    catalog = Catalog.build(host, user_routines=False)
    assert not host.warnings
    return catalog


def _routine(catalog: Catalog, **settings_: Any) -> Routine:
    data = {**ROUTINE, "settings": {**ROUTINE["settings"], **settings_}}
    return catalog.load_routine_data(data, "golden")


def _lines(timeline: Timeline) -> list[str]:
    return [f"{c.at:g} {c.kind} {c.text}" for c in timeline.cues]


def test_golden_transcript(test_catalog: Catalog) -> None:
    timeline = tl.compile(_routine(test_catalog), test_catalog)
    assert _lines(timeline) == GOLDEN
    assert timeline.duration == pytest.approx(198.686)


def test_duration_is_the_sum_of_the_segments(test_catalog: Catalog) -> None:
    timeline = tl.compile(_routine(test_catalog), test_catalog)
    assert timeline.duration == pytest.approx(sum(s.duration for s in timeline.segments))
    kinds = [s.kind for s in timeline.segments]
    assert kinds[:6] == ["message", "message", "prepare", "hold", "switch", "hold"]
    assert kinds.count("reps") == 2 and kinds[-1] == "done"


def test_segments_say_which_step_round_side_and_set(test_catalog: Catalog) -> None:
    timeline = tl.compile(_routine(test_catalog), test_catalog)
    holds = [
        (s.step_path, s.round, s.side) for s in timeline.segments if s.kind in ("hold", "reps")
    ]
    assert holds == [
        ((1,), 1, "right"),
        ((1,), 1, "left"),
        ((3, 0), 1, None),
        ((3, 1), 1, "left"),
        ((3, 0), 2, None),
        ((3, 1), 2, "left"),
    ]
    second_round = tl.step_start(timeline, (3, 0), 2)
    assert second_round is not None
    assert timeline.segments[second_round].kind == "prepare"


def test_left_first_side_order(test_catalog: Catalog) -> None:
    timeline = tl.compile(_routine(test_catalog, side_order="left-first"), test_catalog)
    assert "Side hold. 20 seconds each side, left side first." in tl.cue_texts(timeline)
    assert "Switch to the right side." in tl.cue_texts(timeline)


def test_sets_get_a_rest_between_them(test_catalog: Catalog) -> None:
    data = {**ROUTINE, "steps": [{"exercise": "t:side-hold", "sets": 2}]}
    timeline = tl.compile(test_catalog.load_routine_data(data, "sets"), test_catalog)
    holds = [(s.set_number, s.side) for s in timeline.segments if s.kind == "hold"]
    assert holds == [(1, "right"), (1, "left"), (2, "right"), (2, "left")]
    assert "Rest. Last set next, right side." in tl.cue_texts(timeline)


def test_from_segment_starts_at_zero_and_keeps_steps(test_catalog: Catalog) -> None:
    timeline = tl.compile(_routine(test_catalog), test_catalog)
    index = tl.step_start(timeline, (3, 0), 2)
    assert index is not None
    tail = tl.from_segment(timeline, index)
    assert tail.segments[0].start == 0 and tail.segments[0].index == 0
    assert tail.duration == pytest.approx(timeline.duration - timeline.segments[index].start)
    assert tail.segments[0].step_path == (3, 0) and tail.segments[0].round == 2
    assert _lines(tail)[0] == "0 progress Exercise 4 of 5."
    assert _lines(tail)[1].endswith(" announce Belly breathing. 3 slow breaths.")


# ----------------------------------------------------------------------------- speech


def _fake_lengths(timeline: Timeline, per_char: float) -> dict[str, float]:
    return {text: round(0.3 + per_char * len(text), 2) for text in tl.cue_texts(timeline)}


_PACED = ("rep", "breath")


def _check_speech_fits(timeline: Timeline, lengths: dict[str, float], gap: float) -> None:
    """No two cues overlap; between two cues that are not rep or breath words, the gap."""
    cues = timeline.cues
    for a, b in itertools.pairwise(cues):
        assert a.at + lengths[a.text] <= b.at + 1e-6, (a, b)
        if a.kind not in _PACED and b.kind not in _PACED:
            assert a.at + lengths[a.text] + gap <= b.at + 1e-6, (a, b)
    for seg in timeline.segments:
        if seg.kind == "prepare":
            talk_end = max(c.at + lengths[c.text] for c in seg.cues)
            assert talk_end + gap <= seg.end + 1e-6, seg.label
        if seg.kind in ("hold", "reps"):
            assert seg.cues[0].kind == "begin" and seg.cues[0].at == seg.start
    assert timeline.duration == pytest.approx(sum(s.duration for s in timeline.segments))


def test_speech_lengthens_prepare_and_never_overlaps(test_catalog: Catalog) -> None:
    routine = _routine(test_catalog)
    plain = tl.compile(routine, test_catalog)
    lengths = _fake_lengths(plain, 0.08)
    spoken = tl.compile(routine, test_catalog, tl.CompileSettings(speech_lengths=lengths))
    _check_speech_fits(spoken, lengths, 0.25)
    prepare = [s.duration for s in spoken.segments if s.kind == "prepare"]
    assert all(d > 5 for d in prepare)  # "Leg lifts..." plus two lines take more than 5 s
    assert [c.kind for c in spoken.cues].count("countdown") == 6


def test_no_voice_lays_out_around_lengths_estimated_from_the_words(
    test_catalog: Catalog,
) -> None:
    routine = _routine(test_catalog)
    plain = tl.compile(routine, test_catalog)
    estimated = {text: estimate_seconds(text) for text in tl.cue_texts(plain)}
    assert tl.compile(routine, test_catalog, tl.CompileSettings()) == plain
    assert tl.compile(routine, test_catalog, tl.CompileSettings(speech_lengths=estimated)) == plain
    _check_speech_fits(plain, estimated, 0.25)


@settings(max_examples=40, deadline=None)
@given(per_char=st.floats(min_value=0.0, max_value=0.2), gap=st.floats(0.0, 1.0))
@example(per_char=0.1875, gap=1e-9)  # speech ending a hair past a segment: stays on the ms grid
def test_any_speech_rate_fits(per_char: float, gap: float) -> None:
    host = make_plugin_host(autoload=False)
    host.register(TestPack(), "testpack")
    catalog = Catalog.build(host, user_routines=False)
    routine = _routine(catalog)
    lengths = _fake_lengths(tl.compile(routine, catalog), per_char)
    spoken = tl.compile(routine, catalog, tl.CompileSettings(speech_lengths=lengths, gap=gap))
    _check_speech_fits(spoken, lengths, gap)


# ----------------------------------------------------------------------------- ready-made


def _check_invariants(timeline: Timeline) -> None:
    assert timeline.segments and timeline.segments[-1].kind == "done"
    position = 0.0
    for i, seg in enumerate(timeline.segments):
        assert seg.index == i and seg.start == pytest.approx(position)
        assert seg.duration >= 0
        for cue in seg.cues:
            assert seg.start <= cue.at <= seg.end, (seg.label, cue)
        position = seg.end
    assert timeline.duration == pytest.approx(sum(s.duration for s in timeline.segments))
    ats = [c.at for c in timeline.cues]
    assert ats == sorted(ats)


def _check_switch_between_sides(timeline: Timeline) -> None:
    segments = timeline.segments
    for before, after in itertools.pairwise(segments):
        same_set = (after.exercise, after.set_number) == (before.exercise, before.set_number)
        if (
            before.kind in ("hold", "reps")
            and after.kind in ("hold", "reps", "switch")
            and same_set
        ):
            assert after.kind == "switch", before.label
            # A word of encouragement and "Final side." may come first, nothing else.
            kinds = [c.kind for c in after.cues]
            switch = after.cues[kinds.index("switch")]
            assert set(kinds[: kinds.index("switch")]) <= {"encourage", "progress"}
            assert switch.text.startswith(f"Switch to the {after.side} side")


def test_switch_cue_between_sides_in_the_golden_routine(test_catalog: Catalog) -> None:
    timeline = tl.compile(_routine(test_catalog), test_catalog)
    _check_switch_between_sides(timeline)
    assert sum(1 for c in timeline.cues if c.kind == "switch") == 1


@pytest.mark.parametrize("path", ROUTINES, ids=lambda p: p.stem)
def test_ready_made_routine_compiles(path: Path, catalog: Catalog) -> None:
    routine = catalog.find_routine(str(path))
    timeline = tl.compile(routine, catalog)
    _check_invariants(timeline)
    _check_switch_between_sides(timeline)
    per_side = [s for s in timeline.segments if s.kind in ("hold", "reps") and s.side]
    both = {(s.step_path, s.round, s.set_number) for s in per_side if s.side == "left"} & {
        (s.step_path, s.round, s.set_number) for s in per_side if s.side == "right"
    }
    switches = [s for s in timeline.segments if s.kind == "switch"]
    assert len(switches) == len(both)
    lengths = _fake_lengths(timeline, 0.07)
    spoken = tl.compile(routine, catalog, tl.CompileSettings(speech_lengths=lengths))
    _check_invariants(spoken)
    _check_speech_fits(spoken, lengths, 0.25)


def _circles(catalog: Catalog, tempo: dict[str, float]) -> Timeline:
    data = {
        "id": "circles",
        "title": "Circles",
        "steps": [
            {
                "exercise": "glutes:knee-circles",
                "sides": "right",
                "dose": {"reps": 8, "tempo": tempo},
            }
        ],
    }
    routine = catalog.load_routine_data(data, "circles")
    texts = tl.compile(routine, catalog).texts
    lengths = {text: estimate_seconds(text) for text in texts}
    return tl.compile(routine, catalog, tl.CompileSettings(speech_lengths=lengths))


def test_a_halfway_line_replaces_the_words_of_the_middle_rep_and_is_never_hurried(
    catalog: Catalog,
) -> None:
    roomy = [c for c in _circles(catalog, {"up": 1.5, "down": 1.5}).cues if c.kind == "rep"]
    texts = [c.text for c in roomy]
    assert texts.count("Change direction.") == 1
    turn = texts.index("Change direction.")
    starts = [c.at for c in roomy if c.text == "Circle"]
    assert len(starts) == 7, "every circle but the fifth starts with its own word"
    assert roomy[turn].at == pytest.approx(starts[0] + 4 * 3.0), "the fifth of eight circles"
    assert roomy[turn].phase is not None and roomy[turn].at == roomy[turn].phase[0]
    # A rep too short to say it in: the usual words stay, nothing is squeezed in.
    tight = [c.text for c in _circles(catalog, {"up": 0.5, "down": 0.5}).cues]
    assert "Change direction." not in tight
