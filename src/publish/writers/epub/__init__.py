"""The EPUB writer: model -> XHTML documents (the layout's epub/ templates) -> EPUB 3.

The book follows the EBPAJ (電書協) EPUB 3 guide where it does not conflict with EPUB 3.3:
cover, title page (扉), table of contents, lead, one document per section, colophon (奥付);
`html.hltr`/`html.vrtl` for the writing mode; `serif-ja`/`sans-serif-ja` first in the font
stacks. Vertical books (`--vertical`, or the layout token `epub.writing_mode: vertical-rl`,
which a source can set with `style:`) progress right to left.

Everything is written here as finished bytes — XHTML from Jinja2, the package document and
NCX from `package` — and zipped deterministically (`mimetype` first and stored, sorted
entries, fixed timestamps and permissions), so a build is byte-identical in any time zone.
ebooklib is not used for writing: it re-serialises documents, drops attributes and swallows
errors (see shared/notes/epub-toolchain.md).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import io
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import jinja2
from markupsafe import Markup

from publish.model.dates import document_date
from publish.errors import PublishError
from publish.layout import Layout
from publish.model import Interview, Paragraph, rich_plain
from publish.render import jdate, profiles_placement
from publish.layout.templating import layout_view
from publish.layout.templating import render as render_template
from publish.writers.epub import fonts as fontkit
from publish.writers.epub.inline import headline_filter, inline_filter, inline_xhtml, uses_ruby
from publish.writers.epub.package import (
    ACCESSIBILITY_CONFORMANCE,
    CONTAINER_XML,
    Metadata,
    Resource,
    SpineEntry,
    creators_of,
    package_opf,
    toc_ncx,
)
from publish.readers.images import epub_image

__all__ = ["build_epub", "book_identifier", "documents", "modified_time", "writing_mode",
           "inline_xhtml"]

XHTML = "application/xhtml+xml"
# Namespace for the book identifier: the same slug and publisher always give the same id.
BOOK_ID_NAMESPACE = uuid.UUID("6f1d3c2e-8a4b-4f6e-9c1d-2b7a5e0f4c3a")
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
WRITING_MODES = ("horizontal-tb", "vertical-rl")
IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
               ".svg": "image/svg+xml", ".webp": "image/webp"}
COVER_HREF = "images/cover.jpg"


@dataclass(frozen=True)
class Document:
    """One XHTML document of the book (in EPUB/xhtml/)."""

    id: str
    file_name: str
    title: str
    template: str
    context: dict = field(default_factory=dict)
    landmark: str | None = None  # epub:type in the landmarks nav
    in_toc: bool = False
    vertical: bool = False

    @property
    def href(self) -> str:
        return f"xhtml/{self.file_name}"


def book_identifier(doc: Interview, *, vertical: bool = False, embedded: bool = False) -> str:
    """One identifier per edition: the same slug, publisher, writing mode and font choice
    always give the same id; the vertical and the embedded-font editions get their own."""
    identity = f"{doc.slug}|{doc.publisher or ''}" + edition_identity(vertical, embedded)
    return f"urn:uuid:{uuid.uuid5(BOOK_ID_NAMESPACE, identity)}"


def edition_identity(vertical: bool, embedded: bool) -> str:
    """What sets an edition apart in its identifier (nothing for the horizontal one)."""
    return ("|vertical-rl" if vertical else "") + ("|embedded-fonts" if embedded else "")


_IMG = re.compile(r"<img\b[^>]*>")
_ALT = re.compile(r'\balt="([^"]*)"')


def meets_accessibility(rendered) -> bool:
    """What the books' conformance claim rests on beyond their fixed structure (ordered
    headings, toc, landmarks, language, speakers named in text, which Ace checks in the
    tests): every image has a text alternative."""
    for _, text in rendered:
        for tag in _IMG.findall(text):
            alt = _ALT.search(tag)
            if alt is None or not alt.group(1).strip():
                return False
    return True


def conformance(rendered, publisher: str | None) -> dict:
    """Metadata keyword arguments for the EPUB Accessibility 1.1 claim, when met."""
    if not meets_accessibility(rendered):
        return {}
    return {"conforms_to": ACCESSIBILITY_CONFORMANCE, "certified_by": publisher or "publish"}


def writing_mode(layout: Layout, vertical: bool | None = None) -> str:
    """`vertical` (the command line) wins; else the layout token `epub.writing_mode`."""
    if vertical is not None:
        return "vertical-rl" if vertical else "horizontal-tb"
    mode = (layout.tokens.get("epub") or {}).get("writing_mode") or "horizontal-tb"
    if mode not in WRITING_MODES:
        raise PublishError(f"layout '{layout.name}': epub.writing_mode '{mode}' must be one of "
                           f"{', '.join(WRITING_MODES)}")
    return mode


def page_list_setting(layout: Layout) -> bool:
    """Layout token `epub.page_list` (default true): mark the print edition's page breaks."""
    return bool((layout.tokens.get("epub") or {}).get("page_list", True))


