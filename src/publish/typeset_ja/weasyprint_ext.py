"""JLReq line adjustment for WeasyPrint 70 (pinned: the patch replaces internals).

WeasyPrint 70 justifies a line only by stretching U+0020 / U+00A0, so Japanese lines stay
ragged. This module replaces ``weasyprint.layout.inline.text_align`` (called once per line
box after line breaking) with a version that, before aligning a line:

1. removes the 和欧間 quarter em (the margin of ``.jl-latin.jl-gs`` / ``.jl-ge`` spans) when
   it falls at the start or the end of the line;
2. pulls a fullwidth opening bracket that starts a line (not a paragraph's first line) back
   by half an em, so no half-em blank shows before it;
3. for ``text-align: justify`` (all lines but a paragraph's last), spreads the remaining
   width equally over the expandable gaps: between Japanese characters (as Pango
   letter-spacing on text boxes made only of Japanese characters; no character is added,
   so the PDF text layer stays equal to the source), at the boundaries of inline boxes
   (Latin runs, ruby, emphasis-dot spans) and at the word spaces of Latin runs. Never
   inside a Latin word, never between the two halves of ── or …….

Before that, line breaking does push-in (追い込み, JLReq 3.8): where Pango pushed a
character down because a line-start prohibited character (、。」 …) follows it, the line
is laid out again holding both if it can absorb them by compressing in JLReq's order
(the line-end half-em of 、。」 and closing brackets first, then ・：；, then mid-line
brackets and commas; the 和欧間 only if ``MIN_WAKAN`` allows), else the push-out stands.
This wraps ``weasyprint.layout.inline.split_inline_box`` (to widen the trial line) and
``get_next_linebox``; see the "push-in" section below.

It also makes ``weasyprint.draw.text`` write glyph advances with three decimals instead of
truncating them to whole 1/1000 em (see :class:`_ExactInt`) and draw the word spaces
between typesetter spans (see :func:`_draw_first_line`), wraps
``weasyprint.text.line_break.Layout.set_text`` so that a layout carrying a
``jl_letter_spacing`` value re-applies it when the text is drawn, and
``weasyprint.layout.inline.get_next_linebox`` to put ruby readings (``.jl-rt``) on top of
their base's em box (WeasyPrint 70 ignores ``top`` on an absolute child of an inline box).

For the line grid (行取り, JLReq rule 8) it wraps ``weasyprint.layout.block.block_level_layout``
(also as ``weasyprint.layout.page.block_level_layout``) and ``block_box_layout``: a block that
declares ``--jl-grid-snap: <length>`` ends on a line of a grid of that pitch counted from
the top of its column or page, so the body after it stays on the grid (see the "line
grid" section below). Off unless a layout's CSS declares the property.

Call :func:`install` once before rendering (the PDF writer does); it is idempotent.
"""

from __future__ import annotations

import unicodedata

import weasyprint

from .classes import FULLWIDTH_OPENING_BRACKETS, INSEPARABLE, PUNCTUATION, is_japanese

SUPPORTED_SERIES = "70."

_installed = False
_originals: dict[str, object] = {}


class UnsupportedWeasyPrint(RuntimeError):
    pass


def check_version(version: str | None = None) -> None:
    """Raise :class:`UnsupportedWeasyPrint` unless WeasyPrint is 70.x."""
    version = weasyprint.__version__ if version is None else version
    if not version.startswith(SUPPORTED_SERIES):
        raise UnsupportedWeasyPrint(
            f"publish.typeset_ja.weasyprint_ext patches WeasyPrint {SUPPORTED_SERIES}x internals "
            f"(layout.inline.text_align, layout.inline.split_inline_box, "
            f"layout.inline.get_next_linebox, text.line_break.Layout.set_text, "
            f"layout.block.block_level_layout) but WeasyPrint "
            f"{version} is installed; pin weasyprint==70.* or port the extension."
        )


def installed() -> bool:
    return _installed


def install() -> None:
    """Patch WeasyPrint (once). Raises UnsupportedWeasyPrint on another version."""
    global _installed
    check_version()
    if _installed:
        return
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    from weasyprint.draw import text as draw_text

    _originals["text_align"] = inline.text_align
    _originals["get_next_linebox"] = inline.get_next_linebox
    _originals["split_inline_box"] = inline.split_inline_box
    inline.split_inline_box = _split_inline_box
    _originals["draw_first_line"] = draw_text.draw_first_line
    draw_text.int = _ExactInt
    draw_text.draw_first_line = _draw_first_line
    _originals["set_text"] = line_break.Layout.set_text
    inline.text_align = _text_align
    inline.get_next_linebox = _get_next_linebox
    line_break.Layout.set_text = _set_text
    _install_grid()
    _installed = True


def uninstall() -> None:
    """Undo :func:`install` (for tests)."""
    global _installed
    if not _installed:
        return
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    from weasyprint.draw import text as draw_text

    inline.text_align = _originals["text_align"]
    inline.get_next_linebox = _originals["get_next_linebox"]
    inline.split_inline_box = _originals["split_inline_box"]
    draw_text.draw_first_line = _originals["draw_first_line"]
    del draw_text.int
    line_break.Layout.set_text = _originals["set_text"]
    _uninstall_grid()
    _installed = False


# --- Pango letter-spacing ------------------------------------------------------------


class _ExactInt(int):
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



class _Drawn(str):
    """A text that ``draw_first_line`` does not take for blank."""

    def strip(self, *args):
        return str(self) or "x"


def _draw_first_line(stream, textbox, *args, **kwargs):
    """Draw text boxes made only of blanks that are text: an ideographic space (U+3000)
    between two inline boxes, or the word space between two typesetter spans (e.g.
    ``Cloud Center`` under emphasis dots, one span per letter). WeasyPrint 70 skips any
    text box whose ``str.strip()`` is empty, which drops them from the PDF text layer."""
    if getattr(textbox, "jl_swap_end", False):
        _swap_last_glyph(stream, textbox)
    text = textbox.text
    if text and not text.strip() and (
        "\u3000" in text
        or (" " in text and any(name.startswith("jl-") for name in _classes(textbox)))
    ):
        textbox.text = _Drawn(text)
        try:
            return _originals["draw_first_line"](stream, textbox, *args, **kwargs)
        finally:
            textbox.text = text
    return _originals["draw_first_line"](stream, textbox, *args, **kwargs)


