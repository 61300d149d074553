"""The print, screen and office-booklet editions of the sample, through the CLI."""

from __future__ import annotations

import pikepdf
import pypdfium2 as pdfium
import pytest

from publish.app.build import layout_for, load
from publish.writers.pdf import print_settings

from .conftest import SAMPLE, publish_process, run_publish

MM = 72 / 25.4


@pytest.fixture(scope="module")
def editions(shared_build):
    return {"screen": shared_build(SAMPLE, "screen-pdf")["path"], "booklet": shared_build(SAMPLE, "booklet")["path"]}


def test_print_pdf_has_trim_marks_in_registration_colour(sample_build):
    with pikepdf.open(sample_build["pdf"]) as pdf:
        for page in pdf.pages:
            streams = page.Contents if isinstance(page.Contents, pikepdf.Array) else [page.Contents]
            assert b"1 1 1 1 K" in b"".join(stream.read_bytes() for stream in streams)


def test_print_pdf_boxes_follow_the_layout(sample_build):
    settings = print_settings(layout_for(load(SAMPLE)))
    width, height = settings.trim_width_mm * MM, settings.trim_height_mm * MM
    bleed = settings.bleed_mm * MM
    with pikepdf.open(sample_build["pdf"]) as pdf:
        assert len(pdf.pages) % 4 == 0, "saddle stitch needs a multiple of 4 pages"
        assert "/OutputIntents" in pdf.Root
        for page in pdf.pages:
            trim = [float(v) for v in page.TrimBox]
            bleed_box = [float(v) for v in page.BleedBox]
            media = [float(v) for v in page.MediaBox]
            assert trim[2] - trim[0] == pytest.approx(width, abs=0.01)
            assert trim[3] - trim[1] == pytest.approx(height, abs=0.01)
            assert bleed_box == pytest.approx([trim[0] - bleed, trim[1] - bleed, trim[2] + bleed, trim[3] + bleed], abs=0.01)
            assert media[0] < bleed_box[0] and media[2] > bleed_box[2]


def test_padding_is_reported_on_stderr(sample_build):
    with pikepdf.open(sample_build["pdf"]) as pdf:
        pages = len(pdf.pages)
    assert "blank page" in sample_build["stderr"] or pages % 4 == 0


@pytest.mark.parametrize("edition", ["print", "screen", "booklet"])
def test_publish_check_passes_every_built_edition(sample_build, editions, edition):
    path = sample_build["pdf"] if edition == "print" else editions[edition]
    result = run_publish("check", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS" in result.stdout


def test_screen_edition_is_tagged_rgb_with_outline_and_metadata(editions):
    doc = load(SAMPLE)
    with pikepdf.open(editions["screen"]) as pdf:
        assert "/OutputIntents" not in pdf.Root
        assert "/StructTreeRoot" in pdf.Root and str(pdf.Root.Lang) == "ja"
        assert doc.title.plain in str(pdf.docinfo.Title)
        assert all(p.name in str(pdf.docinfo.Author) for p in doc.people)
        page = pdf.pages[0]
        assert [float(v) for v in page.MediaBox][2] == pytest.approx(210 * MM, abs=0.5)
        with pdf.open_outline() as outline:
            titles = []
            stack = list(outline.root)
            while stack:
                item = stack.pop(0)
                titles.append(item.title)
                stack.extend(item.children)
    for section in doc.sections:
        assert section.heading.plain in titles


def test_booklet_halves_are_in_saddle_stitch_order(editions, sample_build):
    """Sheet 1 front: last | 1. Read the text of each half-sheet."""
    pdf = pdfium.PdfDocument(str(editions["booklet"]))
    try:
        first = pdf[0]
        width, height = first.get_size()
        assert width > height, "the sheets are landscape"
        text = first.get_textpage()
        left = "".join(text.get_text_bounded(0, 0, width / 2, height).split())
        right = "".join(text.get_text_bounded(width / 2, 0, width, height).split())
    finally:
        pdf.close()
    assert "発行" in left, "the back cover is on the left of sheet 1's front"
    assert "インタビュー記事" in right and "西田" in right, "the cover is on the right"


def test_publish_check_follows_the_layout_a_pdf_was_built_in(shared_build):
    pdf = shared_build(SAMPLE, "pdf", "--layout", "brochure-b5")["path"]
    wrong = run_publish("check", str(pdf), "--layout", "brochure")
    assert wrong.returncode == 1 and "FAIL" in wrong.stdout, "an A4 expectation must fail on a JIS B5 file"
    right = run_publish("check", str(pdf))  # the PDF's own record (XMP) says brochure-b5
    assert right.returncode == 0 and "PASS" in right.stdout, right.stdout
    assert "built with layout brochure-b5" in right.stderr
    right = run_publish("check", str(pdf), "--layout", "brochure-b5")
    assert right.returncode == 0 and "PASS" in right.stdout, right.stdout


def test_a_layout_asks_for_pdfx1a_a_5mm_bleed_and_no_marks(tmp_path, content_dir):
    """A copy of the built-in layouts (no fonts/ beside it: the bundled fonts are still used)
    with a print shop's layout; test_all_parts' source (photos, a figure, every part) is enough
    for the boxes, the version and the marks."""
    import os
    import shutil

    from publish.layout import layouts_dir

    from .test_all_parts import make_source

    source = make_source(content_dir)
    layouts = tmp_path / "layouts"
    shutil.copytree(layouts_dir(), layouts)
    (layouts / "shop").mkdir()
    (layouts / "shop" / "layout.yaml").write_text(
        "extends: brochure\npage:\n  pdf_variant: pdf/x-1a\n  bleed: 5mm\n  marks: false\n", encoding="utf-8")
    out = tmp_path / "out"
    env = dict(os.environ, PUBLISH_LAYOUTS=str(layouts))
    run = lambda *args: publish_process(list(args), env=env)
    built = run("build", str(source), "--layout", "shop", "--format", "pdf", "--out", str(out))
    assert built.returncode == 0, built.stderr
    pdf_path = out / "all-parts.pdf"
    with pikepdf.open(pdf_path) as pdf:
        assert str(pdf.docinfo.get("/GTS_PDFXVersion")) == "PDF/X-1:2001"
        assert pdf.pdf_version in ("1.3", "1.4")
        fonts = {str(font.BaseFont).split("+")[-1] for page in pdf.pages for font in page.Resources.Font.values()}
        assert fonts and all(name.startswith("Noto-") for name in fonts), fonts
        for page in pdf.pages:
            trim = [float(v) for v in page.TrimBox]
            bleed = [float(v) for v in page.BleedBox]
            assert bleed[0] == pytest.approx(trim[0] - 5 * MM, abs=0.01)
            assert bleed[3] == pytest.approx(trim[3] + 5 * MM, abs=0.01)
            streams = page.Contents if isinstance(page.Contents, pikepdf.Array) else [page.Contents]
            content = b"".join(stream.read_bytes() for stream in streams)
            assert b"1 1 1 1 K" not in content, "marks: false draws no trim marks (registration strokes)"
    checked = run("check", str(pdf_path), "--layout", "shop")
    assert checked.returncode == 0 and "PDF/X-1" in checked.stdout, checked.stdout
