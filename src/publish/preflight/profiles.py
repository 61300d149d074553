"""Preflight profiles: what a file must be when nothing else (a layout) says more.

``press`` is what a print shop's preflight asks of any PDF handed in for printing: PDF/X
(GTS_PDFXVersion and an OutputIntent), a TrimBox and a BleedBox with at least 3 mm of
bleed on every side, CMYK (no RGB), every font embedded. ``publish check FILE.pdf``
uses it when it cannot find the layout the file was built with. ``screen`` is the screen
edition: RGB allowed, no printer's marks, no slug and no bleed, and tagged (structure
tree, ``/MarkInfo``, ``/Lang``, a title shown, the PDF/UA identification).

:func:`select_expectations` is the one place that decides; callers that learn more about
a file (a layout from the command line or, later, from the file's own XMP record) pass it
in and the profile fills in the rest.
"""

from __future__ import annotations

from dataclasses import replace

from publish.preflight.report import Expectations

PROFILES = ('press', 'screen')


def profile_expectations(name: str, *, trim_mm: tuple[float, float] | None = None) -> Expectations:
    """The expectations of profile ``name`` (``press`` or ``screen``)."""
    if name == 'press':
        return Expectations(profile='press', pdfx=True, min_bleed_mm=3.0, trim_mm=trim_mm)
    if name == 'screen':
        return Expectations(profile='screen', pdfx=False, tagged=True, no_marks=True, trim_mm=trim_mm)
    raise ValueError(f'unknown preflight profile {name!r} (known: {", ".join(PROFILES)})')


def select_expectations(*, profile: str | None = None, edition: str | None = None,
                        layout_expectations: Expectations | None = None) -> Expectations:
    """What to check a file against.

    ``profile`` (``--profile``) wins; else the ``edition`` the file name or the file says
    (``print``, ``screen``, ``booklet``); ``layout_expectations`` (from the layout's print
    settings, when the layout is known) refine the press profile with the trim, bleed and
    binding. With nothing known, the press profile: a PDF handed to ``publish check`` is
    assumed to be going to a printer."""
    name = profile or {'screen': 'screen', 'booklet': None}.get(edition or 'print', 'press')
    if name is None:            # the office booklet: imposed screen pages, no standard to meet
        return Expectations(pdfx=False)
    if name == 'press':
        if layout_expectations is not None:
            return replace(layout_expectations, profile='press', pdfx=True,
                           min_bleed_mm=layout_expectations.min_bleed_mm or layout_expectations.bleed_mm or 3.0)
        return profile_expectations('press')
    trim = layout_expectations.trim_mm if layout_expectations is not None else None
    return profile_expectations(name, trim_mm=trim)


__all__ = ['PROFILES', 'profile_expectations', 'select_expectations']