_half_glyphs: dict = {}


def _half_glyph(font, glyph, half: str, style):
    """The glyph of the half-width form ``half`` in the Pango ``font`` if its ink is that
    of ``glyph`` (within 0.05 em), else None."""
    from weasyprint.text.ffi import ffi, pango
    from weasyprint.text.line_break import create_layout

    key = (int(ffi.cast("uintptr_t", font)), glyph, half)
    if key in _half_glyphs:
        return _half_glyphs[key]
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
    _half_glyphs[key] = found
    return found


def _swap_last_glyph(stream, textbox):
    """Draw the line-final 、。」 of a pushed-in line (set half-width with ``halt``) as the
    font's half-width form (same outline, half-em advance): the PDF then gives the glyph
    the advance it is set with, and the text layer still reads 、。」 (WeasyPrint maps a
    glyph to the text of its cluster)."""
    from weasyprint.text.ffi import ffi, pango

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
    glyph = _half_glyph(pango_font, info.glyph, half, textbox.style)
    if glyph is None:
        return
    # The PDF maps each glyph to one text: keep the half-width form's glyph for this
    # character only (a real ､｡｣ drawn before keeps its own glyph; sources have none).
    font, _ = stream.add_font(pango_font)
    if font.to_unicode.get(glyph, textbox.text[-1]) != textbox.text[-1]:
        return
    info.glyph = glyph


def _set_text(self, text, justify=False):
    _originals["set_text"](self, text, justify)
    spacing = getattr(self, "jl_letter_spacing", 0)
    halt = getattr(self, "jl_halt", None)
    if not self.text or not (halt or (justify and spacing)):
        return
    from weasyprint.text.ffi import TO_UNITS, ffi, pango

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


# --- line adjustment -----------------------------------------------------------------

# Inline boxes whose characters are never spaced apart (Latin runs, ── ……, ruby bases).
_UNSPACED = {"jl-latin", "jl-nobr", "jl-ruby"}
_ATOMIC_EDGE = "\u3007"  # an atomic inline (ruby base) counts as a Japanese character


def _classes(box) -> set[str]:
    element = getattr(box, "element", None)
    if element is None or getattr(box, "element_tag", "").endswith("::first-line"):
        return set()
    try:
        return set((element.get("class") or "").split())
    except AttributeError:
        return set()


def _countable(ch: str) -> bool:
    """A character Pango treats as its own grapheme for letter-spacing."""
    return unicodedata.category(ch) not in ("Mn", "Me", "Cf") and not (0xFE00 <= ord(ch) <= 0xFE0F)


_SPACES = frozenset(" \u00a0\t\n")  # not U+3000, which is a fullwidth character


def _gap_ok(a: str, b: str) -> bool:
    """Whether the gap between characters a and b may be widened."""
    if not a or not b or a in _SPACES or b in _SPACES:
        return False
    if a in INSEPARABLE and b in INSEPARABLE:
        return False
    return is_japanese(a) or is_japanese(b)


class _Leaf:
    __slots__ = ("box", "first", "last", "latin", "spaceable", "inner", "spaces")

    def __init__(self, box, latin):
        self.box = box
        self.latin = latin
        self.spaceable = False
        self.inner = 0
        self.spaces = 0
        text = getattr(box, "text", None)
        if text is None:
            self.first = self.last = _ATOMIC_EDGE
            return
        self.first = text[:1]
        self.last = text[-1:]
        chars = [c for c in text if _countable(c)]
        if (
            not latin
            and len(chars) > 1
            and box.style["white_space"] in ("normal", "pre-line")
            and all(_gap_ok(a, b) for a, b in zip(chars, chars[1:]))
        ):
            self.spaceable = True
            self.inner = len(chars) - 1
        else:
            self.spaces = text.count(" ") + text.count("\u00a0")


def _flatten(line):
    """In-flow leaves in visual (LTR) order and, for each gap, the box it opens before."""
    from weasyprint.formatting_structure import boxes

    leaves: list[_Leaf] = []
    opened: list = []  # boxes entered since the last leaf
    gap_before: dict[int, _Leaf] = {}

    def walk(box, latin):
        if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
            latin = latin or bool(_classes(box) & _UNSPACED)
            opened.append(box)
            for child in box.children:
                if child.is_in_normal_flow():
                    walk(child, latin)
            if opened and opened[-1] is box:
                opened.pop()  # an empty inline box: nothing opened before the next leaf
        else:  # a leaf: a text box or an atomic inline-level box (inline-block, image, ...)
            leaf = _Leaf(box, latin)
            if leaves:
                target = opened[0] if opened else box
                gap_before[id(target)] = (leaves[-1], leaf)
            leaves.append(leaf)
            opened.clear()

    for child in line.children:
        if child.is_in_normal_flow():
            walk(child, False)
    return leaves, gap_before


def _edge_chain(line, last):
    """The inline boxes that start (or end) the line, outermost first, and the edge leaf."""
    from weasyprint.formatting_structure import boxes

    chain = []
    box = line
    while isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        children = [c for c in box.children if c.is_in_normal_flow()]
        if not children:
            return chain, None
        box = children[-1] if last else children[0]
        if isinstance(box, boxes.InlineBox):
            chain.append(box)
    return chain, box


# Ideographic em box of the bundled Noto CJK faces: 0.88 em above, 0.12 em below the baseline.
EM_TOP, EM_BOTTOM = 0.88, 0.12


