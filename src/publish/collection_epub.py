"""A collection as one EPUB 3: cover, introduction and contents (links), each interview
as a chapter (an opening document with its lead, then its sections through the interview's
own `epub/section.xhtml.j2`, profile ids qualified by the chapter), one shared colophon.
The navigation document nests each chapter's sections under its title.

Kept apart from `publish.epub` (which the EPUB work reshapes): it borrows only the
interview's section and page templates and its Jinja environment when available.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import mimetypes
import uuid
import zipfile

import jinja2
from ebooklib import epub
from markupsafe import Markup, escape

from .collection import Collection
from .model import Emphasis, Figure, Paragraph, Ruby, Section, Strong, TateChuYoko, Text, rich_plain
from .render import jdate, profiles_placement

XHTML = "application/xhtml+xml"
BOOK_ID_NAMESPACE = uuid.UUID("6f1d3c2e-8a4b-4f6e-9c1d-2b7a5e0f4c3a")  # the same as publish.epub's
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _inline_xhtml(inlines) -> Markup:
    parts = []
    for node in inlines:
        if isinstance(node, Text):
            parts.append(str(escape(node.text)))
        elif isinstance(node, Ruby):
            parts.append(f"<ruby>{escape(node.base)}<rp>（</rp><rt>{escape(node.reading)}</rt><rp>）</rp></ruby>")
        elif isinstance(node, Emphasis):
            parts.append(f'<em class="bouten">{_inline_xhtml(node.children)}</em>')
        elif isinstance(node, Strong):
            parts.append(f"<strong>{_inline_xhtml(node.children)}</strong>")
        elif isinstance(node, TateChuYoko):
            parts.append(f'<span class="tcy">{escape(node.text)}</span>')
        else:  # pragma: no cover
            raise TypeError(node)
    return Markup("".join(parts))


def _inline(value) -> Markup:
    if value is None:
        return Markup("")
    if isinstance(value, Paragraph):
        return _inline_xhtml(value.inlines)
    return Markup("").join(_inline_xhtml(p.inlines) for p in value)


def environment(layout) -> jinja2.Environment:
    """The interview EPUB's environment when publish.epub offers one (same filters)."""
    try:
        from .epub import _environment

        env = _environment(layout)
    except Exception:  # noqa: BLE001 - the EPUB writer is being reworked; fall back to our own
        env = jinja2.Environment(loader=layout.env.loader, autoescape=True, undefined=jinja2.StrictUndefined,
                                 trim_blocks=True, lstrip_blocks=True)
    for name, f in dict(inline=_inline, rich_plain=lambda v: rich_plain(v or ()), jdate=jdate,
                        plain=lambda p: p.plain if p else "").items():
        env.filters.setdefault(name, f)
    return env


@dataclasses.dataclass(frozen=True)
class Doc:
    id: str
    file_name: str
    title: str
    template: str
    context: dict


def _epub_images(collection: Collection):
    """Each chapter's images renamed `chN-name` (two interviews may both hold images/a.jpg);
    returns (chapters with renamed paths, {new name: real path})."""
    files = {}
    chapters = []
    for chapter in collection.chapters:
        doc = chapter.interview

        def rename(path):
            new = path.with_name(f"ch{chapter.number}-{path.name}")
            files[new.name] = path
            return new

        people = tuple(dataclasses.replace(p, photo=rename(p.photo)) if p.photo else p for p in doc.people)
        sections = tuple(Section(s.heading, tuple(
            dataclasses.replace(t, image=rename(t.image)) if isinstance(t, Figure) else t for t in s.turns))
            for s in doc.sections)
        chapters.append(dataclasses.replace(chapter, interview=dataclasses.replace(doc, people=people, sections=sections)))
    return tuple(chapters), files


