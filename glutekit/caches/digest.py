"""Hashes for cache keys, without loading OpenSSL on a short command's way.

``import hashlib`` loads OpenSSL's libcrypto (about 3 ms of a command's start) to hash
a few hundred bytes of file sizes and times. CPython also ships its own SHA-256
module, which gives the same digests; it is used where it exists (``_sha2`` from
Python 3.12, ``_sha256`` before), and :func:`hashlib.sha256` anywhere else.

Keys over whole pack files (tens of megabytes for a large catalog) use
:func:`content_hash`, BLAKE2b from CPython's own ``_blake2``: three times as fast as
its SHA-256 there, and as good a key.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Protocol, cast


class Digest(Protocol):
    """What glutekit uses of a hash object."""

    def update(self, data: bytes, /) -> None: ...

    def digest(self) -> bytes: ...

    def hexdigest(self) -> str: ...


_make: Callable[[bytes], Digest] | None = None


def _constructor() -> Callable[[bytes], Digest]:
    for module in ("_sha2", "_sha256"):  # CPython's own, 3.12+ and 3.11
        try:
            return cast(Callable[[bytes], Digest], importlib.import_module(module).sha256)
        except (ImportError, AttributeError):
            continue
    import hashlib

    return hashlib.sha256


def sha256(data: bytes = b"") -> Digest:
    """A SHA-256 hash object fed ``data``: :func:`hashlib.sha256`'s digests."""
    global _make
    if _make is None:
        _make = _constructor()
    return _make(data)


def content_hash(data: bytes = b"") -> Digest:
    """A BLAKE2b hash object fed ``data`` (32 bytes, as long as SHA-256's), for keys over
    large amounts of content."""
    try:
        from _blake2 import blake2b
    except ImportError:  # a Python built without it
        from hashlib import blake2b
    return cast(Digest, blake2b(data, digest_size=32))
