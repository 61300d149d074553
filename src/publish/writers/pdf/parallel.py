"""A large collection's PDF on several cores.

WeasyPrint typesets one document on one core. A collection's chapters, though, are
independent once each starts on a recto page (`.chapter { break-before: right }`): the
page count of a chapter does not depend on its page number. So:

1. the chapters are split into `jobs` contiguous chunks of about equal text, and each
   chunk is typeset in its own process *without* running heads and folios (the only
   things that depend on the final page numbers), giving PDF bytes, its page types,
   the page of each chapter and its outline;
2. meanwhile the parent typesets the front matter (cover, introduction, contents) with
   placeholder numbers, and the colophon, to learn their page counts;
3. the parent computes every chapter's final page, typesets the front matter again with
   the real numbers (leaders and all; a couple of pages), and one fast "furniture"
   document with an empty page per final page carrying only the running head and folio
   (the brochure's own @page rules, so they look exactly the same);
4. pikepdf joins front + chunks (a blank verso where a chunk would start on a left page)
   + colophon, stamps each furniture page onto its page, points the contents' links at
   the chapters and writes the outline (contents > chapters > sections).
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from markupsafe import escape

from publish.errors import MissingLayoutFile
from publish.model import Book, rich_plain
from publish.render import render_collection_html, render_html
from publish.typeset_ja import weasyprint as jlreq

PX_TO_PT = 0.75


@dataclass
class Part:
    """One separately typeset piece, as plain data (picklable)."""

    pdf: bytes
    types: list[tuple[str, bool]]  # per page: (named page, blank)
    anchors: dict[str, int]  # first page of each anchor (chapter-N, contents-title)
    bookmarks: list  # WeasyPrint's bookmark tree: (label, (page, x, y), children, state)
    links: list  # per page: [(anchor, (x1, y1, x2, y2) px)]


def _typeset(collection: Book, layout, medium: str, *, keep: bool = False, **parts) -> Part:
    """`keep`: chapters whose questions keep their answers' first lines, as the single
    render makes them (publish.render.makeup.keep_questions)."""
    def render(plan):
        return render_html(render_collection_html(collection, layout, medium=medium, plan=plan, **parts), layout,
                           collection.sources)

    plan = parts.pop("plan", None)
    with jlreq.installed():  # in a worker too: a spawned one starts unpatched
        if keep and plan is not None:
            from publish.render.makeup import keep_questions

            document, _ = keep_questions(render, plan, layout)
        else:
            document = render(plan)
        data = document.write_pdf()
    anchors: dict[str, int] = {}
    types, links = [], []
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, index)
        types.append(jlreq.page_type(page))
        links.append([(target, rect) for kind, target, rect, *_ in page.links if kind == "internal"])
    return Part(data, types, anchors, document.make_bookmark_tree(), links)


def _timed(function, *args, **kwargs):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return result, (time.perf_counter() - wall, time.process_time() - cpu)


def _chunk_worker(args) -> tuple[Part, tuple[float, float]]:
    collection, layout, medium, numbers, plan, keep = args
    chapters = [c for c in collection.chapters if c.number in numbers]
    return _timed(_typeset, collection, layout, medium, chapters=chapters, front=False, back=False, furniture=False,
                  plan=plan, keep=keep)


def _furniture_worker(args) -> tuple[bytes, tuple[float, float]]:
    return _timed(_furniture, *args)


def split(collection: Book, jobs: int) -> list[list[int]]:
    """Contiguous runs of chapter numbers with about the same amount of text each."""
    weights = []
    for chapter in collection.chapters:
        doc = chapter.interview
        size = len(rich_plain(doc.lead)) + sum(len(rich_plain(p.bio)) + 200 for p in doc.people)
        size += sum(len(rich_plain(t.paragraphs)) if hasattr(t, "paragraphs") else 400
                    for s in doc.sections for t in s.turns) + 1500  # + the opening page
        weights.append((chapter.number, size))
    total = sum(w for _, w in weights)
    chunks, current, acc = [], [], 0
    for number, weight in weights:
        current.append(number)
        acc += weight
        if acc >= total * (len(chunks) + 1) / jobs and len(chunks) < jobs - 1:
            chunks.append(current)
            current = []
    if current:
        chunks.append(current)
    return chunks


def _worker_init(parent: int) -> None:
    """A typesetting worker lives no longer than the build that started it: on Linux the
    kernel kills it when its parent dies (PR_SET_PDEATHSIG, also on SIGKILL of the
    parent); Ctrl-C is left to the parent, which terminates the pool."""
    import signal
    import sys

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            PR_SET_PDEATHSIG = 1
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no libc prctl: the parent's terminate() still applies
            pass
    if os.getppid() != parent:  # the parent died before the death signal was armed
        os._exit(1)


@contextlib.contextmanager
def _stop_workers_on_error(pool):
    """On any exception in the parent (KeyboardInterrupt, SIGTERM as SystemExit, a failed
    chunk) kill the workers now instead of waiting for their chunks to finish."""
    try:
        yield
    except BaseException:
        processes = list((getattr(pool, "_processes", None) or {}).values())
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise


def _context():
    # fork is cheapest (WeasyPrint is already imported); elsewhere spawn.
    return multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")


PARALLEL_FROM = 8  # chapters; below this the parallel build's fixed costs eat most of its gain


def default_jobs(book: Book) -> int:
    """How many processes typeset the PDF when the options do not say (PUBLISH_JOBS): one
    below PARALLEL_FROM chapters or when the other cores are busy (load average), else one
    per free core (bench_collections measured 1.4-1.6× on two cores at 20-50 interviews)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if len(book.chapters) < PARALLEL_FROM or cores < 2:
        return 1
    free = cores - int(os.getloadavg()[0]) if hasattr(os, "getloadavg") else cores
    return max(1, min(free, 4))


