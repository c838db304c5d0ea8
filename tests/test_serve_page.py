"""The session page in a real browser (Playwright driving the system's Chromium).

A phone-sized window opens the page with its token, starts quick-five, sees the
exercise and its figure, pauses (and the event stream says so), resumes, skips,
finishes, answers the questions, and finds the session in ``glutekit history``.
axe-core checks the page's accessibility; the screenshots in docs/serve.md come from
here (``GKTESTS_SCREENSHOTS=1`` writes them into docs/images/).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, run_glutekit
from tests.serve_helpers import Served, serving, wait_for

pytest.importorskip("starlette", reason="needs the web extra: pip install '.[web]'")
sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (the test extra)")

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="needs Chromium (Debian package chromium); no browser is downloaded"
)
PHONE = {"width": 360, "height": 640}
DESKTOP = {"width": 1280, "height": 800}
SHOTS = REPO / "docs" / "images"
#: A tap must show its effect within this (real seconds), measured on the page.
TAP_LATENCY = 0.200
#: Memory ``glutekit serve`` may use beyond ``glutekit run`` for the same session.
EXTRA_MEMORY_MIB = 60


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=BROWSER, args=["--autoplay-policy=no-user-gesture-required"]
        )
        try:
            yield launched
        finally:
            launched.close()


def open_page(
    browser: Any, server: Served, *, viewport: dict[str, int] = PHONE, scheme: str = "light"
) -> Any:
    context = browser.new_context(
        viewport=viewport,
        device_scale_factor=2 if viewport is PHONE else 1,
        is_mobile=viewport is PHONE,
        has_touch=viewport is PHONE,
        color_scheme=scheme,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    page.goto(server.url)
    sync_api.expect(page.locator(".routine").first).to_be_visible()
    return page


def js(page: Any, expression: str, timeout: float = 30) -> Any:
    """Wait until ``expression`` is true on the page (its policy forbids Playwright's own eval)."""
    return wait_for(lambda: page.evaluate(expression), timeout=timeout)


def events(page: Any) -> list[str]:
    names: list[str] = page.evaluate("window.glutekit.events.map(e => e.name)")
    return names


def shot(page: Any, name: str, tmp_path: Path, element: Any = None) -> Path:
    folder = SHOTS if os.environ.get("GKTESTS_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"serve-{name}.png"
    (element or page).screenshot(path=str(path))
    return path


def serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} element(s))"
        for v in Axe().run(page).response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def start(page: Any, routine_title: str, sound: str = "Off") -> None:
    page.get_by_label(sound, exact=True).check()
    page.get_by_role("button", name=f"Start {routine_title}").click()


def tap_and_time(page: Any, button: str, event: str) -> float:
    """Tap ``button``; seconds until the page has the ``event`` the tap caused."""
    before = len(events(page))
    page.locator(f"#{button}").click()
    js(page, f"window.glutekit.events.slice({before}).some(e => e.name === '{event}')", 5)
    took: float = page.evaluate(
        f"window.glutekit.events.slice({before}).find(e => e.name === '{event}').at"
        " - window.glutekit.tapped.at"
    )
    return took / 1000


