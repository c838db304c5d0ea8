"""Attacks on what glutekit stores and writes: caches, config, pack images, pip, history.

Each case builds its situation from scratch in the fresh HOME every test gets (real
symbolic links, a real full disk, real concurrent processes) and runs the real
``glutekit`` command line against it. Each test's docstring names the item of
issue 27 it covers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_glutekit

# Every test here works on caches and folders of its own (cache clear, symlinked and
# foreign cache folders): none may use, or clear, the run's shared voice cache.
pytestmark = pytest.mark.own_voice_cache


def _one_line(stderr: str, needle: str) -> str:
    """The single stderr line holding ``needle``; no traceback anywhere."""
    assert "Traceback" not in stderr, stderr
    assert "internal error" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if needle in line]
    assert len(lines) == 1, stderr
    return lines[0]


def _home() -> Path:
    return Path(os.environ["HOME"])


def _cache_root() -> Path:
    return Path(os.environ["XDG_CACHE_HOME"]) / "glutekit"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# ----------------------------------------------------------------------------- the caches

CUE = "0123456789abcdef0123456789abcdef01234567"  # a cue's name: 40 hex digits
COMPILED = "0123456789abcdef0123456789abcdef"  # a compiled catalog's: 32


def _user_music(folder: Path) -> dict[str, bytes]:
    """A user's folder, with files that look like cache files, and companions by stem."""
    folder.mkdir(parents=True)
    for name in ("song.wav", "song.flac", "precious.txt", "precious.sha256", "precious.wav"):
        (folder / name).write_bytes(f"the user's {name}".encode())
    for name in (f"{CUE}.wav", f"{CUE}.sha256", f"{COMPILED}.sqlite", "stat-keys.json"):
        (folder / name).write_bytes(b"made by the user, named like glutekit's")
    return _snapshot(folder)


def test_cache_clear_does_not_follow_a_symlinked_voice_or_catalog_folder() -> None:
    """issue 27 item 1: a symlinked cache folder is never followed; the user's files stay."""
    music = _home() / "Music"
    kept = _user_music(music)
    _cache_root().mkdir(parents=True)
    for sub in ("voice", "catalog"):
        link = _cache_root() / sub
        link.symlink_to(music, target_is_directory=True)
        done = run_glutekit("cache", "clear")
        assert done.returncode == 0, done.stderr
        line = _one_line(done.stderr, f"left the {sub} cache alone")
        assert str(link) in line and "symbolic link" in line and str(music) in line
        assert "removed 0 voice cue(s)" in done.stderr
        assert _snapshot(music) == kept
        assert not (music / "CACHEDIR.TAG").exists()
        link.unlink()


def test_cache_clear_in_a_user_folder_named_by_the_variable_deletes_nothing_of_theirs() -> None:
    """issue 27 item 1: GLUTEKIT_CACHE_DIR at a user's folder: nothing of theirs goes."""
    stuff = _home() / "Stuff"
    kept_voice = _user_music(stuff / "voice")
    kept_catalog = _user_music(stuff / "catalog")
    (stuff / "validated.json").write_text('{"my": "notes"}')
    done = run_glutekit("cache", "clear", env={"GLUTEKIT_CACHE_DIR": str(stuff)})
    assert done.returncode == 0, done.stderr
    _one_line(done.stderr, f"{stuff / 'voice'} holds files glutekit did not make")
    _one_line(done.stderr, f"{stuff / 'catalog'} holds files glutekit did not make")
    _one_line(done.stderr, f"{stuff / 'validated.json'} is not a file glutekit wrote")
    assert _snapshot(stuff / "voice") == kept_voice
    assert _snapshot(stuff / "catalog") == kept_catalog
    assert (stuff / "validated.json").read_text() == '{"my": "notes"}'


