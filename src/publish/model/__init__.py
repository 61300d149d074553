"""The document model: a small, closed set of frozen dataclasses.

Every writer (PDF via HTML templates, EPUB) reads this model and nothing else, so a
source is parsed and validated once. A `Book` is what the writers take: one interview is
a book of one chapter (`book_of`), a collection a book of many, each chapter's interview
with its person ids qualified by the chapter (`ch2-yamada`) so that no two chapters share
a profile anchor, a speaker or an EPUB id. Inline markup is a node tree, never HTML, so that
print and EPUB can render ruby and emphasis dots each their own way.

Bump SCHEMA_VERSION when a node changes shape.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

SCHEMA_VERSION = 1


# --- inline nodes ---------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Ruby:
    """`{base|reading}`: group ruby over the whole base."""

    base: str
    reading: str


@dataclass(frozen=True)
class Emphasis:
    """`《《…》》`: emphasis dots (傍点) over each character."""

    children: tuple["Inline", ...]


@dataclass(frozen=True)
class Strong:
    """`**…**`: strong (bold / gothic) text."""

    children: tuple["Inline", ...]


@dataclass(frozen=True)
class TateChuYoko:
    """`^12^`: characters set upright in one em in vertical text (縦中横)."""

    text: str


Inline = Union[Text, Ruby, Emphasis, Strong, TateChuYoko]


@dataclass(frozen=True)
class Paragraph:
    inlines: tuple[Inline, ...]

    @property
    def plain(self) -> str:
        return plain_text(self.inlines)


RichText = tuple[Paragraph, ...]


def plain_text(inlines) -> str:
    """The characters a reader sees on the base line (ruby readings left out)."""
    out = []
    for node in inlines:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, Ruby):
            out.append(node.base)
        elif isinstance(node, TateChuYoko):
            out.append(node.text)
        else:
            out.append(plain_text(node.children))
    return "".join(out)


def rich_plain(paragraphs: RichText) -> str:
    return "\n".join(p.plain for p in paragraphs)


# --- blocks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    reading: str | None = None
    affiliation: str | None = None
    title: str | None = None
    department: str | None = None
    bio: RichText = ()
    photo: Path | None = None


@dataclass(frozen=True)
class Contact:
    """`contact:`: a contact or recruitment page (heading and paragraphs), printed with the
    source's url: and its QR code when the make-up stage needs a page."""

    text: tuple  # RichText
    heading: "Paragraph | None" = None


@dataclass(frozen=True)
class Question:
    paragraphs: RichText
    kind: str = field(default="question", init=False)


@dataclass(frozen=True)
class Answer:
    speaker: str  # a Person.id
    paragraphs: RichText
    kind: str = field(default="answer", init=False)


@dataclass(frozen=True)
class Figure:
    image: Path
    caption: RichText = ()
    kind: str = field(default="figure", init=False)


@dataclass(frozen=True)
class PullQuote:
    paragraphs: RichText
    by: str | None = None  # a Person.id
    kind: str = field(default="quote", init=False)


Turn = Union[Question, Answer, Figure, PullQuote]


@dataclass(frozen=True)
class Section:
    heading: Paragraph | None
    turns: tuple[Turn, ...]


@dataclass(frozen=True)
class Cover:
    """`cover:` of a source: a photo for the cover, placed by the layout (full-bleed in the
    built-in ones) and cropped around `focus`, the point (x %, y % of the image from its
    top-left corner) that must stay in view; `credit` names the photographer."""

    image: Path
    focus: tuple[float, float] = (50.0, 50.0)
    credit: str | None = None

    @property
    def object_position(self) -> str:
        return f"{self.focus[0]:g}% {self.focus[1]:g}%"


