"""What a session is made of: its options, and the outputs and inputs chosen for it.

:class:`SessionOptions` says how to run a session; the functions here find the outputs
and inputs the plugins offer, pick the ones asked for and create them with the
session's services (its controls, whether the coach is speaking, the coach's sound).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field
from typing import TYPE_CHECKING, Any

from glutekit.errors import InputError, UnknownId, suggest
from glutekit.host.offers import INPUTS, OUTPUTS, VOICE_MODELS
from glutekit.interfaces import (
    InputSpec,
    Output,
    OutputOptions,
    OutputSpec,
    SoundSource,
    SoundTap,
    SpeechActivity,
    VoiceModel,
)
from glutekit.model.records import record
from glutekit.session.controls import Controls
from glutekit.session.history import HistoryOptions

if TYPE_CHECKING:
    from glutekit.host.plugins import PluginHost


@record(kw_only=True)
class SessionOptions:
    """How to run a session."""

    #: Session seconds per real second; 60 plays ten minutes in ten seconds.
    speed: float = 1.0
    #: False leaves out every output that speaks.
    voice: bool = True
    #: Output names; empty means every default output.
    outputs: tuple[str, ...] = ()
    #: True when a person is at a terminal (keys pause, skip, go back).
    interactive: bool = False
    #: Segment index to start at (``--resume``).
    start_segment: int = 0
    #: Input names (``glutekit_inputs``), e.g. ``("listen",)`` for voice commands.
    inputs: tuple[str, ...] = ()
    #: Option values handed to every output (``OutputOptions.values``).
    values: dict[str, Any] = field(default_factory=dict)
    #: Standard output carries data (``run --events jsonl``): outputs print to stderr.
    stdout_is_data: bool = False
    #: The sound plays on this computer; False when another device plays it.
    plays_here: bool = True
    #: Start speaking once the opening is rendered, and render the rest while the session
    #: plays (outputs that can, :class:`glutekit.interfaces.SpeaksAhead`); False renders
    #: everything first, so :attr:`Session.timeline` is the one played from the start.
    speak_ahead: bool = True
    #: How the session is recorded in the history (by default it is, as by ``glutekit run``).
    history: HistoryOptions = field(default_factory=HistoryOptions)


def output_specs(host: PluginHost) -> dict[str, tuple[str, OutputSpec]]:
    """Every output the plugins offer: name -> (plugin, spec)."""
    return OUTPUTS.offered(host)


def voice_models(host: PluginHost) -> tuple[VoiceModel, ...]:
    """Every voice model the plugins offer (``glutekit_voice_models``), first offer of an id wins."""
    return tuple(model for _, model in VOICE_MODELS.offered(host).values())


def choose_outputs(host: PluginHost, options: SessionOptions) -> list[tuple[str, OutputSpec]]:
    """The outputs named in ``options`` (or the default ones), less those that speak if asked.

    :raises UnknownId: for an output name no plugin offers.
    """
    specs = output_specs(host)
    for name in options.outputs:
        if name not in specs:
            known = ", ".join(sorted(specs)) or "none"
            raise UnknownId(f"unknown output '{name}'{suggest(name, specs)} (outputs: {known})")
    if options.outputs:
        chosen = [(name, specs[name][1]) for name in dict.fromkeys(options.outputs)]
    else:
        chosen = [(name, spec) for name, (_, spec) in specs.items() if spec.default]
    if not options.voice:
        chosen = [(name, spec) for name, spec in chosen if not spec.speaks]
    return chosen


def _services(options: SessionOptions, controls: Controls, **more: Any) -> OutputOptions:
    """What an output or input is created with: the session's options and services."""
    return OutputOptions(
        speed=options.speed,
        interactive=options.interactive,
        values=dict(options.values),
        controls=controls,
        stdout_is_data=options.stdout_is_data,
        plays_here=options.plays_here,
        **more,
    )


def create_outputs(
    host: PluginHost, options: SessionOptions, controls: Controls
) -> list[tuple[str, Output]]:
    output_options = _services(
        options, controls, voice_models=voice_models(host) if options.voice else ()
    )
    created: list[tuple[str, Output]] = []
    plugins = {name: plugin for name, (plugin, _) in output_specs(host).items()}
    for name, spec in choose_outputs(host, options):
        # Messages about an output name the plugin behind it when that is another name.
        plugin = plugins.get(name, name)
        label = name if plugin == name else f"{name}' of plugin '{plugin}"
        try:
            created.append((label, spec.create(output_options)))
        except InputError:
            raise  # the user asked for something that does not exist, e.g. --voice xx
        except Exception as exc:
            host.report(
                f"output '{label}' could not start: {type(exc).__name__}: {exc}",
                then="the session runs without it",
            )
    return created


def input_specs(host: PluginHost) -> dict[str, tuple[str, InputSpec]]:
    """Every input the plugins offer: name -> (plugin, spec)."""
    return INPUTS.offered(host)


def coach_speaking(outputs: list[tuple[str, Output]]) -> Callable[[], bool | None]:
    """Whether any output that can tell says the coach's voice is sounding now."""
    tellers = [output for _, output in outputs if isinstance(output, SpeechActivity)]

    def speaking() -> bool | None:
        answers = [teller.speaking() for teller in tellers]
        if any(answers):
            return True
        return False if any(answer is False for answer in answers) else None

    return speaking


def coach_sound(outputs: list[tuple[str, Output]]) -> Callable[[], SoundTap | None]:
    """The sound the first output that can lend one is playing, or None."""
    sources = [output for _, output in outputs if isinstance(output, SoundSource)]

    def tap() -> SoundTap | None:
        for source in sources:
            found = source.sound_tap()
            if found is not None:
                return found
        return None

    return tap


def create_inputs(
    host: PluginHost,
    options: SessionOptions,
    controls: Controls,
    outputs: list[tuple[str, Output]],
) -> list[tuple[str, Output]]:
    if not options.inputs:
        return []
    specs = input_specs(host)
    input_options = _services(
        options,
        controls,
        coach_speaking=coach_speaking(outputs),
        coach_sound=coach_sound(outputs),
    )
    created: list[tuple[str, Output]] = []
    for name in dict.fromkeys(options.inputs):
        if name not in specs:
            known = ", ".join(sorted(specs)) or "none"
            raise UnknownId(f"unknown input '{name}'{suggest(name, specs)} (inputs: {known})")
        try:
            created.append((name, specs[name][1].create(input_options)))
        except InputError:
            raise
        except Exception as exc:
            host.report(
                f"input '{name}' could not start: {exc or type(exc).__name__}",
                then="the session goes on with the keyboard",
            )
    return created
