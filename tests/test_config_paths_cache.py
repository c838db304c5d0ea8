"""``glutekit config``, ``glutekit paths`` and ``glutekit cache``, and the voice cache's cap."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from glutekit import paths
from glutekit.caches import folders as cache
from glutekit.config import load

RUN_PDF = ("export", "quick-five", "--format", "pdf")


def _backends(result: Any) -> set[str]:
    assert result.exit_code == 0, result.output
    return {v["backend"] for v in json.loads(result.stdout)}


def test_option_beats_variable_beats_config_file_beats_default(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert {"piper", "pyttsx3"} <= _backends(cli("voices", "--json"))  # default: every one
    assert cli("config", "set", "voice_backend", "espeak-ng").exit_code == 0
    assert _backends(cli("voices", "--json")) == {"espeak-ng"}
    monkeypatch.setenv("GLUTEKIT_VOICE_BACKEND", "pyttsx3")
    assert _backends(cli("voices", "--json")) == {"pyttsx3"}
    assert _backends(cli("voices", "--json", "--voice-backend", "espeak-ng")) == {"espeak-ng"}


def _page_points(pdf: Path) -> str:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return next(line for line in info.stdout.splitlines() if line.startswith("Page size:"))


def test_paper_from_the_config_file_reaches_the_pdf(cli: Any, tmp_path: Path) -> None:
    assert cli("config", "set", "paper", "letter").exit_code == 0
    assert cli(*RUN_PDF, "-o", tmp_path / "letter.pdf").exit_code == 0
    assert "612 x 792" in _page_points(tmp_path / "letter.pdf")
    assert cli(*RUN_PDF, "--paper", "a4", "-o", tmp_path / "a4.pdf").exit_code == 0
    assert "595" in _page_points(tmp_path / "a4.pdf")


def test_config_list_says_where_each_value_comes_from(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("config", "set", "rate", "150")
    monkeypatch.setenv("GLUTEKIT_VOLUME", "0.5")
    rows = {r["key"]: r for r in json.loads(cli("config", "list", "--json").stdout)}
    assert rows["rate"]["value"] == 150
    assert rows["rate"]["source"] == f"config file ({paths.config_path()})"
    assert rows["volume"] == {
        "key": "volume",
        "value": 0.5,
        "source": "environment (GLUTEKIT_VOLUME)",
    }
    assert rows["paper"] == {"key": "paper", "value": "a4", "source": "default"}
    assert cli("config", "get", "rate").stdout == "150\n"
    table = cli("config", "list").stdout
    assert "config file" in table and "environment (GLUTEKIT_VOLUME)" in table


def test_config_set_checks_the_value_and_keeps_comments(cli: Any) -> None:
    path = paths.config_path()
    path.parent.mkdir(parents=True)
    path.write_text("# my settings\npaper = 'letter'\n", encoding="utf-8")
    bad = cli("config", "set", "rate", "900")
    assert bad.exit_code == 2
    assert (
        bad.stderr.strip()
        == "glutekit: error: rate: must be words per minute from 80 to 450, got '900'"
    )
    typo = cli("config", "set", "ratte", "150")
    # Closest first ("breath_pace" is as near to "ratte" by letters, and comes after).
    assert typo.exit_code == 2 and "did you mean: rate" in typo.stderr
    assert cli("config", "set", "output", "console").exit_code == 0
    assert (
        path.read_text(encoding="utf-8")
        == "# my settings\npaper = 'letter'\noutput = [\"console\"]\n"
    )
    assert load(path) == {"paper": "letter", "output": ["console"]}
    assert cli("config", "unset", "paper").exit_code == 0
    assert load(path) == {"output": ["console"]}


def test_a_broken_config_file_is_one_line_naming_it_and_config_still_works(cli: Any) -> None:
    path = paths.config_path()
    path.parent.mkdir(parents=True)
    path.write_text("rate = [oops\n", encoding="utf-8")
    result = cli("routines")
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"glutekit: error: {path}: not a valid TOML file")
    assert cli("config", "path").stdout.strip() == str(path)
    path.write_text('volume = "loud"\n', encoding="utf-8")
    assert f"{path}: volume: must be a number" in cli("routines").stderr


def test_the_config_folder_moves_with_its_variable(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GLUTEKIT_CONFIG_DIR", str(tmp_path / "elsewhere"))
    cli("config", "set", "paper", "letter")
    assert (tmp_path / "elsewhere" / "config.toml").is_file()


@pytest.mark.own_voice_cache
def test_paths_lists_every_folder_and_its_variable(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GLUTEKIT_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("GLUTEKIT_DATA_DIR", str(tmp_path / "d"))
    shown = json.loads(cli("paths", "--json").stdout)
    assert shown["voice-cache"] == {
        "path": str(tmp_path / "c" / "voice"),
        "variable": "GLUTEKIT_CACHE_DIR",
        "what": "spoken cues as WAV",
    }
    assert shown["history"]["path"] == str(tmp_path / "d" / "history.sqlite3")
    assert shown["routines"]["path"] == str(tmp_path / "d" / "routines")
    assert shown["programs"]["path"] == str(tmp_path / "d" / "programs")
    assert {
        "config",
        "data",
        "history",
        "routines",
        "programs",
        "cache",
        "voice-cache",
        "validation-cache",
    } == set(shown)
    table = cli("paths").stdout
    assert str(tmp_path / "c" / "voice") in table and "GLUTEKIT_CACHE_DIR" in table


@pytest.mark.own_voice_cache
def test_the_voice_cache_alone_can_live_elsewhere(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GLUTEKIT_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("GLUTEKIT_VOICE_CACHE_DIR", str(tmp_path / "spoken"))
    shown = json.loads(cli("paths", "--json").stdout)
    assert shown["voice-cache"]["path"] == str(tmp_path / "spoken")
    assert shown["voice-cache"]["variable"] == "GLUTEKIT_VOICE_CACHE_DIR"
    assert shown["cache"]["path"] == str(tmp_path / "c")
    from glutekit_voice.render import CueRenderer
    from glutekit_voice.settings import VoiceSettings

    cue = CueRenderer(VoiceSettings(backend="espeak-ng")).render("Switch sides.")
    assert cue.path.parent == tmp_path / "spoken" and cue.path.is_file()
    assert not (tmp_path / "c" / "voice").exists()


def test_the_history_database_is_where_paths_says() -> None:
    from glutekit.history.db import default_path

    assert default_path() == paths.data_dir() / paths.HISTORY_NAME


@pytest.mark.parametrize(
    "variable", ["", "/abs/xdg", "/abs/xdg/", "relative/xdg", "   ", "~/tilde"]
)
@pytest.mark.parametrize("home", ["/home/someone", "/home/someone/", "/", "relative-home", None])
def test_the_folders_are_those_platformdirs_gives(
    monkeypatch: pytest.MonkeyPatch, variable: str, home: str | None
) -> None:
    """glutekit works out the XDG folders itself on Linux (platformdirs is slow to import)."""
    import platformdirs

    for name in ("GLUTEKIT_DATA_DIR", "GLUTEKIT_CACHE_DIR", "GLUTEKIT_CONFIG_DIR"):
        monkeypatch.delenv(name, raising=False)
    if home is None:
        monkeypatch.delenv("HOME", raising=False)
    else:
        monkeypatch.setenv("HOME", home)
    pairs = [
        ("XDG_DATA_HOME", paths.data_dir, platformdirs.user_data_dir),
        ("XDG_CACHE_HOME", paths.cache_dir, platformdirs.user_cache_dir),
        ("XDG_CONFIG_HOME", paths.config_dir, platformdirs.user_config_dir),
    ]
    for xdg, ours, theirs in pairs:
        monkeypatch.setenv(xdg, variable)
        try:
            expected: Path | type[Exception] = Path(theirs(paths.APP))
        except Exception as exc:  # no home to be found: whatever platformdirs raises
            expected = type(exc)
        if isinstance(expected, Path):
            assert ours() == expected, (xdg, variable, home)
        else:
            with pytest.raises(expected):
                ours()


def _fill(folder: Path, count: int, size: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for i in range(count):
        path = folder / f"{i:040x}.wav"  # named as glutekit names a cue
        path.write_bytes(b"x" * size)
        os.utime(path, (1_000_000 + i, 1_000_000 + i))  # 000 is the oldest
        made.append(path)
    return made


def test_trim_removes_the_least_recently_used_first_and_spares_the_session(tmp_path: Path) -> None:
    files = _fill(tmp_path, 10, 1000)
    for path in files:
        path.with_suffix(".sha256").write_text("checksum")  # a cue's companion file
    cache.touch(files[0])  # used just now: the newest
    removed = cache.trim(tmp_path, 5000, keep={files[1]}, kind=cache.VOICE)
    left = sorted(p.name for p in tmp_path.glob("*.wav"))
    assert removed.files == 5 and removed.bytes == 5000
    assert left == [files[i].name for i in (0, 1, 7, 8, 9)]
    # Each removed cue took its checksum with it; the kept ones keep theirs.
    assert sorted(p.stem for p in tmp_path.glob("*.sha256")) == [Path(n).stem for n in left]


@pytest.mark.own_voice_cache
def test_cache_info_and_clear(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _fill(paths.voice_cache_dir(), 3, 2 * 1024 * 1024)
    monkeypatch.setenv("GLUTEKIT_VOICE_CACHE_MB", "50")
    shown = json.loads(cli("cache", "info", "--json").stdout)
    assert shown["voice"]["files"] == 3
    assert shown["voice"]["bytes"] == 6 * 1024 * 1024
    assert shown["voice"]["limit_bytes"] == 50 * 1024 * 1024
    assert "6.0 MB" in cli("cache", "info").stdout
    index = paths.catalog_cache_dir() / "stat-keys.json"
    index.parent.mkdir(parents=True, exist_ok=True)
    index.write_text("{}")
    cleared = cli("cache", "clear")
    assert cleared.exit_code == 0 and cleared.stdout == ""
    assert "removed 3 voice cue(s) (6.0 MB)" in cleared.stderr
    assert not list(paths.voice_cache_dir().glob("*.wav"))
    assert not index.exists()  # the compiled catalogs' stat index goes with them


@pytest.mark.own_voice_cache
def test_rendering_cues_keeps_the_voice_cache_under_its_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from glutekit_voice.render import CueRenderer
    from glutekit_voice.settings import VoiceSettings

    folder = paths.voice_cache_dir()
    old = _fill(folder, 40, 100 * 1024)  # 4 MB of cues from an old voice setting
    monkeypatch.setenv("GLUTEKIT_VOICE_CACHE_MB", "1")
    renderer = CueRenderer(VoiceSettings.from_values({"voice_backend": "espeak-ng"}, env={}))
    rendered = renderer.render_all(["Breathe out slowly.", "Switch sides."])
    assert all(cue.path.is_file() for cue in rendered.values())
    assert cache.usage(folder, "*.wav").bytes <= 1024 * 1024
    assert not old[0].exists() and old[-1].exists()


@pytest.mark.own_voice_cache
def test_only_a_render_that_writes_a_cue_trims_the_voice_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from glutekit_voice.render import CueRenderer
    from glutekit_voice.settings import VoiceSettings

    trims: list[Path] = []
    real = cache.trim

    def counting(folder: Path, *args: Any, **kwargs: Any) -> Any:
        trims.append(folder)
        return real(folder, *args, **kwargs)

    monkeypatch.setattr(cache, "trim", counting)
    settings = VoiceSettings.from_values({"voice_backend": "espeak-ng"}, env={})
    texts = ["Breathe out slowly.", "Switch sides."]
    CueRenderer(settings).render_all(texts)
    assert trims == [paths.voice_cache_dir()]
    # A warm start writes nothing, so the folder cannot have grown: not listed again.
    warm = CueRenderer(settings)
    assert set(warm.render_all(texts)) == set(texts)
    assert trims == [paths.voice_cache_dir()]
    warm.render_all([*texts, "Relax your shoulders."])
    assert trims == [paths.voice_cache_dir()] * 2


def test_quiet_silences_messages_but_not_errors(glutekit_proc: Any, tmp_path: Path) -> None:
    quiet = glutekit_proc("--quiet", *RUN_PDF, "-o", tmp_path / "q.pdf")
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""
    assert (tmp_path / "q.pdf").is_file()
    failed = glutekit_proc("-q", "export", "no-such-routine")
    assert failed.returncode == 2 and "no-such-routine" in failed.stderr
    verbose = glutekit_proc("--verbose", *RUN_PDF, "-o", tmp_path / "v.pdf")
    assert verbose.returncode == 0
    assert "glutekit: catalog: " in verbose.stderr
    assert "glutekit: format pdf, written by plugin 'cards'" in verbose.stderr
    both = glutekit_proc("-q", "-v", "routines")
    assert both.returncode == 2 and "--quiet and --verbose" in both.stderr


def test_the_no_audio_line_is_said_once_and_quiet_silences_it(glutekit_proc: Any) -> None:
    from glutekit_voice.stream import AudioStream, NoAudioDevice

    try:
        AudioStream(speed=1.0).close()
        pytest.skip("this machine has an audio device, so there is no line to silence")
    except NoAudioDevice:
        pass
    run = ("run", "quick-five", "--speed", "200")
    said = glutekit_proc(*run)
    assert said.returncode == 0, said.stderr
    assert said.stderr.count("voice off:") == 1
    quiet = glutekit_proc("--quiet", *run)
    assert quiet.returncode == 0 and "voice off" not in quiet.stderr


def _first_announce(cli: Any, *args: str) -> str:
    lines = cli("transcript", "quick-five", *args).stdout.splitlines()
    return next(line for line in lines if "side first" in line)


def test_first_side_comes_from_the_option_or_the_config_file(cli: Any, tmp_path: Path) -> None:
    assert "right side first" in _first_announce(cli)
    assert "left side first" in _first_announce(cli, "--first-side", "left")
    assert cli("config", "set", "first_side", "left").exit_code == 0
    assert "left side first" in _first_announce(cli)
    assert "right side first" in _first_announce(cli, "--first-side", "right")
    out = tmp_path / "q.md"
    assert cli("export", "quick-five", "-o", out).exit_code == 0
    log = [line for line in out.read_text(encoding="utf-8").splitlines() if " — " in line]
    assert log[0].startswith("| Supine figure-four stretch — left |")
    assert log[1].startswith("| Supine figure-four stretch — right |")


@pytest.mark.own_voice_cache
def test_a_warm_render_marks_a_cue_used_only_when_it_was_not_for_an_hour(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The cache cap removes the least recently used cues first; marking each one used at
    every warm start changed every file's times, and so rewrote the verified list."""
    import time

    from glutekit_voice.render import USED_AGAIN_NS, CueRenderer
    from glutekit_voice.settings import VoiceSettings

    settings = VoiceSettings.from_values({"voice_backend": "espeak-ng"}, env={})
    texts = ["Breathe out slowly.", "Switch sides."]
    first = CueRenderer(settings).render_all(texts)
    CueRenderer(settings).render_all(texts)  # verified by hashing, listed as verified
    folder = paths.voice_cache_dir()
    listed = folder / "verified.json"
    before = {p: os.stat(p).st_mtime_ns for p in [*(c.path for c in first.values()), listed]}
    CueRenderer(settings).render_all(texts)
    assert {p: os.stat(p).st_mtime_ns for p in before} == before
    # An hour later, the same listed cues are marked used again.
    import glutekit_voice.render as render

    later = time.time_ns() + USED_AGAIN_NS + 60 * 10**9
    monkeypatch.setattr(render, "time_ns", lambda: later)
    CueRenderer(settings).render_all(texts)
    after = {p: os.stat(p).st_mtime_ns for p in before if p != listed}
    assert all(after[p] > before[p] for p in after)


