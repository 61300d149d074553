"""Model inline nodes -> EPUB XHTML (ruby with <rp>, emphasis dots, tate-chu-yoko).

In a vertical document one- or two-digit numbers and `!?` runs standing alone in the text
are set as tate-chu-yoko (縦中横) as EBPAJ books do; `^12^` always is.
"""

from __future__ import annotations

import re

import jinja2
from markupsafe import Markup, escape

from ..model import Emphasis, Paragraph, Ruby, Strong, TateChuYoko, Text

# One or two half-width digits (not part of a longer number, a decimal, a time or a Latin
# word), or one or two `!`/`?` — the characters that lie on their side in vertical text.
_AUTO_TCY = re.compile(r"(?<![0-9A-Za-z.,:/])(?:[0-9]{1,2}|[!?]{1,2})(?![0-9A-Za-z.,:/%])")


def text_xhtml(text: str, vertical: bool = False) -> str:
    if not vertical:
        return str(escape(text))
    out, pos = [], 0
    for match in _AUTO_TCY.finditer(text):
        out.append(str(escape(text[pos:match.start()])))
        out.append(f'<span class="tcy">{escape(match.group())}</span>')
        pos = match.end()
    out.append(str(escape(text[pos:])))
    return "".join(out)


def inline_xhtml(inlines, vertical: bool = False, breaks: frozenset[int] = frozenset()) -> Markup:
    """The inline XHTML of one paragraph's nodes. Half-width ? ! ( ) : inside Japanese text
    are set full-width (as in print; the model keeps the source); ``breaks`` are offsets of
    the plain text where a ``<wbr/>`` goes (a headline's phrase boundaries)."""
    from ..model import plain_text
    from ..typeset_ja import fullwidth_punctuation

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
            return text_xhtml(value, vertical)
        pieces, last = [], 0
        for cut in cuts:
            pieces.append(text_xhtml(value[last:cut], vertical))
            last = cut
        pieces.append(text_xhtml(value[last:], vertical))
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


def to_xhtml(value, vertical: bool = False) -> Markup:
    """A Paragraph, paragraphs (joined), a plain string or None as inline XHTML."""
    if value is None:
        return Markup("")
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        from ..typeset_ja import fullwidth_punctuation

        return Markup(text_xhtml(fullwidth_punctuation(value), vertical))
    if isinstance(value, Paragraph):
        return inline_xhtml(value.inlines, vertical)
    return Markup("").join(inline_xhtml(p.inlines, vertical) for p in value)


@jinja2.pass_context
def inline_filter(context, value) -> Markup:
    """`{{ x | inline }}`: tate-chu-yoko follows the document's writing mode."""
    return to_xhtml(value, bool(context.get("vertical")))


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
    from ..typeset_ja.headline import boundaries

    vertical = bool(context.get("vertical"))
    if value is None:
        return Markup("")
    if isinstance(value, str):
        value = Paragraph((Text(value),))
    if not isinstance(value, Paragraph):
        return Markup("").join(headline_filter(context, p) for p in value)
    cuts = frozenset(boundaries(value.plain, value.inlines))
    return inline_xhtml(value.inlines, vertical, cuts)
