"""Preflight: inspect a finished PDF (not its labels) and report what a print shop would.

``check_pdf(path, expectations) -> Report``; ``report.format()`` is the text ``publish
check`` prints and ``report.exit_status(strict=False)`` its exit status (1 on an error, or
on a warning under ``--strict``). Each check is one function registered with
:func:`check`; they share the facts read once by :mod:`publish.preflight.facts`.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf

from publish.preflight.facts import FontFact, PageFacts, read_facts

from publish.preflight.report import (  # noqa: F401 - re-exported
    CHECKS,
    MM,
    CheckFunction,
    Context,
    Expectations,
    Finding,
    Report,
    Severity,
    check,
)  # noqa: F401


def _pdfx_version(pdf: pikepdf.Pdf) -> str | None:
    value = pdf.docinfo.get('/GTS_PDFXVersion')
    if value is not None:
        return str(value)
    try:
        meta = pdf.open_metadata()
        for key in ('pdfxid:GTS_PDFXVersion', 'pdfx:GTS_PDFXVersion'):
            if key in meta:
                return str(meta[key])
    except Exception:
        pass
    return None


MAX_PDF_BYTES = 512 * 1024 * 1024  # a brochure is a few MB; anything this big is not ours


class UnreadablePDF(Exception):
    """The file given to preflight is not a PDF it can check (bad input: exit status 2)."""

    exit_status = 2


def open_pdf(path: Path) -> pikepdf.Pdf:
    """Open `path` for preflight, or raise UnreadablePDF with one line saying why: not a
    regular file, empty, bigger than MAX_PDF_BYTES, not a PDF, truncated (no %%EOF at the
    end), encrypted, or damaged beyond what qpdf repairs silently."""
    try:
        if not path.exists():
            raise UnreadablePDF('no such file')
        if not path.is_file():
            raise UnreadablePDF('not a regular file')
        size = path.stat().st_size
        if size == 0:
            raise UnreadablePDF('the file is empty')
        if size > MAX_PDF_BYTES:
            raise UnreadablePDF(f'{size / 2**20:.0f} MiB is more than the {MAX_PDF_BYTES // 2**20} MiB '
                                'preflight reads')
        with path.open('rb') as handle:
            head = handle.read(1024)
            handle.seek(max(0, size - 2048))
            tail = handle.read()
    except OSError as error:
        raise UnreadablePDF(f'cannot read the file: {error.strerror or error}') from None
    if b'%PDF-' not in head:
        raise UnreadablePDF('not a PDF (no %PDF- header)')
    if b'%%EOF' not in tail:
        raise UnreadablePDF('truncated: the file does not end with %%EOF')
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        raise UnreadablePDF('encrypted: preflight needs a PDF without a password') from None
    except (pikepdf.PdfError, ValueError, RuntimeError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise UnreadablePDF(f'not a readable PDF: {first}') from None
    if pdf.is_encrypted:
        pdf.close()
        raise UnreadablePDF('encrypted: print shops need a PDF without encryption')
    return pdf


def check_pdf(path, expectations: Expectations | None = None, *,
              only: list[str] | None = None) -> Report:
    """Run every registered check (or ``only`` those named) on the PDF at ``path``."""
    from publish.preflight import checks, profiles  # noqa: F401  (registers the checks)
    from publish.preflight import makeup  # noqa: F401  (registers the make-up audit)

    path = Path(path)
    expect = expectations or Expectations()
    try:
        pdf = open_pdf(path)
    except UnreadablePDF as error:  # `publish check` answers these before, with exit status 2
        report = Report(path, 0, None)
        report.findings.append(Finding(Severity.ERROR, 'file', str(error)))
        return report
    with pdf:
        version = _pdfx_version(pdf)
        is_pdfx = expect.pdfx if expect.pdfx is not None else (
            version is not None or '/OutputIntents' in pdf.Root)
        pages, fonts = read_facts(pdf)
        context = Context(path, pdf, expect, pages, fonts, version, bool(is_pdfx),
                          bool(version and 'X-1' in version) or False)
        report = Report(path, len(pdf.pages), version)
        for name, function in CHECKS.items():
            if only and name not in only:
                continue
            report.checks_run.append(name)
            report.findings.extend(function(context))
    return report


from publish.preflight.profiles import PROFILES, profile_expectations  # noqa: E402

__all__ = ['check_pdf', 'open_pdf', 'UnreadablePDF', 'MAX_PDF_BYTES', 'PROFILES', 'profile_expectations', 'check',
           'CHECKS', 'Expectations', 'Finding', 'Report', 'Severity',
           'Context', 'FontFact', 'PageFacts']


def expectations_from_record(made) -> Expectations:
    """What a PDF should be, from the record it carries (publish.press.record.Record)."""
    if made.edition == "print":
        return Expectations(trim_mm=made.trim_mm, bleed_mm=made.bleed_mm, pdfx=made.pdfx, binding=made.binding)
    if made.edition == "screen":
        return Expectations(trim_mm=made.trim_mm, pdfx=False)
    return Expectations(pdfx=False)
