"""Headlines broken by phrase (文節), balanced, never leaving a line of 1–2 characters.

Titles, section headings, pull quotes and the like are not justified text: a designer
breaks them between phrases (「民間企業での／実務経験を／行政 DX に還元」, never
「メン／ター」) into lines of similar length. WeasyPrint 70 has neither
``word-break: auto-phrase`` nor ``text-wrap: balance``, so this module does both:

* :func:`phrases` splits the text with BudouX (Google's model, the one Chrome's
  ``auto-phrase`` uses), then joins what must not be split: Latin runs, ── ……, ruby
  bases, a kinsoku character (、。」…) at a phrase start, and any phrase of one or two
  characters (it goes with its neighbour, so no line can hold it alone);
* :func:`balanced_breaks` chooses, for a measure in ems, the fewest lines that fit and,
  among those, the breaks that make the lines most even;
* :func:`headline_html` typesets the text (``typeset_ja``'s markup: 和欧間, 約物詰め,
  ruby) with each phrase in a ``<span class="jl-phrase">`` (``white-space: nowrap``: the
  line breaks only between phrases even where the measure guessed here is wrong) and a
  ``<br>`` at each chosen break. No U+200B goes into the text, so the PDF's text layer
  stays the source's.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup

from publish.model import Emphasis, Paragraph, Ruby, Strong, Text, TateChuYoko, plain_text
from publish.typeset_ja.classes import INSEPARABLE, NOT_AT_LINE_START, OPENING_BRACKETS

PHRASE_CLASS = "jl-phrase"
MIN_LINE = 3  # characters; a headline line of 1–2 characters is never made


@lru_cache(maxsize=1)
def _parser():
    import budoux

    return budoux.load_default_japanese_parser()


@lru_cache(maxsize=1)
def _advances() -> tuple[dict, dict, int]:
    """Advance widths of Noto Sans JP Bold (the headlines' face), for the Latin letters."""
    from fontTools.ttLib import TTFont

    from publish.layout import fonts_dir

    path = Path(fonts_dir()) / "NotoSansJP-Bold.ttf"
    font = TTFont(str(path), lazy=True)
    return font.getBestCmap(), font["hmtx"].metrics, font["head"].unitsPerEm


def char_width(ch: str) -> float:
    """Advance of ``ch`` in ems (full-width 1; others from the bundled bold face)."""
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    cmap, metrics, upm = _advances()
    glyph = cmap.get(ord(ch))
    if glyph is None:
        return 0.6
    return metrics[glyph][0] / upm


def _protected(plain: str, inlines) -> set[int]:
    """Offsets where no break may go (inside Latin runs, ── ……, ruby bases, kinsoku)."""
    from publish.typeset_ja import latin_runs

    out: set[int] = set()
    for start, end in latin_runs(plain):
        out.update(range(start + 1, end))
    i = 0
    while i < len(plain):
        if plain[i] in INSEPARABLE:
            j = i
            while j < len(plain) and plain[j] in INSEPARABLE:
                j += 1
            out.update(range(i + 1, j))
            i = j
        else:
            i += 1
    for k in range(1, len(plain)):
        if plain[k] in NOT_AT_LINE_START or plain[k - 1] in OPENING_BRACKETS or plain[k].isspace():
            out.add(k)
    pos = 0

    def walk(nodes):
        nonlocal pos
        for node in nodes:
            if isinstance(node, Ruby):
                out.update(range(pos + 1, pos + len(node.base)))
                pos += len(node.base)
            elif isinstance(node, (Text, TateChuYoko)):
                if isinstance(node, TateChuYoko):
                    out.update(range(pos + 1, pos + len(node.text)))
                pos += len(node.text)
            elif isinstance(node, (Emphasis, Strong)):
                walk(node.children)

    walk(inlines)
    return out


def _ink(text: str) -> int:
    return sum(1 for c in text if not c.isspace())


def boundaries(plain: str, inlines=()) -> list[int]:
    """Offsets in ``plain`` where a headline may break: BudouX phrase boundaries, less the
    protected ones, with phrases of one or two characters joined to a neighbour."""
    if not plain.strip():
        return []
    cuts, at = [], 0
    for phrase in _parser().parse(plain):
        at += len(phrase)
        if at < len(plain):
            cuts.append(at)
    # a dash (──) closes a phrase: a headline may break after it
    for k in range(1, len(plain)):
        if plain[k - 1] in INSEPARABLE and plain[k] not in INSEPARABLE and k not in cuts:
            cuts.append(k)
    cuts.sort()
    blocked = _protected(plain, inlines)
    cuts = [c for c in cuts if c not in blocked]
    # join short phrases to a neighbour: drop the cut on the side of the shorter neighbour
    changed = True
    while changed and cuts:
        changed = False
        edges = [0, *cuts, len(plain)]
        for k in range(len(edges) - 1):
            if _ink(plain[edges[k]:edges[k + 1]]) < MIN_LINE:
                if k == 0:
                    drop = edges[1]
                elif k == len(edges) - 2:
                    drop = edges[k]
                else:
                    left = _ink(plain[edges[k - 1]:edges[k]])
                    right = _ink(plain[edges[k + 1]:edges[k + 2]])
                    drop = edges[k] if left <= right else edges[k + 1]
                cuts.remove(drop)
                changed = True
                break
    return cuts


def _width(text: str, plain: str, start: int) -> float:
    from publish.typeset_ja import _wants_gap, latin_runs

    width = sum(char_width(c) for c in text)
    # the 和欧間 quarter ems inside this piece (not at its edges: removed at line edges)
    for s, e in latin_runs(text):
        if s > 0 and _wants_gap(text[s], text[s - 1]):
            width += 0.25
        if e < len(text) and _wants_gap(text[e - 1], text[e]):
            width += 0.25
    return width


def balanced_breaks(plain: str, cuts: list[int], measure: float | None) -> list[int]:
    """The cuts to break at so that every line fits ``measure`` (ems) in the fewest lines,
    the lines as even as possible. No measure, or nothing fits: no breaks."""
    if not measure or not cuts:
        return []
    edges = [0, *cuts, len(plain)]
    n_seg = len(edges) - 1

    def line_width(i: int, j: int) -> float:
        return _width(plain[edges[i]:edges[j]].strip(), plain, edges[i])

    if line_width(0, n_seg) <= measure:
        return []
    widths = {}
    for i in range(n_seg):
        for j in range(i + 1, n_seg + 1):
            w = line_width(i, j)
            if w > measure and j > i + 1:
                break
            widths[i, j] = w
    for lines in range(2, n_seg + 1):
        target = line_width(0, n_seg) / lines
        # best[k][j]: (cost, breaks) covering segments [0, j) in k lines
        best: dict[tuple[int, int], tuple[float, list[int]]] = {(0, 0): (0.0, [])}
        for k in range(1, lines + 1):
            for j in range(1, n_seg + 1):
                options = []
                for i in range(j):
                    if (k - 1, i) not in best or (i, j) not in widths:
                        continue
                    w = widths[i, j]
                    if w > measure:
                        continue
                    if _ink(plain[edges[i]:edges[j]]) < MIN_LINE:
                        continue
                    # even lines; on a tie the earlier line is the longer (a settled shape)
                    cost = best[k - 1, i][0] + (w - target) ** 2 + 0.01 * k * w
                    options.append((cost, best[k - 1, i][1] + ([edges[j]] if j < n_seg else [])))
                if options:
                    best[k, j] = min(options, key=lambda o: o[0])
        if (lines, n_seg) in best:
            return best[lines, n_seg][1]
    return []


def headline_html(value, measure: float | None = None, *, vertical: bool = False,
                  tcy_auto: bool = False) -> Markup:
    """A headline (a Paragraph, paragraphs, or a plain string) as typeset inline HTML:
    phrases in nowrap spans, balanced ``<br>`` breaks for ``measure`` ems. ``vertical``
    (縦組み): 縦中横 for ``^12^`` (and, with ``tcy_auto``, short numbers and acronyms) and
    fullwidth ？！（）, as in the body (``typeset_ja.vertical_inline_html``)."""
    from publish.typeset_ja import _Renderer, _vertical_inlines

    if value is None:
        return Markup("")
    if isinstance(value, str):
        value = Paragraph((Text(value),))
    if not isinstance(value, Paragraph):
        return Markup("<br>").join(headline_html(p, measure, vertical=vertical, tcy_auto=tcy_auto) for p in value)
    inlines = _vertical_inlines(value.inlines) if vertical else value.inlines
    plain = plain_text(inlines)
    cuts = boundaries(plain, inlines)
    breaks = set(balanced_breaks(plain, cuts, measure))
    renderer = _Renderer(plain, phrases=set(cuts), breaks=breaks, vertical=vertical, tcy_auto=tcy_auto)
    return Markup(renderer.render_phrased(inlines))


__all__ = ["boundaries", "balanced_breaks", "headline_html", "char_width", "PHRASE_CLASS"]
