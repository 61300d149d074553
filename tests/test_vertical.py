"""Vertical print (縦組み, layouts/tategaki) measured on built PDFs.

Two documents are built by the real pipeline (`pdf.build_pdf`, print stage included):
the sample interview, and the sample with one more section holding the typesetting stress
paragraphs (ruby, emphasis dots, Latin, 約物) and 縦中横. Everything is read back from the
PDF with pdfplumber (characters in content-stream order, their boxes and matrices) and
pypdfium2 (rendered ink), on the upright pages of the finished file.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import re
import statistics
import unicodedata
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from publish.model import Answer, Paragraph, Question, Section, Text
from publish.readers.markup import parse_inline
from publish.typeset_ja.classes import (
    CLOSING_BRACKETS,
    COMMAS,
    FULL_STOPS,
    INSEPARABLE,
    NOT_AT_LINE_END,
    NOT_AT_LINE_START,
    OPENING_BRACKETS,
    is_japanese,
    is_latin,
)

from .test_sample_source import seed_body, sentences

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "content" / "tokyo-ict-exchange.yaml"
STRESS = ROOT / "tests" / "fixtures" / "typeset" / "stress.txt"
TCY_PARAGRAPH = ("令和^5^年度の派遣は^12^月に始まり、ICTとDXの研修を2つ受け、2019年の入庁から数えて4年め。"
                 "西暦では^2024^年、NASAの資料も読んだ。")

SIZE = 9.0  # tategaki body size
HALF = SIZE / 2


def _build(doc) -> bytes:
    from publish.layout import load_layout
    from publish.writers.pdf import build_pdf

    return build_pdf(doc, load_layout("tategaki"), notes=[])


@pytest.fixture(scope="module")
def sample(shared_build):
    """The seed in tategaki: the run's `publish build SAMPLE --layout tategaki` (the visual
    test rasterises the same file)."""
    from publish.app.build import load

    return load(SAMPLE), shared_build(SAMPLE, "pdf", "--layout", "tategaki")["path"].read_bytes()


@pytest.fixture(scope="module")
def stress():
    from publish.app.build import load

    doc = load(SAMPLE)
    blocks = [b.strip().replace("\n", "") for b in STRESS.read_text(encoding="utf-8").split("\n\n")]
    paragraphs = tuple(parse_inline(b) for b in blocks if b) + (parse_inline(TCY_PARAGRAPH),)
    extra = Section(heading=Paragraph((Text("縦組みの試験"),)), turns=(Answer("yamada", paragraphs),))
    doc = dataclasses.replace(doc, sections=(extra,) + doc.sections[:1])
    return doc, _build(doc)


# --- reading the PDF back ------------------------------------------------------------------


def _cross(c) -> float:
    """A character's extent across the column (its em box width on the page)."""
    return c["x1"] - c["x0"]


def _runs(chars):
    """Content-stream runs: consecutive characters going down one column."""
    runs, current = [], []
    for c in chars:
        xc = (c["x0"] + c["x1"]) / 2
        if current:
            p = current[-1]
            pxc = (p["x0"] + p["x1"]) / 2
            if abs(xc - pxc) > 5 or c["top"] < p["top"] - 1:
                runs.append(current)
                current = []
        current.append(c)
    if current:
        runs.append(current)
    return runs


def _is_body(run) -> bool:
    widths = [_cross(c) for c in run if c["text"].strip()]
    return bool(widths) and sum(abs(w - SIZE) < 0.05 for w in widths) >= 0.6 * len(widths)


_CHARS: dict[bytes, tuple[list[dict], ...]] = {}


def page_chars(data: bytes) -> tuple[list[dict], ...]:
    """Every page's pdfplumber characters, in content-stream order. Parsing a PDF is most of
    what these tests cost, so each document is parsed once (the sample's by the make-up
    audit of `preflighted`, which reads every page of a right-to-left PDF with pdfplumber);
    the tests only read the result."""
    if data not in _CHARS:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            _CHARS[data] = tuple(page.chars for page in pdf.pages)
    return _CHARS[data]


@functools.cache
def body_lines(data):
    """[(page index, [chars])] of the body-size columns (lead, questions, answers), in
    content-stream order; the cover and back cover are skipped. (Cached, like page_chars:
    read it, do not change it.)"""
    out = []
    pages = page_chars(data)
    for pno, chars in enumerate(pages[1:-1], start=1):
        for run in _runs(chars):
            if _is_body(run):
                out.append((pno, [c for c in run if c["text"].strip()]))
    return out


def em_top(c) -> float:
    """Top of a character's em box on the page. Upright Japanese glyphs are drawn in
    vertical writing mode hanging from the left foot of their em box (the matrix's
    origin; typeset_ja/vertical.py), so the em box is origin … origin + 1 em up."""
    if c["upright"] and is_japanese(c["text"]):
        return c["top"] - (c["matrix"][5] + _cross(c) - c["y1"])
    return c["top"]


def em_bottom(c) -> float:
    if c["upright"] and is_japanese(c["text"]):
        return em_top(c) + _cross(c)
    return c["bottom"]