@dataclass(frozen=True)
class Interview:
    slug: str
    source: Path
    title: Paragraph
    people: tuple[Person, ...]
    sections: tuple[Section, ...]
    subtitle: Paragraph | None = None
    title_reading: str | None = None
    kind: str = "インタビュー"
    publisher: str | None = None
    publisher_reading: str | None = None  # katakana, the publisher's file-as in e-book metadata
    published: _dt.date | None = None
    updated: _dt.date | None = None
    tags: tuple[str, ...] = ()
    layout: str = "brochure"
    lead: RichText = ()
    interviewer: str | None = None
    note: RichText = ()
    url: str | None = None
    style: tuple[tuple[str, object], ...] = ()  # per-source token overrides
    contact: Contact | None = None
    cover: Cover | None = None
    schema_version: int = SCHEMA_VERSION

    def person(self, person_id: str) -> Person:
        for p in self.people:
            if p.id == person_id:
                return p
        raise KeyError(person_id)

    @property
    def first_turn_of(self) -> dict[str, tuple[int, int]]:
        """(section index, turn index) of each person's first answer."""
        firsts: dict[str, tuple[int, int]] = {}
        for si, section in enumerate(self.sections):
            for ti, turn in enumerate(section.turns):
                if isinstance(turn, Answer) and turn.speaker not in firsts:
                    firsts[turn.speaker] = (si, ti)
        return firsts

    @property
    def images(self) -> tuple[Path, ...]:
        """The images of the text (profiles, figures); the EPUB ships these."""
        paths = [p.photo for p in self.people if p.photo]
        for section in self.sections:
            paths += [t.image for t in section.turns if isinstance(t, Figure)]
        return tuple(paths)

    @property
    def all_images(self) -> tuple[Path, ...]:
        """Every image the print document uses: the cover photo too."""
        return ((self.cover.image,) if self.cover else ()) + self.images


# --- books ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Chapter:
    number: int  # 1-based
    interview: Interview  # person ids qualified by the chapter

    @property
    def anchor(self) -> str:
        return f"chapter-{self.number}"

    @property
    def prefix(self) -> str:
        return f"ch{self.number}-"

    def original_id(self, person_id: str) -> str:
        return person_id.removeprefix(self.prefix)


@dataclass(frozen=True)
class Book:
    slug: str
    source: Path
    title: Paragraph
    chapters: tuple[Chapter, ...]
    subtitle: Paragraph | None = None
    title_reading: str | None = None
    publisher: str | None = None
    publisher_reading: str | None = None
    published: _dt.date | None = None
    intro: RichText = ()
    layout: str = "brochure"
    url: str | None = None
    kind: str = "インタビュー集"
    style: tuple = ()  # a collection has no token overrides; one interview's style:
    cover: "Cover | None" = None
    single: bool = False  # one interview as a book (book_of): print and EPUB as an interview

    @property
    def interview(self) -> Interview | None:
        """The interview of a book of one (`book_of`); None for a collection."""
        return self.chapters[0].interview if self.single else None

    @property
    def images(self) -> tuple[Path, ...]:
        """The images of every chapter's text (profiles, figures)."""
        return tuple(p for c in self.chapters for p in c.interview.images)

    @property
    def all_images(self) -> tuple[Path, ...]:
        return ((self.cover.image,) if self.cover else ()) + self.images

    @property
    def interviews(self) -> tuple[Interview, ...]:
        return tuple(c.interview for c in self.chapters)

    @property
    def sources(self) -> list[Path]:
        """The collection's file and its interviews' (the folders a build may read)."""
        return [self.source] + [c.interview.source for c in self.chapters]

    @property
    def people_names(self) -> list[str]:
        return list(dict.fromkeys(p.name for c in self.chapters for p in c.interview.people))


def qualify(doc: Interview, prefix: str) -> Interview:
    """The interview with every person id (and every reference to one) prefixed."""
    people = tuple(dataclasses.replace(p, id=prefix + p.id) for p in doc.people)
    sections = []
    for section in doc.sections:
        turns = []
        for turn in section.turns:
            if isinstance(turn, Answer):
                turn = Answer(prefix + turn.speaker, turn.paragraphs)
            elif isinstance(turn, PullQuote) and turn.by:
                turn = PullQuote(turn.paragraphs, prefix + turn.by)
            turns.append(turn)
        sections.append(Section(section.heading, tuple(turns)))
    return dataclasses.replace(doc, people=people, sections=tuple(sections))


def make_chapters(interviews) -> tuple[Chapter, ...]:
    return tuple(Chapter(n, qualify(doc, f"ch{n}-")) for n, doc in enumerate(interviews, 1))


def book_of(doc: Interview) -> Book:
    """One interview as a book of one chapter (person ids as they are: a book of one has no
    other chapter to collide with)."""
    return Book(slug=doc.slug, source=doc.source, title=doc.title, chapters=(Chapter(1, doc),),
                subtitle=doc.subtitle, title_reading=doc.title_reading, publisher=doc.publisher,
                publisher_reading=doc.publisher_reading, published=doc.published, intro=doc.lead,
                layout=doc.layout, url=doc.url, kind=doc.kind, style=doc.style, cover=doc.cover, single=True)


def as_book(doc) -> Book:
    """A Book as it is; an Interview as a book of one."""
    return doc if isinstance(doc, Book) else book_of(doc)
