"""The preflight checks, one function each, in the order they are reported."""

from __future__ import annotations

from collections import defaultdict

import pypdfium2 as pdfium

from publish.preflight.report import MM, Context, Finding, Severity, check
from publish.preflight.facts import NON_X1A_KINDS, RGB_KINDS

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO
EPS = 0.01  # pt


def _mm(box) -> str:
    return f'{(box[2] - box[0]) / MM:.1f}×{(box[3] - box[1]) / MM:.1f} mm'


def _inside(inner, outer, eps=EPS) -> bool:
    return (inner[0] >= outer[0] - eps and inner[1] >= outer[1] - eps
            and inner[2] <= outer[2] + eps and inner[3] <= outer[3] + eps)


def _collapse(findings: list[Finding], limit: int = 6) -> list[Finding]:
    """Keep the report readable: at most ``limit`` findings of one check and severity."""
    counts: dict = defaultdict(int)
    out = []
    for finding in findings:
        key = (finding.check, finding.severity)
        counts[key] += 1
        if counts[key] <= limit:
            out.append(finding)
    for (name, severity), count in counts.items():
        if count > limit:
            out.append(Finding(severity, name, f'… and {count - limit} more like these'))
    return out


@check('boxes')
def boxes(ctx: Context) -> list[Finding]:
    out = []
    tol = ctx.expect.tolerance_mm * MM
    for page in ctx.pages:
        n = page.number
        if page.trim is None:
            if ctx.is_pdfx or ctx.expect.trim_mm is not None:
                out.append(Finding(E if ctx.is_pdfx else W, 'boxes', 'no TrimBox', n))
            continue
        if page.bleed is None:
            if ctx.is_pdfx or ctx.expect.bleed_mm:
                out.append(Finding(E if ctx.is_pdfx else W, 'boxes', 'no BleedBox', n))
        elif not _inside(page.trim, page.bleed):
            out.append(Finding(E, 'boxes', 'TrimBox is not inside the BleedBox', n))
        outer = page.bleed or page.trim
        if not _inside(outer, page.media):
            out.append(Finding(E, 'boxes', f'{"BleedBox" if page.bleed else "TrimBox"} '
                                           'is not inside the MediaBox', n))
        if page.crop is not None and not _inside(outer, page.crop):
            out.append(Finding(W, 'boxes', 'the CropBox cuts into the bleed', n))
        if ctx.expect.trim_mm is not None:
            want_w, want_h = (v * MM for v in ctx.expect.trim_mm)
            w, h = page.trim[2] - page.trim[0], page.trim[3] - page.trim[1]
            if abs(w - want_w) > tol or abs(h - want_h) > tol:
                out.append(Finding(E, 'boxes', f'trim is {_mm(page.trim)}, expected '
                                               f'{ctx.expect.trim_mm[0]:g}×{ctx.expect.trim_mm[1]:g} mm', n))
        if ctx.expect.min_bleed_mm and page.bleed is not None:
            sides = (page.trim[0] - page.bleed[0], page.trim[1] - page.bleed[1],
                     page.bleed[2] - page.trim[2], page.bleed[3] - page.trim[3])
            if min(sides) < ctx.expect.min_bleed_mm * MM - tol:
                out.append(Finding(E, 'boxes', f'{min(sides) / MM:.1f} mm of bleed: a print shop '
                                               f'needs {ctx.expect.min_bleed_mm:g} mm on every side', n))
        if ctx.expect.bleed_mm is not None and page.bleed is not None:
            sides = (page.trim[0] - page.bleed[0], page.trim[1] - page.bleed[1],
                     page.bleed[2] - page.trim[2], page.bleed[3] - page.trim[3])
            want = ctx.expect.bleed_mm * MM
            if any(abs(side - want) > tol for side in sides):
                got = ', '.join(f'{side / MM:.2f}' for side in sides)
                out.append(Finding(E, 'boxes', f'bleed is {got} mm (left, bottom, right, top), '
                                               f'expected {ctx.expect.bleed_mm:g} mm', n))
    return _collapse(out)