def parallel_possible(book: Book, layout, jobs: int, *, medium: str = "print") -> bool:
    """Chapters typeset in parallel only when asked for (`jobs` > 1), for a book of several
    chapters that start on right-hand pages: then a chapter's page count does not depend on
    where it starts."""
    from publish.render import chapter_start

    return jobs > 1 and not book.single and len(book.chapters) > 1 and chapter_start(layout, medium) == "right"


def _assemble(front_types, parts, back_types):
    """Where the pieces land in the joined PDF: (starts, numbers, blanks, chapters, total)
    with starts[i] = (first page of part i (0-based), blank pages before it), numbers the
    final page of each chapter (1-based), blanks the 0-based blank pages (WeasyPrint's and
    the joins') and chapters the anchors' 0-based pages, as the single render would have them."""
    numbers, starts, blanks, chapters = {}, [], [i for i, (_, blank) in enumerate(front_types) if blank], []
    page = len(front_types)
    for part in parts:
        pad = 1 if page % 2 == 1 else 0  # the next page would be a verso: one blank page
        blanks += list(range(page, page + pad))
        starts.append((page + pad, pad))
        for anchor, index in part.anchors.items():
            chapters.append((anchor, page + pad + index))
            if anchor.startswith("chapter-"):
                numbers[anchor] = page + pad + index + 1
        blanks += [page + pad + i for i, (_, blank) in enumerate(part.types) if blank]
        page += pad + len(part.types)
    blanks += [page + i for i, (_, blank) in enumerate(back_types) if blank]
    return starts, numbers, blanks, chapters, page + len(back_types)


