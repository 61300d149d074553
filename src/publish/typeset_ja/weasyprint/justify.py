"""Line adjustment (JLReq 3.8): ``weasyprint.layout.inline.text_align`` replaced by a
version that trims the 和欧間 and the half-em of an opening bracket at a line's edges,
compresses a push-in trial line in JLReq's order, and justifies Japanese text by
spreading the remaining width over the gaps between characters, word spaces and inline
box boundaries (never inside a Latin word, never between the halves of ── or ……).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from weasyprint.formatting_structure import boxes

from publish.typeset_ja.classes import (
    CLOSING_BRACKETS,
    COMMAS,
    FULL_STOPS,
    FULLWIDTH_OPENING_BRACKETS,
    INSEPARABLE,
    MIDDLE_DOTS,
    OPENING_BRACKETS,
    PUNCTUATION,
    is_japanese,
    is_latin,
)
from publish.typeset_ja.weasyprint.boxes import ATOMIC_EDGE, classes
from publish.typeset_ja.weasyprint.context import current, custom_tokens, original
from publish.typeset_ja.weasyprint.draw import HALFWIDTH_FORMS
from publish.typeset_ja.weasyprint.pango import relayout
from publish.typeset_ja.weasyprint.ruby import clamp_readings

# Inline boxes whose characters are never spaced apart (Latin runs, ── ……, ruby bases).
_UNSPACED = {"jl-latin", "jl-nobr", "jl-ruby"}
_SPACES = frozenset(" \u00a0\t\n")  # not U+3000, which is a fullwidth character

WAKAN_PROPERTY = "--jl-wakan-expansion"
# What a line without the property does: inter-character space first, the 和欧間 stays a
# quarter em unless nothing else can take the width (see allocate).
DEFAULT_WAKAN_EXPANSION = "inter-character-first"
WAKAN_EXPANSIONS = ("inter-character-first", "jlreq")


# --- the line's leaves and gaps ------------------------------------------------------------


def _countable(ch: str) -> bool:
    """A character Pango treats as its own grapheme for letter-spacing."""
    return unicodedata.category(ch) not in ("Mn", "Me", "Cf") and not (0xFE00 <= ord(ch) <= 0xFE0F)


def gap_ok(a: str, b: str) -> bool:
    """Whether the gap between characters a and b may be widened."""
    if not a or not b or a in _SPACES or b in _SPACES:
        return False
    if a in INSEPARABLE and b in INSEPARABLE:
        return False
    return is_japanese(a) or is_japanese(b)


def is_wakan(a: str, b: str) -> bool:
    """A 和欧間 boundary: a Latin letter or digit beside a Japanese letter."""

    def ja(c):
        return is_japanese(c) and c not in PUNCTUATION

    return (is_latin(a) and ja(b)) or (ja(a) and is_latin(b))


class Leaf:
    """A text box or atomic inline of a line: its edge characters and what it can take
    (letter-spacing between its characters, or word spacing)."""

    __slots__ = ("box", "first", "last", "latin", "spaceable", "inner", "spaces")

    def __init__(self, box, latin):
        self.box = box
        self.latin = latin
        self.spaceable = False
        self.inner = 0
        self.spaces = 0
        text = getattr(box, "text", None)
        if text is None:
            self.first = self.last = ATOMIC_EDGE
            return
        self.first = text[:1]
        self.last = text[-1:]
        chars = [c for c in text if _countable(c)]
        if (
            not latin
            and len(chars) > 1
            and box.style["white_space"] in ("normal", "pre-line")
            and all(gap_ok(a, b) for a, b in zip(chars, chars[1:]))
        ):
            self.spaceable = True
            self.inner = len(chars) - 1
        else:
            self.spaces = text.count(" ") + text.count("\u00a0")


def flatten(line):
    """In-flow leaves in visual (LTR) order and, for each gap, the box it opens before."""
    leaves: list[Leaf] = []
    opened: list = []  # boxes entered since the last leaf
    gap_before: dict[int, tuple[Leaf, Leaf]] = {}

    def walk(box, latin):
        if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
            latin = latin or bool(classes(box) & _UNSPACED)
            opened.append(box)
            for child in box.children:
                if child.is_in_normal_flow():
                    walk(child, latin)
            if opened and opened[-1] is box:
                opened.pop()  # an empty inline box: nothing opened before the next leaf
        else:  # a leaf: a text box or an atomic inline-level box (inline-block, image, ...)
            leaf = Leaf(box, latin)
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


# --- expansion ---------------------------------------------------------------------------


def wakan_expansion(line) -> str:
    """``--jl-wakan-expansion`` (inherited, so a layout declares it once on :root):
    ``inter-character-first`` or ``jlreq``."""
    idents = [t.lower_value for t in custom_tokens(line.style, WAKAN_PROPERTY) if t.type == "ident"]
    return idents[0] if idents and idents[0] in WAKAN_EXPANSIONS else DEFAULT_WAKAN_EXPANSION


def allocate(extra, leaves, gap_before, em, mode=DEFAULT_WAKAN_EXPANSION):
    """Share ``extra`` width out; returns (word spacing, letter spacing per text box,
    space added per gap).

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
    gaps = {k: v for k, v in gap_before.items() if gap_ok(v[0].last, v[1].first)}
    spaces = sum(leaf.spaces for leaf in leaves)
    inner = sum(leaf.inner for leaf in leaves)
    wakan = [k for k, (a, b) in gaps.items() if is_wakan(a.last, b.first)]
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


