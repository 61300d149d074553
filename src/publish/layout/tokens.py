"""The design tokens a `layout.yaml` may hold: their kinds, units and meaning, and the
validation of a layout file and of a source's `style:` overrides against them.

This is the contract between designers and the toolkit. It holds no values (no look):
those live in `layouts/<name>/layout.yaml`. The documentation strings here feed
`publish new-layout` (the commented child `layout.yaml`) and are mirrored in
`layouts/README.md` (a test keeps the two in step).

Every problem is a SourceProblem (`file:line:column: field: message`, exit status 2).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from publish.errors import SourceProblem
from publish.readers.values import CONTROL
from publish.readers.yamltree import Locations, dotted

LENGTH = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(pt|mm|cm|in|px|q|Q)\s*\Z")
RGB = re.compile(r"#[0-9a-fA-F]{6}\Z")
TRIM_NAMES = ("A3", "A4", "A5", "A6", "JIS-B4", "JIS-B5", "JIS-B6", "ISO-B5")  # as the print stage knows them
MM = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*mm\s*\Z")


PT_PER = {"pt": 1.0, "mm": 72 / 25.4, "cm": 720 / 25.4, "in": 72.0, "px": 0.75, "q": 72 / 25.4 / 4}

# the make-up stage's ways to fit a binding (publish.render.makeup), in their default order
STRATEGIES = ("tighten", "loosen", "quote", "people", "contact", "blank")

@dataclass(frozen=True)
class Token:
    name: str  # dotted; a final "*" stands for any name in an open group
    kind: str  # text, layout, length, mm, length-or-auto, trim, choice, int, number, font, color, bool, files,
    #            strategies, range, file, fraction
    unit: str
    doc: str
    choices: tuple = ()
    minimum: float | None = None
    maximum: float | None = None
    overridable: bool = True  # may a child layout / a source's style: set it?
    default: str | None = None  # what applies when no layout sets it (new-layout shows it)


def _t(name, kind, unit, doc, **kw) -> Token:
    return Token(name, kind, unit, doc, **kw)


TOKENS: tuple[Token, ...] = (
    _t("description", "text", "text", "One line saying what the layout is for (shown by new-layout).",
       overridable=False),
    _t("extends", "layout", "layout name", "The parent layout: tokens merge over the parent's; templates and "
       "stylesheets not found in this folder are looked up in the parent's.", overridable=False),
    # page
    _t("page.trim", "trim", "A3 | A4 | A5 | A6 | JIS-B4 | JIS-B5 | JIS-B6 | ISO-B5 | \"W H\"",
       "Trim (finished) size. Japanese print B5 is JIS-B5 (182×257 mm); ISO-B5 is 176×250 mm (plain B5 is "
       "refused as ambiguous). Or two lengths in mm, width then height, e.g. \"148mm 210mm\"."),
    _t("page.bleed", "mm", "mm", "Bleed (塗り足し) beyond the trim on every side; full-bleed colour must reach it "
       "(3mm usual, 5mm for some shops).", minimum=0, maximum=10),
    _t("page.binding", "choice", "saddle | perfect",
       "saddle: saddle-stitched (中綴じ), page count a multiple of 4; perfect: perfect-bound (無線綴じ), a multiple of 2.",
       choices=("saddle", "perfect")),
    _t("page.pad_pages", "bool", "true | false", "Print: add blank pages before the back cover when the page count "
       "breaks the binding's rule.", default='true'),
    _t("page.marks", "bool", "true | false", "Print: 日本式トンボ (trim marks) outside the bleed; false leaves only "
       "the PDF's trim and bleed boxes.", default='true'),
    _t("page.slug", "mm", "mm", "Print: paper outside the bleed carrying the marks and the slug line (6mm at least "
       "with marks).", minimum=0, maximum=30, default='12mm'),
    _t("page.slug_text", "bool", "true | false", "Print: a slug line (file name, page, build date) below each page.", default='true'),
    _t("page.pdf_variant", "choice", "pdf/x-4 | pdf/x-1a", "Print: PDF/X-4 (live transparency) or PDF/X-1a (no "
       "transparency).", choices=("pdf/x-4", "pdf/x-1a"), default='pdf/x-4'),
    _t("page.icc_profile", "file", "file", "Print: the CMYK output profile (.icc), relative to the layout folder; "
       "the shipped FOGRA39 profile when not given.", default='JapanColor2001Coated.icc  # example; FOGRA39 when not set'),
    _t("page.output_condition_identifier", "text", "text", "Print: the OutputIntent's registered identifier, "
       "e.g. JC200103 for Japan Color 2001 Coated.", default='JC200103  # example'),
    _t("page.output_condition", "text", "text", "Print: the OutputIntent's description of the printing condition.", default='Japan Color 2001 Coated  # example'),
    # type area
    _t("type_area.body_size", "length", "length", "Body type size (本文の文字サイズ). Every column is a whole "
       "number of body characters wide.", minimum=4, maximum=24),
    _t("type_area.line_pitch", "length", "length", "Line pitch (行送り): body size plus leading (行間). The text "
       "block is a whole number of lines high.", minimum=4, maximum=48),
    _t("type_area.chars_per_line", "int", "characters", "Characters per line of one column (字詰め).",
       minimum=5, maximum=60),
    _t("type_area.columns", "int", "columns", "Number of text columns (段数).", minimum=1, maximum=4),
    _t("type_area.gutter_chars", "number", "body characters", "Space between columns (段間), in body characters.",
       minimum=0, maximum=10),
    _t("type_area.lines", "int", "lines", "Lines per column (行数).", minimum=3, maximum=120),
    _t("type_area.margin_top", "length", "length", "Head margin (天) from the trim to the first line; the foot "
       "margin (地) is what is left."),
    _t("type_area.margin_inside", "length-or-auto", "length or auto", "Inside margin (ノド); auto centres the "
       "text block between inside and outside."),
    # fonts
    _t("fonts.serif", "font", "CSS font-family", "Mincho family for body text (→ --font-serif)."),
    _t("fonts.sans", "font", "CSS font-family", "Gothic family for headings, questions, captions (→ --font-sans)."),
    _t("fonts.*", "font", "CSS font-family", "Any other family a layout's CSS needs (→ --font-NAME). Declare "
       "it with @font-face from fonts/ so nothing falls back to a system font."),
    # sizes
    _t("sizes.title", "length", "length", "Cover title size."),
    _t("sizes.subtitle", "length", "length", "Cover subtitle size."),
    _t("sizes.kind", "length", "length", "Kind label (インタビュー記事) on the cover and the opening."),
    _t("sizes.heading", "length", "length", "Section heading size."),
    _t("sizes.heading-pitch", "length", "length", "Section heading line pitch."),
    _t("sizes.lead", "length", "length", "Lead (リード) size."),
    _t("sizes.lead-pitch", "length", "length", "Lead line pitch."),
    _t("sizes.speaker", "length", "length", "Speaker's name before an answer."),
    _t("sizes.profile", "length", "length", "Profile sidebar text size."),
    _t("sizes.profile-pitch", "length", "length", "Profile sidebar line pitch."),
    _t("sizes.caption", "length", "length", "Figure caption size."),
    _t("sizes.quote", "length", "length", "Pull quote size."),
    _t("sizes.running", "length", "length", "Running title (柱) size."),
    _t("sizes.folio", "length", "length", "Page number (ノンブル) size."),
    _t("sizes.*", "length", "length", "Any other size a layout's CSS needs (→ --size-NAME)."),
    # colours
    _t("colors.text", "color", "{cmyk: [C, M, Y, K] %, rgb: \"#rrggbb\"}", "Body text."),
    _t("colors.accent", "color", "{cmyk: [C, M, Y, K] %, rgb: \"#rrggbb\"}",
       "The layout's key colour: cover field, headings, questions, rules."),
    _t("colors.accent-light", "color", "{cmyk: [C, M, Y, K] %, rgb: \"#rrggbb\"}",
       "Tint behind section headings and profile sidebars."),
    _t("colors.accent-small", "color", "{cmyk: [C, M, Y, K] %, rgb: \"#rrggbb\"}",
       "The accent of text under 12pt (questions, labels, small headings): at most two process inks, which "
       "stay in register at small sizes."),
    _t("colors.rule", "color", "{cmyk: [C, M, Y, K] %, rgb: \"#rrggbb\"}", "Hairlines."),
    _t("colors.muted", "color", "{cmyk: [C, M, Y, K] %, rgb: \"#rrggbb\"}",
       "Secondary text: running title, captions, profile details."),
    _t("colors.paper", "color", "{cmyk: [C, M, Y, K] %, rgb: \"#rrggbb\"}", "Text set on a colour field (usually white)."),
    _t("colors.*", "color", "{cmyk: [C, M, Y, K] %, rgb: \"#rrggbb\"}",
       "Any other colour (→ --color-NAME). cmyk is used in print, rgb on screen and in the EPUB."),
    # show
    _t("show.running_title", "bool", "true | false", "Running title (柱) in the head margin of every page but the covers."),
    _t("show.folio", "bool", "true | false", "Page number (ノンブル) in the foot margin of every page but the covers."),
    _t("show.back_cover", "bool", "true | false", "A back cover (表4) with the title, publisher and note."),
    _t("show.profile_photos", "bool", "true | false", "People's photos in the profile sidebars (when the source gives them)."),
    # epub
    _t("epub.writing_mode", "choice", "horizontal-tb | vertical-rl", "EPUB: horizontal (横組み) or vertical "
       "(縦組み, pages turning right to left) book; `publish build --vertical` forces it.",
       choices=("horizontal-tb", "vertical-rl"), default='horizontal-tb'),
    _t("epub.embed_fonts", "bool", "true | false", "EPUB: embed the bundled fonts, subset to the book's characters "
       "(WOFF2); `--embed-fonts` forces it.", default='false'),
    _t("epub.page_list", "bool", "true | false", "EPUB: mark where the print edition's pages begin and list them "
       "(nav page-list, pageBreakSource), so readers can cite and find print page numbers.", default='true'),
    _t("epub.upright_letters", "int", "letters", "Vertical EPUB: acronyms of up to this many capital letters stand "
       "upright (two or fewer as tate-chu-yoko, 縦中横; three letter by letter); longer Latin words lie on their "
       "side. 0: all Latin sideways.", minimum=0, maximum=4, default='3'),
    _t("epub.tcy_digits", "int", "digits", "Vertical EPUB: numbers of up to this many digits standing alone are set "
       "as tate-chu-yoko (縦中横); longer ones lie on their side. 0: none.", minimum=0, maximum=4, default='2'),
    # cover composition, relative to the trim (so a child that changes only the trim composes)
    _t("cover.image_area", "choice", "field | page", "Where a source's cover photo (`cover: image:`) goes, "
       "to the bleed: field, the colour field's area (its height is cover.field); page, the whole page.",
       choices=("field", "page")),
    _t("cover.field", "fraction", "% of the trim height", "Height of the cover's colour field (and of a photo in "
       "it), from the head to the bleed; 100% fills the page (→ --cover-field)."),
    _t("cover.margin", "fraction", "% of the trim width", "Left and right margin of the cover's text "
       "(→ --cover-margin)."),
    _t("cover.kind_top", "fraction", "% of the trim height", "Top of the kind label (→ --cover-kind-top)."),
    _t("cover.title_top", "fraction", "% of the trim height", "Top of the title; the subtitle follows the title "
       "(→ --cover-title-top)."),
    _t("cover.people_top", "fraction", "% of the trim height", "Top of the people's names (a collection: its list "
       "of interviews) (→ --cover-people-top)."),
    _t("cover.publisher_bottom", "fraction", "% of the trim height", "Distance of the publisher's line from the "
       "foot of the trim (→ --cover-publisher-bottom)."),
    # placement
    _t("writing_mode", "choice", "horizontal | vertical", "Print: horizontal (横組み) or vertical (縦組み) body text. "
       "vertical sets the interview in columns read top to bottom, right to left, bound on the right "
       "(see typeset_ja/INTEGRATION.md); the type area then counts chars_per_line down a column and lines across.",
       choices=("horizontal", "vertical"), default='horizontal'),
    _t("vertical.tate_chu_yoko", "choice", "marked | auto", "Vertical print: 縦中横 (upright digits in one em). "
       "marked: only what the source marks ^12^; auto: also numbers of up to two digits and capitals of up to "
       "three letters.", choices=("marked", "auto"), default='marked'),
    _t("vertical.direction_flag", "choice", "print | all | none", "Vertical print: which PDFs declare "
       "right-to-left page progression (/ViewerPreferences /Direction /R2L: spreads and two-up views right to "
       "left in Acrobat and Preview). pdfium (Chrome's and Edge's viewer) copies and searches the text of a PDF "
       "that says so in the wrong order (typeset_ja/INTEGRATION.md), so by default only the print PDF does; the "
       "screen edition, read and copied in browsers, does not. all: the screen edition too; none: neither.",
       choices=("print", "all", "none"), default='print'),
    _t("placement.profiles", "choice", "first-answer | opening",
       "Where profile sidebars go: first-answer, beside the point where each person first speaks; opening, "
       "all together after the lead.", choices=("first-answer", "opening")),
    # make-up: fitting the page count to the binding (publish.render.makeup)
    _t("makeup.strategies", "strategies", "list of tighten | loosen | quote | people | contact | blank",
       "Print: how the make-up stage brings the page count to the binding's multiple, tried in this order: "
       "tighten/loosen the adjustable space below, then editorial pages before the back cover (quote: a "
       "full-page pull quote from a quote: turn or the lead; people: the people with their profiles; contact: "
       "the source's contact: and url: with its QR), and blank pages only as the last resort (never a blank "
       "spread).", default='[tighten, loosen, quote, people, contact, blank]'),
    _t("makeup.heading_space", "range", "[tightest, natural, loosest] lines",
       "Space above a section heading, in body lines (the heading stays on the line grid).",
       default='[0, 1, 2]'),
    _t("makeup.heading_padding", "range", "[tightest, natural, loosest] lines",
       "Space above and below a section heading's text inside its band, in body lines.",
       default='[0.25, 0.5, 0.75]'),
    _t("makeup.lead_scale", "range", "[tightest, natural, loosest] factor",
       "The lead's size and line pitch, as a factor of sizes.lead and sizes.lead-pitch.", default='[0.9, 1, 1.05]'),
    _t("makeup.figure_width", "range", "[tightest, natural, loosest] % of the column",
       "Width of figures, in % of the column.", default='[75, 100, 100]'),
    _t("makeup.photo_size", "range", "[tightest, natural, loosest] mm",
       "Side of a profile photo, in mm.", default='[18, 22, 26]'),
    _t("makeup.quote_space", "range", "[tightest, natural, loosest] lines",
       "Space above and below the text of a pull quote, in body lines.", default='[0.5, 1, 1.5]'),
    # typesetting
    _t("typesetting.wakan_expansion", "choice", "inter-character-first | jlreq",
       "How justification widens a line: inter-character-first keeps the 和欧間 (Japanese–Latin space) at a "
       "quarter em and spaces the characters, widening the 和欧間 (up to half an em) only on a line with "
       "nothing else to expand; jlreq follows JLReq 3.8.3 (word spaces, then 和欧間 to half an em, then "
       "characters).", choices=("inter-character-first", "jlreq"), default='inter-character-first'),
    _t("typesetting.push_in", "bool", "true | false",
       "Line breaking: push-in (追い込み, JLReq 3.8): a 、。」 that may not start a line is kept on the line when "
       "the line can absorb it by setting its punctuation half-width; false pushes the previous character down "
       "instead (追い出し) (→ --jl-push-in).", default='true'),
    _t("typesetting.min_wakan", "number", "em, 0.125–0.25",
       "How far push-in may narrow the 和欧間 (Japanese–Latin space) of a line, as the last resort; 0.25 keeps "
       "the quarter em whole (JLReq allows down to 0.125) (→ --jl-min-wakan).",
       minimum=0.125, maximum=0.25, default='0.25'),
    _t("typesetting.short_end", "bool", "true | false",
       "A paragraph's last line holds three characters or more: one of one or two is pushed into the line "
       "before, else that line breaks earlier (→ --jl-short-end).", default='true'),
    _t("placement.chapters", "choice", "right | new-page | run-on",
       "Where each interview of a collection starts: right, on a right-hand page (a blank left page before it "
       "when needed; the screen edition starts on the next page instead, with no blank page); new-page, on the "
       "next page; run-on, right after the previous one, its opening as a block in the flow.",
       choices=("right", "new-page", "run-on"), default="right"),
    # stylesheets
    _t("stylesheets.print", "files", "list of CSS files",
       "Stylesheets of the print document, in order. Each is looked up in this layout's folder, then its "
       "parents'. The item `inherit` stands for the parent's list.", overridable=False),
    _t("stylesheets.epub", "files", "list of CSS files", "Stylesheets of the EPUB, looked up like the print ones.",
       overridable=False),
)

BY_NAME = {t.name: t for t in TOKENS}
GROUPS = sorted({t.name.split(".")[0] for t in TOKENS if "." in t.name})
REQUIRED = ("page.trim", "page.bleed", "type_area.body_size", "type_area.line_pitch", "type_area.chars_per_line",
            "type_area.columns", "type_area.gutter_chars", "type_area.lines", "type_area.margin_top")


def spec_for(name: str) -> Token | None:
    """The token spec of a dotted name ('sizes.title', 'colors.brand')."""
    if name in BY_NAME:
        return BY_NAME[name]
    group = name.split(".")[0]
    return BY_NAME.get(f"{group}.*") if "." in name and name.count(".") == 1 else None


# -- value checks --------------------------------------------------------------------------


def check_value(token: Token, value) -> str | None:
    """None when `value` suits the token, else the message."""
    kind = token.kind
    if kind in ("text", "layout", "font", "file"):
        if not isinstance(value, str) or not value.strip():
            return f"must be text, not {_kind(value)}"
        if CONTROL.search(value):
            return "must not contain control characters"
        if kind == "font":
            return font_problem(value)
        if kind == "file":
            return relative_file_problem(value)
        if kind == "layout" and not LAYOUT_NAME.match(value):
            return f"must be a layout's folder name (a-z, 0-9, _ and -), not {value!r}"
        return None
    if kind in ("length", "length-or-auto"):
        if kind == "length-or-auto" and value == "auto":
            return None
        pt = length_pt(value)
        if pt is None:
            what = "a length like 9pt, 3mm or 13Q" + (" (or auto)" if kind == "length-or-auto" else "")
            return f"must be {what}, not {value!r}"
        return _range(token, pt, "pt")
    if kind == "mm":
        if isinstance(value, bool) or not (isinstance(value, (int, float)) or (isinstance(value, str) and MM.match(value))):
            return f"must be a length in mm like 3mm (or a number of mm), not {value!r}"
        return _range(token, float(value if not isinstance(value, str) else MM.match(value).group(1)), "mm")
    if kind == "trim":
        if isinstance(value, str) and value.strip().upper() == "B5":
            return "'B5' is ambiguous (CSS B5 is ISO 176×250 mm); write JIS-B5 (182×257 mm) or ISO-B5"
        if isinstance(value, str) and value.strip().upper() in TRIM_NAMES:
            return None
        parts = str(value).split()
        if len(parts) == 2 and all(MM.match(p) for p in parts):
            return None
        return f"must be one of {', '.join(TRIM_NAMES)} or two lengths in mm like \"148mm 210mm\", not {value!r}"
    if kind == "fraction":
        number = fraction(value)
        if number is None or not 0 <= number <= 100:
            return f"must be a percentage of the trim from 0% to 100%, like 58%, not {value!r}"
        return None
    if kind == "choice":
        if value not in token.choices:
            close = difflib.get_close_matches(str(value), token.choices, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            return f"must be one of {', '.join(token.choices)}, not {value!r}" + (f" ({hint.strip()})" if hint else "")
        return None
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return f"must be a whole number, not {value!r}"
        return _range(token, value, "")
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"must be a number, not {value!r}"
        return _range(token, value, "")
    if kind == "strategies":
        if not isinstance(value, list) or not value:
            return f"must be a list of strategies ({', '.join(STRATEGIES)}), not {value!r}"
        for item in value:
            if item not in STRATEGIES:
                close = difflib.get_close_matches(str(item), STRATEGIES, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                return f"unknown strategy {item!r}{hint}; known: {', '.join(STRATEGIES)}"
        if len(set(value)) != len(value):
            return "names a strategy twice"
        return None
    if kind == "range":
        if (not isinstance(value, list) or len(value) != 3
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 for v in value)):
            return f"must be three numbers [tightest, natural, loosest] like [0, 1, 2], not {value!r}"
        if not value[0] <= value[1] <= value[2]:
            return f"must run tightest <= natural <= loosest, not {value!r}"
        return None
    if kind == "bool":
        if not isinstance(value, bool):
            return f"must be true or false, not {value!r}"
        return None
    if kind == "color":
        return check_color(value)
    if kind == "files":
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            return f"must be a list of CSS file names, not {_kind(value)}"
        return next((f"'{v}': {m}" for v in value if v != "inherit" for m in [relative_file_problem(v)] if m), None)
    raise AssertionError(kind)  # pragma: no cover


# -- value grammars: what may reach CSS ----------------------------------------------------
# Token values are parsed by these grammars and the CSS custom properties are written back
# from the parsed values (publish.layout.Layout.css_variables), never pasted.

LAYOUT_NAME = re.compile(r"[A-Za-z0-9_-]+\Z")
_IDENT = r"-?[A-Za-z_\u00a0-\U0010ffff][A-Za-z0-9_\-\u00a0-\U0010ffff]*"
_FAMILY = re.compile(
    r"\s*(?:\"(?P<dq>[^\"\\\x00-\x1f<>]*)\"|'(?P<sq>[^'\\\x00-\x1f<>]*)'"
    rf"|(?P<idents>{_IDENT}(?:[ \t]+{_IDENT})*))\s*(?P<sep>,|\Z)")
FONT_EXAMPLE = "'\"Noto Serif JP\", serif'"


def font_families(value: str) -> list[tuple[str, bool]] | None:
    """A CSS font-family list as [(name, quoted)], or None if it is not one."""
    if not isinstance(value, str) or not value.strip():
        return None
    out, pos = [], 0
    while pos < len(value):
        match = _FAMILY.match(value, pos)
        if not match or match.end() == pos:
            return None
        name = match.group("dq") if match.group("dq") is not None else match.group("sq")
        if name is not None:
            if not name.strip():
                return None
            out.append((name, True))
        else:
            out.append((" ".join(match.group("idents").split()), False))
        pos = match.end()
        if match.group("sep") == "," and pos >= len(value):
            return None  # a trailing comma
    if any(not quoted and name.lower().split()[0] in ("url", "inherit", "initial", "unset", "default")
           for name, quoted in out):
        return None
    return out


def font_problem(value) -> str | None:
    if font_families(value) is None:
        return (f"must be a CSS font-family list of quoted names and keywords like {FONT_EXAMPLE}, "
                f"not {value!r}")
    return None


def css_string(text: str) -> str:
    """`text` as a double-quoted CSS string, every character that could end it (or the
    <style> element around it) escaped."""
    out = []
    for ch in text:
        if ch.isalnum() or ch in " -_.,:;!?()[]/+*'=@#%~" and ch != "\\":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):x} ")
    return '"' + "".join(out) + '"'


def css_font_family(value) -> str:
    families = font_families(value)
    if families is None:
        raise ValueError(f"not a font-family list: {value!r}")
    return ", ".join(css_string(name) if quoted else name for name, quoted in families)


def css_length(value) -> str:
    """A length token as CSS: numbers are pt; '13Q', '3 mm' re-written from their parts."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{float(value):g}pt"
    match = LENGTH.match(value) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"not a length: {value!r}")
    return f"{float(match.group(1)):g}{match.group(2)}"


