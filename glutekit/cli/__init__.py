"""The ``glutekit`` command line.

Commands live in one module per group and are imported only when used, so
``glutekit --help`` stays fast and imports no heavy library.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import io
import os
import sys
from typing import Any

import click

from glutekit import __version__

#: command name -> "module:attribute". Imported on first use.
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("glutekit.cli.validate:validate", "Check routine and pack files."),
    "schema": ("glutekit.cli.validate:schema", "Print the routine or pack JSON Schema."),
    "plugins": ("glutekit.cli.plugins:plugins", "List plugins, their hooks and status."),
    "exercises": ("glutekit.cli.catalog:exercises", "List exercises, with filters."),
    "show": ("glutekit.cli.catalog:show", "Show one exercise as a card."),
    "routines": ("glutekit.cli.catalog:routines", "List ready-made and user routines."),
    "run": ("glutekit.cli.run:run", "Run a routine hands-free, with live cues."),
    "transcript": ("glutekit.cli.run:transcript", "Print every cue of a routine with its time."),
    "compose": (
        "glutekit.cli.compose:compose",
        "Build a routine from a goal, time, kit and place.",
    ),
    "strategies": ("glutekit.cli.compose:strategies", "List the strategies compose can use."),
    "new-pack": ("glutekit.cli.packs:new_pack", "Create a new exercise-pack package."),
    "check-pack": ("glutekit.cli.packs:check_pack", "Run the conformance checks on a pack."),
    "export": (
        "glutekit.cli.export:export",
        "Write a routine to a file: PDF, HTML, Markdown, WAV or MP3.",
    ),
    "voices": ("glutekit.cli.voices:voices", "List the voices that can speak the cues."),
    "history": ("glutekit.cli.history:history", "Show past sessions, streak and pain trend."),
    "config": ("glutekit.cli.settings:config", "Get and set lasting preferences."),
    "paths": ("glutekit.cli.settings:paths", "Print every folder glutekit uses."),
    "cache": ("glutekit.cli.settings:cache", "Show or clear the voice and validation caches."),
    "install": ("glutekit.cli.install:install", "Install plugin packages into glutekit's Python."),
    "uninstall": ("glutekit.cli.install:uninstall", "Remove plugin packages."),
    "vocabulary": (
        "glutekit.cli.vocabulary:vocabulary",
        "List the muscles, equipment, positions, kinds and loads.",
    ),
    "program": (
        "glutekit.cli.program:program",
        "Follow a program: weeks of sessions that progress from your log.",
    ),
    "share": (
        "glutekit.cli.share:share",
        "Write a routine or program to one file to hand over.",
    ),
    "import": (
        "glutekit.cli.share:import_file",
        "Add a routine or program from a file made by 'share'.",
    ),
    "completion": (
        "glutekit.cli.completion:completion",
        "Print the shell completion script for bash, zsh or fish.",
    ),
}

#: Commands that must work whatever the config file holds (they are how you fix it).
_NO_CONFIG = ("config", "paths", "install", "uninstall", "completion")


class LazyGroup(click.Group):
    """A group whose commands are imported when they are first needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        if os.environ.get("_GLUTEKIT_COMPLETE"):
            # Tab runs in a process of its own: plugins' commands (serve …) complete too.
            return sorted({*COMMANDS, *self._plugin_command_names(ctx)})
        return sorted(COMMANDS)

    def _plugin_command_names(self, ctx: click.Context) -> list[str]:
        from glutekit.cli.plugin_commands import host_for, plugin_commands

        try:
            with contextlib.redirect_stderr(io.StringIO()):
                return list(plugin_commands(host_for(ctx), set(COMMANDS)))
        except Exception:
            return []  # a broken plugin means fewer words, never a traceback in the shell

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return self._plugin_command(ctx, cmd_name)
        module_name, attr = target[0].split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attr)
        return command

    def _plugin_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from glutekit.cli.plugin_commands import host_for, load_command, plugin_commands

        found = plugin_commands(host_for(ctx), set(COMMANDS)).get(cmd_name)
        if found is None:
            return None
        return load_command(*found)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        from glutekit.errors import GlutekitError

        name = args[0] if args else ""
        try:
            return super().resolve_command(ctx, args)
        except GlutekitError as exc:  # a plugin command that cannot be loaded
            click.echo(f"glutekit: error: {exc}", err=True)
            raise click.exceptions.Exit(exc.exit_code) from None
        except click.UsageError as exc:
            import difflib

            close = difflib.get_close_matches(name, list(COMMANDS), n=3, cutoff=0.6)
            if not close or name.startswith("-"):
                raise
            hint = " or ".join(f"'{c}'" for c in close)
            raise click.UsageError(f"{exc.message} Did you mean {hint}?", ctx) from None

    def invoke(self, ctx: click.Context) -> Any:
        from glutekit.cli.streams import PipeClosed
        from glutekit.errors import GlutekitError

        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise PipeClosed from None
        except GlutekitError as exc:
            click.echo(f"glutekit: error: {_safe(str(exc))}", err=True)
            raise click.exceptions.Exit(exc.exit_code) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Use the short help kept in COMMANDS, so listing needs no imports.
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)
        # Listing plugin commands here would mean loading every plugin, which
        # doubles the time --help takes; 'glutekit plugins' lists them.
        formatter.write_paragraph()
        formatter.write_text("Plugins can add commands: 'glutekit plugins' lists them.")


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="glutekit", message="%(prog)s %(version)s")
@click.option(
    "-p",
    "--plugin",
    "plugin_modules",
    multiple=True,
    metavar="MODULE",
    is_eager=True,  # before --help, so 'glutekit -p MODULE CMD --help' finds CMD
    help="Register a plugin module by import name (repeatable).",
)
@click.option("-q", "--quiet", is_flag=True, help="Say only warnings and errors on stderr.")
@click.option("-v", "--verbose", is_flag=True, help="Say more about what happens, on stderr.")
@click.pass_context
def cli(ctx: click.Context, plugin_modules: tuple[str, ...], quiet: bool, verbose: bool) -> None:
    """glutekit: release, stretch and activate, coached by voice.

    Run 'glutekit routines' to see the ready-made routines and
    'glutekit run ROUTINE' to start one. Preferences: 'glutekit config'.
    """
    from glutekit import messages
    from glutekit.cli.app import App

    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose cannot be used together")
    messages.set_level(
        messages.QUIET if quiet else messages.VERBOSE if verbose else messages.NORMAL
    )
    from glutekit.cli.app import shared_host

    ctx.obj = App(plugin_modules=plugin_modules, preloaded=shared_host(ctx))
    if ctx.invoked_subcommand not in _NO_CONFIG:
        ctx.default_map = _config_defaults()
    _resume_collector()  # the command runs next


