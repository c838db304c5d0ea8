"""``glutekit serve``: access control, addresses, faults, and a session driven over HTTP."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys

import pytest

from tests.conftest import run_glutekit
from tests.serve_helpers import Served, serving, wait_for

pytest.importorskip("starlette", reason="needs the web extra: pip install '.[web]'")
pytest.importorskip("uvicorn", reason="needs the web extra: pip install '.[web]'")

#: Every route the server has, with a request that would succeed with the token.
ROUTES = [
    ("GET", "/"),
    ("GET", "/static/app.js"),
    ("GET", "/static/app.css"),
    ("GET", "/static/icon.svg"),
    ("GET", "/api/routines"),
    ("GET", "/api/state"),
    ("GET", "/api/events"),
    ("POST", "/api/start"),
    ("POST", "/api/control/pause"),
    ("POST", "/api/answer"),
    ("GET", "/figure/glutes:supine-figure-four"),
    ("GET", "/image/glutes:supine-figure-four/0"),
    ("GET", "/audio/0"),
    ("GET", "/nothing-here"),
    ("GET", "/static/../../../etc/passwd"),
]


@pytest.fixture(scope="module")
def server() -> Served:
    with serving("--speed", "50") as served:
        yield served


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_route_answers_403_without_the_right_token(
    server: Served, method: str, path: str
) -> None:
    assert server.request(method, path, token=None)[0] == 403
    assert server.request(method, path, token="wrong")[0] == 403
    assert server.request(method, path, token=server.token[:-1])[0] == 403
    status, body = server.request(method, path, token=None, headers={"x-glutekit-token": "x"})
    assert status == 403 and b"token" in body


@pytest.mark.parametrize(("method", "path"), ROUTES[:7])
def test_a_forged_origin_or_host_is_refused_even_with_the_token(
    server: Served, method: str, path: str
) -> None:
    evil = {"Origin": "http://evil.example"}
    assert server.request(method, path, headers=evil)[0] == 403
    rebound = {"Host": f"evil.example:{server.port}"}  # a DNS-rebinding page
    assert server.request(method, path, headers=rebound)[0] == 403
    same = {"Origin": f"http://{server.host}:{server.port}"}
    if path != "/api/events":
        assert server.request(method, path, headers=same)[0] == 200


def test_the_page_and_its_files_come_with_the_token_and_a_strict_policy(server: Served) -> None:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    conn.request("GET", f"/?token={server.token}")
    answer = conn.getresponse()
    html = answer.read().decode()
    assert answer.status == 200
    assert f"static/app.js?token={server.token}" in html
    policy = answer.getheader("content-security-policy") or ""
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert answer.getheader("referrer-policy") == "no-referrer"
    conn.close()
    # Nothing of the package besides its listed files, however the name is spelled.
    for name in ("index.html", "..%2Fcommand.py", "%2e%2e%2fapp.py", "app.js%00"):
        assert server.request("GET", f"/static/{name}")[0] == 404


def test_only_the_packs_pictures_are_served(server: Served) -> None:
    status, body = server.request("GET", "/figure/glutes:supine-figure-four")
    assert status == 200 and body.startswith(b"<svg")
    assert server.request("GET", "/figure/..%2F..%2Fetc%2Fpasswd")[0] == 404
    assert server.request("GET", "/figure/glutes:no-such")[0] == 404
    assert server.request("GET", "/image/glutes:supine-figure-four/99")[0] == 404


def test_bad_requests_get_one_line_in_json(server: Served) -> None:
    status, body = server.request("POST", "/api/start", {"routine": "/etc/passwd", "sound": "off"})
    assert status == 404 and "unknown routine" in json.loads(body)["error"]
    status, body = server.request("POST", "/api/start", {"routine": "quick-five", "sound": "loud"})
    assert status == 400 and "sound must be" in json.loads(body)["error"]
    status, body = server.request(
        "POST", "/api/start", {"routine": "quick-five", "sound": "off", "pain_before": 11}
    )
    assert status == 400 and "0 to 10" in json.loads(body)["error"]
    assert server.request("POST", "/api/control/dance")[0] in (400, 409)
    assert server.request("POST", "/api/answer", {"pain": 3})[0] == 409


def test_a_session_driven_over_http_is_recorded_in_the_history() -> None:
    with serving("--speed", "100") as server:
        status, _ = server.request(
            "POST", "/api/start", {"routine": "quick-five", "sound": "off", "pain_before": 4}
        )
        assert status == 202
        assert (
            server.request("POST", "/api/start", {"routine": "quick-five", "sound": "off"})[0]
            == 409
        )
        wait_for(lambda: _state(server)["state"] == "finished", timeout=30)
        status, _ = server.request("POST", "/api/answer", {"pain": 2, "effort": 6})
        assert status == 200
        assert _state(server)["state"] == "idle"
    history = run_glutekit("history", "--json")
    session = json.loads(history.stdout)["sessions"][-1]
    assert session["routine"] == "quick-five" and session["status"] == "finished"
    assert (session["pain_before"], session["pain_after"], session["effort"]) == (4, 2, 6)


def test_stopping_the_server_mid_session_records_it_for_resume() -> None:
    with serving("--speed", "20") as server:
        server.request("POST", "/api/start", {"routine": "quick-five", "sound": "off"})
        wait_for(lambda: (_state(server).get("last") or {}).get("segment", 0) >= 3, timeout=30)
        code, err = server.stop()
    assert code == 0, err
    assert "Traceback" not in err
    sessions = json.loads(run_glutekit("history", "--json").stdout)["sessions"]
    assert sessions[-1]["status"] == "interrupted"
    with serving("--speed", "100") as server:
        listed = json.loads(server.request("GET", "/api/routines")[1])["routines"]
        assert next(r for r in listed if r["id"] == "quick-five")["resumable"] is True
        server.request(
            "POST", "/api/start", {"routine": "quick-five", "sound": "off", "resume": True}
        )
        wait_for(lambda: _state(server)["state"] == "finished", timeout=30)
        server.request("POST", "/api/answer", {})
    sessions = json.loads(run_glutekit("history", "--json").stdout)["sessions"]
    # The resumed run continues the stopped one, as 'run --resume' does: one session,
    # finished, with every hold of quick-five done once.
    assert len(sessions) == 1
    assert sessions[0]["status"] == "finished" and sessions[0]["holds_completed"] == 6


def _state(server: Served) -> dict[str, object]:
    status, body = server.request("GET", "/api/state")
    assert status == 200
    found: dict[str, object] = json.loads(body)
    return found


# ----------------------------------------------------------------------------- faults


def test_a_public_address_is_refused_without_lan_and_says_what_it_exposes() -> None:
    done = run_glutekit("serve", "--host", "8.8.8.8", "--no-qr", timeout=30)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert "--lan" in done.stderr and "start, pause and stop sessions" in done.stderr
    local = run_glutekit("serve", "--host", "192.168.1.20", "--no-qr", timeout=30)
    assert local.returncode == 2 and "add --lan" in local.stderr


def test_a_port_in_use_is_one_line() -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        port = str(taken.getsockname()[1])
        done = run_glutekit("serve", "--port", port, "--no-qr", timeout=30)
    finally:
        taken.close()
    assert done.returncode == 1
    assert (
        done.stderr
        == f"glutekit: error: port {port} on 127.0.0.1 is in use (another glutekit serve?); choose another with --port\n"
    )


def test_without_the_web_extra_serve_says_how_to_install_it() -> None:
    code = (
        "import sys; sys.modules['uvicorn'] = None; "
        "from glutekit.cli import main; main(['serve', '--no-qr'])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "glutekit: error: glutekit serve needs the web extra (uvicorn not installed): "
        "pip install 'glutekit[web]'"
    )
    # Everything else works without it.
    assert run_glutekit("routines").returncode == 0


def test_addresses_are_told_apart() -> None:
    from glutekit_web.access import kind_of_address, token_matches

    assert kind_of_address("127.0.0.1") == "loopback"
    assert kind_of_address("::1") == "loopback"
    assert kind_of_address("localhost") == "loopback"
    assert kind_of_address("192.168.0.7") == "private"
    assert kind_of_address("fe80::1") == "private"
    assert kind_of_address("0.0.0.0") == "any"
    assert kind_of_address("8.8.8.8") == "public"
    assert kind_of_address("example.org") == "public"
    assert token_matches("abc", "abc") and not token_matches("abd", "abc")
    assert not token_matches(None, "abc") and not token_matches("", "abc")
    assert not token_matches("é", "abc")


# ----------------------------------------------------------------------------- programs


def test_without_a_program_the_list_has_none_and_a_program_start_is_refused(
    server: Served,
) -> None:
    listed = json.loads(server.request("GET", "/api/routines")[1])
    assert listed["program"] is None and listed["routines"]
    status, body = server.request("POST", "/api/start", {"program": True, "sound": "off"})
    assert status == 400 and "no program started" in json.loads(body)["error"]


def test_a_program_session_stopped_early_does_not_count() -> None:
    assert run_glutekit("program", "start", "medius-6-weeks").returncode == 0
    with serving("--speed", "20") as server:
        card = json.loads(server.request("GET", "/api/routines")[1])["program"]
        assert (card["state"], card["session"], card["week"]) == ("active", 1, 1)
        assert server.request("POST", "/api/start", {"program": True, "sound": "off"})[0] == 202
        wait_for(lambda: _state(server)["state"] in ("playing", "paused"), timeout=30)
        assert _state(server)["session"]["program"]["session"] == 1  # type: ignore[index]
        server.request("POST", "/api/control/stop")
        wait_for(lambda: _state(server)["state"] == "finished", timeout=30)
        status, body = server.request("POST", "/api/answer", {"pain": 1, "red_flag": "yes"})
        assert status == 400 and "red_flag" in json.loads(body)["error"]
        status, body = server.request("POST", "/api/answer", {"pain": 1, "effort": 2})
        outcome = json.loads(body)["program"]
        assert status == 200 and outcome["counted"] is False
        assert "does not count toward the program" in outcome["lines"][0]
    found = json.loads(run_glutekit("program", "status", "--json").stdout)
    assert found["sessions_done"] == 0 and found["state"] == "active"
