"""How late do cues arrive? glutekit's engine against a naive sleep-per-cue loop.

Plays a 20-minute routine at speed 20 (one minute of real time) twice, at the same
time: once with glutekit's engine and an output that records when each cue arrives,
and once with a naive loop that sleeps until the next cue and then "speaks" it with
a blocking 300 ms call. Prints p50/p99 cue lateness and the drift at the end, in real
milliseconds, for both, and their ratio.

    python benchmarks/timer_drift.py [--speed 20] [--minutes 20]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections.abc import Mapping, Sequence

from glutekit.catalog import Catalog
from glutekit.host.plugins import make_plugin_host
from glutekit.interfaces import Event, SessionSummary
from glutekit.model import Timeline
from glutekit.session.clock import MonotonicClock
from glutekit.session.engine import play
from glutekit.timeline import compile

FAKE_SPEECH = 0.300  # real seconds a blocking "say" takes in the naive loop


def long_routine(catalog: Catalog, minutes: float) -> Timeline:
    """The longest ready-made routine, with a rest added to make exactly ``minutes``."""
    lengths = {r.id: compile(r, catalog).duration for r in catalog.routines.values()}
    fits = [rid for rid, length in lengths.items() if length <= minutes * 60] or list(lengths)
    base = max(fits, key=lambda rid: lengths[rid])
    data = dict(catalog.routine_data[base])
    pad = round(minutes * 60 - lengths[base])
    if pad > 0:
        data["steps"] = [*data["steps"], {"rest": pad, "say": "Stay still and breathe."}]
    return compile(catalog.load_routine_data(data, "drift"), catalog)


class Recorder:
    def __init__(self, clock: MonotonicClock) -> None:
        self.clock = clock
        self.lateness: list[float] = []
        self.end_drift = 0.0

    def speech_lengths(self, texts: Sequence[str]) -> Mapping[str, float]:
        return {}

    def start(self, timeline: Timeline) -> None:
        pass

    def handle(self, event: Event) -> None:
        arrived = time.perf_counter()
        if event.kind == "cue":
            self.lateness.append(arrived - self.origin - event.at / self.clock.speed)
        elif event.kind == "start":
            self.origin = arrived - event.at / self.clock.speed
        elif event.kind == "end":
            self.end_drift = arrived - self.origin - event.at / self.clock.speed

    def close(self, summary: SessionSummary | None) -> None:
        pass


class SpeakingFake(Recorder):
    """An output that blocks 300 ms per cue, like speech would: it must not matter."""

    def handle(self, event: Event) -> None:
        if event.kind == "cue":
            time.sleep(FAKE_SPEECH)


def naive(timeline: Timeline, speed: float, lateness: list[float]) -> float:
    """Sleep for the gap to the next cue, then speak it: the gaps add up."""
    start = time.perf_counter()
    previous = 0.0
    for cue in timeline.cues:
        time.sleep(max(0.0, (cue.at - previous) / speed))
        lateness.append(time.perf_counter() - start - cue.at / speed)
        time.sleep(FAKE_SPEECH)  # say() blocks
        previous = cue.at
    time.sleep(max(0.0, (timeline.duration - previous) / speed))
    return time.perf_counter() - start - timeline.duration / speed


def percentile(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", type=float, default=20.0)
    parser.add_argument("--minutes", type=float, default=20.0)
    args = parser.parse_args()
    catalog = Catalog.build(make_plugin_host(), user_routines=False)
    timeline = long_routine(catalog, args.minutes)
    print(
        f"session: {timeline.duration / 60:.1f} min, {len(timeline.cues)} cues, "
        f"speed {args.speed:g} -> {timeline.duration / args.speed:.1f} s real"
    )

    naive_late: list[float] = []
    naive_drift: list[float] = []
    baseline = threading.Thread(
        target=lambda: naive_drift.append(naive(timeline, args.speed, naive_late))
    )
    baseline.start()
    clock = MonotonicClock(args.speed)
    recorder = Recorder(clock)
    play(
        timeline,
        clock,
        {"recorder": recorder, "speech": SpeakingFake(clock)},
        drain_timeout=0.1,
        report=lambda message: None,
    )
    baseline.join()

    ms = 1000.0
    rows = [
        ("glutekit engine", recorder.lateness, recorder.end_drift),
        ("naive loop", naive_late, naive_drift[0]),
    ]
    print(f"{'':16} {'p50 late':>10} {'p99 late':>10} {'end drift':>11}")
    for name, late, drift in rows:
        print(
            f"{name:16} {percentile(late, 50) * ms:8.2f}ms {percentile(late, 99) * ms:8.2f}ms "
            f"{drift * ms:9.1f}ms"
        )
    p99_ratio = percentile(naive_late, 99) / max(percentile(recorder.lateness, 99), 1e-6)
    drift_ratio = abs(naive_drift[0]) / max(abs(recorder.end_drift), 1e-6)
    worst = sorted(recorder.lateness)[-3:]
    print("glutekit worst three: " + ", ".join(f"{w * ms:.2f}ms" for w in worst))
    print(f"naive / glutekit: p99 lateness x{p99_ratio:.0f}, end drift x{drift_ratio:.0f}")
    ok = percentile(recorder.lateness, 99) <= 0.005 and abs(recorder.end_drift) <= 0.010
    print(f"target (p99 <= 5 ms, drift <= 10 ms): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