def _config_defaults() -> dict[str, Any]:
    """The config file's values as click defaults (below options and variables)."""
    from glutekit import config, paths
    from glutekit.cli.output import detail

    path = paths.config_path()
    values = config.load(path)
    if values:
        detail(f"preferences from {path}: {', '.join(sorted(values))}")
    # A bad GLUTEKIT_* value is named before any work; speech variables only where used.
    config.check_environment(lenient=config.SPEECH_KEYS)
    return config.default_map(values)


class Terminated(BaseException):
    """SIGTERM arrived: unwinds like Ctrl-C, so half-written files are removed."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated


def _safe(text: str) -> str:
    from glutekit.textcheck import safe

    return safe(text)


#: How long glutekit waits, at its end, for threads a plugin left running.
PLUGIN_THREADS_WAIT = 3.0


def _show_click_error(exc: click.ClickException) -> None:
    """Click's own errors (unknown command, bad option value) in glutekit's one-line style."""
    help_instead = getattr(click.exceptions, "NoArgsIsHelpError", None)
    if help_instead is not None and isinstance(exc, help_instead):
        exc.show()  # a group run without a command: its help, as before
        return
    message = f"glutekit: error: {_safe(exc.format_message())}"
    context = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and context is not None:
        message += f" (see '{context.command_path} --help')"
    click.echo(message, err=True)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: turns glutekit errors into one line and an exit code."""
    try:
        _main(argv)
    except SystemExit as exc:
        _end_without_plugin_threads(exc.code)
        raise
    _end_without_plugin_threads(0)


def _end_without_plugin_threads(code: object) -> None:
    """Exit now, naming the plugin, when a plugin's thread would keep the process alive.

    Python waits for every thread that is not a daemon before it exits; one a plugin
    started and never ended would hang every command. The exit handlers still run.
    Ctrl-C or SIGTERM while waiting for those threads, or while the exit handlers run,
    ends glutekit as anywhere else: one line, and 130 or 143; after one, it does not wait.
    """
    guard = sys.modules.get("glutekit.host.guard")
    if guard is None:
        return
    # Stopped by Ctrl-C or SIGTERM already: no waiting, only the plugin named.
    wait = 0.0 if code in (130, 143) else PLUGIN_THREADS_WAIT
    try:
        lines = guard.leftover_threads(wait)
    except (KeyboardInterrupt, Terminated) as stop:
        lines, code = [], _stopped(stop)
    else:
        if not lines:
            return
    import atexit

    try:
        for line in lines:
            click.echo(f"glutekit: warning: {_safe(line)}", err=True)
        atexit._run_exitfuncs()
    except (KeyboardInterrupt, Terminated) as stop:
        code = _stopped(stop)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    status = code if isinstance(code, int) else 0 if code is None else 1
    guard._real_exit(status)