def page_list_metadata(rendered, print_document, layout: Layout, source_label: str) -> tuple[list, dict]:
    """The rendered documents with the print edition's page breaks and page list, and the
    Metadata keyword arguments that go with them (pageBreakSource)."""
    from publish.layout import print_settings
    from publish.writers.epub.pagelist import add_page_list, page_texts, print_numbers

    texts = page_texts(print_document)
    rendered, numbers = add_page_list(rendered, texts,
                                      numbers=print_numbers(len(texts), print_settings(layout)))
    return rendered, ({"page_break_source": source_label} if numbers else {})


def embed_fonts_setting(layout: Layout, embed: bool | None = None) -> bool:
    if embed is not None:
        return embed
    return bool((layout.tokens.get("epub") or {}).get("embed_fonts", False))


def documents(doc: Interview, vertical: bool = False) -> list[Document]:
    placement = profiles_placement(doc)
    docs = [
        Document("cover", "cover.xhtml", "表紙", "epub/cover.xhtml.j2", landmark="cover"),
        Document("titlepage", "titlepage.xhtml", doc.title.plain, "epub/titlepage.xhtml.j2",
                 landmark="titlepage", vertical=vertical),
        Document("nav", "nav.xhtml", "目次", "epub/nav.xhtml.j2", landmark="toc", vertical=vertical),
    ]
    if doc.lead:
        docs.append(Document("lead", "lead.xhtml", "リード", "epub/lead.xhtml.j2", vertical=vertical))
    for si, section in enumerate(doc.sections):
        title = section.heading.plain if section.heading else doc.title.plain
        profiles = {ti: people for (s, ti), people in placement.items() if s == si}
        # a section without a heading (the first may have none) is not listed in the
        # contents: its entry would only repeat the title
        docs.append(Document(f"section-{si + 1}", f"section-{si + 1}.xhtml", title, "epub/section.xhtml.j2",
                             {"section": section, "section_index": si, "profiles": profiles},
                             in_toc=section.heading is not None, vertical=vertical))
    # The bodymatter landmark points at the first document of the text proper.
    if len(docs) > 3:
        docs[3] = dataclasses.replace(docs[3], landmark="bodymatter")
    docs.append(Document("colophon", "colophon.xhtml", "奥付", "epub/colophon.xhtml.j2", landmark="colophon",
                         in_toc=True))
    return docs


def modified_time(doc: Interview, source_date_epoch: str | None = None) -> dt.datetime:
    """dcterms:modified: the source's updated/published, else SOURCE_DATE_EPOCH, else the
    last git commit of the source, else now (see publish.model.dates); never a placeholder."""
    return document_date(doc, epoch=source_date_epoch).moment


def _environment(layout: Layout) -> jinja2.Environment:
    from publish.layout.templating import environment

    env = environment(layout.chain, autoescape=True, keep_trailing_newline=True)
    env.filters.update(inline=inline_filter, headline=headline_filter,
                       rich_plain=lambda v: rich_plain(v or ()), jdate=jdate,
                       plain=lambda p: p.plain if p else "")
    return env


def _uses_ruby(doc: Interview) -> bool:
    paragraphs: list[Paragraph] = [doc.title]
    paragraphs += [p for p in (doc.subtitle,) if p]
    paragraphs += list(doc.lead) + list(doc.note)
    for person in doc.people:
        paragraphs += list(person.bio)
    for section in doc.sections:
        paragraphs += [section.heading] if section.heading else []
        for turn in section.turns:
            paragraphs += list(getattr(turn, "paragraphs", ()) or getattr(turn, "caption", ()))
    return any(uses_ruby(p.inlines) for p in paragraphs)


