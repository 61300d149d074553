"""JLReq typesetting inside WeasyPrint 70, installed around a render.

WeasyPrint 70 justifies a line only by stretching U+0020 / U+00A0 and knows nothing of
push-in, ruby placement or a line grid. This package replaces a few of its internal
functions for the duration of ``with installed():`` and restores them on exit:

- ``inline``: line breaking (push-in 追い込み, paragraph ends, ruby readings placed);
- ``justify``: ``text_align`` (edge trims, JLReq compression and expansion);
- ``grid``: the line grid (行取り) and column balancing;
- ``draw``: drawing (blank text boxes kept, half-width glyphs of pushed-in punctuation);
- ``pango``: Pango helpers (letter-spacing and ``halt`` kept, exact glyph advances);
- ``ruby``: ruby readings; ``boxes``: reading the box tree, and the page helpers the rest
  of the toolkit uses instead of WeasyPrint's internals (:func:`page_type`,
  :func:`walk_boxes`, :func:`page_text`, :func:`content_extent`, :func:`line_boxes`,
  :func:`text_columns`);
- ``context``: the state of one render (:class:`Render`).

It replaces internals, so it is pinned to one series (:data:`SUPPORTED_SERIES`) and
refuses any other (:class:`UnsupportedWeasyPrint`). See ../INTEGRATION.md.
"""

from __future__ import annotations

import contextlib
import threading

import weasyprint as _weasyprint

from publish.typeset_ja.weasyprint import context
from publish.typeset_ja.weasyprint.boxes import classes as box_classes
from publish.typeset_ja.weasyprint.boxes import box_attribute, content_extent, line_boxes, page_text, page_type, text_columns, walk_boxes
from publish.typeset_ja.weasyprint.context import Render, Settings

SUPPORTED_SERIES = "70."

__all__ = [
    "SUPPORTED_SERIES", "UnsupportedWeasyPrint", "check_version", "installed", "is_installed", "active",
    "Render", "Settings", "page_type", "page_text", "walk_boxes", "content_extent", "line_boxes", "text_columns",
    "box_classes", "box_attribute",
]


class UnsupportedWeasyPrint(RuntimeError):
    pass


def check_version(version: str | None = None) -> None:
    """Raise :class:`UnsupportedWeasyPrint` unless WeasyPrint is 70.x."""
    version = _weasyprint.__version__ if version is None else version
    if not version.startswith(SUPPORTED_SERIES):
        raise UnsupportedWeasyPrint(
            f"publish.typeset_ja.weasyprint patches WeasyPrint {SUPPORTED_SERIES}x internals "
            f"(layout.inline.text_align, layout.inline.split_inline_box, "
            f"layout.inline.get_next_linebox, text.line_break.Layout.set_text, "
            f"layout.block.block_level_layout, draw.text.draw_first_line) but WeasyPrint "
            f"{version} is installed; pin weasyprint==70.* or port the extension."
        )


_MISSING = object()


def _patches():
    """(owner, attribute, replacement, name of the original) of every patch."""
    from weasyprint.draw import text as draw_text
    from weasyprint.layout import block, column, page
    from weasyprint.layout import inline as wp_inline
    from weasyprint.text import line_break

    from publish.typeset_ja.weasyprint import draw, grid, inline, justify, pango

    return [
        (wp_inline, "text_align", justify.text_align, "text_align"),
        (wp_inline, "get_next_linebox", inline.get_next_linebox, "get_next_linebox"),
        (wp_inline, "split_inline_box", inline.split_inline_box, "split_inline_box"),
        (draw_text, "draw_first_line", draw.draw_first_line, "draw_first_line"),
        (draw_text, "int", pango.ExactInt, None),  # shadows the builtin in that module
        (line_break.Layout, "set_text", pango.set_text, "set_text"),
        (block, "block_level_layout", grid.block_level_layout, "block_level_layout"),
        (page, "block_level_layout", grid.block_level_layout, None),  # its own reference
        (block, "block_box_layout", grid.block_box_layout, "block_box_layout"),
        (column, "max", grid.column_max, None),  # shadows the builtin in that module
    ]


_lock = threading.RLock()
_depth = 0  # installed() blocks open, in all threads
_saved: list = []  # (owner, attribute, what it was) while the patch is applied


def _apply() -> None:
    try:
        for owner, name, replacement, original_name in _patches():
            previous = owner.__dict__.get(name, _MISSING)
            _saved.append((owner, name, previous))
            if original_name is not None:
                context.ORIGINALS[original_name] = previous
            setattr(owner, name, replacement)
        from publish.typeset_ja import vertical

        vertical.install()  # 縦組み frames: upright glyphs (draws nothing differently elsewhere)
    except BaseException:
        _restore()  # never leave WeasyPrint half patched
        raise


def _restore() -> None:
    from publish.typeset_ja import vertical

    vertical.uninstall()
    while _saved:
        owner, name, previous = _saved.pop()
        if previous is _MISSING:
            delattr(owner, name)
        else:
            setattr(owner, name, previous)
    context.ORIGINALS.clear()


@contextlib.contextmanager
def installed(*, push_in: bool | None = None, min_wakan: float | None = None, short_end: bool | None = None):
    """Patch WeasyPrint for the block and yield the render's context (:class:`Render`:
    ``decision_counts()``, ...). Wrap both the layout (``HTML.render``) and the drawing
    (``Document.write_pdf``) in it. Raises :class:`UnsupportedWeasyPrint` on another
    version.

    The keyword arguments override the layout's tokens (``typesetting.push_in``,
    ``min_wakan``, ``short_end``), for comparisons. Nested blocks are safe: WeasyPrint is
    patched by the outermost and restored when the last one closes; an inner block
    without overrides joins the outer block's context (its decisions count there), one
    with overrides gets a context of its own. A worker process forked inside a block
    inherits the patch and the context; a spawned one opens its own block."""
    global _depth
    check_version()
    settings = Settings(push_in, min_wakan, short_end)
    outer = context.active()
    render = outer if outer is not None and settings == Settings() else Render(settings)
    with _lock:
        if _depth == 0:
            _apply()
        _depth += 1
    context.push(render)
    try:
        yield render
    finally:
        context.pop()
        with _lock:
            _depth -= 1
            if _depth == 0:
                _restore()


def is_installed() -> bool:
    """Whether WeasyPrint is patched now (inside an ``installed()`` block)."""
    return _depth > 0


def active() -> Render | None:
    """The render context of this thread's innermost ``installed()`` block, or None."""
    return context.active()
