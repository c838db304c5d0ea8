"""What plugins offer, through the typed accessors of glutekit.host.offers: every item of
the wrong type and every name offered twice is reported once, naming the plugins."""

from __future__ import annotations

from typing import Any

import glutekit
from glutekit.host.offers import EXPORTERS, OUTPUTS, STRATEGIES
from glutekit.host.plugins import PluginHost, make_plugin_host
from glutekit.interfaces import OutputSpec
from glutekit.session import output_specs


def _spec(name: str, description: str) -> OutputSpec:
    return OutputSpec(name=name, description=description, create=lambda options: None)  # type: ignore[arg-type,return-value]


class FirstBells:
    @glutekit.hookimpl
    def glutekit_outputs(self) -> list[Any]:
        return [_spec("bells", "first"), _spec("gong", "first")]


class SecondBells:
    """Offers a name the first plugin took, and something that is not an output."""

    calls = 0

    @glutekit.hookimpl
    def glutekit_outputs(self) -> list[Any]:
        SecondBells.calls += 1
        return [_spec("bells", "second"), {"name": "drum"}]


def host_with(*plugins: tuple[object, str]) -> tuple[PluginHost, list[str]]:
    said: list[str] = []
    host = make_plugin_host(autoload=False, strict=False, trace=False, warn=said.append)
    for plugin, name in plugins:
        host.register(plugin, name)
    return host, said


def test_a_name_offered_twice_is_kept_by_the_first_plugin_and_the_clash_named_once() -> None:
    SecondBells.calls = 0
    host, said = host_with((FirstBells(), "first-bells"), (SecondBells(), "second-bells"))
    for _ in range(3):
        offered = OUTPUTS.offered(host)
        assert sorted(offered) == ["bells", "gong"]
        plugin, spec = offered["bells"]
        assert (plugin, spec.description) == ("first-bells", "first")
    assert output_specs(host) == offered
    # Asked four times, the hook ran once and each problem was said once.
    assert SecondBells.calls == 1
    clash = [line for line in said if "duplicate output 'bells'" in line]
    assert clash == [
        "duplicate output 'bells': offered by plugin 'first-bells' and plugin "
        "'second-bells'; keeping the one from 'first-bells'"
    ]
    wrong = [line for line in said if "expected an OutputSpec" in line]
    assert len(wrong) == 1 and wrong[0].startswith(
        "plugin 'second-bells' returned dict from glutekit_outputs"
    )


def test_a_plugin_that_comes_or_goes_is_seen_at_the_next_question() -> None:
    host, _ = host_with((SecondBells(), "second-bells"))
    assert OUTPUTS.offered(host)["bells"][0] == "second-bells"
    host.register(FirstBells(), "first-bells")
    assert sorted(OUTPUTS.offered(host)) == ["bells", "gong"]
    host.unregister("second-bells")
    host.unregister("first-bells")
    assert OUTPUTS.offered(host) == {}


def test_a_changed_answer_does_not_change_what_the_host_keeps() -> None:
    host, _ = host_with((FirstBells(), "first-bells"))
    OUTPUTS.offered(host).clear()
    assert sorted(OUTPUTS.offered(host)) == ["bells", "gong"]


def test_the_first_party_plugins_offer_their_formats_and_strategies_by_name() -> None:
    host = make_plugin_host(autoload=True, only=None, block=(), strict=False, trace=False)
    formats = EXPORTERS.offered(host)
    assert {"html", "md", "pdf", "wav"} <= set(formats)
    assert all(exporter.format == name for name, (_, exporter) in formats.items())
    strategies = STRATEGIES.offered(host)
    assert strategies and all(s.name == name for name, (_, s) in strategies.items())