def test_cache_clear_deletes_glutekit_s_own_files_and_not_others_by_stem() -> None:
    """issue 27 item 1: only glutekit's names go; a cue's checksum, not every file of its stem."""
    assert run_glutekit("routines").returncode == 0  # compiles the catalog into its cache
    assert (_cache_root() / "catalog" / "CACHEDIR.TAG").read_text().startswith("Signature: ")
    voice = _cache_root() / "voice"
    voice.mkdir(parents=True)
    (voice / f"{CUE}.wav").write_bytes(b"RIFF" + bytes(2000))
    (voice / f"{CUE}.sha256").write_text("digest\n")
    first = run_glutekit("cache", "clear")  # a cache from before the marker: adopted
    assert first.returncode == 0, first.stderr
    assert "removed 1 voice cue(s)" in first.stderr
    assert sorted(p.name for p in voice.iterdir()) == ["CACHEDIR.TAG"]
    (voice / f"{CUE}.wav").write_bytes(b"RIFF" + bytes(2000))
    (voice / f"{CUE}.sha256").write_text("digest\n")
    (voice / f"{CUE}.txt").write_text("a note the user left here")
    (voice / "notes").mkdir()
    again = run_glutekit("cache", "clear")  # marked: glutekit's names go, the rest stays
    assert again.returncode == 0, again.stderr
    assert "removed 1 voice cue(s)" in again.stderr
    assert {p.name for p in voice.iterdir()} == {"CACHEDIR.TAG", f"{CUE}.txt", "notes"}


