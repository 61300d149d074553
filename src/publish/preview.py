"""`publish preview SOURCE`: a local page showing the PDF's pages as spreads, rebuilt in
process whenever the source, one of its images, the layout or a font changes.

The toolkit stays loaded (WeasyPrint, the fonts, the layouts module), so a rebuild costs
only the typesetting. A build error is shown on the page with its file:line message and
the last good pages stay; the server keeps running. Only 127.0.0.1 is served, and only
what the preview generated (no files from disk).

Endpoints: `/` the page, `/state` JSON {version, pages, error, ...} that the page polls,
`/page/N.png` page N (1-based) of the last good build.
"""

from __future__ import annotations

import gc
import html
import io
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from . import build as builder
from .errors import PublishError, SourceError
from .layout import fonts_dir, layouts_dir

SCALE = 1.5  # 108 dpi: sharp enough on screen, cheap to render
IGNORED_SUFFIXES = (".swp", ".swx", ".tmp", ".part", "~", ".pyc")


@dataclass
class State:
    version: int = 0
    pages: list = field(default_factory=list)  # PIL images of the last good build
    png: dict = field(default_factory=dict)  # page index -> PNG bytes, encoded on first request
    sizes: list[tuple[int, int]] = field(default_factory=list)
    error: str | None = None
    layout: str | None = None
    good_version: int = 0  # the version whose pages are shown (the last good build)
    build_seconds: float | None = None
    built_at: float | None = None
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
        self.watching = threading.Event()  # set once the file watcher is in place

    # -- building -------------------------------------------------------------------
    def rebuild(self) -> None:
        started = time.perf_counter()
        try:
            pages, sizes, layout_name = self._build()
        except SourceError as exc:
            self._publish(error=str(exc))
        except PublishError as exc:
            self._publish(error=f"publish: {exc}")
        except Exception as exc:  # a template or CSS mistake must not stop the server
            self._publish(error=f"{type(exc).__name__}: {exc}")
        else:
            self._publish(pages=pages, sizes=sizes, layout=layout_name,
                          seconds=time.perf_counter() - started)
        # Collect the last build's box trees now, while the designer looks, not during the
        # next build; after the first build the toolkit's own objects are frozen out of GC.
        gc.collect()
        if self.state.version == 1:
            gc.freeze()

    def _build(self):
        import pypdfium2 as pdfium

        from .pdf import render_document

        doc = builder.load(self.source, self.layout_override)
        self.images = {Path(p).resolve() for p in doc.images}
        layout = builder.layout_for(doc, self.layout_override)
        document = render_document(doc, layout, medium="screen")
        data = document.write_pdf()
        self.right_to_left = layout.vertical  # 縦組み: frame pages turned, spreads right to left
        if layout.vertical:
            from .typeset_ja import vertical

            data = vertical.turn_pages(data, vertical.frame_pages(document))
        pdf = pdfium.PdfDocument(data)
        pages, sizes = [], []
        try:
            for page in pdf:
                image = page.render(scale=self.scale).to_pil()
                pages.append(image)  # PNG-encoded when asked for, by the request's thread
                sizes.append(image.size)
                page.close()
        finally:
            pdf.close()
        return pages, sizes, layout.name

    def _publish(self, *, pages=None, sizes=None, layout=None, seconds=None, error=None) -> None:
        with self.changed:
            s = self.state
            s.version += 1
            s.error = error
            if pages is not None:
                s.pages, s.sizes, s.layout, s.png = pages, sizes, layout, {}
                s.good_version = s.version
                s.build_seconds, s.built_at = seconds, time.time()
            self.changed.notify_all()
        if error:
            print(f"preview: build failed:\n{error}", file=sys.stderr, flush=True)
        else:
            print(f"preview: rebuilt {len(pages)} pages in {seconds:.2f} s", file=sys.stderr, flush=True)

    # -- watching -------------------------------------------------------------------
    def watch_roots(self) -> list[Path]:
        roots = [self.source.parent, layouts_dir(), fonts_dir(), layouts_dir().parent / "fonts"]
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
        if path == self.source or path in self.images:
            return True
        for root in (layouts_dir(), fonts_dir(), layouts_dir().parent / "fonts"):
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
        for changes in watch(*roots, stop_event=stop, debounce=80, step=20, rust_timeout=100,
                             yield_on_timeout=True, raise_interrupt=False):
            if not self.watching.is_set():
                self.watching.set()
                self.rebuild()
            elif changes and any(self.relevant(Path(p)) for _, p in changes):
                self.rebuild()

    def snapshot(self) -> dict:
        with self.lock:
            s = self.state
            return {
                "version": s.version, "good_version": s.good_version, "pages": len(s.pages), "sizes": s.sizes, "error": s.error,
                "layout": s.layout, "build_seconds": s.build_seconds, "built_at": s.built_at,
                "source": str(self.source), "watched": s.watched,
                "right_to_left": getattr(self, "right_to_left", False),
            }

    def page(self, number: int) -> bytes | None:
        with self.lock:
            if not 1 <= number <= len(self.state.pages):
                return None
            cache, image = self.state.png, self.state.pages[number - 1]
            if number in cache:
                return cache[number]
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=1)
        cache[number] = buffer.getvalue()
        return cache[number]