def column_centre(chars) -> float:
    """The x of a column's centre line (the middle of its fullwidth characters)."""
    import statistics

    xs = [(c["x0"] + c["x1"]) / 2 for c in chars if c["upright"] and is_japanese(c["text"])]
    return statistics.median(xs or [(c["x0"] + c["x1"]) / 2 for c in chars])


def _text(chars) -> str:
    return "".join(c["text"] for c in chars)


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _head_and_foot(lines):
    import collections

    heads = collections.Counter(round(em_top(cs[0]), 1) for _, cs in lines if len(cs) > 30)
    head = heads.most_common(1)[0][0]
    return head, head + 45 * SIZE


def _paragraph_ends(doc) -> list[str]:
    texts = [p.plain for p in doc.lead]
    for section in doc.sections:
        for turn in section.turns:
            if isinstance(turn, (Question, Answer)):
                texts += [p.plain for p in turn.paragraphs]
    return [_norm(t) for t in texts]


_LABEL = re.compile(r"^(──|[^：]{1,6}：)")


# --- the page --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def preflighted(sample, tmp_path_factory):
    """`publish check`'s preflight of the sample's file, run once: (its report, the make-up
    audit it ran on the file, the pages that audit read). The audit and its reader are the
    real ones, watched (wrapped to keep what they return), so the make-up test below reads
    the audit preflight ran instead of reading the 12 pages again with pdfplumber."""
    from publish import preflight
    from publish.preflight import makeup, pdfium_pages

    _, data = sample
    path = tmp_path_factory.mktemp("preflight") / "tategaki.pdf"
    path.write_bytes(data)
    seen: dict[str, list] = {"audit": [], "read": [], "plumbed": []}
    read, audit, plumbed = makeup._read, makeup.audit, pdfium_pages.from_pdfplumber

    def watched_plumbed(page):
        seen["plumbed"].append(plumbed(page))
        return seen["plumbed"][-1]

    def watched_read(path_):
        seen["read"].append(read(path_))
        return seen["read"][-1]

    def watched_audit(path_):
        seen["audit"].append(audit(path_))
        return seen["audit"][-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(makeup, "_read", watched_read)
        patch.setattr(makeup, "audit", watched_audit)
        patch.setattr(pdfium_pages, "from_pdfplumber", watched_plumbed)
        report = preflight.check_pdf(path, preflight.Expectations(trim_mm=(148, 210), bleed_mm=3, pdfx=True,
                                                                 binding="saddle"))
    assert len(seen["audit"]) == 1 and len(seen["read"]) == 1, "preflight audits the make-up once"
    (result,), (pages,) = seen["audit"], seen["read"]
    assert result.path == path
    raw = seen["plumbed"]
    if [page.page_number for page in raw] == list(range(1, len(pages) + 1)):  # every page read with pdfplumber
        _CHARS.setdefault(data, tuple(page.chars for page in raw))
    return report, result, pages


def test_pages_are_upright_right_to_left_and_preflight_passes(sample, preflighted):
    _, data = sample
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdf.Root.ViewerPreferences.Direction == pikepdf.Name.R2L
        for page in pdf.pages:
            trim = [float(v) for v in page.obj.TrimBox]
            assert abs((trim[2] - trim[0]) - 148 * 72 / 25.4) < 0.5
            assert abs((trim[3] - trim[1]) - 210 * 72 / 25.4) < 0.5
            assert "/Rotate" not in page.obj
        assert len(pdf.pages) % 4 == 0
    report, _, _ = preflighted
    assert report.ok, report.format(verbose=True)
    assert {"fonts", "boxes", "colour", "page-count", "safety"} <= set(report.checks_run)


def test_columns_run_top_to_bottom_right_to_left(sample):
    _, data = sample
    lines = body_lines(data)
    assert len(lines) > 110
    for pno, cs in lines:
        tops = [c["top"] for c in cs]
        assert tops == sorted(tops), _text(cs)
    by_page: dict[int, list[float]] = {}
    for pno, cs in lines:
        by_page.setdefault(pno, []).append(column_centre(cs))
    for pno, xs in by_page.items():
        assert xs == sorted(xs, reverse=True), f"page {pno}: columns not right to left"
    # the line grid: adjacent body columns are a whole number of 16pt pitches apart
    # (blocks between them — headings, profiles, space between turns — take whole lines)
    steps = [a - b for xs in by_page.values() for a, b in zip(xs, xs[1:])]
    assert sum(abs(s - 16) < 0.05 for s in steps) > 0.4 * len(steps)
    off = [s for s in steps if s < 3 * 16 and abs(s / 16 - round(s / 16)) * 16 > 0.1]
    assert not off, off


def test_text_layer_has_every_seed_sentence_in_reading_order(sample):
    _, data = sample
    lines = body_lines(data)
    head, foot = _head_and_foot(lines)
    left = min(cs[0]["x0"] for _, cs in lines) - 1
    right = max(cs[0]["x1"] for _, cs in lines) + 1
    chars = [
        c for page in page_chars(data) for c in page
        if left <= (c["x0"] + c["x1"]) / 2 <= right and head - 6 <= (c["top"] + c["bottom"]) / 2 <= foot + 6
    ]
    text = _norm(_text(chars))
    position, checked = 0, 0
    for line in seed_body():
        for sentence in sentences(line):
            wanted = _norm(sentence)
            found = text.find(wanted, position)
            assert found >= 0, f"missing or out of order: {sentence!r}"
            position = found + len(wanted)
            checked += 1
    assert checked > 80


def test_kinsoku_at_column_heads_and_ends(sample, stress):
    bad, checked = [], 0
    for _, data in (sample, stress):
        lines = body_lines(data)
        for (pno, cs), nxt in zip(lines, lines[1:] + [(None, [])]):
            first, last = cs[0]["text"], cs[-1]["text"]
            checked += 1
            if first in NOT_AT_LINE_START:
                bad.append(f"p{pno} column starts with {first}: {_text(cs)}")
            if last in NOT_AT_LINE_END:
                bad.append(f"p{pno} column ends with {last}: {_text(cs)}")
            if nxt[1] and last in INSEPARABLE and nxt[1][0]["text"] in INSEPARABLE and last == nxt[1][0]["text"]:
                bad.append(f"p{pno} splits {last}{last}: {_text(cs)}")
    assert checked > 180
    assert not bad, "\n".join(bad)


def _flushness(doc, data):
    lines = body_lines(data)
    head, foot = _head_and_foot(lines)
    ends = _paragraph_ends(doc)
    flush, ragged = 0, []
    for pno, cs in lines:
        text = _norm(_LABEL.sub("", _text(cs)))
        if any(e.endswith(text) for e in ends) or not any(text in e for e in ends):
            continue  # a paragraph's last column, or not body text
        last = cs[-1]
        bottom = em_bottom(last)
        if not last["upright"]:
            pass  # Latin turned: its box is its advance
        elif last["text"] in CLOSING_BRACKETS | FULL_STOPS | COMMAS and abs(bottom - HALF - foot) < 0.5:
            bottom -= HALF  # set half-width (push-in, 約物詰め): the em box overhangs its advance
        elif not is_japanese(last["text"]):  # 縦中横: the unit is one em, its figures shorter
            bottom = foot if abs(bottom - foot) < 0.25 * SIZE else bottom
        if abs(bottom - foot) <= 0.5:
            flush += 1
        else:
            ragged.append(f"p{pno} ends {bottom - foot:+.2f}pt: {_text(cs)}")
    return flush, ragged


def test_non_final_columns_are_flush_top_and_bottom(sample, stress):
    for doc, data in (sample, stress):
        flush, ragged = _flushness(doc, data)
        total = flush + len(ragged)
        assert total > 30  # enough columns to judge (the make-up stage tightens the sample)
        assert flush / total >= 0.98, f"{flush}/{total} flush:\n" + "\n".join(ragged)


def test_column_heads_on_one_line_and_opening_brackets_trimmed(sample):
    _, data = sample
    lines = body_lines(data)
    head, _ = _head_and_foot(lines)
    off = []
    for pno, cs in lines:
        top = em_top(cs[0])
        if cs[0]["text"] in OPENING_BRACKETS:
            top += HALF  # the opening bracket's blank half is trimmed at a column head
        # paragraphs start one em down (字下げ); a 縦中横 unit's figures are shorter than its em
        tolerance = 0.45 * SIZE if cs[0]["upright"] and not is_japanese(cs[0]["text"]) else 0.5
        if not any(abs(top - (head + k * SIZE)) < tolerance for k in (0, 1)):
            off.append(f"p{pno} starts {top - head:+.2f}pt: {_text(cs)[:12]}")
    assert len(off) <= 0.02 * len(lines), "\n".join(off)


# --- glyphs ----------------------------------------------------------------------------------


def test_japanese_upright_latin_turned_clockwise(sample):
    _, data = sample
    upright = turned = tcy = 0
    for _, cs in body_lines(data):
        for c in cs:
            a, b, c_, d = c["matrix"][:4]
            if unicodedata.east_asian_width(c["text"]) in ("W", "F"):
                assert c["upright"] and a > 0 and d > 0, c["text"]
                upright += 1
            elif is_latin(c["text"]) and not c["upright"]:
                # x axis of the glyph points down the page: rotated 90° clockwise
                assert b < 0 and c_ > 0 and abs(a) < 1e-6, c["text"]
                turned += 1
            elif is_latin(c["text"]):
                tcy += 1  # 縦中横 (checked below): upright, in one em
    assert upright > 3000 and turned > 50 and tcy > 20


@functools.cache
def _mediaboxes(data: bytes) -> list[list[float]]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [[float(v) for v in page.mediabox] for page in pdf.pages]


@functools.cache
def _pdfium(data: bytes):
    """The document opened once in pdfium (for _ink_centre's renders of small regions)."""
    import pypdfium2 as pdfium

    return pdfium.PdfDocument(data)


def _ink_centre(data, page_index, c, dx0=0.0, dx1=0.0, scale=8):
    """Centre of the dark pixels in the em box of the upright character ``c`` (its left
    and right edges moved by dx0, dx1 pt), as fractions of that box; None if no ink.
    The box is computed from the glyph's matrix."""
    media = _mediaboxes(data)[page_index]
    size = _cross(c)
    e, f = c["matrix"][4], c["matrix"][5]
    x0, x1 = e + dx0, e + size + dx1
    top, bottom = f + size, f  # the origin is the left foot of the em box (vertical mode)
    page = _pdfium(data)[page_index]
    # pdfminer's matrices are relative to the MediaBox's lower-left corner; only the box
    # (and a point around it) is rendered: a whole A5 page at this scale is 16 MB
    width, height = media[2] - media[0], media[3] - media[1]
    pad = 1.0
    image = page.render(scale=scale, grayscale=True, crop=(
        max(0.0, x0 - pad), max(0.0, bottom - pad), max(0.0, width - x1 - pad), max(0.0, height - top - pad))).to_pil()
    left, upper = min(pad, x0), min(pad, height - top)
    crop = (left * scale, upper * scale, (left + x1 - x0) * scale, (upper + top - bottom) * scale)
    region = image.crop(tuple(round(v) for v in crop))
    pixels = region.load()
    xs = ys = n = 0
    for y in range(region.height):
        for x in range(region.width):
            if pixels[x, y] < 128:
                xs += x
                ys += y
                n += 1
    if not n:
        return None
    return xs / n / region.width, ys / n / region.height


def test_commas_and_full_stops_take_their_vertical_forms(sample):
    """、。 sit in the upper right of their em box (the font's vert alternates)."""
    _, data = sample
    checked = 0
    for pno, cs in body_lines(data)[5:40]:
        for c in cs:
            if c["text"] in "、。":
                centre = _ink_centre(data, pno, c)
                assert centre is not None
                cx, cy = centre
                assert cx > 0.55 and cy < 0.45, f"{c['text']} ink at {cx:.2f}, {cy:.2f} of its em box"
                checked += 1
    assert checked > 20


def test_tate_chu_yoko_upright_in_one_em(stress):
    _, data = stress
    found, slots = {}, {}
    for pno, cs in body_lines(data):
        text = _text(cs)
        for key in ("12月", "ICTと", "DXの", "2つ", "5年"):
            i = text.find(key)
            if i > 0 and key not in found:
                found[key] = cs[i:i + len(key) - 1]
                slots[key] = (em_bottom(cs[i - 1]), em_top(cs[i + len(key) - 1]), pno, cs[i - 1])
        for long in ("2019", "NASA"):  # longer than the token's 2 figures / 3 capitals
            if long in text:
                i = text.find(long)
                assert not any(c["upright"] for c in cs[i:i + 4]), f"{long} stays turned"
                found[long] = True
        i = text.find("2024年")
        if i > 0 and "2024年" not in found:  # ^2024^: four figures upright, squeezed into the em
            found["2024年"] = cs[i:i + 4]
            slots["2024年"] = (em_bottom(cs[i - 1]), em_top(cs[i + 4]), pno, cs[i - 1])
    assert {"12月", "ICTと", "DXの", "2つ", "5年", "2024年", "2019", "NASA"} <= set(found), found.keys()
    for key in ("12月", "ICTと", "DXの", "2024年"):
        unit = found[key]
        assert all(c["upright"] for c in unit), key
        tops = [c["top"] for c in unit]
        assert max(tops) - min(tops) < 0.5, f"{key} side by side on one line"
        # drawn in vertical mode, each glyph's box is a whole em wide: n glyphs at an even
        # pitch from the left edge of the unit fill n pitches
        assert (unit[-1]["x0"] - unit[0]["x0"]) * len(unit) / (len(unit) - 1) <= SIZE + 0.2, f"{key} within one em"
        assert all(b["x0"] >= a["x0"] for a, b in zip(unit, unit[1:])), f"{key} reads left to right"
        # centred in the one-em slot between its neighbours
        before, after, pno, previous = slots[key]
        # one em, plus what justification puts around an inline box
        assert SIZE - 0.3 < after - before < SIZE + 3, f"{key} takes {after - before:.2f}pt"
        if is_japanese(previous["text"]) and previous["upright"]:
            m = list(previous["matrix"])
            # an em box centred in the slot, below the previous character
            m[5] -= (before + after) / 2 - SIZE / 2 - em_top(previous)
            cx, cy = _ink_centre(data, pno, dict(previous, matrix=tuple(m)))
            assert abs(cx - 0.5) < 0.1 and abs(cy - 0.5) < 0.12, f"{key}'s ink centred at {cx:.2f}, {cy:.2f}"
    assert found["2つ"][0]["upright"] and found["5年"][0]["upright"]


def test_headlines_names_and_dates_set_tate_chu_yoko_like_the_body(sample):
    """The vertical.tate_chu_yoko token reaches headlines (cover title, section headings),
    names and affiliations (cover, profiles) and dates as well as the body: every
    IT / ICT / DX of the booklet (but the running head, a margin box's string) stands
    upright, its letters side by side on one line across the column; and a unit that opens
    a column is read before the rest of it (pdftotext: the heading 「ICT職の新設を…」)."""
    import shutil
    import subprocess

    doc, data = sample
    units, headings = 0, 0
    for pno, chars in enumerate(page_chars(data)):
        text = _text(chars)
        for m in re.finditer(r"ICT|IT|DX", text):
            unit = chars[m.start():m.end()]
            if unit[0]["size"] < 8 and text[:m.start()].rstrip().endswith("行政"):
                continue  # the 柱: a string in a margin box, Latin turned
            assert all(c["upright"] for c in unit), f"page {pno + 1}: {m.group()} turned"
            tops = [c["top"] for c in unit]
            assert max(tops) - min(tops) < 0.5, f"page {pno + 1}: {m.group()} not side by side"
            units += 1
            next_char = chars[m.end()] if m.end() < len(chars) else None
            if next_char is not None and next_char["size"] > SIZE + 1:
                headings += 1
    assert units >= 15 and headings >= 4, (units, headings)
    if shutil.which("pdftotext"):
        path_text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout
        assert "ICT職の新設を機に職種変更。" in _norm(path_text.decode())


def test_ruby_and_emphasis_dots_to_the_right(stress):
    _, data = stress
    lines = body_lines(data)
    readings = [
        c for page in page_chars(data) for c in page
        if abs(_cross(c) - HALF) < 0.05 and c["upright"] and is_japanese(c["text"])
    ]
    reading_text = _text(readings)
    for word in ("とうきょうと", "しょくいん", "ぎょうせい", "つちか"):
        assert word in reading_text
    # each reading sits right of a body column, in the line gap
    columns = [(cs[0]["x0"], cs[0]["x1"], cs[0]["top"], cs[-1]["bottom"]) for _, cs in lines]
    placed = 0
    for r in readings:
        yc = (r["top"] + r["bottom"]) / 2
        hosts = [col for col in columns if col[2] - 5 <= yc <= col[3] + 5 and col[1] - 0.3 <= r["x0"] <= col[1] + 3]
        placed += bool(hosts)
    assert placed >= 0.95 * len(readings) and len(readings) > 40
    # emphasis dots: ink right of the emphasised characters, none left of them
    for pno, cs in lines:
        text = _text(cs)
        i = text.find("大切なのは")
        if i < 0:
            continue
        for c in cs[i:i + 5]:
            right = _ink_centre(data, pno, c, SIZE + 0.3, 4.5)
            left = _ink_centre(data, pno, c, -4.5, -SIZE - 0.3)
            assert right is not None, f"no emphasis dot right of {c['text']}"
            assert left is None, f"ink left of {c['text']}"
        break
    else:
        pytest.fail("the emphasised phrase was not found")


def test_horizontal_layouts_do_not_change():
    """The draw hook leaves text boxes without --jl-writing-mode alone: the horizontal
    booklet draws to the same PDF content with and without it installed. (The hook is
    all vertical.install() adds, a wrapper of weasyprint.draw.draw_text: so the booklet is
    laid out once and that document drawn twice.)"""
    from weasyprint import draw

    from publish.app.build import load
    from publish.layout import load_layout
    from publish.writers.pdf import render_document
    from publish.typeset_ja import vertical
    from publish.typeset_ja import weasyprint as jlreq

    doc = load(SAMPLE)
    layout = load_layout("booklet")
    with jlreq.installed():
        document = render_document(doc, layout)
        assert draw.draw_text is vertical._draw_text, "the hook is installed"
        with_hook = document.write_pdf()
        vertical.uninstall()
        try:
            assert draw.draw_text is not vertical._draw_text
            without = document.write_pdf()
        finally:
            vertical.install()

    def contents(data):
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return [b"".join(s.read_bytes() for s in p.obj.Contents) if isinstance(p.obj.Contents, pikepdf.Array)
                    else p.obj.Contents.read_bytes() for p in pdf.pages]

    assert contents(with_hook) == contents(without)


def test_vert_alternates_cache_matches_the_fonts():
    """fonts/vert-alternates.json (read instead of parsing GSUB at every build) is what
    fontTools reads from the bundled fonts, and holds the forms the pages need."""
    import json

    from publish.layout import fonts_dir
    from publish.typeset_ja import vertical

    cache = json.loads((fonts_dir() / vertical.VERT_CACHE).read_text(encoding="utf-8"))
    fonts = sorted(fonts_dir().glob("*.ttf"))
    assert fonts and len(cache["fonts"]) == len(fonts)
    from fontTools.ttLib import TTFont

    for path in fonts:
        content = path.read_bytes()
        key = vertical.font_key(content)
        fresh = vertical.vert_map(content, cached=False)
        assert {int(a): b for a, b in cache["fonts"][key].items()} == fresh, path.name
        font = TTFont(path, lazy=True)  # one font object: the cmap reads the glyph order too
        cmap, order = font.getBestCmap(), font.getGlyphOrder()
        gid = {ch: order.index(cmap[ord(ch)]) for ch in "、。「」ー"}
        assert all(gid[ch] in fresh for ch in gid), path.name


def test_preview_shows_upright_pages_right_to_left():
    from publish.app.preview import Previewer

    previewer = Previewer(SAMPLE, layout="tategaki", scale=0.3)
    previewer.rebuild()
    state = previewer.snapshot()
    assert state["error"] is None and state["right_to_left"] is True
    assert state["pages"] >= 8
    assert all(h > w for w, h in state["sizes"]), "every page upright (portrait)"


def test_makeup_audit_reads_vertical_pages_as_columns(preflighted):
    """publish check's make-up audit reads a 縦組み page in frame terms (a column as a line):
    a body column is one line of 45 characters, headings are not taken for 1-character
    headline lines; the back cover is read vertically too. (The audit and the pages it
    read are those of the preflight run on the sample's file: `preflighted`.)"""
    _, result, pages = preflighted
    assert all(p.vertical for p in pages), [p.number for p in pages if not p.vertical]
    body = [len(line.ink) for p in pages[2:-1] for line in p.lines if abs(line.size - SIZE) < 0.3]
    assert len(body) > 100 and 44 <= statistics.mode(body) <= 46  # full columns of 45 characters
    assert result.findings == [], [str(f) for f in result.findings]
    assert result.body_wakan and statistics.median(result.body_wakan) > 0.2
    # the trim box is read in the glyphs' coordinates: the cover's publisher, an upright
    # column whose origins lie in the lowest 15 mm of the trim, is read whole (it was read
    # as 「東」, a one-character last line, when pdfplumber's top-down trim box was taken for
    # a bottom-up one); the slug line below the trim is not read
    texts = ["".join(g.text for g in line.glyphs) for line in pages[0].lines]
    assert "東京都" in texts, texts
    assert not any(SAMPLE.stem in "".join(g.text for line in p.lines for g in line.glyphs) for p in pages)


def test_a_vertical_collection_is_refused_with_a_message(tmp_path, capsys):
    """縦組み collections are not wired: exit 2 with file:line:col: field: message, no
    traceback and no file written (rather than a horizontal book or a print-stage crash)."""
    from publish.app.cli import main

    source = ROOT / "content" / "digital-voices.collection.yaml"
    status = main(["build", str(source), "--layout", "tategaki", "--format", "pdf", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert status == 2
    assert "digital-voices.collection.yaml:1:1: layout: --layout tategaki is vertical" in err
    assert "Traceback" not in err and not list(tmp_path.iterdir())


def _page_texts_in_order(texts, running: str) -> str:
    """The pages' extracted texts joined, without the 柱 (running title) and folio lines a
    page break puts inside a sentence."""
    keep = []
    for text in texts:
        for line in text.splitlines():
            if line.strip().isdigit() or _norm(line) == running:
                continue
            keep.append(line)
    return _norm("".join(keep))


def _missing_sentences(text: str) -> list[str]:
    position, missing = 0, []
    for line in seed_body():
        for sentence in sentences(line):
            wanted = _norm(sentence)
            found = text.find(wanted, position)
            if found < 0:
                missing.append(sentence)
            else:
                position = found + len(wanted)
    return missing


def test_pdftotext_and_pdfium_read_every_seed_sentence_in_order(sample, tmp_path):
    """Copy and search (issue 15): poppler's pdftotext (its reading-order analysis, not
    -raw) and pdfium (pypdfium2, what Chrome's viewer uses) give every sentence of the seed
    in reading order. Upright characters are drawn in vertical writing mode (Identity-V),
    縦中横 carries an /ActualText. pdfium is read from the same bytes without the catalog's
    /ViewerPreferences: FPDFText_LoadPage takes /Direction /R2L as a right-to-left bidi
    base direction (CPDF_TextPage::CloseTempLine), which reverses the segments of every
    line between punctuation, whatever the text layer holds."""
    import shutil
    import subprocess

    import pypdfium2 as pdfium

    doc, data = sample
    running = _norm(doc.title.plain)
    path = tmp_path / "tategaki.pdf"
    path.write_bytes(data)
    if shutil.which("pdftotext"):
        with pdfium.PdfDocument(data) as pdf:
            count = len(pdf)
        texts = [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(path), "-"], capture_output=True,
                                text=True, check=True).stdout for n in range(1, count + 1)]
        assert _missing_sentences(_page_texts_in_order(texts, running)) == []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdf.Root.ViewerPreferences.Direction == "/R2L"
        del pdf.Root.ViewerPreferences
        out = io.BytesIO()
        pdf.save(out)
    document = pdfium.PdfDocument(out.getvalue())
    texts = [page.get_textpage().get_text_range() for page in document]
    assert _missing_sentences(_page_texts_in_order(texts, running)) == []
    # with the entry, pdfium reverses the segments between punctuation of every column
    # (INTEGRATION.md, "pdfium and /Direction /R2L"; the reason for vertical.direction_flag):
    # should this fail, pdfium reads right-to-left PDFs in order and the token can go
    texts = [page.get_textpage().get_text_range() for page in pdfium.PdfDocument(data)]
    assert len(_missing_sentences(_page_texts_in_order(texts, running))) > 40


def test_the_screen_edition_reads_in_order_in_pdfium_too(shared_build, tmp_path):
    """vertical.direction_flag (default `print`): the screen edition — read, searched and
    copied in browsers — declares no /Direction, so pdfium (Chrome's viewer) gives every
    seed sentence in reading order; poppler too. Its pages are the print edition's."""
    import shutil
    import subprocess

    import pypdfium2 as pdfium

    from publish.readers import load_interview

    path = shared_build(SAMPLE, "screen-pdf", "--layout", "tategaki")["path"]
    data = path.read_bytes()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/Direction" not in (pdf.Root.get("/ViewerPreferences") or {})
        assert all(abs(float(p.obj.TrimBox[3]) - float(p.obj.TrimBox[1]) - 210 * 72 / 25.4) < 0.5 for p in pdf.pages)
    running = _norm(load_interview(SAMPLE).title.plain)
    texts = [page.get_textpage().get_text_range() for page in pdfium.PdfDocument(data)]
    assert _missing_sentences(_page_texts_in_order(texts, running)) == []
    if shutil.which("pdftotext"):
        texts = [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(path), "-"], capture_output=True,
                                text=True, check=True).stdout for n in range(1, len(texts) + 1)]
        assert _missing_sentences(_page_texts_in_order(texts, running)) == []