def _first_text(box, in_flow=True):
    """The first text box under ``box`` (only in-flow ones if ``in_flow``)."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        return box
    for child in getattr(box, "children", ()):
        if in_flow and not child.is_in_normal_flow():
            continue
        found = _first_text(child, in_flow)
        if found is not None:
            return found
    return None


def _readings(box):
    """The absolutely positioned ``.jl-rt`` boxes under ``box``."""
    for child in getattr(box, "children", ()):
        if child.is_absolutely_positioned():
            if "jl-rt" in _classes(child):
                yield child
        else:
            yield from _readings(child)


def _place_readings(box):
    """Put each ruby reading's em box on top of its base's em box.

    WeasyPrint 70 resets an absolutely positioned inline child to the line's top after
    layout (its static position), ignoring ``top``; so the reading is placed here."""
    from weasyprint.formatting_structure import boxes

    for child in getattr(box, "children", ()):
        if not isinstance(child, boxes.InlineBox):
            continue
        if "jl-ruby" in _classes(child):
            base = _first_text(child)
            for reading in _readings(child):
                text = _first_text(reading, in_flow=False)
                if base is None or text is None:
                    continue
                want = (
                    base.position_y + base.baseline
                    - EM_TOP * base.style["font_size"]
                    - EM_BOTTOM * text.style["font_size"]
                )
                reading.translate(0, want - (text.position_y + text.baseline))
        else:
            _place_readings(child)


def _get_next_linebox(context, linebox, position_y, bottom_space, skip_stack,
                      containing_block, absolute_boxes, fixed_boxes, *args, **kwargs):
    original = _originals["get_next_linebox"]
    if _PUSH_IN.target is None and not PUSH_IN and _push_in_enabled(linebox, True):
        line, resume_at = original(
            context, linebox, position_y, bottom_space, skip_stack, containing_block,
            absolute_boxes, fixed_boxes, *args, **kwargs)
        if line is not None and resume_at is not None:
            run = _pushed_out(_following_text(linebox, resume_at, _LOOKAHEAD))
            if run and _was_pushed_out(line, run, linebox.style["font_size"]):
                _record(linebox, skip_stack, "push-out")
    elif _PUSH_IN.target is not None or not _push_in_enabled(linebox):
        line, resume_at = original(
            context, linebox, position_y, bottom_space, skip_stack, containing_block,
            absolute_boxes, fixed_boxes, *args, **kwargs)
    else:
        shapes = list(context.excluded_shapes)
        line_absolutes, line_fixed = [], []
        line, resume_at = original(
            context, linebox, position_y, bottom_space, skip_stack, containing_block,
            line_absolutes, line_fixed, *args, **kwargs)
        if (
            line is not None and resume_at is not None
            and list(context.excluded_shapes) == shapes
        ):
            if getattr(line, "jl_extra", 0.0) < -0.01:
                # Pango let a trailing U+3000 hang past the end: break earlier instead
                trial = _retry_narrower(
                    context, linebox, line, original,
                    (position_y, bottom_space, skip_stack, containing_block), args, kwargs)
            else:
                trial = _try_push_in(
                    context, linebox, line, resume_at, original,
                    (position_y, bottom_space, skip_stack, containing_block), args, kwargs)
                if getattr(line, "jl_push_out", False):
                    _record(linebox, skip_stack, "push-in" if trial else "push-out")
            if trial is not None:
                line, resume_at, line_absolutes, line_fixed = trial
            if SHORT_END and resume_at is not None and list(context.excluded_shapes) == shapes:
                fixed = _avoid_short_end(
                    context, linebox, line, resume_at, original,
                    (position_y, bottom_space, skip_stack, containing_block), args, kwargs)
                if fixed is not None:
                    line, resume_at, line_absolutes, line_fixed = fixed
        absolute_boxes.extend(line_absolutes)
        fixed_boxes.extend(line_fixed)
    if line is not None:
        _place_readings(line)
    return line, resume_at


# --- push-in (追い込み, JLReq 3.8) ------------------------------------------------------
#
# Pango keeps the characters of NOT_AT_LINE_START off the start of a line by pushing the
# previous character down (追い出し): the line ends one character early and is spaced out.
# JLReq prefers pushing in when the line can absorb the prohibited character(s) by
# compressing. After WeasyPrint has broken a line, ``_get_next_linebox`` looks at the text
# that follows the break: a character followed by a run of NOT_AT_LINE_START characters
# (e.g. 「す。」) is what was pushed out. It lays the line out again with the available
# width widened by just what that text needs (``_split_inline_box``); ``_text_align`` then
# compresses the trial line in JLReq's order (``_compress``):
#
# 1. the half-em blank of a closing bracket, comma or full stop that ends the line (the
#    glyph is set half-width: ``halt`` for Pango, and in the PDF the font's half-width
#    form of 、。」 when its outline is the same, so the glyph's advance is half an em);
# 2. the quarter-em blanks around middle dots ・：； (halt);
# 3. the half-em blanks of brackets and commas inside the line (never after a full stop);
# 4. the 和欧間 quarter em, down to 1/8 em.
#
# Punctuation is set whole half-width (never narrower); what is compressed beyond the
# overflow is given back by the usual justification. If the compressible space does not
# cover the overflow, or the trial line holds anything but the expected characters, the
# pushed-out line stands. No hanging punctuation (ぶら下げ).


class _PushInState:
    target = None  # the LineBox of the trial layout
    extra = 0.0  # px added to its available width
    result = None  # set by _text_align: whether the trial line was compressed to fit
    compress = True  # False: a narrower retry, nothing to compress


_PUSH_IN = _PushInState()
# em: how far push-in may compress the 和欧間 quarter em (JLReq allows down to 1/8 em).
# 0.25 keeps it whole: issue 3 rule 4 (tests/test_typeset_ja.py) wants a full quarter em
# on every justified line, so lines that would need it are pushed out instead. Set it to
# 1/8 to let push-in take the last eighths too.
MIN_WAKAN = 0.25


# Push-in on (True) or push-out only as before (False; for comparisons).
PUSH_IN = True


# What each line break of the last documents did where Pango had pushed a character out:
# (id of the paragraph's element, where its line starts) -> "push-in" or "push-out".
# WeasyPrint may lay a paragraph out more than once; the last decision counts.
DECISIONS: dict = {}


def _record(linebox, skip_stack, decision: str) -> None:
    DECISIONS[(id(linebox.element), repr(skip_stack))] = decision


def decision_counts() -> dict[str, int]:
    """{"push-in": n, "push-out": m} over the lines recorded since :func:`reset_decisions`."""
    counts = {"push-in": 0, "push-out": 0}
    for decision in DECISIONS.values():
        counts[decision] = counts.get(decision, 0) + 1
    return counts


def reset_decisions() -> None:
    DECISIONS.clear()


def _push_in_enabled(linebox, ignore_switch: bool = False) -> bool:
    style = linebox.style
    return (
        (PUSH_IN or ignore_switch)
        and style["direction"] == "ltr"
        and style["text_align_all"] == "justify"
        and style["white_space"] in ("normal", "pre-line")
    )


def _split_inline_box(context, box, position_x, max_x, *args, **kwargs):
    if _PUSH_IN.target is not None and box is _PUSH_IN.target:
        max_x += _PUSH_IN.extra
    return _originals["split_inline_box"](context, box, position_x, max_x, *args, **kwargs)


def _following_text(box, skip_stack, limit: int) -> str:
    """Up to ``limit`` characters of in-flow text from ``skip_stack`` in ``box`` on (an
    atomic inline counts as one character, _ATOMIC_EDGE)."""
    from weasyprint.formatting_structure import boxes

    out: list[str] = []

    def walk(box, skip_stack) -> bool:
        if isinstance(box, boxes.TextBox):
            start = next(iter(skip_stack)) if skip_stack else 0
            out.append(box.text.encode()[start:].decode(errors="replace"))
        elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
            if skip_stack:
                (index, child_skip), = skip_stack.items()
            else:
                index, child_skip = 0, None
            for n, child in enumerate(box.children[index:]):
                if not child.is_in_normal_flow():
                    continue
                if walk(child, child_skip if n == 0 else None):
                    return True
        else:
            out.append(_ATOMIC_EDGE)
        return sum(map(len, out)) >= limit

    walk(box, skip_stack)
    return "".join(out)[:limit]


def _line_chars(box) -> int:
    """The number of characters of in-flow text in a laid-out line."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        return len(box.text)
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        return sum(_line_chars(c) for c in box.children if c.is_in_normal_flow())
    return 1


