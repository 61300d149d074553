"""Push-in (追い込み, JLReq 3.8) measured on real PDF output.

When a line-start prohibited character (、。」 …) would start the next line, the extension
keeps it on the line if the line can absorb it by compressing in JLReq's order (the
line-end half-em first, then the blanks around ・：；, then the half-ems of brackets and
commas inside the line), and pushes the previous character out only if it cannot.

Paragraphs built for each column width put a 、 。 or 」 exactly one character past the end
of a full line; the stress text and the sample are set at 20, 24, 25, 27 and 33 em.
Everything is read back with pdfplumber (glyph origins and advances as written in the
PDF).
"""

from __future__ import annotations

import collections
import io

import pdfplumber
import pytest

from publish.model import Paragraph, Text
from publish.typeset_ja import halved_positions
from publish.typeset_ja import weasyprint as jlreq
from publish.typeset_ja.weasyprint import context as jl_context
from publish.typeset_ja.classes import NOT_AT_LINE_START, OPENING_BRACKETS, PUNCTUATION, is_japanese, is_latin

from .test_typeset_ja_harness import (
    BODY,
    FIXTURES,
    column_lefts,
    load_paragraphs,
    read_pdf,
    render,
    read_stress_and_sample,
    sample_paragraphs,
    split_paragraphs,
    stress_and_sample,
)

WIDTHS = (20, 24, 25, 27, 33)
EM = BODY
TOL = 0.5  # pt

STRESS = load_paragraphs(FIXTURES / "typeset" / "stress.txt")
SAMPLE = sample_paragraphs()
ALL = STRESS + SAMPLE
assert ALL == stress_and_sample()  # what render_stress_and_sample sets

# plain kanji and kana: none of them is punctuation or prohibited at a line's start
FILLER = "東京都職員研修交流派遣実務経験知見現場民間企業行政組織人材育成基本方針技術支援案件担当業務"


def filler(n: int, offset: int = 0) -> str:
    return "".join(FILLER[(offset + i) % len(FILLER)] for i in range(n))


@pytest.fixture(scope="module", autouse=True)
def extension():
    with jlreq.installed() as jl:
        yield jl


# --- paragraphs built to need push-in ------------------------------------------------------
#
# The first line holds the 1em indent and w-1 characters; the second line is built to be
# full (w ems) right before the target punctuation, which is then character w+1.


def built_cases(w: int):
    """(name, paragraph, target punctuation, whether it can be pushed in)."""
    first = filler(w - 1)
    tail = filler(6, 7) + "。"
    cases = []
    # a 」「 pair (half an em shorter) inside the line: the line-end half-em alone absorbs
    # the overflow of half an em (w characters in w - 1/2 em, then the punctuation)
    for mark in ("、", "。"):
        line = filler(5, 3) + "」「" + filler(w - 7, 11)
        cases.append((f"line-end{mark}", first + line + mark + tail, mark, True))
    line = filler(4, 3) + "」「" + filler(w - 6, 11)  # the 「 opened here closes at w+1
    cases.append(("line-end」", first + line + "」" + tail, "」", True))
    # a full line of w ems with a middle dot in it: overflow one em = line end + ・
    line = filler(8, 5) + "・" + filler(w - 9, 13)
    cases.append(("middle-dot", first + line + "。" + tail, "。", True))
    # ... or with a comma in it (the comma's half-em after it)
    line = filler(6, 5) + "、" + filler(w - 7, 13)
    cases.append(("mid-comma", first + line + "、" + tail, "、", True))
    # a full line without anything to compress: pushed out as before
    line = filler(w, 5)
    cases.append(("push-out", first + line + "、" + tail, "、", False))
    return cases


@pytest.fixture(scope="module", params=WIDTHS, ids=[f"{w}em" for w in WIDTHS])
def built(request, extension):
    w = request.param
    cases = built_cases(w)
    paras = [Paragraph((Text(text),)) for _, text, _, _ in cases]
    rendered = read_pdf(render(paras, w), w)
    return w, cases, split_paragraphs(rendered, paras)


