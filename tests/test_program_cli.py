"""``glutekit program``, ``share`` and ``import`` in real processes, each test in its own home."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, run_glutekit


def gk(*args: str, env: dict[str, str] | None = None, ok: bool = True) -> Any:
    proc = run_glutekit(*args, env=env)
    if ok:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    return proc


def status() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(gk("program", "status", "--json").stdout)
    return data


def test_medius_progresses_regresses_and_stops_as_the_rules_say() -> None:
    gk("program", "start", "medius-6-weeks", "--days", "mon,wed,fri")
    for _ in range(6):
        gk("program", "log", "--effort", "3", "--pain-before", "2", "--pain-after", "2")
    found = status()
    assert found["level"] == 3
    assert [d["action"] for d in found["decisions"]] == ["hold", "progress"] * 3
    step_up = found["decisions"][1]
    assert (
        step_up["reason"] == "the last 2 sessions were easy (effort 3, 3) and pain is steady at 2"
    )
    assert (
        "Side-lying clamshell: 2 × 12 reps → 2 × 14 reps, because the last 2"
        in (step_up["changes"][0])
    )
    routine = json.loads(gk("program", "today", "--json").stdout)["routine"]
    clam = [s for s in routine["steps"] if s.get("exercise") == "glutes:side-lying-clamshell"]
    assert clam[0]["dose"]["reps"] == 15 and clam[0]["sets"] == 3

    down = json.loads(
        gk(
            "program", "log", "--effort", "4", "--pain-before", "2", "--pain-after", "4", "--json"
        ).stdout
    )
    assert down["decision"]["action"] == "regress"
    assert down["decision"]["reason"] == "pain rose by 2 (2 before, 4 after)"
    assert status()["level"] == 2

    stop = gk("program", "log", "--effort", "4", "--pain-before", "2", "--pain-after", "5")
    assert "The program stops: pain rose by 3" in stop.stdout
    assert "Take care: Since the last session, has the hip" in stop.stdout
    final = status()
    assert final["state"] == "stopped" and final["screens"]
    assert final["decisions"][-1]["action"] == "stop"
    refused = gk("program", "today", ok=False)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "has stopped" in refused.stderr
    again = gk("program", "restart", ok=False)
    assert again.returncode == 2 and "add --checked" in again.stderr
    gk("program", "restart", "--checked")
    assert status()["level"] == 0


def test_run_program_asks_effort_and_logs_the_session() -> None:
    gk("program", "start", "outer-hip-4-weeks")
    proc = gk(
        "run",
        "--program",
        "--no-voice",
        "--speed",
        "200",
        "--pain-before",
        "1",
        "--pain-after",
        "1",
        "--effort",
        "2",
        "--no-red-flag",
    )
    assert "Logged session 1 of 12." in proc.stdout
    found = status()
    assert found["effort"] == [2] and found["pain_after"] == [1]
    history = json.loads(gk("history", "--json").stdout)
    assert history["sessions"][0]["routine"] == "side-sleeper-relief"


def test_program_run_json_prints_what_was_logged_and_nothing_else() -> None:
    gk("program", "start", "outer-hip-4-weeks")
    asked = ("--no-voice", "--speed", "200", "--pain-before", "1", "--pain-after", "1")
    proc = gk("program", "run", *asked, "--effort", "2", "--no-red-flag", "--json")
    logged = json.loads(proc.stdout)  # the whole of standard output is one JSON object
    assert set(logged) == {"session", "decision", "screens"}
    assert logged["decision"]["action"] == status()["decisions"][-1]["action"]
    assert logged["decision"]["reason"]
    assert "Finished" in proc.stderr  # the session's own text went to standard error


def test_calendar_has_one_event_per_session_with_an_alarm(tmp_path: Path) -> None:
    from dateutil.rrule import rrulestr
    from icalendar import Calendar

    gk("program", "start", "medius-6-weeks", "--date", "2030-03-04", "--time", "07:30")
    gk("program", "calendar", "-o", str(tmp_path / "plan.ics"))
    cal = Calendar.from_ical((tmp_path / "plan.ics").read_bytes())
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    start = event.decoded("dtstart")
    occurrences = list(rrulestr(event["rrule"].to_ical().decode(), dtstart=start))
    assert len(occurrences) == 18
    assert {o.strftime("%a") for o in occurrences} == {"Mon", "Wed", "Fri"}
    assert occurrences[0].date() == date(2030, 3, 4) and start.hour == 7
    assert len(list(event.walk("VALARM"))) == 1
    assert "glutekit program run" in str(event["description"])

    gk("program", "calendar", "-o", str(tmp_path / "each.ics"), "--each")
    each = list(Calendar.from_ical((tmp_path / "each.ics").read_bytes()).walk("VEVENT"))
    assert len(each) == 18
    assert all(len(list(e.walk("VALARM"))) == 1 for e in each)
    again = gk("program", "calendar", "-o", str(tmp_path / "plan.ics"), ok=False)
    assert again.returncode == 2 and "add --force" in again.stderr
    gk("program", "stop")
    stopped = gk("program", "calendar", "-o", str(tmp_path / "late.ics"), ok=False)
    assert stopped.returncode == 2 and stopped.stderr.count("\n") == 1
    assert "has stopped" in stopped.stderr and not (tmp_path / "late.ics").exists()


ROUTINE = {
    "id": "my-bridges",
    "title": "Bridges and leg raises",
    "symptom": "outer-hip",
    "steps": [
        {"exercise": "glutes:single-leg-glute-bridge", "dose": {"reps": 8}},
        {"exercise": "glutes:standing-hip-abduction", "dose": {"reps": 10}},
    ],
}
PROGRAM = {
    "id": "my-plan",
    "title": "Three weeks for Sam",
    "author": "A physiotherapist",
    "weeks": 3,
    "days": ["tue", "thu"],
    "symptom": "outer-hip",
    "sessions": [
        {"routine": "my-bridges"},
        {"routine": "side-sleeper-relief", "title": "Evenings"},
    ],
}


def home_env(root: Path) -> dict[str, str]:
    return {
        "HOME": str(root),
        "XDG_DATA_HOME": str(root / "data"),
        "XDG_CACHE_HOME": str(root / "cache"),
        "XDG_CONFIG_HOME": str(root / "config"),
        "XDG_STATE_HOME": str(root / "state"),
    }


def test_share_then_import_in_a_fresh_home_gives_the_same_program_that_runs(
    tmp_path: Path,
) -> None:
    data = Path(os.environ["XDG_DATA_HOME"]) / "glutekit"
    (data / "routines").mkdir(parents=True)
    (data / "programs").mkdir(parents=True)
    (data / "routines" / "my-bridges.json").write_text(json.dumps(ROUTINE))
    (data / "programs" / "my-plan.json").write_text(json.dumps(PROGRAM))
    shared = tmp_path / "for-sam.json"
    gk("share", "my-plan", "-o", str(shared), "--note", "Twice a week", "--author", "J")
    bundle = json.loads(shared.read_text())
    assert bundle["requires"][0]["pack"] == "glutes"
    assert bundle["checksum"].startswith("sha256:")

    other = home_env(tmp_path / "second")
    proc = gk("import", str(shared), env=other)
    assert "Imported program 'my-plan'" in proc.stdout and "Note: Twice a week" in proc.stdout
    second = tmp_path / "second" / "data" / "glutekit"
    assert json.loads((second / "programs" / "my-plan.json").read_text()) == PROGRAM
    assert json.loads((second / "routines" / "my-bridges.json").read_text()) == ROUTINE
    assert not (second / "routines" / "side-sleeper-relief.json").exists()  # installed already
    again = gk("import", str(shared), env=other)
    assert "Imported" not in again.stdout
    assert "You already have program 'my-plan', the same; nothing written." in again.stdout
    gk("run", "my-bridges", "--no-voice", "--speed", "200", env=other)
    gk("program", "start", "my-plan", env=other)
    today = json.loads(gk("program", "today", "--json", env=other).stdout)
    assert today["exercises"][0] == "Single-leg glute bridge, 8 reps per side"

    changed = json.loads(shared.read_text())
    changed["content"]["weeks"] = 12
    (tmp_path / "tampered.json").write_text(json.dumps(changed))
    refused = gk("import", str(tmp_path / "tampered.json"), env=other, ok=False)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1
    assert "/checksum: does not match the content" in refused.stderr

    (second / "programs" / "my-plan.json").write_text(json.dumps({**PROGRAM, "weeks": 2}))
    clash = gk("import", str(shared), env=other, ok=False)
    assert clash.returncode == 2 and "add --force to replace it" in clash.stderr
    gk("import", str(shared), "--force", env=other)
    assert json.loads((second / "programs" / "my-plan.json").read_text()) == PROGRAM


def test_import_names_a_missing_pack_with_its_install_hint(tmp_path: Path) -> None:
    from glutekit.program.share import FORMAT, checksum_of

    bundle: dict[str, Any] = {
        "format": FORMAT,
        "kind": "routine",
        "created": "2025-03-03T10:00:00+00:00",
        "author": None,
        "note": None,
        "content": {"id": "calf-work", "title": "Calves", "steps": [{"exercise": "calves:raise"}]},
        "routines": {},
        "requires": [
            {
                "pack": "calves",
                "version": "2.0.0",
                "plugin": "calves",
                "distribution": "glutekit-calves",
                "install": "glutekit install glutekit-calves",
            }
        ],
    }
    bundle["checksum"] = checksum_of(bundle)
    path = tmp_path / "calves.json"
    path.write_text(json.dumps(bundle))
    proc = gk("import", str(path), ok=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        f"glutekit: error: {path}: needs pack 'calves' 2.0.0, which is not installed "
        "(glutekit install glutekit-calves)"
    )


def test_a_bad_program_file_is_one_line_naming_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**PROGRAM, "days": ["mon", "someday"]}))
    proc = gk("program", "start", str(bad), ok=False)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert f"{bad}:1:" in proc.stderr and "/days/1" in proc.stderr
    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps({**PROGRAM, "sessions": [{"routine": "medius-cycel"}]}))
    proc = gk("program", "start", str(unknown), ok=False)
    assert "/sessions/0/routine: unknown routine 'medius-cycel' (did you mean: medius-cycle" in (
        proc.stderr
    )
    # A program for outer-hip pain may not run a routine that crosses the legs.
    clash = tmp_path / "clash.json"
    clash.write_text(json.dumps({**PROGRAM, "sessions": [{"routine": "desk-break"}]}))
    for command in (("program", "start"), ("validate",)):
        proc = gk(*command, str(clash), ok=False)
        assert proc.returncode == 2
        assert (
            "/sessions/0/routine: routine 'desk-break' has Seated figure-four stretch "
            "(crossed ankle), which this program rules out"
        ) in proc.stderr
    proc = gk("validate", str(unknown), ok=False)
    assert proc.returncode == 2 and "unknown routine 'medius-cycel'" in proc.stderr
    proc = gk("program", "start", "medius-6-weeks", "--days", "mon,funday", ok=False)
    assert proc.stderr.strip() == (
        "glutekit: error: --days: 'funday' is not a day (use mon, tue, wed, thu, fri, sat, sun)"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("start", "medius-6-weeks", "--days", "monkey,wed"), "--days: 'monkey' is not a day"),
        (("start", "medius-6-weeks", "--date", "2020-01-06"), "--date: 2020-01-06 is in the past"),
        (("export", "medius-6-weeks", "--date", "2020-01-06", "-o", "x.html"), "in the past"),
        (("export", "medius-6-weeks", "-o", "plan.pdf"), "--output: plan.pdf: the page is HTML"),
        (("log", "--effort", "3", "--date", "2099-01-05"), "2099-01-05 is in the future"),
        (("log", "--effort", "3", "--date", "2020-01-06"), "is before the program began"),
        (("restart", "--date", "2020-01-06"), "--date: 2020-01-06 is in the past"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else "",
)
def test_unknown_days_and_dates_out_of_place_are_one_line(
    args: tuple[str, ...], message: str, tmp_path: Path
) -> None:
    if args[0] in ("log", "restart"):
        gk("program", "start", "desk-reset-2-weeks", "--days", "Monday,FRI")
    proc = run_glutekit("program", *args, cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert message in proc.stderr
    assert not (tmp_path / "x.html").exists() and not (tmp_path / "plan.pdf").exists()
    if args[0] != "restart":
        assert "Started" not in proc.stdout and "Logged" not in proc.stdout


def test_an_old_history_database_gains_program_tables_and_keeps_its_sessions() -> None:
    from glutekit.history.migrations import MIGRATIONS

    path = Path(os.environ["XDG_DATA_HOME"]) / "glutekit" / "history.sqlite3"
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path)
    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute(
        "INSERT INTO sessions (routine_id, started, status, pain_before) "
        "VALUES ('quick-five', 1700000000, 'finished', 3)"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    gk("program", "start", "desk-reset-2-weeks")
    history = json.loads(gk("history", "--json").stdout)
    assert [s["routine"] for s in history["sessions"]] == ["quick-five"]
    assert status()["sessions_planned"] == 14


def test_the_shipped_programs_export_on_one_page(tmp_path: Path) -> None:
    for name in ("medius-6-weeks", "outer-hip-4-weeks", "desk-reset-2-weeks"):
        out = tmp_path / f"{name}.html"
        gk("program", "export", name, "--date", "2030-03-04", "-o", str(out))
        html = out.read_text()
        assert (
            html.count("<tr><th>Week ")
            == json.loads((REPO / "programs" / f"{name}.json").read_text())["weeks"]
        )
        assert "<script" not in html


NEW_COMMANDS = [
    ("program", "list"),
    ("program", "show"),
    ("program", "start"),
    ("program", "today"),
    ("program", "status"),
    ("program", "log"),
    ("program", "stop"),
    ("program", "restart"),
    ("program", "calendar"),
    ("program", "export"),
    ("program", "run"),
    ("share",),
    ("import",),
]


@pytest.mark.parametrize("command", NEW_COMMANDS, ids=" ".join)
def test_every_new_command_has_json_and_examples_in_its_help(command: tuple[str, ...]) -> None:
    text = gk(*command, "--help").stdout
    assert "--json" in text
    assert "Example" in text


def test_program_ids_complete() -> None:
    from tests.test_completion import complete

    assert complete("glutekit program start medius") == ["medius-6-weeks"]
    assert complete("glutekit share desk") == ["desk-break", "desk-reset-2-weeks"]


def test_a_composed_session_is_the_same_each_time_and_keeps_the_symptom_s_rules(
    tmp_path: Path,
) -> None:
    path = tmp_path / "composed.json"
    path.write_text(
        json.dumps(
            {
                "id": "composed-plan",
                "title": "Composed plan",
                "weeks": 2,
                "days": ["mon", "thu"],
                "symptom": "outer-hip",
                "sessions": [
                    {
                        "title": "Short outer-hip session",
                        "compose": {"symptom": "outer-hip", "minutes": 8, "place": "home"},
                    }
                ],
            }
        )
    )
    gk("program", "start", str(path))
    first = gk("program", "today", "--json")
    assert first.stderr == ""
    again = json.loads(gk("program", "today", "--json").stdout)
    assert json.loads(first.stdout)["routine"] == again["routine"]
    assert again["routine"]["title"].startswith("Short outer-hip session")
    assert again["routine"]["screens"]  # the symptom's screen is said first
    for _ in range(4):
        gk("program", "log", "--effort", "2", "--pain-before", "1", "--pain-after", "1")
    steps = json.loads(gk("program", "status", "--json").stdout)
    assert not any("clamshell" in line.lower() for d in steps["decisions"] for line in d["changes"])


def _today_steps() -> list[dict[str, Any]]:
    routine = json.loads(gk("program", "today", "--json").stdout)["routine"]
    return [s for s in routine["steps"] if "exercise" in s]


def test_no_ladder_climbs_into_an_exercise_the_session_already_has() -> None:
    gk("program", "start", "medius-6-weeks")
    for steps_up in (4, 5):  # the clamshells reach their top, the hydrants go on
        while status()["level"] < steps_up:
            gk("program", "log", "--effort", "3", "--pain-before", "2", "--pain-after", "2")
        names = [s["exercise"] for s in _today_steps()]
        assert len(names) == len(set(names)), names
    assert names[-2:] == ["glutes:side-lying-clamshell", "glutes:single-leg-glute-bridge"]
    found = status()
    assert any("Fire hydrant (already in this session)" in n for n in found["at_the_top"])


def test_one_step_down_lightens_the_load_and_keeps_to_the_session_s_positions() -> None:
    gk("program", "start", "medius-6-weeks")
    down = json.loads(gk("program", "log", "--effort", "9", "--pain-after", "2", "--json").stdout)
    assert down["decision"]["action"] == "regress"
    # Not three sets of fifteen standing abductions in place of two sets of twelve clamshells.
    assert down["decision"]["changes"][0].startswith(
        "Side-lying clamshell, 2 × 12 reps → Standing hip abduction, 12 reps, because"
    )
    steps = _today_steps()
    assert [s["exercise"] for s in steps].count("glutes:fire-hydrant") == 1
    gk("program", "start", "desk-reset-2-weeks", "--force")
    for _ in range(14):
        gk("program", "log", "--effort", "2", "--pain-before", "1", "--pain-after", "1")
    text = gk("program", "status").stdout
    assert "clamshell" not in text.split("Top of the chain")[0].lower()
    assert "Side-lying clamshell (side lying, a position this session does not use)" in text


def test_a_compose_session_this_install_cannot_make_stops_the_start(tmp_path: Path) -> None:
    program = {
        "id": "cannot",
        "title": "Release only",
        "weeks": 1,
        "days": ["mon"],
        "sessions": [
            {"routine": "quick-five"},
            {"compose": {"targets": ["gluteus_medius"], "minutes": 1, "kinds": ["release"]}},
        ],
    }
    path = tmp_path / "cannot.json"
    path.write_text(json.dumps(program), encoding="utf-8")
    proc = gk("program", "start", str(path), ok=False)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert f"{path}: /sessions/1/compose: this session cannot be composed" in proc.stderr
    assert "no program started" in gk("program", "status", ok=False).stderr


def test_rules_that_contradict_each_other_are_refused(tmp_path: Path) -> None:
    rules = {"regress_pain_rise": 5, "stop_pain_rise": 3, "easy_effort": 9, "regress_effort": 2}
    path = tmp_path / "contrary.json"
    path.write_text(json.dumps({**PROGRAM, "rules": rules}), encoding="utf-8")
    proc = gk("validate", str(path), ok=False)
    assert proc.returncode == 2
    assert (
        "/rules/stop_pain_rise: regress_pain_rise (5) is above stop_pain_rise (3): "
        "the program would stop before it stepped down"
    ) in proc.stderr
    assert "/rules/regress_effort: easy_effort (9) is not below regress_effort (2)" in proc.stderr
    started = gk("program", "start", str(path), ok=False)
    assert started.returncode == 2 and started.stderr.count("\n") == 1, started.stderr
    assert "/rules/stop_pain_rise: regress_pain_rise (5) is above" in started.stderr
    alone = {**PROGRAM, "rules": {"hold_pain_rise": 3}}
    path.write_text(json.dumps(alone), encoding="utf-8")
    held = gk("validate", str(path), ok=False)
    assert "/rules/hold_pain_rise: hold_pain_rise (3) is above regress_pain_rise (2)" in (
        held.stderr
    )


def test_a_program_with_more_red_flags_than_a_routine_writes_runs_and_says_each(
    tmp_path: Path,
) -> None:
    flags = [f"Red flag number {n}: stop here and see a doctor." for n in range(1, 9)]
    program = {
        "id": "eight-flags",
        "title": "Eight flags",
        "weeks": 1,
        "days": ["mon"],
        "symptom": "sciatica-like",
        "sessions": [{"routine": "quick-five"}],
        "screens": flags,
    }
    path = tmp_path / "eight.json"
    path.write_text(json.dumps(program), encoding="utf-8")
    gk("program", "start", str(path))
    run = gk("run", "--program", "--no-voice", "--speed", "500", "--effort", "3", "--no-red-flag")
    said = [line for line in run.stdout.splitlines() if "] screen " in line]
    assert [line.split("screen", 1)[1].strip() for line in said[:8]] == flags, run.stdout
    assert len(said) == 9, said  # and the symptom's own