def _pushed_out(text: str) -> str | None:
    """The start of the next line if it was pushed out: one Japanese character followed
    by a run of NOT_AT_LINE_START characters (the whole of what push-in must take)."""
    from .classes import NOT_AT_LINE_START, OPENING_BRACKETS

    if len(text) < 2:
        return None
    first = text[0]
    if (
        not is_japanese(first) or first in NOT_AT_LINE_START or first in OPENING_BRACKETS
        or first in INSEPARABLE or first == _ATOMIC_EDGE or first == "\u3000"
    ):
        return None
    k = 1
    while k < len(text) and text[k] in NOT_AT_LINE_START and is_japanese(text[k]):
        k += 1
    if k == 1 or k == len(text) and len(text) >= _LOOKAHEAD:
        return None  # nothing prohibited follows, or we cannot see the run's end
    if k < len(text) and text[k] in NOT_AT_LINE_START:
        return None  # a prohibited non-Japanese character (!, ?, ...) follows
    return text[:k]


_LOOKAHEAD = 8


def _was_pushed_out(line, run: str, em: float) -> bool:
    """Whether the first character of ``run`` had room on ``line`` (so Pango pushed it
    out because of what follows it) rather than the line being full."""
    width = em if unicodedata.east_asian_width(run[0]) in ("W", "F") else em / 2
    return getattr(line, "jl_extra", 0.0) >= width - 0.05 * em


def _retry_narrower(context, linebox, line, original, fixed_args, args, kwargs):
    shapes = list(context.excluded_shapes)
    result = _trial_line(context, linebox, original, fixed_args, args, kwargs, line.jl_extra - 0.01,
                         compress=False)
    if result is None:
        return None
    trial, trial_resume, line_absolutes, line_fixed, _ = result
    if trial_resume is None or getattr(trial, "jl_extra", -1) < -0.01:
        context.excluded_shapes[:] = shapes
        return None
    return trial, trial_resume, line_absolutes, line_fixed


def _try_push_in(context, linebox, line, resume_at, original, fixed_args, args, kwargs):
    natural_extra = getattr(line, "jl_extra", None)  # available - content width
    if natural_extra is None:
        return None
    following = _following_text(linebox, resume_at, _LOOKAHEAD)
    run = _pushed_out(following)
    em = linebox.style["font_size"]
    if run is None or not _was_pushed_out(line, run, em):
        return None
    line.jl_push_out = True
    estimate = sum(em if unicodedata.east_asian_width(c) in ("W", "F") else em / 2 for c in run)
    overflow = estimate - natural_extra
    if overflow > 2.5 * em:
        return None
    shapes = list(context.excluded_shapes)
    result = _trial_line(context, linebox, original, fixed_args, args, kwargs, max(overflow, 0) + 0.1 * em)
    if result is None:
        return None
    trial, trial_resume, line_absolutes, line_fixed, fitted = result
    if not fitted or _line_chars(trial) != _line_chars(line) + len(run):
        context.excluded_shapes[:] = shapes
        return None
    if trial_resume is not None:
        rest = following[len(run):]
        if rest and not _following_text(linebox, trial_resume, len(rest)).startswith(rest[:1]):
            return None
    trial.jl_pushed_in = run
    return trial, trial_resume, line_absolutes, line_fixed


