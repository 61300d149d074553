"""What an EPUB holds, for a book of one interview and for a collection: its documents and
table of contents, cover, images, identifier, date and package metadata. `build_epub`
(publish.writers.epub) assembles either the same way; only what differs lives here.

- One interview: cover, title page (扉), contents, lead, one document per section, colophon.
- A collection: cover (the print collection cover), title page, contents nesting each
  interview's sections under its title, introduction, then per interview an opening
  document (number, title, people, lead) and its sections (profile ids qualified by the
  chapter, ch2-yamada), and one shared colophon.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass, field

from publish.model import Book, Interview, rich_plain
from publish.model.dates import document_date
from publish.render import profiles_placement
from publish.writers.epub.inline import uses_ruby
from publish.writers.epub.package import creators_of, katakana

# Namespace for the book identifier: the same slug and publisher always give the same id.
BOOK_ID_NAMESPACE = uuid.UUID("6f1d3c2e-8a4b-4f6e-9c1d-2b7a5e0f4c3a")
COMMON_SUMMARY = "リフロー型の電子書籍で、文字の大きさや行間、配色は読者の環境で変更できます。"
SPEAKERS_SUMMARY = "質問と回答には話者名を文字で示し、人物紹介はその人物が最初に話す箇所に置いています。"
SAFE_SUMMARY = "点滅や音声などの危険要素はありません。"


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


def edition_identity(vertical: bool, embedded: bool) -> str:
    """What sets an edition apart in its identifier (nothing for the horizontal one)."""
    return ("|vertical-rl" if vertical else "") + ("|embedded-fonts" if embedded else "")


def _identifier(identity: str) -> str:
    return f"urn:uuid:{uuid.uuid5(BOOK_ID_NAMESPACE, identity)}"


def book_identifier(doc: Interview, *, vertical: bool = False, embedded: bool = False) -> str:
    """One identifier per edition: the same slug, publisher, writing mode and font choice
    always give the same id; the vertical and the embedded-font editions get their own."""
    return _identifier(f"{doc.slug}|{doc.publisher or ''}" + edition_identity(vertical, embedded))


def modified_time(doc, source_date_epoch: str | None = None) -> dt.datetime:
    """dcterms:modified: the source's updated/published (a collection: the latest of it and
    its interviews), else SOURCE_DATE_EPOCH, else the last git commit of the source, else now
    (see publish.model.dates); never a placeholder."""
    return document_date(doc, epoch=source_date_epoch).moment


def direction_sentence(vertical: bool) -> str:
    return "縦書きで、ページは右から左へ進みます。" if vertical else "横書きです。"


def fonts_sentence(embedded: bool) -> str:
    return "フォントを埋め込んでいます。" if embedded else "フォントは読書環境のものを使います。"


def alt_text_sentence(photos: bool) -> str:
    return "表紙と写真には代替テキストがあります。" if photos else "表紙には代替テキストがあります。"


def front_documents(title: str, templates: str, vertical: bool) -> list:
    """Cover, title page and contents; `templates`: the folder of the title page's and the
    contents' templates (an interview's or a collection's)."""
    return [
        Document("cover", "cover.xhtml", "表紙", "epub/cover.xhtml.j2", landmark="cover"),
        Document("titlepage", "titlepage.xhtml", title, f"{templates}/titlepage.xhtml.j2", landmark="titlepage",
                 vertical=vertical),
        Document("nav", "nav.xhtml", "目次", f"{templates}/nav.xhtml.j2", landmark="toc", vertical=vertical),
    ]


def colophon_document(templates: str):
    """The colophon (奥付), last in the spine and listed in the contents."""
    return Document("colophon", "colophon.xhtml", "奥付", f"{templates}/colophon.xhtml.j2", landmark="colophon",
                    in_toc=True)


def section_documents(doc: Interview, prefix: str, vertical: bool, context: dict) -> list:
    """One document per section of `doc` (ids `{prefix}section-N`); `context` goes into each."""
    placement = profiles_placement(doc)
    out = []
    for si, section in enumerate(doc.sections):
        title = section.heading.plain if section.heading else doc.title.plain
        profiles = {ti: people for (s, ti), people in placement.items() if s == si}
        # a section without a heading (the first may have none) is not listed in the
        # contents: its entry would only repeat the title
        out.append(Document(f"{prefix}section-{si + 1}", f"{prefix}section-{si + 1}.xhtml", title,
                            "epub/section.xhtml.j2",
                            {**context, "section": section, "section_index": si, "profiles": profiles},
                            in_toc=section.heading is not None, vertical=vertical))
    return out


