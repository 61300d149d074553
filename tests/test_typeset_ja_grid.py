"""JLReq rule 8, the line grid (issue 3): body lines keep one pitch within a column, also
across profiles, figures, pull quotes and headings (行取り), and the columns of a page
share their baselines. Measured on PDFs built by the real pipeline (publish.render + the
brochure layout + WeasyPrint inside typeset_ja.weasyprint.installed()), plus box-level
checks of the mechanism (``--jl-grid-snap`` in typeset_ja/weasyprint/grid.py)."""

from __future__ import annotations

import collections
import io
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image

from publish.typeset_ja import weasyprint as jlreq
from publish.typeset_ja.weasyprint import grid

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "content" / "tokyo-ict-exchange.yaml"
TOLERANCE = 0.1  # pt

FILLER = (
    "東京都のデジタル人材は、民間企業での実務を通して{新|あら}たな視点を得ています。"
    "現場で学んだことを行政に持ち帰り、DXを進める力にしたいと考えています。"
)

FIXTURE = f"""\
title: 行取りの試験記事
kind: インタビュー記事
publisher: 編集部
layout: brochure
lead: |
  図版と引用を含む記事で、本文が行送りの格子に乗るかを確かめます。
people:
  - id: sato
    name: 佐藤
    reading: さとう
    affiliation: 東京都
    title: ICT職
    department: デジタルサービス局
    bio: |
      {FILLER}{FILLER}
  - id: suzuki
    name: 鈴木
    affiliation: 東京都
    bio: 鈴木の経歴です。
interviewer: 編集部
sections:
  - heading: 図版と引用の前後でも本文は格子に乗る
    turns:
      - q: 最初の質問です。{FILLER}
      - sato: |
          {FILLER}{FILLER}

          {FILLER}
      - image: images/figure.png
        caption: 図1　縦横比が行送りの整数倍にならない図版です。説明は二行にわたります。
      - sato: |
          {FILLER}{FILLER}{FILLER}
      - quote: 心に残る一言を、大きな文字で引用します。二行になる長さの引用です。
        by: sato
      - suzuki: |
          {FILLER}{FILLER}

          {FILLER}{FILLER}
      - q: 二つ目の質問です。
      - image: images/wide.png
        caption: 図2　横長の図版。
      - suzuki: |
          {FILLER}{FILLER}{FILLER}
  - heading: 二つ目の見出しのあとも二段の行がそろう。見出しが二行になる長さの見出しです
    turns:
      - q: 三つ目の質問です。{FILLER}
      - sato: |
          {FILLER}{FILLER}

          {FILLER}{FILLER}{FILLER}
      - quote: 短い引用。
      - suzuki: |
          {FILLER}{FILLER}{FILLER}{FILLER}
note: ※ 注記です。行取りの試験のための架空の記事です。
"""


def _build(source: Path) -> tuple[bytes, object]:
    from publish.app.build import layout_for, load
    from publish.writers.pdf import render_html
    from publish.render import render_print_html

    doc = load(source)
    layout = layout_for(doc)
    html = render_print_html(doc, layout)
    with jlreq.installed():
        return render_html(html, layout, [doc.source]).write_pdf(), layout.type_area


@pytest.fixture(scope="module")
def sample():
    return _build(SAMPLE)


@pytest.fixture(scope="module")
def fixture_pdf(tmp_path_factory):
    folder = tmp_path_factory.mktemp("grid") / "content"
    (folder / "images").mkdir(parents=True)
    # heights that are no whole number of lines at the column's width
    Image.new("RGB", (1200, 917), (40, 120, 200)).save(folder / "images" / "figure.png", dpi=(300, 300))
    Image.new("RGB", (1600, 523), (200, 120, 40)).save(folder / "images" / "wide.png", dpi=(300, 300))
    path = folder / "grid-test.yaml"
    path.write_text(FIXTURE, encoding="utf-8")
    return _build(path)


def body_lines(data: bytes, body_size: float):
    """Baselines (pt from the page top) of body-size text (serif answers and sans
    questions) on the interview pages, per (page, column): {(page, col): [y, ...]}, and
    the page objects' extents for overlap checks."""
    columns = collections.defaultdict(set)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        last = len(pdf.pages) - 1
        for pno, page in enumerate(pdf.pages):
            if pno in (0, last):
                continue  # covers (表1, 表4)
            for c in page.chars:
                if abs(c["size"] - body_size) > 0.01 or not c["text"].strip():
                    continue
                col = 0 if c["x0"] < page.width / 2 else 1
                columns[(pno, col)].add(round(page.height - c["matrix"][5], 3))
    return {key: sorted(ys) for key, ys in columns.items()}


