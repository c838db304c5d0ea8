"""Render many missing cues at once on every core: one worker process per core.

A neural voice keeps one core busy per cue, and its own threads leave the second core
mostly idle. So when more than a handful of cues are missing and the backend says a
pool pays off (``pool_env``), each worker process opens the backend once, loads the
voice once, and renders cues one at a time, straight into the cache (each file moved
into place atomically, as in one process). The parent hands out cues in the order it
was given them and keeps the cache keys: a worker never decides where a file goes.

A worker's failure comes back as the same one-line error a render in this process
gives. A worker that dies or stops answering is killed, and so are all of them when
the parent is interrupted (Ctrl-C, SIGTERM) or fails; their temporary files go with
them. Workers run in a session of their own, so Ctrl-C reaches only the parent, which
stops them: the terminal never sees a worker's traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import field
from pathlib import Path
from typing import IO, Any

from glutekit.errors import InputError
from glutekit.interfaces import VoiceModel
from glutekit.model.records import record
from glutekit_voice.backends import SpeechFailed, SpeechUnavailable, VoiceSpec

#: Fewer missing cues than this render in this process: starting workers would cost more.
POOL_FROM = 6
#: Seconds a worker may take to start and load its voice, on top of each cue's own limit.
START_ALLOWANCE = 60.0
#: Seconds a worker is given to exit once it has no more work.
EXIT_WAIT = 5.0

_WORKER = "from glutekit_voice.pool import serve; serve()"


def cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def workers_for(missing: int) -> int:
    """How many processes should render ``missing`` cues (1: none, render here).

    :raises InputError: when ``GLUTEKIT_RENDER_WORKERS`` is not a whole number from 1 to 64.
    """
    from glutekit_voice.settings import render_workers

    if missing < POOL_FROM:
        return 1
    return max(1, min(render_workers() or cores(), missing))


@record(frozen=True, kw_only=True)
class Job:
    """What every worker speaks with, as the parent resolved it."""

    backend: str
    spec: VoiceSpec
    models: tuple[VoiceModel, ...]
    cache_dir: Path
    #: Variables the backend wants in each worker (its threads, say).
    env: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        models = [
            {
                "id": m.id,
                "name": m.name,
                "language": m.language,
                "model": str(m.model),
                "config": None if m.config is None else str(m.config),
                "backend": m.backend,
            }
            for m in self.models
        ]
        spec = {
            "voice": self.spec.voice,
            "rate": self.spec.rate,
            "volume": self.spec.volume,
            "extra": [list(pair) for pair in self.spec.extra],
        }
        return json.dumps(
            {"backend": self.backend, "spec": spec, "models": models, "cache": str(self.cache_dir)}
        )


def _cue_limit(text: str) -> float:
    """The longest a worker can take over one cue before its own limits give up."""
    from glutekit_voice.render import ATTEMPTS, BASE_TIMEOUT

    return ATTEMPTS * (BASE_TIMEOUT + len(text) / 10 + 5) + 5


class _Worker:
    def __init__(self, job: Job) -> None:
        # Closed in close_files(), which render() always calls.
        self.errors: IO[bytes] = tempfile.TemporaryFile(prefix="glutekit-render-")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            env={**os.environ, **job.env},
            text=True,
            encoding="utf-8",
            start_new_session=True,  # Ctrl-C reaches the parent only; it stops the workers
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin: IO[str] = self.proc.stdin
        self.stdout: IO[str] = self.proc.stdout
        with contextlib.suppress(BrokenPipeError):
            self.stdin.write(job.to_json() + "\n")
            self.stdin.flush()
        self.text: str | None = None
        self.deadline = 0.0
        self.first = True

    def give(self, text: str, path: Path) -> None:
        self.text = text
        allowance = START_ALLOWANCE if self.first else 0.0
        self.first = False
        self.deadline = time.monotonic() + allowance + _cue_limit(text)
        # A worker that died shows as the end of its answers, with its last words.
        with contextlib.suppress(BrokenPipeError):
            self.stdin.write(json.dumps({"text": text, "path": str(path)}) + "\n")
            self.stdin.flush()

    def last_error_line(self) -> str:
        with contextlib.suppress(OSError):
            self.errors.seek(0)
            lines = self.errors.read().decode(errors="replace").strip().splitlines()
            if lines:
                return lines[-1]
        return f"exit code {self.proc.poll()}"

    def finish(self) -> None:
        """No more work: let it exit on its own, or kill it."""
        with contextlib.suppress(OSError):
            self.stdin.close()
        try:
            self.proc.wait(EXIT_WAIT)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(EXIT_WAIT)

    def close_files(self) -> None:
        for handle in (self.stdin, self.stdout, self.errors):
            with contextlib.suppress(OSError):
                handle.close()


def render(
    job: Job,
    cues: Sequence[tuple[str, Path]],
    workers: int,
    *,
    done: Callable[[str], None] = lambda text: None,
) -> None:
    """Render each ``(text, path)`` into the cache with ``workers`` processes.

    ``done(text)`` is called as each cue is in place.

    :raises SpeechFailed: as a render in this process would (the same words), or when a
        worker dies or stops answering.
    :raises SpeechUnavailable: when a worker cannot start the engine.
    :raises OSError: when no worker process can be started at all.
    """
    from glutekit_voice.render import sweep_render_temps

    waiting = deque(cues)
    started: list[_Worker] = []
    finished = False
    try:
        for _ in range(min(workers, len(waiting))):
            started.append(_Worker(job))
        _serve(started, waiting, job, done)
        finished = True
    finally:
        for worker in started:
            if finished:
                worker.finish()
            else:
                worker.kill()
            worker.close_files()
        if not finished:
            sweep_render_temps(job.cache_dir)  # what the killed workers were writing


def _serve(
    workers: list[_Worker], waiting: deque[tuple[str, Path]], job: Job, done: Callable[[str], None]
) -> None:
    with selectors.DefaultSelector() as selector:
        for worker in workers:
            selector.register(worker.stdout, selectors.EVENT_READ, worker)
            worker.give(*waiting.popleft())
        busy = len(workers)
        while busy:
            for key, _ in selector.select(timeout=1.0):
                worker = key.data
                text = worker.text
                assert text is not None
                _check(worker.stdout.readline(), worker, job)
                worker.text = None
                # The next cue first: what ``done`` does (an export lays its timeline
                # out again) must not keep the worker waiting.
                if waiting:
                    worker.give(*waiting.popleft())
                else:
                    selector.unregister(worker.stdout)
                    busy -= 1
                done(text)
            now = time.monotonic()
            for worker in workers:
                if worker.text is not None and now > worker.deadline:
                    raise SpeechFailed(f"{job.backend} stopped responding")


def _check(line: str, worker: _Worker, job: Job) -> None:
    """Raise what the worker's answer says went wrong, if anything did."""
    if not line:
        worker.kill()
        raise SpeechFailed(
            f"could not speak {worker.text!r}: the {job.backend} render process stopped "
            f"({worker.last_error_line()})"
        )
    try:
        answer = json.loads(line)
    except ValueError:
        raise SpeechFailed(f"the {job.backend} render process answered {line[:80]!r}") from None
    problem = answer.get("problem")
    if problem is None:
        return
    from glutekit_voice.render import CacheUnwritable

    message = str(answer.get("message", ""))
    if problem == "unavailable":
        raise SpeechUnavailable(message, str(answer.get("fix", "")))
    if problem == "unwritable":
        raise CacheUnwritable(message)
    raise SpeechFailed(message)


