"""JLReq Japanese typography (issue 3), measured on real PDF output.

Stress paragraphs (tests/fixtures/typeset/stress.txt) and the sample's body paragraphs are
set in two justified columns of 20, 24, 27 and 33 em (Noto Serif JP 9 pt on a 16 pt pitch)
and read back with pdfplumber: glyph origins, advances and baselines.
"""

from __future__ import annotations

import pytest
import weasyprint

from publish.model import Emphasis, Paragraph, Ruby, Strong, Text
from publish.typeset_ja import CLOSERS, OPENERS, classes, halved_positions, paragraph_html
from publish.typeset_ja import weasyprint as jlreq
from publish.typeset_ja.classes import (
    FULLWIDTH_OPENING_BRACKETS,
    INSEPARABLE,
    JLREQ_CLASSES,
    NOT_AT_LINE_END,
    NOT_AT_LINE_START,
    PUNCTUATION,
    is_japanese,
    is_kana,
    is_latin,
)

from .test_typeset_ja_harness import (
    BODY,
    FIXTURES,
    PITCH,
    column_lefts,
    load_paragraphs,
    read_pdf,
    render,
    read_stress_and_sample,
    render_stress_and_sample,
    sample_paragraphs,
    line_spacing,
    split_paragraphs,
    stress_and_sample,
)

WIDTHS = (20, 24, 27, 33)
TOL = 0.5  # pt, line ends
EM = BODY

STRESS = load_paragraphs(FIXTURES / "typeset" / "stress.txt")
SAMPLE = sample_paragraphs()
ALL = STRESS + SAMPLE
assert ALL == stress_and_sample()  # what render_stress_and_sample sets


@pytest.fixture(scope="module", autouse=True)
def extension():
    with jlreq.installed() as jl:
        yield jl


@pytest.fixture(scope="module", params=WIDTHS, ids=[f"{w}em" for w in WIDTHS])
def setting(request, extension):
    width = request.param
    rendered = read_stress_and_sample(width)  # read_pdf(render(ALL, width)), shared with test_typeset_ja_pushin
    return width, rendered, split_paragraphs(rendered, ALL)


def _pitch(a, b):
    return b.x0 - a.x0


def _plain_fullwidth(ch):
    return is_japanese(ch) and ch not in PUNCTUATION


def _ruby_base_offsets(paragraph):
    """Offsets (in the paragraph's plain text) of the characters of ruby bases."""
    out, pos = set(), 0

    def walk(nodes):
        nonlocal pos
        for node in nodes:
            if isinstance(node, Ruby):
                out.update(range(pos, pos + len(node.base)))
                pos += len(node.base)
            elif isinstance(node, (Emphasis, Strong)):
                walk(node.children)
            else:
                pos += len(node.text)

    walk(paragraph.inlines)
    return out


# --- the pin -----------------------------------------------------------------------------


def test_extension_is_pinned_to_weasyprint_70():
    assert weasyprint.__version__.startswith("70."), (
        f"WeasyPrint {weasyprint.__version__}: typeset_ja.weasyprint patches 70.x "
        "internals; port it and update this pin"
    )
    assert jlreq.SUPPORTED_SERIES == "70."
    jlreq.check_version("70.0")
    with pytest.raises(jlreq.UnsupportedWeasyPrint, match="70"):
        jlreq.check_version("71.0")


def test_nested_installs_share_the_patch_and_the_context(extension):
    from weasyprint.layout import inline

    patched = inline.text_align
    assert patched.__module__.startswith("publish.typeset_ja.weasyprint")
    with jlreq.installed() as inner:
        assert inner is extension and inline.text_align is patched
        with jlreq.installed(push_in=False) as other:
            assert other is not extension and jlreq.active() is other
        assert jlreq.active() is extension
    assert inline.text_align is patched and jlreq.is_installed()


# --- the classes -------------------------------------------------------------------------


