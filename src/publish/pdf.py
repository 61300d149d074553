"""The PDF writer: model -> HTML (render) -> WeasyPrint -> bytes.

Print post-processing (boxes, marks, CMYK) is a separate stage (`press`); this module only
typesets.
"""

from __future__ import annotations

import logging

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from .layout import Layout
from .model import Interview
from .render import render_print_html

# WeasyPrint warns about every CSS property it does not know (e.g. -webkit- forms);
# those are expected, so only errors reach the user.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


def render_document(doc: Interview, layout: Layout, *, medium: str = "print", blank_pages: int = 0):
    """A laid-out WeasyPrint Document (pages, boxes) of the interview."""
    html = render_print_html(doc, layout, medium=medium, blank_pages=blank_pages)
    return render_html(html, layout)


def render_html(html: str, layout: Layout):
    return weasyprint.HTML(string=html, base_url=layout.chain[0].as_uri() + "/").render(
        font_config=FontConfiguration()
    )


def write_pdf_bytes(document, **options) -> bytes:
    return document.write_pdf(**options)


def build_pdf(doc: Interview, layout: Layout, *, medium: str = "print") -> bytes:
    document = render_document(doc, layout, medium=medium)
    return write_pdf_bytes(document)
