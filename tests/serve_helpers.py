"""A real ``glutekit serve`` for tests, and small helpers to talk to it."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

URL = re.compile(r"http://(\S+?):(\d+)/\?token=(\S+)")
MAXRSS = Path(__file__).with_name("maxrss.py")


@dataclass
class Served:
    process: subprocess.Popen[str]
    host: str
    port: int
    token: str
    lines: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/?token={self.token}"

    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        token: str | None = "",
    ) -> tuple[int, bytes]:
        """``token=""`` sends the right token in the address; None sends none."""
        given = self.token if token == "" else token
        if given is not None:
            path += ("&" if "?" in path else "?") + f"token={given}"
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            data = json.dumps(body).encode() if body is not None else None
            conn.request(method, path, body=data, headers=headers or {})
            answer = conn.getresponse()
            return answer.status, answer.read()
        finally:
            conn.close()

    def stop(self, timeout: float = 20) -> tuple[int, str]:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        err = self.process.stderr.read() if self.process.stderr else ""
        return self.process.returncode, err


def _pump(process: subprocess.Popen[str], lines: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)


@contextmanager
def serving(
    *args: str, measure: bool = False, env: dict[str, str] | None = None
) -> Iterator[Served]:
    """``glutekit serve --port 0 ARGS`` until the block ends (then Ctrl-C, as a user would)."""
    command = [sys.executable, "-m", "glutekit", "serve", "--port", "0", "--no-qr", *args]
    if measure:
        command = [sys.executable, str(MAXRSS), *command]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    lines: list[str] = []
    threading.Thread(target=_pump, args=(process, lines), daemon=True).start()
    give_up = time.monotonic() + 60
    found = None
    while found is None:
        if process.poll() is not None or time.monotonic() > give_up:
            process.kill()
            raise AssertionError(
                f"serve did not start: {''.join(lines)} {process.stderr.read() if process.stderr else ''}"
            )
        found = next((URL.search(line) for line in lines if URL.search(line)), None)
        time.sleep(0.05)
    served = Served(process, found.group(1), int(found.group(2)), found.group(3), lines)
    try:
        yield served
    finally:
        served.stop()


def wait_for(check: Any, timeout: float = 30, every: float = 0.05) -> Any:
    give_up = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > give_up:
            raise AssertionError(f"timed out after {timeout} s waiting for {check}")
        time.sleep(every)


def split(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or 80
