"""JLReq typography measured on the sample interview set by the real pipeline
(publish.render + the brochure layout + WeasyPrint inside typeset_ja.weasyprint.installed()).

Until the brochure layout links typeset_ja.css and marks its body with class="jlreq",
the test adds both to the rendered HTML itself.
"""

from __future__ import annotations

import collections
import io
from pathlib import Path

import pdfplumber
import pytest

from publish.model import Answer
from publish.typeset_ja import halved_positions
from publish.typeset_ja import weasyprint as jlreq
from publish.typeset_ja.classes import INSEPARABLE, NOT_AT_LINE_END, NOT_AT_LINE_START, is_latin

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "content" / "tokyo-ict-exchange.yaml"
CSS = ROOT / "layouts" / "brochure" / "typeset_ja.css"


@pytest.fixture(scope="module")
def sample():
    from publish.app.build import layout_for, load
    from publish.writers.pdf import render_html
    from publish.render import render_print_html

    doc = load(SAMPLE)
    layout = layout_for(doc)
    html = render_print_html(doc, layout)
    if "typeset_ja.css" not in html:
        html = html.replace("<style>", f'<link rel="stylesheet" href="{CSS.as_uri()}">\n<style>', 1)
    if "jlreq" not in html:
        html = html.replace("<body class=\"", '<body class="jlreq ', 1)
    with jlreq.installed():
        data = render_html(html, layout).write_pdf()
    return doc, data, layout.type_area


def _body_lines(data, body_size):
    """Serif body-size lines of the interview pages, per (page, column), top to bottom."""
    columns = collections.defaultdict(lambda: collections.defaultdict(list))
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for pno, page in enumerate(pdf.pages):
            if pno == 0:
                continue  # cover
            for c in page.chars:
                if abs(c["size"] - body_size) > 0.01 or "Serif" not in c["fontname"]:
                    continue
                col = 0 if c["x0"] < page.width / 2 else 1
                columns[(pno, col)][round(page.height - c["matrix"][5], 2)].append(c)
    out = {}
    for key, lines in columns.items():
        out[key] = [
            (y, sorted(lines[y], key=lambda c: c["x0"])) for y in sorted(lines)
        ]
    return out


def _answers(doc):
    return [
        p.plain
        for section in doc.sections
        for turn in section.turns
        if isinstance(turn, Answer)
        for p in turn.paragraphs
    ]


def test_sample_lines_justified_and_broken_by_the_rules(sample):
    doc, data, area = sample
    size = area.body_size
    paragraphs = _answers(doc)
    columns = _body_lines(data, size)
    assert columns
    checked = 0
    bad = []
    for (page, col), lines in columns.items():
        ends = collections.Counter(round(cs[-1]["x1"], 1) for _, cs in lines)
        right = ends.most_common(1)[0][0]
        for n, (y, cs) in enumerate(lines):
            text = "".join(c["text"] for c in cs)
            first, last = cs[0]["text"], cs[-1]["text"]
            if first in NOT_AT_LINE_START:
                bad.append(f"p{page} starts with {first}: {text}")
            if last in NOT_AT_LINE_END:
                bad.append(f"p{page} ends with {last}: {text}")
            if n + 1 < len(lines):
                nxt = lines[n + 1][1][0]["text"]
                if last in INSEPARABLE and nxt in INSEPARABLE:
                    bad.append(f"p{page} splits {last}{nxt}: {text}")
            flat = text.replace(" ", "")
            # a paragraph's last line (a full line is ~25 characters: its text is unique)
            if any(p.replace(" ", "").endswith(flat) for p in paragraphs):
                continue
            para = next((p for p in paragraphs if flat in p.replace(" ", "")), None)
            checked += 1
            end = cs[-1]["x1"]
            if para is not None:
                # a line-final closer of a consecutive pair is half-width
                k = para.replace(" ", "").find(text.replace(" ", "")) + len(text.replace(" ", "")) - 1
                if k in halved_positions(para.replace(" ", "")):
                    end -= size / 2
            if abs(end - right) > 0.5:
                bad.append(f"p{page} c{col} ends {end - right:+.2f}pt: {text}")
            if n + 1 < len(lines) and is_latin(last) and is_latin(lines[n + 1][1][0]["text"]):
                joined = text + "".join(c["text"] for c in lines[n + 1][1])
                if para is not None and joined.replace(" ", "") in para.replace(" ", "") and (
                    text + lines[n + 1][1][0]["text"] in para
                ):
                    bad.append(f"p{page} breaks a Latin word: {text}")
    assert checked > 100
    assert not bad, "\n".join(bad)


def test_sample_body_on_the_line_grid(sample):
    doc, data, area = sample
    size, pitch = area.body_size, area.line_pitch
    bad = []
    for (page, col), lines in _body_lines(data, size).items():
        for (a, _), (b, cs) in zip(lines, lines[1:]):
            step = b - a
            if step < 3 * pitch and abs(step / pitch - round(step / pitch)) * pitch > 0.1:
                bad.append(f"p{page} c{col}: {step:.2f}pt before {''.join(c['text'] for c in cs)[:12]}")
    assert not bad, "\n".join(bad)
