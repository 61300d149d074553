"""Vertical Japanese (縦組み) on WeasyPrint 70, which has no ``writing-mode``.

The design is in ``INTEGRATION.md`` ("Vertical"). In short: the vertical flow is laid out
on pages turned by 90° (a column of the page is a line of the frame), so the horizontal
typesetter's rules apply unchanged; this module

* draws the text boxes of that flow glyph by glyph: fullwidth characters upright with the
  font's ``vert`` alternates, everything else (Latin, European digits, ──) as WeasyPrint
  draws it, which ends up rotated 90° clockwise (:func:`install` wraps
  ``weasyprint.draw.draw_text``);
* turns the frame pages upright in the finished PDF and declares right-to-left page
  progression (:func:`turn_pages`).

A text box is vertical when its style carries ``--jl-writing-mode: vertical`` (a custom
property, inherited); a page is a frame page when its ``@page`` rule does. Nothing else
changes: every other text box goes to WeasyPrint's own ``draw_text``.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata


PROPERTY = "--jl-writing-mode"
_KEY = PROPERTY.replace("-", "_")

#: The ideographic em box of the fonts (Noto CJK: -120 … 880 units of 1000), as a
#: fraction of the em above the baseline: its centre is what an upright glyph turns about.
EM_BOX_CENTRE = 0.38

#: Characters drawn upright although they are not fullwidth (East Asian width A).
UPRIGHT_EXTRA = frozenset("…‥※")

_installed = False
_originals: dict[str, object] = {}
_vert_maps: dict[str, dict[int, int]] = {}


def is_vertical(style) -> bool:
    """Whether a WeasyPrint computed style says ``--jl-writing-mode: vertical``."""
    try:
        tokens = style[_KEY]
    except (KeyError, TypeError):
        return False
    if not tokens:
        return False
    return any(getattr(t, "type", None) == "ident" and t.lower_value == "vertical" for t in tokens)


def is_upright(ch: str) -> bool:
    """Drawn upright in a vertical line (kanji, kana, fullwidth forms and punctuation)."""
    return bool(ch) and (unicodedata.east_asian_width(ch) in ("W", "F") or ch in UPRIGHT_EXTRA)


# --- vertical alternates -----------------------------------------------------------------


#: Precomputed ``vert`` maps of the bundled fonts (reading a CJK font's GSUB with
#: fontTools takes about half a second a face): ``python -m publish.typeset_ja.vertical``
#: rewrites it; tests/test_vertical.py checks it against the fonts.
VERT_CACHE = "vert-alternates.json"


def _cache_path():
    from ..layout import fonts_dir

    return fonts_dir() / VERT_CACHE


def _load_cache() -> None:
    import json

    if _vert_maps.get("__loaded__") is not None:
        return
    _vert_maps["__loaded__"] = {}
    try:
        data = json.loads(_cache_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    for key, mapping in data.get("fonts", {}).items():
        _vert_maps[key] = {int(a): int(b) for a, b in mapping.items()}


def font_key(file_content: bytes, index: int = 0) -> str:
    return hashlib.md5(file_content, usedforsecurity=False).hexdigest() + f"#{index}"


def vert_map(file_content: bytes, index: int = 0, *, cached: bool = True) -> dict[int, int]:
    """Glyph id -> glyph id of the font's ``vert`` feature (single substitutions)."""
    key = font_key(file_content, index)
    if cached:
        _load_cache()
        found = _vert_maps.get(key)
        if found is not None:
            return found
    from fontTools.ttLib import TTFont

    mapping: dict[int, int] = {}
    try:
        font = TTFont(io.BytesIO(file_content), fontNumber=index, lazy=True)
        if "GSUB" in font:
            gsub = font["GSUB"].table
            order = {name: i for i, name in enumerate(font.getGlyphOrder())}
            lookups = set()
            for record in gsub.FeatureList.FeatureRecord if gsub.FeatureList else ():
                if record.FeatureTag == "vert":
                    lookups.update(record.Feature.LookupListIndex)
            for li in sorted(lookups):
                for sub in gsub.LookupList.Lookup[li].SubTable:
                    if getattr(sub, "LookupType", None) == 7:
                        sub = sub.ExtSubTable
                    for a, b in (getattr(sub, "mapping", None) or {}).items():
                        if a in order and b in order:
                            mapping.setdefault(order[a], order[b])
    except Exception:  # a font fontTools cannot read: no alternates, glyphs stay as shaped
        mapping = {}
    if cached:
        _vert_maps[key] = mapping
    return mapping