def image_hrefs(groups) -> dict[Path, str]:
    """Each image file -> its href (images/<prefix><stem>…), names made unique.
    `groups` is [(prefix, image paths)]: one group for an interview, one per chapter of a
    collection ("ch2-")."""
    hrefs: dict[Path, str] = {}
    taken = {COVER_HREF}
    for prefix, paths in groups:
        for path in dict.fromkeys(paths):
            if path in hrefs:
                continue
            suffix = path.suffix.lower()
            if suffix not in IMAGE_TYPES:
                raise PublishError(f"{path}: images must be {', '.join(sorted(IMAGE_TYPES))} for EPUB")
            stem = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-") or "image"
            href, n = f"images/{prefix}{stem}{suffix}", 1
            while href in taken:
                n += 1
                href = f"images/{prefix}{stem}-{n}{suffix}"
            taken.add(href)
            hrefs[path] = href
    return hrefs


def alt_text_sentence(photos: bool) -> str:
    return "表紙と写真には代替テキストがあります。" if photos else "表紙には代替テキストがあります。"


def _summary(doc: Interview, vertical: bool, ruby: bool, embedded: bool) -> str:
    parts = [
        "リフロー型の電子書籍で、文字の大きさや行間、配色は読者の環境で変更できます。",
        "縦書きで、ページは右から左へ進みます。" if vertical else "横書きです。",
        "目次と見出しから各節へ移動できます。",
        "質問と回答には話者名を文字で示し、人物紹介はその人物が最初に話す箇所に置いています。",
        alt_text_sentence(bool(doc.images)),
    ]
    if ruby:
        parts.append("難読語にはルビを付けています。")
    parts.append("フォントを埋め込んでいます。" if embedded else "フォントは読書環境のものを使います。")
    parts.append("点滅や音声などの危険要素はありません。")
    return "".join(parts)


def _cover_alt(doc: Interview) -> str:
    bits = [doc.title.plain]
    if doc.subtitle:
        bits.append(doc.subtitle.plain)
    if doc.people:
        bits.append("・".join(p.name for p in doc.people))
    if doc.publisher:
        bits.append(doc.publisher)
    return "表紙：" + "　".join(bits)


_TAG = re.compile(r"<[^>]*>")


def _visible_text(xhtml: str) -> str:
    return html.unescape(_TAG.sub("", xhtml))


def build_epub(doc: Interview, layout: Layout, *, vertical: bool | None = None, embed_fonts: bool | None = None,
               source_date_epoch: str | None = None, cover: bytes | None = None) -> bytes:
    """The EPUB's bytes. `cover` (a JPEG) skips rasterising the print cover."""
    vertical_book = writing_mode(layout, vertical) == "vertical-rl"
    embedded = embed_fonts_setting(layout, embed_fonts)
    env = _environment(layout)
    identifier = book_identifier(doc, vertical=vertical_book, embedded=embedded)
    modified = modified_time(doc, source_date_epoch)
    ruby = _uses_ruby(doc)

    if cover is None:
        from publish.writers.epub.cover import cover_jpeg

        cover, _size = cover_jpeg(doc, layout)
    images = image_hrefs([("", doc.images)])
    resources: list[Resource] = [Resource("cover-image", COVER_HREF, "image/jpeg", cover, ("cover-image",))]
    for index, (path, href) in enumerate(images.items(), 1):
        resources.append(Resource(f"image-{index:02d}", href, *epub_image(path)))  # only a checked image goes in

    spine_docs = documents(doc, vertical_book)
    stylesheet_names = [p.name for p in layout.stylesheets("epub")]
    common = dict(
        doc=doc, layout=layout_view(layout), identifier=identifier, modified=modified,
        stylesheets=[f"../style/{name}" for name in stylesheet_names],
        image_href=lambda p: "../" + images[Path(p)],
        cover_href="../" + COVER_HREF, cover_alt=_cover_alt(doc),
        toc=[d for d in spine_docs if d.in_toc],
        landmarks=[d for d in spine_docs if d.landmark],
        vertical_book=vertical_book,
    )
    rendered: list[tuple[Document, str]] = []
    for d in spine_docs:
        text = render_template(env, d.template, **common, title=d.title, vertical=d.vertical, page=d, **d.context)
        rendered.append((d, text))
    page_meta = {}
    if page_list_setting(layout):
        from publish.render import render_document
        from publish.typeset_ja import weasyprint as jlreq

        with jlreq.installed():
            printed = render_document(doc, layout, medium="print")
        rendered, page_meta = page_list_metadata(rendered, printed, layout,
                                                 f"{doc.title.plain}（印刷版 {doc.slug}.pdf）")

    xhtml_resources, book_resources = assemble_resources(env, layout, rendered, stylesheet_names,
                                                         embedded=embedded, vertical_book=vertical_book)
    resources += book_resources
    ncx = toc_ncx(identifier, doc.title.plain, [(d.title, d.href) for d in spine_docs if d.in_toc])
    resources = xhtml_resources + [Resource("ncx", "toc.ncx", "application/x-dtbncx+xml", ncx)] + resources

    meta = Metadata(
        identifier=identifier,
        title=doc.title.plain,
        title_reading=doc.title_reading,
        subtitle=doc.subtitle.plain if doc.subtitle else None,
        modified=modified,
        creators=creators_of(doc),
        contributors=[(doc.interviewer, None, ("ivr",))] if doc.interviewer else [],
        publisher=doc.publisher,
        publisher_reading=doc.publisher_reading,
        date=doc.published,
        subjects=doc.tags,
        description=rich_plain(doc.lead) if doc.lead else None,
        source=doc.url,
        access_modes=("textual", "visual"),
        access_modes_sufficient=("textual",),
        features=tuple(f for f, on in (
            ("structuralNavigation", True), ("tableOfContents", True), ("readingOrder", True),
            ("alternativeText", True), ("displayTransformability", True), ("rubyAnnotations", ruby),
        ) if on),
        hazards=("none",),
        summary=_summary(doc, vertical_book, ruby, embedded),
        cover_id="cover-image",
        **conformance(rendered, doc.publisher),
        **page_meta,
    )
    spine = [SpineEntry(d.id) for d in spine_docs]
    opf = package_opf(meta, resources, spine, rtl=vertical_book)
    _check_xml("package.opf", opf)

    entries = {"META-INF/container.xml": CONTAINER_XML.encode("utf-8"), "EPUB/package.opf": opf}
    for r in resources:
        entries[f"EPUB/{r.href}"] = r.data
    return zip_epub(entries)


