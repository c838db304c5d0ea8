"""The quick scan of a file's JSON source never misses a text the text rules refuse."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from glutekit.textcheck import source_may_have_bad_text, text_problems

TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0, max_codepoint=0x2FF),
        st.sampled_from(["\\", '"', "/", "\ud800", "\udfff", "\U0001f600", "×", "\x7f", "\x85"]),
    ),
    max_size=12,
)
DOC = st.recursive(
    st.one_of(TEXT, st.integers()),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(data=DOC, ascii_only=st.booleans(), indent=st.sampled_from([None, 2]))
def test_the_source_scan_flags_every_document_with_a_refused_text(
    data: object, ascii_only: bool, indent: int | None
) -> None:
    try:
        source = json.dumps(data, ensure_ascii=ascii_only, indent=indent)
        source.encode("utf-8")
    except UnicodeEncodeError:
        source = json.dumps(data, ensure_ascii=True, indent=indent)
    refused = any(True for _ in text_problems(json.loads(source)))
    if refused:
        assert source_may_have_bad_text(source)


def test_a_clean_document_is_not_flagged() -> None:
    source = json.dumps(
        {"name": "Calf stretch × 2 – gently", "path": "a\\nb", "url": "x/y"}, indent=2
    )
    assert not source_may_have_bad_text(source)
