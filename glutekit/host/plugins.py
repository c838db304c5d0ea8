"""The plugin manager: loads entry points one at a time and isolates failures.

Nothing here runs at import time; :func:`make_plugin_host` builds a host on
request. A plugin that fails to import, raises in a hook or returns bad data is
reported by name with the way to disable it, and everything else keeps working.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import field, replace
from types import ModuleType
from typing import Any, Literal

import pluggy

from glutekit import PROJECT, hookspecs
from glutekit.errors import GlutekitError, PluginError
from glutekit.host.guard import PluginFailure, check_timeout, guarded
from glutekit.host.verdicts import dist_name_version, remember_ending, remembered_ending
from glutekit.model.records import record
from glutekit.textcheck import safe

ENV_DISABLE_AUTOLOAD = "GLUTEKIT_DISABLE_PLUGIN_AUTOLOAD"
ENV_ALLOW = "GLUTEKIT_PLUGINS"
ENV_BLOCK = "GLUTEKIT_BLOCK_PLUGINS"
ENV_STRICT = "GLUTEKIT_STRICT_PLUGINS"
ENV_TRACE = "GLUTEKIT_TRACE_PLUGINS"

Status = Literal["loaded", "failed", "blocked", "not-allowed"]


@record(frozen=True, kw_only=True)
class PluginRecord:
    """What the host knows about one plugin, for ``glutekit plugins``."""

    name: str
    status: Status
    module: str = ""
    distribution: str | None = None
    version: str | None = None
    source: Literal["entry-point", "command-line", "registered"] = "entry-point"
    hooks: tuple[str, ...] = ()
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "module": self.module,
            "distribution": self.distribution,
            "version": self.version,
            "source": self.source,
            "hooks": list(self.hooks),
            "reason": self.reason,
        }


def disable_hint(name: str) -> str:
    return f"disable it with {ENV_BLOCK}={name}"


def _env_list(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no", "off")


@record
class PluginHost:
    """A pluggy manager plus the provenance and failures of every plugin."""

    pm: pluggy.PluginManager
    records: dict[str, PluginRecord] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    strict: bool = False
    warn: Callable[[str], None] = field(default=lambda message: None)
    _failed_calls: set[tuple[str, str]] = field(default_factory=set)
    #: What named hooks returned, checked (see :mod:`glutekit.host.offers`); forgotten
    #: when a plugin comes or goes.
    offers_seen: dict[str, Any] = field(default_factory=dict)

    @property
    def hook(self) -> Any:
        return self.pm.hook

    def report(self, message: str, *, then: str | None = None) -> None:
        """Record a warning about a plugin and pass it on (or raise in strict mode).

        :param then: what happens next when it is only a warning ("the session goes on
            with the keyboard"); in strict mode the command stops instead, and says why.
        """
        if self.strict:
            raise PluginError(f"{message}; stopping, as {ENV_STRICT} is set")
        if then:
            message = f"{message}; {then}"
        if message not in self.warnings:
            self.warnings.append(message)
            self.warn(message)

    def register(self, plugin: object, name: str, *, source: str = "registered") -> None:
        self.offers_seen.clear()
        self.pm.register(plugin, name=name)
        self.pm.check_pending()
        self.records[name] = PluginRecord(
            name=name,
            status="loaded",
            module=getattr(plugin, "__name__", type(plugin).__name__),
            source=source,  # type: ignore[arg-type]
            hooks=self._hooks_of(plugin),
        )

    def unregister(self, name: str) -> None:
        self.offers_seen.clear()
        plugin = self.pm.get_plugin(name)
        if plugin is not None:
            self.pm.unregister(plugin)
        self.records.pop(name, None)

    def _hooks_of(self, plugin: object) -> tuple[str, ...]:
        callers = self.pm.get_hookcallers(plugin) or []
        return tuple(sorted(caller.name for caller in callers))

    def call_each(self, hook_name: str, **kwargs: Any) -> Iterator[tuple[str, Any]]:
        """Call a hook on each plugin separately and yield ``(plugin name, result)``.

        A plugin that raises is reported once (naming the plugin and the hook) and
        skipped; the other plugins' results still arrive.
        """
        caller = getattr(self.pm.hook, hook_name)
        spec = getattr(caller, "spec", None)
        first_result = bool(spec is not None and spec.opts.get("firstresult"))
        names = [impl.plugin_name for impl in caller.get_hookimpls()]  # registration order
        if first_result:
            names.reverse()  # the order pluggy itself asks them in (last registered first)
        for name in names:
            plugin = self.pm.get_plugin(name)
            if plugin is None:
                continue
            others = [p for p in self.pm.get_plugins() if p is not plugin]
            single = self.pm.subset_hook_caller(hook_name, remove_plugins=others)
            try:
                with guarded(name, hook_name, disable_hint(name)):
                    result = single(**kwargs)
            except PluginFailure as exc:
                self._remember(name, exc)
                self._hook_failed(name, hook_name, f"plugin '{name}' {exc.reason}")
                continue
            except GlutekitError:
                raise  # the user's input was wrong (an unknown --voice-backend): say so
            except Exception as exc:
                self._hook_failed(
                    name,
                    hook_name,
                    f"plugin '{name}' raised in {hook_name}: {type(exc).__name__}: {exc}",
                )
                continue
            if first_result:
                if result is not None:
                    yield name, result
                continue
            # subset_hook_caller returns a list of results for historic=False hooks.
            for item in result if isinstance(result, list) else [result]:
                if item is not None:
                    yield name, item

    def _remember(self, name: str, exc: PluginFailure) -> None:
        """Keep what an installed plugin did that would have ended glutekit, for
        ``glutekit plugins --safe`` (which imports nothing, so cannot see it itself)."""
        record = self.records.get(name)
        if exc.ended and record is not None and record.source == "entry-point":
            remember_ending(
                record.name, record.distribution, record.version, record.module, exc.reason
            )

    def _hook_failed(self, name: str, hook_name: str, message: str) -> None:
        key = (name, hook_name)
        if key not in self._failed_calls:
            self._failed_calls.add(key)
            self.report(f"{message} ({disable_hint(name)})")

    def call_first(self, hook_name: str, **kwargs: Any) -> tuple[str, Any] | None:
        """The first non-None result of a hook, with the plugin that gave it."""
        for name, result in self.call_each(hook_name, **kwargs):
            return name, result
        return None

    def collect(self, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Flatten hooks that return iterables into ``(plugin name, item)`` pairs."""
        items: list[tuple[str, Any]] = []
        for name, result in self.call_each(hook_name, **kwargs):
            try:
                # Iterating may run the plugin's code (a generator): guarded as well.
                with guarded(name, hook_name, disable_hint(name)):
                    items.extend((name, item) for item in result)
            except PluginFailure as exc:
                self._remember(name, exc)
                self._hook_failed(name, hook_name, f"plugin '{name}' {exc.reason}")
            except TypeError:
                self.report(
                    f"plugin '{name}' returned {type(result).__name__} from {hook_name}, "
                    f"expected a list ({disable_hint(name)})"
                )
            except Exception as exc:
                self.report(
                    f"plugin '{name}' raised in {hook_name}: {type(exc).__name__}: {exc} "
                    f"({disable_hint(name)})"
                )
        return items


def make_plugin_host(
    *,
    autoload: bool | None = None,
    only: Collection[str] | None = None,
    block: Collection[str] | None = None,
    modules: Collection[str] = (),
    strict: bool | None = None,
    trace: bool | None = None,
    warn: Callable[[str], None] | None = None,
) -> PluginHost:
    """Build a plugin host.

    Arguments left as None are read from the environment:
    ``GLUTEKIT_DISABLE_PLUGIN_AUTOLOAD`` (no entry points), ``GLUTEKIT_PLUGINS``
    (allow-list), ``GLUTEKIT_BLOCK_PLUGINS`` (deny-list),
    ``GLUTEKIT_STRICT_PLUGINS`` (plugin warnings become errors) and
    ``GLUTEKIT_TRACE_PLUGINS`` (print every hook call to stderr).

    :param modules: module names to register explicitly (``-p/--plugin``).
    """
    check_timeout()  # a bad GLUTEKIT_PLUGIN_TIMEOUT is named before any plugin runs
    if autoload is None:
        autoload = not _env_flag(ENV_DISABLE_AUTOLOAD)
    if only is None:
        only = _env_list(os.environ.get(ENV_ALLOW))
    if block is None:
        block = _env_list(os.environ.get(ENV_BLOCK)) or []
    if strict is None:
        strict = _env_flag(ENV_STRICT)
    if trace is None:
        trace = _env_flag(ENV_TRACE)

    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    host = PluginHost(pm=pm, strict=strict, warn=warn or _stderr_warning)
    if trace:
        _install_trace(pm)
    if autoload:
        _load_entry_points(host, only=only, block=set(block))
    for module_name in modules:
        _load_module(host, module_name)
    return host


def _stderr_warning(message: str) -> None:
    print(f"glutekit: warning: {safe(message)}", file=sys.stderr)


def _install_trace(pm: pluggy.PluginManager) -> None:
    def before(hook_name: str, impls: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
        names = ", ".join(impl.plugin_name for impl in impls)
        print(f"glutekit: trace: call {hook_name}({_fmt(kwargs)}) -> [{names}]", file=sys.stderr)

    def after(
        outcome: Any, hook_name: str, impls: Sequence[Any], kwargs: Mapping[str, Any]
    ) -> None:
        exc = outcome.exception
        what = f"raised {type(exc).__name__}: {exc}" if exc else _fmt(outcome.get_result())
        print(f"glutekit: trace: {hook_name} returned {what}", file=sys.stderr)

    pm.add_hookcall_monitoring(before, after)


def _fmt(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 300 else text[:297] + "..."


def _load_entry_points(host: PluginHost, *, only: Collection[str] | None, block: set[str]) -> None:
    from glutekit.host.entrypoints import entry_points

    seen: dict[str, str] = {}
    for ep in sorted(entry_points(PROJECT), key=_load_order):
        if ep.name in seen:
            other = _distribution(ep)
            if other != seen[ep.name]:
                host.report(
                    f"plugin name '{ep.name}' of distribution '{other}' clashes with the one "
                    f"of '{seen[ep.name]}'; the one of '{other}' is not loaded (rename its "
                    "entry point, or uninstall one of them)"
                )
            continue
        seen[ep.name] = _distribution(ep)
        distribution, version = dist_name_version(ep)
        base = PluginRecord(
            name=ep.name,
            status="loaded",
            module=ep.value,
            distribution=distribution,
            version=version,
        )
        if ep.name in block:
            host.records[ep.name] = replace(base, status="blocked", reason=f"in {ENV_BLOCK}")
            continue
        if only is not None and ep.name not in only:
            host.records[ep.name] = replace(
                base, status="not-allowed", reason=f"not in {ENV_ALLOW}"
            )
            continue
        try:
            with guarded(ep.name, "its import", disable_hint(ep.name)):
                plugin = ep.load()
            host.pm.register(plugin, name=ep.name)
            host.pm.check_pending()
        except PluginFailure as exc:
            _unregister_quietly(host.pm, ep.name)
            reason = exc.reason
            host.records[ep.name] = replace(base, status="failed", reason=reason)
            host._remember(ep.name, exc)
            host.report(f"plugin '{ep.name}' failed to load: {reason} ({disable_hint(ep.name)})")
            continue
        except Exception as exc:
            _unregister_quietly(host.pm, ep.name)
            reason = f"{type(exc).__name__}: {exc}"
            host.records[ep.name] = replace(base, status="failed", reason=reason)
            host.report(f"plugin '{ep.name}' failed to load: {reason} ({disable_hint(ep.name)})")
            continue
        host.records[ep.name] = replace(base, hooks=host._hooks_of(plugin))


@record(frozen=True, kw_only=True)
class InstalledPlugin:
    """An entry point as its metadata describes it (``glutekit plugins --safe``)."""

    name: str
    distribution: str
    version: str
    module: str
    #: What loading would do: "load", "blocked", "not allowed", "clash (not loaded)".
    would: str

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "distribution": self.distribution,
            "version": self.version,
            "module": self.module,
            "would": self.would,
        }


def installed_plugins() -> list[InstalledPlugin]:
    """Every installed glutekit plugin, without importing any of them."""
    from importlib.metadata import entry_points

    only = _env_list(os.environ.get(ENV_ALLOW))
    block = set(_env_list(os.environ.get(ENV_BLOCK)) or [])
    seen: set[str] = set()
    found = []
    for ep in sorted(entry_points(group=PROJECT), key=_load_order):
        version = dist_name_version(ep)[1]
        if ep.name in seen:
            would = "clash (not loaded)"
        elif ep.name in block:
            would = "blocked"
        elif only is not None and ep.name not in only:
            would = "not allowed"
        else:
            would = "load"
            ended = remembered_ending(ep)
            if ended:
                would = f"load (when it last ran, it {ended})"
        seen.add(ep.name)
        found.append(
            InstalledPlugin(
                name=ep.name,
                distribution=_distribution(ep),
                version=str(version) if version is not None else "-",
                module=str(ep.value),
                would=would,
            )
        )
    return found


def _load_order(ep: Any) -> tuple[bool, str]:
    # glutekit's own plugins register first, so on an id clash the built-in
    # content is kept and the third-party plugin is the one named as refused.
    return (dist_name_version(ep)[0] != PROJECT, ep.name)


def _distribution(ep: Any) -> str:
    name = dist_name_version(ep)[0]
    return str(name) if name is not None else "unknown"


def _load_module(host: PluginHost, module_name: str) -> None:
    try:
        with guarded(module_name, "its import", "leave out its -p option"):
            module: ModuleType = importlib.import_module(module_name)
        host.register(module, module_name, source="command-line")
    except Exception as exc:
        _unregister_quietly(host.pm, module_name)
        reason = exc.reason if isinstance(exc, PluginFailure) else f"{type(exc).__name__}: {exc}"
        host.records[module_name] = PluginRecord(
            name=module_name,
            status="failed",
            module=module_name,
            source="command-line",
            reason=reason,
        )
        host.report(f"plugin module '{module_name}' (from -p) failed to load: {reason}")


def _unregister_quietly(pm: pluggy.PluginManager, name: str) -> None:
    plugin = pm.get_plugin(name)
    if plugin is not None:
        pm.unregister(plugin)