@check('fonts')
def fonts(ctx: Context) -> list[Finding]:
    out = []
    for font in ctx.fonts.values():
        pages = ', '.join(str(p) for p in sorted(font.pages)[:5])
        if font.subtype == '/Type3':
            out.append(Finding(E, 'fonts', f'Type 3 font {font.name} (pages {pages}): '
                                           'print shops refuse bitmap/Type 3 fonts'))
        elif not font.embedded:
            out.append(Finding(E, 'fonts', f'font {font.name} ({font.subtype[1:]}) is not '
                                           f'embedded (pages {pages})'))
    if not out:
        out.append(Finding(I, 'fonts', f'{len(ctx.fonts)} fonts, all embedded, no Type 3'))
    return out


@check('colour')
def colour(ctx: Context) -> list[Finding]:
    out = []
    if not ctx.is_pdfx:
        rgb = sum(1 for page in ctx.pages for kind, _ in page.colour_uses if kind in RGB_KINDS)
        if rgb:
            out.append(Finding(I, 'colour', f'{rgb} RGB colour uses (fine outside PDF/X)'))
        return out
    for page in ctx.pages:
        seen = set()
        for kind, where in page.colour_uses:
            if (kind, where) in seen:
                continue
            seen.add((kind, where))
            if kind in RGB_KINDS:
                out.append(Finding(E, 'colour', f'RGB colour ({kind}) in {where}', page.number))
            elif ctx.is_x1a and kind in NON_X1A_KINDS:
                out.append(Finding(E, 'colour', f'{kind} colour in a PDF/X-1a file: {where}',
                                   page.number))
        for kind, values in page.text_colours:
            if kind == 'cmyk' and len(values) == 4 and values[3] >= 0.99 and sum(values[:3]) > 0.01:
                out.append(Finding(W, 'colour', 'rich black text (C %g M %g Y %g K %g): '
                                                'black text should be K100 only'
                                   % tuple(round(v * 100) for v in values), page.number))
    return _collapse(out)


@check('ink')
def ink(ctx: Context) -> list[Finding]:
    """Total ink of vector CMYK colours (registration 1 1 1 1, used for marks, excepted)."""
    limit = ctx.expect.max_ink_percent
    out = []
    for page in ctx.pages:
        heavy = sorted({round(sum(c) * 100) for c in page.cmyk_colours
                        if sum(c) * 100 > limit + 0.5 and c != (1.0, 1.0, 1.0, 1.0)}, reverse=True)
        if heavy:
            out.append(Finding(W, 'ink', f'CMYK colours with {", ".join(f"{v}%" for v in heavy[:4])} '
                                         f'total ink (limit {limit:g}% for coated sheet-fed offset)',
                               page.number))
    return _collapse(out)


#: text smaller than this (pt) should be in one or two process inks: three or more
#: misregister visibly at that size
SMALL_TEXT_PT = 12.0


def _inks(values) -> int:
    return sum(1 for v in values if v > 0.005)


@check('small-text-inks')
def small_text_inks(ctx: Context) -> list[Finding]:
    """Text under 12 pt printed in three or more process inks (registration-sensitive)."""
    if not ctx.is_pdfx:
        return []
    out = []
    for page in ctx.pages:
        offenders = {}
        for run in page.text_runs:
            if run.kind == 'cmyk' and len(run.values) == 4 and run.size_pt < SMALL_TEXT_PT \
                    and _inks(run.values) >= 3:
                key = tuple(round(v * 100) for v in run.values)
                offenders[key] = min(run.size_pt, offenders.get(key, run.size_pt))
        for values, size in sorted(offenders.items()):
            out.append(Finding(W, 'small-text-inks',
                               f'{size:g} pt text in {_inks([v / 100 for v in values])} process inks '
                               f'(C {values[0]} M {values[1]} Y {values[2]} K {values[3]}): text under '
                               f'{SMALL_TEXT_PT:g} pt should use at most two', page.number))
    return _collapse(out)