def build_parallel(collection: Book, layout, *, medium: str = "print", jobs: int = 2,
                   notes: list | None = None) -> bytes:
    """The collection typeset in `jobs` processes, with the same page make-up as the single
    render (publish.render.makeup.fit_collection): the chunks are typeset at the natural level, the
    level and the editorial pages are decided on the joined page count exactly as the single
    render decides them, and only the chunks that change are typeset again."""
    import pikepdf

    from publish.render.makeup import (
        MULTIPLE,
        Plan,
        Trial,
        adjust_css,
        binding,
        chapter_starts,
        collection_fill,
        collection_levels,
        collection_note,
        tokens,
    )

    timing: dict = {"jobs": jobs}
    chunks = split(collection, jobs)
    # The front matter with placeholder numbers first: it also warms WeasyPrint's font
    # caches, which the forked workers then inherit instead of each loading the fonts.
    placeholder = {c.anchor: 888 for c in collection.chapters}
    multiple = MULTIPLE.get(binding(layout), 4)
    strategies = list(tokens(layout)["strategies"])

    def plan_at(level: float, after=None) -> Plan:
        return Plan(level=level, after=after or {}, css=adjust_css(layout, level))

    front_probe, timing["front_probe"] = _timed(_typeset, collection, layout, medium, chapters=[], back=False,
                                                page_numbers=placeholder, furniture=False, plan=plan_at(0.0))
    with ProcessPoolExecutor(max_workers=min(jobs, len(chunks)), mp_context=_context(),
                             initializer=_worker_init, initargs=(os.getpid(),)) as pool, _stop_workers_on_error(pool):
        portable = dataclasses.replace(layout, _env=None)  # a Jinja environment does not pickle

        def typeset_chunks(plan, which=None, keep=True):
            return {i: pool.submit(_chunk_worker, (collection, portable, medium, set(numbers), plan, keep))
                    for i, numbers in enumerate(chunks) if which is None or i in which}

        def trial(level: float, front=None, keep=False) -> Trial:
            plan = plan_at(level)
            futures = typeset_chunks(plan, keep=keep)
            if front is None:
                front, _ = _timed(_typeset, collection, layout, medium, chapters=[], back=False,
                                  page_numbers=placeholder, furniture=False, plan=plan)
            back, spent = _timed(_typeset, collection, layout, medium, chapters=[], front=False, furniture=False,
                                 plan=plan)
            timing["back"] = spent
            results = [futures[i].result() for i in sorted(futures)]
            timing["chunks"] = [t for _, t in results]
            parts = [part for part, _ in results]
            _, _, blanks, _, total = _assemble(front.types, parts, back.types)
            return Trial(level, (front, parts, back), total, blanks, False)

        # as fit_collection: the level on plain renders, then the questions kept at that level
        natural = trial(0.0, front_probe)
        best = collection_levels(strategies, natural, multiple, trial)
        kept = trial(best.level, best.document[0], keep=True)
        if (kept.pages, kept.blanks) == (best.pages, best.blanks):
            best = kept
        else:
            natural = trial(0.0, front_probe, keep=True)
            best = collection_levels(strategies, natural, multiple, lambda level: trial(level, keep=True))
        front_probe, parts, back = best.document
        _, _, _, anchors, _ = _assemble(front_probe.types, parts, back.types)
        after, filled = collection_fill(collection, layout, best, chapter_starts(anchors))
        if after:  # the chunks with editorial pages again
            which = {i for i, numbers in enumerate(chunks) if set(numbers) & set(after)}
            futures = typeset_chunks(plan_at(best.level, after), which)
            for i, future in futures.items():
                parts[i], _ = future.result()
        starts, numbers, blanks, _, total = _assemble(front_probe.types, parts, back.types)
        note = collection_note(layout, natural, best, total, len(blanks), filled)
        if note and notes is not None:
            notes.append(f"{collection.slug}.pdf: {note}")

        # furniture: which @page and running head each final page gets
        from publish.typeset_ja import running_text

        titles = {c.anchor: running_text(c.interview.title) for c in collection.chapters}
        pages: list[tuple[str, str]] = []
        for name, blank in front_probe.types:
            pages.append(("blank" if blank else name, running_text(collection.title)))
        for part, (start, pad) in zip(parts, starts):
            pages += [("blank", "")] * pad
            chapter_pages = sorted((i, a) for a, i in part.anchors.items() if a.startswith("chapter-"))
            for index, (name, blank) in enumerate(part.types):
                current = [a for i, a in chapter_pages if i <= index]
                pages.append(("blank" if blank else name, titles[current[-1]] if current else ""))
        pages += [("blank" if blank else name, "") for name, blank in back.types]
        # the furniture in a worker while the parent typesets the contents' final numbers
        furniture_future = pool.submit(_furniture_worker, (pages, portable, medium))
        front, timing["front"] = _timed(_typeset, collection, layout, medium, chapters=[], back=False,
                                        page_numbers=numbers, furniture=False, plan=plan_at(best.level))
        furniture, timing["furniture"] = furniture_future.result()
    if len(front.types) != len(front_probe.types):  # the numbers changed the contents' length
        raise RuntimeError("the contents changed length with the final page numbers; build with PUBLISH_JOBS=1")

    wall, cpu = time.perf_counter(), time.process_time()
    out = pikepdf.new()
    sources = [pikepdf.open(io.BytesIO(front.pdf))] + [pikepdf.open(io.BytesIO(p.pdf)) for p in parts] \
        + [pikepdf.open(io.BytesIO(back.pdf))]
    offsets = []
    out.pages.extend(sources[0].pages)
    for source, (start, pad) in zip(sources[1:-1], starts):
        for _ in range(pad):
            _blank_like(out, source.pages[0])
        offsets.append(len(out.pages))
        out.pages.extend(source.pages)
    back_offset = len(out.pages)
    out.pages.extend(sources[-1].pages)
    stamp = pikepdf.open(io.BytesIO(furniture))
    for index, (kind, _) in enumerate(pages):
        if kind not in ("cover", "opener", "blank", "back"):
            out.pages[index].add_overlay(stamp.pages[index])
    _contents_links(out, front, numbers)
    _outline(out, [(front.bookmarks, 0)] + [(p.bookmarks, o) for p, o in zip(parts, offsets)]
             + [(back.bookmarks, back_offset)])
    out.docinfo["/Title"] = collection.title.plain
    buffer = io.BytesIO()
    out.save(buffer, deterministic_id=True)  # reproducible: no random /ID
    timing["join"] = (time.perf_counter() - wall, time.process_time() - cpu)
    _report_timing(timing)
    return buffer.getvalue()


