"""The writers' one entry: a book, its layout and a format -> the file's bytes and the notes
the user should read (the application prints them; no writer prints).

Formats: `pdf` (print shop), `screen-pdf`, `booklet` (office printer) and `epub`. A book of
one interview and a book of many go the same way; the PDFs carry the XMP record of the
layout and edition they were built for (publish.press.record).
"""

from __future__ import annotations

from dataclasses import dataclass

from publish.model import as_book
from publish.options import FORMATS, Options


@dataclass(frozen=True)
class Written:
    data: bytes
    notes: tuple[str, ...] = ()


def write(book, layout, fmt: str, options: Options = Options()) -> Written:
    """One output of `book` (an Interview is taken as a book of one)."""
    book = as_book(book)
    notes: list[str] = []
    if fmt in ("pdf", "screen-pdf", "booklet"):
        from publish.writers import pdf
        from publish.press import record

        if fmt == "pdf":
            data = pdf.build_pdf(book, layout, notes=notes, jobs=options.jobs,
                                 source_date_epoch=options.source_date_epoch)
        elif fmt == "screen-pdf":
            data = pdf.build_screen_pdf(book, layout, notes=notes)
        else:
            data = pdf.build_booklet_pdf(book, layout)
        return Written(record.stamp(data, layout, record.EDITIONS[fmt], book.source), tuple(notes))
    if fmt == "epub":
        from publish.writers.epub import build_epub

        data = build_epub(book, layout, vertical=options.vertical, embed_fonts=options.embed_fonts,
                          source_date_epoch=options.source_date_epoch)
        return Written(data, ())
    raise ValueError(f"unknown format '{fmt}' (known: {', '.join(FORMATS)})")