def documents(collection: Collection) -> tuple[list[Doc], dict]:
    chapter_files = {c.number: f"ch{c.number}-opening.xhtml" for c in collection.chapters}
    docs = [
        Doc("cover", "cover.xhtml", "表紙", "epub/collection/cover.xhtml.j2", {}),
        Doc("intro", "intro.xhtml", "目次", "epub/collection/intro.xhtml.j2", {"chapter_files": chapter_files}),
    ]
    nav = []
    for chapter in collection.chapters:
        doc = chapter.interview
        opener = Doc(f"ch{chapter.number}-opening", chapter_files[chapter.number], doc.title.plain,
                     "epub/collection/opener.xhtml.j2", {"doc": doc, "chapter": chapter})
        docs.append(opener)
        placement = profiles_placement(doc)
        links = []
        for si, section in enumerate(doc.sections):
            title = section.heading.plain if section.heading else doc.title.plain
            profiles = {ti: people for (s, ti), people in placement.items() if s == si}
            d = Doc(f"ch{chapter.number}-section-{si + 1}", f"ch{chapter.number}-section-{si + 1}.xhtml", title,
                    "epub/section.xhtml.j2", {"doc": doc, "section": section, "section_index": si, "profiles": profiles})
            docs.append(d)
            links.append(epub.Link(d.file_name, title, d.id))
        nav.append((epub.Section(f"{chapter.number:02d}　{doc.title.plain}", opener.file_name), links))
    docs.append(Doc("colophon", "colophon.xhtml", "奥付", "epub/collection/colophon.xhtml.j2", {}))
    return docs, nav


def modified_time(collection: Collection, source_date_epoch: str | None = None) -> dt.datetime:
    days = [d for d in [collection.published] + [i.updated or i.published for i in collection.interviews] if d]
    if days:
        day = max(days)
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)
    if source_date_epoch:
        return dt.datetime.fromtimestamp(int(source_date_epoch), tz=dt.timezone.utc)
    return dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)


def build_collection_epub(collection: Collection, layout, *, source_date_epoch: str | None = None) -> bytes:
    chapters, image_files = _epub_images(collection)
    collection = dataclasses.replace(collection, chapters=chapters)
    env = environment(layout)
    book = epub.EpubBook()
    identity = "|".join(["collection", collection.slug, collection.publisher or ""])
    book.set_identifier(f"urn:uuid:{uuid.uuid5(BOOK_ID_NAMESPACE, identity)}")
    book.set_title(collection.title.plain)
    book.set_language("ja")
    for index, name in enumerate(collection.people_names, 1):
        book.add_author(name, uid=f"creator-{index}")
    if collection.publisher:
        book.add_metadata("DC", "publisher", collection.publisher)
    if collection.published:
        book.add_metadata("DC", "date", collection.published.isoformat())
    if collection.intro:
        book.add_metadata("DC", "description", rich_plain(collection.intro))
    for tag in dict.fromkeys(t for i in collection.interviews for t in i.tags):
        book.add_metadata("DC", "subject", tag)

    css = []
    for path in layout.stylesheets("epub"):
        item = epub.EpubItem(uid=f"css-{path.stem}", file_name=f"style/{path.name}", media_type="text/css",
                             content=path.read_bytes())
        book.add_item(item)
        css.append(f"style/{path.name}")
    for name, real in image_files.items():
        book.add_item(epub.EpubItem(uid=f"img-{name.rsplit('.', 1)[0]}", file_name=f"images/{name}",
                                    media_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
                                    content=real.read_bytes()))

    docs, nav = documents(collection)
    items = []
    for d in docs:
        context = {"doc": collection.interviews[0], **d.context}
        html = env.get_template(d.template).render(collection=collection, layout=layout, title=d.title,
                                                   stylesheets=css, **context)
        item = epub.EpubItem(uid=d.id, file_name=d.file_name, media_type=XHTML, content=html.encode("utf-8"))
        book.add_item(item)
        items.append(item)

    book.toc = nav
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav(title="目次"))
    book.spine = items
    buffer = io.BytesIO()
    writer = epub.EpubWriter(buffer, book, {"mtime": modified_time(collection, source_date_epoch),
                                            "epub3_pages": False, "raise_exceptions": True})
    writer.process()
    writer.write()
    return _normalise_zip(buffer.getvalue())


def _normalise_zip(data: bytes) -> bytes:
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
    return out.getvalue()
