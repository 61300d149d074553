"""Pango helpers: text set with letter-spacing or half-width punctuation (``halt``) that
survives WeasyPrint re-setting the text, glyph advances written with their fraction, a
text box laid out again, and the half-width form of a punctuation glyph.
"""

from __future__ import annotations

from weasyprint.text.ffi import TO_UNITS, ffi, pango
from weasyprint.text.line_break import create_layout, line_size

from publish.typeset_ja.weasyprint.context import current, original


class ExactInt(int):
    """``int`` as seen by ``weasyprint.draw.text``: still an int (for Pango), but printed
    with its fraction.

    WeasyPrint 70 writes each glyph's extra advance into the PDF as ``int()`` of a value
    in 1/1000 em, so letter-spacing loses up to 1/1000 em per character, which adds up
    to several tenths of a point along a justified line. Keeping three decimals places
    every glyph where Pango put it."""

    def __new__(cls, value):
        obj = super().__new__(cls, value)
        obj.exact = float(value)
        return obj

    def __format__(self, spec):
        if spec:
            return format(self.exact, spec)
        return f"{self.exact:.3f}".rstrip("0").rstrip(".")

    __str__ = __repr__ = lambda self: self.__format__("")


def set_text(self, text, justify=False):
    """``weasyprint.text.line_break.Layout.set_text``, then the layout's own attributes:
    ``jl_halt`` (indexes of characters set half-width) and ``jl_letter_spacing`` (px added
    between characters when justifying)."""
    original("set_text")(self, text, justify)
    spacing = getattr(self, "jl_letter_spacing", 0)
    halt = getattr(self, "jl_halt", None)
    if not self.text or not (halt or (justify and spacing)):
        return
    attr_list = pango.pango_layout_get_attributes(self.layout)
    if attr_list == ffi.NULL:
        attr_list = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    if halt:
        # 追い込み: these characters are set half-width (their blank half removed). Font
        # features attributes are cumulative in Pango, so the text's own features stay.
        encoded = self.text.encode()
        for index in halt:
            if index >= len(self.text):
                continue
            start = len(self.text[:index].encode())
            end = start + len(self.text[index].encode())
            if end > len(encoded):
                continue
            attr = pango.pango_attr_font_features_new(b"halt 1")
            attr.start_index, attr.end_index = start, end
            pango.pango_attr_list_insert(attr_list, attr)
    if justify and spacing:
        base = self.style["letter_spacing"]
        base = 0 if base == "normal" else base
        attr = pango.pango_attr_letter_spacing_new(int((base + spacing) * TO_UNITS))
        attr.start_index, attr.end_index = 0, len(self.text.encode())
        pango.pango_attr_list_change(attr_list, attr)
    pango.pango_layout_set_attributes(self.layout, attr_list)


def relayout(box, context, *, word_spacing=0.0, letter_spacing=0.0, halt=None, justify=False):
    """Lay the text box's text out again as one line, with extra word or letter spacing
    and half-width characters; returns (layout, width). The layout is deactivated, as
    WeasyPrint leaves the layouts it keeps for drawing."""
    layout = create_layout(box.text, box.style, context, None, word_spacing)
    if letter_spacing:
        layout.jl_letter_spacing = letter_spacing
    layout.jl_halt = halt
    layout.set_text(box.text, justify=justify)
    width, _ = line_size(layout.get_first_line()[0], box.style)
    layout.deactivate()
    return layout, width


def _font_key(font) -> tuple:
    """The font as the PDF stream tells fonts apart (WeasyPrint's key) and its size."""
    from weasyprint.text.fonts import get_pango_font_key

    key, _, size = get_pango_font_key(font)
    return key, size


def half_glyph(font, glyph, half: str, style):
    """The glyph of the half-width form ``half`` in the Pango ``font`` if its ink is that
    of ``glyph`` (within 0.05 em), else None. Remembered per render, keyed by the font's
    description (a Pango pointer may be reused by another font once freed)."""
    cache = current().half_glyphs
    key = (_font_key(font), glyph, half)
    if key in cache:
        return cache[key]
    found = None
    layout = create_layout(half, style, None, None, 0)
    line, _ = layout.get_first_line()
    item = line.runs[0].data if line.runs != ffi.NULL else None
    if item is not None and item.item.analysis.font == font and item.glyphs.num_glyphs == 1:
        candidate = item.glyphs.glyphs[0].glyph
        ink_a, ink_b = ffi.new("PangoRectangle *"), ffi.new("PangoRectangle *")
        logical = ffi.new("PangoRectangle *")
        pango.pango_font_get_glyph_extents(font, glyph, ink_a, logical)
        pango.pango_font_get_glyph_extents(font, candidate, ink_b, logical)
        em = logical.height or 1
        tolerance = 0.05 * max(em, 1)
        if all(
            abs(getattr(ink_a, f) - getattr(ink_b, f)) <= tolerance
            for f in ("x", "y", "width", "height")
        ) and ink_b.width > 0:
            found = candidate
    layout.deactivate()
    cache[key] = found
    return found