# --- compression (push-in) -----------------------------------------------------------------


def _fullwidth(c):
    return unicodedata.east_asian_width(c) in ("W", "F")


def _compressible(leaves):
    """The line's characters as (leaf, index, char, plain): plain when the box is Japanese
    body text (not Latin, not a headline span); trailing blanks dropped."""
    chars = []
    for leaf in leaves:
        text = getattr(leaf.box, "text", None)
        if text is None:
            chars.append((leaf, 0, ATOMIC_EDGE, False))
            continue
        plain = not leaf.latin and "jl-h" not in classes(leaf.box)
        for i, c in enumerate(text):
            chars.append((leaf, i, c, plain))
    while chars and chars[-1][2] in _SPACES:
        chars.pop()
    return chars


def _candidates(chars):
    """JLReq's three groups: the line-end 、。」 and closing brackets, the middle dots
    inside the line, the brackets and commas inside the line."""
    end, dots, brackets = [], [], []
    last = len(chars) - 1
    for n, (leaf, i, c, plain) in enumerate(chars):
        if not plain or not _fullwidth(c):
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
    return end, dots, brackets


def compress(context, leaves, gap_before, overflow, em, min_wakan):
    """Plan the compression of a pushed-in line by ``overflow`` px in JLReq's order (see
    inline.py). Marks the text boxes (``jl_halt``: indexes set half-width,
    ``jl_swap_end``: the last glyph drawn as its half-width form) and returns ``(saved,
    reductions)``: the width taken out, and the 和欧間 reductions per gap; or None (and
    marks nothing) when the line cannot absorb ``overflow``."""
    chars = _compressible(leaves)
    if not chars:
        return None
    end, dots, brackets = _candidates(chars)

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
    for key, (box, indexes) in by_box.items():
        _, width = relayout(box, context, halt=indexes)
        saved += box.width - width
    reductions = {}
    if saved < need:
        wakan = [
            k for k, (a, b) in gap_before.items()
            if is_wakan(a.last, b.first) and not a.latin is b.latin
        ]
        room = em * (0.25 - min_wakan)
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


# --- text_align, step by step ----------------------------------------------------------------


@dataclass
class _Trims:
    start: float = 0.0  # how far the content's start moves left
    bracket: float = 0.0  # of which: the half em of an opening bracket
    end: float = 0.0


@dataclass
class _Spacing:
    word: float = 0.0  # added to each word space of Latin runs
    letters: dict = field(default_factory=dict)  # id(text box) -> letter spacing
    gaps: dict = field(default_factory=dict)  # id(box) -> space added before that box
    compressed: bool = False


def _trim_edges(line) -> _Trims:
    """Take out the 和欧間 quarter em at the line's start and end, and the blank half of
    a fullwidth opening bracket that starts a line other than a paragraph's first."""
    trims = _Trims()
    start_chain, first_leaf = _edge_chain(line, last=False)
    for box in start_chain:
        if "jl-gs" in classes(box) and box.margin_left:
            trims.start += box.margin_left
            box.jl_child_shift = box.margin_left
            box.margin_left = 0
    is_first_line = bool(getattr(line, "text_indent", 0))
    if (
        isinstance(first_leaf, boxes.TextBox)
        and first_leaf.text[:1] in FULLWIDTH_OPENING_BRACKETS
        and not is_first_line
    ):
        trims.bracket = first_leaf.style["font_size"] / 2
        trims.start += trims.bracket
    end_chain, _ = _edge_chain(line, last=True)
    for box in end_chain:
        if "jl-ge" in classes(box) and box.margin_right:
            trims.end += box.margin_right
            box.margin_right = 0
    return trims


