"""A source using every part of the format (photos, figures, pull quotes, inline markup)
builds to both formats."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pikepdf
from PIL import Image

from publish import preflight

from .conftest import run_publish, shared

SOURCE = """\
title: 全部入りの{試験|しけん}記事
subtitle: 《《傍点》》と**強調**
title_reading: ゼンブイリノシケンキジ
kind: 座談会
publisher: 編集部
published: 2025-01-20
updated: 2025-02-01
tags: [試験]
url: https://example.jp/a
lead: |
  一段落目のリードです。

  二段落目のリードです。
people:
  - id: sato
    name: 佐藤
    reading: さとう
    affiliation: 株式会社例
    title: 技師
    department: 開発部
    bio: 佐藤の経歴です。
    photo: images/sato.jpg
  - id: suzuki
    name: 鈴木
interviewer: 編集部
sections:
  - turns:
      - q: 最初の質問です。
      - sato: 佐藤の{回答|かいとう}です。^12^月に《《始めました》》。
      - image: images/figure.png
        caption: 図の説明です。
      - quote: 心に残る一言です。
        by: suzuki
  - heading: 二つ目の見出し
    turns:
      - suzuki: 鈴木の回答です。
note: ※ 注記です。
"""


def make_source(content_dir):
    Image.new("RGB", (600, 600), (200, 120, 40)).save(content_dir / "images" / "sato.jpg", dpi=(300, 300))
    Image.new("RGB", (1200, 800), (40, 120, 200)).save(content_dir / "images" / "figure.png", dpi=(300, 300))
    path = content_dir / "all-parts.yaml"
    path.write_text(SOURCE, encoding="utf-8")
    return path


def built() -> Path:
    """The source's print PDF, EPUB and screen PDF, from one `publish build` per test run."""

    def make(folder: Path) -> dict:
        (folder / "content" / "images").mkdir(parents=True)
        source = make_source(folder / "content")
        result = run_publish("build", str(source), "--out", str(folder / "out"), "--format", "pdf,epub,screen-pdf")
        assert result.returncode == 0, result.stderr
        return {"out": folder / "out"}

    return shared("all-parts-build", make)["out"]


def test_every_part_builds_to_pdf_and_epub():
    out = built()
    with pikepdf.open(out / "all-parts.pdf") as pdf:
        images = [name for page in pdf.pages for name in page.get_images()]
        assert len(images) >= 2, "the photo and the figure are placed"
    # the title's reading (ruby, half its size) and the rest of the small text: two inks at most
    report = preflight.check_pdf(out / "all-parts.pdf", only=["small-text-inks"])
    assert all(f.severity == preflight.Severity.INFO for f in report.by_check("small-text-inks")), \
        report.format(verbose=True)
    with zipfile.ZipFile(out / "all-parts.epub") as z:
        names = z.namelist()
        assert "EPUB/images/sato.jpg" in names and "EPUB/images/figure.png" in names
        text = "".join(z.read(n).decode() for n in names if n.endswith(".xhtml"))
    # pull quotes, like headlines, carry <wbr/> at their phrase boundaries
    assert "心に残る<wbr/>一言です。" in text
    text = text.replace("<wbr/>", "")
    assert "<rt>かいとう</rt>" in text and "<rp>" in text
    assert 'class="bouten"' in text and "図の説明です。" in text and "心に残る一言です。" in text


def test_back_cover_qr_code_encodes_the_url():
    """Read the QR code's modules back from the rendered back cover and compare them
    with the code for the source's url."""
    import pypdfium2 as pdfium
    import segno

    out = built()
    pdf = pdfium.PdfDocument(str(out / "all-parts-screen.pdf"))
    try:
        page = pdf[len(pdf) - 1]
        width, height = page.get_size()
        text = page.get_textpage()
        all_text = text.get_text_range()
        start = all_text.find("https://example.jp/a")
        assert start >= 0, "the URL is printed under the code"
        url_box = text.get_charbox(start)
        url_right = text.get_charbox(start + len("https://example.jp/a") - 1)[2]
        centre = (url_box[0] + url_right) / 2
        scale = 8
        image = page.render(scale=scale).to_pil().convert("L")
    finally:
        pdf.close()
    # the code stands right of the text, above the URL line
    url_top = (height - url_box[3]) * scale
    region = image.crop((int((centre - 45) * scale), int(url_top - 85 * scale), int((centre + 45) * scale), int(url_top)))
    dark = region.point(lambda v: 255 if v < 128 else 0)
    bbox = dark.getbbox()
    assert bbox, "no QR code found"
    code = region.crop(bbox)
    matrix = segno.make("https://example.jp/a", error="m").matrix
    n = len(matrix)
    module = code.width / n
    assert abs(code.height / n - module) < 1
    for row in range(n):
        for col in range(n):
            pixel = code.getpixel((int((col + 0.5) * module), int((row + 0.5) * module)))
            assert (pixel < 128) == bool(matrix[row][col]), (row, col)
