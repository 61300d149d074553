"""The package document (OPF) and the NCX, written directly: ebooklib 0.20 cannot give a
title an id, refine creators properly, set itemref properties or `xml:lang` on <package>
(see shared/notes/epub-toolchain.md), so the package is plain, deterministic XML here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from markupsafe import escape

from publish.model import Interview

EBPAJ_GUIDE_VERSION = "1.1.3"
#: the conformance statement of EPUB Accessibility 1.1 (section 2.1) the books claim when
#: they meet it (tests: DAISY Ace and EPUBCheck find nothing)
ACCESSIBILITY_CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
PAGE_LIST_SENTENCE = "印刷版のページ番号を示し、ページ一覧から移動できます。"
CONTAINER_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0">\n'
    "<rootfiles>\n"
    '<rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/>\n'
    "</rootfiles>\n"
    "</container>\n"
)


@dataclass(frozen=True)
class Resource:
    """One manifest item; `href` is relative to EPUB/."""

    id: str
    href: str
    media_type: str
    data: bytes
    properties: tuple[str, ...] = ()


@dataclass(frozen=True)
class SpineEntry:
    idref: str
    linear: bool = True
    properties: tuple[str, ...] = ()


@dataclass
class Metadata:
    identifier: str
    title: str
    modified: dt.datetime
    title_reading: str | None = None
    subtitle: str | None = None
    creators: list[tuple[str, str | None, tuple[str, ...]]] = field(default_factory=list)  # name, file-as, roles
    contributors: list[tuple[str, str | None, tuple[str, ...]]] = field(default_factory=list)
    publisher: str | None = None
    publisher_reading: str | None = None
    date: dt.date | None = None
    subjects: tuple[str, ...] = ()
    description: str | None = None
    source: str | None = None
    access_modes: tuple[str, ...] = ("textual",)
    access_modes_sufficient: tuple[str, ...] = ("textual",)
    features: tuple[str, ...] = ()
    hazards: tuple[str, ...] = ("none",)
    summary: str | None = None
    cover_id: str | None = None
    conforms_to: str | None = None       # e.g. ACCESSIBILITY_CONFORMANCE, when the book meets it
    certified_by: str | None = None
    page_break_source: str | None = None  # the print edition the page list follows


def katakana(reading: str | None) -> str | None:
    """Readings are often given in hiragana; `file-as` is katakana by convention."""
    if not reading:
        return None
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in reading)


def w3c_datetime(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _meta(prop: str, value: str, refines: str | None = None, scheme: str | None = None, id: str | None = None) -> str:
    attrs = ""
    if id:
        attrs += f' id="{id}"'
    if refines:
        attrs += f' refines="#{refines}"'
    attrs += f' property="{prop}"'
    if scheme:
        attrs += f' scheme="{scheme}"'
    return f"<meta{attrs}>{escape(value)}</meta>"


def package_opf(meta: Metadata, resources: list[Resource], spine: list[SpineEntry], *, rtl: bool) -> bytes:
    m: list[str] = []
    m.append(f'<dc:identifier id="BookId">{escape(meta.identifier)}</dc:identifier>')
    m.append(f'<dc:title id="title">{escape(meta.title)}</dc:title>')
    m.append(_meta("title-type", "main", "title"))
    if meta.title_reading:
        m.append(_meta("file-as", meta.title_reading, "title"))
    m.append(_meta("display-seq", "1", "title"))
    if meta.subtitle:
        m.append(f'<dc:title id="subtitle">{escape(meta.subtitle)}</dc:title>')
        m.append(_meta("title-type", "subtitle", "subtitle"))
        m.append(_meta("display-seq", "2", "subtitle"))
    for kind, people in (("creator", meta.creators), ("contributor", meta.contributors)):
        for index, (name, file_as, roles) in enumerate(people, 1):
            ident = f"{kind}{index:02d}"
            m.append(f'<dc:{kind} id="{ident}">{escape(name)}</dc:{kind}>')
            for role in roles:
                m.append(_meta("role", role, ident, "marc:relators"))
            if file_as:
                m.append(_meta("file-as", file_as, ident))
            m.append(_meta("display-seq", str(index), ident))
    if meta.publisher:
        m.append(f'<dc:publisher id="publisher">{escape(meta.publisher)}</dc:publisher>')
        if meta.publisher_reading:
            m.append(_meta("file-as", katakana(meta.publisher_reading), "publisher"))
    m.append("<dc:language>ja</dc:language>")
    if meta.date:
        m.append(f"<dc:date>{meta.date.isoformat()}</dc:date>")
    for subject in meta.subjects:
        m.append(f"<dc:subject>{escape(subject)}</dc:subject>")
    if meta.description:
        m.append(f"<dc:description>{escape(meta.description)}</dc:description>")
    if meta.source:
        m.append(f"<dc:source>{escape(meta.source)}</dc:source>")
    m.append(_meta("dcterms:modified", w3c_datetime(meta.modified)))
    m.append(_meta("ebpaj:guide-version", EBPAJ_GUIDE_VERSION))
    m.append(_meta("rendition:layout", "reflowable"))
    m.append(_meta("rendition:orientation", "auto"))
    m.append(_meta("rendition:spread", "landscape"))
    for mode in meta.access_modes:
        m.append(_meta("schema:accessMode", mode))
    for mode in meta.access_modes_sufficient:
        m.append(_meta("schema:accessModeSufficient", mode))
    features = list(meta.features)
    if meta.page_break_source:   # the page list (nav page-list, pagebreak markers)
        features += [f for f in ("printPageNumbers", "pageNavigation") if f not in features]
    for feature in features:
        m.append(_meta("schema:accessibilityFeature", feature))
    for hazard in meta.hazards:
        m.append(_meta("schema:accessibilityHazard", hazard))
    if meta.summary:
        summary = meta.summary
        if meta.page_break_source and PAGE_LIST_SENTENCE not in summary:
            summary += PAGE_LIST_SENTENCE
        m.append(_meta("schema:accessibilitySummary", summary))
    if meta.conforms_to:
        m.append(_meta("dcterms:conformsTo", meta.conforms_to, id="conformance"))
        if meta.certified_by:
            m.append(_meta("a11y:certifiedBy", meta.certified_by, "conformance"))
    if meta.page_break_source:
        m.append(_meta("pageBreakSource", meta.page_break_source))
    if meta.cover_id:  # EPUB 2 reading systems find the cover this way
        m.append(f'<meta name="cover" content="{meta.cover_id}"/>')

    items = []
    for r in resources:
        props = f' properties="{" ".join(r.properties)}"' if r.properties else ""
        items.append(f'<item id="{r.id}" href="{escape(r.href)}" media-type="{r.media_type}"{props}/>')
    refs = []
    for s in spine:
        props = f' properties="{" ".join(s.properties)}"' if s.properties else ""
        refs.append(f'<itemref idref="{s.idref}" linear="{"yes" if s.linear else "no"}"{props}/>')

    direction = "rtl" if rtl else "ltr"
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" xml:lang="ja" unique-identifier="BookId"'
        ' prefix="ebpaj: http://www.ebpaj.jp/">\n'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        + "\n".join(m)
        + "\n</metadata>\n<manifest>\n"
        + "\n".join(items)
        + f'\n</manifest>\n<spine toc="ncx" page-progression-direction="{direction}">\n'
        + "\n".join(refs)
        + "\n</spine>\n</package>\n"
    )
    return text.encode("utf-8")


def toc_ncx(identifier: str, title: str, entries: list[tuple[str, str]]) -> bytes:
    """The EPUB 2 table of contents: (label, href relative to EPUB/) in reading order."""
    points = []
    for order, (label, href) in enumerate(entries, 1):
        points.append(
            f'<navPoint id="navpoint-{order}" playOrder="{order}">'
            f"<navLabel><text>{escape(label)}</text></navLabel>"
            f'<content src="{escape(href)}"/></navPoint>'
        )
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1" xml:lang="ja">\n'
        "<head>\n"
        f'<meta name="dtb:uid" content="{escape(identifier)}"/>\n'
        '<meta name="dtb:depth" content="1"/>\n'
        '<meta name="dtb:totalPageCount" content="0"/>\n'
        '<meta name="dtb:maxPageNumber" content="0"/>\n'
        "</head>\n"
        f"<docTitle><text>{escape(title)}</text></docTitle>\n"
        "<navMap>\n" + "\n".join(points) + "\n</navMap>\n</ncx>\n"
    )
    return text.encode("utf-8")


def creators_of(doc: Interview) -> list[tuple[str, str | None, tuple[str, ...]]]:
    """Each interviewed person: author (so stores and Calibre list them) and interviewee."""
    return [(p.name, katakana(p.reading), ("aut", "ive")) for p in doc.people]
