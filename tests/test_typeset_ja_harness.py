"""(No tests here.) A small WeasyPrint harness for the JLReq typesetting tests: renders paragraphs in two
justified columns of a whole number of ems and reads the body lines back from the PDF
(pdfplumber chars: origin, advance, baseline), so the tests measure real output.
"""

from __future__ import annotations

import functools
import io
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
import weasyprint

from publish.model import Emphasis, Paragraph, Ruby, Strong, Text
from publish.typeset_ja import paragraph_html

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

BODY = 9.0  # pt
PITCH = 16.0  # pt
MARGIN = 36.0  # pt
GAP_EM = 2


# --- fixtures: a minimal reader of the source inline markup ----------------------------

_TOKEN = re.compile(r"\{([^|{}]+)\|([^{}]+)\}|《《(.+?)》》|\*\*(.+?)\*\*")


def parse_inline(text: str) -> tuple:
    """``{base|reading}``, ``《《…》》`` and ``**…**`` (enough for the test fixtures)."""
    out = []
    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() > pos:
            out.append(Text(text[pos : m.start()]))
        if m.group(1):
            out.append(Ruby(m.group(1), m.group(2)))
        elif m.group(3):
            out.append(Emphasis(parse_inline(m.group(3))))
        else:
            out.append(Strong(parse_inline(m.group(4))))
        pos = m.end()
    if pos < len(text):
        out.append(Text(text[pos:]))
    return tuple(out)


def load_paragraphs(path: Path) -> list[Paragraph]:
    blocks = [b.strip() for b in path.read_text(encoding="utf-8").split("\n\n")]
    return [Paragraph(parse_inline(b.replace("\n", ""))) for b in blocks if b]


def sample_paragraphs() -> list[Paragraph]:
    """The long body paragraphs of the sample interview's seed text."""
    lines = (FIXTURES / "seed-tokyo-ict-exchange.txt").read_text(encoding="utf-8").splitlines()
    return [Paragraph((Text(line.strip()),)) for line in lines[8:] if len(line.strip()) > 60]


# --- rendering -------------------------------------------------------------------------


def page_width(columns_em: int) -> float:
    return 2 * MARGIN + (2 * columns_em + GAP_EM) * BODY


def column_lefts(columns_em: int) -> tuple[float, float]:
    return MARGIN, MARGIN + (columns_em + GAP_EM) * BODY


def html_document(paragraphs, columns_em: int, extra_css: str = "") -> str:
    body = "\n".join(f"<p>{paragraph_html(p)}</p>" for p in paragraphs)
    return f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<link rel="stylesheet" href="layouts/brochure/typeset_ja.css">
<style>
@font-face {{ font-family: "Noto Serif JP"; src: url(fonts/NotoSerifJP-Regular.ttf); }}
@font-face {{ font-family: "Noto Serif JP"; font-weight: bold; src: url(fonts/NotoSerifJP-Bold.ttf); }}
@page {{ size: {page_width(columns_em)}pt 842pt; margin: {MARGIN}pt; }}
html {{ font-family: "Noto Serif JP"; font-size: {BODY}pt; line-height: {PITCH}pt; }}
body {{ margin: 0; column-count: 2; column-gap: {GAP_EM}em; }}
p {{ margin: 0; text-indent: 1em; text-align: justify; }}
{extra_css}
</style>
</head><body class="jlreq">
{body}
</body></html>"""


def render(paragraphs, columns_em: int, extra_css: str = "") -> bytes:
    html = html_document(paragraphs, columns_em, extra_css)
    return weasyprint.HTML(string=html, base_url=str(ROOT) + "/").write_pdf()


def stress_and_sample() -> list[Paragraph]:
    """The stress paragraphs and the sample's long body paragraphs: what the JLReq tests set."""
    return load_paragraphs(FIXTURES / "typeset" / "stress.txt") + sample_paragraphs()


def render_stress_and_sample(columns_em: int) -> bytes:
    """render(stress_and_sample(), columns_em) with the extension's defaults (its context
    when one is active). test_typeset_ja and test_typeset_ja_pushin measure the same
    settings, so each width is set once per test run (conftest.shared) and both read it."""
    from publish.typeset_ja import weasyprint as jlreq

    from .conftest import shared

    def make(folder: Path) -> dict:
        path = folder / f"stress-and-sample-{columns_em}em.pdf"
        with jlreq.installed():
            path.write_bytes(render(stress_and_sample(), columns_em))
        return {"path": path}

    return shared(f"typeset-stress-and-sample-{columns_em}em", make)["path"].read_bytes()