def test_classes_are_named_data():
    assert set(JLREQ_CLASSES) == {f"cl-{i:02d}" for i in range(1, 12)}
    assert set(classes.CLASS_NAMES) == set(JLREQ_CLASSES)
    assert "「" in JLREQ_CLASSES["cl-01"] and "」" in JLREQ_CLASSES["cl-02"]
    assert "─" in JLREQ_CLASSES["cl-08"] and "…" in JLREQ_CLASSES["cl-08"]
    assert "ッ" in JLREQ_CLASSES["cl-11"] and "ー" in JLREQ_CLASSES["cl-10"]
    assert "（" in JLREQ_CLASSES["cl-01"] and "？" in JLREQ_CLASSES["cl-04"]
    assert classes.jlreq_class("々") == "cl-09"


# --- markup --------------------------------------------------------------------------------


def test_markup_japanese_latin_spacing_classes():
    html = str(paragraph_html(Paragraph((Text("行政DXを、2023年「CCoE」です"),))))
    assert '<span class="jl-latin jl-gs jl-ge">DX</span>' in html
    assert '<span class="jl-latin jl-ge">2023</span>' in html  # after 、: no gap before
    assert '<span class="jl-latin">CCoE</span>' in html  # between brackets: none
    assert "行政" in html and "を、" in html


def test_markup_escapes_and_keeps_text():
    html = str(paragraph_html(Paragraph((Text("a<b & 《c》"),))))
    assert "&lt;" in html and "&amp;" in html and "<b" not in html


def test_markup_emphasis_skips_punctuation():
    html = str(paragraph_html(Paragraph((Emphasis((Text("大切、です。"),)),))))
    assert html.count('class="jl-bt"') == 4
    assert "、" in html and '<span class="jl-bt">、' not in html


def test_markup_inseparables_are_glued():
    html = str(paragraph_html(Paragraph((Text("視点──企業……"),))))
    assert '<span class="jl-nobr">──</span>' in html
    assert '<span class="jl-nobr">……</span>' in html


# --- measured on the PDF ---------------------------------------------------------------------


def test_text_layer_equals_source(setting):
    # split_paragraphs asserts text equality per paragraph (no inserted spaces, nothing
    # lost or doubled); ruby readings are the only other text, at half size.
    width, rendered, paras = setting
    readings = "".join(c.text for c in rendered.small)
    want = "".join(n.reading for p in ALL for n in _rubies(p))
    assert readings == want


def _rubies(paragraph):
    def walk(nodes):
        for node in nodes:
            if isinstance(node, Ruby):
                yield node
            elif isinstance(node, (Emphasis, Strong)):
                yield from walk(node.children)

    return list(walk(paragraph.inlines))


def test_lines_are_justified(setting):
    width, rendered, paras = setting
    lefts = column_lefts(width)
    bad = []
    checked = 0
    for p in paras:
        halved = halved_positions(p.text)
        k = 0  # index after the line's last char in p.chars
        for n, line in enumerate(p.lines):
            k += len(line.chars)
            left = lefts[line.column]
            right = left + width * EM
            first = line.chars[0]
            # a ruby reading wider than its base starts the line instead of the base
            readings = [
                c.x0 for c in rendered.small
                if c.page == line.page and 0 < line.baseline - c.baseline < EM
                and abs(c.x0 - first.x0) < EM
            ]
            start = min([first.x0] + readings)
            # start: indent on a paragraph's first line; else the column edge, or half an
            # em before it for a fullwidth opening bracket (no visible blank)
            if n == 0:
                want_start = left + EM
            elif first.text in FULLWIDTH_OPENING_BRACKETS:
                want_start = left - EM / 2
            else:
                want_start = left
            if abs(start - want_start) > TOL:
                bad.append(f"start {start - want_start:+.2f}pt: {line.text}")
            if n < len(p.lines) - 1:
                checked += 1
                # a line-final 」 whose pair continues on the next line is half-width
                end = line.chars[-1].x1 - (EM / 2 if k - 1 in halved else 0)
                # a ruby reading wider than its base ends the line instead of the base
                end = max([end] + [
                    c.x1 for c in rendered.small
                    if c.page == line.page and 0 < line.baseline - c.baseline < EM
                    and abs(c.x1 - end) < EM
                ])
                if abs(end - right) > TOL:
                    bad.append(f"end {end - right:+.2f}pt: {line.text}")
            else:
                assert line.chars[-1].x1 <= right + TOL
    assert checked > 100
    assert not bad, "\n".join(bad)


