"""Japanese typesetting for print: model inline nodes -> the inline HTML the print
templates use.

The foundation renders ruby, emphasis dots and tate-chu-yoko with plain HTML; the JLReq
work (justification, punctuation spacing, Japanese-Latin spacing, ruby and emphasis-dot
layout) lives here and in `weasyprint_ext` (pinned to WeasyPrint 70).
"""

from __future__ import annotations

from markupsafe import Markup, escape

from ..model import Emphasis, Paragraph, Ruby, Strong, TateChuYoko, Text


def inline_html(inlines) -> Markup:
    parts: list[str] = []
    for node in inlines:
        if isinstance(node, Text):
            parts.append(str(escape(node.text)))
        elif isinstance(node, Ruby):
            parts.append(
                f'<ruby>{escape(node.base)}<rp>（</rp><rt>{escape(node.reading)}</rt><rp>）</rp></ruby>'
            )
        elif isinstance(node, Emphasis):
            parts.append(f'<em class="bouten">{inline_html(node.children)}</em>')
        elif isinstance(node, Strong):
            parts.append(f"<strong>{inline_html(node.children)}</strong>")
        elif isinstance(node, TateChuYoko):
            parts.append(f'<span class="tcy">{escape(node.text)}</span>')
        else:  # pragma: no cover - the model is closed
            raise TypeError(node)
    return Markup("".join(parts))


def paragraph_html(paragraph: Paragraph) -> Markup:
    """Inline HTML of one paragraph, for the print templates."""
    return inline_html(paragraph.inlines)
