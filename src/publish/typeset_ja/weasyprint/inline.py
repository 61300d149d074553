"""Line breaking (JLReq 3.8): push-in (追い込み) instead of push-out where a line can
absorb a line-start prohibited character, no paragraph ending in a line of one or two
characters, and the ruby readings of each line placed. Wraps
``weasyprint.layout.inline.get_next_linebox`` and ``split_inline_box``.

Pango keeps the characters of NOT_AT_LINE_START off the start of a line by pushing the
previous character down (追い出し): the line ends one character early and is spaced out.
JLReq prefers pushing in when the line can absorb the prohibited character(s) by
compressing. After WeasyPrint has broken a line, :func:`get_next_linebox` looks at the
text that follows the break: a character followed by a run of NOT_AT_LINE_START
characters (e.g. 「す。」) is what was pushed out. It lays the line out again with the
available width widened by just what that text needs (:func:`split_inline_box`);
``justify.text_align`` then compresses the trial line in JLReq's order
(``justify.compress``):

1. the half-em blank of a closing bracket, comma or full stop that ends the line (the
   glyph is set half-width: ``halt`` for Pango, and in the PDF the font's half-width
   form of 、。」 when its outline is the same, so the glyph's advance is half an em);
2. the quarter-em blanks around middle dots ・：； (halt);
3. the half-em blanks of brackets and commas inside the line (never after a full stop);
4. the 和欧間 quarter em, down to the ``typesetting.min_wakan`` token (a quarter em, so
   not at all, by default).

Punctuation is set whole half-width (never narrower); what is compressed beyond the
overflow is given back by the usual justification. If the compressible space does not
cover the overflow, or the trial line holds anything but the expected characters, the
pushed-out line stands. No hanging punctuation (ぶら下げ).

Paragraph ends (段落末の泣き別れ): a paragraph whose last line would hold one or two
characters (「か？」「す。」) is set again from its next-to-last line: first pushed in (the
last characters taken onto that line, compressed as above), else pulled back (that line
broken one or two characters earlier and justified, so the last line holds three or
more). Lines before it are not touched. The ``typesetting.short_end`` token switches it.
"""

from __future__ import annotations

import unicodedata

from publish.typeset_ja.classes import INSEPARABLE, NOT_AT_LINE_START, OPENING_BRACKETS, is_japanese
from publish.typeset_ja.weasyprint.boxes import ATOMIC_EDGE, following_text, line_chars
from publish.typeset_ja.weasyprint.context import current, original
from publish.typeset_ja.weasyprint.ruby import place_readings

LOOKAHEAD = 8  # characters read past a break
SHORT_END_MIN = 3  # characters a paragraph's last line should hold


def _eligible(linebox) -> bool:
    """A justified left-to-right paragraph whose spaces collapse (where push-in applies)."""
    style = linebox.style
    return (
        style["direction"] == "ltr"
        and style["text_align_all"] == "justify"
        and style["white_space"] in ("normal", "pre-line")
    )


def split_inline_box(context, box, position_x, max_x, *args, **kwargs):
    """WeasyPrint's, with the room of the trial line widened (see :func:`trial_line`)."""
    trial = current().trial
    if trial.target is not None and box is trial.target:
        max_x += trial.extra
    return original("split_inline_box")(context, box, position_x, max_x, *args, **kwargs)


def get_next_linebox(context, linebox, position_y, bottom_space, skip_stack,
                     containing_block, absolute_boxes, fixed_boxes, *args, **kwargs):
    """WeasyPrint's next line box, pushed in or made longer where JLReq wants it."""
    weasyprint_next = original("get_next_linebox")
    render = current()
    push_in = render.push_in(linebox.style)
    if render.trial.target is None and not push_in and _eligible(linebox):
        # push-in switched off: record where it would have applied (for comparisons)
        line, resume_at = weasyprint_next(
            context, linebox, position_y, bottom_space, skip_stack, containing_block,
            absolute_boxes, fixed_boxes, *args, **kwargs)
        if line is not None and resume_at is not None:
            run = pushed_out(following_text(linebox, resume_at, LOOKAHEAD))
            if run and was_pushed_out(line, run, linebox.style["font_size"]):
                render.record(linebox, skip_stack, "push-out")
    elif render.trial.target is not None or not (push_in and _eligible(linebox)):
        line, resume_at = weasyprint_next(
            context, linebox, position_y, bottom_space, skip_stack, containing_block,
            absolute_boxes, fixed_boxes, *args, **kwargs)
    else:
        line, resume_at = _break_line(
            context, linebox, weasyprint_next, (position_y, bottom_space, skip_stack, containing_block),
            absolute_boxes, fixed_boxes, args, kwargs)
    if line is not None:
        place_readings(line)
    return line, resume_at


