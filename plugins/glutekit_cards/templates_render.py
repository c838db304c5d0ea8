"""The HTML and Markdown exporters: Jinja2 templates, overridable by plugins.

Template folders that plugins return from ``glutekit_template_dirs`` are searched
first; the built-in templates come after them and are also reachable as
``base/<name>``, so a plugin template can ``{% extends "base/sheet.html.j2" %}``
and replace single blocks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from glutekit.atomic import write_text
from glutekit.errors import GlutekitError
from glutekit.interfaces import ExportRequest
from glutekit_cards.content import Sheet, build_sheet
from glutekit_cards.figures import svg

BUILTIN = Path(__file__).resolve().parent / "templates"
#: Characters that mean something to Markdown (or to the HTML GitHub allows in it).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~#])")


def markdown_escape(value: Any) -> str:
    """Text that Markdown shows exactly as written: each special character backslashed."""
    if value is None:
        return ""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(value)).replace("\n", " ")


def environment(template_dirs: Sequence[Path], *, markdown: bool = False) -> Any:
    """A Jinja2 environment: plugin folders, then the built-ins (also as ``base/``)."""
    try:
        import jinja2
        import markupsafe  # installed with jinja2, which uses it for autoescaping
    except ImportError:
        from glutekit.errors import needs

        raise needs("jinja2", "jinja2", "HTML and Markdown export") from None

    builtin = jinja2.FileSystemLoader(str(BUILTIN))
    loader = jinja2.ChoiceLoader(
        [
            *(jinja2.FileSystemLoader(str(d)) for d in template_dirs),
            jinja2.PrefixLoader({"base": builtin}),
            builtin,
        ]
    )
    if markdown:
        md = jinja2.Environment(
            loader=loader,
            autoescape=False,
            finalize=markdown_escape,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            # Markdown is whitespace-sensitive: a line holding only a tag must vanish.
            trim_blocks=True,
            lstrip_blocks=True,
        )
        md.filters["file_url"] = lambda path: Path(path).as_uri()
        return md
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined)

    def figure(name: str) -> Any:
        # The SVG is built from fixed shapes and numbers only, never from user text.
        return markupsafe.Markup(svg(name))

    env.globals["figure"] = figure
    env.globals["picture"] = picture
    return env


_MEDIA = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}


def picture(path: str, alt: str) -> Any:
    """A pack's picture embedded in the page, so the HTML file travels on its own."""
    import base64

    import markupsafe

    from glutekit_cards.pictures import embedded_bytes

    try:
        data = base64.b64encode(embedded_bytes(path)).decode("ascii")
    except Exception:  # unreadable, or not a picture after all: the page goes without it
        return markupsafe.Markup("")
    media = _MEDIA.get(Path(path).suffix.lower(), "application/octet-stream")
    return markupsafe.Markup('<img class="picture" src="data:{};base64,{}" alt="{}">').format(
        media, data, alt
    )


def render(
    sheet: Sheet,
    fmt: str,
    template_dirs: Sequence[Path] = (),
    *,
    print_scale: float = 1.0,
    card_scales: Mapping[str, float] | None = None,
) -> str:
    """The sheet and/or the cards (``sheet.show_sheet``, ``sheet.show_cards``) as HTML or Markdown.

    ``sheet.*.j2`` is the entry point either way; it includes ``cards.*.j2`` for the cards.
    """
    name = "sheet.md.j2" if fmt == "md" else "sheet.html.j2"
    env = environment(template_dirs, markdown=fmt == "md")  # says so when jinja2 is missing
    import jinja2

    try:
        return str(
            env.get_template(name).render(
                sheet=sheet, print_scale=print_scale, card_scales=card_scales or {}
            )
        )
    except jinja2.TemplateError as exc:
        where = (
            f"{exc.filename}:{exc.lineno}: "
            if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename
            else ""
        )
        raise GlutekitError(f"{where}template {name} failed: {exc}") from None


def _dirs(request: ExportRequest) -> list[Path]:
    return list(request.options.template_dirs)


def write_html(request: ExportRequest) -> None:
    from glutekit_cards.scales import print_scales

    sheet = build_sheet(request)
    scales = print_scales(sheet)
    text = render(sheet, "html", _dirs(request), print_scale=scales.sheet, card_scales=scales.cards)
    write_text(request.path, text)


def write_markdown(request: ExportRequest) -> None:
    write_text(request.path, render(build_sheet(request), "md", _dirs(request)))
