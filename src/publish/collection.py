"""Collections: several interviews in one brochure and one EPUB.

A `Collection` holds `Chapter`s; each chapter's interview is a copy of the source's model
whose person ids are qualified by the chapter (`ch2-yamada`), so a person who appears in
two interviews, or two different people with the same id, never share a profile anchor,
an answer's speaker or an EPUB id. The interview templates' parts render the chapters
unchanged.

Print: one HTML document (templates/collection.html.j2) typeset by WeasyPrint, with the
table of contents' page numbers from `target-counter()`; or, for large collections, the
chapters typeset in parallel processes and joined (`publish.collection_pdf`).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from .model import Answer, Interview, Paragraph, PullQuote, RichText, Section


@dataclass(frozen=True)
class Chapter:
    number: int  # 1-based
    interview: Interview  # person ids qualified by the chapter

    @property
    def anchor(self) -> str:
        return f"chapter-{self.number}"

    @property
    def prefix(self) -> str:
        return f"ch{self.number}-"

    def original_id(self, person_id: str) -> str:
        return person_id.removeprefix(self.prefix)


@dataclass(frozen=True)
class Collection:
    slug: str
    source: Path
    title: Paragraph
    chapters: tuple[Chapter, ...]
    subtitle: Paragraph | None = None
    title_reading: str | None = None
    publisher: str | None = None
    publisher_reading: str | None = None
    published: _dt.date | None = None
    intro: RichText = ()
    layout: str = "brochure"
    url: str | None = None
    kind: str = "インタビュー集"
    style: tuple = ()  # no per-collection token overrides; here so build.layout_for() takes a collection
    cover: object = None  # a model.Cover: the cover photo

    @property
    def images(self) -> tuple[Path, ...]:
        """The images of every chapter's text (profiles, figures)."""
        return tuple(p for c in self.chapters for p in c.interview.images)

    @property
    def all_images(self) -> tuple[Path, ...]:
        return ((self.cover.image,) if self.cover else ()) + self.images

    @property
    def interviews(self) -> tuple[Interview, ...]:
        return tuple(c.interview for c in self.chapters)

    @property
    def sources(self) -> list[Path]:
        """The collection's file and its interviews' (the folders a build may read)."""
        return [self.source] + [c.interview.source for c in self.chapters]

    @property
    def people_names(self) -> list[str]:
        return list(dict.fromkeys(p.name for c in self.chapters for p in c.interview.people))


def qualify(doc: Interview, prefix: str) -> Interview:
    """The interview with every person id (and every reference to one) prefixed."""
    people = tuple(dataclasses.replace(p, id=prefix + p.id) for p in doc.people)
    sections = []
    for section in doc.sections:
        turns = []
        for turn in section.turns:
            if isinstance(turn, Answer):
                turn = Answer(prefix + turn.speaker, turn.paragraphs)
            elif isinstance(turn, PullQuote) and turn.by:
                turn = PullQuote(turn.paragraphs, prefix + turn.by)
            turns.append(turn)
        sections.append(Section(section.heading, tuple(turns)))
    return dataclasses.replace(doc, people=people, sections=tuple(sections))


def make_chapters(interviews) -> tuple[Chapter, ...]:
    return tuple(Chapter(n, qualify(doc, f"ch{n}-")) for n, doc in enumerate(interviews, 1))


# --- print HTML --------------------------------------------------------------------------------


