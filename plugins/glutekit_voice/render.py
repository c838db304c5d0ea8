"""Turn cue texts into cached WAV files, with one thread owning each speech engine.

pyttsx3 hangs or loses text when two threads use it, so every call to a backend
runs on that backend's :class:`OwnerThread`: one per backend per process, shared by
the live output, the exporter and ``glutekit voices``. Callers wait for results
with a timeout, so a stuck engine can never hang a session.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import queue
import re
import threading
import wave
from collections.abc import Callable, Iterable
from pathlib import Path
from time import time_ns
from typing import Any, Generic, TypeVar

from glutekit.caches.digest import sha256
from glutekit.model.records import record
from glutekit_voice import cachecheck, wavfile
from glutekit_voice.backends import (
    SpeechBackend,
    SpeechFailed,
    SpeechUnavailable,
    VoiceSpec,
    backend_names,
    open_backend,
)
from glutekit_voice.settings import VoiceSettings

T = TypeVar("T")

#: Bump when the way files are rendered changes, so old cache entries are not reused.
CACHE_FORMAT = 4
ATTEMPTS = 3
#: Generous: espeak-ng speaks about 20x faster than real time.
BASE_TIMEOUT = 10.0


def default_cache_dir() -> Path:
    from glutekit import paths

    return paths.voice_cache_dir()


class _NotReady(Exception):
    """A call on the owner thread did not finish in the time given."""


class _Outcome(Generic[T]):
    """What a call on the owner thread came to, for the caller waiting on it.

    (A ``concurrent.futures.Future`` would do, but importing that module brings in
    ``logging``: a measurable part of a cached session's start.)
    """

    def __init__(self) -> None:
        self._ready = threading.Event()
        self._value: T | None = None
        self._error: BaseException | None = None

    def set_result(self, value: T) -> None:
        self._value = value
        self._ready.set()

    def set_exception(self, error: BaseException) -> None:
        self._error = error
        self._ready.set()

    def result(self, timeout: float) -> T:
        """The value, or the exception raised, once ready.

        :raises _NotReady: when it is not ready within ``timeout`` seconds.
        """
        if not self._ready.wait(timeout):
            raise _NotReady
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


class OwnerThread:
    """A daemon thread that opens one backend and makes every call to it, in order."""

    def __init__(self, backend_name: str) -> None:
        self.backend_name = backend_name
        self._calls: queue.Queue[tuple[Callable[[Any], Any], _Outcome[Any]]] = queue.Queue()
        self._opened: _Outcome[SpeechBackend] = _Outcome()
        self.stuck = False
        #: Set while no call runs; :func:`_quiesce` waits for it before the process exits.
        self._idle = threading.Event()
        self._closing = False
        thread = threading.Thread(target=self._serve, name=f"glutekit-voice-{backend_name}")
        thread.daemon = True  # an engine stuck in C must not keep the process alive
        thread.start()

    def _serve(self) -> None:
        try:
            self._serve_calls()
        finally:
            self._idle.set()

    def _serve_calls(self) -> None:
        try:
            backend: SpeechBackend = open_backend(self.backend_name)
        except SpeechUnavailable as exc:
            self._opened.set_exception(exc)
            return
        self._opened.set_result(backend)
        while True:
            self._idle.set()
            function, future = self._calls.get()
            self._idle.clear()
            if self._closing:
                future.set_exception(SpeechFailed(f"{self.backend_name} is closing"))
                continue
            try:
                future.set_result(function(backend))
            except BaseException as exc:
                future.set_exception(exc)

    def quiesce(self, timeout: float) -> None:
        """Take no more calls; wait up to ``timeout`` s for the running one to return.

        An engine in native code when the interpreter shuts down (Piper's onnxruntime,
        for one) aborts the whole process as its thread comes back: SIGTERM in the
        middle of an export would end in SIGABRT instead of a clean exit.
        """
        self._closing = True
        self._idle.wait(timeout)

    def backend(self, timeout: float = 30.0) -> SpeechBackend:
        """The opened backend (for its name and details; call it only through :meth:`call`).

        :raises SpeechUnavailable: when the engine cannot start.
        """
        try:
            return self._opened.result(timeout)
        except _NotReady:
            raise SpeechUnavailable(
                f"{self.backend_name} did not start within {timeout:.0f} s",
                "try --voice-backend espeak-ng",
            ) from None

    def call(self, function: Callable[[Any], T], timeout: float) -> T:
        """Run ``function(backend)`` on the owner thread and return its result.

        :raises SpeechFailed: when the call does not finish in time; the thread is
            then considered stuck and later calls fail at once.
        """
        self.backend()
        if self.stuck:
            raise SpeechFailed(f"{self.backend_name} stopped responding earlier in this session")
        future: _Outcome[T] = _Outcome()
        self._calls.put((function, future))
        try:
            return future.result(timeout)
        except _NotReady:
            self.stuck = True
            raise SpeechFailed(f"{self.backend_name} stopped responding") from None


_owners: dict[str, OwnerThread] = {}
_owners_lock = threading.Lock()


#: How long the process waits at exit for an engine to finish the cue it is speaking.
EXIT_WAIT = 10.0


def _quiesce() -> None:
    with _owners_lock:
        owners = list(_owners.values())
    for owner in owners:
        if not owner.stuck:
            owner.quiesce(EXIT_WAIT)


def owner_thread(backend_name: str) -> OwnerThread:
    """The process-wide owner of a backend, started on first use."""
    with _owners_lock:
        if not _owners:
            import atexit

            atexit.register(_quiesce)
        owner = _owners.get(backend_name)
        if owner is None:
            owner = _owners[backend_name] = OwnerThread(backend_name)
        return owner


def open_owner(requested: str) -> OwnerThread:
    """The owner thread of the requested backend, or of the first that works for "auto".

    :raises SpeechUnavailable: naming every backend tried and how to fix it.
    """
    names = backend_names() if requested == "auto" else [requested]
    problems: list[SpeechUnavailable] = []
    for name in names:
        owner = owner_thread(name)
        try:
            owner.backend()
        except SpeechUnavailable as exc:
            problems.append(exc)
            continue
        return owner
    if len(problems) == 1:
        raise problems[0]
    what = "no speech engine: " + "; ".join(p.what for p in problems)
    raise SpeechUnavailable(what, problems[0].fix)


class CacheUnwritable(SpeechFailed):
    """The voice cache folder cannot be written (read-only, full, not a folder)."""


def _stderr_warning(message: str) -> None:
    import sys

    print(f"glutekit: warning: {message}", file=sys.stderr)


@record(frozen=True, kw_only=True)
class RenderedCue:
    text: str
    path: Path
    seconds: float


#: A cached cue marked used this long ago or less is not marked again: the cache cap
#: removes the least recently used first, and an hour is close enough. A warm start
#: then changes no file's times, and so does not write the verified list again.
USED_AGAIN_NS = 3600 * 10**9


class CueRenderer:
    """Renders texts to WAV files in the cache, once per text, voice, rate, volume and backend."""

    def __init__(
        self,
        settings: VoiceSettings,
        *,
        cache_dir: Path | None = None,
        warn: Callable[[str], None] = _stderr_warning,
    ) -> None:
        self.settings = settings
        self.cache_dir = cache_dir or default_cache_dir()
        self.warn = warn
        #: Cached files that did not verify and are being rendered again: "name: why".
        self._damaged: list[str] | None = None
        self._owner: OwnerThread | None = None
        self._spec: VoiceSpec | None = None
        self._swept = False
        #: A cue was written since the cache was last trimmed: only a write makes it grow.
        self._wrote = False
        #: Each text's cache key, for the voice opened (a warm start asks twice for each).
        self._keys: dict[str, str] = {}
        #: When each cue that verified by its listed look was last marked used (ns).
        self._used_at: dict[Path, int] = {}
        #: Cached files already verified, by name, with what they and their checksums
        #: looked like then: by this renderer, or by an earlier one (``verified.json``).
        self._verified: cachecheck.Verified | None = None

    def _problem(self, path: Path) -> str | None:
        """:func:`cachecheck.problem`, hashing a file only while it is not as it was when
        it last verified (same inode, size, modification and change time, and the same of
        its checksum file): a session checks each cue more than once, and a warm start
        every cue."""
        if self._verified is None:
            self._verified = cachecheck.Verified.read(self.cache_dir)
        seen = self._verified.seen(path)
        if seen is not None and self._verified.get(path.name) == seen:
            self._used_at[path] = seen[2]
            return None
        why = cachecheck.problem(path)
        if why is None and seen is not None:
            self._verified.add(path.name, seen)
        return why

    def _remember(self, path: Path) -> None:
        """Note ``path`` as verified, as it looks now (after this renderer's own write)."""
        if self._verified is not None:
            seen = self._verified.seen(path)
            if seen is not None:
                self._verified.add(path.name, seen)

    def open(self) -> str:
        """Start the engine and check the voice; returns what speaks, for messages.

        :raises SpeechUnavailable: no engine could start.
        :raises glutekit.errors.InputError: the voice asked for does not exist, or
            ``GLUTEKIT_RENDER_WORKERS`` is not a number of processes.
        """
        from glutekit_voice.choose import open_voice

        owner, voice = open_voice(self.settings)
        backend = owner.backend()
        if getattr(backend, "pool_env", None) is not None:
            from glutekit_voice.settings import render_workers

            render_workers()  # a bad value is said now, before any work
        self._spec = self._spec_for(owner.backend_name, voice)
        self._owner = owner
        self._keys.clear()
        return backend.detail

    def open_as(self, backend: str, voice: str | None) -> None:
        """Speak with ``backend`` and the voice id ``voice``, as another renderer resolved
        them (a render worker speaks exactly as the glutekit process that started it).

        :raises SpeechUnavailable: the engine cannot start.
        """
        from glutekit_voice.choose import _started

        self._owner = _started(backend, self.settings)
        self._spec = self._spec_for(backend, voice)
        self._keys.clear()

    def _spec_for(self, backend: str, voice: str | None) -> VoiceSpec:
        """What ``backend`` speaks with: the settings, and the option values it reads."""
        from glutekit_voice.backends import registry

        entry = registry().get(backend)
        reads = entry.options if entry is not None else ()
        return VoiceSpec(
            voice=voice,
            rate=self.settings.rate,
            volume=self.settings.volume,
            extra=tuple((k, v) for k, v in self.settings.extra if k in reads),
        )

    def missing(self, texts: Iterable[str]) -> list[str]:
        """The distinct non-blank texts that are not (or not soundly) in the cache."""
        if self._owner is None or self._spec is None:
            self.open()
        distinct = dict.fromkeys(t for t in texts if t.strip())
        return [
            t
            for t in distinct
            if self._problem(self.cache_dir / f"{self._cache_key(t)}.wav") is not None
        ]

    @property
    def detail(self) -> str:
        """What speaks, for messages (opens the engine if needed)."""
        if self._owner is None:
            self.open()
        assert self._owner is not None
        return self._owner.backend().detail

    def render_all(
        self, texts: Iterable[str], *, done: Callable[[str], None] | None = None
    ) -> dict[str, RenderedCue]:
        """Render every distinct non-blank text; texts already cached cost a file check.

        Many missing texts are rendered by a pool of processes, one per core, when the
        backend gains from it (:mod:`glutekit_voice.pool`). ``done(text)`` is called once
        for each distinct text as it is ready. Cached files that do not verify are
        rendered again, with one warning in all.
        """
        distinct = list(dict.fromkeys(t for t in texts if t.strip()))
        rendered: dict[str, RenderedCue] = {}
        self._damaged = []
        try:
            pooled = self._render_in_pool(distinct, done) if distinct else set()
            for text in distinct:
                rendered[text] = self.render(text)
                if done is not None and text not in pooled:
                    done(text)
        finally:
            damaged, self._damaged = self._damaged, None
            if damaged:
                self._warn_damaged(damaged)
        if self._wrote or pooled:
            # A warm start, which writes nothing, leaves the folder unlisted.
            self._wrote = False
            self.trim_cache(keep=[cue.path for cue in rendered.values()])
        if self._verified is not None:
            self._verified.save(self.cache_dir)
        return rendered

    def _render_in_pool(self, texts: list[str], done: Callable[[str], None] | None) -> set[str]:
        """Render the missing ``texts`` with a pool of processes if that pays; returns
        the texts it rendered (none when it does not pay or no process can start)."""
        if self._owner is None or self._spec is None:
            self.open()
        assert self._owner is not None and self._spec is not None
        env = getattr(self._owner.backend(), "pool_env", None)
        if not isinstance(env, dict):
            return set()
        cues: list[tuple[str, Path]] = []
        damaged: list[str] = []
        for text in texts:
            path = self.cache_dir / f"{self._cache_key(text)}.wav"
            why = self._problem(path)
            if why is not None:
                cues.append((text, path))
                if why != "missing":
                    damaged.append(f"{path.name} {why}")
        if not cues:
            return set()
        from glutekit_voice import pool

        workers = pool.workers_for(len(cues))
        if workers < 2:
            return set()
        if self._damaged is not None:
            self._damaged += damaged
        self._temp_file().unlink()  # the folder is there and writable, or one clear error
        job = pool.Job(
            backend=self._owner.backend_name,
            spec=self._spec,
            models=self.settings.models,
            cache_dir=self.cache_dir,
            env=env,
        )
        finished: set[str] = set()

        def finish(text: str) -> None:
            finished.add(text)
            if done is not None:
                done(text)

        with contextlib.suppress(OSError):  # no process could start: render here instead
            pool.render(job, cues, workers, done=finish)
        return finished

    def render_into(self, text: str, path: Path) -> None:
        """Render ``text`` to the cache file ``path`` (for a render worker: the key is
        the parent's).

        :raises SpeechFailed: when the engine fails or keeps producing empty files.
        :raises CacheUnwritable: when the cache folder cannot be written.
        """
        if self._owner is None or self._spec is None:
            self.open()
        self._synthesize_into(text, path)

    def trim_cache(self, keep: Iterable[Path] = ()) -> None:
        """Keep the cache under its size cap, never deleting the files in ``keep``."""
        from glutekit import config
        from glutekit.caches import folders as cache

        if not self._swept:
            self._swept = True
            sweep_render_temps(self.cache_dir)
        cache.trim(self.cache_dir, config.voice_cache_bytes(), keep=set(keep), kind=cache.VOICE)

    def render(self, text: str) -> RenderedCue:
        """One text as a verified WAV file with frames in it.

        :raises SpeechFailed: when the engine fails or keeps producing empty files.
        :raises CacheUnwritable: when the cache folder cannot be written.
        """
        if self._owner is None or self._spec is None:
            self.open()
        assert self._owner is not None and self._spec is not None
        path = self.cache_dir / f"{self._cache_key(text)}.wav"
        why = self._problem(path)
        if why is not None:
            if why != "missing":
                if self._damaged is None:
                    self._warn_damaged([f"{path.name} {why}"])
                else:
                    self._damaged.append(f"{path.name} {why}")
            self._synthesize_into(text, path)
            self._remember(path)  # written and checksummed here
        elif self._used_at.get(path, 0) < time_ns() - USED_AGAIN_NS:
            from glutekit.caches.folders import touch

            touch(path)  # used again: the cache cap removes it last
            self._remember(path)  # touching moved its times
        return RenderedCue(text=text, path=path, seconds=wavfile.seconds(path))

    def _warn_damaged(self, damaged: list[str]) -> None:
        more = f" (and {len(damaged) - 1} more)" if len(damaged) > 1 else ""
        self.warn(
            f"{len(damaged)} file(s) in the voice cache {self.cache_dir} did not verify "
            f"and were rendered again: {damaged[0]}{more}"
        )

    def _cache_key(self, text: str) -> str:
        found = self._keys.get(text)
        if found is not None:
            return found
        self._keys[text] = found = self._key_of(text)
        return found

    def _key_of(self, text: str) -> str:
        assert self._owner is not None and self._spec is not None
        backend = self._owner.backend()
        spec = self._spec
        parts: list[Any] = [CACHE_FORMAT, backend.identity, spec.voice, spec.rate]
        parts += [round(spec.volume, 3), text]
        if spec.extra:  # added only when a backend reads options: older keys stay valid
            parts.append([list(pair) for pair in spec.extra])
        return sha256(json.dumps(parts).encode()).hexdigest()[:40]

    def _synthesize_into(self, text: str, path: Path) -> None:
        self._wrote = True
        assert self._owner is not None and self._spec is not None
        spec = self._spec
        timeout = BASE_TIMEOUT + len(text) / 10
        last_problem = "the file stayed empty"
        for _ in range(ATTEMPTS):
            temp = self._temp_file()
            try:
                self._owner.call(functools.partial(_speak, text, temp, spec, timeout), timeout + 5)
                if wavfile.frame_count(temp) > 0:
                    self._store(temp, path)
                    return
            except CacheUnwritable:
                raise
            except SpeechFailed as exc:
                last_problem = str(exc)
                if self._owner.stuck:
                    break
            finally:
                temp.unlink(missing_ok=True)
            if _disk_full(self.cache_dir):
                raise self._unwritable("the disk is full")
        raise SpeechFailed(f"could not speak {text!r}: {last_problem}")

    def _temp_file(self) -> Path:
        try:
            from glutekit.caches import folders as cache

            cache.prepare(self.cache_dir, cache.VOICE)
            if not self._swept:
                self._swept = True
                sweep_render_temps(self.cache_dir)
            import tempfile  # only to render: a warm start never writes a cue

            fd, name = tempfile.mkstemp(
                prefix=f".render-{os.getpid()}-", suffix=".wav", dir=self.cache_dir
            )
        except OSError as exc:
            raise self._unwritable(exc.strerror or str(exc)) from None
        os.close(fd)
        if _disk_full(self.cache_dir):
            # Checked before the engine runs: pyttsx3 writes from a C callback, where a
            # full disk becomes a printed traceback instead of an exception we can catch.
            Path(name).unlink(missing_ok=True)
            raise self._unwritable("the disk is full")
        return Path(name)

    def _store(self, temp: Path, path: Path) -> None:
        """Normalise to 16-bit mono, trim, move into place atomically, then write the checksum."""
        try:
            _normalise(temp, self._spec.volume if self._spec else 1.0)
            cachecheck.clear(path)
            cachecheck.checksum_path(path).unlink(missing_ok=True)
            # Atomic, so another glutekit process never reads half a file.
            os.replace(temp, path)
            cachecheck.write_checksum(path)
        except OSError as exc:
            raise self._unwritable(exc.strerror or str(exc)) from None
        except (EOFError, wave.Error) as exc:
            raise SpeechFailed(f"the engine wrote audio that cannot be read: {exc}") from None

    def _unwritable(self, reason: str) -> CacheUnwritable:
        return CacheUnwritable(
            f"cannot write the voice cache {self.cache_dir}: {reason} "
            "(free some space, or point XDG_CACHE_HOME at a writable folder)"
        )


#: A render's temporary file: ``.render-<pid>-<random>.wav`` (the process id since 0.1).
_RENDER_TEMP = re.compile(r"^\.render-(?:(\d+)-)?[A-Za-z0-9_]+\.wav$")


def sweep_render_temps(folder: Path) -> int:
    """Remove the temporary files of renders that were killed (SIGKILL, a crash).

    Only regular files named as a render names them are removed, and only when the
    process that made one is gone (or, without a process id in the name, after an hour).
    Returns how many were removed.
    """
    from glutekit.atomic import sweep_stale

    return sweep_stale(folder, _RENDER_TEMP)


def _disk_full(folder: Path) -> bool:
    try:
        stats = os.statvfs(folder)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < 256 * 1024


def _normalise(path: Path, volume: float) -> None:
    """Every cached cue is 16-bit mono at :data:`wavfile.RATE`, without the quiet tail,
    and at the same speech loudness (times ``volume``).

    Every backend and every cue ends at one level, so a short "3" is no louder than a
    long instruction and voices can be switched.
    """
    samples = wavfile.read_mono16(path)
    trimmed = wavfile.trim_trailing_silence(samples) or samples
    wavfile.write_mono16(path, wavfile.normalise_loudness(trimmed, level=volume))


def _speak(text: str, path: Path, spec: VoiceSpec, timeout: float, backend: SpeechBackend) -> None:
    backend.synthesize(text, path, spec, timeout)