@check('overprint')
def overprint(ctx: Context) -> list[Finding]:
    """K100 text should overprint (fill overprint on, overprint mode 1), not knock out."""
    if not ctx.is_pdfx:
        return []
    out = []
    total = 0
    for page in ctx.pages:
        knocked = [run for run in page.text_runs if run.kind == 'cmyk' and len(run.values) == 4
                   and tuple(round(v, 3) for v in run.values) == (0, 0, 0, 1)]
        total += len(knocked)
        knocked = [run for run in knocked if not run.overprint]
        if knocked:
            out.append(Finding(W, 'overprint', f'{len(knocked)} runs of K100 text knock out the '
                                               'inks below (set fill overprint, /OPM 1)', page.number))
    if not out and total:
        out.append(Finding(I, 'overprint', f'{total} runs of K100 text, all overprinting'))
    return _collapse(out)


@check('output-intent')
def output_intent(ctx: Context) -> list[Finding]:
    if not ctx.is_pdfx:
        return [Finding(I, 'output-intent', 'not a PDF/X file: no OutputIntent needed')]
    out = []
    if ctx.pdfx_version is None:
        out.append(Finding(E, 'output-intent', 'no GTS_PDFXVersion in the Info dictionary or XMP'))
    intents = ctx.pdf.Root.get('/OutputIntents')
    pdfx = [i for i in (intents or []) if str(i.get('/S')) == '/GTS_PDFX']
    if not pdfx:
        out.append(Finding(E, 'output-intent', 'no GTS_PDFX OutputIntent'))
        return out
    intent = pdfx[0]
    profile = intent.get('/DestOutputProfile')
    if profile is None:
        if not ctx.is_x1a:
            out.append(Finding(E, 'output-intent', 'the OutputIntent carries no ICC profile'))
    else:
        header = profile.read_bytes()[:20]
        if header[16:20] != b'CMYK':
            out.append(Finding(E, 'output-intent', f'the OutputIntent profile is not CMYK '
                                                   f'({header[16:20].decode("latin1")!r})'))
    if '/OutputConditionIdentifier' not in intent:
        out.append(Finding(E, 'output-intent', 'the OutputIntent has no OutputConditionIdentifier'))
    if not out:
        out.append(Finding(I, 'output-intent', f'{ctx.pdfx_version}, output condition '
                                               f'{intent.get("/OutputConditionIdentifier")}'))
    if ctx.is_x1a and ctx.pdf.pdf_version > '1.4':
        out.append(Finding(E, 'output-intent', f'PDF/X-1a needs PDF 1.3 or 1.4, this is {ctx.pdf.pdf_version}'))
    return out


@check('transparency')
def transparency(ctx: Context) -> list[Finding]:
    if not ctx.is_x1a:
        return []
    out = [Finding(E, 'transparency', f'PDF/X-1a allows no transparency: {item}', page.number)
           for page in ctx.pages for item in page.transparency]
    return _collapse(out)


@check('annotations')
def annotations(ctx: Context) -> list[Finding]:
    if not ctx.is_pdfx:
        return []
    out = []
    for page in ctx.pages:
        for subtype, rect in page.annotations:
            if subtype in ('/PrinterMark', '/TrapNet'):
                continue
            box = page.bleed or page.trim or page.media
            overlaps = rect[0] < box[2] and rect[2] > box[0] and min(rect[1], rect[3]) < box[3] \
                and max(rect[1], rect[3]) > box[1]
            if overlaps:
                out.append(Finding(E, 'annotations', f'{subtype[1:]} annotation inside the '
                                                     'bleed box (PDF/X forbids it)', page.number))
    return _collapse(out)


def ppi_text(ppi: float, limits=(300.0, 150.0)) -> str:
    """A resolution to the whole ppi, except that a value just below a limit is never
    rounded up to it (299.96 reads "299.9", not "300")."""
    import math

    if math.isinf(ppi):
        return "∞"
    text = f"{ppi:.0f}"
    if any(ppi < limit <= round(ppi) for limit in limits):
        text = f"{math.floor(ppi * 10) / 10:.1f}"
    return text


