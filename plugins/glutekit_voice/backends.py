"""Speech backends: text in, a WAV file out.

Built in, best first: ``pyttsx3`` (espeak-ng through its C library on Linux, the
platform engine on Windows), ``say`` (macOS's own voice, by its command) and
``espeak-ng`` (the command-line program). Other backends come from other distributions
through the ``glutekit.speech_backends`` entry-point group (the Piper plugin,
``glutekit-piper``, adds ``piper`` that way, ranked before the built-in ones): this
plugin imports no engine it does not ship. A backend object is not thread-safe;
:mod:`glutekit_voice.owner` gives each one a single owner thread that makes every call.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from glutekit.errors import InputError
from glutekit.interfaces import VoiceInfo, VoiceModel
from glutekit.model.records import record

#: Seconds to wait for one short utterance; espeak-ng speaks ~20x faster than real time.
BASE_TIMEOUT = 10.0
FIX_ANY = "apt-get install espeak-ng (or the distribution's espeak-ng package)"
#: Where backends from other distributions are registered.
ENTRY_POINT_GROUP = "glutekit.speech_backends"


class SpeechUnavailable(Exception):
    """No speech engine could start. ``fix`` says what to install or change."""

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(what)
        self.what = what
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.what} (fix: {self.fix})"


class SpeechFailed(Exception):
    """One text could not be spoken to a file."""


@record(frozen=True, kw_only=True)
class VoiceSpec:
    """The voice, rate (words per minute) and volume (0..1) to speak with, and the values
    of the options this backend reads (``BackendEntry.options``), as ``(key, value)``."""

    voice: str | None
    rate: int
    volume: float
    extra: tuple[tuple[str, Any], ...] = ()

    def option(self, key: str, default: Any = None) -> Any:
        """The value of the plugin option ``key`` (``"pitch"``), else ``default``."""
        return dict(self.extra).get(key, default)


class SpeechBackend(Protocol):
    """An opened engine. Opening one should be cheap: a session whose cues are all cached
    needs only ``identity`` (and the voice ids) for the cache keys, so an engine that is
    slow to load (Piper) loads on its first ``synthesize``.

    A backend may also have ``pool_env``, a dict of environment variables: then many
    missing cues are rendered by a pool of processes (:mod:`glutekit_voice.pool`), each
    started with those variables.
    """

    #: Short name used on the command line: "piper", "pyttsx3" or "espeak-ng".
    name: str
    #: What exactly speaks, for messages: "pyttsx3 (system libespeak-ng)".
    detail: str
    #: Part of the cache key: audio from different engines must not be mixed up.
    identity: str

    def voices(self) -> list[VoiceInfo]: ...

    def synthesize(self, text: str, path: Path, spec: VoiceSpec, timeout: float) -> None:
        """Write ``text`` spoken as a WAV file at ``path``.

        :raises SpeechFailed: when the engine reports an error or does not finish in time.
        """
        ...


@runtime_checkable
class ModelBackend(Protocol):
    """A backend that speaks with voice models offered by plugins (``glutekit_voice_models``)."""

    def add_models(self, models: tuple[VoiceModel, ...]) -> None:
        """Take the models meant for this backend; the first offer of an id is kept."""
        ...

    def default_voice(self) -> str:
        """The voice id used when none is asked for."""
        ...

    def voice_from_path(self, text: str) -> str | None:
        """The voice id of a model file named by ``text``, or None when it names none.

        :raises glutekit.errors.InputError: for a model file that is missing or incomplete.
        """
        ...


@record(frozen=True, kw_only=True)
class BackendEntry:
    """A speech backend this plugin can open: built in, or from an entry point."""

    name: str
    #: Opens the engine. :raises SpeechUnavailable: when it cannot start.
    open: Callable[[], SpeechBackend]
    #: Lower ranks are tried first with ``--voice-backend auto``.
    rank: int
    #: File name endings of voice models this backend speaks with (``--voice x.onnx``).
    model_suffixes: tuple[str, ...] = ()
    #: Keys of the option values this backend reads (``VoiceSpec.option``), such as
    #: ``("pitch",)``: options its plugin declares with ``glutekit_options``. Their values
    #: are part of each cue's cache key, so a cue is never reused at another value.
    options: tuple[str, ...] = ()


def resolve_voice(wanted: str | None, voices: list[VoiceInfo], backend: str) -> str | None:
    """Map a voice id, name or language code to a voice id of this backend.

    :raises InputError: when nothing matches, saying how to list the voices.
    """
    if not wanted:
        return None
    key = wanted.strip().lower()
    for match in (
        lambda v: v.id.lower() == key,
        lambda v: v.name.lower() == key,
        lambda v: v.id.lower().rsplit("/", 1)[-1] == key,
        lambda v: key in (lang.lower() for lang in v.languages),
    ):
        for voice in voices:
            if match(voice):
                return voice.id
    raise InputError(
        f"--voice: no voice {wanted!r} in the {backend} backend; "
        f"run 'glutekit voices --voice-backend {backend}' to list them"
    )


# ----------------------------------------------------------------------------- pyttsx3


class Pyttsx3Backend:
    """pyttsx3, used the only way that is reliable: one file per utterance.

    ``runAndWait`` in pyttsx3's espeak driver returns as soon as synthesis has
    *started*; the file is complete only when the driver sends its
    ``finished-utterance`` notification, so we wait for that (with a timeout).
    """

    name = "pyttsx3"

    def __init__(self) -> None:
        from glutekit_voice.loader import prepare_espeak

        library = prepare_espeak()
        if library.source == "missing":
            raise SpeechUnavailable(f"pyttsx3 has no espeak-ng: {library.problem}", FIX_ANY)
        try:
            import pyttsx3
        except ImportError as exc:
            raise SpeechUnavailable(
                f"pyttsx3 cannot be imported ({exc})", "pip install pyttsx3"
            ) from None
        try:
            self._engine: Any = pyttsx3.init()
        except Exception as exc:  # the drivers raise anything from OSError to RuntimeError
            raise SpeechUnavailable(f"pyttsx3 could not start: {exc}", FIX_ANY) from None
        _silence_espeak_driver()
        self.detail = f"pyttsx3 ({library.describe()})"
        self.identity = f"pyttsx3/{library.source}"
        self._finished = threading.Event()
        self._errors: list[str] = []
        self._engine.connect("finished-utterance", self._on_finished)
        self._engine.connect("error", self._on_error)
        self._warm_up()
        # Used when no voice is asked for, so a file never depends on the voice
        # that happened to be set by an earlier render in this process.
        self._default_voice = str(self._engine.getProperty("voice") or "") or None

    def _warm_up(self) -> None:
        # Until its first run loop the driver only queues commands, so settings
        # could not be applied and checked before the first real utterance.
        import tempfile

        with tempfile.TemporaryDirectory(prefix="glutekit-voice-") as folder:
            self._speak("ready", Path(folder) / "warm-up.wav", BASE_TIMEOUT)

    def _on_finished(self, name: object = None, completed: bool = True) -> None:
        self._finished.set()

    def _on_error(self, name: object = None, exception: object = None) -> None:
        self._errors.append(str(exception))
        self._finished.set()

    def voices(self) -> list[VoiceInfo]:
        found = []
        for voice in self._engine.getProperty("voices"):
            languages = tuple(
                lang.decode(errors="replace") if isinstance(lang, bytes) else str(lang)
                for lang in (getattr(voice, "languages", None) or ())
            )
            found.append(
                VoiceInfo(
                    id=str(voice.id), name=str(voice.name), languages=languages, backend=self.name
                )
            )
        return found

    def _apply(self, spec: VoiceSpec, timeout: float) -> None:
        """Set voice, rate and volume, and wait until espeak-ng has taken them.

        espeak-ng queues setting changes behind its own worker thread, and the
        driver's ``runAndWait`` cancels whatever is still queued. So the settings
        are sent before every utterance (espeak-ng may fall back to its defaults
        between utterances) and read back until they hold, before speaking.
        """
        voice = spec.voice or self._default_voice
        if voice:
            self._engine.setProperty("voice", voice)
        self._engine.setProperty("rate", spec.rate)
        self._engine.setProperty("volume", spec.volume)
        give_up = time.monotonic() + timeout
        while not self._settings_hold(spec):
            if time.monotonic() > give_up:
                raise SpeechFailed("pyttsx3 did not take the voice settings")
            time.sleep(0.0005)

    def _settings_hold(self, spec: VoiceSpec) -> bool:
        voice = spec.voice or self._default_voice
        if voice and str(self._engine.getProperty("voice")).lower() != voice.lower():
            return False
        return bool(
            self._engine.getProperty("rate") == spec.rate
            and abs(float(self._engine.getProperty("volume")) - spec.volume) < 0.011
        )

    def synthesize(self, text: str, path: Path, spec: VoiceSpec, timeout: float) -> None:
        self._apply(spec, timeout)
        self._speak(text, path, timeout)

    def _speak(self, text: str, path: Path, timeout: float) -> None:
        self._finished.clear()
        self._errors.clear()
        self._engine.save_to_file(text, str(path))
        self._engine.runAndWait()
        finished = self._finished.wait(timeout)
        if self._errors:
            raise SpeechFailed(f"pyttsx3: {self._errors[0]}")
        if not finished:
            raise SpeechFailed(f"pyttsx3 did not finish speaking within {timeout:.0f} s")
        self._wait_until_idle(timeout)

    def _wait_until_idle(self, timeout: float) -> None:
        # The driver announces the finished utterance *before* it marks itself idle;
        # commands queued in between run on espeak's thread or get thrown away.
        give_up = time.monotonic() + timeout
        while self._engine.isBusy():
            if time.monotonic() > give_up:
                raise SpeechFailed("pyttsx3 stayed busy after speaking")
            time.sleep(0.0005)


def _silence_espeak_driver() -> None:
    # pyttsx3's espeak driver prints "Audio saved to …" for every file it writes, from
    # espeak's own thread. Shadowing ``print`` in that one module keeps the session's
    # terminal clean without swapping sys.stdout under other threads.
    driver = sys.modules.get("pyttsx3.drivers.espeak")
    if driver is not None:
        driver.print = _ignore  # type: ignore[attr-defined]


def _ignore(*args: object, **kwargs: object) -> None:
    return None


# ----------------------------------------------------------------------------- espeak-ng CLI


class EspeakCliBackend:
    """The ``espeak-ng`` program: slower to start per cue, but independent of pyttsx3."""

    name = "espeak-ng"

    def __init__(self) -> None:
        from shutil import which  # here: a warm start makes no backend

        program = which("espeak-ng") or which("espeak")
        if program is None:
            raise SpeechUnavailable("no espeak-ng command found", "apt-get install espeak-ng")
        self._program = program
        self.detail = f"espeak-ng command ({program})"
        self.identity = f"espeak-ng-cli/{Path(program).name}"

    def voices(self) -> list[VoiceInfo]:
        import subprocess

        result = subprocess.run(
            [self._program, "--voices"], capture_output=True, text=True, timeout=30, check=False
        )
        return [v for v in map(self._parse_voice_line, result.stdout.splitlines()[1:]) if v]

    def _parse_voice_line(self, line: str) -> VoiceInfo | None:
        # Columns: Pty Language Age/Gender VoiceName File Other-Languages
        parts = line.split()
        if len(parts) < 5:
            return None
        others = tuple(p.strip("()") for p in parts[5:] if not p.strip("()").isdigit())
        return VoiceInfo(
            id=parts[4],
            name=parts[3].replace("_", " "),
            languages=(parts[1], *others),
            backend=self.name,
        )

    def synthesize(self, text: str, path: Path, spec: VoiceSpec, timeout: float) -> None:
        command = [self._program, "--stdin", "-w", str(path), "-s", str(spec.rate)]
        command += ["-a", str(round(spec.volume * 100))]
        if spec.voice:
            command += ["-v", spec.voice]
        _speak_with("espeak-ng", command, text, timeout)


# ----------------------------------------------------------------------------- macOS say


class SayBackend:
    """macOS's own voices through its ``say`` command (pyttsx3 would need pyobjc there)."""

    name = "say"

    def __init__(self) -> None:
        from shutil import which

        program = which("say") if sys.platform == "darwin" else None
        if program is None:
            raise SpeechUnavailable("no macOS 'say' command here", "use another voice backend")
        self._program = program
        self.detail = f"macOS say ({program})"
        self.identity = "say"

    def voices(self) -> list[VoiceInfo]:
        import subprocess

        result = subprocess.run(
            [self._program, "-v", "?"], capture_output=True, text=True, timeout=30, check=False
        )
        found = []
        for line in result.stdout.splitlines():
            # "Samantha            en_US    # Hello, my name is Samantha."
            described = line.split("#", 1)[0].split()
            if len(described) >= 2:
                name, language = " ".join(described[:-1]), described[-1]
                languages = (language.replace("_", "-").lower(), language.split("_")[0].lower())
                found.append(VoiceInfo(id=name, name=name, languages=languages, backend=self.name))
        return found

    def synthesize(self, text: str, path: Path, spec: VoiceSpec, timeout: float) -> None:
        command = [self._program, "-o", str(path), "--file-format=WAVE"]
        command += ["--data-format=LEI16@22050", "-r", str(spec.rate)]
        if spec.voice:
            command += ["-v", spec.voice]
        # The volume is an embedded speech command: say has no option for it.
        spoken = f"[[volm {spec.volume:.2f}]] {text}"
        _speak_with("say", command, spoken, timeout)