def render_collection_html(collection: Collection, layout, *, medium: str = "print", chapters=None,
                           front: bool = True, back: bool = True, page_numbers: dict | None = None,
                           furniture: bool = True, first_page: int = 1, plan=None) -> str:
    """The HTML WeasyPrint typesets for the collection (or a part of it: the front matter,
    some chapters, the colophon). `page_numbers` (anchor -> page) writes the table of
    contents' numbers as text instead of `target-counter()`; `furniture=False` leaves out
    running heads and folios (stamped later, see collection_pdf)."""
    from .makeup import template_globals
    from .render import install_filters, profiles_placement

    env = layout.env
    install_filters(env)
    placements = {c.number: profiles_placement(c.interview) for c in collection.chapters}
    from . import templating

    try:
        collection_css = [layout.find("collection.css").as_uri()]
    except Exception:  # a layout without collection styles still builds, plainly
        collection_css = []
    return templating.render(
        env, "templates/collection.html.j2",
        collection=collection,
        chapters=collection.chapters if chapters is None else chapters,
        layout=templating.layout_view(layout),
        area=layout.type_area,
        medium=medium,
        css_variables=Markup(layout.css_variables(medium)),
        stylesheets=[p.as_uri() for p in layout.stylesheets("print")] + collection_css,
        chapter_profiles=lambda chapter: (lambda si, ti: placements[chapter.number].get((si, ti), [])),
        show_front=front,
        show_back=back,
        page_numbers=page_numbers,
        chapter_start=chapter_start(layout, medium),
        furniture=furniture,
        first_page=first_page,
        blank_pages=0,
        **template_globals(plan, layout),
    )


def chapter_start(layout, medium: str) -> str:
    """`placement.chapters` for this medium: on screen a right-hand start is only the next
    page (a blank page there has no reason to exist)."""
    start = (layout.tokens.get("placement") or {}).get("chapters", "right")
    return "new-page" if start == "right" and medium != "print" else start


def build_collection_pdf(collection: Collection, layout, *, medium: str = "print", jobs: int | None = None) -> bytes:
    """The collection's PDF: one WeasyPrint render, or chapters in parallel when `jobs` > 1
    (only when chapters start on right-hand pages: then a chapter's page count does not
    depend on where it starts)."""
    if jobs and jobs > 1 and len(collection.chapters) > 1 and chapter_start(layout, medium) == "right":
        from .collection_pdf import build_parallel

        return build_parallel(collection, layout, medium=medium, jobs=jobs)
    import time

    from .pdf import render_html

    wall, cpu = time.perf_counter(), time.process_time()
    from .makeup import fit_collection

    document, note = fit_collection(collection, layout, lambda plan: render_html(
        render_collection_html(collection, layout, medium=medium, plan=plan), layout,
        collection.sources), medium=medium)
    if note:
        from .build import progress

        progress(f"  {collection.slug}.pdf: {note}")
    data = document.write_pdf()
    if os.environ.get("PUBLISH_TIMING"):  # for bench_collections
        import json

        with open(os.environ["PUBLISH_TIMING"], "w", encoding="utf-8") as handle:
            json.dump({"jobs": 1, "critical_cpu": time.process_time() - cpu, "total_cpu": time.process_time() - cpu,
                       "render": [time.perf_counter() - wall, time.process_time() - cpu]}, handle)
    return data


PARALLEL_FROM = 8  # interviews; below this the parallel build's fixed costs eat most of its gain


def default_jobs(collection: Collection) -> int:
    """How many processes typeset the PDF: PUBLISH_JOBS when set; else one below
    PARALLEL_FROM interviews or when the other cores are busy (load average), else one per
    free core (bench_collections measured 1.4-1.6× on two cores at 20-50 interviews)."""
    env = os.environ.get("PUBLISH_JOBS")
    if env:
        return max(1, int(env))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if len(collection.chapters) < PARALLEL_FROM or cores < 2:
        return 1
    free = cores - int(os.getloadavg()[0]) if hasattr(os, "getloadavg") else cores
    return max(1, min(free, 4))


