"""The one gate through which a build reads files: WeasyPrint's URL fetcher (print PDF,
screen PDF, booklet, the EPUB cover's rasterisation, the preview) and the EPUB writer.

What may be loaded:
- `file:` URLs and paths whose real location (symlinks resolved) lies under one of the
  roots: the source's folder (a collection: each interview's), the layout chain's folders
  and the bundled fonts (`fonts/` of the checkout, and `fonts/` beside `$PUBLISH_LAYOUTS`);
  regular files only, at most MAX_FILE_BYTES each;
- `data:` URLs of at most MAX_DATA_URL characters (the layouts' small inline SVGs).
Everything else — `http:`, `https:`, `ftp:`, a `file:` outside the roots, a big `data:` —
is refused: the render stops and the build fails with exit status 2, naming the URL and,
when it can be found, the file and line of the layout or source that asked for it.
PDF attachments (`<link rel="attachment">`, `<a rel="attachment">`) are refused too.

A build never falls back to system fonts: a font file that is not there (an `@font-face`
whose `src` names no file) stops the build, except that `fonts/NAME` of a bundled font is
the bundled file, wherever that `fonts/` folder is (a copy of a built-in layout keeps its
`../../fonts/` URLs; WeasyPrint would otherwise set the text in whatever the system has).
"""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from publish.errors import LoadRefused, PublishError, display_path  # noqa: F401 - LoadRefused: re-exported

MAX_DATA_URL = 32 * 1024  # characters
MAX_FILE_BYTES = 64 * 1024 * 1024
TEXT_SUFFIXES = (".css", ".j2", ".html", ".yaml", ".yml", ".xhtml", ".svg")
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".woff", ".woff2")