def test_line_breaking_rules(setting):
    width, rendered, paras = setting
    bad = []
    for p in paras:
        for n, (a, b) in enumerate(zip(p.lines, p.lines[1:])):
            last, first = a.chars[-1].text, b.chars[0].text
            if first in NOT_AT_LINE_START:
                bad.append(f"line starts with {first!r}: {b.text}")
            if last in NOT_AT_LINE_END:
                bad.append(f"line ends with {last!r}: {a.text}")
            if last in INSEPARABLE and first in INSEPARABLE:
                bad.append(f"{last}{first} split: {a.text} / {b.text}")
            if is_latin(last) and is_latin(first) and n not in p.spaced_breaks:
                bad.append(f"Latin word broken: {a.text} / {b.text}")
    assert not bad, "\n".join(bad)


PAIRS = {
    ("」", "「"), ("。", "」"), ("、", "「"), ("）", "（"), ("」", "、"), ("」", "。"),
    ("。", "「"), ("、", "（"), ("）", "、"), ("」", "（"),
}


def test_consecutive_punctuation_takes_half_an_em_less(setting):
    width, rendered, paras = setting
    seen = set()
    bad = []
    for p in paras:
        for line in p.lines:
            cs = line.chars
            for i in range(1, len(cs) - 1):
                a, b = cs[i], cs[i + 1]
                prev = cs[i - 1]
                if (a.text, b.text) not in PAIRS or not _plain_fullwidth(prev.text):
                    continue
                # the pitch before the pair is one em plus this line's justification
                normal = _pitch(prev, a)
                got = _pitch(a, b)
                seen.add(a.text + b.text)
                if abs(normal - got - EM / 2) > 0.1:
                    bad.append(f"{a.text}{b.text}: {got:.2f} vs {normal:.2f} in {line.text}")
    assert {"」「", "。」", "、「", "）（"} <= seen
    assert not bad, "\n".join(bad)


def _check_quarter_em(paras, mode):
    exact = widened = 0
    bad = []
    for p in paras:
        for n, line in enumerate(p.lines):
            last_line = n == len(p.lines) - 1
            spacing = 0.0 if last_line else line_spacing(line)
            cs = line.chars
            # the line's spacing is only known from two or more kana/kanji pairs (a line of
            # Latin words after a speaker label has one, unspaced)
            pairs = sum(1 for a, b in zip(cs, cs[1:]) if _plain_fullwidth(a.text) and _plain_fullwidth(b.text))
            for a, b in zip(cs, cs[1:]):
                lat_ja = is_latin(a.text) and _plain_fullwidth(b.text)
                ja_lat = _plain_fullwidth(a.text) and is_latin(b.text)
                gap = b.x0 - a.x1
                if not (lat_ja or ja_lat):
                    beside = (is_latin(a.text) and b.text in PUNCTUATION) or (
                        a.text in PUNCTUATION and is_latin(b.text))
                    if beside and spacing is not None and (pairs >= 2 or last_line) and gap - spacing > 0.1:
                        bad.append(f"space beside punctuation {a.text}{b.text}: {line.text}")
                    continue
                if last_line:  # not justified: exactly a quarter em
                    exact += 1
                    if abs(gap - EM / 4) > 0.05:
                        bad.append(f"{a.text}|{b.text} {gap:.2f}pt: {line.text}")
                elif spacing is not None:
                    widened += 1
                    extra = gap - spacing
                    if mode == "jlreq":
                        if spacing > 0.05:  # characters were spaced: 和欧間 is at half an em
                            ok = abs(extra - EM / 2) < 0.15
                        else:
                            ok = EM / 4 - 0.15 < extra < EM / 2 + 0.15
                    elif spacing > 0.05:  # inter-character first: 和欧間 stays a quarter em
                        ok = abs(gap - EM / 4) < 0.1
                    else:
                        ok = EM / 4 - 0.05 < gap < EM / 2 + 0.15
                    if not ok:
                        bad.append(f"{a.text}|{b.text} {gap:.2f}pt (+{spacing:.2f}): {line.text}")
    assert exact >= 1 and widened > 20
    assert not bad, "\n".join(bad)


