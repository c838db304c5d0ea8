"""Turn cue texts into cached WAV files, each checked before it is trusted.

Every call to a speech engine runs on that engine's owner thread
(:mod:`glutekit_voice.owner`), so a stuck engine can never hang a session.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from time import time_ns
from typing import TYPE_CHECKING, Any

from glutekit.caches.digest import sha256
from glutekit.model.records import record
from glutekit_voice import cachecheck, wavfile
from glutekit_voice.backends import SpeechBackend, SpeechFailed, VoiceSpec
from glutekit_voice.settings import VoiceSettings

if TYPE_CHECKING:
    from glutekit_voice.owner import OwnerThread

#: Bump when the way files are rendered changes, so old cache entries are not reused.
CACHE_FORMAT = 4
ATTEMPTS = 3
#: Generous: espeak-ng speaks about 20x faster than real time.
BASE_TIMEOUT = 10.0


def default_cache_dir() -> Path:
    from glutekit import paths

    return paths.voice_cache_dir()


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
        #: Each text's file in the cache, for the voice opened (a warm start asks twice).
        self._paths: dict[str, Path] = {}
        #: When each cue that verified was last marked used (ns).
        self._used_at: dict[Path, int] = {}
        #: The size of each cue that last verified by its listed look, which tells its
        #: length without opening it.
        self._listed_size: dict[Path, int] = {}
        #: What makes the cache keys: the engine's identity, for the voice opened.
        self._identity: str | None = None
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
            self._listed_size[path] = seen[1]
            return None
        self._listed_size.pop(path, None)
        why = cachecheck.problem(path)
        if why is None and seen is not None:
            self._verified.add(path.name, seen)
            self._used_at[path] = seen[2]  # as a second look would find it listed
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
        self._identity = backend.identity
        self._paths.clear()
        return backend.detail

    def open_as(self, backend: str, voice: str | None) -> None:
        """Speak with ``backend`` and the voice id ``voice``, as another renderer resolved
        them (a render worker speaks exactly as the glutekit process that started it).

        :raises SpeechUnavailable: the engine cannot start.
        """
        from glutekit_voice.choose import _started

        self._owner = _started(backend, self.settings)
        self._spec = self._spec_for(backend, voice)
        self._identity = self._owner.backend().identity
        self._paths.clear()

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

    def problems(self, texts: Iterable[str]) -> dict[str, str | None]:
        """Each distinct non-blank text, and why its cached cue cannot be used (None
        when it can; ``"missing"`` when it was never rendered)."""
        if self._owner is None or self._spec is None:
            self.open()
        distinct = dict.fromkeys(t for t in texts if t.strip())
        return {t: self._problem(self._path(t)) for t in distinct}

    def missing(self, texts: Iterable[str]) -> list[str]:
        """The distinct non-blank texts that are not (or not soundly) in the cache."""
        return [t for t, why in self.problems(texts).items() if why is not None]

    @property
    def detail(self) -> str:
        """What speaks, for messages (opens the engine if needed)."""
        if self._owner is None:
            self.open()
        assert self._owner is not None
        return self._owner.backend().detail

    def render_all(
        self,
        texts: Iterable[str],
        *,
        done: Callable[[str], None] | None = None,
        checked: dict[str, str | None] | None = None,
    ) -> dict[str, RenderedCue]:
        """Render every distinct non-blank text; texts already cached cost a file check.

        Many missing texts are rendered by a pool of processes, one per core, when the
        backend gains from it (:mod:`glutekit_voice.pool`). ``done(text)`` is called once
        for each distinct text as it is ready. Cached files that do not verify are
        rendered again, with one warning in all.

        :param checked: what :meth:`problems` said of these texts just before. When it
            found every cue sound, nothing is rendered and the cues are not looked at
            again (a warm start checks each cue once).
        """
        distinct = list(dict.fromkeys(t for t in texts if t.strip()))
        sound = checked is not None and all(checked.get(t, "unchecked") is None for t in distinct)
        rendered: dict[str, RenderedCue] = {}
        self._damaged = []
        try:
            pooled = self._render_in_pool(distinct, done) if distinct and not sound else set()
            for text in distinct:
                rendered[text] = self._found(text, self._path(text)) if sound else self.render(text)
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
            path = self._path(text)
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
        path = self._path(text)
        why = self._problem(path)
        if why is None:
            return self._found(text, path)
        if why != "missing":
            if self._damaged is None:
                self._warn_damaged([f"{path.name} {why}"])
            else:
                self._damaged.append(f"{path.name} {why}")
        self._synthesize_into(text, path)
        self._remember(path)  # written and checksummed here
        return RenderedCue(text=text, path=path, seconds=wavfile.seconds(path))

    def _found(self, text: str, path: Path) -> RenderedCue:
        """A cached cue that has just verified, marked used if it was not lately."""
        if self._used_at.get(path, 0) < time_ns() - USED_AGAIN_NS:
            from glutekit.caches.folders import touch

            touch(path)  # used again: the cache cap removes it last
            self._remember(path)  # touching moved its times
        size = self._listed_size.get(path)
        seconds = wavfile.seconds(path) if size is None else cachecheck.seconds_of(size)
        return RenderedCue(text=text, path=path, seconds=seconds)

    def _warn_damaged(self, damaged: list[str]) -> None:
        more = f" (and {len(damaged) - 1} more)" if len(damaged) > 1 else ""
        self.warn(
            f"{len(damaged)} file(s) in the voice cache {self.cache_dir} did not verify "
            f"and were rendered again: {damaged[0]}{more}"
        )

    def _path(self, text: str) -> Path:
        found = self._paths.get(text)
        if found is None:
            self._paths[text] = found = self.cache_dir / f"{self._key_of(text)}.wav"
        return found

    def _key_of(self, text: str) -> str:
        assert self._identity is not None and self._spec is not None
        spec = self._spec
        parts: list[Any] = [CACHE_FORMAT, self._identity, spec.voice, spec.rate]
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
        import wave

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
