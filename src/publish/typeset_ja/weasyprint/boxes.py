"""Reading WeasyPrint 70's box tree: the classes of a box, its text, the text that
follows a line break, and the public page helpers (:func:`page_type`,
:func:`walk_boxes`, :func:`page_text`, :func:`content_extent`) through which the rest
of the toolkit looks at laid-out pages without touching WeasyPrint's internals.
"""

from __future__ import annotations

from weasyprint.formatting_structure import boxes

ATOMIC_EDGE = "\u3007"  # an atomic inline (ruby base) counts as a Japanese character


def classes(box) -> set[str]:
    """The ``class`` attribute of the element a box was made for (none for ::first-line)."""
    element = getattr(box, "element", None)
    if element is None or getattr(box, "element_tag", "").endswith("::first-line"):
        return set()
    try:
        return set((element.get("class") or "").split())
    except AttributeError:
        return set()


def is_inline_container(box) -> bool:
    """A line box or an inline box (what line breaking and justification walk into)."""
    return isinstance(box, (boxes.LineBox, boxes.InlineBox))


def is_text(box) -> bool:
    return isinstance(box, boxes.TextBox)


def first_text(box, in_flow=True):
    """The first text box under ``box`` (only in-flow ones if ``in_flow``)."""
    if isinstance(box, boxes.TextBox):
        return box
    for child in getattr(box, "children", ()):
        if in_flow and not child.is_in_normal_flow():
            continue
        found = first_text(child, in_flow)
        if found is not None:
            return found
    return None


def following_text(box, skip_stack, limit: int) -> str:
    """Up to ``limit`` characters of in-flow text from ``skip_stack`` in ``box`` on (an
    atomic inline counts as one character, ATOMIC_EDGE)."""
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
            out.append(ATOMIC_EDGE)
        return sum(map(len, out)) >= limit

    walk(box, skip_stack)
    return "".join(out)[:limit]


def line_chars(box) -> int:
    """The number of characters of in-flow text in a laid-out line."""
    if isinstance(box, boxes.TextBox):
        return len(box.text)
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        return sum(line_chars(c) for c in box.children if c.is_in_normal_flow())
    return 1


# --- pages (public) ----------------------------------------------------------------------


def page_type(page) -> tuple[str, bool]:
    """(the named page, whether WeasyPrint left it blank) of a laid-out page
    (``weasyprint.Document.pages[i]``)."""
    kind = getattr(page._page_box, "page_type", None)  # WeasyPrint 70's PageType
    return getattr(kind, "name", ""), bool(getattr(kind, "blank", False))


def walk_boxes(page, *, margins: bool = False):
    """Every box of a laid-out page, parents before children; the margin boxes (running
    heads, folios) and what they hold only if ``margins``."""
    stack = [page._page_box]
    while stack:
        box = stack.pop()
        if not margins and isinstance(box, boxes.MarginBox):
            continue
        yield box
        stack.extend(reversed(getattr(box, "children", ())))


def page_text(page) -> str:
    """The text of a page's body, in order: no margin boxes, no ruby readings (rt, rp)."""
    out: list[str] = []

    def walk(box):
        if isinstance(box, boxes.MarginBox):
            return
        if getattr(box, "element_tag", None) in ("rt", "rp"):
            return
        if isinstance(box, boxes.TextBox):
            out.append(box.text)
            return
        for child in getattr(box, "children", ()):
            walk(child)

    walk(page._page_box)
    return "".join(out)


def content_extent(page) -> tuple[float, float, float]:
    """(top, height, bottom) in px of a page's content area and of the lowest line or
    replaced box on it (not in its margin boxes); bottom is 0 on an empty page."""
    box = page._page_box
    bottom = 0.0
    stack = [box]
    while stack:
        b = stack.pop()
        if isinstance(b, boxes.MarginBox):
            continue
        if isinstance(b, (boxes.LineBox, boxes.ReplacedBox)):
            bottom = max(bottom, b.position_y + b.margin_height())
            continue
        stack.extend(getattr(b, "children", ()))
    return box.content_box_y(), box.height, bottom


def line_boxes(box) -> list:
    """The line boxes of a block (not of its floats), in order."""
    out, stack = [], [box]
    while stack:
        b = stack.pop()
        if isinstance(b, boxes.LineBox):
            out.append(b)
            continue
        if b is not box and not b.is_in_normal_flow():
            continue
        stack.extend(reversed(getattr(b, "children", ())))
    return out


def text_columns(document, container: str = "section-body") -> list[tuple[int, float, list]]:
    """The columns the text runs in, in reading order: (page index, the column's foot in px,
    its in-flow blocks). A multi-column layout's column boxes; on a page set in one column,
    the in-flow children of every `container` block on it, above the page's content foot."""
    out = []
    for index, page in enumerate(document.pages):
        page_box = page._page_box
        columns, singles = [], []
        stack = [page_box]
        while stack:
            box = stack.pop()
            if isinstance(box, boxes.MarginBox):
                continue
            if getattr(box, "is_column", False):
                columns.append((index, box.position_y + box.height, [c for c in box.children if c.is_in_normal_flow()]))
                continue
            if container in classes(box) and not any(getattr(c, "is_column", False) for c in box.children):
                singles += [c for c in box.children if c.is_in_normal_flow()]
                continue
            stack.extend(reversed(getattr(box, "children", ())))
        if columns:
            out += columns
        elif singles:
            out.append((index, page_box.content_box_y() + page_box.height, singles))
    return out


def box_attribute(box, name: str) -> str | None:
    """An attribute of the element a box was made for (None without one)."""
    element = getattr(box, "element", None)
    return element.get(name) if element is not None else None