def _justified(line, last) -> bool:
    """Whether the line is justified (text-align, text-align-last, collapsible spaces)."""
    align = line.style["text_align_all"]
    if last:
        align_last = line.style["text_align_last"]
        align = align if align_last == "auto" else align_last
    space_collapse = line.style["white_space"] in ("normal", "nowrap", "pre-line")
    return align == "justify" and space_collapse


def _compress_trial(context, line, leaves, gap_before, extra):
    """On the trial line of push-in that overflows: (extra after compression, 和欧間
    reductions, whether it was compressed); the result is told to the trial."""
    trial = current().trial
    if not (
        trial.target is not None and trial.compress and line.element is trial.target.element
        and extra < -0.01
    ):
        return extra, {}, False
    em = line.style["font_size"]
    plan = compress(context, leaves, gap_before, -extra, em, current().min_wakan(line.style))
    trial.result = plan is not None
    if plan is None:
        return extra, {}, False
    saved, reductions = plan
    return extra + saved, reductions, True


def _spacing(line, leaves, gap_before, extra, justify, reductions, compressed) -> _Spacing:
    """What each gap, word space and spaceable text box gets (or gives back)."""
    spacing = _Spacing(compressed=compressed)
    if justify and extra > 0:
        spacing.word, spacing.letters, spacing.gaps = allocate(
            extra, leaves, gap_before, line.style["font_size"], wakan_expansion(line))
    for key, amount in reductions.items():
        spacing.gaps[key] = spacing.gaps.get(key, 0.0) - amount
    return spacing


def _shift(context, box, x_advance, spacing: _Spacing, leaves: dict):
    """Move ``box`` by ``x_advance`` plus the space before it, lay its text out again with
    its spacing, and return the advance for what follows it."""
    x_advance += spacing.gaps.get(id(box), 0.0)
    if isinstance(box, boxes.TextBox):
        box.position_x += x_advance
        leaf = leaves.get(id(box))
        halt = getattr(box, "jl_halt", None)
        if leaf is not None and (
            (leaf.inner and spacing.letters.get(id(box))) or (leaf.spaces and spacing.word) or halt
        ):
            if leaf.spaces and spacing.word:
                layout, width = relayout(box, context, word_spacing=spacing.word, halt=halt, justify=True)
                box.justification_spacing = spacing.word
            else:
                layout, width = relayout(
                    box, context, letter_spacing=spacing.letters.get(id(box), 0), halt=halt, justify=True)
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
                x_advance = _shift(context, child, x_advance, spacing, leaves)
        box.width += x_advance - before
    else:
        box.translate(x_advance, 0)
    return x_advance


def _apply(context, line, leaves, spacing: _Spacing, trims: _Trims) -> None:
    """Move the line's children (the line box itself does not move)."""
    by_box = {id(leaf.box): leaf for leaf in leaves}
    x_advance = -trims.bracket
    for child in line.children:
        if child.is_in_normal_flow():
            x_advance = _shift(context, child, x_advance, spacing, by_box)
    line.width += x_advance - trims.end


def text_align(context, line, available_width, last):
    """``weasyprint.layout.inline.text_align`` for Japanese lines: returns the offset of
    the line's content, as WeasyPrint's does."""
    weasyprint_align = original("text_align")
    if line.style["direction"] == "rtl":
        return weasyprint_align(context, line, available_width, last)

    trims = _trim_edges(line)
    justify = _justified(line, last)
    leaves, gap_before = flatten(line)
    extra = available_width - (line.width - trims.start - trims.end)
    line.jl_extra = extra  # read by push-in (inline.try_push_in)
    extra, reductions, compressed = _compress_trial(context, line, leaves, gap_before, extra)
    spacing = _spacing(line, leaves, gap_before, extra, justify, reductions, compressed)

    spaced = spacing.word or any(spacing.gaps.values())
    if trims.start or trims.end or spaced or spacing.letters or spacing.compressed:
        _apply(context, line, leaves, spacing, trims)
        offset = 0 if justify else weasyprint_align(context, line, available_width, last)
    else:
        offset = weasyprint_align(context, line, available_width, last)
    clamp_readings(line, line.position_x - offset, line.position_x - offset + available_width)
    return offset
