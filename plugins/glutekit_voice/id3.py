"""An ID3v2.4 tag with a title and chapters, written by hand (no tagging library needed).

Only what the spoken export needs: a TIT2 (title) frame, one CHAP frame per chapter and
a CTOC frame listing them, as the ID3v2 chapter frame addendum describes and podcast
players read. The tag goes at the very start of the MP3 file, before the audio frames.

Layout, in short: a 10-byte header (``ID3``, version 4.0, flags, the tag's size as a
"syncsafe" integer: 7 bits per byte); then frames, each a 4-letter id, a syncsafe size,
two flag bytes and the body. Text is UTF-8 (encoding byte 3). CHAP and CTOC bodies start
with a zero-terminated element id and end with frames of their own (here a TIT2).
"""

from __future__ import annotations

from collections.abc import Sequence

from glutekit.model.records import record

#: Encoding byte of a UTF-8 text frame (ID3v2.4 only).
_UTF8 = b"\x03"
#: CHAP's byte offsets: "not given" (players use the times).
_NO_OFFSET = b"\xff\xff\xff\xff"
#: CTOC flags: bit 1 top-level, bit 0 ordered.
_TOP_LEVEL_ORDERED = b"\x03"
#: Zero bytes after the frames, so a tag editor can add a little without rewriting the file.
PADDING = 256
#: The largest size a syncsafe 28-bit integer holds.
_MAX_SIZE = (1 << 28) - 1


@record(frozen=True, kw_only=True)
class ChapterMark:
    """One chapter: its title, and where it starts and ends in whole milliseconds."""

    title: str
    start_ms: int
    end_ms: int


def syncsafe(value: int) -> bytes:
    """``value`` in four bytes of seven bits each (the high bit of every byte is 0)."""
    if not 0 <= value <= _MAX_SIZE:
        raise ValueError(f"an ID3 size must be 0..{_MAX_SIZE}, got {value}")
    return bytes((value >> shift) & 0x7F for shift in (21, 14, 7, 0))


def frame(frame_id: str, body: bytes) -> bytes:
    """One ID3v2.4 frame, with no flags set."""
    if len(frame_id) != 4 or not frame_id.isascii():
        raise ValueError(f"a frame id is four ASCII characters, got {frame_id!r}")
    return frame_id.encode("ascii") + syncsafe(len(body)) + b"\x00\x00" + body


def title_frame(text: str) -> bytes:
    return frame("TIT2", _UTF8 + text.encode("utf-8"))


def _element_id(name: str) -> bytes:
    if "\x00" in name or not name.isascii():
        raise ValueError(f"an element id is ASCII without NUL, got {name!r}")
    return name.encode("ascii") + b"\x00"


def chapter_frame(element_id: str, mark: ChapterMark) -> bytes:
    times = b"".join(max(0, t).to_bytes(4, "big") for t in (mark.start_ms, mark.end_ms))
    body = _element_id(element_id) + times + _NO_OFFSET + _NO_OFFSET + title_frame(mark.title)
    return frame("CHAP", body)


def toc_frame(element_id: str, children: Sequence[str], title: str) -> bytes:
    if len(children) > 255:
        raise ValueError(f"a table of contents holds at most 255 entries, got {len(children)}")
    body = _element_id(element_id) + _TOP_LEVEL_ORDERED + bytes([len(children)])
    body += b"".join(_element_id(child) for child in children)
    return frame("CTOC", body + title_frame(title))


def chapter_tag(marks: Sequence[ChapterMark], *, title: str | None, toc_title: str) -> bytes:
    """The whole tag: header, table of contents, one CHAP per mark, the title, padding.

    The CHAP frames are stored in time order, and their element ids sort the same way
    as text: FFmpeg (and so mpv, VLC and many podcast tools) lists chapters in the
    order their frames are stored, not in the table of contents' order.
    """
    marks = sorted(marks, key=lambda mark: (mark.start_ms, mark.end_ms))
    width = len(str(max(len(marks) - 1, 0)))
    ids = [f"chp{index:0{width}d}" for index in range(len(marks))]
    frames = toc_frame("toc", ids, toc_title)
    frames += b"".join(chapter_frame(i, mark) for i, mark in zip(ids, marks, strict=True))
    if title:
        frames += title_frame(title)
    frames += bytes(PADDING)
    return b"ID3\x04\x00\x00" + syncsafe(len(frames)) + frames