def write_cache() -> dict:
    """Rewrite fonts/vert-alternates.json from the bundled fonts."""
    import json

    from ..layout import fonts_dir

    fonts = {}
    names = {}
    for path in sorted(fonts_dir().glob("*.[ot]tf")):
        content = path.read_bytes()
        key = font_key(content)
        fonts[key] = {str(a): b for a, b in sorted(vert_map(content, cached=False).items())}
        names[key] = path.name
    data = {"about": "vert (vertical alternates) single substitutions of the bundled fonts, glyph id -> "
                     "glyph id, keyed by the md5 of the font file; written by python -m "
                     "publish.typeset_ja.vertical", "files": names, "fonts": fonts}
    _cache_path().write_text(json.dumps(data, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    return data



def _font_vert_map(font) -> dict[int, int]:
    if getattr(font, "jl_vert", None) is None:
        font.jl_vert = vert_map(font.file_content, getattr(font, "index", 0))
    return font.jl_vert


# --- drawing -----------------------------------------------------------------------------


def install() -> None:
    """Wrap ``weasyprint.draw.draw_text`` (once)."""
    global _installed
    if _installed:
        return
    from weasyprint import draw

    _originals["draw_text"] = draw.draw_text
    draw.draw_text = _draw_text
    _installed = True


def uninstall() -> None:
    global _installed
    if not _installed:
        return
    from weasyprint import draw

    draw.draw_text = _originals["draw_text"]
    _installed = False


def _token(style, key: str) -> str | None:
    try:
        tokens = style[key]
    except (KeyError, TypeError):
        return None
    for token in tokens or ():
        if getattr(token, "type", None) == "ident":
            return token.lower_value
    return None


def _draw_text(stream, textbox, offset_x, text_overflow, block_ellipsis="none"):
    if not is_vertical(textbox.style) or not textbox.text:
        return _originals["draw_text"](stream, textbox, offset_x, text_overflow, block_ellipsis)
    if _token(textbox.style, _UPRIGHT_KEY) == "upright":
        return draw_upright_unit(stream, textbox, offset_x, text_overflow, block_ellipsis)
    if textbox.style["visibility"] != "visible" or textbox.style["font_size"] < 1e-6:
        return None
    stream.set_color(textbox.style["color"])
    textbox.pango_layout.reactivate(textbox.style)
    try:
        draw_vertical_line(stream, textbox)
    finally:
        textbox.pango_layout.deactivate()
    return None


_UPRIGHT_KEY = "__jl_text_orientation"


def draw_upright_unit(stream, textbox, offset_x, text_overflow, block_ellipsis="none"):
    """Draw a text box as one upright unit (縦中横, folios): turned 90° counter-clockwise
    about the centre of its em box, so it reads horizontally on the page. Inside a
    ``jl-tcy`` span the unit is compressed to one em when it is longer."""
    size = textbox.style["font_size"]
    width = textbox.width or size
    scale = 1.0
    element = getattr(textbox, "element", None)
    classes = (element.get("class") or "").split() if element is not None and hasattr(element, "get") else []
    tx = textbox.position_x + width / 2  # the text's centre
    cx = tx  # where that centre goes
    if "jl-tcy" in classes:
        # the text starts at the left of its one-em inline-block (text-align: left):
        # centre it on the block, compressed into the em when longer
        cx = textbox.position_x + size / 2
        if width > size * 1.02:
            scale = size / width
    cy = textbox.position_y + textbox.baseline - EM_BOX_CENTRE * size
    with stream.stacked():
        # P' = C + R S (P - T): S compresses along the text, R turns it counter-clockwise
        stream.transform(a=0, b=-scale, c=1, d=0, e=cx - cy, f=cy + scale * tx)
        return _originals["draw_text"](stream, textbox, offset_x, text_overflow, block_ellipsis)


def draw_vertical_line(stream, textbox) -> None:
    """Draw ``textbox`` (one line of the frame) glyph by glyph, fullwidth glyphs upright."""
    from weasyprint.text.ffi import FROM_UNITS, ffi, pango

    layout = textbox.pango_layout
    pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
    first_line, _ = layout.get_first_line()
    x = textbox.position_x
    y = textbox.position_y + textbox.baseline
    size = textbox.style["font_size"]
    centre_x, centre_y = size / 2, EM_BOX_CENTRE * size
    utf8 = layout.text.encode()
    stream.begin_text()
    pen = 0.0
    previous_font = None
    run = first_line.runs
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        glyphs = glyph_item.glyphs
        count = glyphs.num_glyphs
        clusters = glyphs.log_clusters
        pango_font = glyph_item.item.analysis.font
        if pango_font != previous_font:
            previous_font = pango_font
            font, font_size = stream.add_font(pango_font)
            if pango.pango_version() < 14802:
                font_size = size
            stream.set_font_size(font.hash, font_size)
            alternates = _font_vert_map(font)
        offset = glyph_item.item.offset
        for i in range(count):
            info = glyphs.glyphs[i]
            glyph = info.glyph
            advance = info.geometry.width * FROM_UNITS
            if glyph == pango.PANGO_GLYPH_EMPTY or glyph & pango.PANGO_GLYPH_UNKNOWN_FLAG:
                pen += advance
                continue
            start = clusters[i]
            end = glyph_item.item.length if i == count - 1 else clusters[i + 1]
            if end <= start:  # a later glyph of the same cluster
                text = utf8[offset + start:offset + glyph_item.item.length].decode(errors="replace")
            else:
                text = utf8[offset + start:offset + end].decode(errors="replace")
            left = x + pen + info.geometry.x_offset * FROM_UNITS
            if is_upright(text[:1]):
                glyph = alternates.get(glyph, glyph)
                # turn 90° counter-clockwise about the centre of the em box
                stream.set_text_matrix(0, -1, -1, 0, left + centre_x + centre_y, y - centre_y + centre_x)
            else:
                rise = info.geometry.y_offset * FROM_UNITS
                stream.set_text_matrix(1, 0, 0, -1, left, y + rise)
            if glyph not in font.to_unicode:
                font.to_unicode[glyph] = text
            if glyph not in font.widths:
                pango.pango_font_get_glyph_extents(
                    pango_font, glyph, stream.ink_rect, stream.logical_rect)
                font.widths[glyph] = round(stream.logical_rect.width * 1000 * FROM_UNITS / font_size)
            stream.show_text(f"<{glyph:02x}>" if font.bitmap else f"<{glyph:04x}>")
            pen += advance
    stream.end_text()


# --- pages ---------------------------------------------------------------------------------


def frame_pages(document) -> list[int]:
    """Indexes of the pages of a laid-out WeasyPrint document that are vertical frames."""
    return [i for i, page in enumerate(document.pages) if is_vertical(page._page_box.style)]


def _turn_box(box, width: float):
    import pikepdf

    x0, y0, x1, y1 = (float(v) for v in box)
    x0, x1 = sorted((x0, x1))
    y0, y1 = sorted((y0, y1))
    return pikepdf.Array([round(y0, 4), round(width - x1, 4), round(y1, 4), round(width - x0, 4)])


def turn_pages(pdf_bytes: bytes, pages: list[int], *, right_to_left: bool = True) -> bytes:
    """Turn the frame pages 90° clockwise (content, boxes, link rectangles) and declare
    right-to-left page progression (``/ViewerPreferences /Direction /R2L``)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        for index in pages:
            page = pdf.pages[index]
            media = [float(v) for v in page.mediabox]
            width = media[2] + media[0]  # the turn maps x to width - x (origin kept at 0)
            for key in ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox"):
                if key in page.obj:
                    page.obj[key] = _turn_box(page.obj[key], width)
            for annot in page.obj.get("/Annots", ()) or ():
                if "/Rect" in annot:
                    annot.Rect = _turn_box(annot.Rect, width)
            page.contents_add(pdf.make_stream(f"q 0 -1 1 0 0 {width:.4f} cm\n".encode()), prepend=True)
            page.contents_add(pdf.make_stream(b"\nQ\n"))
        if right_to_left:
            prefs = pdf.Root.get("/ViewerPreferences")
            if prefs is None:
                pdf.Root.ViewerPreferences = pikepdf.Dictionary()
                prefs = pdf.Root.ViewerPreferences
            prefs.Direction = pikepdf.Name.R2L
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def declare_right_to_left(pdf_bytes: bytes) -> bytes:
    """Add ``/ViewerPreferences << /Direction /R2L >>`` (after a stage that rewrote the file)."""
    return turn_pages(pdf_bytes, [], right_to_left=True)


if __name__ == "__main__":
    written = write_cache()
    print(f"{_cache_path()}: {len(written['fonts'])} fonts")