def build_collection_source(source: Path, formats, out_dir: Path, *, layout: str | None = None,
                            jobs: int | None = None, vertical: bool | None = None,
                            embed_fonts: bool | None = None, strict: bool = False) -> list:
    """`publish build x.collection.yaml`: build/x.pdf and build/x.epub, written atomically as a set."""

    from .build import SUFFIXES, Built
    from .layout import available_layouts, load_layout
    from .output import OutputSet
    from .source.collection import load_collection

    collection = load_collection(Path(source), known_layouts=available_layouts())
    twin = Path(source).parent / f"{collection.slug}.yaml"
    if twin.exists():
        from .errors import PublishError

        raise PublishError(f"{source}: both this collection and the interview {twin} would write "
                           f"{collection.slug}.pdf; rename one of them")
    lay = load_layout(layout or collection.layout, source=collection.source)
    vertical_pdfs = [f for f in formats if f in ("pdf", "screen-pdf", "booklet")]
    if lay.vertical and vertical_pdfs:
        # 縦組み collections are not wired (the chunked build and its page furniture would
        # have to turn frame pages and run right to left): refuse rather than make a
        # horizontal book or crash in the print stage
        from .errors import SourceError, SourceProblem

        given = f"--layout {layout}" if layout else f"layout: {collection.layout}"
        raise SourceError([SourceProblem(Path(source), 1, 1, "layout",
                                         f"{given} is vertical (writing_mode: vertical), and a collection "
                                         f"cannot be built vertically yet ({', '.join(vertical_pdfs)}); build its "
                                         "interviews one by one with this layout, or the collection with a "
                                         "horizontal one (the EPUB can be vertical: --format epub --vertical)")])
    from .build import check_css

    check_css(lay, strict=strict)
    built = []
    with OutputSet() as outputs:  # every format rendered first, then all renamed into place
        for fmt in formats:
            data = collection_bytes(collection, lay, fmt, jobs=jobs, vertical=vertical, embed_fonts=embed_fonts)
            if fmt in ("pdf", "screen-pdf", "booklet"):
                from . import record

                data = record.stamp(data, lay, record.EDITIONS[fmt], collection.source)
            path = outputs.stage(Path(out_dir) / f"{collection.slug}{SUFFIXES[fmt]}", data)
            built.append(Built(Path(source), fmt, path, len(data)))
    return built


def collection_bytes(collection: Collection, layout, fmt: str, *, jobs: int | None = None,
                     vertical: bool | None = None, embed_fonts: bool | None = None) -> bytes:
    """One output of a collection, through the same print stage as an interview's."""
    from . import press
    from .build import progress
    from .dates import document_date
    from .model import rich_plain
    from .pdf import print_settings, render_html

    if fmt == "pdf":
        raw = build_collection_pdf(collection, layout, jobs=jobs or default_jobs(collection))
        data, report = press.finish_with_report(raw, print_settings(layout), slug_label=f"{collection.slug}.pdf",
                                                build_date=document_date(collection))
        for note in report.notes:
            progress(f"  {collection.slug}.pdf: {note}")
        return data
    if fmt == "epub":
        from .collection_epub import build_collection_epub

        return build_collection_epub(collection, layout, vertical=vertical, embed_fonts=embed_fonts,
                                     source_date_epoch=os.environ.get("SOURCE_DATE_EPOCH"))
    if fmt in ("screen-pdf", "booklet"):
        # one render: the screen edition is a tagged PDF, whose structure a join would lose
        document = render_html(render_collection_html(collection, layout, medium="screen"), layout,
                               collection.sources)
        if fmt == "booklet":
            padded, _ = press.pad_pdf(document.write_pdf(), "saddle")
            return press.impose_booklet(padded)
        return press.finish_screen(
            document.write_pdf(**press.screen_write_options()),
            title=collection.title.plain + (f"──{collection.subtitle.plain}" if collection.subtitle else ""),
            authors=collection.people_names,
            subject=rich_plain(collection.intro) or None,
            keywords=list(dict.fromkeys(t for doc in collection.interviews for t in doc.tags)),
            link_titles={c.anchor: c.interview.title.plain for c in collection.chapters},
        )
    raise ValueError(f"unknown format '{fmt}'")