def relative_file_problem(value: str) -> str | None:
    """A file named by a layout: a relative path inside the layout's folder."""
    text = value.strip()
    if ":" in text or text.startswith(("/", "\\", "~")) or "\\" in text:
        return f"must be a file name relative to the layout's folder, not {value!r}"
    if any(part == ".." for part in text.split("/")):
        return f"must stay inside the layout's folder ('..' is not allowed): {value!r}"
    return None


def fraction(value) -> float | None:
    """'58%' (or 58) -> 58.0; None when it is not a percentage."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*", str(value))
    return float(match.group(1)) if match else None


def check_color(value) -> str | None:
    example = '{cmyk: [100, 55, 0, 10], rgb: "#00589c"}'
    if not isinstance(value, dict):
        return f"must be a colour like {example}, not {value!r}"
    unknown = [k for k in value if k not in ("cmyk", "rgb")]
    if unknown:
        return f"unknown colour field '{unknown[0]}' (a colour has cmyk and rgb)"
    missing = [k for k in ("cmyk", "rgb") if k not in value]
    if missing:
        return (f"gives no {missing[0]}: a colour needs cmyk (print) and rgb (screen), e.g. {example}")
    return check_cmyk(value["cmyk"]) or check_rgb(value["rgb"])


def check_cmyk(value) -> str | None:
    if (not isinstance(value, list) or len(value) != 4
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 100 for v in value)):
        return f"cmyk must be four ink percentages 0–100 like [100, 55, 0, 10], not {value!r}"
    return None


def check_rgb(value) -> str | None:
    if not isinstance(value, str) or not RGB.match(value):
        return f"rgb must be a hex colour like \"#00589c\", not {value!r}"
    return None


def length_pt(value) -> float | None:

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    match = LENGTH.match(str(value)) if isinstance(value, str) else None
    if not match:
        return None
    return float(match.group(1)) * PT_PER[match.group(2).lower()]


def _range(token: Token, number: float, unit: str) -> str | None:
    if token.minimum is not None and number < token.minimum:
        return f"{number:g}{unit} is below the smallest sensible value, {token.minimum:g}{unit}"
    if token.maximum is not None and number > token.maximum:
        return f"{number:g}{unit} is above the largest sensible value, {token.maximum:g}{unit}"
    return None


def _kind(value) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number"}.get(type(value), type(value).__name__)


def _hint(name: str, candidates) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


# -- a layout.yaml ---------------------------------------------------------------------------


def check_layout_file(path: Path, data: dict, loc: Locations, known_layouts) -> list[SourceProblem]:
    """Every problem of one layout.yaml's own keys and values (not yet merged)."""
    problems: list[SourceProblem] = []

    def report(field_path: tuple, message: str, at_key: bool = False):
        spot = loc.key(field_path) if at_key else loc.of(field_path)
        problems.append(SourceProblem(path, spot.line, spot.column, dotted(field_path), message))

    top_names = [t.name for t in TOKENS if "." not in t.name] + GROUPS
    for key, value in data.items():
        if key not in top_names:
            report((key,), f"unknown token{_hint(str(key), top_names) or ' (known: ' + ', '.join(top_names) + ')'}", at_key=True)
            continue
        if key in GROUPS:
            if value is None:  # every token of the group commented out
                continue
            if not isinstance(value, dict):
                report((key,), f"must be a mapping of {key} tokens, not {_kind(value)}")
                continue
            for sub, subvalue in value.items():
                name = f"{key}.{sub}"
                token = spec_for(name)
                if token is None:
                    names = [t.name.split(".", 1)[1] for t in TOKENS if t.name.startswith(key + ".") and "*" not in t.name]
                    report((key, sub), f"unknown token{_hint(str(sub), names) or ' (known: ' + ', '.join(names) + ')'}", at_key=True)
                    continue
                message = check_value(token, subvalue)
                if token.name.endswith(".*") and not re.fullmatch(r"[A-Za-z0-9_-]+", str(sub)):
                    report((key, sub), f"a token name may only use a-z, 0-9, _ and - (it becomes --{key[:-1]}-NAME)",
                           at_key=True)
                elif message:
                    report((key, sub), message)
                elif token.kind == "files":
                    for i, item in enumerate(subvalue):
                        if item != "inherit" and not str(item).endswith(".css"):
                            report((key, sub, i), f"'{item}' is not a .css file")
            continue
        token = BY_NAME[key]
        message = check_value(token, value)
        if message:
            report((key,), message)
        elif token.kind == "layout" and known_layouts is not None and value not in known_layouts:
            report((key,), f"unknown layout '{value}'{_hint(value, known_layouts) or ''} (known: {', '.join(sorted(known_layouts))})")
    return problems