def _break_line(context, linebox, weasyprint_next, fixed_args, absolute_boxes, fixed_boxes, args, kwargs):
    """The line as WeasyPrint breaks it, then pushed in, broken earlier (a trailing U+3000
    hanging past the end) or re-set so that the paragraph does not end in a short line."""
    render = current()
    position_y, bottom_space, skip_stack, containing_block = fixed_args
    shapes = list(context.excluded_shapes)
    line_absolutes, line_fixed = [], []
    line, resume_at = weasyprint_next(
        context, linebox, position_y, bottom_space, skip_stack, containing_block,
        line_absolutes, line_fixed, *args, **kwargs)
    if (
        line is not None and resume_at is not None
        and list(context.excluded_shapes) == shapes
    ):
        if getattr(line, "jl_extra", 0.0) < -0.01:
            # Pango let a trailing U+3000 hang past the end: break earlier instead
            trial = retry_narrower(context, linebox, line, weasyprint_next, fixed_args, args, kwargs)
        else:
            trial = try_push_in(context, linebox, line, resume_at, weasyprint_next, fixed_args, args, kwargs)
            if getattr(line, "jl_push_out", False):
                render.record(linebox, skip_stack, "push-in" if trial else "push-out")
        if trial is not None:
            line, resume_at, line_absolutes, line_fixed = trial
        if (
            render.short_end(linebox.style) and resume_at is not None
            and list(context.excluded_shapes) == shapes
        ):
            fixed = avoid_short_end(context, linebox, line, resume_at, weasyprint_next, fixed_args, args, kwargs)
            if fixed is not None:
                line, resume_at, line_absolutes, line_fixed = fixed
    absolute_boxes.extend(line_absolutes)
    fixed_boxes.extend(line_fixed)
    return line, resume_at


# --- push-in --------------------------------------------------------------------------------


def pushed_out(text: str) -> str | None:
    """The start of the next line if it was pushed out: one Japanese character followed
    by a run of NOT_AT_LINE_START characters (the whole of what push-in must take)."""
    if len(text) < 2:
        return None
    first = text[0]
    if (
        not is_japanese(first) or first in NOT_AT_LINE_START or first in OPENING_BRACKETS
        or first in INSEPARABLE or first == ATOMIC_EDGE or first == "\u3000"
    ):
        return None
    k = 1
    while k < len(text) and text[k] in NOT_AT_LINE_START and is_japanese(text[k]):
        k += 1
    if k == 1 or k == len(text) and len(text) >= LOOKAHEAD:
        return None  # nothing prohibited follows, or we cannot see the run's end
    if k < len(text) and text[k] in NOT_AT_LINE_START:
        return None  # a prohibited non-Japanese character (!, ?, ...) follows
    return text[:k]


def _width(text: str, em: float) -> float:
    """The nominal width of ``text``: an em per fullwidth character, half an em otherwise."""
    return sum(em if unicodedata.east_asian_width(c) in ("W", "F") else em / 2 for c in text)


def was_pushed_out(line, run: str, em: float) -> bool:
    """Whether the first character of ``run`` had room on ``line`` (so Pango pushed it
    out because of what follows it) rather than the line being full."""
    width = em if unicodedata.east_asian_width(run[0]) in ("W", "F") else em / 2
    return getattr(line, "jl_extra", 0.0) >= width - 0.05 * em


def retry_narrower(context, linebox, line, weasyprint_next, fixed_args, args, kwargs):
    shapes = list(context.excluded_shapes)
    result = trial_line(context, linebox, weasyprint_next, fixed_args, args, kwargs, line.jl_extra - 0.01,
                        compress=False)
    if result is None:
        return None
    trial, trial_resume, line_absolutes, line_fixed, _ = result
    if trial_resume is None or getattr(trial, "jl_extra", -1) < -0.01:
        context.excluded_shapes[:] = shapes
        return None
    return trial, trial_resume, line_absolutes, line_fixed