@pytest.mark.parametrize("token, print_, screen", [(None, True, False), ("print", True, False),
                                                   ("all", True, True), ("none", False, False)])
def test_direction_flag_token_says_which_editions_declare_it(token, print_, screen):
    from types import SimpleNamespace

    from publish.typeset_ja.vertical import direction_flag

    layout = SimpleNamespace(vertical=True, tokens={"vertical": {} if token is None else {"direction_flag": token}})
    assert (direction_flag(layout, "print"), direction_flag(layout, "screen")) == (print_, screen)
    assert not direction_flag(SimpleNamespace(vertical=False, tokens=layout.tokens), "print")


def test_back_cover_is_set_vertically_from_the_right(sample):
    """表4 of a right-bound book: title, subtitle, publisher and note in columns read top
    to bottom, right to left (a frame page like the cover), above the deep band."""
    from publish.preflight.makeup import _vertical_page

    doc, data = sample
    chars = page_chars(data)[-1]
    assert _vertical_page(chars)

    def column(word):
        text = _text(chars)
        i = text.find(word)
        assert i >= 0, word
        run = chars[i:i + len(word)]
        tops = [c["top"] for c in run]
        assert tops == sorted(tops) and max(c["x0"] for c in run) - min(c["x0"] for c in run) < 1, word
        return run[0]["x0"]

    title = column(doc.title.plain[:5])
    publisher = column("東京都")
    note = column("記載内容")
    assert title > publisher > note  # right to left


