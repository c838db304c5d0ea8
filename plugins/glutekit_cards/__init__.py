"""Printable routine sheets and exercise cards (PDF, HTML, Markdown).

``glutekit export ROUTINE --format pdf|html|md`` writes a one-page routine sheet
followed by a log grid, or with ``--cards`` one card per exercise, four to a page.
The writers are imported only when an export runs, so other commands stay fast.
"""

from __future__ import annotations

from collections.abc import Iterable

import glutekit
from glutekit.interfaces import Exporter, ExportRequest, LicenceNote


def _write_pdf(request: ExportRequest) -> None:
    from glutekit_cards.pdf import write_pdf

    write_pdf(request)


def _write_html(request: ExportRequest) -> None:
    from glutekit_cards.templates_render import write_html

    write_html(request)


def _write_md(request: ExportRequest) -> None:
    from glutekit_cards.templates_render import write_markdown

    write_markdown(request)


@glutekit.hookimpl
def glutekit_exporters() -> Iterable[Exporter]:
    return [
        Exporter(
            format="pdf",
            suffix=".pdf",
            write=_write_pdf,
            description="Printable routine sheet with a log grid, or exercise cards",
        ),
        Exporter(
            format="html",
            suffix=".html",
            write=_write_html,
            description="Routine sheet or cards as a web page that prints well",
        ),
        Exporter(
            format="md",
            suffix=".md",
            write=_write_md,
            description="Routine sheet as Markdown, for GitHub and notes",
        ),
    ]


@glutekit.hookimpl
def glutekit_licences() -> Iterable[LicenceNote]:
    return [
        LicenceNote(
            subject="DejaVu Sans (font embedded in exported PDFs)",
            licence="Bitstream-Vera",
            note="The Bitstream Vera licence, with DejaVu's changes in the public domain: "
            "free to embed, share and sell with other software; the font may not be sold "
            "on its own. Full text: glutekit_cards/fonts/LICENSE.",
            url="https://dejavu-fonts.github.io/License.html",
        )
    ]
