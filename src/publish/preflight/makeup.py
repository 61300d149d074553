"""Make-up audit: what a Japanese editorial designer would mark on the proofs.

Works from the glyphs of the finished PDF only (pdfplumber characters: position, font,
size), so it judges any PDF, whatever made it. It reports, with page numbers:

- ``blank``: pages with no content but the folio, the running head and marks;
- ``headline``: headline lines (titles, headings, pull quotes: text larger than the body,
  or bold and at least body size) broken inside a BudouX phrase (文節), or a broken
  headline leaving a line of one or two characters;
- ``last-line``: body paragraphs whose last line holds one or two characters (「か?」);
- ``column-hole``: a column ending more than three lines above its neighbour although the
  text continues after it (below a spanning heading, or on the next page);
- ``wakan``: a Japanese character directly against a Latin letter or digit with no space
  (和欧間 missing), in any text of the page;
- ``keep``: the keep rules (``MakeupAudit.keeps``): a headline with fewer than three body
  lines after it at the foot of its page while the text goes on, a question ending at the
  foot of a column or keeping one line of its answer there, a paragraph's first line alone
  at the foot of a column (orphan) or its last line alone at the head of one (widow).

Running text set larger than the body is not a headline: a block of three or more lines in
a regular-weight serif under 1.5 times the body size (the lead, which the make-up enlarges
when it loosens a brochure) is read as text, whatever its size.

A vertical page (縦組み: fullwidth glyphs follow each other downwards) is read in frame
terms: each column is a line, columns right to left are lines top to bottom, so the same
checks apply; there a page whose last column stops more than three columns short of the
type area while the text continues is a ``column-hole`` too, and 縦中横 (upright Latin
and figures) is not taken for a missing 和欧間.

It also measures the body's 和欧間 (median gap in em between Japanese and Latin in body
lines). ``audit(path)`` returns a :class:`MakeupAudit`; ``publish check FILE.pdf``
reports the findings as warnings (check ``makeup``, each message starting with its kind); ``python -m
publish.preflight.makeup FILE.pdf…`` prints one table row per file.
"""

from __future__ import annotations

import statistics
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

KINDS = ('blank', 'headline', 'last-line', 'column-hole', 'wakan', 'keep')
LABELS = {
    'blank': 'blank pages',
    'headline': 'headline breaks inside a phrase / 1–2 character headline lines',
    'last-line': 'body last lines of 1–2 characters',
    'column-hole': 'column holes',
    'wakan': 'Japanese–Latin pairs with no space',
    'keep': 'keep rules broken (heading, question, orphan, widow)',
}


# ----------------------------------------------------------------------------- characters

def is_japanese(ch: str) -> bool:
    """Kana, kanji and the marks that behave like them (not punctuation or brackets)."""
    if not ch:
        return False
    o = ord(ch)
    return (0x3041 <= o <= 0x309F and o not in (0x309B, 0x309C)      # hiragana
            or 0x30A1 <= o <= 0x30FA or o in (0x30FC, 0x30FD, 0x30FE)  # katakana, ー
            or 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF           # kanji
            or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2FFFF
            or o in (0x3005, 0x3006, 0x3007, 0x30F6, 0x30F5)          # 々〆〇ヶヵ
            or 0xFF66 <= o <= 0xFF9D)                                  # half-width katakana


def is_latin(ch: str) -> bool:
    """A European letter or digit (the other side of 和欧間). Full-width Ａ１ are Japanese-style."""
    if not ch or ord(ch) > 0x24F:
        return False
    return ch.isalnum()


def _is_space(ch: str) -> bool:
    return ch != '\u3000' and (ch.isspace() or ch == '\u200b' or len(ch) == 1 and unicodedata.category(ch) == 'Zs')


# ----------------------------------------------------------------------------- lines

@dataclass
class Glyph:
    text: str
    x0: float
    x1: float
    base: float          # baseline, PDF y (up)
    size: float
    font: str
    bold: bool
    upright_unit: bool = False   # vertical page: a Latin letter or figure set upright (縦中横)


