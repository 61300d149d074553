"""The document model: a small, closed set of frozen dataclasses.

Every writer (PDF via HTML templates, EPUB) reads this model and nothing else, so a
source is parsed and validated once. Inline markup is a node tree, never HTML, so that
print and EPUB can render ruby and emphasis dots each their own way.

Bump SCHEMA_VERSION when a node changes shape.
"""

from __future__ import annotations

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
