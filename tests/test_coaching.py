"""The coaching rules (``validate --coaching``), and the compiler keeping them.

Routines here run against the small pack in ``coaching_pack.py``. Without a voice
plugin the timeline is laid out around speech lengths estimated from the words,
the same timeline a text session plays, so the messages are exact.
"""

from __future__ import annotations

import functools
import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glutekit import timeline as tl
from glutekit.catalog import Catalog
from glutekit.host.offers import EXPORTERS
from glutekit.host.plugins import make_plugin_host
from glutekit.interfaces import ExportOptions
from glutekit.model import Timeline
from glutekit.timeline import coaching
from glutekit.timeline.speech import SpeechLengths, estimate_seconds
from tests.coaching_pack import GOOD, PACK, CoachingPack, write

NO_PLUGINS = {"GLUTEKIT_DISABLE_PLUGIN_AUTOLOAD": "1"}


@pytest.fixture
def pack_catalog() -> Catalog:
    host = make_plugin_host(autoload=False)
    host.register(CoachingPack(), "coaching-pack")
    catalog = Catalog.build(host, user_routines=False)
    assert not host.warnings
    return catalog


def _validate(cli: Any, tmp_path: Path, routine: dict[str, Any]) -> tuple[int, list[str]]:
    pack = write(tmp_path, "pack.json", PACK)
    path = write(tmp_path, "routine.json", routine)
    result = cli("validate", "--coaching", pack, path, env=NO_PLUGINS)
    prefix = f"{path}:"
    lines = [line.removeprefix(prefix) for line in result.stderr.splitlines()]
    return result.exit_code, [line for line in lines if not line.endswith("file(s) invalid")]


def test_good_routine_keeps_every_rule(cli: Any, tmp_path: Path) -> None:
    code, problems = _validate(cli, tmp_path, GOOD)
    assert problems == [] and code == 0


# ----------------------------------------------------------------------------- rule by rule