def _stopped(stop: BaseException) -> int:
    """Say that Ctrl-C or SIGTERM stopped glutekit; its exit status."""
    terminated = isinstance(stop, Terminated)
    with contextlib.suppress(Exception):
        click.echo(f"glutekit: {'terminated' if terminated else 'interrupted'}", err=True)
    return 143 if terminated else 130


#: Whether :func:`_main` paused the cycle collector while the command starts.
_collector_paused = False


def _pause_collector() -> None:
    """Hold the cycle collector back while the command starts.

    Start-up makes tens of thousands of objects that live as long as the process (modules,
    classes, the commands and their options): looking for garbage cycles among them again
    and again, some thirty times before a command ran, cost a short command about 3 ms.
    """
    global _collector_paused
    if gc.isenabled():
        gc.disable()
        _collector_paused = True


def _resume_collector() -> None:
    """Let the cycle collector run again, with what start-up made kept out of its way.

    Called as the command runs (and when ``_main`` ends): from then on the collector works
    as usual, also through a long session, but never walks start-up's objects again. Nor
    does the full collection Python makes as it exits: walking every module, class and
    option once more then was another 5 ms or so of a short command (``--version`` too).
    """
    global _collector_paused
    if _collector_paused:
        _collector_paused = False
        gc.freeze()
        gc.enable()


def _main(argv: list[str] | None) -> None:
    import signal

    from glutekit.cli import streams
    from glutekit.errors import GlutekitError

    _pause_collector()
    streams.prepare()
    try:
        # Inside the try: a Ctrl-C that lands as Python's handler comes back is caught below.
        if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
            signal.signal(signal.SIGINT, signal.default_int_handler)  # see glutekit/__init__.py
        if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _on_sigterm)
        # Without standalone mode click returns (not raises) the code of an Exit
        # raised inside a command, such as the one LazyGroup.invoke raises on errors.
        code = cli.main(args=argv, prog_name="glutekit", standalone_mode=False)
        streams.flush_stdout()
        if isinstance(code, int) and code != 0:
            sys.exit(code)
    except (BrokenPipeError, streams.PipeClosed):
        _quiet_broken_pipe()
    except click.exceptions.Abort:
        click.echo("glutekit: aborted", err=True)
        sys.exit(130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        _show_click_error(exc)
        sys.exit(exc.exit_code)
    except GlutekitError as exc:  # raised outside a command, e.g. while parsing
        click.echo(f"glutekit: error: {_safe(str(exc))}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("glutekit: interrupted", err=True)
        sys.exit(130)
    except Terminated:
        click.echo("glutekit: terminated", err=True)
        sys.exit(143)
    except Exception as exc:
        if streams.is_stdout_failure(exc):
            assert isinstance(exc, OSError)
            streams.silence_stdout()
            click.echo(
                f"glutekit: error: cannot write to standard output: {exc.strerror}", err=True
            )
            sys.exit(1)
        # Python wraps what interrupts some of its own steps (a class being made, say:
        # "Error calling __set_name__") in another error: Ctrl-C or SIGTERM all the same.
        interrupt = _interrupt_behind(exc)
        if interrupt is not None:
            terminated = isinstance(interrupt, Terminated)
            click.echo(f"glutekit: {'terminated' if terminated else 'interrupted'}", err=True)
            sys.exit(143 if terminated else 130)
        if os.environ.get("GLUTEKIT_DEBUG"):
            raise
        click.echo(
            f"glutekit: internal error: {type(exc).__name__}: {exc} "
            "(set GLUTEKIT_DEBUG=1 for a traceback, and please report it)",
            err=True,
        )
        sys.exit(1)
    finally:
        _resume_collector()  # a command that never ran (--help, a usage error)


def _interrupt_behind(exc: BaseException) -> BaseException | None:
    """The KeyboardInterrupt or SIGTERM that caused ``exc``, if one did."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, (KeyboardInterrupt, Terminated)):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None


def _quiet_broken_pipe() -> Any:
    # Output went to a pipe that closed (glutekit ... | head): not an error.
    from glutekit.cli.streams import silence_stdout

    silence_stdout()
    sys.exit(0)
