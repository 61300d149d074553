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
    from publish.layout import fonts_dir

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

    from publish.layout import fonts_dir

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

#: Upright glyphs are drawn with a copy of their font in vertical writing mode
#: (``/Encoding /Identity-V``) whose resource name is the font's plus this suffix;
#: :func:`turn_pages` adds the copies. A glyph's vertical origin is the *left foot* of its
#: ideographic em box: 0 across and ``VERTICAL_ORIGIN`` em above its baseline (the
#: descendant font gets ``/W2 [0 65535 -1000 0 -120]``), not the PDF default (centre of
#: the head, 880). Poppler's text layer takes the em before the origin, from the origin
#: rightwards, as a vertical character's box, so these boxes are the em boxes and line
#: up with the sideways Latin between them; pdfium sorts text objects whose origins are
#: less than half a character apart by x, and a foot-left origin keeps an upright
#: bracket before the Latin word after it. The drawing does not depend on it (every
#: glyph has its own text matrix).
VERTICAL_FONT_SUFFIX = "V"
VERTICAL_ORIGIN = -0.12

#: A 縦中横 unit of two or more glyphs is drawn this far (pt) towards the right of its
#: column. Poppler reads the unit (one /ActualText character in a smaller font) as a word
#: of its own whose box reaches into the next character, so the column splits into two
#: lines after it, and lines of one block are ordered by their base x exactly
#: (``TextLine::cmpYX``: no tolerance): a unit that opens a column and comes out a
#: rounding error (3e-5 pt) left of the column was read after the rest of it. A
#: thousandth of a point to the right orders it first whatever the rounding; a unit in
#: mid-column joins the line before it and changes nothing.
TCY_NUDGE = 0.001


def draw_upright_unit(stream, textbox, offset_x, text_overflow, block_ellipsis="none"):
    """Draw a text box as one upright unit (縦中横, folios): turned 90° counter-clockwise
    about the centre of its em box, so it reads horizontally on the page. Inside a
    ``jl-tcy`` span the unit is compressed to one em when it is longer. Its glyphs are
    drawn with the vertical-mode font like the upright characters around them, so text
    extraction keeps them in the column (side by side, left to right)."""
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
    combined = len(textbox.text) > 1 and "jl-tcy" in classes
    if combined:
        cy -= TCY_NUDGE  # towards the column's right: see TCY_NUDGE
    with stream.stacked():
        # P' = C + R S (P - T): S compresses along the text, R turns it counter-clockwise
        stream.transform(a=0, b=-scale, c=1, d=0, e=cx - cy, f=cy + scale * tx)
        if textbox.style["visibility"] != "visible" or size < 1e-6 or not textbox.text:
            return None
        stream.set_color(textbox.style["color"])
        textbox.pango_layout.reactivate(textbox.style)
        if combined:
            # one character of the column for text extraction: the figures stand side by
            # side at the same height, which poppler would otherwise read as a line
            import pydyf

            stream.begin_marked_content("Span", pydyf.Dictionary({"ActualText": pydyf.String(textbox.text)}))
        try:
            stream.begin_text()
            for font, font_size, glyph, text, left, y, rise in _glyphs(stream, textbox, upright_all=True):
                code = f"<{glyph:02x}>" if font.bitmap else f"<{glyph:04x}>"
                if font.bitmap:
                    stream.set_font_size(font.hash, font_size)
                    stream.set_text_matrix(1, 0, 0, -1, left, y + rise)
                else:  # hanging from the left foot of its em box
                    stream.set_font_size(font.hash + VERTICAL_FONT_SUFFIX, font_size)
                    stream.set_text_matrix(1, 0, 0, -1, left, y + rise - VERTICAL_ORIGIN * font_size)
                stream.show_text(code)
            stream.end_text()
        finally:
            textbox.pango_layout.deactivate()
            if combined:
                stream.end_marked_content()
    return None


def _glyphs(stream, textbox, *, upright_all: bool = False):
    """(font, font size, glyph id, text, left, baseline y, rise) of each glyph of the text
    box's first line, at the positions Pango gave it (justification and push-in kept).
    Fullwidth characters get their ``vert`` alternate (not in an upright unit, whose
    glyphs are all drawn as they are); each drawn glyph is registered for ToUnicode and
    the widths."""
    from weasyprint.text.ffi import FROM_UNITS, ffi, pango

    layout = textbox.pango_layout
    pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
    first_line, _ = layout.get_first_line()
    x = textbox.position_x
    y = textbox.position_y + textbox.baseline
    size = textbox.style["font_size"]
    utf8 = layout.text.encode()
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
            alternates = {} if upright_all else _font_vert_map(font)
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
            glyph = alternates.get(glyph, glyph) if is_upright(text[:1]) else glyph
            if glyph not in font.to_unicode:
                font.to_unicode[glyph] = text
            if glyph not in font.widths:
                pango.pango_font_get_glyph_extents(
                    pango_font, glyph, stream.ink_rect, stream.logical_rect)
                font.widths[glyph] = round(stream.logical_rect.width * 1000 * FROM_UNITS / font_size)
            yield font, font_size, glyph, text, left, y, info.geometry.y_offset * FROM_UNITS
            pen += advance


