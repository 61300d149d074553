"""Ruby readings: each reading's em box put on top of its base's em box after line
breaking, and kept inside the column at the line's edges.
"""

from __future__ import annotations

from weasyprint.formatting_structure import boxes

from publish.typeset_ja.weasyprint.boxes import classes, first_text

# Ideographic em box of the bundled Noto CJK faces: 0.88 em above, 0.12 em below the baseline.
EM_TOP, EM_BOTTOM = 0.88, 0.12


def readings(box):
    """The absolutely positioned ``.jl-rt`` boxes under ``box``."""
    for child in getattr(box, "children", ()):
        if child.is_absolutely_positioned():
            if "jl-rt" in classes(child):
                yield child
        else:
            yield from readings(child)


def place_readings(box):
    """Put each ruby reading's em box on top of its base's em box.

    WeasyPrint 70 resets an absolutely positioned inline child to the line's top after
    layout (its static position), ignoring ``top``; so the reading is placed here."""
    for child in getattr(box, "children", ()):
        if not isinstance(child, boxes.InlineBox):
            continue
        if "jl-ruby" in classes(child):
            base = first_text(child)
            for reading in readings(child):
                text = first_text(reading, in_flow=False)
                if base is None or text is None:
                    continue
                want = (
                    base.position_y + base.baseline
                    - EM_TOP * base.style["font_size"]
                    - EM_BOTTOM * text.style["font_size"]
                )
                reading.translate(0, want - (text.position_y + text.baseline))
        else:
            place_readings(child)


def clamp_readings(line, left, right):
    """Keep ruby readings inside the column: a reading that would overhang the line's
    start or end (its neighbour is on another line) is pulled in."""
    for reading in readings(line):
        text = first_text(reading, in_flow=False)
        if text is None:
            continue
        spacing = text.style["letter_spacing"]
        # WeasyPrint counts the letter-spacing after the last character in the width
        end = text.position_x + text.width - (0 if spacing == "normal" else spacing)
        if text.position_x < left - 0.01:
            reading.translate(left - text.position_x, 0)
        elif end > right + 0.01:
            reading.translate(right - end, 0)