# ----------------------------------------------------------------------------- worker side


def serve() -> None:
    """A worker's life: read the job, then render each cue it is sent, answering a line each.

    Answers go to a copy of standard output taken first thing, so nothing an engine
    prints can be mistaken for an answer.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    first = sys.stdin.readline()
    if not first:
        return  # the parent stopped before it sent the job
    job = json.loads(first)
    renderer: Any = None
    for line in sys.stdin:
        task = json.loads(line)
        try:
            if renderer is None:
                renderer = _open(job)
            renderer.render_into(task["text"], Path(task["path"]))
            answer: dict[str, str] = {}
        except SpeechUnavailable as exc:
            answer = {"problem": "unavailable", "message": exc.what, "fix": exc.fix}
        except (SpeechFailed, InputError) as exc:
            from glutekit_voice.render import CacheUnwritable

            kind = "unwritable" if isinstance(exc, CacheUnwritable) else "failed"
            answer = {"problem": kind, "message": str(exc)}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


def _open(job: dict[str, Any]) -> Any:
    from glutekit_voice.render import CueRenderer
    from glutekit_voice.settings import VoiceSettings

    spec = job["spec"]
    models = tuple(
        VoiceModel(
            id=m["id"],
            name=m["name"],
            language=m["language"],
            model=Path(m["model"]),
            config=None if m["config"] is None else Path(m["config"]),
            backend=m["backend"],
        )
        for m in job["models"]
    )
    settings = VoiceSettings(
        voice=spec["voice"],
        rate=spec["rate"],
        volume=spec["volume"],
        backend=job["backend"],
        models=models,
        extra=tuple((str(k), v) for k, v in spec.get("extra", ())),
    )
    renderer = CueRenderer(settings, cache_dir=Path(job["cache"]))
    renderer.open_as(job["backend"], spec["voice"])
    return renderer
