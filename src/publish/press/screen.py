"""Screen edition (e-mail, web download): WeasyPrint options and a metadata check-up.

WeasyPrint 70 already writes what PDF/UA-1 needs when called with
``pdf_variant='pdf/ua-1'`` (which implies ``pdf_tags=True`` and PDF 1.7): a structure tree,
``/MarkInfo``, ``/ViewerPreferences /DisplayDocTitle``, ``/Lang`` from ``<html lang="ja">``,
an outline from ``h1``–``h6`` (CSS ``bookmark-level``) and Info/XMP metadata from
``<title>``, ``<meta name="author">`` (one per person), ``<meta name="description">``
(subject) and ``<meta name="keywords">`` (comma-separated tags). The screen layout must
use ``@page { size: <trim> }`` with no ``bleed`` and no ``marks``, and RGB colours.
:func:`finish_screen` fills in what the HTML could not say and checks the rest.
"""

from __future__ import annotations

import io
from typing import Iterable

import pikepdf
from pikepdf import Name

from publish.press.tagging import repair_structure


def screen_write_options() -> dict:
    """Keyword arguments for ``weasyprint.HTML.write_pdf`` for the screen edition."""
    return {'pdf_variant': 'pdf/ua-1', 'pdf_tags': True, 'pdf_identifier': True,
            'optimize_images': True, 'jpeg_quality': 85, 'dpi': 200}


def finish_screen(pdf_bytes: bytes, *, title: str, authors: Iterable[str] = (),
                  subject: str | None = None, keywords: Iterable[str] = (),
                  lang: str = 'ja', link_titles: dict[str, str] | None = None) -> bytes:
    """Make sure the screen PDF carries title, authors, subject, keywords and language
    in the Info dictionary and XMP, shows its title, and opens with the outline; repair
    the structure tree for PDF/UA-1 (:func:`publish.press.tagging.repair_structure`:
    running heads, folios and leaders as artifacts, lists, links; ``link_titles`` maps
    an internal destination such as ``chapter-1`` to the words a link's ``/Contents``
    gives)."""
    authors, keywords = list(authors), list(keywords)
    for name, value in (('title', title), ('subject', subject), *(('authors', a) for a in authors),
                        *(('keywords', k) for k in keywords)):
        if value is not None and not isinstance(value, str):
            raise TypeError(f'finish_screen: {name} must be plain text (str), '
                            f'not {type(value).__name__}')
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        repair_structure(pdf, pdf_bytes, link_titles=link_titles)
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta['dc:title'] = title
            if authors:
                meta['dc:creator'] = authors
            if subject:
                meta['dc:description'] = subject
            if keywords:
                meta['pdf:Keywords'] = ', '.join(keywords)
                meta['dc:subject'] = set(keywords)
            meta['dc:language'] = [lang]
        pdf.docinfo.Title = pikepdf.String(title)
        if authors:
            pdf.docinfo.Author = pikepdf.String(', '.join(authors))
        if subject:
            pdf.docinfo.Subject = pikepdf.String(subject)
        if keywords:
            pdf.docinfo.Keywords = pikepdf.String(', '.join(keywords))
        pdf.Root.Lang = pikepdf.String(lang)
        prefs = pdf.Root.get('/ViewerPreferences') or pikepdf.Dictionary()
        prefs.DisplayDocTitle = True
        pdf.Root.ViewerPreferences = prefs
        if '/Outlines' in pdf.Root:
            pdf.Root.PageMode = Name.UseOutlines
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()