def test_japanese_latin_quarter_em(setting):
    """A quarter em between Japanese letters and Latin letters / European digits; none
    beside punctuation. By default (``--jl-wakan-expansion: inter-character-first``, the
    built-in layouts) justification spends the space between characters and leaves the
    和欧間 at a quarter em."""
    width, rendered, paras = setting
    _check_quarter_em(paras, "inter-character-first")


@pytest.mark.parametrize("width", [20])
def test_japanese_latin_jlreq_expansion_order(extension, width):
    """``--jl-wakan-expansion: jlreq``: on justified lines the 和欧間 grows first (JLReq
    3.8.3: word spaces, then 和欧間 up to half an em, then every gap equally)."""
    rendered = read_pdf(render(ALL, width, ":root { --jl-wakan-expansion: jlreq; }"), width)
    _check_quarter_em(split_paragraphs(rendered, ALL), "jlreq")


def test_quarter_em_unjustified(extension):
    """Set ragged (text-align: start), every 和欧間 is exactly a quarter em and lines
    that start or end with Latin have none at the edge."""
    paras = [p for p in ALL if any(is_latin(c) for c in p.plain)]
    rendered = read_pdf(render(paras, 20, "p { text-align: start !important }"), 20)
    lefts = column_lefts(20)
    count = 0
    for line in rendered.lines:
        first = line.chars[0]
        if is_latin(first.text):
            assert abs(first.x0 - lefts[line.column]) < 0.05 or abs(
                first.x0 - lefts[line.column] - EM) < 0.05, line.text
        for a, b in zip(line.chars, line.chars[1:]):
            if (is_latin(a.text) and _plain_fullwidth(b.text)) or (
                _plain_fullwidth(a.text) and is_latin(b.text)):
                count += 1
                assert abs(b.x0 - a.x1 - EM / 4) < 0.05, (a.text, b.text, line.text)
    assert count > 30


def test_line_grid_and_ruby_keep_the_pitch(setting):
    width, rendered, paras = setting
    by_col = {}
    for line in rendered.lines:
        by_col.setdefault((line.page, line.column), []).append(line.baseline)
    for (page, col), baselines in by_col.items():
        steps = [b - a for a, b in zip(baselines, baselines[1:])]
        assert all(abs(s - PITCH) < 0.1 for s in steps), (page, col, steps)
    for page in {p for p, _ in by_col}:
        a, b = by_col.get((page, 0), []), by_col.get((page, 1), [])
        n = min(len(a), len(b))
        assert all(abs(x - y) < 0.1 for x, y in zip(a[:n], b[:n])), "columns off the grid"
    # the lines that carry ruby are among them
    ruby_lines = {(c.page, round(c.baseline)) for c in rendered.small}
    assert ruby_lines


