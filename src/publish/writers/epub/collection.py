"""A collection as one EPUB 3, built with the interview EPUB's own machinery (publish.writers.epub:
its Jinja environment and filters, book.css, the section template, the package document,
NCX and deterministic zip): cover image (the print collection cover, rasterised), title
page, navigation document nesting each interview's sections under its title, introduction,
then per interview an opening document (number, title, people, lead) and its sections
(profile ids qualified by the chapter, ch2-yamada), and one shared colophon.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path


from publish.model import Book as Collection
from publish.render import render_collection_html, render_html
from publish.writers.epub import (
    BOOK_ID_NAMESPACE,
    Document,
    _check_xml,
    _environment,
    assemble_resources,
    image_hrefs,
)
from publish.writers.epub import page_list_metadata, page_list_setting
from publish.writers.epub import (
    COVER_HREF,
    alt_text_sentence,
    conformance,
    edition_identity,
    embed_fonts_setting,
    writing_mode,
)
from publish.writers.epub.inline import uses_ruby
from publish.writers.epub.package import (
    CONTAINER_XML,
    Metadata,
    Resource,
    SpineEntry,
    katakana,
    package_opf,
    toc_ncx,
)
from publish.writers.epub import zip_epub
from publish.model import rich_plain
from publish.render import profiles_placement  # noqa: I001
from publish.readers.images import epub_image
from publish.layout.templating import layout_view
from publish.typeset_ja import weasyprint as jlreq
from publish.layout.templating import render as render_template

import uuid


def book_identifier(collection: Collection, *, vertical: bool = False, embedded: bool = False) -> str:
    identity = "|".join(["collection", collection.slug, collection.publisher or ""]) \
        + edition_identity(vertical, embedded)
    return f"urn:uuid:{uuid.uuid5(BOOK_ID_NAMESPACE, identity)}"


def modified_time(collection: Collection, source_date_epoch: str | None = None):
    """The latest date of the collection and its interviews, else SOURCE_DATE_EPOCH, else
    the collection file's last git commit, else now (publish.model.dates)."""
    from publish.model.dates import document_date

    return document_date(collection, epoch=source_date_epoch).moment


def cover_jpeg(collection: Collection, layout) -> bytes:
    """The print collection cover (screen colours), rasterised like an interview's."""
    from publish.writers.epub.cover import rasterise
    html = render_collection_html(collection, layout, medium="screen", chapters=[], back=False,
                                  page_numbers={c.anchor: 0 for c in collection.chapters})
    with jlreq.installed():
        document = render_html(html, layout, collection.sources)
        cover = document.copy([document.pages[0]]).write_pdf()
    return rasterise(cover)[0]


def documents(collection: Collection, vertical: bool = False) -> tuple[list[Document], list]:
    """The spine's documents, and the table of contents: [(opening Document, [section Documents])]."""
    docs = [
        Document("cover", "cover.xhtml", "表紙", "epub/cover.xhtml.j2", landmark="cover"),
        Document("titlepage", "titlepage.xhtml", collection.title.plain, "epub/collection/titlepage.xhtml.j2",
                 landmark="titlepage", vertical=vertical),
        Document("nav", "nav.xhtml", "目次", "epub/collection/nav.xhtml.j2", landmark="toc", vertical=vertical),
    ]
    if collection.intro:
        docs.append(Document("intro", "intro.xhtml", "はじめに", "epub/collection/intro.xhtml.j2", vertical=vertical))
    toc = []
    for chapter in collection.chapters:
        doc = chapter.interview
        opening = Document(f"ch{chapter.number}-opening", f"ch{chapter.number}-opening.xhtml",
                           f"{chapter.number:02d}　{doc.title.plain}", "epub/collection/opener.xhtml.j2",
                           {"doc": doc, "chapter": chapter}, in_toc=True, vertical=vertical)
        docs.append(opening)
        placement = profiles_placement(doc)
        sections = []
        for si, section in enumerate(doc.sections):
            title = section.heading.plain if section.heading else doc.title.plain
            profiles = {ti: people for (s, ti), people in placement.items() if s == si}
            d = Document(f"ch{chapter.number}-section-{si + 1}", f"ch{chapter.number}-section-{si + 1}.xhtml", title,
                         "epub/section.xhtml.j2",
                         {"doc": doc, "section": section, "section_index": si, "profiles": profiles},
                         vertical=vertical)
            docs.append(d)
            if section.heading is not None:  # no entry that only repeats the chapter's title
                sections.append(d)
        toc.append((opening, sections))
    first_body = next(i for i, d in enumerate(docs) if d.id.startswith("ch"))
    docs[first_body] = dataclasses.replace(docs[first_body], landmark="bodymatter")
    toc[0] = (docs[first_body], toc[0][1])
    docs.append(Document("colophon", "colophon.xhtml", "奥付", "epub/collection/colophon.xhtml.j2",
                         landmark="colophon", in_toc=True))
    return docs, toc


