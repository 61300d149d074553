"""Japanese typesetting for print (JLReq): model inline nodes -> the inline HTML the print
templates use.

What the markup carries (the CSS is ``layouts/brochure/typeset_ja.css``):

* ``<span class="jl-latin jl-gs jl-ge">DX</span>``: a run of Latin letters / European digits.
  ``jl-gs`` / ``jl-ge`` put the 和欧間 quarter em at its start / end where the neighbour is a
  Japanese letter (never beside punctuation). ``typeset_ja.weasyprint`` removes it at line edges
  and never stretches inside the run.
* ``<span class="jl-nobr">──</span>``: cl-08 runs (── ……) are never split nor spaced.
* ``<span class="jl-h">」</span>``: 約物詰め, the punctuation of a consecutive pair (」「 。」
  、「 ）（ …) set half-width with ``halt``, so the pair takes half an em less.
* ``<span class="jl-ruby"><span class="jl-ra"><span class="jl-rt">かんじ</span></span>
  <span class="jl-rb">漢字</span></span>``: ruby. The base stays inline text (drawn in
  reading order); the half-size reading is absolutely positioned from an empty anchor
  (``jl-ra``) so the line pitch never changes: group ruby centred, spread 1:2:1 over a
  longer base, overhanging adjacent kana or a punctuation's blank half by at most one
  ruby character (never kanji), the base padded where it cannot overhang.
* ``<span class="jl-bt">字</span>``: one emphasis dot (﹅, drawn as an SVG background, so the
  text layer stays clean) above each character; none on punctuation.

The line-level rules (push-in, inter-character justification, line-start bracket,
quarter-em removal at line edges, ruby reading placement) are done by
:mod:`publish.typeset_ja.weasyprint`; the PDF writers render and draw inside
``with typeset_ja.weasyprint.installed():``.
"""

from __future__ import annotations

import re
import unicodedata

from markupsafe import Markup, escape

from publish.model import Emphasis, Paragraph, Ruby, Strong, TateChuYoko, Text, plain_text
from publish.typeset_ja.classes import (
    CLOSING_BRACKETS,
    COMMAS,
    FULL_STOPS,
    INSEPARABLE,
    OPENING_BRACKETS,
    PUNCTUATION,
    is_japanese,
    is_kana,
    is_latin,
)

__all__ = ["inline_html", "vertical_inline_html", "paragraph_html", "latin_runs", "halved_positions", "RUBY_CLASS",
           "text_html", "running_text", "fullwidth_punctuation"]

_FULLWIDTH = ("W", "F")
# Punctuation set on a full em with a half-em blank: after the glyph (closing brackets,
# full stops, commas) or before it (opening brackets).
CLOSERS = frozenset(
    c for c in CLOSING_BRACKETS | FULL_STOPS | COMMAS if unicodedata.east_asian_width(c) in _FULLWIDTH
)
OPENERS = frozenset(c for c in OPENING_BRACKETS if unicodedata.east_asian_width(c) in _FULLWIDTH)


def halved_positions(text: str) -> set[int]:
    """Indexes of the punctuation set half-width by 約物詰め (JLReq 3.1.4).

    Between consecutive punctuation only one half-em blank remains: a closer followed by
    a closer or an opener loses its trailing half (」「 。」 、「 ）（ 」」 。「), an opener
    after an opener loses its leading half (「『). The pair then takes half an em less
    than the naive sum."""
    out = set()
    for i in range(len(text) - 1):
        a, b = text[i], text[i + 1]
        if a in CLOSERS and (b in OPENERS or b in CLOSERS):
            out.add(i)
        elif a in OPENERS and b in OPENERS:
            out.add(i + 1)
    return out


RUBY_CLASS = "jl-ruby"

