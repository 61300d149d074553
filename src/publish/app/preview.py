"""`publish preview SOURCE`: a local page showing the PDF's pages as spreads and the EPUB's
documents at phone width, rebuilt in process whenever the source, one of its images, the
layout or a font changes. An interview or a collection (NAME.collection.yaml).

The toolkit stays loaded (WeasyPrint, the fonts, the layouts module), so a rebuild costs
the typesetting and little else: the page the designer is looking at is written and
rasterised first and shown at once; the other pages follow, and then the pages that
changed since the last build are marked. A build error is shown on the page with its
file:line message and the last good pages stay; stylesheet warnings (css_check) are a
banner. The page keeps its scroll position and zoom across rebuilds. Only 127.0.0.1 is
served, and only what the preview generated (no files from disk).

Endpoints: `/` the page; `/state?view=N` JSON {version, pages, sizes, error, warnings,
changed, complete, ...} that the page polls, telling the server which page is in view;
`/page/N.png` page N (1-based) of the last good build; `/epub/h/` and `/epub/v/` the
EPUB (horizontal, vertical): `index.json` lists its spine, other paths are its files.
"""

from __future__ import annotations

import gc
import hashlib
import html
import io
import json
import mimetypes
import posixpath
import sys
import threading
import time
import zipfile
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote

from publish.app import build as builder
from publish.errors import PublishError, SourceError
from publish.layout import fonts_dir, layout_roots, layouts_dir

SCALE = 1.5  # 108 dpi: sharp enough on screen, cheap to render
PX_TO_PT = 0.75  # WeasyPrint's CSS px
IGNORED_SUFFIXES = (".swp", ".swx", ".tmp", ".part", "~", ".pyc")
WAIT = 60  # seconds a page request waits for its page of a build in progress


@dataclass
class State:
    version: int = 0
    pages: list = field(default_factory=list)  # PIL images of the last good build (None: not yet rasterised)
    png: dict = field(default_factory=dict)  # page number -> PNG bytes, encoded on first request
    sizes: list[tuple[int, int]] = field(default_factory=list)
    hashes: list = field(default_factory=list)
    changed: list[int] = field(default_factory=list)  # pages that differ from the build before
    complete: bool = False  # every page rasterised, `changed` known
    error: str | None = None
    warnings: list[str] = field(default_factory=list)  # stylesheet problems of the layout
    layout: str | None = None
    kind: str = "interview"
    good_version: int = 0  # the version whose pages are shown (the last good build)
    build_seconds: float | None = None  # save (change seen) to the page in view ready
    all_seconds: float | None = None  # to every page ready
    built_at: float | None = None
    first_page: int = 1  # the page rasterised first
    watched: list[str] = field(default_factory=list)


