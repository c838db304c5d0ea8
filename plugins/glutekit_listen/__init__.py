"""Hands-free control by voice: "coach, pause" from the floor, offline.

Offers the ``listen`` input (``glutekit run --listen``): the microphone is heard by an
offline recogniser (pocketsphinx and its bundled English model), which spots a few
commands said after the wake word "coach". Nothing leaves the machine. Heavy imports
(pocketsphinx, miniaudio) happen only when a session listens.
"""

from __future__ import annotations

from collections.abc import Iterable

import glutekit
from glutekit.interfaces import InputSpec, Output, OutputOptions


def _create(options: OutputOptions) -> Output:
    from glutekit_listen.listener import ListenInput

    return ListenInput(options)


@glutekit.hookimpl
def glutekit_inputs() -> Iterable[InputSpec]:
    # Here, not at the top: the grammar (its commands, its patterns) is wanted only by
    # commands that look at the inputs, and every command loads this plugin.
    from glutekit_listen.grammar import WAKE_WORD

    return [
        InputSpec(
            name="listen",
            description='Spoken commands from the microphone, offline ("coach, pause").',
            create=_create,
            reserved_words=(WAKE_WORD,),
        )
    ]