def _speak_with(program: str, command: list[str], text: str, timeout: float) -> None:
    """Run a speech program that reads ``text`` on its standard input.

    :raises SpeechFailed: it could not run, took longer than ``timeout`` or failed, in
        one line with the first line it wrote on stderr.
    """
    import subprocess  # only to render: a cached session never starts a program

    try:
        result = subprocess.run(
            command, input=text, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise SpeechFailed(f"{program} did not finish within {timeout:.0f} s") from None
    except OSError as exc:
        raise SpeechFailed(f"{program} could not run: {exc}") from None
    if result.returncode != 0:
        message = (result.stderr.strip().splitlines() or [f"exit code {result.returncode}"])[0]
        raise SpeechFailed(f"{program}: {message}")


#: The engines shipped here; ranks leave room before them for neural voices.
BUILTIN: tuple[BackendEntry, ...] = (
    BackendEntry(name="pyttsx3", open=Pyttsx3Backend, rank=20),
    BackendEntry(name="say", open=SayBackend, rank=25),
    BackendEntry(name="espeak-ng", open=EspeakCliBackend, rank=30),
)


def registry() -> dict[str, BackendEntry]:
    """Every backend that can be tried, best first: the built-in ones and the installed ones.

    An installed backend whose plugin is blocked (``GLUTEKIT_BLOCK_PLUGINS``, by the entry
    point's name) is left out, and so is one whose entry point fails to load: it is then
    missing as if it were not installed.
    """
    from glutekit.host.plugins import ENV_BLOCK

    block = {part.strip() for part in os.environ.get(ENV_BLOCK, "").replace(";", ",").split(",")}
    return dict(_installed(frozenset(block)))


@functools.lru_cache(maxsize=8)
def _installed(block: frozenset[str]) -> tuple[tuple[str, BackendEntry], ...]:
    """:func:`registry`, read once per process (and block list), from the entry points
    glutekit keeps between starts: reading every installed distribution's metadata was
    a measurable part of a cached session's start."""
    from glutekit.host.entrypoints import entry_points

    found = {entry.name: entry for entry in BUILTIN}
    for point in entry_points(ENTRY_POINT_GROUP):
        if point.name in block or point.name in found:
            continue
        try:
            entry = point.load()
        except Exception:  # a broken plugin must not silence the voices that work
            continue
        if isinstance(entry, BackendEntry):
            found[entry.name] = entry
    return tuple(sorted(found.items(), key=lambda item: (item[1].rank, item[0])))


def backend_names() -> list[str]:
    """Names of the backends to try with ``--voice-backend auto``, best first."""
    return list(registry())


def open_backend(name: str) -> SpeechBackend:
    """Open backend ``name``.

    :raises SpeechUnavailable: when it is not installed or cannot start.
    """
    entry = registry().get(name)
    if entry is None:
        raise SpeechUnavailable(
            f"no speech backend '{name}' is installed",
            "install the plugin that provides it (Piper: pip install ./plugins/glutekit-piper "
            "from a glutekit checkout), or use --voice-backend auto",
        )
    return entry.open()


def backend_for_model(text: str) -> str | None:
    """The backend whose voice models end like ``text`` (a path to a model file), if any."""
    lowered = text.lower()
    for entry in registry().values():
        if any(lowered.endswith(suffix) for suffix in entry.model_suffixes):
            return entry.name
    return None
