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


def inline_xhtml(inlines, vertical: bool = False) -> Markup:
    parts: list[str] = []
    for node in inlines:
        if isinstance(node, Text):
            parts.append(text_xhtml(node.text, vertical))
        elif isinstance(node, Ruby):
            parts.append(f"<ruby>{escape(node.base)}<rp>（</rp><rt>{escape(node.reading)}</rt><rp>）</rp></ruby>")
        elif isinstance(node, Emphasis):
            parts.append(f'<em class="bouten">{inline_xhtml(node.children, vertical)}</em>')
        elif isinstance(node, Strong):
            parts.append(f"<strong>{inline_xhtml(node.children, vertical)}</strong>")
        elif isinstance(node, TateChuYoko):
            parts.append(f'<span class="tcy">{escape(node.text)}</span>')
        else:  # pragma: no cover - the model is closed
            raise TypeError(node)
    return Markup("".join(parts))


def to_xhtml(value, vertical: bool = False) -> Markup:
    """A Paragraph, paragraphs (joined), a plain string or None as inline XHTML."""
    if value is None:
        return Markup("")
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return Markup(text_xhtml(value, vertical))
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
