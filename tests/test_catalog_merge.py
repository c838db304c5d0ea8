"""A pack split over several files is one pack in the catalog, however it is put together."""

from __future__ import annotations

import json
from pathlib import Path

from glutekit.catalog import Catalog
from glutekit.catalog.loaders import pack_from_data
from glutekit.host.plugins import make_plugin_host
from tests.packfiles import EXAMPLE_PACK, PackFiles


def test_a_pack_in_three_files_is_the_pack_the_files_add_up_to(tmp_path: Path) -> None:
    data = json.loads(EXAMPLE_PACK.read_text(encoding="utf-8"))
    exercises = data["exercises"]
    assert len(exercises) >= 3
    parts = (exercises[:1], exercises[1:2], exercises[2:])
    files = [tmp_path / f"part-{n}.json" for n in range(3)]
    for n, (path, part) in enumerate(zip(files, parts, strict=True)):
        # Later files name the pack otherwise: the first file's name and version stay.
        named = {**data, "name": f"Part {n}" if n else data["name"], "exercises": part}
        path.write_text(json.dumps(named), encoding="utf-8")
    host = make_plugin_host(autoload=True, only=None, block=(), strict=False, trace=False)
    host.register(PackFiles(*files), "split-pack")
    built = Catalog.build(host, user_routines=False)

    # The same files added one by one, each merged into the pack at once.
    by_hand = Catalog()
    for path in files:
        part = json.loads(path.read_text(encoding="utf-8"))
        by_hand.add_pack(pack_from_data(part, plugin="split-pack", origin=str(path)))
    pack = built.packs[data["id"]]
    assert pack == by_hand.packs[data["id"]]
    assert pack.name == data["name"]
    assert [ex.id for ex in pack.exercises] == [f"{data['id']}:{ex['id']}" for ex in exercises]
    ours = [
        exercise_id for exercise_id in built.exercises if exercise_id.startswith(f"{data['id']}:")
    ]
    assert ours == list(by_hand.exercises)