def test_a_folder_named_validated_json_is_left_with_one_line() -> None:
    """issue 27 item 11: validated.json being a folder is one line, not an internal error."""
    folder = _cache_root() / "validated.json"
    folder.mkdir(parents=True)
    (folder / "inside").write_text("kept")
    done = run_glutekit("cache", "clear")
    assert done.returncode == 0, done.stderr
    _one_line(done.stderr, f"left the validation cache alone: {folder} is a folder")
    assert (folder / "inside").read_text() == "kept"
    shown = run_glutekit("cache", "info", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["validation"]["bytes"] == 0


def test_a_cache_dir_that_is_dev_null_is_one_line() -> None:
    """issue 27 item 11: GLUTEKIT_CACHE_DIR=/dev/null: cache clear says so in one line."""
    env = {"GLUTEKIT_CACHE_DIR": "/dev/null"}
    done = run_glutekit("cache", "clear", env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    _one_line(done.stderr, "the cache folder /dev/null (GLUTEKIT_CACHE_DIR) is not a folder")
    shown = run_glutekit("cache", "info", env=env)
    assert shown.returncode == 0, shown.stderr
    assert "Traceback" not in shown.stderr


# ----------------------------------------------------------------------------- the config file


def _config_file() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "glutekit" / "config.toml"


def _read_toml(path: Path) -> dict[str, object]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

    return dict(tomllib.loads(path.read_text(encoding="utf-8")))


HAND_EDITED = """\
# my preferences, by hand
output = [
  "console",
]
paper = "letter"  # for the printer at work
voice = \"\"\"
rate = 1
en_US\"\"\"
"""


def test_config_set_keeps_a_hand_edited_file_with_multi_line_values() -> None:
    """issue 27 item 2: config set rewrites one key and leaves multi-line values whole."""
    path = _config_file()
    path.parent.mkdir(parents=True)
    path.write_text(HAND_EDITED, encoding="utf-8")
    voice_before = _read_toml(path)["voice"]
    for key, value in (("rate", "150"), ("output", "voice,console"), ("paper", "a4")):
        done = run_glutekit("config", "set", key, value)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
    after = _read_toml(path)
    assert after["output"] == ["voice", "console"]
    assert after["rate"] == 150 and after["paper"] == "a4"
    assert after["voice"] == voice_before  # the line 'rate = 1' inside the string stays
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# my preferences, by hand\n")
    assert '  "console",\n]' not in text  # no piece of the old array left behind
    assert run_glutekit("config", "unset", "output").returncode == 0
    assert "output" not in _read_toml(path)
    listed = run_glutekit("config", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert run_glutekit("routines").returncode == 0


def test_infinite_and_overflowing_numbers_in_the_config_are_one_line() -> None:
    """issue 27 item 8: rate = inf, 1e400, voice_cache_mb = inf name the file and key."""
    path = _config_file()
    path.parent.mkdir(parents=True)
    for key, value in (("rate", "inf"), ("rate", "1e400"), ("voice_cache_mb", "inf"),
                       ("voice_cache_mb", "-inf"), ("volume", "nan")):  # fmt: skip
        path.write_text(f"{key} = {value}\n")
        for args in (["routines"], ["cache", "info"]):
            done = run_glutekit(*args)
            assert done.returncode == 2, (args, value, done.stderr)
            _one_line(done.stderr, f"{path}: {key}: must be")
        # The config commands warn in the same words and keep working, to mend the file.
        listed = run_glutekit("config", "list")
        assert listed.returncode == 0, (value, listed.stderr)
        _one_line(listed.stderr, f"{path}: {key}: must be")
        mended = run_glutekit("config", "unset", key)
        assert mended.returncode == 0, (value, mended.stderr)
        assert key not in path.read_text()


def test_a_config_nested_fifty_thousand_levels_deep_is_one_line() -> None:
    """issue 27 item 9: deep nesting under the size limit is refused in one line."""
    path = _config_file()
    path.parent.mkdir(parents=True)
    path.write_text("output = " + "[" * 50_000 + "]" * 50_000 + "\n")
    for args in (["routines"], ["config", "set", "rate", "150"], ["config", "list"]):
        done = run_glutekit(*args)
        # config list warns and shows the defaults, so the file can be found and mended.
        assert done.returncode == (0 if args[1:] == ["list"] else 2), (args, done.stderr)
        _one_line(done.stderr, f"{path}: not a valid TOML file: nested too deeply")


def test_a_config_folder_that_is_not_a_folder_is_one_line(tmp_path: Path) -> None:
    """issue 27 item 10: config set with the config folder a file or /dev/null."""
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    default = _config_file().parent
    default.parent.mkdir(parents=True)
    default.write_text("a file where the config folder goes")
    for folder, env in (
        (Path("/dev/null"), {"GLUTEKIT_CONFIG_DIR": "/dev/null"}),
        (a_file, {"GLUTEKIT_CONFIG_DIR": str(a_file)}),
        (default, {}),
    ):
        done = run_glutekit("config", "set", "rate", "150", env=env)
        assert done.returncode == 1, (folder, done.stdout, done.stderr)
        _one_line(done.stderr, f"cannot write the config file {folder / 'config.toml'}: "
                  f"{folder} is not a folder")  # fmt: skip
        assert run_glutekit("config", "unset", "rate", env=env).returncode == 0
        assert run_glutekit("routines", env=env).returncode == 0
    assert a_file.read_text() == "not a folder"


def test_a_config_file_that_is_a_symlink_loop_is_one_line() -> None:
    """issue 27 item 10: config.toml a symbolic link loop: every command says so in one line."""
    path = _config_file()
    path.parent.mkdir(parents=True)
    path.symlink_to(path.name)
    for args in (["config", "set", "rate", "150"], ["config", "list"], ["routines"]):
        done = run_glutekit(*args)
        assert done.returncode == (0 if args[1:] == ["list"] else 2), (args, done.stderr)
        _one_line(done.stderr, f"{path} (the config file): cannot read: ")
    assert path.is_symlink() and os.readlink(path) == path.name


# ----------------------------------------------------------------------------- install and uninstall


def _recording_pip(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """An environment whose ``python -m pip`` only records its arguments (nothing installs)."""
    fake = tmp_path / "fake-pip" / "pip"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    log = tmp_path / "pip-calls.jsonl"
    (fake / "__main__.py").write_text(
        "import json, os, sys\n"
        "with open(os.environ['RECORD_PIP_TO'], 'a') as f:\n"
        "    f.write(json.dumps(sys.argv[1:]) + '\\n')\n"
    )
    path = os.pathsep.join(filter(None, [str(fake.parent), os.environ.get("PYTHONPATH")]))
    return {"PYTHONPATH": path, "RECORD_PIP_TO": str(log)}, log


def _pip_calls(log: Path) -> list[list[str]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_install_never_passes_the_user_s_arguments_to_pip_as_options(tmp_path: Path) -> None:
    """issue 27 item 6: -r FILE, --index-url=, --target= never reach pip as options."""
    env, log = _recording_pip(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-LINE-42\n")
    attacks = [
        ["install", "--", "-r", str(secret)],
        ["install", "--", "--index-url=http://127.0.0.1:9/simple", "glutekit-hip-flexors"],
        ["install", "--", f"--target={tmp_path / 'elsewhere'}", "glutekit-hip-flexors"],
        ["install", "--editable=-rfoo", "glutekit-hip-flexors"],
        ["uninstall", "--", "-r", str(secret)],
    ]
    for args in attacks:
        done = run_glutekit(*args, env=env)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        _one_line(done.stderr, "starts with '-'; glutekit passes no options of yours")
        assert "SECRET-LINE-42" not in done.stdout + done.stderr
    assert _pip_calls(log) == []
    assert not (tmp_path / "elsewhere").exists()
    ok = run_glutekit("install", "glutekit-hip-flexors", env=env)
    assert ok.returncode == 0, ok.stderr
    assert _pip_calls(log) == [["install", "--", "glutekit-hip-flexors"]]


def test_uninstall_refuses_glutekit_and_what_it_needs(tmp_path: Path) -> None:
    """issue 27 item 6: uninstall 'glutekit==0.1.0' or a dependency is refused in one line."""
    env, log = _recording_pip(tmp_path)
    for package in ("glutekit==0.1.0", "GluteKit", "glutekit[listen]"):
        done = run_glutekit("uninstall", "-y", package, env=env)
        assert done.returncode == 1, (package, done.stderr)
        _one_line(done.stderr, "glutekit cannot uninstall itself")
    for package in ("click", "Click>=8", "platformdirs", "tomlkit", "pluggy"):
        done = run_glutekit("uninstall", "-y", package, env=env)
        assert done.returncode == 1, (package, done.stderr)
        _one_line(done.stderr, f"'{package}' is not uninstalled: glutekit needs it to run")
    # Only plugins: pip's own tools and anything else that adds nothing to glutekit stay,
    # and a name that is not installed is said so (pip would only warn and exit 0).
    for package, said in (
        ("pip", "'pip' is not a glutekit plugin"),
        ("setuptools", "'setuptools' is not a glutekit plugin"),
        ("nosuch-pack-xyz", "'nosuch-pack-xyz' is not installed here"),
    ):
        done = run_glutekit("uninstall", "-y", package, env=env)
        assert done.returncode == 1, (package, done.stderr)
        _one_line(done.stderr, said)
    # Without a terminal to answer pip's question, --yes is needed (pip would end in a
    # traceback reading the answer).
    unattended = run_glutekit("uninstall", "glutekit-piper", env=env, input="")
    assert unattended.returncode == 2, unattended.stderr
    _one_line(unattended.stderr, "add --yes to run it unattended")
    assert _pip_calls(log) == []
    ok = run_glutekit("uninstall", "-y", "glutekit-piper", env=env)
    assert ok.returncode == 0, ok.stderr
    assert _pip_calls(log) == [["uninstall", "--yes", "--", "glutekit-piper"]]


# ----------------------------------------------------------------------------- pack vocabulary


def _synonym_pack(folder: Path) -> Path:
    """A plugin module whose pack gives the built-in synonym 'glute_med' to its own muscle."""
    folder.mkdir(parents=True, exist_ok=True)
    pack = {
        "id": "takeover",
        "name": "Takeover",
        "version": "1.0",
        "license": "CC0-1.0",
        "vocabulary": {
            "muscles": [
                {"id": "side_hip", "label": "Side of the hip", "region": "hip",
                 "synonyms": ["glute_med"]},
            ]
        },
        "exercises": [
            {
                "id": "side-squeeze",
                "name": "Side squeeze",
                "kind": "activation",
                "targets": {"primary": ["side_hip"]},
                "instructions": ["Squeeze the side of the hip."],
            }
        ],
    }  # fmt: skip
    path = folder / "takeover.json"
    path.write_text(json.dumps(pack, indent=1), encoding="utf-8")
    (folder / "takeover_plugin.py").write_text(
        "from pathlib import Path\n"
        "import glutekit\n\n\n"
        "@glutekit.hookimpl\n"
        "def glutekit_exercise_packs():\n"
        "    return [str(Path(__file__).with_name('takeover.json'))]\n"
    )
    return path


def test_a_pack_synonym_cannot_take_over_a_built_in_word(tmp_path: Path) -> None:
    """issue 27 item 5: a pack's synonym that is a built-in word fails validate; nothing is taken."""
    pack = _synonym_pack(tmp_path / "plugin")
    checked = run_glutekit("validate", pack)
    assert checked.returncode == 2, checked.stdout + checked.stderr
    line = _one_line(checked.stderr, "/vocabulary/muscles/0/synonyms/0")
    assert line.startswith(f"{pack}:")
    assert "'glute_med' already means the built-in muscle 'gluteus_medius'" in line
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(pack.parent),
                                                      os.environ.get("PYTHONPATH")]))}  # fmt: skip
    listed = run_glutekit(
        "-p", "takeover_plugin", "exercises", "--target", "glute_med", "--json", env=env
    )
    assert listed.returncode == 0, listed.stderr
    found = {e["id"] for e in json.loads(listed.stdout)}
    assert found and not any(i.startswith("takeover:") for i in found)
    assert all("gluteus_medius" in e["primary"] for e in json.loads(listed.stdout))
    _one_line(listed.stderr, "returned an invalid pack")


def test_two_packs_cannot_share_one_synonym_in_the_merged_vocabulary() -> None:
    """issue 27 item 5: merging, a synonym already taken is left out and reported."""
    from glutekit.catalog.vocabulary import Term, builtin

    merged, conflicts = builtin().with_terms(
        [
            ("muscles", Term(id="side_hip", label="Side hip", synonyms=("glute_med",), pack="a")),
            ("muscles", Term(id="hip_side", label="Hip side", synonyms=("sidey",), pack="a")),
            ("muscles", Term(id="other", label="Other", synonyms=("sidey",), pack="b")),
        ]
    )
    assert merged.resolve("muscles", "glute_med", "--target") == "gluteus_medius"
    assert merged.resolve("muscles", "sidey", "--target") == "hip_side"
    assert len(conflicts) == 2
    assert "'glute_med' of pack 'a' already means 'gluteus_medius'" in conflicts[0]
    assert "'sidey' of pack 'b' already means 'hip_side' (pack 'a')" in conflicts[1]


# ----------------------------------------------------------------------------- pack pictures in PDFs

CLEAN_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="100" height="100">'
    '<circle cx="50" cy="50" r="40" fill="#222"/></svg>'
)


def _svg_with_image(href: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'viewBox="0 0 100 100" width="100" height="100">'
        f'<image x="0" y="0" width="100" height="100" href="{href}"/></svg>'
    )


def _png(path: Path, width: int, height: int) -> None:
    from PIL import Image

    Image.new("RGB", (width, height), (200, 30, 30)).save(path)


def _picture_pack(folder: Path) -> Path:
    """A plugin whose pack draws its one exercise with figures/pose.svg; a routine using it."""
    (folder / "figures").mkdir(parents=True)
    pack = {
        "id": "leak",
        "name": "Leak",
        "version": "1.0",
        "license": "CC0-1.0",
        "exercises": [
            {
                "id": "pose",
                "name": "Pose",
                "kind": "stretch",
                "targets": {"primary": ["gluteus_maximus"]},
                "position": "supine",
                "instructions": ["Lie on your back and breathe."],
                "figure": "figures/pose.svg",
            }
        ],
    }
    (folder / "leak.json").write_text(json.dumps(pack), encoding="utf-8")
    (folder / "figures" / "pose.svg").write_text(CLEAN_SVG)
    (folder / "leak_plugin.py").write_text(
        "from pathlib import Path\n"
        "import glutekit\n\n\n"
        "@glutekit.hookimpl\n"
        "def glutekit_exercise_packs():\n"
        "    return [str(Path(__file__).with_name('leak.json'))]\n"
    )
    routine = {
        "id": "leak-routine",
        "title": "Leak routine",
        "steps": [{"exercise": "leak:pose"}],
    }
    (folder / "routine.json").write_text(json.dumps(routine), encoding="utf-8")
    return folder / "leak.json"


def _plugin_env(folder: Path) -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))
    return {"PYTHONPATH": path}