def _trial_line(context, linebox, original, fixed_args, args, kwargs, extra, *, compress=True):
    """Lay the line out again with `extra` points of room (negative: less room), the
    compression of JLReq's order switched on or off. (trial, resume, absolutes, fixed,
    fitted) — fitted: compressed to fit, or fitting as it is — or None when there is no
    line or the trial changed the floats' shapes (restored)."""
    position_y, bottom_space, skip_stack, containing_block = fixed_args
    line_absolutes, line_fixed = [], []
    shapes = list(context.excluded_shapes)
    _PUSH_IN.target, _PUSH_IN.extra, _PUSH_IN.result = linebox, extra, None
    _PUSH_IN.compress = compress
    try:
        trial, trial_resume = original(
            context, linebox, position_y, bottom_space, skip_stack, containing_block,
            line_absolutes, line_fixed, *args, **kwargs)
        fitted = _PUSH_IN.result or (
            _PUSH_IN.result is None and getattr(trial, "jl_extra", -1.0) >= -0.01)
    finally:
        _PUSH_IN.target, _PUSH_IN.extra, _PUSH_IN.result = None, 0.0, None
        _PUSH_IN.compress = True
    if trial is None or list(context.excluded_shapes) != shapes:
        context.excluded_shapes[:] = shapes
        return None
    return trial, trial_resume, line_absolutes, line_fixed, fitted


# --- paragraph ends (段落末の泣き別れ) ----------------------------------------------------
#
# A paragraph whose last line would hold one or two characters (「か？」「す。」) is set
# again from its next-to-last line: first pushed in (the last characters taken onto that
# line, compressed in JLReq's order as above), else pulled back (that line broken one or
# two characters earlier and justified, so the last line holds three or more). Lines
# before it are not touched. SHORT_END switches it off for comparisons.

SHORT_END = True
SHORT_END_MIN = 3  # characters a paragraph's last line should hold


def _avoid_short_end(context, linebox, line, resume_at, original, fixed_args, args, kwargs):
    rest = _following_text(linebox, resume_at, SHORT_END_MIN + 1)
    stripped = rest.rstrip(" \n\t")
    if len(rest) > SHORT_END_MIN or not 1 <= len(stripped) < SHORT_END_MIN:
        return None
    natural_extra = getattr(line, "jl_extra", None)
    if natural_extra is None:
        return None
    em = linebox.style["font_size"]
    skip_stack = fixed_args[2]

    def attempt(extra, compress):
        return _trial_line(context, linebox, original, fixed_args, args, kwargs, extra, compress=compress)

    # 1. push in: the whole rest on this line, compressed
    estimate = sum(em if unicodedata.east_asian_width(c) in ("W", "F") else em / 2 for c in stripped)
    overflow = estimate - natural_extra
    if overflow <= 1.5 * em:
        result = attempt(max(overflow, 0) + 0.1 * em, True)
        if result is not None:
            trial, trial_resume, line_absolutes, line_fixed, fitted = result
            if fitted and trial_resume is None:
                trial.jl_pushed_in = stripped
                _record(linebox, skip_stack, "short-end push-in")
                return trial, trial_resume, line_absolutes, line_fixed
    # 2. pull back: break this line earlier, so the last line takes three characters or more
    chars = _line_chars(line)
    for k in range(SHORT_END_MIN - len(stripped), SHORT_END_MIN):
        result = attempt(-(natural_extra + k * em) + 0.05 * em, False)
        if result is None:
            continue
        trial, trial_resume, line_absolutes, line_fixed, _ = result
        if trial_resume is None:
            continue
        after = _following_text(linebox, trial_resume, SHORT_END_MIN + 8).rstrip(" \n\t")
        if SHORT_END_MIN <= len(after) and _line_chars(trial) >= chars - SHORT_END_MIN - 1:
            _record(linebox, skip_stack, "short-end pull-back")
            return trial, trial_resume, line_absolutes, line_fixed
    return None


def _is_wakan(a: str, b: str) -> bool:
    """A 和欧間 boundary: a Latin letter or digit beside a Japanese letter."""
    from .classes import PUNCTUATION, is_latin

    def ja(c):
        return is_japanese(c) and c not in PUNCTUATION

    return (is_latin(a) and ja(b)) or (ja(a) and is_latin(b))


WAKAN_PROPERTY = "--jl-wakan-expansion"
_WAKAN_KEY = WAKAN_PROPERTY.replace("-", "_")
# What a line without the property does: inter-character space first, the 和欧間 stays a
# quarter em unless nothing else can take the width (see _allocate).
DEFAULT_WAKAN_EXPANSION = "inter-character-first"
WAKAN_EXPANSIONS = ("inter-character-first", "jlreq")


def _wakan_expansion(line) -> str:
    """``--jl-wakan-expansion`` (inherited, so a layout declares it once on :root):
    ``inter-character-first`` or ``jlreq``."""
    style = line.style
    try:
        value = style[_WAKAN_KEY]
    except (KeyError, AttributeError):
        value = None
    idents = [t.lower_value for t in (value or ()) if getattr(t, "type", None) == "ident"]
    return idents[0] if idents and idents[0] in WAKAN_EXPANSIONS else DEFAULT_WAKAN_EXPANSION