def _off(distance: float, pitch: float) -> float:
    """How far ``distance`` is from a whole multiple of ``pitch``."""
    return abs(distance - round(distance / pitch) * pitch)


def off_grid(columns, pitch):
    """(a) steps within a column that are no whole number of pitches; (b) lines whose
    distance to the page's first body line is no whole number of pitches."""
    steps, pages = [], []
    by_page = collections.defaultdict(list)
    for (page, col), ys in sorted(columns.items()):
        by_page[page].extend(ys)
        for a, b in zip(ys, ys[1:]):
            if _off(b - a, pitch) > TOLERANCE:
                steps.append(f"p{page} c{col}: {b - a:.2f}pt step to the line at {b:.2f}")
    for page, ys in by_page.items():
        ref = min(ys)
        pages += [f"p{page}: {y:.2f} is {_off(y - ref, pitch):.2f}pt off the page's grid"
                  for y in ys if _off(y - ref, pitch) > TOLERANCE]
    return steps, pages


def _check_grid(data, area):
    pitch = area.line_pitch
    columns = body_lines(data, area.body_size)
    steps, pages = off_grid(columns, pitch)
    assert not steps, "\n".join(steps)
    assert not pages, "\n".join(pages)
    # not vacuous: both columns of some page hold text, and some column steps over a block
    assert any((p, 1) in columns and len(columns[(p, 0)]) > 3 for p, _ in columns)
    assert any(b - a > 2.5 * pitch for ys in columns.values() for a, b in zip(ys, ys[1:]))
    return columns


def test_sample_body_lines_keep_the_pitch_across_blocks_and_columns(sample):
    data, area = sample
    _check_grid(data, area)


def test_sample_pages_share_one_grid(sample):
    """Every interior page puts its body lines on the same grid (版面): headings and the
    opening take whole lines too, so a column below a heading starts on the page grid."""
    data, area = sample
    columns = body_lines(data, area.body_size)
    pitch = area.line_pitch
    ref = min(columns[min(columns)])
    off = sorted({(page, round(y, 2)) for (page, _), ys in columns.items() for y in ys
                  if _off(y - ref, pitch) > TOLERANCE})
    assert not off, off[:10]


def test_figures_and_pull_quotes_keep_the_grid(fixture_pdf):
    data, area = fixture_pdf
    _check_grid(data, area)


def test_blocks_do_not_overlap_the_body(fixture_pdf):
    """Body glyphs stay clear of the figures and of the profile / quote boxes and rules,
    and the figure comes with its caption (the added space is below the block)."""
    data, area = fixture_pdf
    size = area.body_size
    bad = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert sum(len(p.images) for p in pdf.pages) >= 2
        for pno, page in enumerate(pdf.pages[1:-1], start=1):
            body = [c for c in page.chars if abs(c["size"] - size) < 0.01 and c["text"].strip()]
            boxes = [(o["x0"], o["top"], o["x1"], o["bottom"]) for o in page.images]
            boxes += [(o["x0"], o["top"], o["x1"], o["bottom"]) for o in page.rects + page.lines
                      if o["x1"] - o["x0"] > 50]  # profile panels, quote rules, not text decoration
            for c in body:
                for x0, top, x1, bottom in boxes:
                    if c["x0"] < x1 - 0.5 and c["x1"] > x0 + 0.5 and c["top"] < bottom - 0.5 and c["bottom"] > top + 0.5:
                        bad.append(f"p{pno}: {c['text']} at {c['top']:.1f} overlaps a block {top:.1f}–{bottom:.1f}")
            for image in page.images:
                below = [c for c in page.chars if c["top"] >= image["bottom"] - 0.5
                         and image["x0"] - 1 <= c["x0"] <= image["x1"]]
                first = min(below, key=lambda c: c["top"], default=None)
                if first is not None and first["size"] == size:
                    bad.append(f"p{pno}: body text right below a figure, not its caption")
    assert not bad, "\n".join(bad[:20])


# --- the mechanism ------------------------------------------------------------------------

GRID_HTML = """<html><head><style>
@font-face {{ font-family: "Noto Serif JP"; src: url(fonts/NotoSerifJP-Regular.ttf); }}
@page {{ size: 200pt 400pt; margin: 20pt; }}
html {{ font-size: 9pt; line-height: 16pt; font-family: "Noto Serif JP"; }}
body {{ margin: 0; }}
p, div {{ margin: 0; }}
.cols {{ columns: 2; column-gap: 10pt; column-fill: auto; height: 300pt; }}
.block {{ height: 23pt; padding: 2pt; border-top: 1pt solid; margin-bottom: 5pt; {extra} }}
</style></head><body>
<div class="head" style="height: 11pt; {head}">head</div>
<div class="cols"><p>一行目</p><div class="block"><p class="inner">block</p></div><p id="after">後の行</p></div>
</body></html>"""