class InterviewContents:
    """A book of one interview."""

    def __init__(self, book: Book):
        self.book = book
        self.doc = book.interview

    def identifier(self, vertical: bool, embedded: bool) -> str:
        return book_identifier(self.doc, vertical=vertical, embedded=embedded)

    def modified(self, source_date_epoch: str | None):
        return modified_time(self.doc, source_date_epoch)

    def cover_jpeg(self, layout) -> bytes:
        from publish.writers.epub.cover import cover_jpeg

        return cover_jpeg(self.doc, layout)[0]

    def image_groups(self):
        return [("", self.doc.images)]

    def documents(self, vertical: bool) -> tuple[list, list]:
        """(the spine's documents, the contents: the documents listed in it)."""
        doc = self.doc
        docs = front_documents(doc.title.plain, "epub", vertical)
        if doc.lead:
            docs.append(Document("lead", "lead.xhtml", "リード", "epub/lead.xhtml.j2", vertical=vertical))
        docs += section_documents(doc, "", vertical, {})
        # The bodymatter landmark points at the first document of the text proper.
        if len(docs) > 3:
            docs[3] = dataclasses.replace(docs[3], landmark="bodymatter")
        docs.append(colophon_document("epub"))
        return docs, [d for d in docs if d.in_toc]

    def context(self) -> dict:
        return {"doc": self.doc}

    def cover_alt(self) -> str:
        doc = self.doc
        bits = [doc.title.plain]
        if doc.subtitle:
            bits.append(doc.subtitle.plain)
        if doc.people:
            bits.append("・".join(p.name for p in doc.people))
        if doc.publisher:
            bits.append(doc.publisher)
        return "表紙：" + "　".join(bits)

    def ncx_entries(self, docs, toc) -> list[tuple[str, str]]:
        return [(d.title, d.href) for d in docs if d.in_toc]

    def uses_ruby(self) -> bool:
        doc = self.doc
        paragraphs = [doc.title] + [p for p in (doc.subtitle,) if p] + list(doc.lead) + list(doc.note)
        for person in doc.people:
            paragraphs += list(person.bio)
        for section in doc.sections:
            paragraphs += [section.heading] if section.heading else []
            for turn in section.turns:
                paragraphs += list(getattr(turn, "paragraphs", ()) or getattr(turn, "caption", ()))
        return any(uses_ruby(p.inlines) for p in paragraphs)

    def metadata(self, vertical: bool, embedded: bool, ruby: bool) -> dict:
        """The package metadata of this book (Metadata keyword arguments)."""
        doc = self.doc
        summary = [COMMON_SUMMARY, direction_sentence(vertical), "目次と見出しから各節へ移動できます。",
                   SPEAKERS_SUMMARY, alt_text_sentence(bool(doc.images))]
        if ruby:
            summary.append("難読語にはルビを付けています。")
        summary += [fonts_sentence(embedded), SAFE_SUMMARY]
        return dict(
            title=doc.title.plain,
            title_reading=doc.title_reading,
            subtitle=doc.subtitle.plain if doc.subtitle else None,
            creators=creators_of(doc),
            contributors=[(doc.interviewer, None, ("ivr",))] if doc.interviewer else [],
            publisher=doc.publisher,
            publisher_reading=doc.publisher_reading,
            date=doc.published,
            subjects=doc.tags,
            description=rich_plain(doc.lead) if doc.lead else None,
            source=doc.url,
            summary="".join(summary),
        )