class Previewer:
    """Builds one source into page images, again on every relevant change."""

    def __init__(self, source: Path, layout: str | None = None, scale: float = SCALE):
        self.source = Path(source).resolve()
        self.layout_override = layout
        self.scale = scale
        self.state = State()
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.images: set[Path] = set()
        self.sources: set[Path] = set()  # a collection's interviews
        self.watching = threading.Event()  # set once the file watcher is in place
        self.view_page = 1  # the page in view, as the browser last said
        self._model = None  # (doc, layout) of the last good build, for the EPUB view
        self._epub: dict[str, tuple[int, dict]] = {}  # "h"/"v" -> (good_version, {path: bytes})
        self._epub_lock = threading.Lock()

    @property
    def is_collection(self) -> bool:
        from publish.readers.collection import is_collection

        return is_collection(self.source)

    # -- building -------------------------------------------------------------------
    def rebuild(self, started: float | None = None) -> None:
        """Build, publish the page in view, then the others. `started`: when the change
        was seen (perf_counter), so build_seconds counts from the save."""
        started = time.perf_counter() if started is None else started
        try:
            document, layout, doc = self._render()
        except SourceError as exc:
            self._publish_error(str(exc))
        except PublishError as exc:
            self._publish_error(f"publish: {exc}")
        except Exception as exc:  # a template or CSS mistake must not stop the server
            self._publish_error(_describe(exc))
        else:
            self._publish_pages(document, layout, doc, started)
        # Collect the last build's box trees now, while the designer looks, not during the
        # next build; after the first build the toolkit's own objects are frozen out of GC.
        gc.collect()
        if self.state.version == 1:
            gc.freeze()

    def _render(self):
        """(WeasyPrint Document, layout, model) of the source: the book path of `publish
        build` (an interview is a book of one), one render of the screen medium."""
        from publish.render import render_book
        from publish.typeset_ja import weasyprint as jlreq

        book = builder.load_book(self.source, self.layout_override)
        layout = builder.layout_for(book, self.layout_override)
        doc = book.interview if book.single else book  # what the EPUB view builds from
        if not book.single:
            self.sources = {Path(c.interview.source).resolve() for c in book.chapters}
        self.images = {Path(p).resolve() for p in doc.all_images}
        self.right_to_left = layout.vertical  # 縦組み: frame pages turned, spreads right to left
        with jlreq.installed():
            return render_book(book, layout, medium="screen"), layout, doc

    def _rasterise(self, document, indexes: list[int]) -> dict[int, object]:
        import pypdfium2 as pdfium

        from publish.typeset_ja import weasyprint as jlreq

        if not indexes:
            return {}
        subset = document.copy([document.pages[i] for i in indexes])
        with jlreq.installed():
            data = subset.write_pdf()
        if getattr(self, "right_to_left", False):
            from publish.typeset_ja import vertical

            data = vertical.turn_pages(data, vertical.frame_pages(subset))
        pdf = pdfium.PdfDocument(data)
        out = {}
        try:
            for index, page in zip(indexes, pdf):
                out[index] = page.render(scale=self.scale).to_pil()
                page.close()
        finally:
            pdf.close()
        return out

    def _publish_pages(self, document, layout, doc, started: float) -> None:
        count = len(document.pages)
        sizes = [(round(p.width * PX_TO_PT * self.scale), round(p.height * PX_TO_PT * self.scale))
                 for p in document.pages]
        if getattr(self, "right_to_left", False):  # 縦組み frames are shown turned upright
            from publish.typeset_ja import vertical

            turned = set(vertical.frame_pages(document))
            sizes = [(h, w) if i in turned else (w, h) for i, (w, h) in enumerate(sizes)]
        view = min(max(1, self.view_page), count) - 1
        first = self._rasterise(document, [view])
        seconds = time.perf_counter() - started
        with self.changed:
            s = self.state
            previous = list(s.hashes)
            s.version += 1
            s.error = None
            s.pages = [first.get(i) for i in range(count)]
            s.sizes, s.layout, s.png = sizes, layout.name, {}
            s.kind = "collection" if self.is_collection else "interview"
            s.hashes, s.changed, s.complete = [None] * count, [], False
            s.good_version = s.version
            s.build_seconds, s.all_seconds, s.built_at, s.first_page = seconds, None, time.time(), view + 1
            version = s.version
            self._model = (doc, layout)
            self.changed.notify_all()
        print(f"preview: page {view + 1} of {count} in {seconds:.2f} s", file=sys.stderr, flush=True)

        rest = self._rasterise(document, [i for i in range(count) if i != view])
        rest.update(first)
        hashes = [hashlib.blake2b(rest[i].tobytes(), digest_size=16).digest() for i in range(count)]
        changed = [i + 1 for i in range(count) if i >= len(previous) or previous[i] != hashes[i]] if previous else []
        try:
            from publish.layout.css_check import check_layout

            warnings = [str(p) for p in check_layout(layout)]
        except Exception as exc:  # the check must never stop the preview
            warnings = [f"stylesheets could not be checked: {_describe(exc)}"]
        with self.changed:
            s = self.state
            if s.good_version == version:
                s.pages = [rest[i] for i in range(count)]
                s.hashes, s.changed, s.complete = hashes, changed, True
                s.warnings = warnings
                s.all_seconds = time.perf_counter() - started
            self.changed.notify_all()
        for line in warnings:
            print(f"preview: {line}", file=sys.stderr, flush=True)
        print(f"preview: all {count} pages in {time.perf_counter() - started:.2f} s"
              f"{f'; changed: {changed}' if changed else ''}", file=sys.stderr, flush=True)

    def _publish_error(self, error: str) -> None:
        with self.changed:
            self.state.version += 1
            self.state.error = error
            self.changed.notify_all()
        print(f"preview: build failed:\n{error}", file=sys.stderr, flush=True)

    # -- watching -------------------------------------------------------------------
    def watch_roots(self) -> list[Path]:
        roots = [self.source.parent, *layout_roots(), fonts_dir(), layouts_dir().parent / "fonts"]
        roots += [p.parent for p in self.sources]
        out: list[Path] = []
        for root in roots:
            root = root.resolve()
            if root.is_dir() and not any(root == o or root.is_relative_to(o) for o in out):
                out = [o for o in out if not o.is_relative_to(root)] + [root]
        return out

    def relevant(self, path: Path) -> bool:
        path = Path(path).resolve()
        if path.name.endswith(IGNORED_SUFFIXES) or path.name.startswith(".#"):
            return False
        if path == self.source or path in self.images or path in self.sources:
            return True
        for root in (*layout_roots(), fonts_dir(), layouts_dir().parent / "fonts"):
            if path.is_relative_to(root.resolve()):
                return True
        images = self.source.parent / "images"
        return path.is_relative_to(images.resolve())

    def watch(self, stop: threading.Event) -> None:
        from watchfiles import watch

        roots = self.watch_roots()
        self.state.watched = [str(r) for r in roots]
        # yield_on_timeout: the first (empty) yield says the watch is in place; the first
        # build starts only then, so no save can fall between the build and the watch.
        # A short debounce: an editor's save (write, rename) arrives within a few ms.
        for changes in watch(*roots, stop_event=stop, debounce=30, step=10, rust_timeout=100,
                             yield_on_timeout=True, raise_interrupt=False):
            seen = time.perf_counter()
            if not self.watching.is_set():
                self.watching.set()
                self.rebuild()
            elif changes and any(self.relevant(Path(p)) for _, p in changes):
                self.rebuild(seen)

    # -- serving --------------------------------------------------------------------
    def snapshot(self) -> dict:
        with self.lock:
            s = self.state
            return {
                "version": s.version, "good_version": s.good_version, "pages": len(s.pages), "sizes": s.sizes,
                "error": s.error, "warnings": s.warnings, "changed": s.changed, "complete": s.complete,
                "layout": s.layout, "kind": s.kind, "build_seconds": s.build_seconds,
                "all_seconds": s.all_seconds, "built_at": s.built_at, "first_page": s.first_page,
                "source": str(self.source), "watched": s.watched,
                "right_to_left": getattr(self, "right_to_left", False),
            }

    def page(self, number: int) -> bytes | None:
        deadline = time.monotonic() + WAIT
        with self.changed:
            while True:
                s = self.state
                if not 1 <= number <= len(s.pages):
                    return None
                cache, image = s.png, s.pages[number - 1]
                if number in cache:
                    return cache[number]
                if image is not None:
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.changed.wait(left)  # the page follows the one in view
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=1)
        cache[number] = buffer.getvalue()
        return cache[number]

    def epub_files(self, mode: str) -> dict | None:
        """The EPUB of the last good build ("h" horizontal, "v" vertical) as {path: bytes},
        built on first request for each build, with `index.json` listing its spine."""
        with self.lock:
            model, version = self._model, self.state.good_version
            cover_page = self.state.pages[0] if self.state.pages else None
        if model is None:
            return None
        with self._epub_lock:
            cached = self._epub.get(mode)
            if cached and cached[0] == version:
                return cached[1]
            doc, layout = model
            cover = None
            if cover_page is not None:  # the cover as the preview already shows it
                buffer = io.BytesIO()
                cover_page.convert("RGB").save(buffer, format="JPEG", quality=80)
                cover = buffer.getvalue()
            from publish.writers.epub import build_epub

            # no page list: its markers are invisible, and reading them off a print render would
            # typeset the whole book again for every view of every rebuild
            data = build_epub(doc, layout, vertical=mode == "v", cover=cover, page_list=False)
            files = _epub_contents(data)
            self._epub[mode] = (version, files)
            return files