@dataclass
class Line:
    page: int
    glyphs: list[Glyph]
    kind: str = 'other'  # body, headline, small, other

    @property
    def text(self) -> str:
        return ''.join(g.text for g in self.glyphs)

    @property
    def ink(self) -> str:
        """The text without spaces."""
        return ''.join(g.text for g in self.glyphs if not _is_space(g.text))

    @property
    def x0(self) -> float:
        return self.glyphs[0].x0

    @property
    def x1(self) -> float:
        return max(g.x1 for g in self.glyphs)

    @property
    def base(self) -> float:
        return statistics.median(g.base for g in self.glyphs)

    @property
    def size(self) -> float:
        sizes = Counter(round(g.size, 1) for g in self.glyphs if not _is_space(g.text))
        return sizes.most_common(1)[0][0] if sizes else round(self.glyphs[0].size, 1)

    @property
    def bold(self) -> bool:
        marks = [g.bold for g in self.glyphs if not _is_space(g.text)]
        return bool(marks) and sum(marks) * 2 > len(marks)


@dataclass
class PageText:
    number: int
    trim: tuple[float, float, float, float]      # x0, y0, x1, y1 in PDF coordinates
    lines: list[Line]
    images: list[tuple[float, float, float, float]]
    glyph_count: int
    graphics: list[tuple[float, float, float, float]] = field(default_factory=list)  # rects, rules
    vertical: bool = False   # 縦組み: read in frame terms (see _vertical_page)


def _font_name(name: str) -> str:
    return name.split('+', 1)[-1]


def _read(path) -> list[PageText]:
    """Every page's glyphs, images and rules, read with pdfium (fast: C++) in pdfplumber's
    terms (see RawPage); a vertical page, and any page of a PDF that declares right-to-left
    progression (pdfium then reorders its text), with pdfplumber, whose Identity-V glyph
    boxes the vertical reading below is written for."""
    from publish.preflight import pdfium_pages

    out = []
    plumber = None
    try:
        for raw in pdfium_pages.read(path):
            if raw is None or _vertical_page(raw.chars):
                if plumber is None:
                    import pdfplumber

                    plumber = pdfplumber.open(str(path))
                raw = pdfium_pages.from_pdfplumber(plumber.pages[len(out)])
                raw.vertical = _vertical_page(raw.chars)
            out.append(_page_text(raw))
    finally:
        if plumber is not None:
            plumber.close()
    return out


def _page_text(page) -> PageText:
    media, trim, height = page.mediabox, page.trimbox or page.mediabox, page.height
    top_offset = media[1]
    # pdfplumber gives boxes as (x0, top, x1, bottom) measured down from the top
    # of a MediaBox as high as the page, x as in the PDF; the glyphs' matrices
    # are pdfminer's, y up from the MediaBox's foot. A print PDF's MediaBox starts
    # below and left of the trim (slug and marks): the trim in the matrices' y is
    x_lo, x_hi = trim[0], trim[2]
    y_lo, y_hi = height + top_offset - trim[3], height + top_offset - trim[1]
    vertical = page.vertical
    glyphs = []
    for ch in page.chars:
        if not ch.get('upright', True) and not vertical:
            continue
        matrix = ch.get('matrix') or (1, 0, 0, 1, ch['x0'], height - ch['bottom'])
        base = matrix[5]
        cx = (ch['x0'] + ch['x1']) / 2
        if not (x_lo <= cx + 0 <= x_hi and y_lo <= base <= y_hi):
            continue   # slug line, marks, bleed
        font = _font_name(ch.get('fontname', ''))
        x0, x1, size = ch['x0'], ch['x1'], ch['size']
        if vertical:
            # the frame: a column is a line (x along it from the page's top), the
            # columns' order right to left is the lines' order top to bottom (base =
            # the column's centre line; a sideways Latin glyph's baseline is 0.38 em
            # left of it, the centre of the ideographic em box)
            x0, x1 = ch['top'], ch['bottom']
            base = cx
            if ch.get('upright', True) and (ch.get('adv') or 0) < 0 and ch.get('matrix'):
                # vertical writing mode (Identity-V): pdfminer places the box by the
                # font's descent; the glyph's em box is its origin plus one em, in
                # the direction it advances (one em down the column)
                em = ch['x1'] - ch['x0']
                x0 = height - (matrix[5] - media[1]) - em   # origin: the em box's foot
                x1 = x0 + em
            if not ch.get('upright', True):
                size = ch['x1'] - ch['x0']   # sideways: the font size lies across
        glyphs.append(Glyph(ch['text'], x0, x1, base, size, font,
                            'bold' in font.lower() or 'black' in font.lower()
                            or 'heavy' in font.lower(),
                            vertical and ch.get('upright', True) and is_latin(ch['text'][:1])))
    images = []
    for im in page.images:
        # pdfplumber: top/bottom from the page top; convert to PDF y
        y0 = height - im['bottom'] + top_offset
        y1 = height - im['top'] + top_offset
        box = (max(im['x0'], x_lo), max(y0, y_lo), min(im['x1'], x_hi), min(y1, y_hi))
        if box[2] - box[0] > 2 and box[3] - box[1] > 2:
            images.append(box)
    graphics = []
    for shape in list(page.rects) + list(page.lines):
        y0 = height - shape['bottom'] + top_offset
        y1 = height - shape['top'] + top_offset
        if shape['x1'] - shape['x0'] > 2 and x_lo < shape['x0'] and shape['x1'] < x_hi:
            graphics.append((shape['x0'], y0, shape['x1'], y1))
    box = (x_lo, y_lo, x_hi, y_hi)
    if vertical:
        # 縦中横 glyphs stand side by side across their column: give them the centre
        # line of the nearest column of upright Japanese text
        centres = sorted({round(g.base, 1) for g in glyphs
                          if not g.upright_unit and is_japanese(g.text[:1])})
        for g in glyphs:
            if g.upright_unit and centres:
                near = min(centres, key=lambda c: abs(c - g.base))
                if abs(near - g.base) <= g.size:
                    g.base = near
        def turn(b):   # PDF box -> frame box (x from the page's top, y = the page's x)
            return (height - b[3] + top_offset, b[0], height - b[1] + top_offset, b[2])
        box = turn(box)
        images = [turn(b) for b in images]
        graphics = [turn(b) for b in graphics]
    centre = (box[0] + box[2]) / 2
    return PageText(page.page_number, box, _lines(page.page_number, glyphs, centre, 0.4 if vertical else 0.12),
                    images, len(glyphs), graphics, vertical)