def _allocate(extra, leaves, gap_before, em, mode=DEFAULT_WAKAN_EXPANSION):
    """Share ``extra`` width out.

    ``mode="jlreq"``, JLReq's expansion order (3.8.3):

    1. word spaces of Latin runs, by up to a quarter em each (towards half an em);
    2. the 和欧間 quarter em, by up to a quarter em each (towards half an em);
    3. the rest equally over every gap between characters (Japanese characters, box
       boundaries and word spaces), never inside a Latin word or between ── halves.

    ``mode="inter-character-first"`` (the built-in layouts, as designers fix 和欧間 at 25%
    in InDesign): everything equally over the gaps between characters and the word spaces,
    the 和欧間 kept at a quarter em; only a line with no other gap widens its 和欧間, by up
    to a quarter em (towards half an em).
    """
    gaps = {k: v for k, v in gap_before.items() if _gap_ok(v[0].last, v[1].first)}
    spaces = sum(leaf.spaces for leaf in leaves)
    inner = sum(leaf.inner for leaf in leaves)
    wakan = [k for k, (a, b) in gaps.items() if _is_wakan(a.last, b.first)]
    remaining = extra
    if mode != "jlreq":
        others = [k for k in gaps if k not in set(wakan)]
        count = len(others) + inner + spaces
        if count:
            s3 = remaining / count
            amounts = {k: s3 for k in others}
            letter_spacing = {id(leaf.box): s3 for leaf in leaves if leaf.inner and s3}
            return s3, letter_spacing, amounts
        s2 = min(remaining / len(wakan), em / 4) if wakan else 0.0
        return 0.0, {}, {k: s2 for k in wakan}
    s1 = min(remaining / spaces, em / 4) if spaces else 0.0
    remaining -= s1 * spaces
    s2 = min(remaining / len(wakan), em / 4) if wakan else 0.0
    remaining -= s2 * len(wakan)
    count = len(gaps) + inner + spaces
    s3 = remaining / count if count else 0.0
    amounts = {k: s3 for k in gaps}
    for k in wakan:
        amounts[k] += s2
    letter_spacing = {id(leaf.box): s3 for leaf in leaves if leaf.inner and s3}
    return s1 + s3, letter_spacing, amounts


# Half-width forms whose outline is the fullwidth punctuation's: a pushed-in 、。」 at the
# line end is drawn with them, so the glyph's advance in the PDF is half an em too.
HALFWIDTH_FORMS = {"\u3001": "\uff64", "\u3002": "\uff61", "\u300d": "\uff63"}


def _compress(context, leaves, gap_before, overflow, em):
    """Plan the compression of a pushed-in line by ``overflow`` px in JLReq's order (see
    the push-in section). Marks the text boxes (``jl_halt``: indexes set half-width,
    ``jl_swap_end``: the last glyph drawn as its half-width form) and returns ``(saved,
    reductions)``: the width taken out, and the 和欧間 reductions per gap; or None (and
    marks nothing) when the line cannot absorb ``overflow``."""
    from weasyprint.text.line_break import create_layout, line_size

    from .classes import CLOSING_BRACKETS, COMMAS, FULL_STOPS, MIDDLE_DOTS, OPENING_BRACKETS

    def fullwidth(c):
        return unicodedata.east_asian_width(c) in ("W", "F")

    chars = []  # (leaf, index, char, compressible box)
    for leaf in leaves:
        text = getattr(leaf.box, "text", None)
        if text is None:
            chars.append((leaf, 0, _ATOMIC_EDGE, False))
            continue
        plain = not leaf.latin and "jl-h" not in _classes(leaf.box)
        for i, c in enumerate(text):
            chars.append((leaf, i, c, plain))
    while chars and chars[-1][2] in _SPACES:
        chars.pop()
    if not chars:
        return None

    end, dots, brackets = [], [], []
    last = len(chars) - 1
    for n, (leaf, i, c, plain) in enumerate(chars):
        if not plain or not fullwidth(c):
            continue
        before = chars[n - 1][2] if n else ""
        after = chars[n + 1][2] if n < last else ""
        if n == last:
            if c in CLOSING_BRACKETS or c in COMMAS or c in FULL_STOPS:
                end.append((leaf, i))
            continue
        # beside other punctuation the blank is already shared (約物詰め): leave it
        if before in PUNCTUATION or after in PUNCTUATION:
            continue
        # and beside Latin text or a ruby/inline box its blank is not measured as one
        if not (is_japanese(before) and is_japanese(after)):
            continue
        if c in MIDDLE_DOTS:
            dots.append((leaf, i))
        elif c in CLOSING_BRACKETS or c in COMMAS:
            brackets.append((leaf, i))
        elif c in OPENING_BRACKETS and n > 0:
            brackets.append((leaf, i))

    need = overflow - 0.01
    chosen = []
    nominal = 0.0
    for group in (end, dots[::-1], brackets[::-1]):
        for item in group:
            if nominal >= need:
                break
            chosen.append(item)
            nominal += em / 2
    # measure what halving the chosen characters really takes out
    by_box: dict[int, tuple] = {}
    for leaf, i in chosen:
        by_box.setdefault(id(leaf.box), (leaf.box, set()))[1].add(i)
    saved = 0.0
    widths = {}
    for key, (box, indexes) in by_box.items():
        layout = create_layout(box.text, box.style, context, None, 0)
        layout.jl_halt = indexes
        layout.set_text(box.text)
        width, _ = line_size(layout.get_first_line()[0], box.style)
        layout.deactivate()
        widths[key] = width
        saved += box.width - width
    reductions = {}
    if saved < need:
        wakan = [
            k for k, (a, b) in gap_before.items()
            if _is_wakan(a.last, b.first) and not a.latin is b.latin
        ]
        room = em * (0.25 - MIN_WAKAN)
        if wakan and room > 0:
            each = min((need - saved) / len(wakan), room)
            reductions = {k: each for k in wakan}
            saved += each * len(wakan)
    if saved < need:
        return None
    for key, (box, indexes) in by_box.items():
        box.jl_halt = frozenset(indexes)
    if end and end[0] in chosen:
        leaf, i = end[0]
        if i == len(leaf.box.text) - 1 and leaf.box.text[i] in HALFWIDTH_FORMS:
            leaf.box.jl_swap_end = True
    return saved, reductions


