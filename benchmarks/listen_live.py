"""One live session for ``benchmarks/listen.py``, in a fresh process.

Usage: listen_live.py ROUTINE.json COMMANDS.wav voice|keys SPANS_JSON

Plays ROUTINE through the session API and the voice's audio stream (set
GLUTEKIT_AUDIO_BACKEND=null on a machine without a sound card). In ``voice`` mode the
listener hears COMMANDS.wav in real time in the microphone's place; in ``keys`` mode the
same controls are called directly at the commands' ends, as key presses are. SPANS_JSON
is each command's [first, last] second in the file. Prints one JSON line: for each
command, the seconds from its end to the session's reaction.

The reaction is the first event of the command's kind after the command began, not
after it ended: a recogniser may decide as the last, faint part of the last word is
still arriving, and that reaction (a few milliseconds before the end, a negative time)
is the command obeyed, not missed.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

ORDER = ["pause", "resume", "skip", "repeat", "time_left", "back"]
#: The event each command leads to.
EFFECT = {
    "pause": "pause",
    "resume": "resume",
    "skip": "seek",
    "repeat": "seek",
    "time_left": "time-left",
    "back": "seek",
}


class Stamps:
    def __init__(self) -> None:
        self.events: list[tuple[float, str]] = []

    def speech_lengths(self, texts: Sequence[str]) -> Mapping[str, float]:
        return {}

    def start(self, timeline: Any) -> None:
        pass

    def handle(self, event: Any) -> None:
        self.events.append((time.perf_counter(), event.kind))

    def close(self, summary: Any) -> None:
        pass


def main() -> None:
    routine_path, wav, mode, spans_json = sys.argv[1:5]
    spans = json.loads(spans_json)
    ends = [last for _, last in spans]
    if mode == "voice":
        os.environ["GLUTEKIT_LISTEN_FILE"] = wav
    from glutekit.catalog import Catalog
    from glutekit.host.plugins import make_plugin_host
    from glutekit.session import SessionOptions, prepare

    host = make_plugin_host(warn=lambda m: print(m, file=sys.stderr))
    catalog = Catalog.build(host)
    routine = catalog.find_routine(routine_path)
    options = SessionOptions(
        outputs=("voice",), inputs=("listen",) if mode == "voice" else (), values={}
    )
    session = prepare(routine, host=host, catalog=catalog, options=options)
    stamps = Stamps()
    session.extra_outputs.append(("stamps", stamps))
    began_at: list[float] = []
    ended_at: list[float] = []
    if mode == "voice":
        listener: Any = session.inputs[0][1]
    else:
        calls = {
            "pause": session.controls.pause,
            "resume": session.controls.resume,
            "skip": session.controls.skip,
            "repeat": session.controls.repeat,
            "time_left": session.controls.time_left,
            "back": session.controls.back,
        }

        def press() -> None:
            began = time.perf_counter()
            for action, end in zip(ORDER, ends, strict=False):
                time.sleep(max(0.0, began + end - time.perf_counter()))
                ended_at.append(time.perf_counter())
                began_at.append(ended_at[-1])
                calls[action]()
            time.sleep(1.0)
            session.controls.quit()

        threading.Thread(target=press, daemon=True).start()
    if mode == "voice":

        def stop_later() -> None:
            # Quit once the listener has heard the file up to 3 s past the last command.
            while listener.source.next_block < int((ends[-1] + 3.0) * 10):
                time.sleep(0.05)
            session.controls.quit()

        threading.Thread(target=stop_later, daemon=True).start()
    session.play()
    if mode == "voice":
        sent = listener.source.sent_at

        def heard_at(second: float) -> float:
            """When the listener was handed the sound of ``second`` in the file."""
            block = int(second * 10)  # 100 ms blocks, by their index in the file
            return sent[block] - ((block + 1) / 10 - second)

        for first, last in spans:
            began_at.append(heard_at(first))
            ended_at.append(heard_at(last))
    latencies, actions, missed = [], [], []
    for action, began, ended in zip(ORDER, began_at, ended_at, strict=False):
        after = [t for t, kind in stamps.events if kind == EFFECT[action] and t >= began]
        if after and after[0] - ended < 3.0:
            latencies.append(after[0] - ended)
            actions.append(action)
        else:
            missed.append(action)
    print(json.dumps({"latencies": latencies, "actions": actions, "missed": missed}))


if __name__ == "__main__":
    main()
