"""Office booklet: the brochure imposed two pages a side for duplex printing and folding.

An A5 brochure goes on A4 landscape sheets, A4 on A3, JIS B5 on JIS B4; other sizes on the
smallest of those that holds two pages, scaled down to fit when none does. Pages are
cropped to their TrimBox (no marks, no bleed) and placed as form XObjects, each against
the fold. Print the result duplex, flipping on the short edge, fold the stack once.
"""

from __future__ import annotations

import io

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from publish.press.pages import blank_pages_needed
from publish.press.settings import MM

#: landscape sheets (width, height) in mm, smallest first
SHEETS = {'A4': (297.0, 210.0), 'JIS-B4': (364.0, 257.0), 'A3': (420.0, 297.0)}


class ImpositionError(ValueError):
    pass


def booklet_order(page_count: int, *, right_to_left: bool = False) -> list[tuple[int, int]]:
    """Printer sides as (left, right) 1-based page numbers, in output order.

    ``page_count`` must be a multiple of 4. Sheet 1 front: last | 1, back: 2 | last-1, …
    For right-to-left (縦組み) booklets the halves swap.
    """
    if page_count % 4:
        raise ImpositionError(f'{page_count} pages: a saddle-stitched booklet needs a multiple of 4')
    sides = []
    for sheet in range(page_count // 4):
        front = (page_count - 2 * sheet, 2 * sheet + 1)
        back = (2 * sheet + 2, page_count - 2 * sheet - 1)
        if right_to_left:
            front, back = front[::-1], back[::-1]
        sides += [front, back]
    return sides


def choose_sheet(trim_w_mm: float, trim_h_mm: float) -> tuple[str, float, float]:
    for name, (w, h) in SHEETS.items():
        if 2 * trim_w_mm <= w + 0.6 and trim_h_mm <= h + 0.6:
            return name, w, h
    name = 'A3'
    return name, *SHEETS[name]


def _page_form(pdf: pikepdf.Pdf, page: pikepdf.Page) -> tuple[Stream, list[float]]:
    box = page.obj.get('/TrimBox') or page.obj.get('/CropBox') or page.mediabox
    box = [float(v) for v in box]
    contents = page.obj.get('/Contents')
    if contents is None:
        data = b''
    elif isinstance(contents, Array):
        data = b'\n'.join(s.read_bytes() for s in contents)
    else:
        data = contents.read_bytes()
    form = Stream(pdf, data)
    form.Type = Name.XObject
    form.Subtype = Name.Form
    form.BBox = Array(box)
    form.Resources = page.obj.get('/Resources') or Dictionary()
    if '/Group' in page.obj:
        form.Group = page.obj.Group
    return pdf.make_indirect(form), box


def impose_booklet(pdf_bytes: bytes, *, sheet: str | None = None,
                   right_to_left: bool = False) -> bytes:
    """Impose a brochure PDF (print PDF with boxes, or WeasyPrint's raw output) as an
    office booklet. Pads with blank pages before the back cover to a multiple of 4."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        originals = list(pdf.pages)
        if not originals:
            raise ImpositionError('the PDF has no pages')
        forms = [_page_form(pdf, page) for page in originals]
        trim_w = (forms[0][1][2] - forms[0][1][0]) / MM
        trim_h = (forms[0][1][3] - forms[0][1][1]) / MM
        if sheet is None:
            sheet_name, sheet_w, sheet_h = choose_sheet(trim_w, trim_h)
        else:
            if sheet not in SHEETS:
                raise ImpositionError(f'unknown sheet {sheet!r} (known: {", ".join(SHEETS)})')
            sheet_w, sheet_h = SHEETS[sheet]
        sheet_w_pt, sheet_h_pt = sheet_w * MM, sheet_h * MM
        half = sheet_w_pt / 2
        # page numbers (1-based) → form, with blanks before the back cover
        blanks = blank_pages_needed(len(forms), 'saddle')
        sequence = [forms[i] for i in range(len(forms) - 1)] + [None] * blanks + [forms[-1]]
        if len(forms) == 1:
            sequence = [forms[0]] + [None] * blanks
        for left, right in booklet_order(len(sequence), right_to_left=right_to_left):
            resources = Dictionary(XObject=Dictionary())
            ops = []
            for slot, number in (('L', left), ('R', right)):
                entry = sequence[number - 1]
                if entry is None:
                    continue
                form, box = entry
                w, h = box[2] - box[0], box[3] - box[1]
                scale = min(half / w, sheet_h_pt / h, 1.0) if (w <= half and h <= sheet_h_pt) \
                    else min(half / w, sheet_h_pt / h)
                # each page sits against the fold, centred vertically
                x = half - w * scale if slot == 'L' else half
                y = (sheet_h_pt - h * scale) / 2
                name = Name(f'/P{number}')
                resources.XObject[name] = form
                ops.append(f'q {scale:.6f} 0 0 {scale:.6f} {x - box[0] * scale:.4f} '
                           f'{y - box[1] * scale:.4f} cm {name} Do Q')
            sheet_box = Array([0, 0, sheet_w_pt, sheet_h_pt])
            page = Dictionary(Type=Name.Page, MediaBox=sheet_box, TrimBox=sheet_box,
                              Resources=resources,
                              Contents=pdf.make_stream(('\n'.join(ops) + '\n').encode()))
            pdf.pages.append(pikepdf.Page(page))
        for _ in originals:
            del pdf.pages[0]
        for key in ('/Outlines', '/StructTreeRoot', '/MarkInfo', '/PageLabels', '/Dests',
                    '/OpenAction', '/OutputIntents'):
            if key in pdf.Root:
                del pdf.Root[key]
        if '/Names' in pdf.Root and '/Dests' in pdf.Root.Names:
            del pdf.Root.Names['/Dests']
        out = io.BytesIO()
        pdf.remove_unreferenced_resources()
        pdf.save(out, compress_streams=True, deterministic_id=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return out.getvalue()