def _vertical_page(chars) -> bool:
    """A page set vertically (縦組み): most fullwidth glyphs follow the previous one (in
    content-stream order) one below the other rather than side by side. Its glyphs are
    then read in frame terms, a column as a line, so every check below applies."""
    stacked = beside = 0
    previous = None
    for ch in chars:
        if not ch.get('upright', True) or unicodedata.east_asian_width(ch['text'][:1] or ' ') not in 'WF':
            previous = None
            continue
        if previous is not None:
            size = max(ch['size'], 1.0)
            dx, dy = ch['x0'] - previous['x0'], ch['top'] - previous['top']
            if abs(dx) < 0.1 * size and 0.3 * size < dy < 1.6 * size:
                stacked += 1
            elif abs(dy) < 0.1 * size and 0.3 * size < dx < 1.6 * size:
                beside += 1
        previous = ch
    return stacked > 20 and stacked > 3 * beside


def _lines(number: int, glyphs: list[Glyph], centre: float, tolerance: float = 0.12) -> list[Line]:
    """Glyphs on one baseline (within ``tolerance`` em; on a vertical page, centre lines
    of upright and sideways glyphs differ more), split where a gap is wider than a column
    gutter could hold inside a line (1.2 em, or 0.6 em across the page's centre)."""
    rows: dict[float, list[Glyph]] = defaultdict(list)
    for g in sorted(glyphs, key=lambda g: -g.base):
        key = next((k for k in rows if abs(k - g.base) <= max(0.6, g.size * tolerance)), None)
        rows[g.base if key is None else key].append(g)
    lines = []
    for row in rows.values():
        row.sort(key=lambda g: g.x0)
        current = [row[0]]
        for g in row[1:]:
            prev = current[-1]
            em = max(prev.size, g.size)
            gap = g.x0 - prev.x1
            if _is_space(prev.text) and len(current) > 1:
                gap = g.x0 - current[-2].x1
            if gap > 1.2 * em or (gap > 0.6 * em and prev.x1 <= centre + 1 <= g.x0 + 2):
                lines.append(Line(number, current))
                current = [g]
            else:
                current.append(g)
        lines.append(Line(number, current))
    # strip spaces at the ends
    out = []
    for line in lines:
        gl = line.glyphs
        while gl and _is_space(gl[0].text):
            gl = gl[1:]
        while gl and _is_space(gl[-1].text):
            gl = gl[:-1]
        if gl:
            out.append(Line(number, gl))
    out.sort(key=lambda l: (-l.base, l.x0))
    return out


# ----------------------------------------------------------------------------- audit

@dataclass(frozen=True)
class MakeupFinding:
    kind: str
    page: int
    message: str