def test_an_svg_that_uses_files_outside_its_pack_fails_validate(tmp_path: Path) -> None:
    """issue 27 item 4: an SVG referring outside the pack (a file, a URL) is one line in validate."""
    pack = _picture_pack(tmp_path / "plugin")
    secret = tmp_path / "secret.png"
    _png(secret, 37, 23)
    inside = pack.parent / "figures" / "ok.png"
    _png(inside, 5, 5)
    svg = pack.parent / "figures" / "pose.svg"
    for href in (str(secret), "../../secret.png", "https://tracker.example/beacon.png",
                 "file:///etc/hostname"):  # fmt: skip
        svg.write_text(_svg_with_image(href))
        done = run_glutekit("validate", pack)
        assert done.returncode == 2, (href, done.stdout, done.stderr)
        line = _one_line(done.stderr, "/exercises/0/figure")
        assert line.startswith(f"{pack}:")
        assert f"'figures/pose.svg' refers to '{href}'" in line
    svg.write_text(_svg_with_image(str(secret)))
    checked = run_glutekit("check-pack", pack)
    assert checked.returncode == 2, checked.stdout + checked.stderr
    line = _one_line(checked.stdout + checked.stderr, "/exercises/0/figure")
    assert "leak.json:1:" in line and f"'figures/pose.svg' refers to '{secret}'" in line
    svg.write_text(_svg_with_image("ok.png"))  # a file inside the pack is allowed
    done = run_glutekit("validate", pack)
    assert done.returncode == 0, done.stderr


