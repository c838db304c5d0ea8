"""The ready-made routines as a listener hears them, with real speech lengths.

Each routine is compiled once by ``glutekit transcript --spoken --json`` in a subprocess
with its own home, so every cue is rendered by the real voice and timed from the audio;
the voice cache is the run's shared one (these tests do not test the cache), so a cue
another test already rendered is not rendered again.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROUTINES_DIR, run_glutekit
from tests.test_glutes_pack import EXERCISES, ROUTINES, SPOKEN_CAUTIONS, spoken_caution

READY_MADE = sorted(ROUTINES)


def _fill(text: str, side: str) -> str:
    other = "left" if side == "right" else "right"
    text = text.replace("{side}", side).replace("{Side}", side.title())
    return text.replace("{other}", other).replace("{Other}", other.title())


def _clause(text: str) -> str:
    return text.strip().rstrip(".")


# Module-scoped, so this module's tests are one group, sent to one worker (see
# tests/conftest.py): the eight transcripts are made once per run. The speech itself is
# rendered once per run, up front (tests/run_speech.py): they only read the shared cache.
@pytest.fixture(scope="module")
def homes(tmp_path_factory: pytest.TempPathFactory, _run_voice_cache: Path) -> dict[str, str]:
    home = tmp_path_factory.mktemp("voiced")
    return {
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "HOME": str(home),
        "GLUTEKIT_VOICE_CACHE_DIR": str(_run_voice_cache),
    }


def _voiced(path: Path | str, env: dict[str, str], spoken: bool = True) -> dict[str, Any]:
    voice = ["--spoken"] if spoken else []
    proc = run_glutekit("transcript", str(path), *voice, "--json", env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def voiced(homes: dict[str, str]) -> dict[str, dict[str, Any]]:
    """routine id -> its voiced transcript (duration and cues)."""
    return {rid: _voiced(ROUTINES_DIR / f"{rid}.json", homes) for rid in READY_MADE}


def _exercise_cues(transcript: dict[str, Any], ex_id: str) -> list[tuple[int, dict[str, Any]]]:
    return [(i, c) for i, c in enumerate(transcript["cues"]) if c.get("exercise") == ex_id]


def _check_cautions(transcript: dict[str, Any], where: str) -> set[str]:
    """Each spoken caution: heard once, while its exercise is first set up. Returns the ids."""
    cues = transcript["cues"]
    heard: set[str] = set()
    said_before: set[str] = set()
    order = list(dict.fromkeys(c["exercise"] for c in cues if c.get("exercise")))
    for qualified in order:
        ex = EXERCISES[qualified.split(":", 1)[1]]
        caution = spoken_caution(ex)
        if caution is None:
            continue
        times = [i for i, c in enumerate(cues) if c["text"] == caution]
        assert len(times) == 1, f"{where}: {ex['id']}'s caution is said {len(times)} times"
        if caution in said_before:
            continue  # another exercise with the same caution said it already
        own = _exercise_cues(transcript, qualified)
        announce = next(i for i, c in own if c["kind"] == "announce")
        begin = next(i for i, c in own if c["kind"] == "begin")
        assert announce < times[0] < begin, f"{where}: {ex['id']}'s caution is not in its set-up"
        heard.add(ex["id"])
        said_before.add(caution)
    return heard


def test_spoken_cautions_are_heard_once_when_first_set_up(
    voiced: dict[str, dict[str, Any]], homes: dict[str, str], tmp_path: Path
) -> None:
    heard: set[str] = set()
    for rid, transcript in voiced.items():
        heard |= _check_cautions(transcript, rid)
    # Every marked exercise, each done twice in one session: said the first time only.
    steps = [
        {"exercise": f"glutes:{ex_id}", "sides": "right"}
        for _ in range(2)
        for ex_id in sorted(SPOKEN_CAUTIONS)
    ]
    data = {"id": "every-caution", "title": "Every spoken caution, twice", "steps": steps}
    path = tmp_path / "every-caution.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    # Where a caution falls does not depend on how long the words take: the text
    # session (speech lengths estimated) saves rendering these exercises' lines.
    heard |= _check_cautions(_voiced(path, homes, spoken=False), "every-caution")
    shared = {"seated-crossover-knee-hug", "crossover-hip-stretch"}  # one text for both
    shared_deep = {"deep-lunge", "deep-lunge-glute-stretch"}
    shared_knee = {"supine-figure-four", "seated-figure-four", "standing-figure-four"}
    expected = set(SPOKEN_CAUTIONS)
    for group in (shared, shared_deep, shared_knee):
        assert heard & group, group
        expected -= group
    assert expected <= heard


def test_every_session_opens_with_when_to_stop(voiced: dict[str, dict[str, Any]]) -> None:
    for rid, transcript in voiced.items():
        first = transcript["cues"][0]
        assert first["kind"] == "safety", rid
        for word in ("sharp", "shooting", "tingling"):
            assert word in first["text"], rid
        assert sum(c["kind"] == "safety" for c in transcript["cues"]) == 1, rid


def test_announcements_name_the_working_limb(voiced: dict[str, dict[str, Any]]) -> None:
    for rid, transcript in voiced.items():
        for cue in transcript["cues"]:
            assert "{" not in cue["text"], f"{rid}: unfilled placeholder in {cue['text']!r}"
            ex_id = (cue.get("exercise") or ":").split(":", 1)[1]
            ex = EXERCISES.get(ex_id)
            if ex is None or not ex["per_side"] or cue["kind"] not in ("announce", "switch"):
                continue
            side = "right" if "right side" in cue["text"] else "left"
            if cue["kind"] == "switch":
                side = cue["side"]
            assert _clause(_fill(ex["working_side"], side)) in cue["text"], (rid, cue["text"])


def _stated_seconds(routine: dict[str, Any]) -> int:
    match = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s)?", str(routine["length"]))
    assert match, routine["length"]
    return int(match.group(1) or 0) * 60 + int(match.group(2) or 0)


@pytest.mark.parametrize("rid", READY_MADE)
def test_stated_length_is_the_played_length(rid: str, voiced: dict[str, dict[str, Any]]) -> None:
    routine = ROUTINES[rid]
    stated = _stated_seconds(routine)
    played = voiced[rid]["duration"]
    assert abs(played - stated) <= 0.05 * stated, f"{rid}: stated {stated} s, plays {played:.0f} s"
    # The description says the same length, in whole minutes.
    minutes = re.search(r"[Aa]bout (\d+) minutes", routine["description"])
    assert minutes and abs(int(minutes.group(1)) * 60 - played) <= 0.05 * played, rid


def test_round_lines_only_in_their_round(voiced: dict[str, dict[str, Any]]) -> None:
    transcript = voiced["max-stretch"]
    cues = transcript["cues"]
    second = "Second round: a little deeper if it feels good."
    said = [i for i, c in enumerate(cues) if c["text"] == second]
    assert len(said) == 1
    holds = [
        i
        for i, c in enumerate(cues)
        if c["kind"] == "begin" and c["exercise"] == "glutes:supine-figure-four"
    ]
    assert len(holds) == 4, "two rounds of two sides"
    assert holds[1] < said[0] < holds[2], "said once, as round 2 is set up"


def test_morning_breath_cue_is_heard(voiced: dict[str, dict[str, Any]]) -> None:
    texts = [c["text"] for c in voiced["morning-in-bed"]["cues"]]
    assert "Let each breath be slow and deep." in texts
    # The voice counts the breaths: the listener is never asked to count them too.
    assert not [t for t in texts if "count your breaths" in t.lower()]


def test_validate_coaching_passes_on_every_ready_made_routine(homes: dict[str, str]) -> None:
    paths = [ROUTINES_DIR / f"{rid}.json" for rid in READY_MADE]
    proc = run_glutekit("validate", "--coaching", *map(str, paths), env=homes, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _texts_of(transcript: dict[str, Any], ex_id: str) -> list[str]:
    return [c["text"] for c in transcript["cues"] if c.get("exercise") == f"glutes:{ex_id}"]


def test_knee_circles_are_counted_as_circles_and_change_direction_halfway(
    voiced: dict[str, dict[str, Any]],
) -> None:
    texts = _texts_of(voiced["morning-in-bed"], "knee-circles")
    assert texts[0] == "Exercise 1 of 7."
    assert texts[1].startswith("Knee hug circles. 8 circles each side")
    assert "Up" not in texts and "Circle" in texts
    for side in ("right", "left"):
        said = [
            c["text"]
            for c in voiced["morning-in-bed"]["cues"]
            if c.get("exercise") == "glutes:knee-circles" and c["side"] == side
        ]
        assert said.count("Change direction.") == 1, side
        turn = said.index("Change direction.")
        assert said.index("Four.") < turn < said.index("Five."), "after four of eight circles"


def test_what_is_not_held_still_is_not_called_a_hold(voiced: dict[str, dict[str, Any]]) -> None:
    starts = {
        ex_id: {t for t in _texts_of(voiced[rid], ex_id) if t.startswith("Begin.")}
        for rid, ex_id in (
            ("gym-bar", "light-cardio"),
            ("after-run", "foam-roll-glutes"),
            ("after-run", "ball-release-medius"),
            ("max-stretch", "ball-release-max"),
        )
    }
    assert starts["light-cardio"] == {"Begin. Keep moving for 5 minutes."}
    assert starts["foam-roll-glutes"] == {"Begin. Roll slowly for 45 seconds."}
    assert starts["ball-release-medius"] == {"Begin. Stay on the ball for 30 seconds."}
    assert starts["ball-release-max"] == {"Begin. Stay on the ball for 30 seconds."}


@pytest.fixture(scope="module")
def measured(_run_voice_cache: Path) -> dict[str, tuple[Any, Any]]:
    """routine id -> (voiced timeline, speech lengths), compiled in-process with the voice."""
    from glutekit.catalog import Catalog
    from glutekit.host.offers import EXPORTERS
    from glutekit.host.plugins import make_plugin_host
    from glutekit.interfaces import ExportOptions
    from glutekit.timeline.played import voiced_timeline

    host = make_plugin_host(autoload=True, only=None, block=(), strict=False, trace=False)
    catalog = Catalog.build(host)
    exporter = next(e for _, e in EXPORTERS.offered(host).values() if e.speech_lengths)
    out = {}
    # Made before any test's own fixtures: point it at the run's speech here.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GLUTEKIT_VOICE_CACHE_DIR", str(_run_voice_cache))
        for rid in READY_MADE:
            timeline, lengths = voiced_timeline(
                catalog.routines[rid],
                catalog,
                lambda t: exporter.speech_lengths(list(t), ExportOptions()),
            )
            if not lengths.measured:
                pytest.skip("no speech engine renders here")
            out[rid] = (timeline, lengths)
    return out


def test_set_up_lines_that_move_the_body_get_two_seconds(
    measured: dict[str, tuple[Any, Any]],
) -> None:
    """The median quiet after a set-up line that changes or adjusts the position, before
    the next set-up line, over every ready-made routine, with the real voice."""
    import statistics

    from glutekit.timeline.cues import setup_move

    gaps = []
    for timeline, length in measured.values():
        for seg in timeline.segments:
            if seg.kind != "prepare":
                continue
            for a, b in itertools.pairwise(seg.cues):
                if a.kind == b.kind == "instruction" and setup_move(a.text) != "describe":
                    gaps.append(b.at - a.at - length(a.text))
    assert len(gaps) > 50
    assert statistics.median(gaps) >= 2.0 - 1e-3
    assert min(gaps) >= 1.0 - 1e-3


def test_no_silence_over_30_s_and_every_count_said(measured: dict[str, tuple[Any, Any]]) -> None:
    numbers = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    numbers += ["eleven", "twelve", "thirteen", "fourteen", "fifteen"]
    for rid, (timeline, length) in measured.items():
        cues = sorted(timeline.cues, key=lambda c: c.at)
        quiet = max(b.at - a.at - length(a.text) for a, b in itertools.pairwise(cues))
        assert quiet <= 30, (rid, quiet)
        for seg in timeline.segments:
            said = [
                numbers.index(m.group(1).lower()) + 1
                for c in seg.cues
                if c.kind in ("rep", "breath")
                and (m := re.fullmatch(r"(?:Out… )?([A-Za-z]+)\.", c.text))
                and m.group(1).lower() in numbers
            ]
            assert said == list(range(1, len(said) + 1)), (rid, seg.label, said)