def test_built_cases_push_in_half_width_and_flush(built):
    w, cases, paras = built
    lefts = column_lefts(w)
    for (name, text, mark, pushable), sp in zip(cases, paras):
        second = sp.lines[1]
        right = lefts[second.column] + w * EM
        last = second.chars[-1]
        texts = [line.text for line in sp.lines]
        if pushable:
            # (a) the punctuation stays on the line, set half-width, the line flush
            assert second.text.endswith(mark) and len(second.text) == w + 1, (name, texts)
            assert abs(last.x1 - right) <= TOL, (name, last.x1 - right, texts)
            assert abs((last.x1 - last.x0) - EM / 2) < 0.05, (name, last.x1 - last.x0)
            assert not sp.lines[2].chars[0].text in NOT_AT_LINE_START
        else:
            # nothing to compress: the previous character goes down with it
            assert len(second.text) == w - 1, (name, texts)
            assert sp.lines[2].text[1] == mark, (name, texts)
            assert abs(last.x1 - right) <= TOL, (name, last.x1 - right, texts)
        assert sp.text == text


def test_built_cases_compress_only_what_jlreq_allows(built):
    w, cases, paras = built
    for (name, text, mark, pushable), sp in zip(cases, paras):
        _check_compression(sp, w, name)


# --- the stress text and the sample at several widths -------------------------------------


@pytest.fixture(scope="module")
def at_25em(extension):
    """ALL set at 25 em with the defaults, and the extension's decisions while it was set:
    the 25 em `setting`, and the layout-token test's "on" case."""
    extension.reset_decisions()
    data = render(ALL, 25)
    decisions = list(extension.decisions.values())
    extension.reset_decisions()
    return data, decisions


@pytest.fixture(scope="module", params=WIDTHS, ids=[f"{w}em" for w in WIDTHS])
def setting(request, extension):
    width = request.param
    # read_pdf(render(ALL, width)): at 25 em this module's own, the other widths shared with test_typeset_ja
    if width == 25:
        rendered = read_pdf(request.getfixturevalue("at_25em")[0], width)
    else:
        rendered = read_stress_and_sample(width)
    return width, rendered, split_paragraphs(rendered, ALL)


def test_no_line_starts_with_a_prohibited_character(setting):
    """(b) zero violations, lines still flush (all but a paragraph's last)."""
    width, rendered, paras = setting
    lefts = column_lefts(width)
    bad = []
    for p in paras:
        halved = halved_positions(p.text)
        k = 0
        for n, (a, b) in enumerate(zip(p.lines, p.lines[1:])):
            k += len(a.chars)
            if b.chars[0].text in NOT_AT_LINE_START:
                bad.append(f"starts with {b.chars[0].text}: {b.text}")
            end = a.chars[-1].x1 - (EM / 2 if k - 1 in halved else 0)
            right = lefts[a.column] + width * EM
            if abs(end - right) > TOL and not _ruby_at_end(rendered, a, right):
                bad.append(f"end {end - right:+.2f}pt: {a.text}")
    assert not bad, "\n".join(bad)


def _ruby_at_end(rendered, line, right):
    return any(
        c.page == line.page and 0 < line.baseline - c.baseline < EM and abs(c.x1 - right) < TOL
        for c in rendered.small
    )


def test_compression_never_exceeds_jlreq(setting):
    """(c) punctuation never narrower than half an em, the 和欧間 never below the
    extension's minimum (a quarter em as configured: it is not compressed)."""
    width, rendered, paras = setting
    for sp in paras:
        _check_compression(sp, width, "")