def try_push_in(context, linebox, line, resume_at, weasyprint_next, fixed_args, args, kwargs):
    natural_extra = getattr(line, "jl_extra", None)  # available - content width
    if natural_extra is None:
        return None
    following = following_text(linebox, resume_at, LOOKAHEAD)
    run = pushed_out(following)
    em = linebox.style["font_size"]
    if run is None or not was_pushed_out(line, run, em):
        return None
    line.jl_push_out = True
    overflow = _width(run, em) - natural_extra
    if overflow > 2.5 * em:
        return None
    shapes = list(context.excluded_shapes)
    result = trial_line(context, linebox, weasyprint_next, fixed_args, args, kwargs, max(overflow, 0) + 0.1 * em)
    if result is None:
        return None
    trial, trial_resume, line_absolutes, line_fixed, fitted = result
    if not fitted or line_chars(trial) != line_chars(line) + len(run):
        context.excluded_shapes[:] = shapes
        return None
    if trial_resume is not None:
        rest = following[len(run):]
        if rest and not following_text(linebox, trial_resume, len(rest)).startswith(rest[:1]):
            return None
    trial.jl_pushed_in = run
    return trial, trial_resume, line_absolutes, line_fixed


def trial_line(context, linebox, weasyprint_next, fixed_args, args, kwargs, extra, *, compress=True):
    """Lay the line out again with `extra` points of room (negative: less room), the
    compression of JLReq's order switched on or off. (trial, resume, absolutes, fixed,
    fitted) — fitted: compressed to fit, or fitting as it is — or None when there is no
    line or the trial changed the floats' shapes (restored)."""
    position_y, bottom_space, skip_stack, containing_block = fixed_args
    line_absolutes, line_fixed = [], []
    shapes = list(context.excluded_shapes)
    state = current().trial
    state.target, state.extra, state.result = linebox, extra, None
    state.compress = compress
    try:
        trial, trial_resume = weasyprint_next(
            context, linebox, position_y, bottom_space, skip_stack, containing_block,
            line_absolutes, line_fixed, *args, **kwargs)
        fitted = state.result or (
            state.result is None and getattr(trial, "jl_extra", -1.0) >= -0.01)
    finally:
        state.target, state.extra, state.result = None, 0.0, None
        state.compress = True
    if trial is None or list(context.excluded_shapes) != shapes:
        context.excluded_shapes[:] = shapes
        return None
    return trial, trial_resume, line_absolutes, line_fixed, fitted


# --- paragraph ends -----------------------------------------------------------------------


def avoid_short_end(context, linebox, line, resume_at, weasyprint_next, fixed_args, args, kwargs):
    rest = following_text(linebox, resume_at, SHORT_END_MIN + 1)
    stripped = rest.rstrip(" \n\t")
    if len(rest) > SHORT_END_MIN or not 1 <= len(stripped) < SHORT_END_MIN:
        return None
    natural_extra = getattr(line, "jl_extra", None)
    if natural_extra is None:
        return None
    em = linebox.style["font_size"]
    skip_stack = fixed_args[2]
    render = current()

    def attempt(extra, compress):
        return trial_line(context, linebox, weasyprint_next, fixed_args, args, kwargs, extra, compress=compress)

    # 1. push in: the whole rest on this line, compressed
    overflow = _width(stripped, em) - natural_extra
    if overflow <= 1.5 * em:
        result = attempt(max(overflow, 0) + 0.1 * em, True)
        if result is not None:
            trial, trial_resume, line_absolutes, line_fixed, fitted = result
            if fitted and trial_resume is None:
                trial.jl_pushed_in = stripped
                render.record(linebox, skip_stack, "short-end push-in")
                return trial, trial_resume, line_absolutes, line_fixed
    # 2. pull back: break this line earlier, so the last line takes three characters or more
    chars = line_chars(line)
    for k in range(SHORT_END_MIN - len(stripped), SHORT_END_MIN):
        result = attempt(-(natural_extra + k * em) + 0.05 * em, False)
        if result is None:
            continue
        trial, trial_resume, line_absolutes, line_fixed, _ = result
        if trial_resume is None:
            continue
        after = following_text(linebox, trial_resume, SHORT_END_MIN + 8).rstrip(" \n\t")
        if SHORT_END_MIN <= len(after) and line_chars(trial) >= chars - SHORT_END_MIN - 1:
            render.record(linebox, skip_stack, "short-end pull-back")
            return trial, trial_resume, line_absolutes, line_fixed
    return None