@dataclass
class MakeupAudit:
    path: Path
    pages: int
    findings: list[MakeupFinding] = field(default_factory=list)
    body_size: float | None = None
    body_wakan: list[float] = field(default_factory=list)   # gaps in em

    @property
    def keeps(self) -> list[MakeupFinding]:
        """The keep rules broken (heading, question, orphan, widow)."""
        return self.of('keep')

    def of(self, kind: str) -> list[MakeupFinding]:
        return [f for f in self.findings if f.kind == kind]

    def count(self, kind: str) -> int:
        if kind == 'blank':
            return len({f.page for f in self.of(kind)})
        return len(self.of(kind))

    @property
    def wakan_median(self) -> float | None:
        return statistics.median(self.body_wakan) if self.body_wakan else None

    def summary(self) -> str:
        parts = [f'{self.count(k)} {LABELS[k]}' for k in KINDS]
        median = self.wakan_median
        parts.append('body 和欧間 median ' + (f'{median:.2f} em' if median is not None else 'n/a'))
        return '; '.join(parts)


@lru_cache(maxsize=1)
def _parser():
    try:
        import budoux
    except ImportError:   # pragma: no cover - budoux is a dependency
        return None
    return budoux.load_default_japanese_parser()


def phrase_boundaries(text: str) -> set[int] | None:
    """Offsets in ``text`` (spaces removed) where BudouX allows a break."""
    parser = _parser()
    if parser is None:
        return None
    bounds, at = set(), 0
    for phrase in parser.parse(text):
        at += len(phrase)
        bounds.add(at)
    # a dash (── ……) closes a phrase too: 「ICT 活用──／企業視点を」
    for k in range(1, len(text)):
        if text[k - 1] in DASHES and text[k] not in DASHES:
            bounds.add(k)
    return bounds


DASHES = frozenset('\u2014\u2015\u2500\u2026\u2025')


def audit(path) -> MakeupAudit:
    pages = _read(path)
    result = MakeupAudit(Path(path), len(pages))
    sizes = Counter()
    for page in pages:
        for line in page.lines:
            for g in line.glyphs:
                if not _is_space(g.text):
                    sizes[round(g.size, 1)] += 1
    if not sizes:
        result.findings += [MakeupFinding('blank', p.number, 'blank page') for p in pages]
        return result
    body = sizes.most_common(1)[0][0]
    result.body_size = body
    for page in pages:
        for line in page.lines:
            size = line.size
            if abs(size - body) <= 0.3:
                line.kind = 'body'
            elif size >= 1.2 * body or (line.bold and size >= body + 0.9):
                line.kind = 'headline'
            elif size < 0.7 * body:
                line.kind = 'small'
        for block in _blocks(page.lines):
            if _running_text(block, body):
                for line in block:
                    line.kind = 'other'
    pitch = _body_pitch(pages, body)
    area = _type_area(pages)
    # a vertical page's type area ends at the furthest last body column that at least two
    # pages reach (full pages; the cover's and the opening's text, one page each, would
    # move the edge, and most pages end a column or two short: a question's space, a turn)
    ends = Counter(round(min(l.base - 0.3 * l.size for l in p.lines if l.kind == 'body'), 1)
                   for p in pages if p.vertical and any(l.kind == 'body' for l in p.lines))
    if ends and area is not None:
        shared = [end for end, count in ends.items() if count >= 2]
        area = (area[0], min(shared) if shared else ends.most_common(1)[0][0], area[2], area[3])
    for index, page in enumerate(pages):
        result.findings += _blank(page, area)
        result.findings += _headlines(page)
        result.findings += _last_lines(page, body)
        following = pages[index + 1] if index + 1 < len(pages) else None
        result.findings += _column_holes(page, following, body, pitch, area)
        found, gaps = _wakan(page, body)
        result.findings += found
        result.body_wakan += gaps
        result.findings += _keeps(page, following, body, pitch, area)
    return result


SERIF = ('Serif', 'Mincho', 'Ming', 'Song')


def _running_text(block: list['Line'], body: float) -> bool:
    """A block of headline-sized lines that is running text: three lines or more in a
    regular-weight serif under 1.5 times the body (a lead, enlarged or not), not a heading."""
    if len(block) < 3 or block[0].size >= 1.5 * body:
        return False
    glyphs = [g for line in block for g in line.glyphs if not _is_space(g.text)]
    serif = sum(1 for g in glyphs if any(name in g.font for name in SERIF) and not g.bold)
    return serif * 10 >= 9 * len(glyphs)


