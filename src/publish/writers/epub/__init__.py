"""The EPUB writer: model -> XHTML documents (the layout's epub/ templates) -> EPUB 3.

The book follows the EBPAJ (電書協) EPUB 3 guide where it does not conflict with EPUB 3.3:
cover, title page (扉), table of contents, lead, one document per section, colophon (奥付);
`html.hltr`/`html.vrtl` for the writing mode; `serif-ja`/`sans-serif-ja` first in the font
stacks. Vertical books (`--vertical`, or the layout token `epub.writing_mode: vertical-rl`,
which a source can set with `style:`) progress right to left. One interview and a
collection are built the same way (`build_epub`); what each holds — documents, contents,
cover, identifier, metadata — comes from `contents`.

Everything is written here as finished bytes — XHTML from Jinja2, the package document and
NCX from `package` — and zipped deterministically (`mimetype` first and stored, sorted
entries, fixed timestamps and permissions), so a build is byte-identical in any time zone.
ebooklib is not used for writing: it re-serialises documents, drops attributes and swallows
errors (see shared/notes/epub-toolchain.md).
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import jinja2
from markupsafe import Markup

from publish.errors import PublishError
from publish.layout import Layout
from publish.model import as_book, rich_plain
from publish.render import jdate
from publish.layout.templating import layout_view
from publish.layout.templating import render as render_template
from publish.writers.epub import fonts as fontkit
from publish.writers.epub.contents import (  # noqa: F401 - book_identifier, modified_time: the writer's API
    Document,
    book_identifier,
    contents_of,
    edition_identity,
    modified_time,
)
from publish.writers.epub.inline import headline_filter, inline_filter, inline_xhtml
from publish.writers.epub.package import (
    ACCESSIBILITY_CONFORMANCE,
    CONTAINER_XML,
    Metadata,
    Resource,
    SpineEntry,
    package_opf,
    toc_ncx,
)
from publish.readers.images import epub_image

__all__ = ["build_epub", "book_identifier", "modified_time", "writing_mode", "inline_xhtml"]

XHTML = "application/xhtml+xml"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
WRITING_MODES = ("horizontal-tb", "vertical-rl")
IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
               ".svg": "image/svg+xml", ".webp": "image/webp"}
COVER_HREF = "images/cover.jpg"


_IMG = re.compile(r"<img\b[^>]*>")
_ALT = re.compile(r'\balt="([^"]*)"')


def meets_accessibility(rendered) -> bool:
    """What the books' conformance claim rests on beyond their fixed structure (ordered
    headings, toc, landmarks, language, speakers named in text, which Ace checks in the
    tests): every image has a text alternative."""
    for _, text in rendered:
        for tag in _IMG.findall(text):
            alt = _ALT.search(tag)
            if alt is None or not alt.group(1).strip():
                return False
    return True


def conformance(rendered, publisher: str | None) -> dict:
    """Metadata keyword arguments for the EPUB Accessibility 1.1 claim, when met."""
    if not meets_accessibility(rendered):
        return {}
    return {"conforms_to": ACCESSIBILITY_CONFORMANCE, "certified_by": publisher or "publish"}


def writing_mode(layout: Layout, vertical: bool | None = None) -> str:
    """`vertical` (the command line) wins; else the layout token `epub.writing_mode`."""
    if vertical is not None:
        return "vertical-rl" if vertical else "horizontal-tb"
    mode = (layout.tokens.get("epub") or {}).get("writing_mode") or "horizontal-tb"
    if mode not in WRITING_MODES:
        raise PublishError(f"layout '{layout.name}': epub.writing_mode '{mode}' must be one of "
                           f"{', '.join(WRITING_MODES)}")
    return mode


def page_list_setting(layout: Layout) -> bool:
    """Layout token `epub.page_list` (default true): mark the print edition's page breaks."""
    return bool((layout.tokens.get("epub") or {}).get("page_list", True))


def page_list_metadata(rendered, print_document, layout: Layout, source_label: str) -> tuple[list, dict]:
    """The rendered documents with the print edition's page breaks and page list, and the
    Metadata keyword arguments that go with them (pageBreakSource)."""
    from publish.layout import print_settings
    from publish.writers.epub.pagelist import add_page_list, page_texts, print_numbers

    texts = page_texts(print_document)
    rendered, numbers = add_page_list(rendered, texts,
                                      numbers=print_numbers(len(texts), print_settings(layout)))
    return rendered, ({"page_break_source": source_label} if numbers else {})


