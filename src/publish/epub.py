"""The EPUB writer: model -> XHTML documents (the layout's epub/ templates) -> EPUB 3.

ebooklib is confined to packaging here: documents are finished XHTML stored as plain
EpubItems (bytes pass through unchanged; EpubHtml would re-serialise them), and the zip is
rewritten deterministically afterwards (fixed timestamps, `mimetype` first and stored).
"""

from __future__ import annotations

import datetime as dt
import io
import mimetypes
import uuid
import zipfile
from dataclasses import dataclass

import jinja2
from ebooklib import epub
from markupsafe import Markup, escape

from .layout import Layout
from .model import Emphasis, Interview, Paragraph, Ruby, Strong, TateChuYoko, Text, rich_plain
from .render import jdate, profiles_placement

XHTML = "application/xhtml+xml"
# Namespace for the book identifier: the same slug and publisher always give the same id.
BOOK_ID_NAMESPACE = uuid.UUID("6f1d3c2e-8a4b-4f6e-9c1d-2b7a5e0f4c3a")
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def inline_xhtml(inlines) -> Markup:
    parts: list[str] = []
    for node in inlines:
        if isinstance(node, Text):
            parts.append(str(escape(node.text)))
        elif isinstance(node, Ruby):
            parts.append(f"<ruby>{escape(node.base)}<rp>（</rp><rt>{escape(node.reading)}</rt><rp>）</rp></ruby>")
        elif isinstance(node, Emphasis):
            parts.append(f'<em class="bouten">{inline_xhtml(node.children)}</em>')
        elif isinstance(node, Strong):
            parts.append(f"<strong>{inline_xhtml(node.children)}</strong>")
        elif isinstance(node, TateChuYoko):
            parts.append(f'<span class="tcy">{escape(node.text)}</span>')
        else:  # pragma: no cover - the model is closed
            raise TypeError(node)
    return Markup("".join(parts))


def _inline(value) -> Markup:
    if value is None:
        return Markup("")
    if isinstance(value, Paragraph):
        return inline_xhtml(value.inlines)
    return Markup("").join(inline_xhtml(p.inlines) for p in value)


@dataclass(frozen=True)
class Document:
    """One XHTML document of the book."""

    id: str
    file_name: str
    title: str
    template: str
    context: dict
    landmark: str | None = None


def book_identifier(doc: Interview) -> str:
    identity = f"{doc.slug}|{doc.publisher or ''}"
    return f"urn:uuid:{uuid.uuid5(BOOK_ID_NAMESPACE, identity)}"


def _environment(layout: Layout) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=layout.env.loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(inline=_inline, rich_plain=lambda v: rich_plain(v or ()), jdate=jdate,
                       plain=lambda p: p.plain if p else "")
    return env


def documents(doc: Interview) -> list[Document]:
    placement = profiles_placement(doc)
    docs = [
        Document("cover", "cover.xhtml", "表紙", "epub/cover.xhtml.j2", {}, landmark="cover"),
        Document("lead", "lead.xhtml", doc.title.plain, "epub/lead.xhtml.j2", {}, landmark="bodymatter"),
    ]
    for si, section in enumerate(doc.sections):
        title = section.heading.plain if section.heading else doc.title.plain
        profiles = {ti: people for (s, ti), people in placement.items() if s == si}
        docs.append(Document(f"section-{si + 1}", f"section-{si + 1}.xhtml", title, "epub/section.xhtml.j2",
                             {"section": section, "section_index": si, "profiles": profiles}))
    docs.append(Document("colophon", "colophon.xhtml", "奥付", "epub/colophon.xhtml.j2", {}, landmark="backmatter"))
    return docs


def modified_time(doc: Interview, source_date_epoch: str | None = None) -> dt.datetime:
    """dcterms:modified: the source's dates, else SOURCE_DATE_EPOCH, else the epoch of 2000."""
    day = doc.updated or doc.published
    if day:
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)
    if source_date_epoch:
        return dt.datetime.fromtimestamp(int(source_date_epoch), tz=dt.timezone.utc)
    return dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)


def build_epub(doc: Interview, layout: Layout, *, source_date_epoch: str | None = None) -> bytes:
    env = _environment(layout)
    book = epub.EpubBook()
    book.set_identifier(book_identifier(doc))
    book.set_title(doc.title.plain)
    book.set_language("ja")
    for person in doc.people:
        book.add_author(person.name, uid=f"creator-{person.id}")
    if doc.publisher:
        book.add_metadata("DC", "publisher", doc.publisher)
    if doc.published:
        book.add_metadata("DC", "date", doc.published.isoformat())
    for tag in doc.tags:
        book.add_metadata("DC", "subject", tag)
    if doc.lead:
        book.add_metadata("DC", "description", rich_plain(doc.lead))

    css_items = []
    for path in layout.stylesheets("epub"):
        item = epub.EpubItem(uid=f"css-{path.stem}", file_name=f"style/{path.name}", media_type="text/css",
                             content=path.read_bytes())
        book.add_item(item)
        css_items.append(item)

    for image in dict.fromkeys(doc.images):
        media_type = mimetypes.guess_type(image.name)[0] or "application/octet-stream"
        book.add_item(epub.EpubItem(uid=f"img-{image.stem}", file_name=f"images/{image.name}",
                                    media_type=media_type, content=image.read_bytes()))

    spine_docs = documents(doc)
    items = []
    for d in spine_docs:
        html = env.get_template(d.template).render(
            doc=doc, layout=layout, title=d.title, stylesheets=[f"style/{i.file_name.split('/')[-1]}" for i in css_items],
            **d.context,
        )
        item = epub.EpubItem(uid=d.id, file_name=d.file_name, media_type=XHTML, content=html.encode("utf-8"))
        book.add_item(item)
        items.append(item)

    book.toc = [epub.Link(d.file_name, d.title, d.id) for d in spine_docs if d.id.startswith("section-")]
    book.add_item(epub.EpubNcx())
    nav = epub.EpubNav(title="目次")
    book.add_item(nav)
    book.spine = [items[0], nav] + items[1:]

    buffer = io.BytesIO()
    options = {"mtime": modified_time(doc, source_date_epoch), "epub3_pages": False, "raise_exceptions": True}
    writer = epub.EpubWriter(buffer, book, options)
    writer.process()
    writer.write()
    return normalise_zip(buffer.getvalue())


def normalise_zip(data: bytes) -> bytes:
    """Rewrite an EPUB zip reproducibly: `mimetype` first and stored, then every other
    entry sorted, with a fixed timestamp and permissions."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = [n for n in source.namelist() if n != "mimetype"]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in ["mimetype"] + sorted(names):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.external_attr = 0o644 << 16
            info.create_system = 3
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(name))
    result = out.getvalue()
    if not result:
        raise RuntimeError("the EPUB came out empty")
    return result
