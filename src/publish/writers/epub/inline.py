"""Model inline nodes -> EPUB XHTML (ruby with <rp>, emphasis dots, tate-chu-yoko).

In a vertical document one- or two-digit numbers, `!?` runs and acronyms of up to two
capital letters standing alone in the text are set as tate-chu-yoko (縦中横) as EBPAJ books
do, acronyms of three capitals letter by letter upright; `^12^` always is tate-chu-yoko.
Longer Latin words lie on their side. The layout tokens `epub.upright_letters` and
`epub.tcy_digits` change the lengths.
"""

from __future__ import annotations

import re

import jinja2
from markupsafe import Markup, escape

from publish.model import Emphasis, Paragraph, Ruby, Strong, TateChuYoko, Text

#: (letters, digits): acronyms of up to 3 capital letters and numbers of up to 2 digits
#: stand upright in vertical text (layout tokens epub.upright_letters, epub.tcy_digits)
DEFAULT_UPRIGHT = (3, 2)
_PATTERNS: dict[tuple[int, int], re.Pattern] = {}


def _pattern(upright: tuple[int, int]) -> re.Pattern:
    """Digits (1..n), `!?` runs, and capital-letter acronyms (1..n letters) standing alone:
    not touching another Latin letter or digit, nor a `.,:/` (nor, for letters, `-&'`)
    that would make them part of a word, a number, a time or a URL."""
    if upright not in _PATTERNS:
        letters, digits = upright
        edge = r"0-9A-Za-z.,:/&'\-"
        alternatives = [r"[!?]{1,2}"]
        if digits:
            alternatives.insert(0, rf"[0-9]{{1,{digits}}}")
        if letters:
            alternatives.append(rf"(?<![{edge}])[A-Z]{{1,{letters}}}(?![{edge}])")
        _PATTERNS[upright] = re.compile(
            rf"(?<![0-9A-Za-z.,:/])(?:{'|'.join(alternatives)})(?![0-9A-Za-z.,:/%])")
    return _PATTERNS[upright]


def text_xhtml(text: str, vertical: bool = False, upright: tuple[int, int] = DEFAULT_UPRIGHT) -> str:
    """Escaped text; in a vertical book, short numbers, `!?` and acronyms of up to two
    capitals as tate-chu-yoko (`span.tcy`: combined in one em), longer acronyms (up to
    `upright[0]` capitals) with each letter upright (`span.upright`). Longer Latin words
    stay sideways, as Japanese vertical setting has them."""
    if not vertical:
        return str(escape(text))
    out, pos = [], 0
    for match in _pattern(upright).finditer(text):
        out.append(str(escape(text[pos:match.start()])))
        token = match.group()
        kind = "upright" if token.isalpha() and len(token) > 2 else "tcy"
        out.append(f'<span class="{kind}">{escape(token)}</span>')
        pos = match.end()
    out.append(str(escape(text[pos:])))
    return "".join(out)


def inline_xhtml(inlines, vertical: bool = False, *, breaks: frozenset[int] = frozenset(),
                 upright: tuple[int, int] = DEFAULT_UPRIGHT) -> Markup:
    """The inline XHTML of one paragraph's nodes. Half-width ? ! ( ) : inside Japanese text
    are set full-width (as in print; the model keeps the source); ``breaks`` are offsets of
    the plain text where a ``<wbr/>`` goes (a headline's phrase boundaries)."""
    from publish.model import plain_text
    from publish.typeset_ja import fullwidth_punctuation

    inlines = tuple(inlines)
    mapped = fullwidth_punctuation(plain_text(inlines))
    pos = 0

    def text(value: str) -> str:
        nonlocal pos
        start = pos
        pos += len(value)
        value = mapped[start:pos]
        cuts = sorted(b - start for b in breaks if start < b < pos)
        if not cuts:
            return text_xhtml(value, vertical, upright)
        pieces, last = [], 0
        for cut in cuts:
            pieces.append(text_xhtml(value[last:cut], vertical, upright))
            last = cut
        pieces.append(text_xhtml(value[last:], vertical, upright))
        return "<wbr/>".join(pieces)

    def walk(nodes) -> str:
        nonlocal pos
        parts: list[str] = []
        for node in nodes:
            if pos in breaks and parts:
                parts.append("<wbr/>")
            if isinstance(node, Text):
                parts.append(text(node.text))
            elif isinstance(node, Ruby):
                pos += len(node.base)
                parts.append(f"<ruby>{escape(node.base)}<rp>（</rp><rt>{escape(node.reading)}</rt><rp>）</rp></ruby>")
            elif isinstance(node, Emphasis):
                parts.append(f'<em class="bouten">{walk(node.children)}</em>')
            elif isinstance(node, Strong):
                parts.append(f"<strong>{walk(node.children)}</strong>")
            elif isinstance(node, TateChuYoko):
                pos += len(node.text)
                parts.append(f'<span class="tcy">{escape(node.text)}</span>')
            else:  # pragma: no cover - the model is closed
                raise TypeError(node)
        return "".join(parts)

    return Markup(walk(inlines))


def to_xhtml(value, vertical: bool = False, upright: tuple[int, int] = DEFAULT_UPRIGHT) -> Markup:
    """A Paragraph, paragraphs (joined), a plain string or None as inline XHTML."""
    if value is None:
        return Markup("")
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        from publish.typeset_ja import fullwidth_punctuation

        return Markup(text_xhtml(fullwidth_punctuation(value), vertical, upright))
    if isinstance(value, Paragraph):
        return inline_xhtml(value.inlines, vertical, upright=upright)
    return Markup("").join(inline_xhtml(p.inlines, vertical, upright=upright) for p in value)


@jinja2.pass_context
def inline_filter(context, value) -> Markup:
    """`{{ x | inline }}`: tate-chu-yoko follows the document's writing mode and the
    layout's epub.upright_letters / epub.tcy_digits."""
    return to_xhtml(value, bool(context.get("vertical")), upright_setting(context.get("layout")))


def upright_setting(layout) -> tuple[int, int]:
    """(letters, digits) from the layout tokens epub.upright_letters and epub.tcy_digits."""
    tokens = (getattr(layout, "tokens", None) or {}).get("epub") or {}
    letters = tokens.get("upright_letters", DEFAULT_UPRIGHT[0])
    digits = tokens.get("tcy_digits", DEFAULT_UPRIGHT[1])
    return (int(letters), int(digits))


def uses_ruby(inlines) -> bool:
    for node in inlines:
        if isinstance(node, Ruby):
            return True
        if isinstance(node, (Emphasis, Strong)) and uses_ruby(node.children):
            return True
    return False


@jinja2.pass_context
def headline_filter(context, value) -> Markup:
    """`{{ title | headline }}`: the inline XHTML with a ``<wbr/>`` at each phrase boundary
    (BudouX, as print breaks headlines); book.css sets headlines ``word-break: keep-all`` so
    reading systems break only there."""
    from publish.typeset_ja.headline import boundaries

    vertical = bool(context.get("vertical"))
    if value is None:
        return Markup("")
    if isinstance(value, str):
        value = Paragraph((Text(value),))
    if not isinstance(value, Paragraph):
        return Markup("").join(headline_filter(context, p) for p in value)
    cuts = frozenset(boundaries(value.plain, value.inlines))
    return inline_xhtml(value.inlines, vertical, breaks=cuts, upright=upright_setting(context.get("layout")))