def _check_compression(sp, width, name, min_wakan=jl_context.MIN_WAKAN):
    lefts = column_lefts(width)
    wakan_min = min_wakan * EM
    for line in sp.lines:
        cs = line.chars
        right = lefts[line.column] + width * EM
        for i, c in enumerate(cs):
            if not (c.text in PUNCTUATION and is_japanese(c.text)) or c.text in "─…‥":
                continue
            # the room the punctuation takes: from the previous glyph's end (or its own
            # origin at the line start) to the next glyph's origin (or the column edge)
            start = cs[i - 1].x1 if i and is_japanese(cs[i - 1].text) else None
            if start is None or cs[i - 1].text in PUNCTUATION:
                continue  # a pair's shared blank (約物詰め) is measured by the pair test
            if i + 1 < len(cs):
                if cs[i + 1].text in PUNCTUATION or not is_japanese(cs[i + 1].text):
                    continue
                end = cs[i + 1].x0
            else:
                end = min(right, c.x1)
            room = end - start
            assert room >= EM / 2 - 0.05, (name, c.text, round(room, 2), line.text)
        for a, b in zip(cs, cs[1:]):
            plain = lambda ch: is_japanese(ch) and ch not in PUNCTUATION  # noqa: E731
            if (is_latin(a.text) and plain(b.text)) or (plain(a.text) and is_latin(b.text)):
                # 0.1 pt: Pango rounds the letter-spacing of a very loose line (+5.8 pt) by ~0.07 pt
                assert b.x0 - a.x1 >= wakan_min - 0.1, (name, a.text, b.text, line.text)


def test_pushed_in_punctuation_keeps_the_text_layer(setting):
    """The half-width glyph drawn for a pushed-in 、。」 still reads as 、。」 (the text
    layer equals the source: split_paragraphs asserts it), and its advance in the PDF
    is half an em."""
    width, rendered, paras = setting
    lefts = column_lefts(width)
    halves = 0
    for sp in paras:
        for line in sp.lines[:-1]:
            last = line.chars[-1]
            if last.text in "、。」" and abs((last.x1 - last.x0) - EM / 2) < 0.05:
                halves += 1
                assert abs(last.x1 - (lefts[line.column] + width * EM)) <= TOL
    assert halves >= 1


# --- before / after on the sample (the real pipeline) --------------------------------------


def _sample_pdf(push_in: bool) -> bytes:
    from pathlib import Path

    from publish.app.build import layout_for, load
    from publish.writers.pdf import render_html
    from publish.render import render_print_html

    root = Path(__file__).resolve().parents[1]
    css = root / "layouts" / "brochure" / "typeset_ja.css"
    doc = load(root / "content" / "tokyo-ict-exchange.yaml")
    layout = layout_for(doc)
    html = render_print_html(doc, layout)
    if "typeset_ja.css" not in html:
        html = html.replace("<style>", f'<link rel="stylesheet" href="{css.as_uri()}">\n<style>', 1)
    if "jlreq" not in html:
        html = html.replace('<body class="', '<body class="jlreq ', 1)
    with jlreq.installed(push_in=push_in) as jl:
        return render_html(html, layout).write_pdf(), layout.type_area.body_size, jl.decision_counts()


def _sample_lines(data, size):
    columns = collections.defaultdict(lambda: collections.defaultdict(list))
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for pno, page in enumerate(pdf.pages):
            if pno == 0:
                continue
            for c in page.chars:
                if abs(c["size"] - size) > 0.01 or "Serif" not in c["fontname"]:
                    continue
                col = 0 if c["x0"] < page.width / 2 else 1
                columns[(pno, col)][round(page.height - c["matrix"][5], 2)].append(c)
    out = []
    for key in sorted(columns):
        for y in sorted(columns[key]):
            out.append(sorted(columns[key][y], key=lambda c: c["x0"]))
    return out


def count_breaks(lines, size):
    """(push-out, push-in) line counts: a line is push-out when the next starts with a
    character followed by a line-start prohibited one (the character went down with
    it); push-in when it ends with a line-start prohibited punctuation drawn half-width
    that is not a 約物詰め pair."""
    out = pushed_in = 0
    for a, b in zip(lines, lines[1:]):
        text_b = "".join(c["text"] for c in b)
        if (
            len(text_b) > 1 and text_b[1] in NOT_AT_LINE_START
            and text_b[0] not in NOT_AT_LINE_START and text_b[0] not in OPENING_BRACKETS
            and is_japanese(text_b[0])
        ):
            out += 1
        last = a[-1]
        if last["text"] in NOT_AT_LINE_START and abs(last["x1"] - last["x0"] - size / 2) < 0.05:
            pushed_in += 1
    return out, pushed_in