def _epub_contents(data: bytes) -> dict[str, bytes]:
    """The EPUB's files, and `index.json`: the spine's documents in reading order."""
    import xml.etree.ElementTree as ET

    files: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        for name in book.namelist():
            files[name] = book.read(name)
    container = ET.fromstring(files["META-INF/container.xml"])
    opf_path = next(e.get("full-path") for e in container.iter() if e.tag.endswith("rootfile"))
    opf = ET.fromstring(files[opf_path])
    base = posixpath.dirname(opf_path)
    manifest = {e.get("id"): e.get("href") for e in opf.iter() if e.tag.endswith("}item")}
    spine = opf.find("{http://www.idpf.org/2007/opf}spine")
    direction = spine.get("page-progression-direction", "ltr") if spine is not None else "ltr"
    order = [posixpath.join(base, manifest[e.get("idref")]) for e in opf.iter() if e.tag.endswith("}itemref")]
    files["index.json"] = json.dumps({"spine": order, "direction": direction}).encode()
    return files


def _describe(exc: Exception) -> str:
    """An unexpected error as one line, with the template's file and line when Jinja knows it."""
    import jinja2

    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return f"{exc.filename}:{exc.lineno}: {exc.message}"
    return f"{type(exc).__name__}: {exc}"


PAGE = """<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>preview · {title}</title>
<style>
  body {{ margin: 0; background: #5b5e63; font: 13px/1.5 system-ui, sans-serif; color: #eee; }}
  header {{ position: sticky; top: 0; z-index: 2; background: #2b2d31; padding: 6px 14px;
           display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; }}
  header b {{ color: #fff; }} header span {{ color: #aab; }}
  header button {{ background: #44474d; color: #eee; border: 1px solid #666; border-radius: 3px; padding: 1px 8px; }}
  header button.on {{ background: #1f6feb; border-color: #1f6feb; }}
  #error, #warnings {{ display: none; margin: 0; padding: 10px 14px; color: #fff;
           white-space: pre-wrap; font: 13px/1.45 ui-monospace, monospace; }}
  #error {{ background: #7a1f1f; }} #warnings {{ background: #6b5410; }}
  #error.on, #warnings.on {{ display: block; }}
  #pages {{ padding: 24px; display: flex; flex-direction: column; align-items: center; gap: 28px; }}
  .spread {{ display: flex; }}
  .spread figure:not(.pad) {{ box-shadow: 0 4px 18px rgba(0,0,0,.45); }}
  .spread img {{ display: block; height: auto; background: #fff; }}
  .spread .pad {{ background: transparent; }}
  .spread figure {{ margin: 0; position: relative; outline: 3px solid transparent; outline-offset: 2px; }}
  .spread figure.changed {{ outline-color: #ffb000; }}
  .spread figure.changed figcaption::after {{ content: " · changed"; color: #ffcf4d; }}
  .spread figcaption {{ position: absolute; bottom: -20px; width: 100%; text-align: center; color: #ccd; font-size: 11px; }}
  .stale img {{ opacity: .55; }}
  #epub {{ display: none; padding: 24px; gap: 24px; flex-wrap: wrap; justify-content: center; }}
  #epub.on {{ display: flex; }} #epub.rtl {{ flex-direction: row-reverse; }}
  #epub iframe {{ width: 375px; height: 667px; border: 10px solid #111; border-radius: 22px; background: #fff; }}
  label {{ color: #aab; }}
</style></head>
<body>
<header><b>publish preview</b><span id="what">{title}</span><span id="status">…</span>
<label><input type="range" id="zoom" min="30" max="140" value="70"> zoom</label>
<span><button id="show-pdf" class="on">PDF pages</button> <button id="show-epub">EPUB</button>
<button id="epub-h" class="on">横組み</button> <button id="epub-v">縦組み</button></span></header>
<pre id="error"></pre>
<pre id="warnings"></pre>
<div id="pages"></div>
<div id="epub"></div>
<script>
let shown = '', good = -1, count = -1, epubShown = '';
let view = 'pdf', epubMode = localStorage.getItem('publish-preview-epub') || 'h';
const zoom = document.getElementById('zoom');
zoom.value = localStorage.getItem('publish-preview-zoom') || zoom.value;
function scaled(img) {{ img.style.width = (img.dataset.w * zoom.value / 100) + 'px'; }}
zoom.oninput = () => {{
  localStorage.setItem('publish-preview-zoom', zoom.value);
  document.querySelectorAll('.spread img, .spread .pad').forEach(scaled);
}};
function spreads(n, rtl) {{       // page 1 alone on the right, then 2-3, 4-5, …
  const out = [[null, 1]];         // right to left (縦組み): 1 alone on the left, then 3-2, …
  for (let p = 2; p <= n; p += 2) out.push(p + 1 <= n ? [p, p + 1] : [p, null]);
  return n ? (rtl ? out.map(pair => pair.slice().reverse()) : out) : [];
}}
function pageInView() {{          // the page under the middle of the window
  let best = 1, distance = Infinity;
  document.querySelectorAll('.spread figure[data-page]').forEach(f => {{
    const r = f.getBoundingClientRect(), mid = (r.top + r.bottom) / 2;
    const d = Math.abs(mid - innerHeight / 2) + Math.abs((r.left + r.right) / 2 - innerWidth / 2) / 4;
    if (d < distance) {{ distance = d; best = +f.dataset.page; }}
  }});
  return best;
}}
function layoutPages(s) {{         // only when the page count changes; the scroll stays where it was
  const y = scrollY, box = document.getElementById('pages');
  box.innerHTML = '';
  for (const pair of spreads(s.pages, s.right_to_left)) {{
    const row = document.createElement('div'); row.className = 'spread';
    for (const p of pair) {{
      const fig = document.createElement('figure');
      if (p === null) {{ fig.className = 'pad'; fig.dataset.w = s.sizes[0][0]; scaled(fig); }}
      else {{
        const img = new Image(); img.alt = 'page ' + p; img.dataset.w = s.sizes[p - 1][0];
        img.style.aspectRatio = s.sizes[p - 1][0] + ' / ' + s.sizes[p - 1][1]; scaled(img);
        fig.dataset.page = p; fig.appendChild(img);
        const c = document.createElement('figcaption'); c.textContent = p; fig.appendChild(c);
      }}
      row.appendChild(fig);
    }}
    box.appendChild(row);
  }}
  scrollTo(0, y);
}}
function refresh(s) {{            // new pages in place: the page in view first, swapped when loaded
  const inView = pageInView();
  const order = [...Array(s.pages).keys()].map(i => i + 1).sort((a, b) => Math.abs(a - inView) - Math.abs(b - inView));
  for (const p of order) {{
    const img = document.querySelector(`figure[data-page="${{p}}"] img`);
    const next = new Image();
    next.onload = () => {{ img.src = next.src; }};
    next.src = '/page/' + p + '.png?v=' + s.good_version;
  }}
}}
function markChanged(s) {{
  document.querySelectorAll('figure[data-page]').forEach(f =>
    f.classList.toggle('changed', s.changed.includes(+f.dataset.page)));
}}
async function showEpub(force) {{
  const box = document.getElementById('epub');
  if (good < 0) return;
  const key = epubMode + '/' + good;
  if (!force && key === epubShown) return;
  epubShown = key;
  const index = await (await fetch(`/epub/${{epubMode}}/index.json?v=${{good}}`, {{cache: 'no-store'}})).json();
  box.className = 'on' + (index.direction === 'rtl' ? ' rtl' : '');
  const scrolls = [...box.querySelectorAll('iframe')].map(f => f.contentWindow ? [f.contentWindow.scrollX, f.contentWindow.scrollY] : [0, 0]);
  box.innerHTML = '';
  index.spine.forEach((href, i) => {{
    const frame = document.createElement('iframe');
    frame.src = `/epub/${{epubMode}}/${{href}}?v=${{good}}`; frame.title = href;
    frame.onload = () => {{ if (scrolls[i]) frame.contentWindow.scrollTo(scrolls[i][0], scrolls[i][1]); }};
    box.appendChild(frame);
  }});
}}
function setView(v) {{
  view = v;
  document.getElementById('show-pdf').className = v === 'pdf' ? 'on' : '';
  document.getElementById('show-epub').className = v === 'epub' ? 'on' : '';
  document.getElementById('pages').style.display = v === 'pdf' ? '' : 'none';
  document.getElementById('epub').className = v === 'epub' ? 'on' : '';
  if (v === 'epub') showEpub(true);
}}
function setMode(m) {{
  epubMode = m; localStorage.setItem('publish-preview-epub', m);
  document.getElementById('epub-h').className = m === 'h' ? 'on' : '';
  document.getElementById('epub-v').className = m === 'v' ? 'on' : '';
  if (view === 'epub') showEpub(true);
}}
document.getElementById('show-pdf').onclick = () => setView('pdf');
document.getElementById('show-epub').onclick = () => setView('epub');
document.getElementById('epub-h').onclick = () => setMode('h');
document.getElementById('epub-v').onclick = () => setMode('v');
setMode(epubMode);
if (location.hash === '#epub') setView('epub');   // /#epub opens the EPUB view
async function poll() {{
  try {{
    const s = await (await fetch('/state?view=' + pageInView(), {{cache: 'no-store'}})).json();
    const stamp = s.version + '/' + s.complete;
    if (stamp !== shown) {{
      shown = stamp;
      const err = document.getElementById('error');
      err.textContent = s.error || ''; err.className = s.error ? 'on' : '';
      const warn = document.getElementById('warnings');
      warn.textContent = s.warnings.length ? 'stylesheet warnings:\\n' + s.warnings.join('\\n') : '';
      warn.className = s.warnings.length ? 'on' : '';
      if (s.pages && s.good_version !== good) {{
        if (s.pages !== count) {{ layoutPages(s); count = s.pages; }}
        good = s.good_version; refresh(s);
        if (view === 'epub') showEpub(true);
      }}
      if (s.complete) markChanged(s);
      document.getElementById('pages').className = s.error ? 'stale' : '';
      document.getElementById('status').textContent = s.error
        ? 'build failed: showing the last good pages'
        : `${{s.pages}} pages · ${{s.kind}} · ${{s.layout}} · page ${{s.first_page}} in ${{(s.build_seconds * 1000).toFixed(0)}} ms` +
          (s.complete ? `, all in ${{(s.all_seconds * 1000).toFixed(0)}} ms` : '') +
          ` at ${{new Date(s.built_at * 1000).toLocaleTimeString()}}` +
          (s.changed.length ? ` · changed: ${{s.changed.join(', ')}}` : '');
    }}
  }} catch (e) {{ document.getElementById('status').textContent = 'server stopped'; }}
  setTimeout(poll, 250);
}}
poll();
</script>
</body></html>
"""