def _routine(rid: str, steps: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {"id": rid, "title": rid.upper(), **fields, "steps": steps}


BREAKING = {
    1: (
        _routine("r1", [{"exercise": "c:breathe"}], settings={"settle": 2, "prepare": 5}),
        "9:5: /steps/0: settle: 2.0 s of quiet between the set-up and the start of Breathe "
        "at 00:12; at least 4 s needed",
    ),
    2: (
        _routine("r2", [{"exercise": "c:lunge"}], settings={"switch": 5}),
        "8:5: /steps/0: switch: 5.0 s of quiet to change to the left side of Lunge at 01:00; "
        "its transition needs 10 s",
    ),
    3: (
        _routine("r3", [{"exercise": "c:breathe", "dose": {"hold": 3}}]),
        "5:5: /steps/0: crowded: only 2.4 s between 'Begin.' and 'And relax.' in Breathe "
        "at 00:18; at least 3 s needed",
    ),
    5: (
        _routine("r5", [{"exercise": "c:many-cues"}]),
        "5:5: /steps/0: cues: Many cues never says 'Let the floor hold you.'",
    ),
    6: (
        _routine("r6", [{"exercise": "c:nosides", "sides": "right"}]),
        "5:5: /steps/0: sides: Nosides is done per side but never says which side works "
        "(give the exercise a 'working_side')",
    ),
    7: (
        _routine(
            "r7",
            [
                {"say": "If you feel sharp, shooting or tingling pain, stop and ease off."},
                {"exercise": "c:breathe"},
            ],
        ),
        "1:1: /: safety: the line on when to stop ('If you feel sharp, shooting or tingling "
        "pain, stop and ease off.') is heard 2 times; once is right",
    ),
    14: (
        _routine("r14", [{"exercise": "c:clam", "sides": "right"}]),
        "5:5: /steps/0: side: 'Clam. 30 seconds, right side only: li...' at 00:04 says both "
        "'left side' and 'right side'; name the working limb and the side lain on in different "
        'words ("lie on your right hip, left knee on top")',
    ),
    15: (
        _routine(
            "r15",
            [
                {
                    "exercise": "c:bridge",
                    "sides": "left",
                    "dose": {"reps": 3, "tempo": {"up": 0.5, "down": 0.5}},
                }
            ],
        ),
        "5:5: /steps/0: counts: Bridge — left side at 00:19 never says 1, 2, 3; every count "
        "from 1 to 3 is said, with form cues between them",
    ),
    16: (
        _routine("r16", [{"exercise": "c:breathe", "cues": ["Count your breaths."]}]),
        "5:5: /steps/0: breathing: 'Count your breaths.' at 00:41 asks the listener to count "
        "the breaths that Breathe counts aloud",
    ),
    8: (
        _routine("r8", [{"exercise": "c:breathe"}], length="5m"),
        "4:13: /length: length: plays for 01:15 but states 05:00 (-75%); keep within 5%",
    ),
}


@pytest.mark.parametrize("rule", sorted(BREAKING))
def test_a_routine_that_breaks_a_rule_gets_its_message(cli: Any, tmp_path: Path, rule: int) -> None:
    routine, message = BREAKING[rule]
    code, problems = _validate(cli, tmp_path, routine)
    assert code == 2
    assert message in problems, problems


def test_rule_16_a_breathing_line_too_long_for_its_breath_is_out_of_phase(
    cli: Any, tmp_path: Path
) -> None:
    # A 1.5 s breath in has no room for this line: it is said between the counts, as any
    # form cue is, and validate says where and why rather than leaving it out.
    step = {
        "exercise": "c:breathe",
        "dose": {"breaths": 5, "breath": {"in": 1.5, "out": 5}},
        "cues": ["Take a slow, deep breath in through the nose."],
    }
    code, problems = _validate(cli, tmp_path, _routine("r16", [step]))
    assert code == 2
    assert problems == [
        "5:5: /steps/0: breathing: 'Take a slow, deep breath in through t...' at 00:32 starts "
        "2.9 s from the start of a breath in; within 0.3 s needed (a breathing line must fit "
        "in the phase it names: shorten it, or give the breath a slower pace)"
    ]


def test_a_number_of_minutes_in_the_intro_is_a_stated_length(cli: Any, tmp_path: Path) -> None:
    routine = _routine("r8", [{"say": "Ten minutes for the hips."}, {"exercise": "c:breathe"}])
    code, problems = _validate(cli, tmp_path, routine)
    assert code == 2
    assert problems == [
        "6:14: /steps/0/say: length: plays for 01:18 but states 10:00 (-87%); keep within 5%"
    ]


def test_rule_4_a_voice_slower_than_the_timeline_runs_words_into_the_next_phase(
    pack_catalog: Catalog,
) -> None:
    routine = pack_catalog.load_routine_data(
        _routine("r4", [{"exercise": "c:bridge", "sides": "left"}]), "r4"
    )
    timeline = tl.compile(routine, pack_catalog)
    assert not coaching.check(routine, pack_catalog, timeline, SpeechLengths())
    slower = {t: 6 * estimate_seconds(t) for t in tl.cue_texts(timeline)}
    found = coaching.check(routine, pack_catalog, timeline, SpeechLengths(slower))
    paced = [v.message for v in found if v.rule == 4]
    assert paced[0] == (
        "pace: 'Lift' at 00:20 in Bridge — left side runs 0.10 s into the next phase"
    )
    # The same routine compiled for that voice keeps the pace: fewer words, never faster.
    fitted = tl.compile(routine, pack_catalog, tl.CompileSettings(speech_lengths=slower))
    assert not [v for v in coaching.check(routine, pack_catalog, fitted, SpeechLengths(slower))
                if v.rule <= 4]  # fmt: skip


def test_a_late_phase_word_is_caught(pack_catalog: Catalog) -> None:
    from dataclasses import replace

    routine = pack_catalog.load_routine_data(
        _routine("r4", [{"exercise": "c:bridge", "sides": "left"}]), "r4"
    )
    timeline = tl.compile(routine, pack_catalog)
    reps = next(s for s in timeline.segments if s.kind == "reps")
    word = next(c for c in reps.cues if c.phase)
    late = replace(word, at=round(word.at + 0.4, 3))
    moved = replace(reps, cues=tuple(late if c is word else c for c in reps.cues))
    segments = tuple(moved if s is reps else s for s in timeline.segments)
    found = coaching.check(
        routine, pack_catalog, replace(timeline, segments=segments), SpeechLengths()
    )
    assert [v.message for v in found if v.rule == 4] == [
        "pace: 'Lift' at 00:20 in Bridge — left side starts +0.40 s from its phase; "
        "within 0.25 s needed"
    ]


# ----------------------------------------------------------------------------- set-up pace


def _gaps_after(timeline: Timeline, kind: str = "prepare") -> dict[str, float]:
    """Quiet after each line of the first segment of ``kind``, before the next line."""
    seg = next(s for s in timeline.segments if s.kind == kind)
    say = SpeechLengths()
    pairs = zip(seg.cues, seg.cues[1:], strict=False)
    return {a.text: round(b.at - a.at - say(a.text), 3) for a, b in pairs}


def test_set_up_lines_get_time_to_do_what_they_ask(pack_catalog: Catalog) -> None:
    data = _routine("pace", [{"exercise": "c:rotate", "sides": "right"}])
    timeline = tl.compile(pack_catalog.load_routine_data(data, "pace"), pack_catalog)
    gaps = _gaps_after(timeline)
    # Lying down and crossing a leg are changes of position; letting the knees drop adjusts.
    assert gaps["Lie on your back, knees bent."] >= 2.0
    assert gaps["Rest your right ankle on your left knee."] >= 2.0
    # The last line has "take your time" and the quiet after it.
    assert gaps["Let the knees drop slowly to your left side."] < 0.5
    assert max(gaps["Rotate. 30 seconds, right side only: right ankle on your left knee."], 0) < 1
    assert not coaching.check(
        pack_catalog.load_routine_data(data, "pace"), pack_catalog, timeline, SpeechLengths()
    )


def test_a_slow_routine_paces_its_set_up_slower_and_keeps_its_length_honest(
    pack_catalog: Catalog,
) -> None:
    plain = _routine("plain", [{"exercise": "c:rotate", "sides": "right"}])
    slow = {**plain, "id": "slow", "settings": {"settle": 10}}
    fast, slower = (
        tl.compile(pack_catalog.load_routine_data(d, d["id"]), pack_catalog) for d in (plain, slow)
    )
    assert _gaps_after(slower)["Lie on your back, knees bent."] == pytest.approx(
        2 * _gaps_after(fast)["Lie on your back, knees bent."]
    )
    # The quiet after "take your time" gives what the pauses did not: at least 4 s, and
    # less than the routine's settle time once the set-up has paused for its moves.
    for timeline, settle in ((fast, 5), (slower, 10)):
        prepare = next(s for s in timeline.segments if s.kind == "prepare")
        last = prepare.cues[-1]
        quiet = prepare.start + prepare.duration - (last.at + SpeechLengths()(last.text))
        assert 4 - 1e-3 <= quiet < settle


def test_rule_12_a_voice_slower_than_the_set_up_was_paced_for(pack_catalog: Catalog) -> None:
    routine = pack_catalog.load_routine_data(
        _routine("r12", [{"exercise": "c:rotate", "sides": "right"}]), "r12"
    )
    timeline = tl.compile(routine, pack_catalog)
    slower = {t: estimate_seconds(t) + 2.0 for t in tl.cue_texts(timeline)}
    found = coaching.check(routine, pack_catalog, timeline, SpeechLengths(slower))
    assert next(v.message for v in found if v.rule == 12) == (
        "set-up pace: only 0.0 s after 'Lie on your back, knees bent.' at 00:09 before the "
        "next line; a position line needs 2 s"
    )


# ----------------------------------------------------------------------------- counts and breaths


def _counts(timeline: Timeline, kind: str) -> list[list[str]]:
    return [
        [c.text for c in seg.cues if c.kind in ("rep", "breath") and c.text[0].isupper()]
        for seg in timeline.segments
        if seg.kind == kind and seg.exercise
    ]


def test_a_form_cue_never_takes_the_place_of_a_count(pack_catalog: Catalog) -> None:
    # Two-second reps: a form cue fits only between the words of a rep, never over a count.
    fast = {"reps": 8, "tempo": {"up": 1, "down": 1}}
    data = _routine("fast", [{"exercise": "c:bridge", "sides": "left", "dose": fast}])
    routine = pack_catalog.load_routine_data(data, "fast")
    timeline = tl.compile(routine, pack_catalog)
    numbers = [t for t in _counts(timeline, "reps")[0] if t not in ("Lift", "Lower")]
    assert numbers == ["One.", "Two.", "Three.", "Four.", "Five.", "Six.", "Seven.", "Eight."]
    assert {c.text for c in timeline.cues if c.kind == "cue"} >= {"Hips level."}
    assert not [v for v in coaching.check(routine, pack_catalog, timeline, SpeechLengths())
                if v.rule in (4, 15)]  # fmt: skip


def test_rule_15_a_count_left_out_is_caught(pack_catalog: Catalog) -> None:
    from dataclasses import replace

    routine = pack_catalog.load_routine_data(
        _routine("r15", [{"exercise": "c:bridge", "sides": "left"}]), "r15"
    )
    timeline = tl.compile(routine, pack_catalog)
    reps = next(s for s in timeline.segments if s.kind == "reps")
    cut = replace(reps, cues=tuple(c for c in reps.cues if c.text != "Four."))
    segments = tuple(cut if s is reps else s for s in timeline.segments)
    found = coaching.check(
        routine, pack_catalog, replace(timeline, segments=segments), SpeechLengths()
    )
    assert [v.message for v in found if v.rule == 15] == [
        "counts: Bridge — left side at 00:19 never says 4; every count from 1 to 6 is said, "
        "with form cues between them"
    ]


def test_a_breathing_instruction_starts_with_the_breath_it_names(pack_catalog: Catalog) -> None:
    cues = ["Breathe in through the nose.", "Breathe out slowly."]
    data = _routine("air", [{"exercise": "c:breathe", "dose": {"breaths": 6}, "cues": cues}])
    routine = pack_catalog.load_routine_data(data, "air")
    timeline = tl.compile(routine, pack_catalog)
    hold = next(s for s in timeline.segments if s.kind == "hold")
    first_in = next(c for c in hold.cues if c.text == "Breathe in.")
    first_out = next(c for c in hold.cues if c.text.startswith("Out…"))
    assert first_in.phase is not None and first_out.phase is not None
    start, inhale = first_in.phase[0], first_in.phase[1] - first_in.phase[0]
    exhale = first_out.phase[1] - first_out.phase[0]
    # A relaxed breath by default: about 4 s in and a longer 6 s out.
    assert (inhale, exhale) == pytest.approx((4.0, 6.0))
    said = {c.text: c.at for c in hold.cues}
    for text, offset in ((cues[0], 0.0), (cues[1], inhale)):
        breaths = (said[text] - start - offset) / (inhale + exhale)
        assert breaths == pytest.approx(round(breaths), abs=0.01), text
    # The out-breath that carries an instruction still says its number, after it.
    assert [t for t in _counts(timeline, "hold")[0] if t not in ("Breathe in.", "In.")] == [
        "Out… one.",
        "Out… two.",
        "Out… three.",
        "Four.",
        "Out… five.",
        "Out… six.",
    ] or "Four." not in said
    assert not [v for v in coaching.check(routine, pack_catalog, timeline, SpeechLengths())
                if v.rule in (3, 4, 5, 15, 16)]  # fmt: skip


# ----------------------------------------------------------------------------- silences


def _silences(timeline: Timeline) -> list[float]:
    say = SpeechLengths()
    cues = sorted(timeline.cues, key=lambda c: c.at)
    return [round(b.at - a.at - say(a.text), 2) for a, b in itertools.pairwise(cues)]


def test_a_long_hold_gets_minute_markers_and_is_never_silent_for_over_30_s(
    pack_catalog: Catalog,
) -> None:
    data = _routine("walk", [{"exercise": "c:walk"}, {"rest": 60}, {"exercise": "c:walk"}])
    routine = pack_catalog.load_routine_data(data, "walk")
    timeline = tl.compile(routine, pack_catalog)
    assert max(_silences(timeline)) <= 30
    hold = next(s for s in timeline.segments if s.kind == "hold")
    said = [c.text for c in hold.cues]
    for marker in ("1 minute done.", "2 minutes done.", "3 minutes done.", "4 minutes done."):
        assert marker in said
    # The form cues come round again; one word of encouragement at most, not nagging.
    assert said.count("Easy pace.") >= 2 and said.count("Arms swing.") >= 2
    assert len([c for c in hold.cues if c.kind == "encourage"]) <= 1
    rest = next(s for s in timeline.segments if s.kind == "rest")
    assert [c.text for c in rest.cues if c.kind == "time-left"] == [
        "30 seconds left.",
        "10 seconds left.",
    ]
    assert not coaching.check(routine, pack_catalog, timeline, SpeechLengths())


def test_a_step_marked_quiet_keeps_its_silence(pack_catalog: Catalog) -> None:
    data = _routine("still", [{"exercise": "c:walk", "quiet": True}])
    routine = pack_catalog.load_routine_data(data, "still")
    timeline = tl.compile(routine, pack_catalog)
    assert max(_silences(timeline)) > 30
    assert not [c for c in timeline.cues if c.kind == "encourage" or "minute done" in c.text]
    assert not coaching.check(routine, pack_catalog, timeline, SpeechLengths())


def test_rule_17_a_long_silence_is_caught(pack_catalog: Catalog) -> None:
    from dataclasses import replace

    routine = pack_catalog.load_routine_data(_routine("r17", [{"exercise": "c:walk"}]), "r17")
    timeline = tl.compile(routine, pack_catalog)
    hold = next(s for s in timeline.segments if s.kind == "hold")
    kept = ("begin", "halfway", "countdown", "end")
    cut = replace(hold, cues=tuple(c for c in hold.cues if c.kind in kept))
    segments = tuple(cut if s is hold else s for s in timeline.segments)
    found = coaching.check(
        routine, pack_catalog, replace(timeline, segments=segments), SpeechLengths()
    )
    assert next(v.message for v in found if v.rule == 17) == (
        'silence: 148 s without a word from 00:16 in Walk; at most 30 s, or mark the step "quiet": true'
    )


# ----------------------------------------------------------------------------- sides


def test_the_second_side_says_which_way_the_knees_drop(pack_catalog: Catalog) -> None:
    data = _routine("r", [{"exercise": "c:rotate"}])
    timeline = tl.compile(pack_catalog.load_routine_data(data, "r"), pack_catalog)
    switch = next(s for s in timeline.segments if s.kind == "switch")
    assert [c.text for c in switch.cues] == [
        "Good work.",
        "Final side.",
        "Switch to the left side: left ankle on your right knee.",
        "Come back to the middle and rest your left ankle on your right knee.",
        "Let the knees drop slowly to your right side.",
    ]


def test_rule_13_a_second_side_without_the_first_sides_direction(
    pack_catalog: Catalog,
) -> None:
    from dataclasses import replace

    routine = pack_catalog.load_routine_data(_routine("r13", [{"exercise": "c:rotate"}]), "r13")
    timeline = tl.compile(routine, pack_catalog)
    assert not coaching.check(routine, pack_catalog, timeline, SpeechLengths())
    switch = next(s for s in timeline.segments if s.kind == "switch")
    cut = replace(switch, cues=switch.cues[:-1])
    segments = tuple(cut if s is switch else s for s in timeline.segments)
    found = coaching.check(
        routine, pack_catalog, replace(timeline, segments=segments), SpeechLengths()
    )
    assert [v.message for v in found if v.rule == 13] == [
        "second side: the switch to the left side of Rotate at 00:56 never says 'right side', "
        "which the first side's set-up said for its side"
    ]


def test_a_steps_note_follows_the_set_up_and_is_said_on_each_side(
    pack_catalog: Catalog,
) -> None:
    note = "If you like, turn the chest toward the front knee."
    data = _routine("n", [{"exercise": "c:lunge", "note": note}])
    timeline = tl.compile(pack_catalog.load_routine_data(data, "n"), pack_catalog)
    prepare, switch = (
        next(s for s in timeline.segments if s.kind == k) for k in ("prepare", "switch")
    )
    assert [c.text for c in prepare.cues if c.kind == "instruction"] == [
        "Kneel, then step your right foot forward.",
        note,
    ]
    assert [c.text for c in switch.cues][-1] == note


def _said(timeline: Timeline, kinds: tuple[str, ...]) -> list[tuple[str | None, str]]:
    return [(c.side, c.text) for c in timeline.cues if c.kind in kinds]


def test_left_first_names_the_right_limb_for_each_side(pack_catalog: Catalog) -> None:
    data = _routine("lf", [{"exercise": "c:cross"}], settings={"side_order": "left-first"})
    timeline = tl.compile(pack_catalog.load_routine_data(data, "lf"), pack_catalog)
    assert _said(timeline, ("announce", "instruction", "switch")) == [
        ("left", "Cross. 30 seconds each side, left side first: left ankle crosses over your "
                 "right knee."),
        ("left", "Lie on your back, knees bent."),
        ("left", "Cross your left ankle over your right knee."),
        ("right", "Switch to the right side: right ankle crosses over your left knee."),
        ("right", "Uncross, and cross the right ankle over."),
    ]  # fmt: skip
    cues = _said(timeline, ("cue",))
    assert ("left", "Let the left knee open.") in cues
    assert ("right", "Let the right knee open.") in cues


def test_a_single_side_routine_works_that_side_only(pack_catalog: Catalog) -> None:
    data = _routine("left", [{"exercise": "c:cross", "sides": "left"}])
    timeline = tl.compile(pack_catalog.load_routine_data(data, "left"), pack_catalog)
    said = _said(timeline, ("announce", "instruction", "switch", "cue"))
    assert said[:3] == [
        ("left", "Cross. 30 seconds, left side only: left ankle crosses over your right knee."),
        ("left", "Lie on your back, knees bent."),
        ("left", "Cross your left ankle over your right knee."),
    ]
    for side, text in said:
        assert side == "left"
        assert not re.search(r"\bright (ankle|knee|foot|hip)\b", text.replace("right knee.", ""))
    assert "Let the left knee open." in [text for _, text in said]


def test_an_unknown_placeholder_is_refused_by_the_schema(cli: Any, tmp_path: Path) -> None:
    bad = {**PACK, "exercises": [{**PACK["exercises"][0], "cues": ["Lift the {leg}."]}]}
    path = write(tmp_path, "pack.json", bad)
    result = cli("validate", path, env=NO_PLUGINS)
    assert result.exit_code == 2
    assert (
        "/exercises/0/cues/0: unknown placeholder '{leg}' in \"Lift the {leg}.\" "
        "(known: {side}, {other}, {Side}, {Other})"
    ) in result.stderr


# ----------------------------------------------------------------------------- any speech


EXERCISES = ["c:cross", "c:lunge", "c:bridge", "c:breathe"]

tempos = st.fixed_dictionaries(
    {"up": st.sampled_from([0.5, 1, 1.5, 2, 3]), "down": st.sampled_from([0.5, 1, 2, 3])},
    optional={"hold": st.sampled_from([0, 0.5, 1, 2])},
)


def _step(ex: str, sides: str, sets: int, hold: int, reps: int, tempo: dict[str, float]) -> Any:
    step: dict[str, Any] = {"exercise": ex}
    if ex != "c:breathe":
        step["sides"] = sides
    if sets > 1:
        step["sets"] = sets
    if ex in ("c:cross", "c:lunge"):
        step["dose"] = {"hold": hold}
    if ex == "c:bridge":
        step["dose"] = {"reps": reps, "tempo": tempo}
    return step


exercise_steps = st.builds(
    _step,
    st.sampled_from(EXERCISES),
    st.sampled_from(["both", "left", "right"]),
    st.integers(1, 2),
    st.integers(15, 90),
    st.integers(1, 12),
    tempos,
)
routines = st.builds(
    lambda steps, block, settle, breath, order, countdown: {
        "id": "gen",
        "title": "Generated",
        "settings": {
            "settle": settle,
            "breath": breath,
            "side_order": order,
            "countdown": countdown,
        },
        "steps": [*steps, {"block": "B", "repeat": 2, "rest_between": 5, "steps": block}],
    },
    st.lists(exercise_steps, min_size=1, max_size=3),
    st.lists(exercise_steps, min_size=1, max_size=2),
    st.integers(4, 12),
    st.integers(2, 10),
    st.sampled_from(["right-first", "left-first"]),
    st.booleans(),
)


@functools.cache
def _coaching_catalog() -> Catalog:
    """The coaching pack's catalog, built once for the examples (none changes it)."""
    host = make_plugin_host(autoload=False)
    host.register(CoachingPack(), "coaching-pack")
    return Catalog.build(host, user_routines=False)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=routines,
    per_char=st.floats(0.0, 0.2),
    jitter=st.lists(st.floats(0.5, 2.0), min_size=1, max_size=7),
    gap=st.floats(0.0, 0.5),
)
def test_rules_1_to_4_hold_whatever_the_speech_lengths(
    data: dict[str, Any], per_char: float, jitter: list[float], gap: float
) -> None:
    catalog = _coaching_catalog()
    routine = catalog.load_routine_data(data, "gen")
    texts = tl.cue_texts(tl.compile(routine, catalog))
    lengths = {
        text: round((0.2 + per_char * len(text)) * jitter[i % len(jitter)], 3)
        for i, text in enumerate(texts)
    }
    timeline = tl.compile(routine, catalog, tl.CompileSettings(speech_lengths=lengths, gap=gap))
    broken = [v for v in coaching.check(routine, catalog, timeline, SpeechLengths(lengths))
              if v.rule <= 4]  # fmt: skip
    assert broken == []


