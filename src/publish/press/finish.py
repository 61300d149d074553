"""The print stage: WeasyPrint's PDF in, a press-ready PDF/X out."""

from __future__ import annotations

import io
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pikepdf
from pikepdf import Array

from publish.press import marks as marks_mod
from publish.press.color import ColorConverter, convert_document, flate_stream
from publish.press.overprint import apply_overprint
from publish.press.pages import blank_page_note, blank_pages_needed, insert_blank_pages
from publish.press.errors import PressError, TransparencyError
from publish.press.pdfx import VARIANTS, add_output_intent, remove_transparency, write_metadata
from publish.press.settings import MM, PrintSettings

log = logging.getLogger('publish.press')

TOLERANCE_PT = 0.5


@dataclass
class FinishReport:
    pages: int = 0
    blank_pages_added: int = 0
    images_converted: int = 0
    shadings_converted: int = 0
    content_streams: int = 0
    annotations_removed: int = 0
    overprinted_streams: int = 0
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _box(page, key):
    value = page.obj.get(key)
    return [float(v) for v in value] if value is not None else None


def _source_date() -> datetime | None:
    from publish.model.dates import source_date_epoch  # the one reader of $SOURCE_DATE_EPOCH

    return source_date_epoch()


_CONVERTERS: dict = {}


def _converter(settings: PrintSettings) -> ColorConverter:
    key = (str(settings.icc_profile), settings.icc_profile.stat().st_mtime)
    if key not in _CONVERTERS:
        _CONVERTERS[key] = ColorConverter(settings.icc_profile)
    return _CONVERTERS[key]


def finish(pdf_bytes: bytes, settings: PrintSettings, *, slug_label: str,
           build_date: datetime | None = None) -> bytes:
    """Finish a WeasyPrint PDF for the press; see :func:`finish_with_report`."""
    return finish_with_report(pdf_bytes, settings, slug_label=slug_label,
                              build_date=build_date)[0]


def finish_with_report(pdf_bytes: bytes, settings: PrintSettings, *, slug_label: str,
                       build_date: datetime | None = None) -> tuple[bytes, FinishReport]:
    """Page boxes, Japanese trim marks, slug line, CMYK conversion, OutputIntent and PDF/X
    metadata; blank pages before the back cover when ``settings.pad_pages`` and the page
    count breaks the binding rule (the returned report's ``notes`` say so: print them).

    ``slug_label`` is the file name printed in the slug; ``build_date`` (default:
    ``$SOURCE_DATE_EPOCH`` when set, else now, UTC) goes into the slug and the metadata, so
    a fixed value gives byte-for-byte reproducible output. A :class:`publish.model.dates.BuildDate`
    (what the writers pass: the source's date) also says in the slug where it came from.
    Raises :class:`PressError` when the input does not match the settings or PDF/X-1a is
    asked for a document with transparency.
    """
    started = time.perf_counter()
    now, slug_date = _dates(build_date)
    report = FinishReport()
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        _check_trim(pdf, settings, report)
        _pad_for_binding(pdf, settings, report)
        _remove_annotations(pdf, report)
        conv = _convert_colour(pdf, settings, report)
        _refuse_transparency(pdf, settings)
        report.overprinted_streams = apply_overprint(pdf)
        _boxes_marks_and_slug(pdf, settings, slug_label, slug_date)
        out = _identify_and_save(pdf, settings, conv, now, slug_label)
        report.pages = len(pdf.pages)
    report.seconds = time.perf_counter() - started
    for note in report.notes:
        log.info(note)
    return out, report