def make_handler(previewer: Previewer):
    class Handler(BaseHTTPRequestHandler):
        server_version = "publish-preview"

        def do_GET(self):  # noqa: N802 (http.server's naming)
            path, _, query = self.path.partition("?")
            if path in ("/", "/index.html"):
                title = html.escape(previewer.source.name + (f" · {previewer.layout_override}"
                                                             if previewer.layout_override else ""))
                return self._send(PAGE.format(title=title).encode(), "text/html; charset=utf-8")
            if path == "/state":  # version 0: the first build is still running
                view = parse_qs(query).get("view")
                if view and view[0].isdigit():
                    previewer.view_page = int(view[0])
                return self._send(json.dumps(previewer.snapshot()).encode(), "application/json")
            if path.startswith("/page/") and path.endswith(".png"):
                try:
                    data = previewer.page(int(path[len("/page/"):-len(".png")]))
                except ValueError:
                    data = None
                if data is not None:
                    return self._send(data, "image/png")
            if path.startswith(("/epub/h/", "/epub/v/")):
                return self._epub(path[len("/epub/"):len("/epub/") + 1], unquote(path[len("/epub/h/"):]))
            self.send_error(HTTPStatus.NOT_FOUND)

        def _epub(self, mode: str, name: str):
            try:
                files = previewer.epub_files(mode)
            except Exception as exc:  # the EPUB of a broken layout: say why, keep serving
                return self._send(_describe(exc).encode(), "text/plain; charset=utf-8",
                                  status=HTTPStatus.INTERNAL_SERVER_ERROR)
            name = posixpath.normpath(name)
            if files is None or name not in files:
                return self.send_error(HTTPStatus.NOT_FOUND)
            kind = ("application/xhtml+xml; charset=utf-8" if name.endswith(".xhtml")
                    else mimetypes.guess_type(name)[0] or "application/octet-stream")
            return self._send(files[name], kind)

        def _send(self, body: bytes, content_type: str, status=HTTPStatus.OK):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # quiet: the terminal shows builds, not requests
            pass

    return Handler


def serve(source: Path, *, layout: str | None = None, port: int = 0, host: str = "127.0.0.1") -> int:
    """Run the preview until Ctrl-C. Returns the exit status."""
    source = Path(source)
    if not source.is_file():
        raise PublishError(f"{source}: no such source file")
    previewer = Previewer(source, layout)
    server = ThreadingHTTPServer((host, port), make_handler(previewer))
    server.daemon_threads = True
    url = f"http://{host}:{server.server_address[1]}/"
    print(f"preview: {url}  ({source}{' in ' + layout if layout else ''}; Ctrl-C stops)", flush=True)
    stop = threading.Event()
    watcher = threading.Thread(target=previewer.watch, args=(stop,), name="preview-watch", daemon=True)
    watcher.start()  # builds once the watch is in place, then on every change
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
        watcher.join(timeout=2)
    return 0