@pytest.mark.realtime(seconds=19)  # it measures tap-to-effect latency
def test_a_session_from_the_phone_start_to_history(browser: Any, tmp_path: Path) -> None:
    with serving("--speed", "20") as server:
        page = open_page(browser, server)
        shot(page, "routines", tmp_path)
        start(page, "Quick five")
        name = page.locator("#ex-name")
        sync_api.expect(name).to_have_text("Supine figure-four stretch", timeout=20_000)
        sync_api.expect(page.locator("#side")).to_have_text("Right side")
        js(
            page,
            "document.getElementById('figure').complete && document.getElementById('figure').naturalWidth > 0",
        )
        sync_api.expect(page.locator("#next")).to_contain_text("Next:")
        shot(page, "session", tmp_path)

        took = tap_and_time(page, "pause", "paused")
        print(f"\ntap to effect on the page: pause {took * 1000:.0f} ms", end="")
        assert took <= TAP_LATENCY, f"pause took {took * 1000:.0f} ms to show"
        sync_api.expect(page.locator("#pause")).to_have_text("Resume")
        sync_api.expect(page.locator("#time-what")).to_have_text("paused")
        frozen = page.locator("#time-left").text_content()
        time.sleep(0.6)  # 12 session seconds at this speed: the clock must not move
        assert page.locator("#time-left").text_content() == frozen
        assert json.loads(server.request("GET", "/api/state")[1])["state"] == "paused"
        shot(page, "paused", tmp_path)

        took = tap_and_time(page, "pause", "resumed")
        print(f", resume {took * 1000:.0f} ms")
        assert took <= TAP_LATENCY
        sync_api.expect(page.locator("#pause")).to_have_text("Pause")
        at = page.evaluate("window.glutekit.segment")
        tap_and_time(page, "skip", "seek")
        assert page.evaluate("window.glutekit.segment") > at

        js(page, "window.glutekit.events.some(e => e.name === 'finished')", 30)
        sync_api.expect(page.locator("#after-title")).to_have_text("Well done")
        page.locator("#pain-scale label").nth(3).click()
        page.locator("#effort-scale label").nth(5).click()
        shot(page, "after", tmp_path)
        page.get_by_role("button", name="Save").click()
        sync_api.expect(page.locator("#choose")).to_be_visible()
        assert not page.errors, page.errors
    found = json.loads(run_glutekit("history", "--json").stdout)["sessions"]
    assert [(s["routine"], s["status"], s["pain_after"], s["effort"]) for s in found] == [
        ("quick-five", "finished", 3, 5)
    ]
    assert found[0]["holds_skipped"] == 0  # the skip left a set-up, not a hold


def test_a_pause_from_elsewhere_shows_on_the_page(browser: Any) -> None:
    """Keys, voice commands and the page share one controls object: any pause is everyone's."""
    with serving("--speed", "5") as server:
        page = open_page(browser, server)
        start(page, "Quick five")
        sync_api.expect(page.locator("#ex-name")).not_to_have_text("…", timeout=20_000)
        assert server.request("POST", "/api/control/pause")[0] == 200
        sync_api.expect(page.locator("#pause")).to_have_text("Resume", timeout=2_000)
        page.keyboard.press("Escape")
        page.locator("body").press(" ")  # the keyboard on the page resumes
        sync_api.expect(page.locator("#pause")).to_have_text("Pause", timeout=2_000)
        page.locator("#stop").click()
        sync_api.expect(page.locator("#after-title")).to_have_text("Session stopped")


def test_the_coach_speaks_on_the_phone(browser: Any) -> None:
    with serving("--speed", "1") as server:
        page = open_page(browser, server)
        start(page, "Quick five", sound="On this device")
        js(page, "Number(document.body.dataset.clips || 0) > 20", 240)
        clips = page.evaluate("window.glutekit.session.clips.length")
        assert page.evaluate("Number(document.body.dataset.clips)") == clips
        # Cues are said on the phone as their events arrive.
        js(page, "window.glutekit.said > 0", 30)
        status, body = server.request("GET", "/audio/0")
        assert status == 200 and body[:4] == b"RIFF"
        tap_and_time(page, "pause", "paused")
        assert page.evaluate("window.glutekit.audio.state") == "suspended"
        page.locator("#stop").click()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(browser: Any, scheme: str, tmp_path: Path) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    with serving("--speed", "1") as server:
        for viewport, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
            page = open_page(browser, server, viewport=viewport, scheme=scheme)
            views = {"routines": axe.run(page)}
            if viewport is PHONE:
                start(page, "Quick five")
                sync_api.expect(page.locator("#ex-name")).not_to_have_text("…", timeout=20_000)
                js(
                    page,
                    "window.glutekit.events.some(e => e.name === 'segment' && e.data.segment.exercise)",
                    30,
                )
                views["session"] = axe.run(page)
                shot(page, f"session-{scheme}", tmp_path)
                page.locator("#stop").click()
                sync_api.expect(page.locator("#after")).to_be_visible()
                views["after"] = axe.run(page)
                page.get_by_role("button", name="Skip").click()
                sync_api.expect(page.locator("#choose")).to_be_visible()
            else:
                shot(page, f"desktop-{scheme}", tmp_path)
            for view, results in views.items():
                serious = [
                    f"{v['id']}: {v['help']} ({len(v['nodes'])} element(s))"
                    for v in results.response["violations"]
                    if v.get("impact") in ("serious", "critical")
                ]
                assert not serious, f"{label} {view} view ({scheme}): {serious}"
            page.context.close()