def embed_fonts_setting(layout: Layout, embed: bool | None = None) -> bool:
    if embed is not None:
        return embed
    return bool((layout.tokens.get("epub") or {}).get("embed_fonts", False))


def _environment(layout: Layout) -> jinja2.Environment:
    from publish.layout.templating import environment

    env = environment(layout.chain, autoescape=True, keep_trailing_newline=True)
    env.filters.update(inline=inline_filter, headline=headline_filter,
                       rich_plain=lambda v: rich_plain(v or ()), jdate=jdate,
                       plain=lambda p: p.plain if p else "")
    return env


def image_hrefs(groups) -> dict[Path, str]:
    """Each image file -> its href (images/<prefix><stem>…), names made unique.
    `groups` is [(prefix, image paths)]: one group for an interview, one per chapter of a
    collection ("ch2-")."""
    hrefs: dict[Path, str] = {}
    taken = {COVER_HREF}
    for prefix, paths in groups:
        for path in dict.fromkeys(paths):
            if path in hrefs:
                continue
            suffix = path.suffix.lower()
            if suffix not in IMAGE_TYPES:
                raise PublishError(f"{path}: images must be {', '.join(sorted(IMAGE_TYPES))} for EPUB")
            stem = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-") or "image"
            href, n = f"images/{prefix}{stem}{suffix}", 1
            while href in taken:
                n += 1
                href = f"images/{prefix}{stem}-{n}{suffix}"
            taken.add(href)
            hrefs[path] = href
    return hrefs


_TAG = re.compile(r"<[^>]*>")


def _visible_text(xhtml: str) -> str:
    return html.unescape(_TAG.sub("", xhtml))


def build_epub(book, layout: Layout, *, vertical: bool | None = None, embed_fonts: bool | None = None,
               source_date_epoch: str | None = None, cover: bytes | None = None,
               page_list: bool | None = None) -> bytes:
    """The EPUB's bytes of a book (an Interview is taken as a book of one); what it holds
    comes from publish.writers.epub.contents. `cover` (a JPEG) skips rasterising the print
    cover; `page_list=False` skips the print render the page list is read from (default:
    the layout's epub.page_list)."""
    book = as_book(book)
    contents = contents_of(book)
    vertical_book = writing_mode(layout, vertical) == "vertical-rl"
    embedded = embed_fonts_setting(layout, embed_fonts)
    env = _environment(layout)
    identifier = contents.identifier(vertical_book, embedded)
    modified = contents.modified(source_date_epoch)

    cover = cover if cover is not None else contents.cover_jpeg(layout)
    images = image_hrefs(contents.image_groups())
    resources: list[Resource] = [Resource("cover-image", COVER_HREF, "image/jpeg", cover, ("cover-image",))]
    for index, (path, href) in enumerate(images.items(), 1):
        resources.append(Resource(f"image-{index:02d}", href, *epub_image(path)))  # only a checked image goes in

    spine_docs, toc = contents.documents(vertical_book)
    stylesheet_names = [p.name for p in layout.stylesheets("epub")]
    common = dict(
        **contents.context(), layout=layout_view(layout), identifier=identifier, modified=modified,
        stylesheets=[f"../style/{name}" for name in stylesheet_names],
        image_href=lambda p: "../" + images[Path(p)],
        cover_href="../" + COVER_HREF, cover_alt=contents.cover_alt(), toc=toc,
        landmarks=[d for d in spine_docs if d.landmark], vertical_book=vertical_book,
    )
    rendered: list[tuple[Document, str]] = []
    for d in spine_docs:
        context = {**common, **d.context}
        rendered.append((d, render_template(env, d.template, **context, title=d.title, vertical=d.vertical, page=d)))
    page_meta = {}
    if page_list_setting(layout) if page_list is None else page_list:
        from publish.render import render_book
        from publish.typeset_ja import weasyprint as jlreq

        with jlreq.installed():
            printed = render_book(book, layout, medium="print")
        rendered, page_meta = page_list_metadata(rendered, printed, layout,
                                                 f"{book.title.plain}（印刷版 {book.slug}.pdf）")

    xhtml_resources, book_resources = assemble_resources(env, layout, rendered, stylesheet_names,
                                                         embedded=embedded, vertical_book=vertical_book)
    ncx = toc_ncx(identifier, book.title.plain, contents.ncx_entries(spine_docs, toc))
    resources = xhtml_resources + [Resource("ncx", "toc.ncx", "application/x-dtbncx+xml", ncx)] \
        + resources + book_resources

    ruby = contents.uses_ruby()
    meta = Metadata(
        identifier=identifier,
        modified=modified,
        access_modes=("textual", "visual"),
        access_modes_sufficient=("textual",),
        features=tuple(f for f, on in (
            ("structuralNavigation", True), ("tableOfContents", True), ("readingOrder", True),
            ("alternativeText", True), ("displayTransformability", True), ("rubyAnnotations", ruby),
        ) if on),
        hazards=("none",),
        cover_id="cover-image",
        **contents.metadata(vertical_book, embedded, ruby),
        **conformance(rendered, book.publisher),
        **page_meta,
    )
    opf = package_opf(meta, resources, [SpineEntry(d.id) for d in spine_docs], rtl=vertical_book)
    _check_xml("package.opf", opf)

    entries = {"META-INF/container.xml": CONTAINER_XML.encode("utf-8"), "EPUB/package.opf": opf}
    for r in resources:
        entries[f"EPUB/{r.href}"] = r.data
    return zip_epub(entries)