PAGE = """<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>preview · {title}</title>
<style>
  body {{ margin: 0; background: #5b5e63; font: 13px/1.5 system-ui, sans-serif; color: #eee; }}
  header {{ position: sticky; top: 0; z-index: 2; background: #2b2d31; padding: 6px 14px;
           display: flex; gap: 16px; align-items: baseline; }}
  header b {{ color: #fff; }} header span {{ color: #aab; }}
  #error {{ display: none; margin: 0; padding: 10px 14px; background: #7a1f1f; color: #fff;
           white-space: pre-wrap; font: 13px/1.45 ui-monospace, monospace; }}
  #error.on {{ display: block; }}
  #pages {{ padding: 24px; display: flex; flex-direction: column; align-items: center; gap: 28px; }}
  .spread {{ display: flex; }}
  .spread figure:not(.pad) {{ box-shadow: 0 4px 18px rgba(0,0,0,.45); }}
  .spread img {{ display: block; height: auto; background: #fff; }}
  .spread .pad {{ background: transparent; }}
  .spread figure {{ margin: 0; position: relative; }}
  .spread figcaption {{ position: absolute; bottom: -20px; width: 100%; text-align: center; color: #ccd; font-size: 11px; }}
  .stale img {{ opacity: .55; }}
  label {{ color: #aab; }}
</style></head>
<body>
<header><b>publish preview</b><span id="what">{title}</span><span id="status">…</span>
<label><input type="range" id="zoom" min="30" max="140" value="70"> zoom</label></header>
<pre id="error"></pre>
<div id="pages"></div>
<script>
let shown = -1, good = -1;
const zoom = document.getElementById('zoom');
zoom.oninput = () => document.querySelectorAll('.spread img').forEach(i => i.style.width = (i.naturalWidth * zoom.value / 100) + 'px');
function spreads(n, rtl) {{       // page 1 alone on the right, then 2-3, 4-5, …
  const out = [[null, 1]];         // right to left (縦組み): 1 alone on the left, then 3-2, …
  for (let p = 2; p <= n; p += 2) out.push(p + 1 <= n ? [p, p + 1] : [p, null]);
  return n ? (rtl ? out.map(pair => pair.slice().reverse()) : out) : [];
}}
function render(s) {{
  const box = document.getElementById('pages');
  box.innerHTML = '';
  for (const pair of spreads(s.pages, s.right_to_left)) {{
    const row = document.createElement('div'); row.className = 'spread';
    for (const p of pair) {{
      const fig = document.createElement('figure');
      if (p === null) {{ fig.className = 'pad'; const sz = s.sizes[0]; fig.style.width = (sz[0] * zoom.value / 100) + 'px'; }}
      else {{
        const img = new Image(); img.src = '/page/' + p + '.png?v=' + s.good_version; img.alt = 'page ' + p;
        img.onload = () => img.style.width = (img.naturalWidth * zoom.value / 100) + 'px';
        fig.appendChild(img); const c = document.createElement('figcaption'); c.textContent = p; fig.appendChild(c);
      }}
      row.appendChild(fig);
    }}
    box.appendChild(row);
  }}
}}
async function poll() {{
  try {{
    const s = await (await fetch('/state', {{cache: 'no-store'}})).json();
    if (s.version !== shown) {{
      shown = s.version;
      const err = document.getElementById('error');
      err.textContent = s.error || ''; err.className = s.error ? 'on' : '';
      if (s.pages && s.good_version !== good) {{ render(s); good = s.good_version; }}
      document.getElementById('pages').className = s.error ? 'stale' : '';
      document.getElementById('status').textContent = s.error
        ? 'build failed: showing the last good pages'
        : `${{s.pages}} pages · ${{s.layout}} · built in ${{(s.build_seconds * 1000).toFixed(0)}} ms at ${{new Date(s.built_at * 1000).toLocaleTimeString()}}`;
    }}
  }} catch (e) {{ document.getElementById('status').textContent = 'server stopped'; }}
  setTimeout(poll, 400);
}}
poll();
</script>
</body></html>
"""


def make_handler(previewer: Previewer):
    class Handler(BaseHTTPRequestHandler):
        server_version = "publish-preview"

        def do_GET(self):  # noqa: N802 (http.server's naming)
            path = self.path.split("?", 1)[0]
            if path in ("/", "/index.html"):
                title = html.escape(previewer.source.name + (f" · {previewer.layout_override}"
                                                             if previewer.layout_override else ""))
                return self._send(PAGE.format(title=title).encode(), "text/html; charset=utf-8")
            if path == "/state":  # version 0: the first build is still running
                return self._send(json.dumps(previewer.snapshot()).encode(), "application/json")
            if path.startswith("/page/") and path.endswith(".png"):
                try:
                    data = previewer.page(int(path[len("/page/"):-len(".png")]))
                except ValueError:
                    data = None
                if data is not None:
                    return self._send(data, "image/png")
            self.send_error(HTTPStatus.NOT_FOUND)

        def _send(self, body: bytes, content_type: str):
            self.send_response(HTTPStatus.OK)
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