@pytest.fixture(scope="module")
def sample_counts(extension):
    counts = {}
    for push_in in (False, True):
        data, size, decisions = _sample_pdf(push_in)
        counts[push_in] = (decisions, count_breaks(_sample_lines(data, size), size), data)
    return counts


def test_sample_push_out_lines_become_push_in(sample_counts):
    """(d) on the sample: how many line breaks were push-out before and are push-in
    after (the extension's own record of its decisions), and the same seen in the PDF."""
    before, (pdf_out_before, pdf_in_before), data_before = sample_counts[False]
    after, (pdf_out_after, pdf_in_after), data_after = sample_counts[True]
    print(
        f"\nsample, extension's record: push-out {before['push-out']} before; "
        f"after: push-in {after['push-in']}, push-out {after['push-out']}"
        f"\nsample, read from the PDF: lines followed by a pushed-out character "
        f"{pdf_out_before} -> {pdf_out_after}; lines ending with half-width 、。」 "
        f"{pdf_in_before} -> {pdf_in_after}"
    )
    assert before["push-in"] == 0 and before["push-out"] > 0
    assert after["push-in"] >= 1
    assert pdf_in_before == 0 and pdf_in_after >= 1
    assert pdf_out_after < pdf_out_before


# --- the 和欧間 step (off by default) ------------------------------------------------------


@pytest.mark.parametrize("width", (20, 25, 33))
def test_wakan_compression_when_enabled(extension, width):
    """With the typesetting.min_wakan token at 1/8 em push-in may also take the 和欧間
    down to an eighth: lines stay flush, nothing prohibited starts a line, no 和欧間 is
    narrower than 1/8 em."""
    with jlreq.installed(min_wakan=1 / 8) as jl:
        rendered = read_pdf(render(ALL, width), width)
        counts = jl.decision_counts()
    paras = split_paragraphs(rendered, ALL)
    lefts = column_lefts(width)
    for sp in paras:
        halved = halved_positions(sp.text)
        k = 0
        for a, b in zip(sp.lines, sp.lines[1:]):
            k += len(a.chars)
            assert b.chars[0].text not in NOT_AT_LINE_START, b.text
            end = a.chars[-1].x1 - (EM / 2 if k - 1 in halved else 0)
            right = lefts[a.column] + width * EM
            assert abs(end - right) <= TOL or _ruby_at_end(rendered, a, right), a.text
        _check_compression(sp, width, "wakan", min_wakan=1 / 8)
    assert counts["push-in"] >= 1


# --- the layout tokens -----------------------------------------------------------------------


def test_push_in_and_short_end_follow_the_layout_tokens(extension, at_25em):
    """typesetting.push_in / short_end / min_wakan reach the extension as --jl-push-in,
    --jl-short-end and --jl-min-wakan: switched off in the CSS, no line is pushed in (the
    pushed-out ones are still recorded) and no paragraph end is re-set."""
    from publish.layout import apply_style, load_layout

    layout = apply_style(load_layout("brochure"),
                         {"typesetting": {"push_in": False, "short_end": False, "min_wakan": 0.125}}, None)
    css = layout.css_variables("print")
    assert "--jl-push-in: off;" in css and "--jl-short-end: off;" in css and "--jl-min-wakan: 0.125;" in css
    assert "--jl-push-in" not in load_layout("brochure").css_variables("print")  # unset: the defaults

    decisions = {"on": at_25em[1]}  # render(ALL, 25) with the defaults
    extension.reset_decisions()
    render(ALL, 25, ":root { --jl-push-in: off; --jl-short-end: off; }")
    decisions["off"] = list(extension.decisions.values())
    extension.reset_decisions()
    assert decisions["on"].count("push-in") >= 1
    assert any(d.startswith("short-end") for d in decisions["on"])
    assert decisions["off"].count("push-in") == 0 and decisions["off"].count("push-out") >= 1
    assert not any(d.startswith("short-end") for d in decisions["off"])
