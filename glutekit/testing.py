"""Conformance checks a pack runs in its own tests (the public import for publishers).

    from glutekit.testing import check_pack_module

    def test_pack_passes_glutekit_conformance_checks() -> None:
        check_pack_module("glutekit_my_pack")

The code lives in :mod:`glutekit.publish.testing`, with the rest of the publisher tools.
"""

from __future__ import annotations

from glutekit.publish.testing import ConformanceError, check_pack, check_pack_module

__all__ = ["ConformanceError", "check_pack", "check_pack_module"]