def test_a_pdf_never_embeds_a_file_from_outside_the_pack(tmp_path: Path) -> None:
    """issue 27 item 4: an SVG changed after validation still cannot pull an outside file in."""
    pack = _picture_pack(tmp_path / "plugin")
    env = _plugin_env(pack.parent)
    routine = pack.parent / "routine.json"
    secret = tmp_path / "secret.png"
    _png(secret, 37, 23)
    clean = tmp_path / "clean.pdf"
    done = run_glutekit("-p", "leak_plugin", "export", routine, "--cards", "-o", clean, env=env)
    assert done.returncode == 0, done.stderr  # validated and cached as valid
    # The pack file is unchanged, so the validation cache still trusts it.
    svg = pack.parent / "figures" / "pose.svg"
    svg.write_text(_svg_with_image(str(secret)))
    out = tmp_path / "cards.pdf"
    done = run_glutekit("-p", "leak_plugin", "export", routine, "--cards", "-o", out, env=env)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    assert b"/Width 37" not in data and b"/Height 23" not in data
    # An image inside the pack, used by the SVG, is printed.
    _png(pack.parent / "figures" / "inside.png", 41, 29)
    svg.write_text(_svg_with_image("inside.png"))
    done = run_glutekit("-p", "leak_plugin", "export", routine, "--cards", "-o", out, env=env)
    assert done.returncode == 0, done.stderr
    assert b"/Width 41" in out.read_bytes()


