"""The PDF writer: a book -> its pages (publish.render, WeasyPrint) -> PDF bytes.

Three editions come from the same book and layout, whether the book is one interview or
a collection of many:
- print: made up for the binding (publish.render.makeup), CMYK colours, bleed; then the print
  stage (`press.finish`) sets the boxes, draws the trim marks, converts colour and pads
  the page count for the binding;
- screen: trim size only, RGB, tagged PDF/UA-1 with an outline and metadata;
- booklet: the screen pages imposed two-up for duplex printing on an office printer.

A large book's print pages are typeset on several cores (publish.writers.pdf.parallel), a
detail of this writer. The writers print nothing: what the user should know is appended
to `notes`, which the application prints.
"""

from __future__ import annotations

from publish import press
from publish.model.dates import document_date
from publish.layout import Layout, print_settings  # noqa: F401 - print_settings: part of the writer's API
from publish.model import Interview, as_book, rich_plain
from publish.render import render_book, render_document, render_html  # noqa: F401 - re-exported for callers
from publish.typeset_ja import vertical
from publish.typeset_ja import weasyprint as jlreq


# The last make-up of this process: the screen edition and the office booklet of one build
# (`--format screen-pdf,booklet`) draw the same made-up pages, so the second does not make
# them up again (a WeasyPrint Document draws the same bytes every time it is written).
_LAST: list = []  # [(book, layout, medium, document, note)], one entry


def made_up(book, layout: Layout, *, medium: str = "print", notes: list | None = None, label: str = ".pdf"):
    """The book's WeasyPrint Document made up for its binding (publish.render.makeup): the page
    count a multiple of 4 (saddle) or 2 (perfect), by the layout's make-up strategies;
    the note says which."""
    from publish.render.makeup import fit_collection, fit_interview

    book = as_book(book)
    if _LAST and _LAST[0][0] is book and _LAST[0][1] is layout and _LAST[0][2] == medium:
        document, note = _LAST[0][3:]
    elif book.single:
        document, note = fit_interview(book.interview, layout, lambda plan: render_document(
            book.interview, layout, medium=medium, plan=plan), medium=medium)
    else:
        document, note = fit_collection(book, layout, lambda plan: render_book(
            book, layout, medium=medium, plan=plan), medium=medium)
    _LAST[:] = [(book, layout, medium, document, note)]
    if note and notes is not None:
        notes.append(f"{book.slug}{label}: {note}")
    return document


def kept_together(book, layout: Layout, *, medium: str = "screen"):
    """A collection's one render for the screen (no binding to fit), with every question
    keeping the first lines of its answer (publish.render.makeup.keep_questions)."""
    from publish.render.makeup import keep_questions, natural_plan

    document, _ = keep_questions(lambda plan: render_book(book, layout, medium=medium, plan=plan),
                                 natural_plan(layout), layout)
    return document


def build_pdf(doc, layout: Layout, *, notes: list | None = None, jobs: int | None = None,
              source_date_epoch: str | None = None) -> bytes:
    """The print PDF (PDF/X-4 by default): boxes, trim marks, CMYK, binding page count.
    A book of many chapters is typeset on `jobs` processes when that pays (None: as many
    as publish.writers.pdf.parallel.default_jobs finds free)."""
    book = as_book(doc)
    raw = typeset_pdf(book, layout, jobs=jobs, notes=notes)
    dated = book.interview or book
    data, report = press.finish_with_report(raw, print_settings(layout), slug_label=f"{book.slug}.pdf",
                                            build_date=document_date(dated, epoch=source_date_epoch))
    if notes is not None:
        notes.extend(f"{book.slug}.pdf: {note}" for note in report.notes)
    return vertical.declare_right_to_left(data) if vertical.direction_flag(layout, "print") else data


def typeset_pdf(doc, layout: Layout, *, medium: str = "print", jobs: int | None = None,
                notes: list | None = None) -> bytes:
    """The book's pages made up for the binding, as WeasyPrint writes them (before the print
    stage): one render, or a large book's chapters on `jobs` processes (publish.writers.pdf.parallel)."""
    from publish.writers.pdf.parallel import build_parallel, default_jobs, parallel_possible, timed_render

    book = as_book(doc)
    jobs = default_jobs(book) if jobs is None else jobs  # decided once: the load average moves
    if parallel_possible(book, layout, jobs, medium=medium):
        return build_parallel(book, layout, medium=medium, jobs=jobs, notes=notes)
    with timed_render(), jlreq.installed():
        document = made_up(book, layout, medium=medium, notes=notes)
        return _turn_frames(document, document.write_pdf(), layout, "print" if medium == "print" else "screen")


def _turn_frames(document, raw: bytes, layout: Layout, edition: str) -> bytes:
    """A vertical layout's frame pages turned upright, right-to-left progression declared
    (typeset_ja/INTEGRATION.md, "Vertical"); other layouts' PDFs are returned as they are."""
    if not layout.vertical:
        return raw
    return vertical.turn_pages(raw, vertical.frame_pages(document),
                               right_to_left=vertical.direction_flag(layout, edition))


def build_screen_pdf(doc, layout: Layout, *, notes: list | None = None) -> bytes:
    """The screen edition: RGB, trim size, tagged, with outline and metadata. One interview
    is made up like its print edition (the same pages, so a page number means the same in
    both, and no column hole or runt page the make-up stage pulls back in print); a
    collection is one render (a tagged PDF's structure would not survive a join)."""
    book = as_book(doc)
    with jlreq.installed():
        if book.single:
            document = made_up(book, layout, medium="screen", notes=notes, label="-screen.pdf")
        else:
            document = kept_together(book, layout, medium="screen")
        raw = _turn_frames(document, document.write_pdf(**press.screen_write_options()), layout, "screen")
    interviews = book.interviews
    data = press.finish_screen(
        raw,
        title=book.title.plain + (f"──{book.subtitle.plain}" if book.subtitle else ""),
        authors=list(dict.fromkeys(p.name for doc in interviews for p in doc.people)),
        subject=rich_plain(book.intro) or None,
        keywords=list(dict.fromkeys(t for doc in interviews for t in doc.tags)),
        link_titles=None if book.single else {c.anchor: c.interview.title.plain for c in book.chapters},
    )
    return vertical.declare_right_to_left(data) if vertical.direction_flag(layout, "screen") else data


def build_booklet_pdf(doc, layout: Layout) -> bytes:
    """The office booklet: the screen pages, padded for saddle stitching before the back
    cover, imposed two-up (A5 on A4, A4 on A3) for duplex printing. One interview is made
    up like its print edition; a collection is typeset as it comes."""
    book = as_book(doc)
    with jlreq.installed():
        document = made_up(book, layout, medium="screen") if book.single else kept_together(book, layout, medium="screen")
        raw = _turn_frames(document, document.write_pdf(), layout, "booklet")
    padded, _ = press.pad_pdf(raw, "saddle")
    return press.impose_booklet(padded, right_to_left=layout.vertical)


__all__ = ["Interview", "build_booklet_pdf", "build_pdf", "build_screen_pdf", "made_up", "print_settings",
           "render_document", "render_html", "typeset_pdf"]