_L = r"A-Za-z0-9\u00C0-\u024F"
# A Latin run: starts with a letter/digit, may hold spaces and Latin punctuation between
# letters, ends with a letter, digit, %, ) or ].
LATIN_RUN = re.compile(rf"[{_L}](?:[{_L} .,\-'’/&+#@_()\[\]]*[{_L}%)\]])?")
# A Latin word longer than this (no space, hyphen or slash in it) is longer than a line
# of the narrowest shipped measure, so it cannot be kept whole: it is marked .jl-long
# lang="en", hyphenated where pyphen knows it and else broken anywhere. Past HUGE_WORD
# letters no dictionary knows it (and WeasyPrint's hyphenation of it would take minutes):
# .jl-huge breaks it between any two letters, like Japanese text. Shorter words are never
# split (the source loader warns about the long ones).
LONG_WORD, HUGE_WORD = 40, 60
_LONG_WORD = re.compile(rf"[^ /\-]{{{LONG_WORD + 1},}}")
_HUGE_WORD = re.compile(rf"[^ /\-]{{{HUGE_WORD + 1},}}")
_HYPHENATABLE = re.compile(r"[A-Za-z]*[a-z]{5}")  # a word with 5 lowercase letters in a row
INSEPARABLE_RUN = re.compile("[" + "".join(sorted(INSEPARABLE)) + "]+")