# ----------------------------------------------------------------------------- history


def _holds(db_path: Path, sql: str = "SELECT count(*) FROM holds") -> int:
    import sqlite3

    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return 0
    try:
        return int(conn.execute(sql).fetchone()[0])
    except sqlite3.Error:
        return 0
    finally:
        conn.close()


def _run_process(data: Path, *extra: str, speed: str = "100") -> subprocess.Popen[str]:
    env = {**os.environ, "GLUTEKIT_DATA_DIR": str(data)}
    command = [sys.executable, "-m", "glutekit", "run", "quick-five", "--speed", speed]
    return subprocess.Popen(
        [*command, "--no-voice", *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _interrupted_session(data: Path, after_holds: int = 2) -> int:
    """Run quick-five and stop it with Ctrl-C (SIGINT) once it has recorded some holds."""
    import signal
    import time

    proc = _run_process(data)
    give_up = time.monotonic() + 60
    while _holds(data / "history.sqlite3") < after_holds and time.monotonic() < give_up:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert "Traceback" not in stderr, stderr
    done = _holds(data / "history.sqlite3")
    assert after_holds <= done < 6, done
    return done


def test_two_resumes_at_the_same_moment_resume_once(tmp_path: Path) -> None:
    """issue 27 item 7: of two concurrent run --resume exactly one continues; the other says so."""
    for attempt in range(3):
        data = tmp_path / f"data-{attempt}"
        _interrupted_session(data)
        racers = [_run_process(data, "--resume", speed="60") for _ in range(2)]
        results = [(p.wait(timeout=120), *p.communicate()) for p in racers]
        winners = [r for r in results if r[0] == 0]
        losers = [r for r in results if r[0] != 0]
        assert len(winners) == 1 and len(losers) == 1, results
        code, _, stderr = losers[0]
        assert code == 2, stderr
        line = _one_line(stderr, "glutekit: error:")
        assert "cannot resume: another glutekit is resuming" in line or (
            "nothing to resume" in line and "finished" in line
        ), line
        assert stderr.strip() == line
        db = data / "history.sqlite3"
        duplicated = (
            "SELECT count(*) FROM (SELECT exercise, side, set_number, step_path, round"
            " FROM holds GROUP BY 1, 2, 3, 4, 5 HAVING count(*) > 1)"
        )
        assert _holds(db, duplicated) == 0
        assert _holds(db, "SELECT count(*) FROM sessions") == 2


def test_holds_done_while_the_disk_is_full_are_kept_for_later(tmp_path: Path) -> None:
    """issue 27 item 3: a disk that fills mid-session loses no hold; the next run adds them."""
    import time

    from tests.faults import fill, small_disk

    with small_disk(tmp_path / "disk", "2m") as disk:
        data = disk / "data"
        db = data / "history.sqlite3"
        proc = _run_process(data, speed="60")
        give_up = time.monotonic() + 60
        while _holds(db) < 1 and time.monotonic() < give_up:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.02)
        filler = fill(disk)
        stdout, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr
        assert "Traceback" not in stderr, stderr
        assert stdout.rstrip().splitlines()[-1].startswith("Finished in"), stdout
        _one_line(stderr, "is full; free some space")
        kept = _one_line(stderr, "will be added on the next run")
        assert "the disk holding the database was full" in kept
        assert _holds(db) < 6  # the holds done while full are not in the database yet
        filler.unlink()
        again = run_glutekit(*RUN_FAST, env={"GLUTEKIT_DATA_DIR": str(data)})
        assert again.returncode == 0, again.stderr
        _one_line(again.stderr, "record(s) kept from an earlier session")
        sessions = _holds(db, "SELECT count(*) FROM sessions")
        assert sessions == 2
        first = _holds(db, "SELECT count(*) FROM holds WHERE session_id = 1")
        second = _holds(db, "SELECT count(*) FROM holds WHERE session_id = 2")
        assert first == second == 6
        status = "SELECT count(*) FROM sessions WHERE id = 1 AND status = 'finished'"
        assert _holds(db, status) == 1
        pending = data / "history-pending"
        assert not pending.exists() or list(pending.iterdir()) == []


RUN_FAST = ["run", "quick-five", "--speed", "1000", "--no-voice"]


def test_the_room_a_killed_session_set_aside_is_freed_by_the_next_run(tmp_path: Path) -> None:
    """issue 27 item 3: the reserve of a session killed with SIGKILL does not stay for ever."""
    import signal
    import time

    data = tmp_path / "data"
    proc = _run_process(data, speed="60")
    give_up = time.monotonic() + 60
    while _holds(data / "history.sqlite3") < 1 and time.monotonic() < give_up:
        time.sleep(0.02)
    reserves = list((data / "history-pending").glob("*.reserve"))
    assert len(reserves) == 1  # set aside while the session plays
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert reserves[0].exists()
    done = run_glutekit(*RUN_FAST, env={"GLUTEKIT_DATA_DIR": str(data)})
    assert done.returncode == 0, done.stderr
    assert list((data / "history-pending").iterdir()) == []
