"""Office booklet imposition: sheet size, page order read back from each half-sheet."""

from __future__ import annotations

import io
import re

import pdfplumber
import pikepdf
import pytest

from publish import press
from publish.press import MM, PrintSettings
from publish.press.imposition import booklet_order

try:  # tests/ is a package on main, a plain folder on this branch
    from .test_press_samples import brochure
except ImportError:
    from test_press_samples import brochure


def halves(data: bytes) -> list[tuple[str | None, str | None]]:
    """The PAGE n marker on the left and right half of every side."""
    out = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            pair = []
            for bbox in ((0, 0, page.width / 2, page.height), (page.width / 2, 0, page.width, page.height)):
                text = page.crop(bbox).extract_text() or ''
                found = re.findall(r'PAGE (\d+)', text)
                assert len(found) <= 1, text
                pair.append(int(found[0]) if found else None)
            out.append(tuple(pair))
    return out


def test_order_arithmetic():
    assert booklet_order(8) == [(8, 1), (2, 7), (6, 3), (4, 5)]
    assert booklet_order(4, right_to_left=True) == [(1, 4), (3, 2)]
    with pytest.raises(press.ImpositionError):
        booklet_order(6)


def test_a5_on_a4_landscape(tmp_path):
    raw = brochure(tmp_path, pages=8, size='A5', repeat=4)
    assert len(pikepdf.open(io.BytesIO(raw)).pages) == 8
    out = press.impose_booklet(raw)
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert len(pdf.pages) == 4
        media = [float(v) for v in pdf.pages[0].mediabox]
        assert media[2] == pytest.approx(297 * MM) and media[3] == pytest.approx(210 * MM)
    assert halves(out) == [(8, 1), (2, 7), (6, 3), (4, 5)]


def test_finished_a4_on_a3_crops_marks_and_pads(tmp_path):
    raw = brochure(tmp_path, pages=6, size='A4')
    printed = press.finish(raw, PrintSettings(pad_pages=False), slug_label='x.pdf')
    out = press.impose_booklet(printed)
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert len(pdf.pages) == 4
        media = [float(v) for v in pdf.pages[0].mediabox]
        assert media[2] == pytest.approx(420 * MM) and media[3] == pytest.approx(297 * MM)
        # no marks: the forms are clipped to the trim
        for page in pdf.pages:
            for form in page.Resources.XObject.values():
                w = float(form.BBox[2]) - float(form.BBox[0])
                assert w == pytest.approx(210 * MM, abs=0.01)
    # 6 pages + 2 blanks before the back cover (page 6 becomes booklet page 8)
    assert halves(out) == [(6, 1), (2, None), (None, 3), (4, 5)]