def latin_runs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each Latin run in ``text``."""
    return [m.span() for m in LATIN_RUN.finditer(text)]


def _wants_gap(latin_edge: str, neighbour: str) -> bool:
    """The 和欧間 quarter em goes between a Latin letter/digit and a Japanese letter only."""
    return (
        is_latin(latin_edge)
        and bool(neighbour)
        and is_japanese(neighbour)
        and neighbour not in PUNCTUATION
        and not unicodedata.category(neighbour).startswith(("P", "Z"))
    )


def _width(ch: str) -> float:
    """Advance of a character in ems (full-width 1, anything else about half)."""
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.5


# Half-width punctuation an editor types inside Japanese text, and the full-width form
# print and EPUB set instead (rendering only: the model keeps what the editor wrote).
_FULLWIDTH_PUNCTUATION = {"?": "？", "!": "！", "(": "（", ")": "）", ":": "："}


def _ja_letter(ch: str) -> bool:
    return bool(ch) and is_japanese(ch) and ch not in PUNCTUATION


def fullwidth_punctuation(text: str) -> str:
    """``text`` with the half-width ? ! ( ) : that stand in Japanese text set full-width
    (same length, so offsets stay valid). A single ? or ! after a Japanese letter or
    full-width punctuation (「か?」; a pair like 「!?」 stays, set 縦中横 in vertical text); : after a Japanese letter and not before a digit
    (10:30 stays); a ( ) pair when the text before ``(``, after ``)`` or inside is
    Japanese. Latin text (「Why? (see p. 3)」) is left alone."""
    if not any(c in _FULLWIDTH_PUNCTUATION for c in text):
        return text
    out = list(text)

    def japanese_side(ch: str) -> bool:
        return _ja_letter(ch) or (bool(ch) and unicodedata.east_asian_width(ch) in _FULLWIDTH)

    for i, c in enumerate(text):
        before = out[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if c in "?!":
            # a single ? or ! (a pair such as !? stays: 縦中横 in vertical text)
            if before in "?!" and before or after in "?!" and after:
                continue
            if japanese_side(before):
                out[i] = _FULLWIDTH_PUNCTUATION[c]
        elif c == ":":
            if _ja_letter(before) and not after.isdigit():
                out[i] = "："
        elif c == "(":
            depth, k = 0, i
            while k < len(text):
                if text[k] == "(":
                    depth += 1
                elif text[k] == ")":
                    depth -= 1
                    if depth == 0:
                        break
                k += 1
            if k >= len(text):
                continue
            inside = text[i + 1:k]
            after_close = text[k + 1] if k + 1 < len(text) else ""
            if japanese_side(before) or _ja_letter(after_close) or any(_ja_letter(x) for x in inside):
                out[i], out[k] = "（", "）"
    return "".join(out)


class _Renderer:
    def __init__(self, plain: str, phrases: set[int] | None = None, breaks: set[int] | None = None,
                 vertical: bool = False, tcy_auto: bool = False):
        self.source = plain
        self.plain = plain = fullwidth_punctuation(plain)
        self.pos = 0  # offset of the next node in plain
        self.halved = halved_positions(plain)
        self.phrases = phrases or set()
        self.breaks = breaks or set()
        self.vertical = vertical  # 縦組み: 縦中横 spans (see vertical_inline_html)
        self.tcy_auto = tcy_auto

    def render_phrased(self, inlines) -> str:
        """``render`` with each phrase (between the offsets ``self.phrases``) in a nowrap
        span and a ``<br>`` at the offsets ``self.breaks``. A cut inside an emphasis or a
        strong run is not made (the run stays whole)."""
        groups: list[list] = [[]]
        starts = [0]
        pos = 0
        total = len(self.plain)
        for node in inlines:
            length = len(plain_text((node,)))
            if isinstance(node, Text):
                inner = sorted(c for c in self.phrases if pos < c < pos + length)
                last = 0
                for cut in inner:
                    groups[-1].append(Text(node.text[last:cut - pos]))
                    groups.append([])
                    starts.append(cut)
                    last = cut - pos
                groups[-1].append(Text(node.text[last:]))
            else:
                groups[-1].append(node)
            pos += length
            if pos in self.phrases and pos < total:
                groups.append([])
                starts.append(pos)
        out = []
        for start, group in zip(starts, groups):
            if not group:
                continue
            if out:
                out.append("<br>" if start in self.breaks else "")
            out.append(f'<span class="jl-phrase">{self.render(group)}</span>')
        return "".join(out)

    def char(self, i: int) -> str:
        return self.plain[i] if 0 <= i < len(self.plain) else ""

    def render(self, inlines, bouten: bool = False) -> str:
        out = []
        for node in inlines:
            if isinstance(node, TateChuYoko) and self.vertical:
                self.pos += len(node.text)
                out.append(_tcy_span(node.text, bouten))
            elif isinstance(node, (Text, TateChuYoko)):
                out.append(self.text(node.text, bouten))
            elif isinstance(node, Ruby):
                out.append(self.ruby(node))
            elif isinstance(node, Emphasis):
                out.append(self.render(node.children, bouten=True))
            elif isinstance(node, Strong):
                out.append(f"<strong>{self.render(node.children, bouten)}</strong>")
            else:  # pragma: no cover - the model is closed
                raise TypeError(node)
        return "".join(out)

    def text(self, text: str, bouten: bool) -> str:
        start = self.pos
        self.pos += len(text)
        text = self.plain[start:start + len(text)]  # full-width punctuation (same length)
        out = []
        i = 0
        spans = []
        for m in LATIN_RUN.finditer(text):
            spans.append((m.start(), m.end(), "latin"))
        for m in INSEPARABLE_RUN.finditer(text):
            spans.append((m.start(), m.end(), "nobr"))
        spans.sort()
        for s, e, kind in spans:
            if s < i:
                continue
            out.append(self.chars(text[i:s], bouten, start + i))
            run = text[s:e]
            if kind == "nobr":
                out.append(f'<span class="jl-nobr">{escape(run)}</span>')
            elif self.vertical and self.tcy_auto and AUTO_TCY.fullmatch(run):
                out.append(_tcy_span(run, bouten))
            else:
                classes = ["jl-latin"]
                if _wants_gap(run[0], self.char(start + s - 1)):
                    classes.append("jl-gs")
                if _wants_gap(run[-1], self.char(start + e)):
                    classes.append("jl-ge")
                lang = ""
                if _HUGE_WORD.search(run):
                    classes.append("jl-huge")
                elif _LONG_WORD.search(run):
                    classes.append("jl-long")
                    lang = ' lang="en"'
                elif _HYPHENATABLE.search(run):
                    # English words long enough to hyphenate (pyphen, through WeasyPrint's
                    # `hyphens: auto` on [lang=en]), so a line before them need not go loose
                    lang = ' lang="en"'
                out.append(
                    f'<span class="{" ".join(classes)}"{lang}>{self.chars(run, bouten, start + s)}</span>'
                )
            i = e
        out.append(self.chars(text[i:], bouten, start + i))
        return "".join(out)

    def chars(self, text: str, bouten: bool, start: int) -> str:
        out = []
        plain = []
        for k, c in enumerate(text):
            if start + k in self.halved:
                out.append("".join(plain))
                plain = []
                out.append(f'<span class="jl-h">{escape(c)}</span>')
            elif bouten and not (
                c in PUNCTUATION or c.isspace() or unicodedata.category(c).startswith("P")
            ):
                out.append("".join(plain))
                plain = []
                out.append(f'<span class="jl-bt">{escape(c)}</span>')
            else:
                plain.append(str(escape(c)))
        out.append("".join(plain))
        return "".join(out)

    def overhangable(self, i: int, blank_side: frozenset[str]) -> bool:
        """Ruby may overhang character i: kana, or punctuation whose blank half faces the
        base (a closer before it, an opener after it) and is not removed by 約物詰め."""
        ch = self.char(i)
        return is_kana(ch) or (ch in blank_side and i not in self.halved)

    def ruby(self, node: Ruby) -> str:
        start = self.pos
        self.pos += len(node.base)
        base_w = sum(_width(c) for c in node.base)
        reading_w = sum(_width(c) for c in node.reading) / 2
        n = len(node.reading)
        style = []
        rt_style = []
        rb_style = ""
        if reading_w <= base_w:
            # Group ruby spread over its base, 1:2:1 (half a gap at each end).
            gap = (base_w - reading_w) / n if n else 0.0
            left = gap / 2
            if gap > 1e-6:
                rt_style.append(f"letter-spacing:{2 * gap:.4g}em")
        else:
            # Longer reading: overhang onto adjacent kana, or onto the blank half of
            # adjacent punctuation, by at most one ruby character (half an em of the
            # base); never onto kanji.
            excess = reading_w - base_w
            half = min(excess / 2, 0.5)
            before, after = start - 1, start + len(node.base)
            o_l = half if self.overhangable(before, CLOSERS) else 0.0
            o_r = half if self.overhangable(after, OPENERS) else 0.0
            p_l, p_r = excess / 2 - o_l, excess / 2 - o_r
            nb = len(node.base)
            if nb > 1 and not (o_l or o_r):
                # Between kanji: the base characters are spread 1:2:1 under the reading
                # (WeasyPrint counts the letter-spacing after the last character too,
                # hence the negative margin of half a gap).
                gap = excess / nb
                style.append(f"padding-left:{gap / 2:.4g}em")
                rb_style = f' style="letter-spacing:{gap:.4g}em;margin-right:{-gap / 2:.4g}em"'
                left = -gap / 2  # the reading covers the whole ruby
            else:
                if p_l > 1e-6 or p_r > 1e-6:
                    style.append(f"padding:0 {p_r:.4g}em 0 {p_l:.4g}em")
                left = -excess / 2  # centred on the base
        # `left` is from the base's start, where the (empty, relative) anchor sits; in
        # the reading's (half-size) ems. The anchor holds the reading so that the base
        # itself is not positioned: it is then drawn in reading order with its line,
        # which keeps the PDF text stream in order.
        rt_style.append(f"left:{2 * left:.4g}em")
        s = f' style="{";".join(style)}"' if style else ""
        return (
            f'<span class="jl-ruby"{s}><span class="jl-ra"><span class="jl-rt" '
            f'style="{";".join(rt_style)}">{escape(node.reading)}</span></span>'
            f'<span class="jl-rb"{rb_style}>{escape(node.base)}</span></span>'
        ).replace("left:-0em", "left:0em")


# 縦中横 by the vertical.tate_chu_yoko: auto token: numbers of up to two digits, acronyms
# of up to three capitals
AUTO_TCY = re.compile(r"[0-9]{1,2}|[A-Z]{2,3}")
# ASCII punctuation beside Japanese text that vertical lines set in its fullwidth
# (upright, vertical-alternate) form; inside a Latin run it stays and turns with the run
_VERTICAL_FULLWIDTH = str.maketrans({"?": "？", "!": "！", "(": "（", ")": "）"})


def _tcy_span(text: str, bouten: bool) -> str:
    """An upright unit one em long (縦中横): ``jl-tcy`` (typeset_ja.css) plus the number of
    characters, which picks half-width (2) or compressed (3, 4) glyphs."""
    cls = "jl-tcy jl-tcy-" + str(min(len(text), 4)) + (" jl-bt" if bouten else "")
    return f'<span class="{cls}">{escape(text)}</span>'


def _vertical_inlines(inlines):
    """The inlines with ASCII ?!() outside Latin runs in their fullwidth forms."""

    def convert(text: str) -> str:
        out, i = [], 0
        for s, e in latin_runs(text):
            out.append(text[i:s].translate(_VERTICAL_FULLWIDTH))
            out.append(text[s:e])
            i = e
        out.append(text[i:].translate(_VERTICAL_FULLWIDTH))
        return "".join(out)

    result = []
    for node in inlines:
        if isinstance(node, Text):
            node = Text(convert(node.text))
        elif isinstance(node, (Emphasis, Strong)):
            node = type(node)(tuple(_vertical_inlines(node.children)))
        result.append(node)
    return tuple(result)


def vertical_inline_html(inlines, *, tcy_auto: bool = False) -> Markup:
    """Typeset inline nodes for a vertical (縦組み) line: as :func:`inline_html`, plus
    縦中横 spans for ``^12^`` (and, with ``tcy_auto``, short numbers and acronyms) and
    fullwidth ？！（） beside Japanese text."""
    inlines = _vertical_inlines(tuple(inlines))
    return Markup(_Renderer(plain_text(inlines), vertical=True, tcy_auto=tcy_auto).render(inlines))


def inline_html(inlines) -> Markup:
    """Typeset inline nodes (one paragraph's worth) as inline HTML."""
    inlines = tuple(inlines)
    return Markup(_Renderer(plain_text(inlines)).render(inlines))


def paragraph_html(paragraph: Paragraph) -> Markup:
    """Inline HTML of one paragraph, for the print templates (wrap it in ``<p>``)."""
    return inline_html(paragraph.inlines)


def text_html(value, *, vertical: bool = False, tcy_auto: bool = False) -> Markup:
    """A plain string (a name, an affiliation, a date) typeset like a paragraph: 和欧間
    spans, 約物詰め, full-width punctuation in Japanese text (``vertical``: as
    :func:`vertical_inline_html`)."""
    if value is None:
        return Markup("")
    inlines = value.inlines if isinstance(value, Paragraph) else (Text(str(value)),)
    if vertical:
        return vertical_inline_html(inlines, tcy_auto=tcy_auto)
    if isinstance(value, Paragraph):
        return paragraph_html(value)
    return inline_html(inlines)


def running_text(value) -> str:
    """The base text of a title (ruby readings left out) for a running head, with a plain
    space at each 和欧間 (a margin box holds a string, not markup: the layout's CSS sets its
    word-spacing so the space is a quarter em) and full-width punctuation."""
    if value is None:
        return ""
    if isinstance(value, Paragraph):
        plain = value.plain
    elif isinstance(value, (list, tuple)):
        plain = "".join(p.plain if isinstance(p, Paragraph) else str(p) for p in value)
    else:
        plain = str(value)
    plain = fullwidth_punctuation(plain)
    out = []
    edges = set()
    for s, e in latin_runs(plain):
        if s > 0 and _wants_gap(plain[s], plain[s - 1]):
            edges.add(s)
        if e < len(plain) and _wants_gap(plain[e - 1], plain[e]):
            edges.add(e)
    for i, c in enumerate(plain):
        if i in edges:
            out.append(" ")
        out.append(c)
    return "".join(out)
