"""Model -> HTML through a layout's Jinja2 templates (the print side).

Filters available to templates: `inline` (a Paragraph as typeset inline HTML), `plain`,
`rich_plain`, `uri` (a path as a file URI) and `jdate` (2024年2月1日); `headline(measure)`
(a title broken by phrase and balanced for `measure` ems), `ja` (a plain string typeset:
和欧間, full-width punctuation) and `running` (a running head's text). Global: `pt`
(a length token in points).
Templates run in the layout's sandbox (publish.templating) and see a plain `LayoutView`,
not the Layout.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from markupsafe import Markup

from . import templating, typeset_ja
from .layout import Layout, to_pt
from .model import Interview, Paragraph, plain_text, rich_plain


def jdate(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _inline(value) -> Markup:
    if value is None:
        return Markup("")
    if isinstance(value, Paragraph):
        return typeset_ja.paragraph_html(value)
    return Markup("").join(typeset_ja.paragraph_html(p) for p in value)


def _vertical_inline(tcy_auto: bool):
    """The `inline` filter of a vertical (縦組み) layout: 縦中横 spans and fullwidth ？！（）."""

    def inline(value) -> Markup:
        if value is None:
            return Markup("")
        if isinstance(value, Paragraph):
            return typeset_ja.vertical_inline_html(value.inlines, tcy_auto=tcy_auto)
        return Markup("").join(typeset_ja.vertical_inline_html(p.inlines, tcy_auto=tcy_auto) for p in value)

    return inline


def install_vertical_filters(env, layout: Layout) -> None:
    if layout.vertical:
        tcy = (layout.tokens.get("vertical") or {}).get("tate_chu_yoko") == "auto"
        env.filters.setdefault("inline", _vertical_inline(tcy))


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Paragraph):
        return value.plain
    return plain_text(value)


def qr_svg(url: str) -> Markup:
    """A QR code for `url` as inline SVG (vector, so it prints sharp at any size)."""
    import segno

    return Markup(segno.make(url, error="m").svg_inline(border=0, omitsize=True, dark="#000"))


def install_filters(env) -> None:
    env.filters.setdefault("qr_svg", qr_svg)
    env.filters.setdefault("inline", _inline)
    env.filters.setdefault("plain", _plain)
    env.filters.setdefault("rich_plain", lambda v: rich_plain(v or ()))
    env.filters.setdefault("uri", lambda p: Path(p).resolve().as_uri())
    env.filters.setdefault("jdate", jdate)
    env.filters.setdefault("headline", _headline)
    env.filters.setdefault("ja", typeset_ja.text_html)
    env.filters.setdefault("running", typeset_ja.running_text)
    env.globals.setdefault("pt", to_pt)


def _headline(value, measure=None) -> Markup:
    from .typeset_ja.headline import headline_html

    return headline_html(value, measure)


def profiles_placement(doc: Interview) -> dict[tuple[int, int], list]:
    """Each person's profile goes where that person first speaks; people who never
    answer get theirs before the first turn."""
    placement: dict[tuple[int, int], list] = {}
    firsts = doc.first_turn_of
    for person in doc.people:
        placement.setdefault(firsts.get(person.id, (0, 0)), []).append(person)
    return placement


def render_print_html(doc: Interview, layout: Layout, *, medium: str = "print", blank_pages: int = 0,
                      plan=None) -> str:
    """The HTML WeasyPrint typesets, for `medium` 'print' (CMYK, bleed) or 'screen'.
    `plan` (publish.makeup.Plan): the make-up level and the editorial pages to add."""
    from .makeup import template_globals

    env = layout.env
    install_vertical_filters(env, layout)
    install_filters(env)
    placement = profiles_placement(doc)
    return templating.render(
        env, "templates/document.html.j2",
        doc=doc,
        layout=templating.layout_view(layout),
        area=layout.type_area,
        medium=medium,
        css_variables=Markup(layout.css_variables(medium)),
        stylesheets=[p.as_uri() for p in layout.stylesheets("print")],
        profiles_at=lambda si, ti: placement.get((si, ti), []),
        blank_pages=blank_pages,
        **template_globals(plan, layout),
    )


def render_check(doc, layout_override: str | None = None) -> None:
    """`publish check`: compile every template of the source's layout chain, then render
    the print HTML and the EPUB's documents for this source (Jinja only, no typesetting),
    so a template's syntax error, undefined name, refused include or sandbox refusal is
    reported as `file.j2:LINE: message` (SourceError, exit 2) before any build."""
    from .collection import Collection, render_collection_html
    from .errors import SourceError
    from .layout import load_layout

    layout = load_layout(layout_override or doc.layout, style=dict(doc.style), source=doc.source)
    from .epub import _environment

    install_filters(layout.env)
    problems = templating.check_templates(layout.env, _environment(layout))
    if problems:
        raise SourceError(problems)
    if isinstance(doc, Collection):
        from .collection_epub import build_collection_epub

        render_collection_html(doc, layout)
        build_collection_epub(doc, layout, cover=b"\xff\xd8", embed_fonts=False)
    else:
        from .epub import build_epub

        render_print_html(doc, layout)
        build_epub(doc, layout, cover=b"\xff\xd8", embed_fonts=False)
