"""The options plugins declare (``glutekit_options``), on the commands that take them.

``run``, ``export`` and ``transcript`` are :class:`WithPluginOptions` commands: when one
is parsed, or its ``--help`` or completion is asked for, its parameters are its own
followed by those the plugins declare for it, so plugin options are parsed, listed and
completed like built-in ones. ``glutekit --help`` lists no command's options and loads
no plugin.
"""

from __future__ import annotations

import contextlib
import io
import os
from typing import TYPE_CHECKING, Any

import click

from glutekit.interfaces import OptionSpec

if TYPE_CHECKING:  # click 8.2+ types ParamType as generic; 8.1 cannot subscript it
    from click.shell_completion import CompletionItem

    from glutekit.host.plugins import PluginHost

    _ParamType = click.ParamType[Any]
else:
    _ParamType = click.ParamType

_META = "glutekit.plugin_options."


class WithPluginOptions(click.Command):
    """A command whose parameters include the options plugins declare for it."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        own = super().get_params(ctx)
        return [*own, *(option for _, option in self.plugin_options(ctx, own))]

    def plugin_options(
        self, ctx: click.Context, own: list[click.Parameter] | None = None
    ) -> list[tuple[OptionSpec, click.Option]]:
        """The declared options as click options, made once per invocation."""
        key = _META + (self.name or "")
        made: list[tuple[OptionSpec, click.Option]] | None = ctx.meta.get(key)
        if made is None:
            own = super().get_params(ctx) if own is None else own
            taken = {p.name or "" for p in own}
            taken.update(opt for p in own for opt in (*p.opts, *p.secondary_opts))
            made = [
                (spec, click_option(plugin, spec))
                for plugin, spec in _declared(ctx, self.name or "", taken)
            ]
            ctx.meta[key] = made
        return made


def _declared(ctx: click.Context, command: str, taken: set[str]) -> list[tuple[str, OptionSpec]]:
    from glutekit.host.options import for_command

    if os.environ.get("_GLUTEKIT_COMPLETE"):
        # Tab runs in a process of its own: a broken plugin means fewer words, never
        # a warning or a traceback in the middle of the shell's line.
        try:
            with contextlib.redirect_stderr(io.StringIO()):
                return for_command(_host(ctx), command, taken)
        except Exception:
            return []
    return for_command(_host(ctx), command, taken)


def _host(ctx: click.Context) -> PluginHost:
    """The invocation's host: the one the command will run with, when it exists already."""
    from glutekit.cli.app import App
    from glutekit.cli.plugin_commands import host_for

    app = ctx.find_object(App)
    return app.host if app is not None else host_for(ctx)


def click_option(plugin: str, spec: OptionSpec) -> click.Option:
    """The click option for one declaration, with its help, variable and completion."""
    from glutekit.host.options import range_text

    notes = []
    if spec.type in ("int", "float") and range_text(spec):
        notes.append(range_text(spec))
    if spec.default is not None and spec.type != "flag":
        notes.append(f"default {spec.default}")
    help_text = spec.help.strip()
    if notes:
        help_text += f" ({'; '.join(notes)})"
    help_text += f" [{f'env: {spec.env}; ' if spec.env else ''}plugin: {plugin}]"
    if spec.type == "flag":
        return click.Option(
            [f"--{spec.name}/--no-{spec.name}", spec.key],
            default=None if spec.default is None else bool(spec.default),
            envvar=spec.env,
            help=help_text,
        )
    return click.Option(
        [f"--{spec.name}", spec.key],
        type=Declared(spec),
        default=spec.default,
        envvar=spec.env,
        metavar=spec.metavar or _metavar(spec),
        help=help_text,
    )


def _metavar(spec: OptionSpec) -> str:
    if spec.type == "choice":
        return "[" + "|".join(spec.choices) + "]"
    return {"int": "N", "float": "NUMBER"}.get(spec.type, "TEXT")


class Declared(_ParamType):
    """A value checked against its declaration; a bad one names the option or variable."""

    def __init__(self, spec: OptionSpec) -> None:
        self.spec = spec
        self.name = spec.type

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from click.core import ParameterSource

        from glutekit.host.options import parse

        try:
            return parse(self.spec, value)
        except ValueError as exc:
            source = ctx.get_parameter_source(self.spec.key) if ctx is not None else None
            if source is ParameterSource.ENVIRONMENT and self.spec.env:
                self.fail(f"{self.spec.env}: {exc}", param, ctx)
            self.fail(str(exc), param, ctx)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem

        return [CompletionItem(c) for c in self.spec.choices if c.startswith(incomplete)]


def take_declared(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Take the plugin options' values out of a command's keyword arguments, by key.

    Options left unset with no default are left out, so plugins see only values.
    """
    ctx = click.get_current_context()
    command = ctx.command
    if not isinstance(command, WithPluginOptions):
        return {}
    values = {}
    for spec, _ in command.plugin_options(ctx):
        value = kwargs.pop(spec.key, None)
        if value is not None:
            values[spec.key] = value
    return values