def _text_align(context, line, available_width, last):
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.line_break import create_layout, line_size

    if line.style["direction"] == "rtl":
        return _originals["text_align"](context, line, available_width, last)

    # 1. Trims at the line's edges.
    start_trim = 0.0  # how far the content's start moves left
    bracket_trim = 0.0
    end_trim = 0.0
    start_chain, first_leaf = _edge_chain(line, last=False)
    for box in start_chain:
        if "jl-gs" in _classes(box) and box.margin_left:
            start_trim += box.margin_left
            box.jl_child_shift = box.margin_left
            box.margin_left = 0
    is_first_line = bool(getattr(line, "text_indent", 0))
    if (
        isinstance(first_leaf, boxes.TextBox)
        and first_leaf.text[:1] in FULLWIDTH_OPENING_BRACKETS
        and not is_first_line
    ):
        bracket_trim = first_leaf.style["font_size"] / 2
        start_trim += bracket_trim
    end_chain, last_leaf = _edge_chain(line, last=True)
    for box in end_chain:
        if "jl-ge" in _classes(box) and box.margin_right:
            end_trim += box.margin_right
            box.margin_right = 0

    align = line.style["text_align_all"]
    if last:
        align_last = line.style["text_align_last"]
        align = align if align_last == "auto" else align_last
    space_collapse = line.style["white_space"] in ("normal", "nowrap", "pre-line")
    justify = align == "justify" and space_collapse

    leaves, gap_before = _flatten(line)
    content_width = line.width - start_trim - end_trim
    extra = available_width - content_width
    line.jl_extra = extra  # read by push-in (_try_push_in)
    reductions = {}  # id(box) -> space taken out before that box (和欧間)
    compressed = False
    target = _PUSH_IN.target
    if (
        target is not None and _PUSH_IN.compress and line.element is target.element
        and extra < -0.01
    ):
        plan = _compress(context, leaves, gap_before, -extra, line.style["font_size"])
        _PUSH_IN.result = plan is not None
        if plan is not None:
            saved, reductions = plan
            extra += saved
            compressed = True
    word_spacing = 0.0  # added to each word space of Latin runs
    letter_spacing = {}  # per spaceable text box
    gaps = {}  # id(box) -> space added before that box
    if justify and extra > 0:
        word_spacing, letter_spacing, gaps = _allocate(
            extra, leaves, gap_before, line.style["font_size"], _wakan_expansion(line))
    for key, amount in reductions.items():
        gaps[key] = gaps.get(key, 0.0) - amount
    spacing = word_spacing or any(gaps.values())

    if not (start_trim or end_trim or spacing or letter_spacing or compressed):
        offset = _originals["text_align"](context, line, available_width, last)
        _clamp_readings(line, line.position_x - offset, line.position_x - offset + available_width)
        return offset

    spaceable = {id(leaf.box): leaf for leaf in leaves}

    def apply(box, x_advance):
        x_advance += gaps.get(id(box), 0.0)
        if isinstance(box, boxes.TextBox):
            box.position_x += x_advance
            leaf = spaceable.get(id(box))
            halt = getattr(box, "jl_halt", None)
            if leaf is not None and (
                (leaf.inner and letter_spacing.get(id(box))) or (leaf.spaces and word_spacing)
                or halt
            ):
                if leaf.spaces and word_spacing:
                    layout = create_layout(
                        box.text, box.style, context, None, word_spacing)
                    box.justification_spacing = word_spacing
                else:
                    layout = create_layout(box.text, box.style, context, None, 0)
                    layout.jl_letter_spacing = letter_spacing.get(id(box), 0)
                layout.jl_halt = halt
                layout.set_text(box.text, justify=True)
                first_line = layout.get_first_line()[0]
                width, _ = line_size(first_line, box.style)
                layout.deactivate()
                box.pango_layout = layout
                x_advance += width - box.width
                box.width = width
        elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
            box.position_x += x_advance
            for child in box.children:
                # Readings of ruby (absolutely positioned in a relative inline box) were
                # laid out with the box: move them with it.
                if child.is_absolutely_positioned():
                    child.translate(x_advance, 0)
            x_advance -= getattr(box, "jl_child_shift", 0.0)
            box.jl_child_shift = 0.0
            before = x_advance
            for child in box.children:
                if child.is_in_normal_flow():
                    x_advance = apply(child, x_advance)
            box.width += x_advance - before
        else:
            box.translate(x_advance, 0)
        return x_advance

    # The line box itself does not move; its children do.
    x_advance = -bracket_trim
    for child in line.children:
        if child.is_in_normal_flow():
            x_advance = apply(child, x_advance)
    line.width += x_advance - end_trim
    offset = 0 if justify else _originals["text_align"](context, line, available_width, last)
    _clamp_readings(line, line.position_x - offset, line.position_x - offset + available_width)
    return offset


def _clamp_readings(line, left, right):
    """Keep ruby readings inside the column: a reading that would overhang the line's
    start or end (its neighbour is on another line) is pulled in."""
    for reading in _readings(line):
        text = _first_text(reading, in_flow=False)
        if text is None:
            continue
        spacing = text.style["letter_spacing"]
        # WeasyPrint counts the letter-spacing after the last character in the width
        end = text.position_x + text.width - (0 if spacing == "normal" else spacing)
        if text.position_x < left - 0.01:
            reading.translate(left - text.position_x, 0)
        elif end > right + 0.01:
            reading.translate(right - end, 0)


# --- line grid (行取り) -----------------------------------------------------------------
#
# Body text in columns sits on a line grid: line boxes of the body's line-height follow
# each other on a regular pitch. A block that is not body text (a sidebar, a figure, a
# pull quote, a heading) has a height that is rarely a whole number of lines, so the body
# lines after it fall off the grid and off the baselines of the next column. Japanese
# layout gives such a block a whole number of lines (行取り). This does it at layout time:
#
# A block that declares the custom property ``--jl-grid-snap: <length>`` itself (the
# value is not taken from an ancestor, so its children do not snap) gets, after it is
# laid out, the extra bottom margin that puts the bottom of its margin box on the next
# line of a grid of that pitch. The grid starts at the top of the column the block is in
# (a column box of a multi-column container) or, outside columns, at the top of the
# page's content area. The space goes below the block (its margin), never inside it.
#
# Layouts opt in per block in CSS, e.g. ``.profile { --jl-grid-snap: var(--line-pitch) }``,
# or in markup with ``class="jl-grid-snap"`` (typeset_ja.css maps it to the property
# with the ``--line-pitch`` token). Without the property nothing changes.
#
# Pinned to WeasyPrint 70: wraps ``layout.block.block_level_layout`` (the function every
# block child, spanning column block and page root goes through; ``layout.page`` holds
# its own reference) and ``layout.block.block_box_layout`` (called by
# ``layout.column.columns_layout`` for each column box), both looked up at call time.