def _body_pitch(pages: list[PageText], body: float) -> float:
    steps = Counter()
    for page in pages:
        bodies = [l for l in page.lines if l.kind == 'body']
        for a in bodies:
            below = [b for b in bodies if b.base < a.base - 1 and abs(b.x0 - a.x0) < 3 * body]
            if below:
                steps[round(a.base - max(b.base for b in below), 1)] += 1
    return steps.most_common(1)[0][0] if steps else body * 1.75


def _type_area(pages: list[PageText]):
    """The vertical extent of the body across the document (the 版面), in PDF y."""
    tops, bottoms, lefts, rights = [], [], [], []
    for page in pages:
        for line in page.lines:
            if line.kind == 'body':
                tops.append(line.base + line.size)
                bottoms.append(line.base - line.size * 0.3)
                lefts.append(line.x0)
                rights.append(line.x1)
    if not tops:
        return None
    return (min(lefts), min(bottoms), max(rights), max(tops))


def _blank(page: PageText, area) -> list[MakeupFinding]:
    if page.images:
        return []
    if area is None:
        content = page.lines
    else:
        # the running head sits above the type area, the folio below it
        content = [l for l in page.lines
                   if area[1] - 2 <= l.base <= area[3] + 2 or l.kind == 'headline']
    if content:
        return []
    return [MakeupFinding('blank', page.number, 'blank page (nothing but folio, running head '
                                                'or marks)')]


def _blocks(lines: list[Line]) -> list[list[Line]]:
    """Headline lines grouped into blocks: same size, stacked, overlapping horizontally."""
    heads = sorted((l for l in lines if l.kind == 'headline'), key=lambda l: (-l.base, l.x0))
    blocks: list[list[Line]] = []
    for line in heads:
        for block in blocks:
            last = block[-1]
            if (abs(last.size - line.size) <= 0.2 and 0 < last.base - line.base <= 2.1 * line.size
                    and line.x0 < last.x1 and last.x0 < line.x1 and last.bold == line.bold):
                block.append(line)
                break
        else:
            blocks.append([line])
    return blocks


def _headlines(page: PageText) -> list[MakeupFinding]:
    out = []
    for block in _blocks(page.lines):
        if len(block) < 2:
            continue
        texts = [l.ink for l in block]
        whole = ''.join(texts)
        bounds = phrase_boundaries(whole)
        at = 0
        shown = '／'.join(texts)
        for i, text in enumerate(texts):
            at += len(text)
            if i < len(texts) - 1 and bounds is not None and at not in bounds:
                a, b = texts[i][-4:], texts[i + 1][:4]
                out.append(MakeupFinding('headline', page.number,
                                         f'headline broken inside a phrase: 「…{a}／{b}…」 '
                                         f'({block[0].size:g} pt: 「{shown}」)'))
            if len(text) <= 2:
                out.append(MakeupFinding('headline', page.number,
                                         f'headline line of {len(text)} character'
                                         f'{"s" if len(text) > 1 else ""}: 「{text}」 '
                                         f'({block[0].size:g} pt: 「{shown}」)'))
    return out


def _last_lines(page: PageText, body: float) -> list[MakeupFinding]:
    out = []
    bodies = [l for l in page.lines if l.kind == 'body']
    for line in bodies:
        ink = line.ink
        if not ink or len(ink) > 2:
            continue
        # a one- or two-character body line is a paragraph's stranded last line, provided it
        # belongs to running text (a full line above it in the same column, or the column top)
        above = [b for b in bodies if 0 < b.base - line.base <= 2.5 * body
                 and abs(b.x0 - line.x0) <= 1.5 * body]
        if above and len(above[-1].ink) <= 2:
            continue
        out.append(MakeupFinding('last-line', page.number,
                                 f'paragraph ends with a line of {len(ink)} character'
                                 f'{"s" if len(ink) > 1 else ""}: 「{ink}」'
                                 + (f' (after 「…{above[-1].ink[-8:]}」)' if above else '')))
    return out