def build_collection_epub(collection: Collection, layout, *, vertical: bool | None = None,
                          embed_fonts: bool | None = None, source_date_epoch: str | None = None,
                          cover: bytes | None = None) -> bytes:
    vertical_book = writing_mode(layout, vertical) == "vertical-rl"
    embedded = embed_fonts_setting(layout, embed_fonts)
    env = _environment(layout)
    identifier = book_identifier(collection, vertical=vertical_book, embedded=embedded)
    modified = modified_time(collection, source_date_epoch)

    cover = cover if cover is not None else cover_jpeg(collection, layout)
    images = image_hrefs((f"ch{c.number}-", c.interview.images) for c in collection.chapters)
    resources = [Resource("cover-image", COVER_HREF, "image/jpeg", cover, ("cover-image",))]
    for index, (path, href) in enumerate(images.items(), 1):
        resources.append(Resource(f"image-{index:02d}", href, *epub_image(path)))  # only a checked image goes in

    spine_docs, toc = documents(collection, vertical_book)
    stylesheet_names = [p.name for p in layout.stylesheets("epub")]
    bits = [collection.title.plain] + ([collection.subtitle.plain] if collection.subtitle else [])
    bits += [collection.publisher] if collection.publisher else []
    common = dict(
        collection=collection, doc=collection.interviews[0], layout=layout_view(layout), identifier=identifier,
        modified=modified, stylesheets=[f"../style/{name}" for name in stylesheet_names],
        image_href=lambda p: "../" + images[Path(p)], cover_href="../" + COVER_HREF,
        cover_alt="表紙：" + "　".join(bits), toc=toc, landmarks=[d for d in spine_docs if d.landmark],
        vertical_book=vertical_book,
    )
    rendered = []
    for d in spine_docs:
        context = {**common, **d.context}
        rendered.append((d, render_template(env, d.template, **context, title=d.title, vertical=d.vertical, page=d)))
    page_meta = {}
    if page_list_setting(layout):
        with jlreq.installed():
            printed = render_html(render_collection_html(collection, layout, medium="print"), layout,
                                  collection.sources)
        rendered, page_meta = page_list_metadata(rendered, printed, layout,
                                                 f"{collection.title.plain}（印刷版 {collection.slug}.pdf）")

    xhtml, book_resources = assemble_resources(env, layout, rendered, stylesheet_names,
                                               embedded=embedded, vertical_book=vertical_book)
    resources += book_resources
    ncx_entries = [(o.title, o.href) for o, _ in toc] + [(d.title, d.href) for d in spine_docs if d.id == "colophon"]
    resources = xhtml + [Resource("ncx", "toc.ncx", "application/x-dtbncx+xml",
                                  toc_ncx(identifier, collection.title.plain, ncx_entries))] + resources

    people = {}
    for doc in collection.interviews:
        for p in doc.people:
            people.setdefault((p.name, p.reading), (p.name, katakana(p.reading), ("aut", "ive")))
    ruby = any(uses_ruby(p.inlines) for doc in collection.interviews for s in doc.sections for t in s.turns
               for p in getattr(t, "paragraphs", ()))
    meta = Metadata(
        identifier=identifier,
        title=collection.title.plain,
        title_reading=collection.title_reading,
        subtitle=collection.subtitle.plain if collection.subtitle else None,
        modified=modified,
        creators=list(people.values()),
        publisher=collection.publisher,
        publisher_reading=collection.publisher_reading,
        date=collection.published,
        subjects=tuple(dict.fromkeys(t for doc in collection.interviews for t in doc.tags)),
        description=rich_plain(collection.intro) if collection.intro else None,
        source=collection.url,
        access_modes=("textual", "visual"),
        access_modes_sufficient=("textual",),
        features=tuple(f for f, on in (
            ("structuralNavigation", True), ("tableOfContents", True), ("readingOrder", True),
            ("alternativeText", True), ("displayTransformability", True), ("rubyAnnotations", ruby)) if on),
        hazards=("none",),
        summary=("リフロー型の電子書籍で、文字の大きさや行間、配色は読者の環境で変更できます。"
                 + ("縦書きで、ページは右から左へ進みます。" if vertical_book else "横書きです。")
                 + f"{len(collection.chapters)}編のインタビューを収め、目次から各編とその節へ移動できます。"
                 "質問と回答には話者名を文字で示し、人物紹介はその人物が最初に話す箇所に置いています。"
                 + alt_text_sentence(bool(images))
                 + ("フォントを埋め込んでいます。" if embedded else "フォントは読書環境のものを使います。")
                 + "点滅や音声などの危険要素はありません。"),
        cover_id="cover-image",
        **conformance(rendered, collection.publisher),
        **page_meta,
    )
    opf = package_opf(meta, resources, [SpineEntry(d.id) for d in spine_docs], rtl=vertical_book)
    _check_xml("package.opf", opf)
    entries = {"META-INF/container.xml": CONTAINER_XML.encode("utf-8"), "EPUB/package.opf": opf}
    for r in resources:
        entries[f"EPUB/{r.href}"] = r.data
    return zip_epub(entries)