def assemble_resources(env, layout: Layout, rendered, stylesheet_names, *, embedded: bool,
                       vertical_book: bool) -> tuple[list[Resource], list[Resource]]:
    """The rendered documents as checked XHTML resources, and what they need besides:
    the bundled fonts subset to the book's characters (when embedded) and the layout's
    stylesheets rendered for this book's fonts and writing mode."""
    extra: list[Resource] = []
    faces = fontkit.embedded_faces("".join(_visible_text(text) for _, text in rendered)) if embedded else []
    for face in faces:
        extra.append(Resource(f"font-{Path(face.file_name).stem.lower()}", f"fonts/{face.file_name}",
                              fontkit.WOFF2, face.data))
    families = {g: next((f.family for f in faces if f.generic == g), None) for g in ("serif", "sans")}
    css_context = dict(
        font_faces=Markup(fontkit.font_face_css(faces)),
        serif=Markup(", ".join(x for x in (_quoted(families["serif"]), "serif-ja", "serif") if x)),
        sans=Markup(", ".join(x for x in (_quoted(families["sans"]), "sans-serif-ja", "sans-serif") if x)),
        vertical_book=vertical_book,
    )
    for path, name in zip(layout.stylesheets("epub"), stylesheet_names):
        relative = next(path.relative_to(folder).as_posix() for folder in layout.chain if path.is_relative_to(folder))
        css = render_template(env, relative, **css_context)
        extra.append(Resource(f"css-{Path(name).stem}", f"style/{name}", "text/css", css.encode("utf-8")))
    xhtml = []
    for d, text in rendered:
        data = text.encode("utf-8")
        _check_xml(d.href, data)
        xhtml.append(Resource(d.id, d.href, XHTML, data, ("nav",) if d.id == "nav" else ()))
    return xhtml, extra


def _quoted(family: str | None) -> str | None:
    return f'"{family}"' if family else None


def _check_xml(name: str, data: bytes) -> None:
    if not data.strip():
        raise PublishError(f"EPUB: {name} came out empty")
    try:
        ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise PublishError(f"EPUB: {name} is not well-formed XML ({exc})") from None


def zip_epub(entries: dict[str, bytes]) -> bytes:
    """The OCF zip: `mimetype` first and stored, then every entry sorted by name, each with
    a fixed timestamp and permissions (byte-identical in any time zone)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in ["mimetype"] + sorted(n for n in entries if n != "mimetype"):
            data = b"application/epub+zip" if name == "mimetype" else entries[name]
            if not data:
                raise PublishError(f"EPUB: {name} is empty")
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.external_attr = 0o644 << 16
            info.create_system = 3
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            target.writestr(info, data, compresslevel=9 if name != "mimetype" else None)
    result = out.getvalue()
    if not result:
        raise PublishError("the EPUB came out empty")
    return result