def draw_vertical_line(stream, textbox) -> None:
    """Draw ``textbox`` (one line of the frame) glyph by glyph, fullwidth glyphs upright.

    Upright glyphs are drawn with the font's vertical-mode copy (Identity-V, added by
    :func:`turn_pages`), so poppler and pdfminer read the column as a vertical line; each
    hangs from the left foot of its em box (see :data:`VERTICAL_ORIGIN`). A sideways
    (Latin) glyph is drawn with the horizontal font, as WeasyPrint would."""
    size = textbox.style["font_size"]
    centre_x, centre_y = size / 2, EM_BOX_CENTRE * size
    stream.begin_text()
    for font, font_size, glyph, text, left, y, rise in _glyphs(stream, textbox):
        code = f"<{glyph:02x}>" if font.bitmap else f"<{glyph:04x}>"
        if is_upright(text[:1]) and not font.bitmap:
            stream.set_font_size(font.hash + VERTICAL_FONT_SUFFIX, font_size)
            # turned 90° counter-clockwise about the centre of the em box
            stream.set_text_matrix(0, -1, -1, 0, left + centre_x + centre_y - VERTICAL_ORIGIN * font_size,
                                   y - centre_y + centre_x)
            stream.show_text(code)
        elif is_upright(text[:1]):  # a bitmap font (one-byte codes): no vertical mode
            stream.set_font_size(font.hash, font_size)
            stream.set_text_matrix(0, -1, -1, 0, left + centre_x + centre_y, y - centre_y + centre_x)
            stream.show_text(code)
        else:
            stream.set_font_size(font.hash, font_size)
            stream.set_text_matrix(1, 0, 0, -1, left, y + rise)
            stream.show_text(code)
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
        if pages:
            add_vertical_fonts(pdf, [pdf.pages[i] for i in pages])
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
        pdf.save(out, deterministic_id=True)  # reproducible: no random /ID (qpdf keeps ID[0] through later saves)
        return out.getvalue()


def _font_dictionaries(resources, seen):
    """The /Font dictionaries of ``resources`` and of the form XObjects it uses."""
    if resources is None or resources.objgen in seen and resources.objgen != (0, 0):
        return
    seen.add(resources.objgen)
    fonts = resources.get("/Font")
    if fonts is not None:
        yield fonts
    for xobject in (resources.get("/XObject") or {}).values():
        if xobject.get("/Subtype") == "/Form":
            yield from _font_dictionaries(xobject.get("/Resources"), seen)


def add_vertical_fonts(pdf, pages) -> int:
    """Give every Type 0 font the frame pages can use a copy in vertical writing mode
    under its name plus :data:`VERTICAL_FONT_SUFFIX` (same descendant font, ToUnicode and
    glyph ids; ``/Identity-V``, or WeasyPrint's own CMap with ``/WMode 1``). Returns how
    many copies were made."""
    import pikepdf

    made = 0
    done = set()
    seen: set = set()
    for page in pages:
        for fonts in _font_dictionaries(page.obj.get("/Resources"), seen):
            if fonts.objgen in done and fonts.objgen != (0, 0):
                continue
            done.add(fonts.objgen)
            for name in list(fonts.keys()):
                font = fonts[name]
                if font.get("/Subtype") != "/Type0" or name.endswith(VERTICAL_FONT_SUFFIX) and name[:-1] in fonts:
                    continue
                vname = name + VERTICAL_FONT_SUFFIX
                if vname in fonts:
                    continue
                copy = pikepdf.Dictionary({k: font[k] for k in font.keys()})
                encoding = font.get("/Encoding")
                if isinstance(encoding, pikepdf.Name):
                    copy.Encoding = pikepdf.Name("/Identity-V")
                else:  # an embedded CMap (WeasyPrint writes one when a glyph is missing)
                    cmap = pikepdf.Stream(pdf, encoding.read_bytes().replace(b"/CMapType 1 def", b"/CMapType 1 def\n/WMode 1 def"))
                    for key in encoding.keys():
                        if key not in ("/Length", "/Filter", "/DecodeParms"):
                            cmap[key] = encoding[key]
                    cmap.WMode = 1
                    copy.Encoding = pdf.make_indirect(cmap)
                for descendant in font.get("/DescendantFonts") or ():
                    # every glyph: advance one em down, origin at the left foot of its em box
                    descendant.DW2 = pikepdf.Array([round(VERTICAL_ORIGIN * 1000), -1000])
                    descendant.W2 = pikepdf.Array([0, 65535, -1000, 0, round(VERTICAL_ORIGIN * 1000)])
                fonts[vname] = pdf.make_indirect(copy)
                made += 1
    return made


def declare_right_to_left(pdf_bytes: bytes) -> bytes:
    """Add ``/ViewerPreferences << /Direction /R2L >>`` (after a stage that rewrote the file)."""
    return turn_pages(pdf_bytes, [], right_to_left=True)


def direction_flag(layout, edition: str) -> bool:
    """Whether a vertical layout's `edition` ("print" or "screen") declares ``/Direction
    /R2L`` (the layout token ``vertical.direction_flag``: print (default), all or none).
    pdfium (Chrome's viewer) reads the text of a PDF that declares it out of order, whatever
    the content stream holds (INTEGRATION.md, "pdfium and /Direction /R2L"), so the screen
    edition, the one read and copied on screens, leaves it out by default."""
    if not layout.vertical:
        return False
    which = str((layout.tokens.get("vertical") or {}).get("direction_flag", "print"))
    return which == "all" or (which == "print" and edition == "print")


if __name__ == "__main__":
    written = write_cache()
    print(f"{_cache_path()}: {len(written['fonts'])} fonts")
