"""The PDF writers: model -> HTML (render) -> WeasyPrint -> bytes.

Three editions come from the same model and layout:
- print: CMYK colours, bleed; then the print stage (`press.finish`) sets the boxes, draws
  the trim marks, converts colour and pads the page count for the binding;
- screen: trim size only, RGB, tagged PDF/UA-1 with an outline and metadata;
- booklet: the screen pages imposed two-up for duplex printing on an office printer.
"""

from __future__ import annotations

import logging
import sys

from . import fetch, press
from .dates import document_date
from .layout import Layout
from .model import Interview, rich_plain
from .render import render_print_html
from .typeset_ja import vertical, weasyprint_ext

# WeasyPrint warns about every CSS property it does not know (e.g. -webkit- forms);
# those are expected, so only errors reach the user.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


def render_document(doc: Interview, layout: Layout, *, medium: str = "print", blank_pages: int = 0, plan=None):
    """A laid-out WeasyPrint Document (pages, boxes) of the interview; `plan` is the
    make-up stage's (publish.makeup), None for the natural make-up."""
    html = render_print_html(doc, layout, medium=medium, blank_pages=blank_pages, plan=plan)
    return render_html(html, layout, sources=[doc.source])


def fitted_document(doc: Interview, layout: Layout, *, medium: str = "print", notes=None, label: str = ".pdf"):
    """The interview made up for its binding (publish.makeup): the page count a multiple
    of 4 (saddle) or 2 (perfect), by the layout's make-up strategies; the note says which."""
    from .makeup import fit_interview

    document, note = fit_interview(doc, layout, lambda plan: render_document(doc, layout, medium=medium, plan=plan),
                                   medium=medium)
    if note and notes is not False:
        (notes or _stderr)(f"  {doc.slug}{label}: {note}")
    return document


def render_html(html: str, layout: Layout, sources=()):
    """WeasyPrint's Document; every file it loads goes through publish.fetch (only the
    sources' folders, the layout chain and fonts/; no network, no attachments)."""
    weasyprint_ext.install()  # JLReq justification and ruby placement (pinned to WeasyPrint 70)
    vertical.install()  # 縦組み frames: upright glyphs (draws nothing differently elsewhere)
    return fetch.render(html, layout, sources)


def print_settings(layout: Layout) -> press.PrintSettings:
    """The print stage's settings from the layout's `page` tokens."""
    tokens = dict(layout.tokens.get("page") or {})
    profile = tokens.get("icc_profile")
    if profile:  # a file of the layout chain (the token grammar refuses absolute paths and '..')
        tokens["icc_profile"] = str(layout.find(profile))
    try:
        return press.PrintSettings.from_tokens(tokens)
    except press.SettingsError as exc:
        from .errors import PublishError

        raise PublishError(f"layout '{layout.name}': page: {exc}") from None


def build_pdf(doc: Interview, layout: Layout, *, notes=None) -> bytes:
    """The print PDF (PDF/X-4 by default): boxes, trim marks, CMYK, binding page count."""
    document = fitted_document(doc, layout, medium="print", notes=notes)
    raw = _turn_frames(document, document.write_pdf(), layout)
    data, report = press.finish_with_report(raw, print_settings(layout), slug_label=f"{doc.slug}.pdf",
                                            build_date=document_date(doc))
    for note in report.notes:
        (notes or _stderr)(f"  {doc.slug}.pdf: {note}")
    return vertical.declare_right_to_left(data) if layout.vertical else data


def _turn_frames(document, raw: bytes, layout: Layout) -> bytes:
    """A vertical layout's frame pages turned upright, right-to-left progression declared
    (typeset_ja/INTEGRATION.md, "Vertical"); other layouts' PDFs are returned as they are."""
    if not layout.vertical:
        return raw
    return vertical.turn_pages(raw, vertical.frame_pages(document))


def build_screen_pdf(doc: Interview, layout: Layout) -> bytes:
    """The screen edition: RGB, trim size, tagged, with outline and metadata; made up like
    the print edition (the same pages, so a page number means the same in both, and no
    column hole or runt page the make-up stage pulls back in print)."""
    document = fitted_document(doc, layout, medium="screen", label="-screen.pdf")
    raw = _turn_frames(document, document.write_pdf(**press.screen_write_options()), layout)
    data = press.finish_screen(
        raw,
        title=doc.title.plain + (f"──{doc.subtitle.plain}" if doc.subtitle else ""),
        authors=[p.name for p in doc.people],
        subject=rich_plain(doc.lead) or None,
        keywords=list(doc.tags),
    )
    return vertical.declare_right_to_left(data) if layout.vertical else data


def build_booklet_pdf(doc: Interview, layout: Layout) -> bytes:
    """The office booklet: the screen pages, padded for saddle stitching before the back
    cover, imposed two-up (A5 on A4, A4 on A3) for duplex printing."""
    document = fitted_document(doc, layout, medium="screen", notes=False)
    raw = _turn_frames(document, document.write_pdf(), layout)
    padded, _ = press.pad_pdf(raw, "saddle")
    return press.impose_booklet(padded, right_to_left=layout.vertical)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