GRID_PROPERTY = "--jl-grid-snap"
_GRID_KEY = GRID_PROPERTY.replace("-", "_")
ALIGN_PROPERTY = "--jl-grid-snap-align"
_ALIGN_KEY = ALIGN_PROPERTY.replace("-", "_")
_GRID_EPSILON = 0.01  # px: a bottom this close to a grid line is on it


def _grid_pitch(box) -> float | None:
    """The grid pitch in px declared on ``box`` itself by ``--jl-grid-snap``, or None."""
    style = box.style
    cascaded = getattr(style, "cascaded", None)
    if not cascaded or _GRID_KEY not in cascaded:
        return None
    tokens = [t for t in (style[_GRID_KEY] or ()) if t.type not in ("whitespace", "comment")]
    if len(tokens) != 1:
        return None
    token = tokens[0]
    from weasyprint.css.units import LENGTHS_TO_PIXELS

    if token.type == "dimension":
        unit = token.unit.lower()
        if unit in LENGTHS_TO_PIXELS:
            pitch = token.value * LENGTHS_TO_PIXELS[unit]
        elif unit == "em":
            pitch = token.value * style["font_size"]
        elif unit == "rem":
            pitch = token.value * style.root_style["font_size"]
        else:
            return None
    elif token.type == "number" and token.value == 0:
        return None
    else:
        return None
    return pitch if pitch > 0 else None


def _grid_align(box) -> str:
    """``--jl-grid-snap-align`` declared on ``box``: ``end`` (default: the added space goes
    below the block) or ``center`` (half of it above, as JLReq centres a heading in the
    lines it takes)."""
    style = box.style
    cascaded = getattr(style, "cascaded", None)
    if not cascaded or _ALIGN_KEY not in cascaded:
        return "end"
    tokens = [t for t in (style[_ALIGN_KEY] or ()) if t.type == "ident"]
    return tokens[0].lower_value if tokens else "end"


def _grid_origins(context) -> list:
    origins = getattr(context, "jl_grid_origins", None)
    if origins is None:
        origins = context.jl_grid_origins = []
    return origins


def _collapse(margins) -> float:
    positive = max((m for m in margins if m > 0), default=0)
    negative = min((m for m in margins if m < 0), default=0)
    return positive + negative


def snap_to_grid(box, adjoining_margins, origin: float, pitch: float) -> float:
    """Grow the bottom margin of the laid-out ``box`` so that the bottom of its margin box
    (its bottom margin collapsed with ``adjoining_margins``, those of its last children)
    lies on a line of the grid ``origin + k * pitch``. Returns the space added."""
    margins = [*adjoining_margins, box.margin_bottom]
    collapsed = _collapse(margins)
    bottom = box.border_box_y() + box.border_height() + collapsed
    lines = -(-(bottom - origin - _GRID_EPSILON) // pitch)  # ceil
    extra = origin + lines * pitch - bottom
    if extra <= _GRID_EPSILON:
        return 0.0
    negative = min((m for m in margins if m < 0), default=0)
    # collapse([*adjoining, new bottom]) == collapsed + extra
    box.margin_bottom = collapsed + extra - negative
    return extra


def _install_grid() -> None:
    from weasyprint.layout import block, column, page

    _originals["block_level_layout"] = block.block_level_layout
    _originals["page_block_level_layout"] = page.block_level_layout
    _originals["block_box_layout"] = block.block_box_layout
    block.block_level_layout = page.block_level_layout = _block_level_layout
    block.block_box_layout = _block_box_layout
    column.max = _column_max


def _uninstall_grid() -> None:
    from weasyprint.layout import block, column, page

    block.block_level_layout = _originals["block_level_layout"]
    page.block_level_layout = _originals["page_block_level_layout"]
    block.block_box_layout = _originals["block_box_layout"]
    column.__dict__.pop("max", None)


def _block_level_layout(context, box, *args, **kwargs):
    origins = _grid_origins(context)
    root = box.is_for_root_element
    if root:
        origins.append(box.position_y)  # the top of the page's content area
    try:
        result = _originals["block_level_layout"](context, box, *args, **kwargs)
    finally:
        if root:
            origins.pop()
    new_box, resume_at, _next_page, adjoining, collapsing_through, _ = result
    if new_box is None or resume_at is not None or collapsing_through or not origins:
        return result
    pitch = _grid_pitch(new_box)
    if pitch is not None:
        extra = snap_to_grid(new_box, adjoining or (), origins[-1], pitch)
        if extra and _grid_align(new_box) == "center":
            # 見出しの行取り: the block sits in the middle of the lines it takes
            new_box.translate(dy=extra / 2)
            new_box.margin_bottom -= extra / 2
    return result


# Column balancing (段の揃え): WeasyPrint 70 balances columns only when the whole content
# fits at full height, tested as `max(consumed_heights) <= max_height` in
# weasyprint.layout.column. On the line grid a column filled to the last line consumes
# exactly the full height, give or take a rounding error, and the test then fails: column
# 1 is filled to the foot and the last column keeps what is left (a hole of up to 30
# lines above the next spanning heading or on the last page). The module's `max` is
# shadowed so that this one call (the only one given a single list) has a hundredth of a
# pixel of tolerance; every other call is the builtin's.
_COLUMN_EPSILON = 0.01  # px


def _column_max(*args, **kwargs):
    import builtins

    result = builtins.max(*args, **kwargs)
    if len(args) == 1 and isinstance(args[0], list) and not kwargs:
        return result - _COLUMN_EPSILON
    return result


def _block_box_layout(context, box, *args, **kwargs):
    if not box.is_column:
        return _originals["block_box_layout"](context, box, *args, **kwargs)
    origins = _grid_origins(context)
    origins.append(box.position_y)  # the top of this column
    try:
        return _originals["block_box_layout"](context, box, *args, **kwargs)
    finally:
        origins.pop()
