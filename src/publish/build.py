"""Orchestration: one source -> the outputs asked for, written atomically as a set."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import PublishError
from .layout import apply_style, available_layouts, load_layout
from .model import Interview
from .output import OutputSet
from .source import load_interview
from .source.collection import is_collection, load_collection

FORMATS = ("pdf", "epub", "screen-pdf", "booklet")
DEFAULT_FORMATS = ("pdf", "epub")
# format -> the file name after the slug
SUFFIXES = {"pdf": ".pdf", "epub": ".epub", "screen-pdf": "-screen.pdf", "booklet": "-booklet.pdf"}
# format -> what the file is for, said in the build log
PURPOSES = {
    "pdf": "print-shop PDF: send to the printer (PDF/X, CMYK, bleed and trim marks)",
    "screen-pdf": "screen PDF: for e-mail and the web (RGB, trim size, tagged)",
    "epub": "EPUB e-book: for phones and e-readers",
    "booklet": "office booklet: print both sides on an office printer, fold and staple",
}


@dataclass(frozen=True)
class Built:
    source: Path
    format: str
    path: Path
    size: int


def load(source: Path, layout: str | None = None) -> Interview:
    """Load and validate a source, its `style:` against the layout it will be built in
    (`layout` overrides the source's), and that layout's files. A collection
    (NAME.collection.yaml) is loaded with every interview it lists."""
    if is_collection(source):
        return load_collection(Path(source), known_layouts=available_layouts())
    doc = load_interview(Path(source), known_layouts=available_layouts(), check_style=style_checker(layout))
    load_layout(layout or doc.layout)  # a broken layout.yaml is reported here, with its positions
    return doc


def style_checker(override: str | None = None):
    """The interview loader's hook: a source's style: checked against the resolved layout."""
    from .errors import PublishError, SourceError
    from .layout_tokens import check_style

    def check(style: dict, layout_name: str):
        try:
            layout = load_layout(override or layout_name)
        except (PublishError, SourceError):
            return []  # reported by load() with the layout file's own positions
        problems = check_style(style, layout.tokens)
        if not any(str(path[0]).startswith(("type_area", "page")) for path, _, _ in problems if path):
            try:
                styled = apply_style(layout, style, None)
            except PublishError:
                return problems
            for token, message in styled.type_area.culprits():
                given = style.get("type_area") if isinstance(style.get("type_area"), dict) else {}
                if token in given:
                    path = ("type_area", token)
                elif f"type_area.{token}" in style:
                    path = (f"type_area.{token}",)
                else:
                    path = ("type_area",) if "type_area" in style else ()
                problems.append((path, message.removeprefix("type area: "), True))
        return problems

    return check


def layout_for(doc: Interview, override: str | None = None):
    return load_layout(override or doc.layout, style=dict(doc.style), source=doc.source)


class StylesheetError(PublishError):
    """CSS problems made errors by --strict: printed as file.css:LINE:COL: error: …"""

    exit_status = 2

    def __init__(self, problems):
        from .css_check import format_problems

        self.problems = problems
        super().__init__(format_problems(problems, strict=True))


_CSS_REPORTED: set[tuple] = set()


def check_css(layout, *, strict: bool = False, report=None) -> list:
    """The layout's stylesheet problems (css_check), printed to stderr once per layout and
    process as `file.css:LINE:COL: warning: …`; with `strict`, a StylesheetError."""
    from .css_check import check_layout

    problems = check_layout(layout)
    if problems and strict:
        raise StylesheetError(problems)
    key = (layout.name, tuple(layout.chain))
    if problems and key not in _CSS_REPORTED:
        _CSS_REPORTED.add(key)
        for problem in problems:
            (report or progress)(str(problem))
    return problems


def output_path(doc: Interview, fmt: str, out_dir: Path) -> Path:
    return Path(out_dir) / f"{doc.slug}{SUFFIXES[fmt]}"


def build_source(source: Path, formats=DEFAULT_FORMATS, out_dir: Path = Path("build"), *, layout: str | None = None,
                 vertical: bool | None = None, embed_fonts: bool | None = None,
                 strict: bool = False) -> list[Built]:
    """`vertical` / `embed_fonts` (EPUB only): None leaves it to the layout's epub tokens.
    The layout's stylesheet problems go to stderr as warnings (`strict`: an error)."""
    if is_collection(source):
        from .collection import build_collection_source

        return build_collection_source(source, formats, out_dir, layout=layout, vertical=vertical,
                                       embed_fonts=embed_fonts, strict=strict)
    doc = load(source, layout)
    lay = layout_for(doc, layout)
    check_css(lay, strict=strict)
    built = []
    with OutputSet() as outputs:  # every format rendered first, then all renamed into place
        for fmt in formats:
            data = make_bytes(doc, lay, fmt, vertical=vertical, embed_fonts=embed_fonts)
            path = outputs.stage(output_path(doc, fmt, out_dir), data)
            built.append(Built(Path(source), fmt, path, len(data)))
    return built


def make_bytes(doc: Interview, layout, fmt: str, *, vertical: bool | None = None,
               embed_fonts: bool | None = None) -> bytes:
    if fmt in ("pdf", "screen-pdf", "booklet"):
        from . import pdf

        from . import record

        writer = {"pdf": pdf.build_pdf, "screen-pdf": pdf.build_screen_pdf, "booklet": pdf.build_booklet_pdf}[fmt]
        return record.stamp(writer(doc, layout), layout, record.EDITIONS[fmt], doc.source)
    if fmt == "epub":
        from .epub import build_epub

        return build_epub(doc, layout, vertical=vertical, embed_fonts=embed_fonts,
                          source_date_epoch=os.environ.get("SOURCE_DATE_EPOCH"))
    raise ValueError(f"unknown format '{fmt}' (known: {', '.join(FORMATS)})")


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