def _sse_reader(server: Served, stop: threading.Event, seen: list[str]) -> None:
    import http.client

    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    conn.request("GET", f"/api/events?token={server.token}")
    answer = conn.getresponse()
    while not stop.is_set():
        line = answer.readline()
        if not line:
            return
        if line.startswith(b"data: "):
            seen.append(json.loads(line[6:])["event"])


@pytest.mark.realtime(seconds=13)
def test_serving_a_twenty_minute_session_costs_little_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    routines = tmp_path / "routines"
    routines.mkdir()
    composed = run_glutekit(
        "compose", "--minutes", "20", "--seed", "3", "-o", str(routines / "twenty.json")
    )
    assert composed.returncode == 0, composed.stderr
    rid = json.loads((routines / "twenty.json").read_text())["id"]
    monkeypatch.setenv("GLUTEKIT_ROUTINES_DIR", str(routines))
    length = json.loads(run_glutekit("transcript", rid, "--json").stdout)["duration"]
    assert 18 * 60 <= length <= 24 * 60

    import subprocess
    import sys

    from tests.serve_helpers import MAXRSS

    alone = subprocess.run(
        [
            sys.executable,
            str(MAXRSS),
            sys.executable,
            "-m",
            "glutekit",
            "run",
            rid,
            "--no-voice",
            "--speed",
            "200",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert alone.returncode == 0, alone.stderr
    run_kib = int(alone.stderr.rsplit("maxrss-kib", 1)[1])

    with serving("--speed", "200", measure=True) as server:
        stop, seen = threading.Event(), []
        reader = threading.Thread(target=_sse_reader, args=(server, stop, seen), daemon=True)
        reader.start()
        assert server.request("POST", "/api/start", {"routine": rid, "sound": "off"})[0] == 202
        wait_for(lambda: "finished" in seen, timeout=60)
        server.request("POST", "/api/answer", {"pain": 1, "effort": 3})
        stop.set()
        code, err = server.stop()
    assert code == 0, err
    serve_kib = int(err.rsplit("maxrss-kib", 1)[1])
    extra = (serve_kib - run_kib) / 1024
    print(
        f"\npeak memory: run {run_kib / 1024:.1f} MiB, serve {serve_kib / 1024:.1f} MiB, extra {extra:.1f} MiB"
    )
    assert extra <= EXTRA_MEMORY_MIB


# ----------------------------------------------------------------------------- programs


def test_the_program_under_way_is_started_from_its_card(browser: Any, tmp_path: Path) -> None:
    """The card says what 'program today' says; Start plays what 'program run' plays and the
    answers are logged for the program as the terminal logs them."""
    assert run_glutekit("program", "start", "outer-hip-4-weeks").returncode == 0
    today = json.loads(
        run_glutekit("program", "today", "--json", "-o", str(tmp_path / "today.json")).stdout
    )
    spoken = json.loads(run_glutekit("transcript", str(tmp_path / "today.json"), "--json").stdout)
    with serving("--speed", "200") as server:
        page = open_page(browser, server)
        card = page.locator("#routines > li").first
        sync_api.expect(card).to_have_id("program")
        sync_api.expect(card.locator("h2")).to_have_text(
            "Four weeks of gentle loading for side-of-hip pain"
        )
        due = "due today" if today["due_today"] else "due "
        sync_api.expect(card.locator(".when")).to_contain_text(
            f"Session 1 of {today['of']}, week 1, {due}"
        )
        for line in today["exercises"]:
            sync_api.expect(card.locator(".exercises")).to_contain_text(line)
        shot(page, "program", tmp_path, card)
        assert not serious_violations(page)

        page.get_by_label("Off", exact=True).check()
        page.get_by_role("button", name="Start session 1 of Four weeks").click()
        # Its first step waits for the user (have a mat ready): the page goes on.
        sync_api.expect(page.locator("#pause")).to_have_text("Resume", timeout=20_000)
        session = page.evaluate("window.glutekit.session")
        assert session["title"] == today["routine"]["title"]
        assert session["duration"] == spoken["duration"]  # the same routine, at the same level
        labels = [s["label"] for s in session["segments"]]
        assert all(screen in labels for screen in today["routine"]["screens"])
        assert session["program"]["session"] == 1
        page.locator("#pause").click()

        js(page, "window.glutekit.events.some(e => e.name === 'finished')", 30)
        sync_api.expect(page.locator("#after-title")).to_have_text("Well done")
        sync_api.expect(page.locator("#red-flag-box")).to_be_visible()
        sync_api.expect(page.locator("#red-flag-box")).to_contain_text("see a doctor first")
        page.locator("#pain-scale label").nth(2).click()
        page.locator("#effort-scale label").nth(3).click()
        page.get_by_label("No", exact=True).check()
        shot(page, "program-after", tmp_path)
        assert not serious_violations(page)
        page.get_by_role("button", name="Save").click()
        news = page.locator("#program-news")
        sync_api.expect(news).to_contain_text(f"Logged session 1 of {today['of']}.")
        sync_api.expect(news).to_contain_text("No change: an easy session")
        sync_api.expect(page.locator("#program .when")).to_contain_text("Session 2 of")
        assert not page.errors, page.errors
    status = json.loads(run_glutekit("program", "status", "--json").stdout)
    assert status["sessions_done"] == 1
    assert (status["pain_after"], status["effort"]) == ([2], [3])
    assert [d["action"] for d in status["decisions"]] == ["hold"]
    history = json.loads(run_glutekit("history", "--json").stdout)["sessions"]
    assert [(s["routine"], s["status"], s["pain_after"], s["effort"]) for s in history] == [
        ("side-sleeper-relief", "finished", 2, 3)
    ]


def test_a_stopped_program_shows_why_and_cannot_be_started(browser: Any, tmp_path: Path) -> None:
    assert run_glutekit("program", "start", "outer-hip-4-weeks").returncode == 0
    logged = run_glutekit(
        "program", "log", "--effort", "4", "--pain-before", "2", "--pain-after", "2", "--red-flag"
    )
    assert "The program stops" in logged.stdout
    screens = json.loads(run_glutekit("program", "status", "--json").stdout)["screens"]
    with serving("--speed", "200") as server:
        page = open_page(browser, server)
        card = page.locator("#program")
        sync_api.expect(card).to_have_attribute("data-state", "stopped")
        sync_api.expect(card).to_contain_text("Stopped because a warning sign was answered yes")
        for line in screens:
            sync_api.expect(card).to_contain_text(line)
        sync_api.expect(card).to_contain_text("glutekit program restart --checked")
        assert card.get_by_role("button").count() == 0
        shot(page, "program-stopped", tmp_path, card)
        assert not serious_violations(page)
        status, body = server.request("POST", "/api/start", {"program": True, "sound": "off"})
        assert status == 400 and "has stopped" in json.loads(body)["error"]
        assert not page.errors, page.errors
