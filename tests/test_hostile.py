"""Hostile files through every command that reads one.

Each file goes through ``validate``, ``transcript``, ``run``, ``export`` in each format,
``check-pack`` and ``compose -o`` (with the file in the user routines folder), in a fresh
process limited to 1 GiB of address space and 10 s of CPU (a minute for a WAV export, which
renders speech), and to 2 minutes of waiting against a hang. Every answer must be a clean exit
(0, 1 or 2), no traceback or internal error, short output (at most 60 lines on stderr,
none longer than 2,000 characters) and no raw control character on the terminal.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from glutekit.catalog.schema import MAX_JSON_VALUES
from glutekit.files import MAX_FILE_BYTES
from tests import forkserver

KNEE = {"exercise": "glutes:knee-hug"}
MEMORY_LIMIT = 1 << 30
#: Limits on the work: CPU seconds, which a busy machine does not stretch. Most commands
#: answer a hostile file in well under a CPU second; a WAV export first renders its speech
#: with the real voice, about a third of a CPU second a cue, which the run's shared voice
#: cache holds already for every cue but the hostile file's own.
CPU_LIMIT = 10
SPEAKING_CPU_LIMIT = 60
#: Limits against a hang (waiting on nothing), in wall seconds: generous, since a 2-core
#: machine running the suite's other workers beside this one gives it a fraction of a core.
WALL_LIMIT = 120.0
SPEAKING_WALL_LIMIT = 300.0
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def routine(**fields: object) -> bytes:
    data = {"id": "hostile", "title": "Hostile", "steps": [KNEE], **fields}
    return json.dumps(data).encode()


def pack(**exercise: object) -> bytes:
    base = {
        "id": "knee",
        "name": "Knee",
        "kind": "stretch",
        "targets": {"primary": ["gluteus_maximus"]},
        "position": "supine",
        "per_side": False,
        "dose": {"hold": 30},
        "instructions": ["Hug one knee."],
        "cues": ["Breathe."],
    }
    data = {
        "id": "hostile",
        "name": "Hostile",
        "version": "1.0.0",
        "license": "MIT",
        "exercises": [{**base, **exercise}],
    }
    return json.dumps(data).encode()


Maker = Callable[[Path], None]


def content(data: bytes) -> Maker:
    return lambda path: path.write_bytes(data)


def link_to(target: str) -> Maker:
    return lambda path: path.symlink_to(target)


def symlink_loop(path: Path) -> None:
    other = path.with_name("loop-other.json")
    other.symlink_to(path.name)
    path.symlink_to(other.name)


#: name -> how to make the file at a path.
HOSTILE: dict[str, Maker] = {
    "fifo": lambda p: os.mkfifo(p),
    "dev-zero": link_to("/dev/zero"),
    "dev-null": link_to("/dev/null"),
    "dev-urandom": link_to("/dev/urandom"),
    "folder": lambda p: p.mkdir(),
    "dangling-link": link_to("no-such-file.json"),
    "symlink-loop": symlink_loop,
    "empty": content(b""),
    "whitespace": content(b" \n\t " * 1000),
    "bom-only": content(b"\xef\xbb\xbf"),
    "latin-1": content('{"id": "é"}'.encode("latin-1")),
    "utf-16": content(routine().decode().encode("utf-16")),
    "nul-bytes": content(b"\0" * 10_000),
    "truncated": content(routine()[:-7]),
    "trailing-garbage": content(routine() + b"}}}garbage"),
    "nan": content(b'{"id": "x", "title": "t", "steps": [{"rest": NaN}]}'),
    "infinity": content(b'{"id": "x", "title": "t", "steps": [{"rest": Infinity}]}'),
    "huge-number": content(b'{"id": "x", "title": "t", "steps": [{"rest": 1e400}]}'),
    "nesting-bomb": content(b"[" * 100_000 + b"]" * 100_000),
    "deep-nesting": content(b'{"id":"d","title":"d","steps":' + b"[" * 40 + b"]" * 40 + b"}"),
    "over-the-size-limit": content(routine(description="a" * MAX_FILE_BYTES)),
    # Small in bytes, large in memory: refused before it is parsed.
    "a-million-values": content(b'{"id":"r","steps":[' + b"{}," * MAX_JSON_VALUES + b"{}]}"),
    "155k-steps": content(routine(steps=[{"rest": 1}] * 155_000)),
    "60k-invalid-steps": content(routine(steps=[{"rest": "x"}] * 60_000)),
    "lone-surrogate-title": content(b'{"id":"r","title":"a\\ud800b","steps":[{"rest":1}]}'),
    "lone-surrogate-say": content(b'{"id":"r","title":"t","steps":[{"say":"x\\udfffy"}]}'),
    "escape-in-title": content(routine(title="red \x1b[31mRED\x1b[0m")),
    "escape-in-description": content(routine(description="\x1b]0;owned\x07")),
    "c1-in-purpose": content(routine(purpose="csi \x9b31m")),
    "nul-in-say": content(routine(steps=[{"say": "a\x00b"}])),
    "bidi-override-title": content(routine(title="abc\u202edcba")),
    "rich-markup-title": content(routine(title="[/] [link=http://x]click[/link] [blink]b")),
    "rich-markup-pack-name": content(pack(name="[/][blink]Knee[/blink] [link=http://x]x")),
    "escape-in-pack-source": content(pack(sources=[{"title": "\x1b[31mred"}])),
    "huge-exercise-id": content(routine(steps=[{"exercise": "glutes:" + "x" * 100_000}])),
    "control-in-key": content(b'{"id":"r","ti\\u001btle":"t","steps":[{"rest":1}]}'),
    "duplicate-keys": content(b'{"id":"r","title":"a","title":"b","steps":[{"rest":1}]}'),
    "top-level-array": content(b"[1, 2, 3]"),
    "top-level-string": content(b'"steps"'),
    "top-level-number": content(b"42"),
    "many-unknown-fields": content(routine(**{f"x{i}": i for i in range(5000)})),
    "pack-as-routine": content(pack()),
    "28-hour-routine": content(routine(steps=[KNEE] + [{"rest": "1h"}] * 28)),
    "2000-expanded-steps": content(
        routine(steps=[{"block": "b", "repeat": 20, "steps": [{"rest": 1}] * 100}])
    ),
    # Many messages, and long ones. A WAV export writes the whole session, so its cost is
    # the session's length: 500 long messages would be a real 4-hour file (540 MB), the
    # work a user asked for, not a hostile file. Sessions too long for a WAV file at all
    # are refused: see 28-hour-routine.
    "500-says": content(routine(steps=[{"say": "Breathe slowly."}] * 500)),
    "50-long-says": content(routine(steps=[{"say": "Breathe slowly. " * 25}] * 50)),
    "1.9-mib-title": content(routine(title="t" * 1_900_000)),
}


def _limits(cpu_seconds: int) -> dict[str, tuple[int, int]]:
    # SIGXCPU at the soft limit, SIGKILL a second later.
    return {
        "RLIMIT_AS": (MEMORY_LIMIT, MEMORY_LIMIT),
        "RLIMIT_CPU": (cpu_seconds, cpu_seconds + 1),
    }


def _commands(path: Path, out: Path) -> list[list[str]]:
    name = str(path)
    return [
        ["validate", name],
        ["transcript", name],
        ["run", name, "--speed", "100000", "--no-voice"],
        ["export", name, "-f", "pdf", "-o", str(out / "x.pdf")],
        ["export", name, "-f", "html", "-o", str(out / "x.html")],
        ["export", name, "-f", "md", "-o", str(out / "x.md")],
        ["export", name, "-f", "wav", "-o", str(out / "x.wav")],
        ["check-pack", name, "--no-voice", "--no-export"],
    ]


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    speaks = "wav" in args
    cpu = SPEAKING_CPU_LIMIT if speaks else CPU_LIMIT
    wall = SPEAKING_WALL_LIMIT if speaks else WALL_LIMIT
    what = f"glutekit {' '.join(args)[:200]}"
    try:
        done = subprocess.run(
            [*forkserver.command(env, limits=_limits(cpu)), *args],
            capture_output=True,
            env=env,
            cwd=cwd,
            timeout=wall,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{what} waited over {wall:.0f} s (a hang)")
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        pytest.fail(f"{what} used over {cpu} s of CPU")
    return done


def _check(args: list[str], done: subprocess.CompletedProcess[bytes]) -> None:
    what = f"glutekit {' '.join(args)[:160]}"
    stderr = done.stderr.decode("utf-8", "replace")
    stdout = done.stdout.decode("utf-8", "replace")
    assert done.returncode in (0, 1, 2), f"{what}: exit {done.returncode}\n{stderr[-2000:]}"
    assert "Traceback" not in stderr and "internal error" not in stderr, f"{what}\n{stderr}"
    lines = stderr.splitlines()
    assert len(lines) <= 60, f"{what}: {len(lines)} lines on stderr"
    assert all(len(line) <= 2000 for line in lines), f"{what}: a line of {max(map(len, lines))}"
    for text in (stdout, stderr):
        found = CONTROL.search(text)
        assert found is None, f"{what}: raw U+{ord(found.group()):04X} printed"
    if done.returncode != 0:
        assert stderr.strip(), f"{what}: failed without a word"


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_file_gets_a_clean_answer_from_every_command(name: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    path = folder / f"{name}.json"
    HOSTILE[name](path)
    env = {**os.environ, "GLUTEKIT_DATA_DIR": str(tmp_path / "data")}
    for args in _commands(path, out):
        _check(args, _run(args, env, tmp_path))
    # In the user routines folder, a hostile file is skipped with one warning, never fatal.
    routines_env = {**env, "GLUTEKIT_ROUTINES_DIR": str(folder)}
    composed = ["compose", "--target", "gluteus_medius", "--strategy", "stretch", "-o"]
    composed.append(str(out / "c.json"))
    for args in (composed, ["routines"]):
        done = _run(args, routines_env, tmp_path)
        _check(args, done)
        assert done.returncode == 0, done.stderr.decode(errors="replace")
