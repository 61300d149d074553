"""Orchestration: one source -> the outputs asked for, written atomically as a set."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from .layout import apply_style, available_layouts, load_layout
from .model import Interview
from .output import OutputSet
from .source import load_interview
from .source.collection import is_collection, load_collection

FORMATS = ("pdf", "epub", "screen-pdf", "booklet")
DEFAULT_FORMATS = ("pdf", "epub")
# format -> the file name after the slug
SUFFIXES = {"pdf": ".pdf", "epub": ".epub", "screen-pdf": "-screen.pdf", "booklet": "-booklet.pdf"}


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
        if not problems:
            styled = apply_style(layout, style, None)
            problems = [(("type_area",) if "type_area" in style else (), message, True)
                        for message in styled.type_area.problems()]
        return problems

    return check


def layout_for(doc: Interview, override: str | None = None):
    return load_layout(override or doc.layout, style=dict(doc.style), source=doc.source)


def output_path(doc: Interview, fmt: str, out_dir: Path) -> Path:
    return Path(out_dir) / f"{doc.slug}{SUFFIXES[fmt]}"


def build_source(source: Path, formats=DEFAULT_FORMATS, out_dir: Path = Path("build"), *, layout: str | None = None,
                 vertical: bool | None = None, embed_fonts: bool | None = None) -> list[Built]:
    """`vertical` / `embed_fonts` (EPUB only): None leaves it to the layout's epub tokens."""
    if is_collection(source):
        from .collection import build_collection_source

        return build_collection_source(source, formats, out_dir, layout=layout, vertical=vertical,
                                       embed_fonts=embed_fonts)
    doc = load(source, layout)
    lay = layout_for(doc, layout)
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

        writer = {"pdf": pdf.build_pdf, "screen-pdf": pdf.build_screen_pdf, "booklet": pdf.build_booklet_pdf}[fmt]
        return writer(doc, layout)
    if fmt == "epub":
        from .epub import build_epub

        return build_epub(doc, layout, vertical=vertical, embed_fonts=embed_fonts,
                          source_date_epoch=os.environ.get("SOURCE_DATE_EPOCH"))
    raise ValueError(f"unknown format '{fmt}' (known: {', '.join(FORMATS)})")


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
