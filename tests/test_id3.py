"""glutekit's own ID3v2.4 writer, read back by an independent reader (mutagen, a test tool)."""

from __future__ import annotations

from pathlib import Path

import pytest
from glutekit_voice.id3 import ChapterMark, chapter_tag, syncsafe

id3 = pytest.importorskip("mutagen.id3", reason="reading the tag back needs mutagen")

MARKS = [
    ChapterMark(title="Quick five", start_ms=0, end_ms=4_250),
    ChapterMark(title="Clamshell – left side", start_ms=4_250, end_ms=61_000),
    ChapterMark(title="Piriformis stretch ✓", start_ms=61_000, end_ms=125_480),
]


def _tagged(tmp_path: Path, marks: list[ChapterMark], title: str | None) -> Path:
    path = tmp_path / "tagged.mp3"
    # Any bytes may follow the tag; a reader stops at the tag's declared size.
    path.write_bytes(chapter_tag(marks, title=title, toc_title="Exercises") + b"\xff\xf3" * 64)
    return path


def test_chapters_titles_and_table_of_contents_read_back(tmp_path: Path) -> None:
    tag = id3.ID3(_tagged(tmp_path, MARKS, "Quick five"))
    assert tag.version == (2, 4, 0)
    assert str(tag["TIT2"]) == "Quick five"
    chapters = sorted(tag.getall("CHAP"), key=lambda c: c.start_time)
    assert [(c.start_time, c.end_time) for c in chapters] == [(m.start_ms, m.end_ms) for m in MARKS]
    assert [str(c.sub_frames["TIT2"]) for c in chapters] == [m.title for m in MARKS]
    (toc,) = tag.getall("CTOC")
    assert list(toc.child_element_ids) == [c.element_id for c in chapters]
    assert toc.flags & id3.CTOCFlags.TOP_LEVEL and toc.flags & id3.CTOCFlags.ORDERED
    assert str(toc.sub_frames["TIT2"]) == "Exercises"


def test_a_tag_without_title_and_with_many_chapters(tmp_path: Path) -> None:
    marks = [
        ChapterMark(title=f"Step {i}", start_ms=i * 1000, end_ms=i * 1000 + 999) for i in range(200)
    ]
    tag = id3.ID3(_tagged(tmp_path, marks, None))
    assert "TIT2" not in tag
    assert len(tag.getall("CHAP")) == 200
    assert len(tag.getall("CTOC")[0].child_element_ids) == 200


def test_sizes_are_syncsafe_and_out_of_range_is_refused() -> None:
    assert syncsafe(0x7F) == b"\x00\x00\x00\x7f"
    assert syncsafe(0x80) == b"\x00\x00\x01\x00"
    assert all(byte < 0x80 for byte in syncsafe((1 << 28) - 1))
    with pytest.raises(ValueError):
        syncsafe(1 << 28)
    with pytest.raises(ValueError, match="255"):
        chapter_tag([MARKS[0]] * 256, title=None, toc_title="x")
