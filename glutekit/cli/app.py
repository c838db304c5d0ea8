"""State shared by the commands of one invocation: the plugin host and the catalog."""

from __future__ import annotations

from dataclasses import field
from functools import cached_property
from typing import TYPE_CHECKING

import click

from glutekit.model.records import record

if TYPE_CHECKING:  # imported when first used, so commands that need neither start fast
    from glutekit.catalog import Catalog
    from glutekit.host.plugins import PluginHost


#: Where the invocation's plugin host is kept, in the root context's ``meta``.
HOST_KEY = "glutekit.host"


def warn(message: str) -> None:
    from glutekit.textcheck import safe

    click.echo(f"glutekit: warning: {safe(message)}", err=True)


def shared_host(ctx: click.Context) -> PluginHost | None:
    """The host if looking up a command already built it."""
    host: PluginHost | None = ctx.find_root().meta.get(HOST_KEY)
    return host


@record
class App:
    plugin_modules: tuple[str, ...] = ()
    extra_plugins: list[tuple[str, object]] = field(default_factory=list)
    #: A host already built for this invocation (to find a plugin's command).
    preloaded: PluginHost | None = None

    @cached_property
    def host(self) -> PluginHost:
        if self.preloaded is not None:
            return self.preloaded
        from glutekit.host.plugins import make_plugin_host

        host = make_plugin_host(modules=self.plugin_modules, warn=warn)
        for name, plugin in self.extra_plugins:
            host.register(plugin, name)
        return host

    @cached_property
    def catalog(self) -> Catalog:
        from glutekit.catalog import Catalog
        from glutekit.cli.output import detail

        catalog = Catalog.build(self.host)
        detail(
            f"catalog: {len(catalog.exercises)} exercises in {len(catalog.packs)} pack(s), "
            f"{len(catalog.routines)} routines"
        )
        return catalog


pass_app = click.make_pass_decorator(App)