def check_merged(tokens: dict, path: Path, loc: Locations) -> list[SourceProblem]:
    """Problems only the merged tokens show: a missing required token, a type area that
    does not fit the page. Reported in the layout file that is being loaded."""
    problems = []
    for name in REQUIRED:
        group, key = name.split(".")
        if key not in (tokens.get(group) or {}):
            spot = loc.of(())
            problems.append(SourceProblem(path, spot.line, spot.column, name,
                                          "required token is missing (give it here or in the parent layout)"))
    return problems


# -- a source's style: --------------------------------------------------------------------


def style_leaves(style: dict, prefix: tuple = ()):
    """Yield (dotted token name, field path inside style, value) for each override; nested
    mappings and dotted keys may be mixed (`colors: {accent: …}` or `colors.accent: …`)."""
    for key, value in style.items():
        parts = tuple(str(key).split("."))
        name_parts = prefix + parts
        name = ".".join(name_parts)
        token = spec_for(name)
        if isinstance(value, dict) and token is None and len(name_parts) < 2:
            for leaf in style_leaves(value, name_parts):
                yield leaf[0], (key,) + leaf[1], leaf[2]
        else:
            yield name, (key,), value


def check_style(style: dict, tokens: dict) -> list[tuple[tuple, str, bool]]:
    """Problems of a source's `style:` against the resolved layout's tokens, as
    (field path inside style, message, at_key)."""

    known = {n: v for n, v in token_paths(tokens).items()
             if not isinstance(v, dict) or n.startswith("colors.")}
    known = {n for n in known if n.split(".")[0] not in ("stylesheets", "extends", "description")}
    known |= {t.name for t in TOKENS if t.overridable and "*" not in t.name}  # e.g. page.marks, left to defaults
    out = []
    for name, field_path, value in style_leaves(style):
        token = spec_for(name)
        if token is not None and not token.overridable:
            out.append((field_path, f"'{name}' belongs in a layout.yaml; a source's style may only set tokens", True))
            continue
        if token is not None and token.kind in ("file", "files"):
            out.append((field_path, f"'{name}' names a file: a source's style can never name one "
                                    "(set it in a layout.yaml)", True))
            continue
        if name not in known:
            overridable = sorted(n for n in known if n.count(".") == 1)
            hint = _hint(name, overridable) or f" (a style may set: {', '.join(overridable)})"
            out.append((field_path, f"unknown token '{name}'{hint}", True))
            continue
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "colors":  # colors.accent.rgb
            message = check_rgb(value) if parts[2] == "rgb" else check_cmyk(value)
        else:
            message = check_value(token, value) if token else None
        if message:
            out.append((field_path, message, False))
    return out


def type_area_problems(layout) -> list[str]:
    try:
        return layout.type_area.problems()
    except (KeyError, ValueError, TypeError) as exc:  # pragma: no cover - checked per token first
        return [f"type area: {exc}"]


def token_paths(tokens: dict, prefix: str = "") -> dict[str, object]:
    """{'colors.accent.rgb': '#…', …}: every overridable leaf token by dotted name."""
    out = {}
    for key, value in tokens.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out[name] = value
            out.update(token_paths(value, name + "."))
        else:
            out[name] = value
    return out
