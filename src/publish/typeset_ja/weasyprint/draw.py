"""Drawing text boxes: blank text boxes that are text (U+3000, word spaces between
typesetter spans) kept in the PDF, and the line-final 、。」 of a pushed-in line drawn
as the font's half-width form.
"""

from __future__ import annotations

from weasyprint.text.ffi import ffi, pango

from publish.typeset_ja.weasyprint.boxes import classes
from publish.typeset_ja.weasyprint.context import original
from publish.typeset_ja.weasyprint.pango import half_glyph

# Half-width forms whose outline is the fullwidth punctuation's: a pushed-in 、。」 at the
# line end is drawn with them, so the glyph's advance in the PDF is half an em too.
HALFWIDTH_FORMS = {"\u3001": "\uff64", "\u3002": "\uff61", "\u300d": "\uff63"}


class _Drawn(str):
    """A text that ``draw_first_line`` does not take for blank."""

    def strip(self, *args):
        return str(self) or "x"


def draw_first_line(stream, textbox, *args, **kwargs):
    """``weasyprint.draw.text.draw_first_line``, also for text boxes made only of blanks
    that are text: an ideographic space (U+3000) between two inline boxes, or the word
    space between two typesetter spans (e.g. ``Cloud Center`` under emphasis dots, one
    span per letter). WeasyPrint 70 skips any text box whose ``str.strip()`` is empty,
    which drops them from the PDF text layer."""
    draw = original("draw_first_line")
    if getattr(textbox, "jl_swap_end", False):
        swap_last_glyph(stream, textbox)
    text = textbox.text
    if text and not text.strip() and (
        "\u3000" in text
        or (" " in text and any(name.startswith("jl-") for name in classes(textbox)))
    ):
        textbox.text = _Drawn(text)
        try:
            return draw(stream, textbox, *args, **kwargs)
        finally:
            textbox.text = text
    return draw(stream, textbox, *args, **kwargs)


def swap_last_glyph(stream, textbox):
    """Draw the line-final 、。」 of a pushed-in line (set half-width with ``halt``) as the
    font's half-width form (same outline, half-em advance): the PDF then gives the glyph
    the advance it is set with, and the text layer still reads 、。」 (WeasyPrint maps a
    glyph to the text of its cluster)."""
    half = HALFWIDTH_FORMS.get(textbox.text[-1:])
    if half is None:
        return
    layout = textbox.pango_layout
    # the draw sets this too: setting it first keeps the lines Pango has laid out
    pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
    first_line, _ = layout.get_first_line()
    run, last = first_line.runs, None
    while run != ffi.NULL:
        last = run.data
        run = run.next
    if last is None or last.glyphs.num_glyphs == 0 or last.item.analysis.level % 2:
        return
    info = last.glyphs.glyphs[last.glyphs.num_glyphs - 1]
    pango_font = last.item.analysis.font
    glyph = half_glyph(pango_font, info.glyph, half, textbox.style)
    if glyph is None:
        return
    # The PDF maps each glyph to one text: keep the half-width form's glyph for this
    # character only (a real ､｡｣ drawn before keeps its own glyph; sources have none).
    font, _ = stream.add_font(pango_font)
    if font.to_unicode.get(glyph, textbox.text[-1]) != textbox.text[-1]:
        return
    info.glyph = glyph