class CollectionContents:
    """A book of many interviews."""

    def __init__(self, book: Book):
        self.book = book

    def identifier(self, vertical: bool, embedded: bool) -> str:
        book = self.book
        return _identifier("|".join(["collection", book.slug, book.publisher or ""])
                           + edition_identity(vertical, embedded))

    def modified(self, source_date_epoch: str | None):
        return modified_time(self.book, source_date_epoch)

    def cover_jpeg(self, layout) -> bytes:
        """The print collection cover (screen colours), rasterised like an interview's."""
        from publish.render import render_collection_html, render_html
        from publish.typeset_ja import weasyprint as jlreq
        from publish.writers.epub.cover import rasterise

        book = self.book
        html = render_collection_html(book, layout, medium="screen", chapters=[], back=False,
                                      page_numbers={c.anchor: 0 for c in book.chapters})
        with jlreq.installed():
            document = render_html(html, layout, book.sources)
            cover = document.copy([document.pages[0]]).write_pdf()
        return rasterise(cover)[0]

    def image_groups(self):
        return [(f"ch{c.number}-", c.interview.images) for c in self.book.chapters]

    def documents(self, vertical: bool) -> tuple[list, list]:
        """(the spine's documents, the contents: [(opening document, [section documents])])."""
        book = self.book
        docs = front_documents(book.title.plain, "epub/collection", vertical)
        if book.intro:
            docs.append(Document("intro", "intro.xhtml", "はじめに", "epub/collection/intro.xhtml.j2",
                                 vertical=vertical))
        toc = []
        for chapter in book.chapters:
            doc = chapter.interview
            opening = Document(f"ch{chapter.number}-opening", f"ch{chapter.number}-opening.xhtml",
                               f"{chapter.number:02d}　{doc.title.plain}", "epub/collection/opener.xhtml.j2",
                               {"doc": doc, "chapter": chapter}, in_toc=True, vertical=vertical)
            sections = [dataclasses.replace(d, in_toc=False)
                        for d in section_documents(doc, f"ch{chapter.number}-", vertical, {"doc": doc})]
            docs += [opening] + sections
            # no entry that only repeats the chapter's title
            toc.append((opening, [d for d, s in zip(sections, doc.sections) if s.heading is not None]))
        first_body = next(i for i, d in enumerate(docs) if d.id.startswith("ch"))
        docs[first_body] = dataclasses.replace(docs[first_body], landmark="bodymatter")
        toc[0] = (docs[first_body], toc[0][1])
        docs.append(colophon_document("epub/collection"))
        return docs, toc

    def context(self) -> dict:
        return {"collection": self.book, "doc": self.book.interviews[0]}

    def cover_alt(self) -> str:
        book = self.book
        bits = [book.title.plain] + ([book.subtitle.plain] if book.subtitle else [])
        bits += [book.publisher] if book.publisher else []
        return "表紙：" + "　".join(bits)

    def ncx_entries(self, docs, toc) -> list[tuple[str, str]]:
        return [(o.title, o.href) for o, _ in toc] + [(d.title, d.href) for d in docs if d.id == "colophon"]

    def uses_ruby(self) -> bool:
        return any(uses_ruby(p.inlines) for doc in self.book.interviews for s in doc.sections for t in s.turns
                   for p in getattr(t, "paragraphs", ()))

    def metadata(self, vertical: bool, embedded: bool, ruby: bool) -> dict:
        book = self.book
        people = {}
        for doc in book.interviews:
            for p in doc.people:
                people.setdefault((p.name, p.reading), (p.name, katakana(p.reading), ("aut", "ive")))
        images = any(c.interview.images for c in book.chapters)
        return dict(
            title=book.title.plain,
            title_reading=book.title_reading,
            subtitle=book.subtitle.plain if book.subtitle else None,
            creators=list(people.values()),
            publisher=book.publisher,
            publisher_reading=book.publisher_reading,
            date=book.published,
            subjects=tuple(dict.fromkeys(t for doc in book.interviews for t in doc.tags)),
            description=rich_plain(book.intro) if book.intro else None,
            source=book.url,
            summary=(COMMON_SUMMARY + direction_sentence(vertical)
                     + f"{len(book.chapters)}編のインタビューを収め、目次から各編とその節へ移動できます。"
                     + SPEAKERS_SUMMARY + alt_text_sentence(images) + fonts_sentence(embedded) + SAFE_SUMMARY),
        )


def contents_of(book: Book):
    return InterviewContents(book) if book.single else CollectionContents(book)


__all__ = ["BOOK_ID_NAMESPACE", "CollectionContents", "Document", "InterviewContents", "book_identifier",
           "contents_of", "edition_identity", "modified_time"]