def test_ruby_placement(setting):
    width, rendered, paras = setting
    small = list(rendered.small)
    checked = 0
    for sp in paras:
        bases = []
        pos = 0

        def walk(nodes):
            nonlocal pos
            for node in nodes:
                if isinstance(node, Ruby):
                    bases.append((pos, node))
                    pos += len(node.base)
                elif isinstance(node, (Emphasis, Strong)):
                    walk(node.children)
                else:
                    pos += len(node.text)

        walk(sp.paragraph.inlines)
        if not bases:
            continue
        assert " " not in sp.paragraph.plain  # offsets map 1:1 onto sp.chars
        for start, node in bases:
            base = sp.chars[start : start + len(node.base)]
            assert "".join(c.text for c in base) == node.base
            reading = small[: len(node.reading)]
            del small[: len(node.reading)]
            assert "".join(c.text for c in reading) == node.reading
            # half size, same page, on top of the base's em box (0.88 em above baseline)
            assert all(abs(c.size - BODY / 2) < 0.01 for c in reading)
            base_top = base[0].baseline - 0.88 * BODY
            reading_bottom = reading[0].baseline + 0.12 * BODY / 2
            assert abs(reading_bottom - base_top) < 0.15, (node, reading_bottom, base_top)
            # centred on the base (inks: first glyph origin to last glyph end), unless
            # pulled in at a column edge; never outside the column
            r0, r1 = reading[0].x0, reading[-1].x1
            b0, b1 = base[0].x0, base[-1].x1
            left = column_lefts(width)[0 if b0 < column_lefts(width)[1] - EM else 1]
            right = left + width * EM
            assert left - 0.05 <= r0 and r1 <= right + 0.05, node
            if abs(r0 - left) > 0.05 and abs(r1 - right) > 0.05:
                assert abs((r0 + r1) / 2 - (b0 + b1) / 2) < 0.3, node
            if r1 - r0 <= b1 - b0 + 0.01:
                # group ruby spread 1:2:1 — half a gap at each end
                n = len(node.reading)
                gap = ((b1 - b0) - n * BODY / 2) / n
                assert abs((r0 - b0) - gap / 2) < 0.3, node
            # overhang onto a neighbour on the same line: at most one ruby character
            # (half an em of the base), onto kana or a punctuation's blank half, never
            # onto kanji
            k = start
            prev = sp.chars[k - 1] if k > 0 else None
            nxt = sp.chars[k + len(node.base)] if k + len(node.base) < len(sp.chars) else None
            if prev is not None and prev.baseline == base[0].baseline:
                allowed = BODY / 2 if is_kana(prev.text) or prev.text in CLOSERS else 0
                assert r0 >= prev.x1 - allowed - 0.05, (node, prev.text, r0, prev.x1)
            if nxt is not None and nxt.baseline == base[0].baseline:
                allowed = BODY / 2 if is_kana(nxt.text) or nxt.text in OPENERS else 0
                assert r1 <= nxt.x0 + allowed + 0.05, (node, nxt.text, r1, nxt.x0)
            checked += 1
    assert checked == sum(len(_rubies(p)) for p in ALL)
    assert not small


def test_emphasis_dots(setting):
    width, rendered, paras = setting
    dots = list(rendered.dots)
    want = 0
    for sp in paras:
        marked = []
        pos = 0

        def walk(nodes, on):
            nonlocal pos
            for node in nodes:
                if isinstance(node, Emphasis):
                    walk(node.children, True)
                elif isinstance(node, Strong):
                    walk(node.children, on)
                elif isinstance(node, Ruby):
                    pos += len(node.base)
                else:
                    if on:
                        marked.extend(range(pos, pos + len(node.text)))
                    pos += len(node.text)

        walk(sp.paragraph.inlines, False)
        for k in marked:
            c = sp.chars[k]
            found = [
                d for d in dots
                if d[0] == c.page and d[1] < (c.x0 + c.x1) / 2 < d[3]
                and c.baseline - 2 * BODY < d[2] < c.baseline
            ]
            if c.text in PUNCTUATION:
                assert not found, f"dot on punctuation {c.text}"
                continue
            want += 1
            assert len(found) == 1, (c.text, found)
            _, x0, top, x1, bottom = found[0]
            # centred above the character: 0.88em (em top) + a quarter em (half the dot box)
            assert abs((x0 + x1) / 2 - (c.x0 + c.x1) / 2) < 0.3
            assert abs((top + bottom) / 2 - (c.baseline - 1.13 * BODY)) < 0.4
            assert bottom < c.baseline - 0.85 * BODY
    assert want > 20
    assert len(dots) == want  # nothing else drawn


