"""What the plugins offer, one typed accessor per hook.

Each hook that returns things is named once here, with the type of what it returns
and, for things with a name, how the name is read. Callers ask for a kind and get
typed items with the plugin that offered each; no caller names a hook by string or
checks what came back::

    for name, (plugin, spec) in OUTPUTS.offered(host).items():
        ...

A :class:`Named` kind checks every item: one of the wrong type is reported, naming
the plugin, and left out; when two plugins offer one name the first keeps it and the
clash is reported. A :class:`Listed` kind returns data the caller validates itself
(packs, routines and programs go through their JSON Schemas, naming the plugin).
The answers of named kinds are kept per host, so each clash is reported once however
often it is asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

from glutekit.hookspecs import Source
from glutekit.host.plugins import PluginHost, disable_hint
from glutekit.interfaces import (
    CommandSpec,
    Exporter,
    InputSpec,
    LicenceNote,
    OptionSpec,
    OutputSpec,
    Strategy,
    VoiceModel,
)
from glutekit.model.records import record

T = TypeVar("T")


@record(frozen=True)
class Named(Generic[T]):
    """A hook whose items have unique names: outputs, inputs, exporters, ..."""

    hook: str
    #: An item's name, or None when the item is not of the kind the hook returns.
    name_of: Callable[[Any], str | None]
    #: What a wrong item should have been, for the report ("an OutputSpec").
    expected: str
    #: The noun of a clash report ("duplicate output 'text': ...").
    what: str

    def offered(self, host: PluginHost) -> dict[str, tuple[str, T]]:
        """Every item by name: ``{name: (plugin, item)}``, in the order plugins offered them."""
        kept = host.offers_seen.get(self.hook)
        if kept is None:
            kept = host.offers_seen[self.hook] = self._gather(host)
        return dict(cast("dict[str, tuple[str, T]]", kept))

    def _gather(self, host: PluginHost) -> dict[str, tuple[str, Any]]:
        found: dict[str, tuple[str, Any]] = {}
        for plugin, item in host.collect(self.hook):
            name = self.name_of(item)
            if name is None:
                host.report(
                    f"plugin '{plugin}' returned {type(item).__name__} from {self.hook}, "
                    f"expected {self.expected}; ignored ({disable_hint(plugin)})"
                )
            elif name in found:
                first = found[name][0]
                host.report(
                    f"duplicate {self.what} '{name}': offered by plugin '{first}' and plugin "
                    f"'{plugin}'; keeping the one from '{first}'"
                )
            else:
                found[name] = (plugin, item)
        return found


@record(frozen=True)
class Listed(Generic[T]):
    """A hook whose items the caller validates: ``[(plugin, item), ...]``."""

    hook: str

    def offered(self, host: PluginHost, **arguments: Any) -> list[tuple[str, T]]:
        return cast("list[tuple[str, T]]", host.collect(self.hook, **arguments))


def _named(kind: type, attribute: str) -> Callable[[Any], str | None]:
    def name_of(item: Any) -> str | None:
        name = getattr(item, attribute, None) if isinstance(item, kind) else None
        return name if isinstance(name, str) and name else None

    return name_of


OUTPUTS: Named[OutputSpec] = Named(
    "glutekit_outputs", _named(OutputSpec, "name"), "an OutputSpec", "output"
)
INPUTS: Named[InputSpec] = Named(
    "glutekit_inputs", _named(InputSpec, "name"), "an InputSpec", "input"
)
EXPORTERS: Named[Exporter] = Named(
    "glutekit_exporters", _named(Exporter, "format"), "an Exporter", "export format"
)
VOICE_MODELS: Named[VoiceModel] = Named(
    "glutekit_voice_models", _named(VoiceModel, "id"), "a VoiceModel", "voice model"
)
COMMANDS: Named[CommandSpec] = Named(
    "glutekit_commands", _named(CommandSpec, "name"), "a CommandSpec", "command"
)
LICENCES: Named[LicenceNote] = Named(
    "glutekit_licences", _named(LicenceNote, "subject"), "a LicenceNote", "licence note"
)

#: Options plugins add to commands; :mod:`glutekit.host.options` checks each declaration.
OPTIONS: Named[OptionSpec] = Named(
    "glutekit_options", _named(OptionSpec, "name"), "an OptionSpec", "option"
)


def _strategy_name(item: Any) -> str | None:
    name = getattr(item, "name", None)
    usable = isinstance(name, str) and name and callable(getattr(item, "compose", None))
    return name if usable else None


STRATEGIES: Named[Strategy] = Named(
    "glutekit_strategies", _strategy_name, "a strategy with a name and compose()", "strategy"
)

PACKS: Listed[Source] = Listed("glutekit_exercise_packs")
ROUTINES: Listed[Source] = Listed("glutekit_routines")
PROGRAMS: Listed[Source] = Listed("glutekit_programs")
#: Called with ``format=`` the export format: folders of templates that override the
#: exporter's own.
TEMPLATE_DIRS: Listed[str | Path] = Listed("glutekit_template_dirs")