@contextlib.contextmanager
def timed_render():
    """PUBLISH_TIMING=FILE (bench_collections): the one-process render's (wall, CPU) seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    if os.environ.get("PUBLISH_TIMING"):
        spent = time.process_time() - cpu
        with open(os.environ["PUBLISH_TIMING"], "w", encoding="utf-8") as handle:
            json.dump({"jobs": 1, "critical_cpu": spent, "total_cpu": spent,
                       "render": [time.perf_counter() - wall, spent]}, handle)


def _report_timing(timing: dict) -> None:
    """PUBLISH_TIMING=FILE: the phases' (wall, CPU) seconds as JSON, for bench_collections.
    The critical path on an idle machine: the serial phases plus the slowest chunk."""
    target = os.environ.get("PUBLISH_TIMING")
    if not target:
        return
    serial = [timing["front_probe"], timing["join"]]
    parallel_tail = max(timing["front"][1], timing["furniture"][1])
    timing["critical_cpu"] = sum(c for _, c in serial) + max(c for _, c in timing["chunks"]) + parallel_tail
    timing["total_cpu"] = (sum(c for _, c in serial) + sum(c for _, c in timing["chunks"]) + timing["back"][1]
                           + timing["front"][1] + timing["furniture"][1])
    with open(target, "w", encoding="utf-8") as handle:
        json.dump(timing, handle)


def _blank_like(pdf, template):
    import pikepdf

    page = pdf.add_blank_page(page_size=(595, 842))
    for box in ("/MediaBox", "/TrimBox", "/BleedBox", "/CropBox"):
        if box in template.obj:
            page.obj[box] = pikepdf.Array(template.obj[box])
    return page


def _furniture(pages, layout, medium: str) -> bytes:
    """Empty pages with the brochure's running heads and folios, one per final page."""
    env = layout.env
    from publish.layout import templating

    page_css = templating.render(env, "templates/page.css.j2", area=layout.type_area,
                                 layout=templating.layout_view(layout), medium=medium)
    links = "".join(f'<link rel="stylesheet" href="{p.as_uri()}">' for p in layout.stylesheets("print"))
    try:
        links += f'<link rel="stylesheet" href="{layout.find("collection.css").as_uri()}">'
    except MissingLayoutFile:  # a layout without collection styles
        pass
    body = []
    for kind, title in pages:
        named = f" page: {kind};" if kind in ("cover", "opener", "blank", "back") else ""
        body.append(f'<div class="f" style="{named}"><span class="rt">{escape(title)}</span></div>')
    document = f"""<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">{links}
<style>{layout.css_variables(medium)}{page_css}
.f {{ break-after: page; height: 1px; }}
.rt {{ string-set: running-title content(text); visibility: hidden; font-size: 1pt; }}
</style></head><body>{''.join(body)}</body></html>"""
    with jlreq.installed():
        return render_html(document, layout).write_pdf()  # the layout's files only


def _contents_links(pdf, front: Part, numbers: dict) -> None:
    import pikepdf

    for index, links in enumerate(front.links):
        page = pdf.pages[index]
        trim_height = float(page.obj.get("/TrimBox", page.obj.MediaBox)[3])
        annots = page.obj.get("/Annots", pikepdf.Array())
        seen = set()
        for anchor, (x1, y1, x2, y2) in links:
            if anchor not in numbers or (anchor, y1) in seen:
                continue
            seen.add((anchor, y1))
            target = pdf.pages[numbers[anchor] - 1]
            annots.append(pdf.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
                Rect=[x1 * PX_TO_PT, trim_height - y2 * PX_TO_PT, x2 * PX_TO_PT, trim_height - y1 * PX_TO_PT],
                Border=[0, 0, 0], Dest=[target.obj, pikepdf.Name.Fit])))
        if annots:
            page.obj.Annots = annots


def _outline(pdf, trees) -> None:
    from pikepdf import OutlineItem

    def items(tree, offset):
        out = []
        for label, (page, _x, _y), children, _state in tree:
            item = OutlineItem(label, page + offset)
            item.children.extend(items(children, offset))
            out.append(item)
        return out

    with pdf.open_outline() as outline:
        outline.root.clear()
        for tree, offset in trees:
            outline.root.extend(items(tree, offset))
