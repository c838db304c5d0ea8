"""Commands that plugins add through the ``glutekit_commands`` hook.

Plugins declare their commands by name and description; the click command is
imported only when it runs, so ``glutekit --help`` stays quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import click

from glutekit.cli.app import HOST_KEY
from glutekit.errors import PluginError
from glutekit.host.offers import COMMANDS
from glutekit.host.plugins import disable_hint
from glutekit.interfaces import CommandSpec

if TYPE_CHECKING:
    from glutekit.host.plugins import PluginHost


def host_for(ctx: click.Context) -> PluginHost:
    """The invocation's plugin host, built once and shared with the command that runs."""
    root = ctx.find_root()
    host: PluginHost | None = root.meta.get(HOST_KEY)
    if host is None:
        from glutekit.cli.app import warn
        from glutekit.host.plugins import make_plugin_host

        host = make_plugin_host(modules=root.params.get("plugin_modules") or (), warn=warn)
        root.meta[HOST_KEY] = host
    return host


def plugin_commands(host: PluginHost, built_in: set[str]) -> dict[str, tuple[str, CommandSpec]]:
    """Command name -> (plugin, spec); names of built-in commands are refused."""
    found = COMMANDS.offered(host)
    for name, (plugin, _) in list(found.items()):
        if name in built_in:
            host.report(
                f"plugin '{plugin}' adds a command '{name}', which is built in; "
                f"the built-in one is kept ({disable_hint(plugin)})"
            )
            del found[name]
    return found


def load_command(plugin: str, spec: CommandSpec) -> click.Command:
    """Import the command a spec names.

    :raises PluginError: it cannot be imported or is not a click command, naming the plugin.
    """
    try:
        target: Any = spec.load
        if isinstance(target, str):
            module_name, _, attr = target.partition(":")
            command = getattr(importlib.import_module(module_name), attr)
        else:
            command = target()
    except Exception as exc:
        raise PluginError(
            f"plugin '{plugin}': command '{spec.name}' could not be loaded: "
            f"{type(exc).__name__}: {exc} ({disable_hint(plugin)})"
        ) from None
    if not isinstance(command, click.Command):
        raise PluginError(
            f"plugin '{plugin}': command '{spec.name}' is {type(command).__name__}, "
            f"not a click command ({disable_hint(plugin)})"
        )
    return command