@pytest.mark.own_voice_cache
def test_a_warm_start_looks_at_each_cached_cue_once_and_opens_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A warm start looked at every cached cue three times and opened each one for its
    length; once verified as listed, a cue's size says its length."""
    from glutekit_voice import cachecheck, wavfile
    from glutekit_voice.progress import render_with_progress
    from glutekit_voice.render import CueRenderer
    from glutekit_voice.settings import VoiceSettings

    settings = VoiceSettings.from_values({"voice_backend": "espeak-ng"}, env={})
    texts = ["Breathe out slowly.", "Switch sides.", "Rest."]
    cold = CueRenderer(settings).render_all(texts)
    lengths = {text: wavfile.seconds(cue.path) for text, cue in cold.items()}
    looked: list[Path] = []
    seen = cachecheck.Verified.seen

    def looking(path: Path) -> Any:
        looked.append(path)
        return seen(path)

    def opening(path: Path) -> Any:
        raise AssertionError(f"{path} was opened")

    monkeypatch.setattr(cachecheck.Verified, "seen", staticmethod(looking))
    monkeypatch.setattr(wavfile, "open_read", opening)
    warm = render_with_progress(CueRenderer(settings), texts)
    assert {text: cue.seconds for text, cue in warm.items()} == lengths
    assert sorted(looked) == sorted(cue.path for cue in cold.values())
