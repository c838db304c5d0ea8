"""Median time to compose a routine from a synthetic 10,000-exercise catalog.

The catalog is built in memory (no files), with exercises spread over every kind,
muscle, position and piece of equipment. Each strategy composes a 10-minute routine
for one target with a tennis ball, a different seed each run; the whole call is timed,
including the schema check of the result. The baseline is filtering the catalog once
for the same request (one pass over the exercises, which every strategy must make).

Target: median <= 100 ms per compose on 10,000 exercises.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from glutekit.catalog import Catalog
from glutekit.compose import FoundStrategy, build_request, candidates, compose, find_strategy
from glutekit.host.plugins import make_plugin_host
from glutekit.model import KINDS, Dose, Exercise, Pack, Tempo

MUSCLES = (
    "gluteus_maximus",
    "gluteus_medius",
    "gluteus_minimus",
    "deep_hip_rotators",
    "piriformis",
    "hip_flexors",
    "hamstrings",
    "adductors",
)
POSITIONS = (
    "supine",
    "prone",
    "side-lying",
    "seated",
    "standing",
    "kneeling",
    "half-kneeling",
    "quadruped",
    "lunge",
    "hanging",
)
EQUIPMENT = (
    (),
    (),
    (),
    (("tennis_ball", "lacrosse_ball"),),
    (("foam_roller",),),
    (("chair",),),
    (("pull_up_bar",),),
)
TAGS = ("floor", "gentle", "runner", "desk", "morning", "strength", "kneeling", "balance")


def synthetic_exercise(n: int, rng: random.Random) -> Exercise:
    kind = rng.choice(KINDS)
    if kind == "activation":
        dose = Dose(
            kind="reps",
            reps=rng.randint(8, 12),
            reps_max=15,
            tempo=Tempo(up=2.0, hold=1.0, down=2.0),
        )
    elif rng.random() < 0.2:
        dose = Dose(kind="breaths", breaths=rng.randint(4, 8))
    else:
        dose = Dose(kind="hold", seconds=rng.choice((20, 30, 45)), seconds_max=60)
    return Exercise(
        id=f"bench:exercise-{n}",
        pack="bench",
        name=f"Exercise {n}",
        kind=kind,
        primary=(rng.choice(MUSCLES),),
        secondary=tuple(rng.sample(MUSCLES, 2)),
        position=rng.choice(POSITIONS),
        equipment=rng.choice(EQUIPMENT),
        per_side=rng.random() < 0.8,
        dose=dose,
        level=rng.choice(("beginner", "intermediate")),
        tags=tuple(rng.sample(TAGS, 2)),
        plugin="bench",
    )


def synthetic_catalog(size: int) -> Catalog:
    rng = random.Random(2024)
    catalog = Catalog()
    exercises = tuple(synthetic_exercise(n, rng) for n in range(size))
    catalog.add_pack(
        Pack(
            id="bench",
            name="Bench",
            version="1.0.0",
            license="CC0-1.0",
            exercises=exercises,
            plugin="bench",
        )
    )
    return catalog


def median_ms(action: Callable[[int], object], runs: int) -> float:
    times = []
    for run in range(runs):
        start = time.perf_counter()
        action(run)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=31)
    args = parser.parse_args()
    catalog = synthetic_catalog(args.size)
    host = make_plugin_host(autoload=True, only=["strategies"], block=(), strict=False)
    options = {
        "targets": ["gluteus_medius"],
        "minutes": 10,
        "equipment": ["tennis_ball"],
        "avoid": ["hanging"],
    }
    request = build_request(catalog, **options)

    baseline = median_ms(lambda _: candidates(catalog, request), args.runs)
    print(
        f"catalog: {len(catalog.exercises):,} exercises; request: 10 min, gluteus_medius, "
        f"tennis_ball, avoid hanging; {args.runs} runs each"
    )
    print(f"baseline: filter the catalog once   median {baseline:7.2f} ms")
    for name in ("cycle", "stretch", "quick"):
        found: FoundStrategy = find_strategy(host, name)

        def once(seed: int, found: FoundStrategy = found) -> object:
            return compose(build_request(catalog, **options, seed=seed), catalog, found)

        once(0)  # warm caches (schema validator, imports) outside the timing
        measured = median_ms(once, args.runs)
        verdict = "ok" if measured <= 100 else "OVER TARGET"
        print(
            f"compose --strategy {name:<8}        median {measured:7.2f} ms  "
            f"ratio to baseline {measured / baseline:5.1f}  (target <= 100 ms: {verdict})"
        )


if __name__ == "__main__":
    main()