@check('images')
def images(ctx: Context) -> list[Finding]:
    out = []
    count = 0
    for page in ctx.pages:
        for image in page.images:
            if image.kind == 'mask' or image.width_px * image.height_px <= 4:
                continue
            count += 1
            ppi = image.ppi_rounded_pixels  # whole pixels: the rounded required size passes
            text = (f'image {image.name} ({image.width_px}×{image.height_px} px placed at '
                    f'{image.placed_w_pt / MM:.1f}×{image.placed_h_pt / MM:.1f} mm) '
                    f'has {ppi_text(image.ppi, (ctx.expect.warn_below_ppi, ctx.expect.fail_below_ppi))} ppi')
            if ppi < ctx.expect.fail_below_ppi:
                out.append(Finding(E, 'images', f'{text}, below {ctx.expect.fail_below_ppi:g} ppi',
                                   page.number))
            elif ppi < ctx.expect.warn_below_ppi:
                out.append(Finding(W, 'images', f'{text}, below {ctx.expect.warn_below_ppi:g} ppi',
                                   page.number))
            else:
                out.append(Finding(I, 'images', text, page.number))
    return _collapse(out, limit=12)


@check('page-count')
def page_count(ctx: Context) -> list[Finding]:
    binding = ctx.expect.binding
    if binding is None:
        return []
    multiple = {'saddle': 4, 'perfect': 2}[binding]
    count = len(ctx.pages)
    if count % multiple:
        return [Finding(E, 'page-count', f'{count} pages: {binding} binding needs a multiple of '
                                         f'{multiple} (add {-count % multiple} blank pages before '
                                         'the back cover)')]
    return [Finding(I, 'page-count', f'{count} pages, a multiple of {multiple}')]


@check('safety')
def safety(ctx: Context) -> list[Finding]:
    """Text must stay ``safety_mm`` inside the trim (or the media box without a TrimBox)."""
    margin = ctx.expect.safety_mm * MM
    out = []
    document = pdfium.PdfDocument(str(ctx.path))
    try:
        for page_facts, page in zip(ctx.pages, document):
            trim = page_facts.trim or page_facts.media
            safe = (trim[0] + margin, trim[1] + margin, trim[2] - margin, trim[3] - margin)
            textpage = page.get_textpage()
            offenders = []
            for i in range(textpage.count_chars()):
                char = textpage.get_text_range(i, 1)
                if not char.strip():
                    continue
                left, bottom, right, top = textpage.get_charbox(i)
                if right <= left or top <= bottom:
                    continue
                if left < safe[0] - EPS or bottom < safe[1] - EPS or right > safe[2] + EPS \
                        or top > safe[3] + EPS:
                    offenders.append((char, left, bottom, right, top))
            if offenders:
                sample = ''.join(c for c, *_ in offenders[:12])
                worst = min(min(l - trim[0], b - trim[1], trim[2] - r, trim[3] - t)
                            for _, l, b, r, t in offenders)
                out.append(Finding(E, 'safety', f'{len(offenders)} characters within '
                                                f'{ctx.expect.safety_mm:g} mm of the trim '
                                                f'(closest {worst / MM:.1f} mm): {sample!r}',
                                   page_facts.number))
            textpage.close()
            page.close()
    finally:
        document.close()
    return _collapse(out)


