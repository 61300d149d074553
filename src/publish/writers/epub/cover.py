"""The cover image: the print brochure's cover page, rasterised, so e-book and print match."""

from __future__ import annotations

import dataclasses
import io

from publish.layout import Layout
from publish.model import Interview

COVER_WIDTH = 1600  # px; A4 proportions give 1600×2263
MAX_PIXELS = 4_000_000  # Apple Books' limit for cover images
JPEG_QUALITY = 85


def cover_pdf(doc: Interview, layout: Layout, *, whole: bool = False) -> bytes:
    """The print cover (first page, screen colours, no bleed) as a one-page PDF.

    The cover shows the interview's own fields (title, people, publisher …), not its
    sections, so only the first section's heading is typeset with it: 0.1 s instead of the
    whole brochure's 0.8 s. A test checks that the page is the same as the whole
    brochure's (`whole=True`)."""
    from publish.render import render_document
    from publish.typeset_ja import weasyprint as jlreq

    if not whole and doc.sections:
        doc = dataclasses.replace(doc, sections=(dataclasses.replace(doc.sections[0], turns=()),))
    with jlreq.installed():
        document = render_document(doc, layout, medium="screen")
        return document.copy([document.pages[0]]).write_pdf()


def rasterise(pdf: bytes, width: int = COVER_WIDTH) -> tuple[bytes, tuple[int, int]]:
    """The first page of `pdf` as a baseline JPEG `width` px wide (fewer if it would pass
    MAX_PIXELS), with no metadata, so the bytes depend on the page alone."""
    import pypdfium2 as pdfium

    pdf_doc = pdfium.PdfDocument(pdf)
    try:
        page = pdf_doc[0]
        page_w, page_h = page.get_size()
        if width * width * page_h / page_w > MAX_PIXELS:
            width = int((MAX_PIXELS * page_w / page_h) ** 0.5)
        bitmap = page.render(scale=width / page_w)
        image = bitmap.to_pil().convert("RGB")
        page.close()
    finally:
        pdf_doc.close()
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=False)
    return out.getvalue(), image.size


def cover_jpeg(doc: Interview, layout: Layout, width: int = COVER_WIDTH) -> tuple[bytes, tuple[int, int]]:
    return rasterise(cover_pdf(doc, layout), width)