def assemble_resources(env, layout: Layout, rendered, stylesheet_names, *, embedded: bool,
                       vertical_book: bool) -> tuple[list[Resource], list[Resource]]:
    """The rendered documents as checked XHTML resources, and what they need besides:
    the bundled fonts subset to the book's characters (when embedded) and the layout's
    stylesheets rendered for this book's fonts and writing mode."""
    extra: list[Resource] = []
    faces = fontkit.embedded_faces("".join(_visible_text(text) for _, text in rendered)) if embedded else []
    for face in faces:
        extra.append(Resource(f"font-{Path(face.file_name).stem.lower()}", f"fonts/{face.file_name}",
                              fontkit.WOFF2, face.data))
    families = {g: next((f.family for f in faces if f.generic == g), None) for g in ("serif", "sans")}
    css_context = dict(
        font_faces=Markup(fontkit.font_face_css(faces)),
        serif=Markup(", ".join(x for x in (_quoted(families["serif"]), "serif-ja", "serif") if x)),
        sans=Markup(", ".join(x for x in (_quoted(families["sans"]), "sans-serif-ja", "sans-serif") if x)),
        vertical_book=vertical_book,
    )
    for path, name in zip(layout.stylesheets("epub"), stylesheet_names):
        relative = next(path.relative_to(folder).as_posix() for folder in layout.chain if path.is_relative_to(folder))
        css = render_template(env, relative, **css_context)
        extra.append(Resource(f"css-{Path(name).stem}", f"style/{name}", "text/css", css.encode("utf-8")))
    xhtml = []
    for d, text in rendered:
        data = text.encode("utf-8")
        _check_xml(d.href, data)
        xhtml.append(Resource(d.id, d.href, XHTML, data, ("nav",) if d.id == "nav" else ()))
    return xhtml, extra


def _quoted(family: str | None) -> str | None:
    return f'"{family}"' if family else None


def _check_xml(name: str, data: bytes) -> None:
    if not data.strip():
        raise PublishError(f"EPUB: {name} came out empty")
    try:
        ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise PublishError(f"EPUB: {name} is not well-formed XML ({exc})") from None


def zip_epub(entries: dict[str, bytes]) -> bytes:
    """The OCF zip: `mimetype` first and stored, then every entry sorted by name, each with
    a fixed timestamp and permissions (byte-identical in any time zone)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in ["mimetype"] + sorted(n for n in entries if n != "mimetype"):
            data = b"application/epub+zip" if name == "mimetype" else entries[name]
            if not data:
                raise PublishError(f"EPUB: {name} is empty")
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.external_attr = 0o644 << 16
            info.create_system = 3
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            target.writestr(info, data, compresslevel=9 if name != "mimetype" else None)
    result = out.getvalue()
    if not result:
        raise PublishError("the EPUB came out empty")
    return result