def _boxes(html):
    import weasyprint

    # the bundled font: a system fallback font with other metrics would make lines taller
    document = weasyprint.HTML(string=html, base_url=str(ROOT) + "/").render()
    found = {}
    for box in jlreq.walk_boxes(document.pages[0]):
        element = getattr(box, "element", None)
        if element is not None and box.element_tag in ("div", "p"):
            key = element.get("id") or element.get("class")
            found.setdefault(key, box)
    return found


@pytest.fixture
def ext():
    with jlreq.installed():
        yield grid


def test_grid_snap_is_off_unless_a_block_declares_it(ext):
    boxes = _boxes(GRID_HTML.format(extra="", head=""))
    px = 4 / 3  # px per pt
    block = boxes["block"]
    assert abs(block.margin_bottom - 5 * px) < 0.01
    # 16pt line + (1+2+23+2+5)pt block = 49pt from the columns' top: off their 16pt grid
    after = (boxes["after"].position_y - boxes["cols"].content_box_y()) / px
    assert after == pytest.approx(49, abs=0.01)
    assert _off(after, 16) > 0.5


def test_grid_snap_rounds_the_block_down_to_the_next_line_of_its_column(ext):
    px = 4 / 3
    plain = _boxes(GRID_HTML.format(extra="", head=""))
    boxes = _boxes(GRID_HTML.format(extra="--jl-grid-snap: 16pt;", head=""))
    block, after, cols = boxes["block"], boxes["after"], boxes["cols"]
    # the block itself does not move nor grow; the space goes into its bottom margin
    assert abs(block.position_y - plain["block"].position_y) < 0.01
    assert abs(block.border_height() - plain["block"].border_height()) < 0.01
    # counted from the column's top (not the page's: the 11pt head puts the columns off it)
    # 16pt line + 33pt block = 49pt -> 64pt, the fourth line
    assert abs((after.position_y - cols.content_box_y()) / px - 4 * 16) < 0.01
    # the snap applies to the block that declares it, not to its descendants
    assert ext.grid_pitch(block) == pytest.approx(16 * px)
    assert ext.grid_pitch(boxes["inner"]) is None


def test_grid_snap_outside_columns_counts_from_the_page_and_can_centre(ext):
    px = 4 / 3
    boxes = _boxes(GRID_HTML.format(extra="", head="--jl-grid-snap: 16pt; --jl-grid-snap-align: center;"))
    head, cols = boxes["head"], boxes["cols"]
    page_top = 20 * px
    assert abs((cols.position_y - page_top) / px - 16) < 0.01  # 11pt head takes one line
    assert abs((head.position_y - page_top) / px - 2.5) < 0.01  # centred in it


def test_grid_snap_in_em(ext):
    px = 4 / 3
    boxes = _boxes(GRID_HTML.format(extra="--jl-grid-snap: 2em;", head=""))  # 18pt
    after, cols = boxes["after"], boxes["cols"]
    assert (after.position_y - cols.content_box_y()) / px == pytest.approx(3 * 18, abs=0.01)


def test_grid_snap_by_class_takes_the_line_pitch_token(ext):
    css = (ROOT / "layouts" / "brochure" / "typeset_ja.css").as_uri()
    html = GRID_HTML.format(extra="", head="").replace(
        "<style>", f'<link rel="stylesheet" href="{css}"><style>:root {{ --line-pitch: 20pt; }}'
    ).replace('<div class="block">', '<div class="block jl-grid-snap">')
    boxes = _boxes(html)
    after, cols = boxes["after"], boxes["cols"]
    # 16pt line + 33pt block -> 60pt, the third line of a 20pt grid
    assert (after.position_y - cols.content_box_y()) / px_per_pt() == pytest.approx(60, abs=0.01)


def px_per_pt():
    return 4 / 3


def test_installed_patches_the_grid_and_exit_restores_weasyprint():
    from weasyprint.layout import block, page

    assert not jlreq.is_installed()
    original = block.block_level_layout, page.block_level_layout, block.block_box_layout
    with jlreq.installed():
        patched = block.block_level_layout, page.block_level_layout, block.block_box_layout
        with jlreq.installed():
            assert (block.block_level_layout, page.block_level_layout, block.block_box_layout) == patched
        assert (block.block_level_layout, page.block_level_layout, block.block_box_layout) == patched
        assert patched != original
    assert (block.block_level_layout, page.block_level_layout, block.block_box_layout) == original