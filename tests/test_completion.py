"""Shell completion: the scripts load in a real shell, and Tab offers the right words."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from glutekit.host.offers import EXPORTERS
from glutekit.host.plugins import make_plugin_host
from tests.conftest import run_glutekit


def complete(line: str, shell: str = "bash") -> list[str]:
    """What glutekit offers for the last word of ``line``, as the shell script asks for it."""
    words = line.split(" ")
    env = {
        "_GLUTEKIT_COMPLETE": f"{shell}_complete",
        "COMP_WORDS": line,
        # bash and zsh say which word is being completed; fish passes the word itself.
        "COMP_CWORD": words[-1] if shell == "fish" else str(len(words) - 1),
    }
    proc = run_glutekit(env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    if shell == "bash":
        return [item.split(",", 1)[1] for item in proc.stdout.splitlines()]
    if shell == "zsh":  # type, value, help: three lines per item
        lines = proc.stdout.splitlines()
        return [lines[i + 1] for i in range(0, len(lines), 3)]
    return [item.split(",", 1)[1].split("\t")[0] for item in proc.stdout.splitlines()]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("glutekit run medius", ["medius-cycle"]),
        ("glutekit export quick-five --format ", None),  # the installed exporters' formats
        ("glutekit transcript quick", ["quick-five"]),
        ("glutekit show glutes:half", ["glutes:half-pigeon"]),
        (
            "glutekit compose --target gluteus_m",
            ["gluteus_maximus", "gluteus_medius", "gluteus_minimus"],
        ),
        # A target may be a body region as well as a muscle.
        ("glutekit compose --target thi", ["thigh"]),
        ("glutekit exercises --equipment tennis", ["tennis_ball"]),
        ("glutekit compose --avoid kneel", ["kneeling"]),
        ("glutekit compose --symptom outer", ["outer-hip"]),
        ("glutekit compose --strategy st", ["stretch"]),
        ("glutekit run --output con", ["console"]),
        ("glutekit config set pap", ["paper"]),
        ("glutekit exp", ["export"]),
        # A plugin's command (the web plugin's) and its options complete like built-ins.
        ("glutekit ser", ["serve"]),
        ("glutekit serve --l", ["--lan", "--listen"]),
        ("glutekit run --ev", ["--events"]),
        ("glutekit run quick-five --events ", ["jsonl"]),
    ],
)
def test_tab_offers_the_words_that_fit(line: str, expected: list[str] | None) -> None:
    if expected is None:
        expected = installed_formats()
    assert complete(line) == expected


def installed_formats() -> list[str]:
    """Every export format the installed plugins offer, asked of the plugin host directly."""
    host = make_plugin_host(autoload=True, only=None, block=(), strict=False, trace=False)
    formats = sorted(EXPORTERS.offered(host))
    # The formats glutekit itself ships are always there, whatever else is installed.
    assert {"html", "md", "pdf", "wav"} <= set(formats), formats
    return formats


def test_voices_complete_from_the_speech_engine() -> None:
    offered = complete("glutekit run --voice gmw/en-")
    assert "gmw/en-us" in offered and all(v.startswith("gmw/en-") for v in offered)


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_get_the_same_words(shell: str) -> None:
    assert complete("glutekit run medius", shell) == ["medius-cycle"]


def test_a_broken_plugin_means_no_suggestions_not_a_traceback(tmp_path: object) -> None:
    env = {
        "_GLUTEKIT_COMPLETE": "bash_complete",
        "COMP_WORDS": "glutekit -p no_such_plugin_module run med",
        "COMP_CWORD": "4",
        "GLUTEKIT_STRICT_PLUGINS": "1",
    }
    proc = run_glutekit(env=env)
    assert proc.returncode == 0
    assert "Traceback" not in proc.stderr
    assert proc.stdout.strip() == ""


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_script_loads_in_a_real_shell(shell: str) -> None:
    script = run_glutekit("completion", shell)
    assert script.returncode == 0, script.stderr
    assert "_GLUTEKIT_COMPLETE" in script.stdout
    program = shutil.which(shell)
    if program is None:
        pytest.skip(f"{shell} is not installed (apt-get install {shell})")
    checks = {
        "bash": "complete -p glutekit",
        "zsh": "autoload -U compinit && compinit -u && (( $+functions[_glutekit_completion] ))",
        "fish": "complete --do-complete 'glutekit run medius'",
    }
    env = {
        **os.environ,
        "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}",
    }
    proc = subprocess.run(
        [program, "-c", f'eval "$(glutekit completion {shell})"; {checks[shell]}']
        if shell != "fish"
        else [program, "-c", f"glutekit completion fish | source; {checks['fish']}"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    if shell == "bash":
        assert "_glutekit_completion" in proc.stdout
    if shell == "fish":
        assert "medius-cycle" in proc.stdout