# ----------------------------------------------------------------------------- figures


def test_figures_of_a_good_session(pack_catalog: Catalog) -> None:
    routine = pack_catalog.load_routine_data(GOOD, "good")
    timeline = tl.compile(routine, pack_catalog)
    got = coaching.figures(routine, pack_catalog, timeline, SpeechLengths())
    # 5 s to settle, less what the set-up's pauses for its moves already gave: never under 4.
    assert got.min_settle == pytest.approx(4.0)
    assert got.min_switch == pytest.approx(5.0)  # the bridge, on its back: the default 5 s
    assert (got.cues_heard, got.cues_total) == (10, 10)
    assert (got.safety_lines, got.spoken_cautions) == (1, 1)
    assert got.played == timeline.duration and got.stated is None


# ----------------------------------------------------------------------------- voice and text


def test_voiced_and_text_sessions_have_the_same_shape(host: Any, catalog: Catalog) -> None:
    """quick-five with the default voice's measured lengths, beside the text session."""
    from glutekit.timeline.played import voiced_timeline

    exporter = next(e for _, e in EXPORTERS.offered(host).values() if e.speech_lengths)
    voiced, measured = voiced_timeline(
        catalog.routines["quick-five"],
        catalog,
        lambda t: exporter.speech_lengths(list(t), ExportOptions()),
    )
    if not measured.measured:
        pytest.skip("no speech engine renders here")
    text, estimated = voiced_timeline(catalog.routines["quick-five"], catalog)
    rows = list(zip(voiced.segments, text.segments, strict=True))
    for a, b in rows:
        print(f"{a.kind:<8} {a.label[:36]:<36} {a.start:8.2f} {a.duration:7.2f} | "
              f"{b.start:8.2f} {b.duration:7.2f}")  # fmt: skip
        assert (a.kind, a.label, a.side, a.step_path) == (b.kind, b.label, b.side, b.step_path)
        if a.kind == "hold" and a.label.startswith("Supine figure-four"):
            assert a.duration == b.duration  # a timed hold lasts its dose, voice or not
        spoken = ("announce", "instruction", "settle", "switch", "safety", "caution")
        assert [c.text for c in a.cues if c.kind in spoken] == [
            c.text for c in b.cues if c.kind in spoken
        ]
    assert abs(voiced.duration - text.duration) <= 0.05 * voiced.duration
    for timeline, lengths in ((voiced, measured), (text, estimated)):
        got = coaching.figures(catalog.routines["quick-five"], catalog, timeline, lengths)
        assert got.min_settle is not None and got.min_settle >= 4
        broken = coaching.check(catalog.routines["quick-five"], catalog, timeline, lengths)
        assert not [v for v in broken if v.rule in (1, 3, 4, 7)]


def test_the_example_packs_routine_keeps_every_rule_with_the_real_voice() -> None:
    from tests.conftest import REPO, run_glutekit

    package = REPO / "examples" / "glutekit-hip-flexors" / "glutekit_hip_flexors"
    routine = package / "routines" / "hips-front-and-back.json"
    proc = run_glutekit("validate", "--coaching", package / "pack.json", routine, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == f"{routine}: ok (routine)"


BROKEN_VOICE = """
import glutekit
from glutekit.interfaces import Exporter


def _fail(texts, options):
    raise RuntimeError("the speech engine crashed")


@glutekit.hookimpl
def glutekit_exporters():
    return [Exporter(format="wav", description="broken", suffix=".wav", write=print,
                     speech_lengths=_fail)]
"""


def test_a_voice_that_fails_leaves_the_check_on_estimated_speech(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "broken_voice.py").write_text(BROKEN_VOICE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    pack = write(tmp_path, "pack.json", PACK)
    path = write(tmp_path, "routine.json", GOOD)
    result = cli("-p", "broken_voice", "validate", "--coaching", pack, path, env=NO_PLUGINS)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        "glutekit: the voice could not measure the speech (RuntimeError: the speech engine "
        "crashed); using lengths estimated from the words"
    ]