def _column_holes(page: PageText, following: PageText | None, body: float, pitch: float,
                  area) -> list[MakeupFinding]:
    if area is None:
        return []
    bodies = [l for l in page.lines if l.kind == 'body']
    if not bodies:
        return []
    # column left edges: body lines that start a column (no indent) cluster at each edge
    starts = sorted(round(l.x0) for l in bodies)
    edges: list[float] = []
    for x in starts:
        if not edges or x - edges[-1] > 6 * body:
            edges.append(x)
    inside = [l for l in page.lines if area[1] - 2 <= l.base <= area[3] + 2]
    if len(edges) < 2:
        return _short_page(page, following, body, pitch, area, inside) if page.vertical else []

    def column_of(x0: float) -> int:
        return max(i for i, e in enumerate(edges) if x0 >= e - 1.5 * body) if x0 >= edges[0] - 1.5 * body else 0

    spanning = []
    for line in inside:
        c0, c1 = column_of(line.x0), column_of(line.x1 - 0.5 * line.size)
        if c1 > c0:
            spanning.append((line.base + line.size, line.base - 0.3 * line.size))
    for im in page.images + page.graphics:
        if column_of(im[0]) < column_of(im[2] - 2) and im[1] >= area[1] - 2 and im[3] <= area[3] + 2:
            spanning.append((im[3], im[1]))
    spanning.sort(key=lambda s: -s[0])
    merged: list[list[float]] = []
    for top, bottom in spanning:
        if merged and top >= merged[-1][1] - 1:
            merged[-1][1] = min(merged[-1][1], bottom)
        else:
            merged.append([top, bottom])
    spanning = merged
    # bands between spanning items
    cuts = [area[3] + 3]
    for top, bottom in spanning:
        cuts += [top, bottom]
    cuts.append(area[1] - 3)
    bands = []
    for i in range(0, len(cuts), 2):
        hi, lo = cuts[i], cuts[i + 1]
        if hi - lo > pitch:
            bands.append((hi, lo, i + 2 < len(cuts) - 1))   # (top, bottom, spanning item below)
    out = []
    continues_next = _continues(following, body, area, pitch)
    for hi, lo, more_below in bands:
        floors = {}
        for line in inside:
            if line.kind in ('small',) or not (lo <= line.base <= hi):
                continue
            if column_of(line.x0) != column_of(line.x1 - 0.5 * line.size):
                continue
            c = column_of(line.x0)
            floors[c] = min(floors.get(c, hi), line.base - 0.3 * line.size)
        for im in page.images:
            if lo <= (im[1] + im[3]) / 2 <= hi and column_of(im[0]) == column_of(im[2] - 2):
                c = column_of(im[0])
                floors[c] = min(floors.get(c, hi), im[1])
        if not floors:
            continue
        deepest = min(floors.values())
        if not (more_below or continues_next):
            continue
        for c in range(len(edges)):
            floor = floors.get(c, hi)
            lines_short = (floor - deepest) / pitch
            if lines_short > 3.2:
                out.append(MakeupFinding('column-hole', page.number,
                                         f'column {c + 1} ends {lines_short:.0f} lines above its '
                                         'neighbour while the text continues '
                                         + ('below the spanning heading' if more_below
                                            else 'on the next page')))
    return out


def _short_page(page: PageText, following: PageText | None, body: float, pitch: float, area,
                inside: list[Line]) -> list[MakeupFinding]:
    """A vertical page whose last column stands more than three columns short of the
    type area's left edge while the text continues on the next page (a hole at the end of
    the page: a keep rule or a block too big for the rest of the page)."""
    texts = [l for l in inside if l.kind != 'small']
    if not texts or not _continues(following, body, area, pitch):
        return []
    last = min(texts, key=lambda l: l.base)
    if last.kind != 'body' or not _at_head(last.x0, area, body):
        return []   # the page does not end in running text (an editorial page: a quote's source, a profile band)
    floor = min(l.base - 0.3 * l.size for l in texts) - 0.5 * (pitch - body)
    short = (floor - area[1]) / pitch
    if short <= 3.2:
        return []
    return [MakeupFinding('column-hole', page.number,
                          f'the page ends {short:.0f} columns short of the type area while the '
                          'text continues on the next page')]


def _continues(following: PageText | None, body: float, area=None, pitch: float | None = None) -> bool:
    """Does the running text go on to the next page (rather than a new opener, a blank or
    the back cover)? With the type area (``area``, ``pitch``): on a horizontal page the
    text goes on at the head of the type area, below a section heading at most; a back
    cover or an editorial page (people, contact) sets its body-size text lower down; on a
    vertical page (frame terms: a column is a line, x0 its head) the first body column
    stands within as many columns of the type area's right edge and starts at its head
    (a profile band's biography starts lower down, in its second tier)."""
    if following is None:
        return False
    bodies = [l for l in following.lines if l.kind == 'body']
    if not bodies:
        return False
    first = max(l.base for l in bodies)
    big = [l for l in following.lines if l.kind == 'headline' and l.size >= 1.8 * body
           and l.base > first]
    if big:
        return False
    if area is not None and pitch and not following.vertical:
        return area[3] - first <= HEAD_LINES * pitch
    if area is not None and pitch:
        column = [l for l in bodies if l.base >= first - 0.5 * pitch]
        return area[3] - first <= HEAD_LINES * pitch and _at_head(min(l.x0 for l in column), area, body)
    return True