def _dates(build_date) -> tuple[datetime, str]:
    """The moment for the metadata and the date text for the slug."""
    slug_date = None
    if hasattr(build_date, 'moment') and hasattr(build_date, 'slug_text'):   # a dates.BuildDate
        build_date, slug_date = build_date.moment, build_date.slug_text
    now = build_date or _source_date() or datetime.now(timezone.utc).replace(microsecond=0)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    if slug_date is None:
        slug_date = now.astimezone(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')
    return now, slug_date


def _check_trim(pdf, settings: PrintSettings, report: FinishReport) -> None:
    """Step 1: the trim of every page must be the layout's trim (a note when the bleed is short)."""
    trim_w, trim_h = settings.trim_pt
    bleed = settings.bleed_pt
    problems = []
    for number, page in enumerate(pdf.pages, 1):
        trim = _box(page, '/TrimBox') or [float(v) for v in page.mediabox]
        width, height = trim[2] - trim[0], trim[3] - trim[1]
        if abs(width - trim_w) > TOLERANCE_PT or abs(height - trim_h) > TOLERANCE_PT:
            problems.append(
                f'page {number}: trim is {width / MM:.1f}×{height / MM:.1f} mm, '
                f'the settings say {settings.trim_width_mm:g}×{settings.trim_height_mm:g} mm')
        media = [float(v) for v in page.mediabox]
        reach = min(trim[0] - media[0], trim[1] - media[1], media[2] - trim[2],
                    media[3] - trim[3])
        if reach < bleed - TOLERANCE_PT and number == 1:
            report.notes.append(
                f'the rendered pages have {max(reach, 0) / MM:.1f} mm of bleed, the settings '
                f'{settings.bleed_mm:g} mm: give the layout `@page {{ bleed: '
                f'{settings.bleed_mm:g}mm }}` so backgrounds can reach the bleed edge')
    if problems:
        raise PressError('the PDF does not have the trim size of the print settings:\n  '
                         + '\n  '.join(problems[:5])
                         + ('\n  …' if len(problems) > 5 else '')
                         + f'\n(the layout\'s CSS needs {settings.css_page_rule})')


def _pad_for_binding(pdf, settings: PrintSettings, report: FinishReport) -> None:
    """Step 2: the page count for the binding (blank pages when ``settings.pad_pages``)."""
    blanks = blank_pages_needed(len(pdf.pages), settings.binding)
    if blanks and settings.pad_pages:
        report.notes.append(blank_page_note(len(pdf.pages), blanks, settings.binding))
        insert_blank_pages(pdf, blanks)
        report.blank_pages_added = blanks
    elif blanks:
        report.notes.append(f'{len(pdf.pages)} pages is not a multiple of '
                            f'{settings.page_multiple} ({settings.binding} binding)')


def _remove_annotations(pdf, report: FinishReport) -> None:
    """Step 3: annotations have no place on a printing plate (PDF/X forbids them in the bleed)."""
    for page in pdf.pages:
        annots = page.obj.get('/Annots')
        if annots is not None:
            kept = [a for a in annots if a.get('/Subtype') in ('/PrinterMark', '/TrapNet')]
            report.annotations_removed += len(annots) - len(kept)
            if kept:
                page.obj.Annots = Array(kept)
            else:
                del page.obj['/Annots']


def _convert_colour(pdf, settings: PrintSettings, report: FinishReport) -> ColorConverter:
    """Step 4: colour to the press's CMYK."""
    conv = _converter(settings)
    conversion = convert_document(pdf, conv)
    report.images_converted = conversion.images
    report.shadings_converted = conversion.shadings
    report.content_streams = conversion.content_streams
    if conversion.problems:
        raise PressError('cannot convert to CMYK:\n  ' + '\n  '.join(conversion.problems))
    return conv


def _refuse_transparency(pdf, settings: PrintSettings) -> None:
    """Step 5: PDF/X-1a allows no transparency."""
    if settings.pdf_variant == 'pdf/x-1a':
        leftovers = remove_transparency(pdf)
        if leftovers:
            raise TransparencyError(
                'PDF/X-1a allows no transparency, and this document uses it:\n  '
                + '\n  '.join(leftovers[:10])
                + ('\n  …' if len(leftovers) > 10 else '')
                + '\nRemove opacity, rgba() colours and images with alpha from the layout, '
                  'or build PDF/X-4 (pdf_variant: pdf/x-4), which keeps live transparency.')


def _boxes_marks_and_slug(pdf, settings: PrintSettings, slug_label: str, slug_date: str) -> None:
    """Step 6 (after the black overprint): page boxes, trim marks and the slug line."""
    total = len(pdf.pages)
    for number, page in enumerate(pdf.pages, 1):
        trim = _page_boxes(page, settings)
        overlay = _marks_overlay(trim, settings, f'{slug_label}   {number}/{total}', slug_date)
        if overlay:
            page.contents_add(flate_stream(pdf, b'q\n'), prepend=True)
            page.contents_add(flate_stream(pdf, b'Q\nq\n' + overlay + b'Q\n'))


def _page_boxes(page, settings: PrintSettings) -> list[float]:
    """Media, bleed and trim boxes around the page's trim; returns the trim box."""
    trim_w, trim_h = settings.trim_pt
    bleed, slug = settings.bleed_pt, settings.slug_pt
    trim = _box(page, '/TrimBox') or [float(v) for v in page.mediabox]
    x0, y0 = trim[0], trim[1]
    trim = [x0, y0, x0 + trim_w, y0 + trim_h]
    bleed_box = [trim[0] - bleed, trim[1] - bleed, trim[2] + bleed, trim[3] + bleed]
    media = [bleed_box[0] - slug, bleed_box[1] - slug, bleed_box[2] + slug,
             bleed_box[3] + slug]
    page.obj.MediaBox = Array([round(v, 4) for v in media])
    page.obj.BleedBox = Array([round(v, 4) for v in bleed_box])
    page.obj.TrimBox = Array([round(v, 4) for v in trim])
    for key in ('/CropBox', '/ArtBox'):
        if key in page.obj:
            del page.obj[key]
    return trim


def _marks_overlay(trim: list[float], settings: PrintSettings, slug_text: str, slug_date: str) -> bytes:
    """The trim marks and the slug line of one page, as content stream operators."""
    bleed, slug = settings.bleed_pt, settings.slug_pt
    overlay = b''
    if settings.marks:
        overlay += marks_mod.trim_marks(tuple(trim), bleed, slug, settings.mark_line_pt)
    if settings.slug_text and slug >= 5 * MM:
        if settings.slug_font is None:
            raise PressError('slug text needs a font: set PrintSettings.slug_font '
                             '(fonts/NotoSansJP-Regular.ttf) or slug_text=False')
        overlay += marks_mod.slug_line(
            tuple(trim), bleed, slug, settings.slug_font, slug_text, slug_date, settings.marks)
    return overlay


def _identify_and_save(pdf, settings: PrintSettings, conv: ColorConverter, now: datetime,
                       slug_label: str) -> bytes:
    """Step 7: OutputIntent and PDF/X metadata, then the file in the variant's PDF version."""
    identifier, condition = settings.output_condition_for(conv.description)
    add_output_intent(pdf, conv.profile_bytes, identifier, condition, conv.description)
    write_metadata(pdf, settings.pdf_variant, now, slug_label)
    version = VARIANTS[settings.pdf_variant][0]
    out = io.BytesIO()
    pdf.save(out, force_version=version, deterministic_id=True,
             object_stream_mode=(pikepdf.ObjectStreamMode.disable
                                 if version < '1.5' else pikepdf.ObjectStreamMode.generate),
             compress_streams=True)
    return out.getvalue()


__all__ = ['finish', 'finish_with_report', 'FinishReport', 'PressError', 'TransparencyError']
