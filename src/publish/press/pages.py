"""Page-count rules for binding, and blank pages before the back cover."""

from __future__ import annotations

import io

import pikepdf

PAGE_MULTIPLE = {'saddle': 4, 'perfect': 2}


def blank_pages_needed(page_count: int, binding: str = 'saddle') -> int:
    """How many blank pages make ``page_count`` valid for the binding.

    Saddle stitch (中綴じ) needs a multiple of 4 (covers 表1–表4 included), perfect
    binding (無線綴じ) a multiple of 2. ``blank_pages_needed(10) == 2``.
    """
    if page_count < 1:
        raise ValueError('a document has at least one page')
    try:
        multiple = PAGE_MULTIPLE[binding]
    except KeyError:
        raise ValueError(f'binding {binding!r} is not one of {", ".join(PAGE_MULTIPLE)}') from None
    return -page_count % multiple


def blank_page_note(page_count: int, blanks: int, binding: str) -> str:
    """The message the CLI prints on stderr when it pads."""
    name = {'saddle': 'saddle stitch (中綴じ) needs a multiple of 4 pages',
            'perfect': 'perfect binding needs an even page count'}[binding]
    return (f'{page_count} pages: {name}; inserted {blanks} blank '
            f'page{"s" if blanks != 1 else ""} before the back cover')


def insert_blank_pages(pdf: pikepdf.Pdf, count: int) -> None:
    """Insert ``count`` empty pages before the last page (the back cover, 表4),
    with the same page boxes as the page before them."""
    if count <= 0:
        return
    template = pdf.pages[-2] if len(pdf.pages) > 1 else pdf.pages[-1]
    for _ in range(count):
        page = pikepdf.Dictionary(Type=pikepdf.Name.Page, Resources=pikepdf.Dictionary())
        for key in ('/MediaBox', '/CropBox', '/BleedBox', '/TrimBox', '/ArtBox'):
            if key in template.obj:
                page[key] = pikepdf.Array([float(v) for v in template.obj[key]])
        if '/MediaBox' not in page:
            page.MediaBox = pikepdf.Array([float(v) for v in template.mediabox])
        pdf.pages.insert(len(pdf.pages) - 1, pikepdf.Page(page))


def pad_pdf(pdf_bytes: bytes, binding: str = 'saddle') -> tuple[bytes, int]:
    """Bytes in, bytes out: pad to the binding's multiple; returns (pdf, blanks added)."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        blanks = blank_pages_needed(len(pdf.pages), binding)
        if not blanks:
            return pdf_bytes, 0
        insert_blank_pages(pdf, blanks)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue(), blanks