def test_makeup_audit_reports_a_vertical_page_that_stops_short(layouts, tmp_path):
    """Forced breaks before the questions of the first section leave pages that stop
    short while the interview goes on: the audit's column-hole check sees them on vertical
    pages (the unchanged sample has none: test_makeup_audit_reads_vertical_pages...). The
    cover's publisher set in columns of two characters (東京 / 都) at the foot of the trim:
    a real short line, found."""
    from publish.app.build import load
    from publish.preflight.makeup import audit

    css = layouts / "tategaki" / "tategaki.css"
    css.write_text(css.read_text(encoding="utf-8")
                   + "\n.interview-section:first-child .turn.answer + .turn.question { break-before: page; }\n"
                   + ".cover-publisher { width: 2.5em; }\n",   # 東京 / 都 at the cover's foot
                   encoding="utf-8")
    doc = load(SAMPLE)
    # its first two sections: the breaks fall in the first, the interview goes on in the
    # second (12 pages to build and read rather than 16)
    data = _build(dataclasses.replace(doc, sections=doc.sections[:2]))
    path = tmp_path / "hole.pdf"
    path.write_bytes(data)
    result = audit(path)
    short = [f for f in result.of("last-line") if f.page == 1]
    assert len(short) == 1 and ("「東京」" in short[0].message or "「都」" in short[0].message), short
    holes = result.of("column-hole")
    assert holes, "no column hole found"
    for hole in holes:
        assert "columns short of the type area while the text continues on the next page" in hole.message
        assert int(hole.message.split("ends ")[1].split()[0]) >= 4


