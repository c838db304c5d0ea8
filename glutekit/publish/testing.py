"""Conformance checks for a pack's own test suite.

In a pack package's tests::

    from glutekit.testing import check_pack_module

    def test_pack_conforms():
        check_pack_module("glutekit_my_pack")

The test fails with every problem listed, one per line, exactly as
``glutekit check-pack`` prints them.
"""

from __future__ import annotations

from glutekit.publish.checks import Options, Report, check

__all__ = ["ConformanceError", "check_pack", "check_pack_module"]


class ConformanceError(AssertionError):
    """A pack failed the conformance checks; the message lists every finding."""

    def __init__(self, report: Report) -> None:
        self.report = report
        lines = [str(f) for f in report.findings if f.severity != "info"]
        super().__init__("\n".join([report.summary(), *lines]))


def check_pack(
    target: str, *, export: bool = True, voice: bool = True, warnings_fail: bool = False
) -> Report:
    """Check a pack file, package folder or module; raise when it does not conform.

    :param warnings_fail: treat warnings as failures too.
    :returns: the report, for further asserts of your own.
    :raises ConformanceError: (an ``AssertionError``) listing every finding.
    """
    report = check(target, options=Options(export=export, voice=voice))
    if report.errors or (warnings_fail and report.warnings):
        raise ConformanceError(report)
    return report


def check_pack_module(
    module: str, *, export: bool = True, voice: bool = True, warnings_fail: bool = False
) -> Report:
    """Check the importable module ``module`` that glutekit loads as a plugin.

    The module is asked for its packs and routines through glutekit's hooks,
    the same way ``glutekit`` itself asks an installed plugin.
    """
    return check_pack(module, export=export, voice=voice, warnings_fail=warnings_fail)
