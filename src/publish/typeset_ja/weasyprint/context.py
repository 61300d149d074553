"""The state of one render: the push-in trial line, the line-break decisions, the
half-width glyphs found, and the settings (the layout's tokens, or a caller's overrides).

Every patched WeasyPrint function reads it with :func:`current`; :func:`installed
<publish.typeset_ja.weasyprint.installed>` creates it around a render. Nothing here is
module-global state that a render changes: each thread has its own stack of contexts.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

# Defaults of the layout tokens (typesetting.push_in, .min_wakan, .short_end), as the
# CSS custom properties --jl-push-in, --jl-min-wakan and --jl-short-end carry them.
PUSH_IN = True  # push-in (追い込み) where a line can absorb the prohibited character
# em: how far push-in may compress the 和欧間 quarter em (JLReq allows down to 1/8 em).
# 0.25 keeps it whole: issue 3 rule 4 (tests/test_typeset_ja.py) wants a full quarter em
# on every justified line, so lines that would need it are pushed out instead.
MIN_WAKAN = 0.25
SHORT_END = True  # a paragraph's last line holds three characters or more

PUSH_IN_PROPERTY = "--jl-push-in"
MIN_WAKAN_PROPERTY = "--jl-min-wakan"
SHORT_END_PROPERTY = "--jl-short-end"


def custom_tokens(style, prop: str) -> list:
    """The tokens (no whitespace, no comments) of the custom property ``prop`` in the
    computed ``style`` (inherited from :root), or [] when it is not set."""
    try:
        value = style[prop.replace("-", "_")]
    except (KeyError, AttributeError):
        value = None
    return [t for t in (value or ()) if getattr(t, "type", None) not in ("whitespace", "comment")]


def _flag(style, prop: str, default: bool) -> bool:
    tokens = custom_tokens(style, prop)
    if len(tokens) == 1 and tokens[0].type == "ident" and tokens[0].lower_value in ("on", "off"):
        return tokens[0].lower_value == "on"
    return default


@dataclass(frozen=True)
class Settings:
    """A caller's overrides of the layout's tokens (None: the layout's value, read from
    the line's style, else the default). For comparisons and tests."""

    push_in: bool | None = None
    min_wakan: float | None = None
    short_end: bool | None = None


class Trial:
    """The line being laid out again by push-in (see inline.trial_line)."""

    __slots__ = ("target", "extra", "result", "compress")

    def __init__(self):
        self.target = None  # the LineBox of the trial layout
        self.extra = 0.0  # px added to its available width
        self.result = None  # set by justify.text_align: whether the trial line was compressed to fit
        self.compress = True  # False: a narrower retry, nothing to compress


class Render:
    """One render's state (see the module's docstring)."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        self.trial = Trial()
        # What each line break did where Pango had pushed a character out: (id of the
        # paragraph's element, where its line starts) -> "push-in", "push-out",
        # "short-end push-in", "short-end pull-back". WeasyPrint may lay a paragraph out
        # more than once; the last decision counts.
        self.decisions: dict = {}
        # (font description, glyph, half-width character) -> the half-width form's glyph or None
        self.half_glyphs: dict = {}

    # -- the layout's tokens ------------------------------------------------------------
    def push_in(self, style) -> bool:
        if self.settings.push_in is not None:
            return self.settings.push_in
        return _flag(style, PUSH_IN_PROPERTY, PUSH_IN)

    def short_end(self, style) -> bool:
        if self.settings.short_end is not None:
            return self.settings.short_end
        return _flag(style, SHORT_END_PROPERTY, SHORT_END)

    def min_wakan(self, style) -> float:
        if self.settings.min_wakan is not None:
            return self.settings.min_wakan
        tokens = custom_tokens(style, MIN_WAKAN_PROPERTY)
        if len(tokens) == 1 and tokens[0].type == "number" and 0 <= tokens[0].value <= 0.25:
            return float(tokens[0].value)
        return MIN_WAKAN

    # -- decisions ------------------------------------------------------------------------
    def record(self, linebox, skip_stack, decision: str) -> None:
        self.decisions[(id(linebox.element), repr(skip_stack))] = decision

    def decision_counts(self) -> dict[str, int]:
        """{"push-in": n, "push-out": m, ...} over the lines recorded since
        :meth:`reset_decisions` (or since the context was made)."""
        counts = {"push-in": 0, "push-out": 0}
        for decision in self.decisions.values():
            counts[decision] = counts.get(decision, 0) + 1
        return counts

    def reset_decisions(self) -> None:
        self.decisions.clear()


_local = threading.local()


def _stack() -> list[Render]:
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


def active() -> Render | None:
    """This thread's innermost render context, or None outside ``installed()``."""
    stack = _stack()
    return stack[-1] if stack else None


def current() -> Render:
    """The render context the patched functions use. A thread that renders while
    another holds the patch (without its own ``installed()``) gets one of its own."""
    stack = _stack()
    if stack:
        return stack[-1]
    fallback = getattr(_local, "fallback", None)
    if fallback is None:
        fallback = _local.fallback = Render()
    return fallback


def push(render: Render) -> None:
    _stack().append(render)


def pop() -> None:
    _stack().pop()


# WeasyPrint's functions as they were when the patch was applied (set and cleared by
# installed(), not during a render): the patched functions call them.
ORIGINALS: dict[str, object] = {}


def original(name: str):
    return ORIGINALS[name]
