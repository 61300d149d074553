"""Rendering: a book -> HTML through the layout's Jinja2 templates -> WeasyPrint's pages.

`render_print_html` / `render_collection_html` make the HTML, `render_html` typesets it
(every file loaded through `fetch`, the trust boundary), and `makeup` fits the page count
to the binding by rendering again with adjusted spacing and editorial pages.

Filters available to templates: `inline` (a Paragraph as typeset inline HTML), `plain`,
`rich_plain`, `uri` (a path as a file URI) and `jdate` (2024年2月1日); `headline(measure)`
(a title broken by phrase and balanced for `measure` ems), `ja` (a plain string typeset:
和欧間, full-width punctuation) and `running` (a running head's text). Global: `pt`
(a length token in points).
Templates run in the layout's sandbox (publish.layout.templating) and see a plain `LayoutView`,
not the Layout.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from markupsafe import Markup

from publish.errors import MissingLayoutFile

from publish.layout import templating
from publish import typeset_ja
from publish.layout import Layout, to_pt
from publish.model import Book, Interview, Paragraph, plain_text, rich_plain


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
    """A vertical layout's `inline`, `headline` and `ja` filters: 縦中横 and fullwidth ？！（）
    in headlines, names and dates as in the body."""
    if layout.vertical:
        tcy = (layout.tokens.get("vertical") or {}).get("tate_chu_yoko") == "auto"
        env.filters.setdefault("inline", _vertical_inline(tcy))
        env.filters.setdefault("headline", lambda value, measure=None: _headline(value, measure, vertical=True,
                                                                                   tcy_auto=tcy))
        env.filters.setdefault("ja", lambda value: typeset_ja.text_html(value, vertical=True, tcy_auto=tcy))


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


def _headline(value, measure=None, *, vertical: bool = False, tcy_auto: bool = False) -> Markup:
    from publish.typeset_ja.headline import headline_html

    return headline_html(value, measure, vertical=vertical, tcy_auto=tcy_auto)


def profiles_placement(doc: Interview) -> dict[tuple[int, int], list]:
    """Each person's profile goes where that person first speaks; people who never
    answer get theirs before the first turn."""
    placement: dict[tuple[int, int], list] = {}
    firsts = doc.first_turn_of
    for person in doc.people:
        placement.setdefault(firsts.get(person.id, (0, 0)), []).append(person)
    return placement


def render_print_html(doc: Interview, layout: Layout, *, medium: str = "print", plan=None) -> str:
    """The HTML WeasyPrint typesets, for `medium` 'print' (CMYK, bleed) or 'screen'.
    `plan` (publish.render.makeup.Plan): the make-up level and the editorial pages to add."""
    from publish.render.makeup import template_globals

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
        **template_globals(plan, layout),
    )


def render_collection_html(collection: Book, layout, *, medium: str = "print", chapters=None,
                           front: bool = True, back: bool = True, page_numbers: dict | None = None,
                           furniture: bool = True, first_page: int = 1, plan=None) -> str:
    """The HTML WeasyPrint typesets for the collection (or a part of it: the front matter,
    some chapters, the colophon). `page_numbers` (anchor -> page) writes the table of
    contents' numbers as text instead of `target-counter()`; `furniture=False` leaves out
    running heads and folios (stamped later, see writers/pdf/parallel.py)."""
    from publish.render.makeup import template_globals

    env = layout.env
    install_filters(env)
    placements = {c.number: profiles_placement(c.interview) for c in collection.chapters}
    try:
        collection_css = [layout.find("collection.css").as_uri()]
    except MissingLayoutFile:  # a layout without collection styles still builds, plainly
        collection_css = []
    return templating.render(
        env, "templates/collection.html.j2",
        collection=collection,
        chapters=collection.chapters if chapters is None else chapters,
        layout=templating.layout_view(layout),
        area=layout.type_area,
        medium=medium,
        css_variables=Markup(layout.css_variables(medium)),
        stylesheets=[p.as_uri() for p in layout.stylesheets("print")] + collection_css,
        chapter_profiles=lambda chapter: (lambda si, ti: placements[chapter.number].get((si, ti), [])),
        show_front=front,
        show_back=back,
        page_numbers=page_numbers,
        chapter_start=chapter_start(layout, medium),
        furniture=furniture,
        first_page=first_page,
        **template_globals(plan, layout),
    )


def chapter_start(layout, medium: str) -> str:
    """`placement.chapters` for this medium: on screen a right-hand start is only the next
    page (a blank page there has no reason to exist)."""
    start = (layout.tokens.get("placement") or {}).get("chapters", "right")
    return "new-page" if start == "right" and medium != "print" else start


def render_html(html: str, layout: Layout, sources=()):
    """WeasyPrint's Document of `html`; every file it loads goes through publish.render.fetch (only
    the sources' folders, the layout chain and fonts/; no network, no attachments). Call it,
    and draw the Document (``write_pdf``), inside ``with jlreq.installed():`` (JLReq line
    breaking, justification, line grid and ruby placement; pinned to WeasyPrint 70)."""
    from publish.render import fetch
    from publish.typeset_ja import weasyprint as jlreq

    if not jlreq.is_installed():
        raise RuntimeError("render_html outside `with typeset_ja.weasyprint.installed():`")
    return fetch.render(html, layout, sources)


def render_document(doc: Interview, layout: Layout, *, medium: str = "print", plan=None):
    """A laid-out WeasyPrint Document (pages, boxes) of the interview; `plan` is the
    make-up stage's (publish.render.makeup), None for the natural make-up."""
    return render_html(render_print_html(doc, layout, medium=medium, plan=plan), layout, sources=[doc.source])


def render_book(book, layout: Layout, *, medium: str = "print", plan=None, **parts):
    """A laid-out WeasyPrint Document of a book: a book of one is typeset as its interview
    (templates/document.html.j2), a book of many with templates/collection.html.j2
    (`parts`: a piece of it, see render_collection_html)."""
    if book.single:
        return render_document(book.interview, layout, medium=medium, plan=plan)
    return render_html(render_collection_html(book, layout, medium=medium, plan=plan, **parts), layout, book.sources)
