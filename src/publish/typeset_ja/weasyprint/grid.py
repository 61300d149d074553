"""The line grid (行取り, JLReq rule 8) and column balancing: a block that declares
``--jl-grid-snap: <length>`` ends on a line of a grid of that pitch counted from the top
of its column or page, and WeasyPrint's column balancing gets a hundredth of a pixel of
tolerance so that columns filled to the last grid line are balanced.

Body text in columns sits on a line grid: line boxes of the body's line-height follow
each other on a regular pitch. A block that is not body text (a sidebar, a figure, a
pull quote, a heading) has a height that is rarely a whole number of lines, so the body
lines after it fall off the grid and off the baselines of the next column. Japanese
layout gives such a block a whole number of lines (行取り). This does it at layout time:

A block that declares the custom property ``--jl-grid-snap: <length>`` itself (the
value is not taken from an ancestor, so its children do not snap) gets, after it is
laid out, the extra bottom margin that puts the bottom of its margin box on the next
line of a grid of that pitch. The grid starts at the top of the column the block is in
(a column box of a multi-column container) or, outside columns, at the top of the
page's content area. The space goes below the block (its margin), never inside it;
``--jl-grid-snap-align: center`` puts half of it above.

Layouts opt in per block in CSS, e.g. ``.profile { --jl-grid-snap: var(--line-pitch) }``,
or in markup with ``class="jl-grid-snap"`` (typeset_ja.css maps it to the property
with the ``--line-pitch`` token). Without the property nothing changes.

Wraps ``layout.block.block_level_layout`` (the function every block child, spanning
column block and page root goes through; ``layout.page`` holds its own reference) and
``layout.block.block_box_layout`` (called by ``layout.column.columns_layout`` for each
column box), both looked up at call time.
"""

from __future__ import annotations

import builtins

from weasyprint.css.units import LENGTHS_TO_PIXELS

from publish.typeset_ja.weasyprint.context import original

GRID_PROPERTY = "--jl-grid-snap"
_GRID_KEY = GRID_PROPERTY.replace("-", "_")
ALIGN_PROPERTY = "--jl-grid-snap-align"
_ALIGN_KEY = ALIGN_PROPERTY.replace("-", "_")
_GRID_EPSILON = 0.01  # px: a bottom this close to a grid line is on it
_COLUMN_EPSILON = 0.01  # px


def grid_pitch(box) -> float | None:
    """The grid pitch in px declared on ``box`` itself by ``--jl-grid-snap``, or None."""
    style = box.style
    cascaded = getattr(style, "cascaded", None)
    if not cascaded or _GRID_KEY not in cascaded:
        return None
    tokens = [t for t in (style[_GRID_KEY] or ()) if t.type not in ("whitespace", "comment")]
    if len(tokens) != 1:
        return None
    token = tokens[0]
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
    else:
        return None
    return pitch if pitch > 0 else None


def grid_align(box) -> str:
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
    """The tops of the columns and pages being laid out (innermost last), kept on
    WeasyPrint's layout context of the render."""
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


def block_level_layout(context, box, *args, **kwargs):
    """WeasyPrint's, then the block snapped to the grid if it declares a pitch."""
    origins = _grid_origins(context)
    root = box.is_for_root_element
    if root:
        origins.append(box.position_y)  # the top of the page's content area
    try:
        result = original("block_level_layout")(context, box, *args, **kwargs)
    finally:
        if root:
            origins.pop()
    new_box, resume_at, _next_page, adjoining, collapsing_through, _ = result
    if new_box is None or resume_at is not None or collapsing_through or not origins:
        return result
    pitch = grid_pitch(new_box)
    if pitch is not None:
        extra = snap_to_grid(new_box, adjoining or (), origins[-1], pitch)
        if extra and grid_align(new_box) == "center":
            # 見出しの行取り: the block sits in the middle of the lines it takes
            new_box.translate(dy=extra / 2)
            new_box.margin_bottom -= extra / 2
    return result


def block_box_layout(context, box, *args, **kwargs):
    """WeasyPrint's; a column box is the origin of the grid of the blocks in it."""
    if not box.is_column:
        return original("block_box_layout")(context, box, *args, **kwargs)
    origins = _grid_origins(context)
    origins.append(box.position_y)  # the top of this column
    try:
        return original("block_box_layout")(context, box, *args, **kwargs)
    finally:
        origins.pop()


# Column balancing (段の揃え): WeasyPrint 70 balances columns only when the whole content
# fits at full height, tested as `max(consumed_heights) <= max_height` in
# weasyprint.layout.column. On the line grid a column filled to the last line consumes
# exactly the full height, give or take a rounding error, and the test then fails: column
# 1 is filled to the foot and the last column keeps what is left (a hole of up to 30
# lines above the next spanning heading or on the last page). The module's `max` is
# shadowed so that this one call (the only one given a single list) has a hundredth of a
# pixel of tolerance; every other call is the builtin's.


def column_max(*args, **kwargs):
    result = builtins.max(*args, **kwargs)
    if len(args) == 1 and isinstance(args[0], list) and not kwargs:
        return result - _COLUMN_EPSILON
    return result
