"""The make-up audit reads pages with pdfium (publish.preflight.pdfium_pages) in pdfplumber's
terms: the same glyphs, boxes and rules as pdfplumber, so the same findings, in a fraction
of the time; a right-to-left PDF (pdfium reorders its text) is read with pdfplumber."""

from __future__ import annotations

import pdfplumber
import pytest

from publish.preflight import makeup, pdfium_pages

from .conftest import COLLECTION, SAMPLE


def _by_pdfplumber(monkeypatch):
    def pages(path):
        with pdfplumber.open(path) as pdf:
            return iter([None] * len(pdf.pages))

    monkeypatch.setattr(pdfium_pages, "read", pages)


def _boxes(objects) -> list[float]:
    """Every box's x0, top, x1, bottom, the boxes in order (one flat list: pytest.approx)."""
    boxes = sorted(((o["x0"], o["top"], o["x1"], o["bottom"]) for o in objects),
                   key=lambda b: tuple(round(v) for v in b))
    return [v for box in boxes for v in box]


def _summary(result):
    return (sorted((f.kind, f.page, f.message) for f in result.findings),
            sorted((f.kind, f.page, f.message) for f in result.keeps),
            round(result.wakan_median, 4), len(result.body_wakan), result.pages)


@pytest.mark.parametrize("source, fmt", [(SAMPLE, "pdf"), (SAMPLE, "screen-pdf"), (COLLECTION, "pdf")])
def test_pdfium_reads_what_pdfplumber_reads(shared_build, monkeypatch, source, fmt):
    path = shared_build(source, fmt)["path"]
    with pdfplumber.open(path) as pdf:
        for raw, page in zip(pdfium_pages.read(path), pdf.pages):
            ref = pdfium_pages.from_pdfplumber(page)
            assert raw.trimbox == pytest.approx(ref.trimbox, abs=0.01)
            # the same glyphs (pdfium orders a few runs, e.g. leader dots drawn right to left,
            # by position rather than as drawn; the audit sorts glyphs into lines itself)
            ours, theirs = (sorted((c for c in chars if not c["text"].isspace()),
                                   key=lambda c: (round(c["top"]), round(c["x0"]), c["text"]))
                            for chars in (raw.chars, ref.chars))
            assert [c["text"] for c in ours] == [c["text"] for c in theirs]
            for a, b in zip(ours, theirs):
                assert (a["fontname"], a["upright"]) == (b["fontname"], b["upright"])
                for key in ("x0", "top", "bottom", "size"):
                    assert a[key] == pytest.approx(b[key], abs=0.05), (a["text"], key)
                assert a["matrix"] == pytest.approx(b["matrix"], abs=0.05)
            assert _boxes(raw.rects) == pytest.approx(_boxes(list(ref.rects) + list(ref.lines)), abs=0.1)
            assert _boxes(raw.images) == pytest.approx(_boxes(ref.images), abs=0.1)
    fast = _summary(makeup.audit(path))
    _by_pdfplumber(monkeypatch)
    assert fast == _summary(makeup.audit(path))


def test_a_right_to_left_pdf_is_read_with_pdfplumber(shared_build):
    path = shared_build(SAMPLE, "pdf", "--layout", "tategaki")["path"]
    assert set(pdfium_pages.read(path)) == {None}
    assert sum(page.vertical for page in makeup._read(path)) >= 8  # read column by column
