"""Orchestration: one source -> its book -> the outputs asked for, written atomically as a set.

    source (.yaml, .collection.yaml) --load--> Book --layout_for--> Layout
        --write (publish.writers: pdf, screen-pdf, booklet, epub)--> bytes, notes --> build/
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from publish.errors import PublishError, SourceError
from publish.layout import apply_style, available_layouts, load_layout
from publish.writers import write
from publish.model import Book, Interview, book_of
from publish.options import DEFAULT_FORMATS, FORMATS, Options  # noqa: F401 - FORMATS: the CLI's choices
from publish.output import OutputSet
from publish.readers import load_interview
from publish.readers.collection import is_collection, load_collection

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
    from publish.errors import PublishError, SourceError
    from publish.layout.tokens import check_style

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
        from publish.layout.css_check import format_problems

        self.problems = problems
        super().__init__(format_problems(problems, strict=True))


_CSS_REPORTED: set[tuple] = set()


def check_css(layout, *, strict: bool = False, report=None) -> list:
    """The layout's stylesheet problems (css_check), printed to stderr once per layout and
    process as `file.css:LINE:COL: warning: …`; with `strict`, a StylesheetError."""
    from publish.layout.css_check import check_layout

    problems = check_layout(layout)
    if problems and strict:
        raise StylesheetError(problems)
    key = (layout.name, tuple(layout.chain))
    if problems and key not in _CSS_REPORTED:
        _CSS_REPORTED.add(key)
        for problem in problems:
            (report or progress)(str(problem))
    return problems


def output_path(doc, fmt: str, out_dir: Path) -> Path:
    return Path(out_dir) / f"{doc.slug}{SUFFIXES[fmt]}"


def load_book(source: Path, layout: str | None = None) -> Book:
    """The book a source makes: an interview is a book of one chapter, a collection file a
    book of many (refused when an interview of the same name would write the same files)."""
    doc = load(source, layout)
    if isinstance(doc, Book):
        twin = Path(source).parent / f"{doc.slug}.yaml"
        if twin.exists():
            raise PublishError(f"{source}: both this collection and the interview {twin} would write "
                               f"{doc.slug}.pdf; rename one of them")
        return doc
    return book_of(doc)


def build_source(source: Path, formats=DEFAULT_FORMATS, out_dir: Path = Path("build"), *,
                 options: Options | None = None, report=None, **given) -> list[Built]:
    """Every format of one source (an interview or a collection), rendered first and then
    renamed into place together (OutputSet). `options` (publish.options) says what to
    build; without it, one is made from the other arguments and the environment. The
    writers' notes and the layout's stylesheet warnings go to `report` (stderr)."""
    if options is None:
        options = Options.from_environment(formats=formats, out_dir=out_dir, **given)
    report = report or progress
    book = load_book(Path(source), options.layout)
    lay = layout_for(book, options.layout)
    refuse_vertical_collection(book, lay, options, Path(source))
    check_css(lay, strict=options.strict, report=report)
    built = []
    with OutputSet() as outputs:  # every format rendered first, then all renamed into place
        for fmt in options.formats:
            written = write(book, lay, fmt, options)
            for note in written.notes:
                report(f"  {note}")
            path = outputs.stage(output_path(book, fmt, options.out_dir), written.data)
            built.append(Built(Path(source), fmt, path, len(written.data)))
    return built


def refuse_vertical_collection(book: Book, layout, options: Options, source: Path) -> None:
    """縦組み collections are not wired (the chunked build and its page furniture would have
    to turn frame pages and run right to left): refuse rather than make a horizontal book
    or crash in the print stage."""
    pdfs = [f for f in options.formats if f in ("pdf", "screen-pdf", "booklet")]
    if book.single or not layout.vertical or not pdfs:
        return
    from publish.errors import SourceProblem

    given = f"--layout {options.layout}" if options.layout else f"layout: {book.layout}"
    raise SourceError([SourceProblem(source, 1, 1, "layout",
                                     f"{given} is vertical (writing_mode: vertical), and a collection "
                                     f"cannot be built vertically yet ({', '.join(pdfs)}); build its "
                                     "interviews one by one with this layout, or the collection with a "
                                     "horizontal one (the EPUB can be vertical: --format epub --vertical)")])


def make_bytes(doc, layout, fmt: str, options: Options | None = None) -> bytes:
    """One format of a loaded source as bytes (the notes printed to stderr)."""
    written = write(doc, layout, fmt, options or Options.from_environment())
    for note in written.notes:
        progress(f"  {note}")
    return written.data


def check_templates(doc, layout_override: str | None = None) -> None:
    """`publish check`: compile every template of the source's layout chain, then render
    the print HTML and the EPUB's documents for this source (Jinja only, no typesetting),
    so a template's syntax error, undefined name, refused include or sandbox refusal is
    reported as `file.j2:LINE: message` (SourceError, exit 2) before any build."""
    from publish.layout import templating
    from publish.writers.epub import _environment
    from publish.errors import SourceError
    from publish.render import install_filters, render_collection_html, render_print_html

    layout = load_layout(layout_override or doc.layout, style=dict(doc.style), source=doc.source)
    install_filters(layout.env)
    problems = templating.check_templates(layout.env, _environment(layout))
    if problems:
        raise SourceError(problems)
    from publish.writers.epub import build_epub

    if isinstance(doc, Book):
        render_collection_html(doc, layout)
    else:
        render_print_html(doc, layout)
    build_epub(doc, layout, cover=b"\xff\xd8", embed_fonts=False, page_list=False)  # no print render


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
