"""How large a pack may be: a 5,000-exercise catalog fits, a file that would cost too
much memory for its size is refused before it is parsed."""

from __future__ import annotations

import json
import time

import pytest

from glutekit.catalog.schema import (
    MAX_JSON_VALUES,
    MAX_OBJECT_KEYS,
    parse_document,
    schema_problems,
)
from glutekit.errors import InputError
from glutekit.files import MAX_FILE_BYTES
from tests.conftest import REPO


def _catalog(count: int) -> bytes:
    """A pack of ``count`` exercises, each as fully written as one of the glutes pack's,
    indented by two as a hand-kept file is."""
    source = json.loads((REPO / "plugins" / "glutekit_glutes" / "pack.json").read_text())
    head = {k: v for k, v in source.items() if k not in ("exercises", "guidance")}
    templates = []
    left_out = ("progression", "images", "figure", "aliases", "former_ids")
    for ex in source["exercises"]:
        kept = {k: v for k, v in ex.items() if k not in left_out}
        templates.append(json.dumps({**kept, "id": "@ID@"}, indent=2, ensure_ascii=False))
    exercises = ",\n".join(
        templates[i % len(templates)].replace(
            "@ID@", f"{source['exercises'][i % len(templates)]['id']}-{i}"
        )
        for i in range(count)
    )
    text = json.dumps({**head, "id": "big"}, indent=2, ensure_ascii=False)
    return (text[:-2] + ',\n  "exercises": [\n' + exercises + "\n  ]\n}").encode()


def test_a_catalog_of_5000_fully_written_exercises_fits_with_room_to_spare() -> None:
    raw = _catalog(5000)
    # Indented by two, the measured catalog is 12 MiB and 370,000 values.
    assert len(raw) < 0.8 * MAX_FILE_BYTES
    assert raw.count(b",") + raw.count(b"[") + raw.count(b"{") < 0.5 * MAX_JSON_VALUES
    doc = parse_document(raw, "big.json")
    assert schema_problems(doc, "pack") == []


def test_a_file_of_a_million_small_values_is_refused_before_it_is_parsed() -> None:
    raw = b'{"id":"r","steps":[' + b"{}," * MAX_JSON_VALUES + b"{}]}"
    assert len(raw) < MAX_FILE_BYTES / 4  # small on disk: the count refuses it, not the size
    started = time.process_time()
    with pytest.raises(InputError, match=r"r\.json: has about 2,000,00\d JSON values; the limit"):
        parse_document(raw, "r.json")
    assert time.process_time() - started < 1.0  # parsed, it would take 450 MB and seconds


def test_an_object_with_more_keys_than_any_in_the_schema_is_named_at_its_pointer() -> None:
    pack = json.loads(_catalog(1))
    known = len(pack["exercises"][0])
    pack["exercises"][0].update({f"x{i}": i for i in range(MAX_OBJECT_KEYS)})
    doc = parse_document(json.dumps(pack).encode(), "pack.json")
    (problem,) = schema_problems(doc, "pack")
    assert problem.pointer == "/exercises/0"
    assert f"has {MAX_OBJECT_KEYS + known:,} keys; the limit is" in problem.message