def test_editorial_pages_are_vertical_frame_pages(tmp_path):
    """The pages the make-up adds before the back cover (a full-page pull quote, the people,
    the contact page) are frame pages like the interview's: set in columns read top to
    bottom, right to left, inside the type area, and preflight finds nothing on them.
    (They were upright pages set horizontally, with 縦中横 markup in horizontal lines, and
    ran up to 9 mm out of the trim.) The make-up fixture's first section, with a URL for the
    contact page's QR code: 5 pages, so all three editorial pages are added."""
    from publish import preflight
    from publish.app.build import load
    from publish.layout import load_layout
    from publish.writers.pdf import build_pdf

    doc = load(ROOT / "tests" / "fixtures" / "makeup" / "three-speakers.yaml")
    doc = dataclasses.replace(doc, sections=doc.sections[:1], url="https://example.jp/aobadai/recruit")
    layout = load_layout("tategaki")
    notes: list[str] = []
    data = build_pdf(doc, layout, notes=notes)
    assert any("5 pages → 8" in n and "a full-page pull quote, a people page, a contact page" in n
               for n in notes), notes
    path = tmp_path / "editorial.pdf"
    path.write_bytes(data)
    report = preflight.check_pdf(path, preflight.Expectations(trim_mm=(148, 210), bleed_mm=3, pdfx=True,
                                                              binding="saddle"))
    assert report.ok, report.format(verbose=True)
    editorial = (5, 6, 7)   # 1-based: quote, people, contact; 8 is the back cover
    assert not [f for f in report.findings if f.page in editorial and f.severity > preflight.Severity.INFO], \
        report.format()

    area = layout.type_area
    pages = page_chars(data)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        boxes = [([float(v) for v in p.mediabox], [float(v) for v in p.obj.TrimBox]) for p in pdf.pages]
    for number, text in zip(editorial, (_norm(doc.lead[0].plain)[:12], "この記事に登場した人", _norm(doc.contact.heading.plain)[:8])):
        chars = [c for c in pages[number - 1] if c["text"].strip()]
        assert text in _norm(_text(chars)), (number, text, _text(chars)[:80])
        media, trim = boxes[number - 1]
        # the trim and the type area top-down from the MediaBox's top (x: pdfplumber's x0/x1
        # are PDF x; an upright glyph's em box from its matrix, which pdfminer gives
        # relative to the MediaBox's lower-left corner: its origin is the em box's left foot)
        left, right = trim[0], trim[2]
        top = media[3] - trim[3]
        head, foot = top + area.margin_top, top + area.margin_top + area.width

        def em_box(c):
            foot_y = c["matrix"][5] + media[1]
            return media[3] - foot_y - _cross(c), media[3] - foot_y

        # columns: the Japanese characters of the page's text (not the 7–7.5 pt running head
        # and folio) follow each other downwards in the content stream
        ja = [c for c in chars if is_japanese(c["text"]) and c["size"] >= 8]
        runs = [r for r in _runs(ja)]
        in_columns = sum(len(r) for r in runs if len(r) >= 2)
        assert in_columns >= 0.9 * len(ja) and len(ja) > 30, (number, in_columns, len(ja))
        assert all(em_box(r[i])[0] < em_box(r[i + 1])[0] for r in runs for i in range(len(r) - 1))
        # right to left: the page's first column is its rightmost, and the columns of a
        # passage (consecutive columns of one size) follow each other leftwards
        centres = [column_centre(r) for r in runs if len(r) >= 2]
        assert centres[0] == max(centres), (number, centres)
        sized = [(round(r[0]["size"], 1), column_centre(r)) for r in runs if len(r) >= 2]
        passages = 0
        for (size_a, xa), (size_b, xb) in zip(sized, sized[1:]):
            if size_a == size_b:
                assert xb < xa - 0.5 * size_a, (number, size_a, xa, xb)
                passages += 1
        assert passages >= 2, (number, sized)
        # inside the type area (a column's em boxes from the head to the foot, the columns
        # within the block of 20), so well inside the trim's 3 mm safety margin
        block_right = right - area.frame_margin_top
        block_left = block_right - area.height
        safety = 3 * 72 / 25.4
        for c in ja:
            c_top, c_bottom = em_box(c)
            # an opening bracket at the head of a column (the quote's 〝) is set half-width
            # there (二分: its blank half before the head, the ink in the half that remains)
            slack = 0.5 * _cross(c) + 0.5 if c["text"] in OPENING_BRACKETS else 0.5
            assert head - slack <= c_top and c_bottom <= foot + 0.5, (number, c["text"], c_top, c_bottom, head, foot)
            assert block_left - 1 <= c["x0"] and c["x1"] <= block_right + 1, (number, c["text"], c["x0"], c["x1"])
        for c in chars:   # the running head, the folio, sideways Latin: inside the safety margin across
            assert left + safety <= c["x0"] and c["x1"] <= right - safety, (number, c["text"])


def test_vertical_pdf_is_reproducible(sample):
    """A second build of the vertical PDF is byte-identical: the frame turning and the
    right-to-left declaration save with a deterministic /ID (qpdf keeps the first /ID
    element through every later save, so one random one made every build differ)."""
    from publish.layout import load_layout
    from publish.press import record

    doc, data = sample  # built by `publish build` in another process
    again = record.stamp(_build(doc), load_layout("tategaki"), record.EDITIONS["pdf"], doc.source)
    assert again == data
