"""The sample brochure as a reader gets it: text, pages, running heads, fonts."""

from __future__ import annotations

import re

import pikepdf
import pypdfium2 as pdfium
import pytest

from publish.readers import load_interview

from .conftest import SAMPLE



def bundled_font_names() -> set[str]:
    """PostScript and full names of the fonts in fonts/ (WeasyPrint names a font either way)."""
    from fontTools.ttLib import TTFont

    from publish.layout import fonts_dir

    names = set()
    for path in fonts_dir().glob("*.ttf"):
        table = TTFont(path, lazy=True)["name"]
        names.add(table.getDebugName(6))
        names.update(table.getDebugName(i).replace(" ", "-") for i in (1, 4))
    return names


def page_texts(pdf_path) -> list[str]:
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return [page.get_textpage().get_text_range() for page in pdf]
    finally:
        pdf.close()


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def texts(sample_build):
    return page_texts(sample_build["pdf"])


def body_text(pdf_path) -> str:
    """The text inside the type area of every page, in reading order (running heads and
    folios left out)."""
    from publish.layout import load_layout

    area = load_layout("brochure").type_area
    pdf = pdfium.PdfDocument(str(pdf_path))
    out = []
    try:
        for page in pdf:
            left, bottom, right, top = page.get_trimbox()
            out.append(page.get_textpage().get_text_bounded(
                left, bottom + area.margin_bottom - 2, right, top - area.margin_top + 2))
    finally:
        pdf.close()
    return squash("".join(out))


def test_every_paragraph_of_the_model_is_in_the_pdf_text(sample_build):
    doc = load_interview(SAMPLE)
    body = body_text(sample_build["pdf"])
    paragraphs = [p for s in doc.sections for t in s.turns for p in t.paragraphs]
    paragraphs += list(doc.lead) + list(doc.note) + [p for person in doc.people for p in person.bio]
    position = 0
    # print sets the source's half-width ? ! ( ) : in Japanese text full-width
    from publish.typeset_ja import fullwidth_punctuation

    for paragraph in paragraphs[: len(paragraphs)]:
        assert squash(fullwidth_punctuation(paragraph.plain)) in body, paragraph.plain[:40]
    for section in doc.sections:
        found = body.find(squash(fullwidth_punctuation(section.heading.plain)), position)
        assert found >= 0, section.heading.plain
        position = found


def test_cover_shows_kind_title_subtitle_people_and_publisher(texts):
    doc = load_interview(SAMPLE)
    cover = squash(texts[0])
    for expected in (doc.kind, doc.title.plain, doc.subtitle.plain, doc.publisher, *[p.name for p in doc.people]):
        assert squash(expected) in cover, expected
    assert not re.search(r"(^|\D)1(\D|$)", cover), "the cover carries no folio"


def test_running_title_and_folio_on_every_page_but_the_covers(texts):
    doc = load_interview(SAMPLE)
    assert len(texts) >= 4
    blank = [n for n, text in enumerate(texts[1:-1], start=2) if not squash(text)]
    assert len(blank) <= 3, "padding for saddle stitch adds at most 3 blank pages"
    assert blank == list(range(len(texts) - len(blank), len(texts))), "blank pages stand before the back cover"
    for number, text in enumerate(texts[1:-1], start=2):
        flat = squash(text)
        if number in blank:
            continue
        assert squash(doc.title.plain) in flat, f"page {number} has no running title"
        assert re.search(rf"(^|\D){number}$", flat) or re.search(rf"(^|\D){number}(\D|$)", flat), f"page {number} has no folio"


def test_back_cover_carries_publisher_and_note(texts):
    back = squash(texts[-1])
    assert "東京都" in back and "記載内容は2024年2月時点のものです" in back


def test_every_font_is_a_bundled_embedded_font(sample_build):
    with pikepdf.open(sample_build["pdf"]) as pdf:
        seen = set()
        bundled = bundled_font_names()
        for page in pdf.pages:
            fonts = page.resources.get("/Font", {})
            for _, font in fonts.items():
                base = str(font.get("/BaseFont")).lstrip("/").split("+")[-1]
                seen.add(base)
                assert base in bundled, f"system font fallback: {base} (bundled: {sorted(bundled)})"
                assert font.get("/Subtype") != "/Type3"
                descendants = font.get("/DescendantFonts")
                descriptor = (descendants[0] if descendants else font).get("/FontDescriptor")
                assert descriptor is not None and any(
                    k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
                ), f"{base} is not embedded"
        assert any("Serif" in s for s in seen) and any("Sans" in s for s in seen), seen


def test_body_columns_are_a_whole_number_of_characters(sample_build):
    """版面: the two text columns are 25 characters of 9 pt wide, 18 pt apart."""
    import pdfplumber

    from publish.layout import load_layout

    area = load_layout("brochure").type_area
    with pdfplumber.open(sample_build["pdf"]) as pdf:
        page = pdf.pages[2]
        body = [c for c in page.chars if abs(c["size"] - area.body_size) < 0.01 and "Serif" in c["fontname"]]
        lefts = sorted({round(c["x0"], 1) for c in body})
        rights = [c["x1"] for c in body]
    assert min(lefts) == pytest.approx(area.margin_left, abs=0.6) or min(lefts) == pytest.approx(area.margin_right, abs=0.6)
    left_col = min(lefts)
    assert any(abs(x - (left_col + area.column_width + area.gutter)) < 0.6 for x in lefts), "no second column"
    assert max(rights) <= left_col + area.width + 0.6