@check('bleed')
def bleed(ctx: Context) -> list[Finding]:
    """Artwork that touches the trim edge must run on to the bleed edge (塗り足し).

    Renders each page at 72 dpi and compares, along each side, a line just inside the
    trim with a line just inside the bleed edge: ink at the first and paper at the
    second means a background or picture stops at the trim and would show a white
    sliver after cutting."""
    out = []
    scale = 1.0   # 72 dpi: 3 mm of bleed is 8.5 px
    document = pdfium.PdfDocument(str(ctx.path))
    try:
        for facts, page in zip(ctx.pages, document):
            if facts.trim is None or facts.bleed is None:
                continue
            trim, bleed_box = facts.trim, facts.bleed
            if min(trim[0] - bleed_box[0], trim[1] - bleed_box[1], bleed_box[2] - trim[2],
                   bleed_box[3] - trim[3]) < 2:
                continue   # no bleed to speak of; the boxes check reports it
            image = page.render(scale=scale, crop=(0, 0, 0, 0)).to_pil().convert('L')
            media = facts.media

            def px(x, y):
                return image.getpixel((min(image.width - 1, max(0, int((x - media[0]) * scale))),
                                       min(image.height - 1, max(0, int((media[3] - y) * scale)))))

            short_sides = []
            sides = {
                'left': [((trim[0] + 1.5, y), (bleed_box[0] + 1.5, y)) for y in _steps(trim[1], trim[3])],
                'right': [((trim[2] - 1.5, y), (bleed_box[2] - 1.5, y)) for y in _steps(trim[1], trim[3])],
                'bottom': [((x, trim[1] + 1.5), (x, bleed_box[1] + 1.5)) for x in _steps(trim[0], trim[2])],
                'top': [((x, trim[3] - 1.5), (x, bleed_box[3] - 1.5)) for x in _steps(trim[0], trim[2])],
            }
            for side, pairs in sides.items():
                short = sum(1 for inner, outer in pairs if px(*inner) < 235 and px(*outer) > 250)
                if short > max(2, len(pairs) // 50):
                    short_sides.append(f'{side} ({short * 2} pt)')
            if short_sides:
                out.append(Finding(E if ctx.is_pdfx else W, 'bleed',
                                   'artwork touching the trim stops short of the bleed edge on the '
                                   + ', '.join(short_sides), facts.number))
            page.close()
    finally:
        document.close()
    return _collapse(out)


def _steps(start: float, end: float, step: float = 2.0):
    value = start + 3
    while value < end - 3:
        yield value
        value += step


@check('tagged')
def tagged(ctx: Context) -> list[Finding]:
    """A screen edition is a tagged PDF (PDF/UA-1): structure tree, marked, language,
    title shown, PDF/UA identification."""
    if not ctx.expect.tagged:
        return []
    out = []
    root = ctx.pdf.Root
    if '/StructTreeRoot' not in root:
        out.append(Finding(E, 'tagged', 'no structure tree: the PDF is not tagged'))
    mark_info = root.get('/MarkInfo')
    if mark_info is None or not bool(mark_info.get('/Marked', False)):
        out.append(Finding(E, 'tagged', '/MarkInfo /Marked is not true'))
    if not str(root.get('/Lang', '')).strip():
        out.append(Finding(E, 'tagged', 'no document language (/Lang)'))
    prefs = root.get('/ViewerPreferences')
    if prefs is None or not bool(prefs.get('/DisplayDocTitle', False)):
        out.append(Finding(E, 'tagged', 'the viewer does not show the title (/DisplayDocTitle)'))
    try:
        meta = ctx.pdf.open_metadata()
        title = meta.get('dc:title')
        part = meta.get('pdfuaid:part')
    except Exception:  # noqa: BLE001 - unreadable XMP is reported as missing
        title = part = None
    if not title:
        out.append(Finding(E, 'tagged', 'no dc:title in the XMP metadata'))
    if str(part or '') != '1':
        out.append(Finding(W, 'tagged', 'no PDF/UA-1 identification (pdfuaid:part 1) in the XMP'))
    if not out:
        out.append(Finding(I, 'tagged', 'tagged, marked, language, title and PDF/UA-1 identification'))
    return out


@check('marks')
def marks(ctx: Context) -> list[Finding]:
    """A screen edition has no printer's marks: no slug or bleed beyond the trim, no
    registration colour, no printer's-mark annotations."""
    if not ctx.expect.no_marks:
        return []
    out = []
    tol = ctx.expect.tolerance_mm * MM
    for page in ctx.pages:
        if page.trim is not None and any(abs(a - b) > tol for a, b in zip(page.trim, page.media)):
            out.append(Finding(E, 'marks', f'the page ({_mm(page.media)}) is larger than the trim '
                                           f'({_mm(page.trim)}): slug, marks or bleed on a screen PDF',
                               page.number))
        if (1.0, 1.0, 1.0, 1.0) in page.cmyk_colours:
            out.append(Finding(E, 'marks', 'registration colour (C M Y K 100): printer\'s marks',
                               page.number))
        if any(subtype == '/PrinterMark' for subtype, _ in page.annotations):
            out.append(Finding(E, 'marks', 'printer\'s-mark annotations', page.number))
    return _collapse(out)