def test_import_does_not_patch_and_exit_restores():
    """Importing patches nothing; installed() patches every function it names and the
    last exit restores WeasyPrint exactly (also the builtins it shadows), even after an
    error inside the block; rendering outside installed() is refused."""
    import subprocess
    import sys

    code = """
import pytest
import publish.typeset_ja.weasyprint as jl
from publish.writers.pdf import render_html
from weasyprint.draw import text
from weasyprint.layout import block, column, inline, page
from weasyprint.text import line_break
names = [(inline, "text_align"), (inline, "get_next_linebox"), (inline, "split_inline_box"),
         (text, "draw_first_line"), (line_break.Layout, "set_text"), (block, "block_level_layout"),
         (page, "block_level_layout"), (block, "block_box_layout")]
before = [getattr(o, n) for o, n in names]
assert inline.text_align.__module__ == "weasyprint.layout.inline"
assert not jl.is_installed() and "int" not in text.__dict__ and "max" not in column.__dict__
with pytest.raises(RuntimeError, match="installed"):
    render_html("<p>x</p>", None)
with pytest.raises(ZeroDivisionError):
    with jl.installed():
        assert all(getattr(o, n) is not b for (o, n), b in zip(names, before))
        assert text.__dict__["int"] is not int and "max" in column.__dict__
        with jl.installed():
            pass
        assert inline.text_align.__module__.startswith("publish")
        1 / 0
assert [getattr(o, n) for o, n in names] == before
assert not jl.is_installed() and "int" not in text.__dict__ and "max" not in column.__dict__
"""
    subprocess.run([sys.executable, "-c", code], check=True)


def test_gothic_ruby_and_dots(extension):
    """Questions are set in Noto Sans JP: readings and dots sit the same way."""
    css = (
        "@font-face { font-family: 'Noto Sans JP'; src: url(fonts/NotoSansJP-Regular.ttf); }"
        "html { font-family: 'Noto Sans JP' }"
    )
    para = Paragraph((
        Text("ここで"), Emphasis((Text("大切なのは"),)), Text("、"), Ruby("行政", "ぎょうせい"),
        Text("のDXです。"),
    ))
    rendered = read_pdf(render([para], 20, css), 20)
    (line,) = rendered.lines
    assert line.text == para.plain
    assert len(rendered.dots) == 5
    for _, x0, top, x1, bottom in rendered.dots:
        assert abs(line.baseline - (top + bottom) / 2 - 1.13 * BODY) < 0.4
    reading = rendered.small
    assert "".join(c.text for c in reading) == "ぎょうせい"
    assert abs(reading[0].baseline + 0.12 * BODY / 2 - (line.baseline - 0.88 * BODY)) < 0.15


def test_text_stream_in_reading_order(extension):
    """Stream-order extraction (pdfium, as in PDF viewers' copy and search) gets every
    paragraph's text contiguous and in order: ruby bases and emphasised characters are
    drawn with their line (only the readings come after). pdfium itself inserts a space
    at Japanese-Latin script changes, with or without a gap, so spaces are ignored."""
    import re

    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(render_stress_and_sample(27))  # render(ALL, 27): the 27em setting's PDF
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    text = re.sub(r"\s", "", text)
    pos = 0
    from publish.typeset_ja import fullwidth_punctuation

    for p in ALL:
        want = re.sub(r"\s", "", fullwidth_punctuation(p.plain))  # ? ( ) set full-width
        found = text.find(want, pos)
        assert found >= 0, want[:30]
        pos = found + len(want)


def test_ruby_readings_stay_inside_the_column(extension):
    """A reading that would overhang a kana on the previous or next line is pulled in at
    the line's start or end; the base keeps its inset (JLReq: the ruby aligns with the
    line edge)."""
    paras = [
        Paragraph((Text("あいうえおかきくけ"), Ruby("東", "ひがしひがし"), Text("のこ"))),
        Paragraph((Text("あいうえおかき"), Ruby("東", "ひがしひがし"), Text("の"))),
    ]
    rendered = read_pdf(render(paras, 10), 10)
    lefts = column_lefts(10)
    assert len(rendered.small) == 12
    for c in rendered.small:
        col = 0 if c.x0 < lefts[1] - EM else 1
        assert lefts[col] - 0.01 <= c.x0 and c.x1 <= lefts[col] + 10 * EM + 0.01, c
    starts = [c.x0 for c in rendered.small[:6]]
    assert abs(min(starts) - lefts[0]) < 0.05  # aligned with the line start
    ends = [c.x1 for c in rendered.small[6:]]
    assert abs(max(ends) - (lefts[1] + 10 * EM)) < 0.05  # aligned with the line end