HEAD_LINES = 6  # the first body line of a continued page stands within this many lines of the type area's top
HEAD_INDENT = 3  # ems: a vertical page's running text starts its columns at the head (an indent, a label at most)


def _at_head(x0: float, area, body: float) -> bool:
    """A vertical page's column (frame terms) that starts at the type area's head."""
    return x0 <= area[0] + HEAD_INDENT * body


def _wakan(page: PageText, body: float) -> tuple[list[MakeupFinding], list[float]]:
    out, gaps = [], []
    for line in page.lines:
        if line.kind == 'small':
            continue
        glyphs = line.glyphs
        for i in range(len(glyphs) - 1):
            a = glyphs[i]
            j = i + 1
            while j < len(glyphs) and _is_space(glyphs[j].text):
                j += 1
            if j >= len(glyphs):
                break
            b = glyphs[j]
            if a.upright_unit or b.upright_unit:
                continue   # 縦中横 stands in the column like a Japanese character
            if not ((is_japanese(a.text[-1:]) and is_latin(b.text[:1]))
                    or (is_latin(a.text[-1:]) and is_japanese(b.text[:1]))):
                continue
            em = a.size if is_japanese(a.text[-1:]) else b.size
            gap = (b.x0 - a.x1) / em
            if line.kind == 'body':
                gaps.append(gap)
            if gap < 0.06 and j == i + 1:
                before = ''.join(g.text for g in glyphs[max(0, i - 4):i])
                after = ''.join(g.text for g in glyphs[j + 1:j + 5])
                out.append(MakeupFinding('wakan', page.number,
                                         f'no 和欧間 between 「{a.text}」 and 「{b.text}」 in '
                                         f'「{before}{a.text}{b.text}{after}」 ({line.size:g} pt)'))
    return out, gaps


def _sans(line: Line) -> bool:
    """Set in the gothic (a question; answers are in the mincho with a gothic name label)."""
    marks = [('Sans' in g.font or 'Gothic' in g.font) and not g.bold for g in line.glyphs if not _is_space(g.text)]
    return bool(marks) and sum(marks) * 2 > len(marks)


def _keeps(page: PageText, following: PageText | None, body: float, pitch: float,
           area) -> list[MakeupFinding]:
    """Headings that keep fewer than three lines, questions that keep fewer than two lines
    of their answer, orphans and widows, per column of the page."""
    if area is None:
        return []
    inside = [l for l in page.lines if area[1] - 2 <= l.base <= area[3] + 2]
    bodies = [l for l in inside if l.kind == 'body']
    if not bodies:
        return []
    out = []
    goes_on = _continues(following, body, area, pitch)
    starts = sorted(round(l.x0) for l in bodies)
    edges: list[float] = []
    for x in starts:
        if not edges or x - edges[-1] > 6 * body:
            edges.append(x)

    def column_of(x0: float) -> int:
        return max([i for i, e in enumerate(edges) if x0 >= e - 1.5 * body] or [0])

    # headlines: three body lines after each on this page (under it), when the text goes on
    for block in _blocks(inside):
        last = block[-1]
        if last.size >= 1.8 * body or len(''.join(l.ink for l in block)) < 3:
            continue  # titles (opening, chapter): the lead follows; names
        if last.base - 0.3 * last.size - area[1] > 4 * pitch:
            continue  # room for three lines below it: whatever follows, it is not stranded at the foot
        below = [l for l in bodies if l.base < last.base and l.x1 > last.x0 and l.x0 < last.x1]
        later = [l for l in bodies if l.base < last.base]
        if len(below) < 3 and (goes_on or len(later) > len(below)):
            out.append(MakeupFinding('keep', page.number,
                                     f'headline 「{"".join(l.ink for l in block)[:20]}」 keeps '
                                     f'{len(below)} line{"s" if len(below) != 1 else ""} of text after it '
                                     '(at least 3)'))
    # per column and band (between headlines that span columns: a pull quote or a profile's
    # name inside one column ends no column): its head and foot lines
    heads = sorted((l for l in inside if l.kind == 'headline'
                    and column_of(l.x0) != column_of(l.x1 - 0.5 * l.size)), key=lambda l: -l.base)
    columns: dict[tuple[int, int], list[Line]] = defaultdict(list)
    for line in bodies:
        band = sum(1 for h in heads if h.base > line.base)
        columns[(column_of(line.x0), band)].append(line)
    keys = sorted(columns, key=lambda k: (k[1], k[0]))
    for n, key in enumerate(keys):
        lines = sorted(columns[key], key=lambda l: -l.base)
        if len(lines) < 2:
            continue
        left = min(l.x0 for l in lines)
        right = max(l.x1 for l in lines)

        def full(line: Line) -> bool:
            return line.x1 >= right - 0.6 * body

        def starts_paragraph(line: Line) -> bool:
            first = next((g for g in line.glyphs if not _is_space(g.text)), None)
            return (line.x0 >= left + 0.7 * body or (first is not None and first.bold)
                    or line.ink[:1] in DASHES)

        text_after = n + 1 < len(keys) or goes_on
        foot, above = lines[-1], lines[-2]
        where = f'column {key[0] + 1}'
        if text_after and _sans(foot) and not full(foot):  # a full line: the question goes on with its answer
            out.append(MakeupFinding('keep', page.number,
                                     f'{where}: a question at the foot, its answer in the next column '
                                     f'or page (at least 2 lines with it): 「…{foot.ink[-10:]}」'))
        elif text_after and full(foot):
            if _sans(above) and not _sans(foot):
                out.append(MakeupFinding('keep', page.number,
                                         f'{where}: a question keeps 1 line of its answer at the foot '
                                         f'(at least 2): 「…{foot.ink[-10:]}」'))
            elif starts_paragraph(foot) and not starts_paragraph(above) or starts_paragraph(foot) and full(above):
                out.append(MakeupFinding('keep', page.number,
                                         f'{where}: orphan: a paragraph\'s first line alone at the foot: '
                                         f'「{foot.ink[:10]}…」'))
        head = lines[0]
        if n > 0 or _column_top(page, head, body, pitch, area):
            if not full(head) and not starts_paragraph(head) and len(head.ink) > 2:
                out.append(MakeupFinding('keep', page.number,
                                         f'{where}: widow: a paragraph\'s last line alone at the head: '
                                         f'「…{head.ink[-10:]}」'))
    return out