@functools.cache
def read_stress_and_sample(columns_em: int) -> Rendered:
    """read_pdf(render_stress_and_sample(columns_em)), read once per process (both modules
    may run in one): the tests only read it."""
    return read_pdf(render_stress_and_sample(columns_em), columns_em)


# --- reading the PDF back ------------------------------------------------------------


@dataclass
class Char:
    text: str
    x0: float  # origin
    x1: float  # origin + advance
    baseline: float  # from the page top
    size: float
    page: int


@dataclass
class Line:
    page: int
    column: int
    baseline: float
    chars: list[Char] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.chars)


@dataclass
class Rendered:
    columns_em: int
    lines: list[Line]  # body lines in reading order
    small: list[Char]  # ruby readings
    dots: list[tuple[int, float, float, float, float]]  # page, x0, top, x1, bottom
    page_count: int


def read_pdf(data: bytes, columns_em: int) -> Rendered:
    lefts = column_lefts(columns_em)
    lines: dict[tuple[int, int, float], Line] = {}
    small: list[Char] = []
    dots = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for pno, page in enumerate(pdf.pages):
            for c in page.chars:
                ch = Char(
                    c["text"], c["x0"], c["x1"], round(page.height - c["matrix"][5], 2),
                    round(c["size"], 2), pno,
                )
                if abs(ch.size - BODY) > 0.01:
                    small.append(ch)
                    continue
                column = 0 if ch.x0 < lefts[1] - GAP_EM * BODY / 2 else 1
                key = (pno, column, round(ch.baseline, 1))
                lines.setdefault(key, Line(pno, column, ch.baseline)).chars.append(ch)
            for curve in page.curves:
                dots.append((pno, curve["x0"], curve["top"], curve["x1"], curve["bottom"]))
        page_count = len(pdf.pages)
    ordered = [lines[k] for k in sorted(lines)]
    for line in ordered:
        line.chars.sort(key=lambda c: c.x0)
    small.sort(key=lambda c: (c.page, 0 if c.x0 < lefts[1] - GAP_EM * BODY / 2 else 1,
                              round(c.baseline), c.x0))
    return Rendered(columns_em, ordered, small, dots, page_count)


@dataclass
class SetParagraph:
    paragraph: Paragraph
    lines: list[Line]
    chars: list[Char]  # aligned with ``text``
    text: str  # the source text minus the spaces that fell at line breaks
    spaced_breaks: set[int] = field(default_factory=set)  # line indexes followed by a space


def split_paragraphs(rendered: Rendered, paragraphs) -> list[SetParagraph]:
    """Assign the rendered lines to paragraphs by their text, in order.

    Raises AssertionError if the text read back differs from the source text."""
    out = []
    lines = list(rendered.lines)
    i = 0
    from publish.typeset_ja import fullwidth_punctuation

    for p in paragraphs:
        expected = fullwidth_punctuation(p.plain)  # ? ( ) in Japanese text are set full-width
        got_lines = []
        consumed = ""
        while len(consumed.replace(" ", "")) < len(expected.replace(" ", "")):
            assert i < len(lines), f"ran out of lines in {expected[:20]}…"
            got_lines.append(lines[i])
            consumed += lines[i].text
            i += 1
        assert consumed.replace(" ", "") == expected.replace(" ", ""), (
            f"text layer differs:\n got {consumed!r}\nwant {expected!r}"
        )
        assert consumed.count(" ") <= expected.count(" "), f"inserted spaces in {consumed!r}"
        chars = [c for line in got_lines for c in line.chars]
        spaced, pos = set(), 0
        for n, line in enumerate(got_lines[:-1]):
            pos = expected.index(line.text, pos) + len(line.text)
            if expected[pos : pos + 1] == " ":
                spaced.add(n)
        out.append(SetParagraph(p, got_lines, chars, consumed, spaced))
    assert i == len(lines), f"{len(lines) - i} lines left over"
    return out


def line_spacing(line: Line) -> float | None:
    """The inter-character justification added to a line (median over kanji/kana pairs),
    None when the line has no such pair."""
    from publish.typeset_ja.classes import PUNCTUATION, is_japanese

    steps = [
        b.x0 - a.x0 - BODY
        for a, b in zip(line.chars, line.chars[1:])
        if is_japanese(a.text) and is_japanese(b.text)
        and a.text not in PUNCTUATION and b.text not in PUNCTUATION
        and abs(a.size - BODY) < 0.1 and abs(b.size - BODY) < 0.1  # not the 8.5pt speaker label
    ]
    return statistics.median(steps) if steps else None
