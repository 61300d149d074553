"""A source using every part of the format (photos, figures, pull quotes, inline markup)
builds to both formats."""

from __future__ import annotations

import zipfile

import pikepdf
from PIL import Image

from .conftest import run_publish

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


def test_every_part_builds_to_pdf_and_epub(content_dir, tmp_path):
    source = make_source(content_dir)
    out = tmp_path / "out"
    result = run_publish("build", str(source), "--out", str(out))
    assert result.returncode == 0, result.stderr
    with pikepdf.open(out / "all-parts.pdf") as pdf:
        images = [name for page in pdf.pages for name in page.get_images()]
        assert len(images) >= 2, "the photo and the figure are placed"
    with zipfile.ZipFile(out / "all-parts.epub") as z:
        names = z.namelist()
        assert "EPUB/images/sato.jpg" in names and "EPUB/images/figure.png" in names
        text = "".join(z.read(n).decode() for n in names if n.endswith(".xhtml"))
    assert "<rt>かいとう</rt>" in text and "<rp>" in text
    assert 'class="bouten"' in text and "図の説明です。" in text and "心に残る一言です。" in text