def _column_top(page: PageText, line: Line, body: float, pitch: float, area) -> bool:
    """Is the line the first of the type area (the page's text above it is only furniture)?"""
    return area[3] - line.base <= 1.5 * pitch


# ----------------------------------------------------------------------------- report

def table(audits: list[MakeupAudit]) -> str:
    head = ('| file | pages | ' + ' | '.join(LABELS[k] for k in KINDS)
            + ' | body 和欧間 median |')
    rule = '|' + '---|' * (len(KINDS) + 3)
    rows = [head, rule]
    for a in audits:
        median = a.wakan_median
        rows.append(f'| {a.path.name} | {a.pages} | '
                    + ' | '.join(str(a.count(k)) for k in KINDS)
                    + (f' | {median:.2f} em |' if median is not None else ' | n/a |'))
    return '\n'.join(rows)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog='python -m publish.preflight.makeup',
                                     description='Make-up audit of built PDFs.')
    parser.add_argument('pdf', nargs='+')
    parser.add_argument('-v', '--verbose', action='store_true', help='list every finding')
    args = parser.parse_args(argv)
    audits = [audit(p) for p in args.pdf]
    if args.verbose:
        for a in audits:
            print(f'{a.path}:')
            for f in a.findings + a.keeps:
                print(f'  page {f.page}: {f.kind}: {f.message}')
    print(table(audits))
    return 1 if any(a.findings for a in audits) else 0


if __name__ == '__main__':
    sys.exit(main())


# ----------------------------------------------------------------------------- preflight

def _register() -> None:
    """``publish check FILE.pdf``: one warning per finding (check ``makeup-<kind>``), and an
    info line with the counts and the body's 和欧間."""
    from publish.preflight.report import Finding, Severity, check

    @check('makeup')
    def makeup(ctx) -> list:
        if not getattr(ctx.expect, 'makeup', True):
            return [Finding(Severity.INFO, 'makeup', 'not audited (imposed pages)')]
        result = audit(ctx.path)
        out = []
        for kind in KINDS:
            found = result.of(kind)
            for f in found[:12]:
                out.append(Finding(Severity.WARNING, 'makeup', f'{kind}: {f.message}', f.page))
            if len(found) > 12:
                out.append(Finding(Severity.WARNING, 'makeup',
                                   f'… and {len(found) - 12} more {kind} findings'))
        out.append(Finding(Severity.INFO, 'makeup', result.summary()))
        return out


_register()