class _Refused(FatalURLFetchingError):
    """Raised inside WeasyPrint: a BaseException, so WeasyPrint does not swallow it and the
    render stops at once."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url, self.reason = url, reason


def default_roots(layout, sources=()) -> list[Path]:
    """The folders a build of `sources` in `layout` may read."""
    from publish.project import fonts_dir, layouts_dir

    roots = [Path(s).resolve().parent for s in sources if s]
    roots += [Path(folder) for folder in layout.chain]
    roots += [fonts_dir(), layouts_dir().parent / "fonts"]
    out: list[Path] = []
    for root in roots:
        root = root.resolve()
        if root not in out:
            out.append(root)
    return out


class Fetcher(URLFetcher):
    """WeasyPrint's url_fetcher, limited to the roots (see the module's docstring)."""

    def __init__(self, roots, *, layout=None, sources=()):
        super().__init__(timeout=5, allow_redirects=False)
        self.roots = [Path(r).resolve() for r in roots]
        self.layout = layout
        self.sources = [Path(s) for s in sources if s]
        self.digests: dict[str, str] = {}  # URL -> digest of the bytes served (ImageNames)

    # -- policy ---------------------------------------------------------------------
    def allowed_path(self, path: Path) -> Path:
        """The real path of `path` if it lies under a root, else raise _Refused."""
        real = Path(path).resolve()
        if not any(real == root or real.is_relative_to(root) for root in self.roots):
            raise _Refused(Path(path).as_uri() if Path(path).is_absolute() else str(path),
                           "outside the source's folder, the layout's folders and fonts/")
        return real

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            if len(url) > MAX_DATA_URL:
                raise _Refused(url[:60] + "…", f"data: URL of {len(url)} characters (at most {MAX_DATA_URL})")
            return super().fetch(url, headers)
        if scheme != "file":
            raise _Refused(url, f"{scheme or 'relative'} URLs are never loaded (only files of the source, "
                                "the layout and fonts/)")
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise _Refused(url, "file: URLs on another host are never loaded")
        path = Path(url2pathname(unquote(parts.path)))
        real = self.allowed_path(path)
        if not real.exists() and path.suffix.lower() in FONT_SUFFIXES:
            real = self.bundled_font(url, path)
        if not real.exists():
            raise FileNotFoundError(f"no such file: {path}")  # WeasyPrint reports it as before
        if not real.is_file():
            raise _Refused(url, "not a regular file")
        if real.stat().st_size > MAX_FILE_BYTES:
            raise _Refused(url, f"larger than {MAX_FILE_BYTES // 2**20} MiB")
        mime = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
        data = real.read_bytes()
        if real.suffix.lower() not in FONT_SUFFIXES:  # fonts are no images (26 MB to hash at every render)
            self.digests[url] = hashlib.sha256(data).hexdigest()[:32]
        return URLFetcherResponse(url, data, {"Content-Type": mime})

    @staticmethod
    def bundled_font(url: str, path: Path) -> Path:
        """The bundled font a missing `fonts/NAME` stands for; any other missing font stops
        the build (the text would be set in a system font)."""
        from publish.project import fonts_dir

        bundled = fonts_dir() / path.name
        if path.parent.name == "fonts" and bundled.is_file():
            return bundled
        raise _Refused(url, "no such font file (a build never falls back to system fonts: "
                            f"name a file that exists, or one of {display_path(fonts_dir())})")

    # -- the EPUB writer's reads ----------------------------------------------------------
    def read_bytes(self, path: Path) -> bytes:
        try:
            real = self.allowed_path(path)
            if not real.is_file():
                raise _Refused(str(path), "not a regular file")
            if real.stat().st_size > MAX_FILE_BYTES:
                raise _Refused(str(path), f"larger than {MAX_FILE_BYTES // 2**20} MiB")
        except _Refused as refused:
            raise self.error(refused) from None
        return real.read_bytes()

    def read_text(self, path: Path) -> str:
        return self.read_bytes(path).decode("utf-8")

    # -- errors ---------------------------------------------------------------------
    def error(self, refused: _Refused) -> LoadRefused:
        where = self.locate(refused.url)
        who = where or (f"layout '{self.layout.name}'" if self.layout is not None else "build")
        return LoadRefused(f"{who}: refused to load {refused.url}: {refused.reason}")

    def locate(self, url: str) -> str | None:
        """`file:line` of the layout or source text that names `url` (or its file name)."""
        needles = [url]
        path = unquote(urlsplit(url).path) if "://" in url or url.startswith("file:") else url
        tail = [p for p in path.split("/") if p]
        if len(tail) >= 2:
            needles.append("/".join(tail[-2:]))
        if tail:
            needles.append(tail[-1])
        files = list(self.sources)
        if self.layout is not None:
            files += [f for folder in self.layout.chain for f in sorted(Path(folder).rglob("*"))
                      if f.suffix in TEXT_SUFFIXES and f.is_file()]
        for needle in needles:
            if len(needle) < 3:
                continue
            for file in files:
                try:
                    text = file.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    continue
                index = text.find(needle)
                if index >= 0:
                    return f"{display_path(file)}:{text.count(chr(10), 0, index) + 1}"
        return None


def fetcher_for(layout, sources=()) -> Fetcher:
    return Fetcher(default_roots(layout, sources), layout=layout, sources=sources)


class ImageNames(dict):
    """WeasyPrint's image cache (`render(cache=…)`), which renames each image it stores after
    its file's content. WeasyPrint names a PDF image after the MD5 of its URL, an absolute
    path: the same source built in another folder gave other bytes (a photo's XObject name)."""

    def __init__(self, fetcher: Fetcher):
        super().__init__()
        self.fetcher = fetcher

    def __setitem__(self, key, value):
        digest = self.fetcher.digests.get(key) if isinstance(key, str) else None
        if digest is not None and isinstance(getattr(value, "id", None), str):
            value.id = digest
        super().__setitem__(key, value)


def render(html: str, layout, sources=()):
    """WeasyPrint's Document for `html`, every load through the Fetcher; refusals and
    attachments end the build (LoadRefused, exit status 2)."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    fetcher = fetcher_for(layout, sources)
    try:
        page = weasyprint.HTML(string=html, base_url=Path(layout.chain[0]).as_uri() + "/", url_fetcher=fetcher)
        refuse_attachments(page, fetcher)
        document = page.render(font_config=FontConfiguration(), cache=ImageNames(fetcher))
    except _Refused as refused:
        raise fetcher.error(refused) from None
    if document.metadata.attachments or any(kind == "attachment" for p in document.pages for kind, *_ in p.links):
        raise fetcher.error(_Refused("an attachment", "PDF attachments are never embedded"))  # pragma: no cover
    return document


def refuse_attachments(page, fetcher: Fetcher) -> None:
    """A PDF never carries attachments: a `<link>` or `<a>` with rel="attachment" (as
    WeasyPrint parses the document) stops the build before anything is loaded."""
    for element in page.etree_element.iter():
        tag = str(element.tag).rsplit("}", 1)[-1].lower()
        rel = (element.get("rel") or "").lower().split()
        if tag in ("link", "a") and "attachment" in rel:
            raise _Refused(element.get("href") or "(no href)",
                           'PDF attachments (rel="attachment") are never embedded')

