"""A PDF page's glyphs, images and rules for the make-up audit, read with pdfium.

The audit (publish.preflight.makeup) was written on pdfplumber's page objects; pdfplumber
parses content streams in Python (pdfminer), about 0.25 s a page of our brochures, 25 s
for a 100-page collection, while pdfium (C++, pypdfium2) reads the same in a hundredth of
that. `read` gives each page in pdfplumber's terms, so the audit reads both the same way:

- boxes and glyph boxes as (x0, top, x1, bottom): x as in the PDF, `top`/`bottom` measured
  down as `height - y` (height: the MediaBox's);
- a glyph's `matrix` is pdfminer's: (a, b, c, d) of its text space, (e, f) its origin
  relative to the MediaBox's lower-left corner; `size` is the font size as drawn; its box
  runs from the font's descent one em up (pdfium's loose box gives x and the descent);
- `rects`: what pdfminer calls rects and lines — each subpath that is one straight segment
  or an axis-aligned rectangle (curves are left out, as pdfplumber's rects and lines do).

pdfium reorders the text of a PDF that declares `/ViewerPreferences /Direction /R2L`
(INTEGRATION.md, "pdfium and /Direction /R2L"): `read` yields None for such pages, and the
audit reads them with pdfplumber (`from_pdfplumber`), as it does any vertical page.
"""

from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass, field

from publish.preflight.facts import IDENTITY, multiply


@dataclass
class RawPage:
    page_number: int  # 1-based
    mediabox: tuple[float, float, float, float]
    trimbox: tuple[float, float, float, float] | None
    height: float
    chars: list[dict]
    images: list[dict] = field(default_factory=list)
    rects: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    vertical: bool = False


def from_pdfplumber(page) -> RawPage:
    return RawPage(page.page_number, page.mediabox, getattr(page, "trimbox", None), page.height, page.chars,
                   page.images, page.rects, page.lines)


def _right_to_left(document) -> bool:
    """Whether the catalog's /ViewerPreferences say /Direction /R2L (pdfium then reorders)."""
    import pypdfium2.raw as raw

    value = ctypes.create_string_buffer(16)
    size = raw.FPDF_VIEWERREF_GetName(document, b"Direction", value, len(value))
    return 0 < size <= len(value) and value.value == b"R2L"


def _apply(m, x, y):
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _matrix(obj):
    import pypdfium2.raw as raw

    m = raw.FS_MATRIX()
    if not raw.FPDFPageObj_GetMatrix(obj, m):
        return IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _box(points, height):
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return {"x0": min(xs), "x1": max(xs), "top": height - max(ys), "bottom": height - min(ys)}


def _path_shapes(obj, to_page, height) -> list[dict]:
    """pdfminer's rects and lines of one path object: per subpath, 'ml' (a segment) or
    'mlll'/'mllll' closed into an axis-aligned rectangle."""
    import pypdfium2.raw as raw

    matrix = multiply(_matrix(obj), to_page)
    subpaths, current = [], []
    for i in range(raw.FPDFPath_CountSegments(obj)):
        segment = raw.FPDFPath_GetPathSegment(obj, i)
        x, y = ctypes.c_float(), ctypes.c_float()
        raw.FPDFPathSegment_GetPoint(segment, x, y)
        kind = raw.FPDFPathSegment_GetType(segment)
        if kind == raw.FPDF_SEGMENT_MOVETO:
            if current:
                subpaths.append(current)
            current = []
        current.append(("m" if kind == raw.FPDF_SEGMENT_MOVETO else "l" if kind == raw.FPDF_SEGMENT_LINETO else "c",
                        _apply(matrix, x.value, y.value), bool(raw.FPDFPathSegment_GetClose(segment))))
    if current:
        subpaths.append(current)
    out = []
    for sub in subpaths:
        shape = "".join(k for k, _, _ in sub)
        points = [p for _, p, _ in sub]
        if shape == "ml":
            out.append(_box(points, height))
        elif shape in ("mlll", "mllll"):
            corners = points[:4]
            xs, ys = {round(p[0], 3) for p in corners}, {round(p[1], 3) for p in corners}
            closed = shape == "mlll" or (abs(points[4][0] - points[0][0]) < 1e-3 and abs(points[4][1] - points[0][1]) < 1e-3)
            if len(xs) <= 2 and len(ys) <= 2 and closed:
                out.append(_box(points, height))
    return out


def _objects(container, to_page, height, images, rects, form=False):
    import pypdfium2.raw as raw

    count = raw.FPDFFormObj_CountObjects(container) if form else raw.FPDFPage_CountObjects(container)
    for i in range(count):
        obj = raw.FPDFFormObj_GetObject(container, i) if form else raw.FPDFPage_GetObject(container, i)
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_FORM:
            _objects(obj, multiply(_matrix(obj), to_page), height, images, rects, form=True)
        elif kind == raw.FPDF_PAGEOBJ_IMAGE:
            m = multiply(_matrix(obj), to_page)  # an image fills the unit square of its matrix
            images.append(_box([_apply(m, x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))], height))
        elif kind == raw.FPDF_PAGEOBJ_PATH:
            rects += _path_shapes(obj, to_page, height)


def read(path):
    """Each page as a RawPage (None for every page of a right-to-left PDF)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    document = pdfium.PdfDocument(str(path))
    try:
        if _right_to_left(document):
            for _ in range(len(document)):
                yield None
            return
        name = ctypes.create_string_buffer(256)
        flags = ctypes.c_int()
        for index in range(len(document)):
            page = document[index]
            mx0, my0, mx1, my1 = page.get_mediabox()
            height = my1 - my0
            trim = page.get_trimbox()
            textpage = page.get_textpage()
            chars = []
            for i in range(textpage.count_chars()):
                if raw.FPDFText_IsGenerated(textpage, i):
                    continue
                code = raw.FPDFText_GetUnicode(textpage, i)
                if not code or 0xD800 <= code <= 0xDFFF:
                    continue
                box = raw.FS_RECTF()
                raw.FPDFText_GetLooseCharBox(textpage, i, box)
                ox, oy = ctypes.c_double(), ctypes.c_double()
                raw.FPDFText_GetCharOrigin(textpage, i, ox, oy)
                m = raw.FS_MATRIX()
                raw.FPDFText_GetMatrix(textpage, i, m)
                size = raw.FPDFText_GetFontSize(textpage, i) * math.hypot(m.c, m.d)
                raw.FPDFText_GetFontInfo(textpage, i, name, len(name), flags)
                bottom = height - box.bottom
                chars.append({
                    "text": chr(code), "x0": box.left, "x1": box.right, "bottom": bottom, "top": bottom - size,
                    "size": size, "fontname": name.value.decode("utf-8", "replace"),
                    "matrix": (m.a, m.b, m.c, m.d, ox.value - mx0, oy.value - my0),
                    "upright": m.a * m.d > 0 and m.b * m.c <= 0, "adv": box.right - box.left,
                })
            images, rects = [], []
            _objects(page, IDENTITY, height, images, rects)
            textpage.close()
            page.close()
            yield RawPage(index + 1, _plumber_box((mx0, my0, mx1, my1), height), _plumber_box(trim, height), height,
                          chars, images, rects)
    finally:
        document.close()


def _plumber_box(box, height: float) -> tuple[float, float, float, float]:
    """A PDF box (x0, y0, x1, y1) as pdfplumber gives boxes: (x0, height - y1, x1, height - y0)."""
    x0, y0, x1, y1 = box
    return (x0, height - y1, x1, height - y0)
