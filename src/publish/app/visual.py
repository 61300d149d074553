"""Visual regression: the sample's pages in each built-in layout, rendered at low
resolution and compared with reference PNGs kept in `tests/reference/<layout>/`.

    python -m publish.app.visual refresh [--force] [--out tests/reference] [LAYOUT ...]   (make references)
    python -m publish.app.visual check   [--out tests/reference] [LAYOUT ...]

A page "changed" when more than PIXEL_SHARE of its pixels differ by more than
PIXEL_DELTA in some channel: antialiasing noise passes, a moved line or a changed colour
does not.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops

from publish.errors import PublishError
from publish.layout import available_layouts, project_root

DPI = 36  # A4 → 298 × 421 px; enough to see every line, small enough to keep in git
PIXEL_DELTA = 48  # per-channel difference that counts as a changed pixel (0–255)
PIXEL_SHARE = 0.002  # share of changed pixels a page may have (0.2 %)
BUILTIN = ("brochure", "booklet", "brochure-b5", "tategaki")


def reference_dir() -> Path:
    return project_root() / "tests" / "reference"


def sample_source() -> Path:
    return project_root() / "content" / "tokyo-ict-exchange.yaml"


def render_pages(layout: str, source: Path | None = None, dpi: int = DPI) -> list[Image.Image]:
    """The source built as a PDF in `layout` (exactly what `publish build` writes),
    rasterised page by page, trim and bleed only."""
    from publish.app import build as builder

    doc = builder.load(source or sample_source(), layout)
    return rasterise(builder.make_bytes(doc, builder.layout_for(doc, layout), "pdf"), dpi)  # notes to stderr


def rasterise(data: bytes, dpi: int = DPI) -> list[Image.Image]:
    """A built print PDF's pages at `dpi`, trim and bleed only."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return [page.render(scale=dpi / 72, crop=_to_bleed(page)).to_pil().convert("RGB") for page in pdf]
    finally:
        pdf.close()


def _to_bleed(page) -> tuple[float, float, float, float]:
    """How much to crop from each side so that the trim and its bleed are rendered, not
    the trim marks or the slug line (which carries the build date)."""
    left, bottom, right, top = page.get_cropbox()
    b_left, b_bottom, b_right, b_top = page.get_bleedbox()
    return (max(0.0, b_left - left), max(0.0, b_bottom - bottom), max(0.0, right - b_right), max(0.0, top - b_top))


@dataclass(frozen=True)
class PageDiff:
    page: int  # 1-based
    share: float  # of pixels that changed
    box: tuple | None  # bounding box of the change, in pixels

    def describe(self, layout: str) -> str:
        where = f" around x={self.box[0]}–{self.box[2]}, y={self.box[1]}–{self.box[3]} px" if self.box else ""
        return f"{layout}: page {self.page} changed: {self.share:.2%} of its pixels differ{where}"


def compare(current: Image.Image, reference: Image.Image, page: int) -> PageDiff | None:
    if current.size != reference.size:
        return PageDiff(page, 1.0, None)
    diff = ImageChops.difference(current.convert("RGB"), reference.convert("RGB"))
    mask = diff.convert("L").point(lambda v: 255 if v * 3 > PIXEL_DELTA else 0)  # L ≈ mean of channels
    changed = mask.histogram()[255]
    share = changed / (current.width * current.height)
    if share <= PIXEL_SHARE:
        return None
    return PageDiff(page, share, mask.getbbox())


def reference_pages(layout: str, root: Path | None = None) -> list[Path]:
    folder = (root or reference_dir()) / layout
    return sorted(folder.glob("page-*.png"))


def check(layout: str, root: Path | None = None, diff_dir: Path | None = None) -> list[str]:
    """Problems (empty when the pages match), each naming the layout and page."""
    refs = reference_pages(layout, root)
    if not refs:
        return [f"{layout}: no reference pages in {(root or reference_dir()) / layout}; run `make references`"]
    pages = render_pages(layout)
    problems = []
    if len(pages) != len(refs):
        problems.append(f"{layout}: {len(pages)} pages now, {len(refs)} in the reference")
    for number, (page, ref_path) in enumerate(zip(pages, refs), start=1):
        with Image.open(ref_path) as ref:
            found = compare(page, ref, number)
            if found:
                message = found.describe(layout)
                if diff_dir is not None:
                    diff_dir.mkdir(parents=True, exist_ok=True)
                    side = Image.new("RGB", (page.width * 2 + 8, page.height), "red")
                    side.paste(ref.convert("RGB"), (0, 0))
                    side.paste(page, (page.width + 8, 0))
                    target = diff_dir / f"{layout}-page-{number:02d}.png"
                    side.save(target)
                    message += f" (reference | now: {target})"
                problems.append(message)
    return problems


def refresh(layout: str, root: Path | None = None, force: bool = False) -> tuple[int, list[int]]:
    """Rewrite the layout's reference pages that changed beyond the tolerance (every page
    with `force`); returns (page count, pages rewritten or removed)."""
    folder = (root or reference_dir()) / layout
    pages = render_pages(layout)  # render first: a failed build leaves the old references
    folder.mkdir(parents=True, exist_ok=True)
    changed = []
    for number, page in enumerate(pages, start=1):
        target = folder / f"page-{number:02d}.png"
        if target.exists() and not force:
            with Image.open(target) as old:
                if compare(page, old, number) is None:
                    continue
        tmp = target.with_suffix(".png.part")
        page.save(tmp, format="PNG", optimize=True)
        tmp.replace(target)
        changed.append(number)
    for stale in folder.glob("page-*.png"):
        if int(stale.stem.split("-")[1]) > len(pages):
            stale.unlink()
            changed.append(int(stale.stem.split("-")[1]))
    return len(pages), changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m publish.app.visual", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("refresh", "check"))
    parser.add_argument("layouts", nargs="*", metavar="LAYOUT", help=f"default: {', '.join(BUILTIN)}")
    parser.add_argument("--out", type=Path, default=None, help="reference folder (default: tests/reference)")
    parser.add_argument("--force", action="store_true", help="refresh: rewrite every page, not only changed ones")
    args = parser.parse_intermixed_args(argv)
    names = args.layouts or [name for name in BUILTIN if name in available_layouts()]
    status = 0
    for name in names:
        try:
            status = max(status, _run(args.action, name, args.out, args.force))
        except PublishError as exc:  # a broken layout or sample: say where, keep the old references
            print(f"{name}: {exc}", file=sys.stderr)
            status = 2
    return status


def _run(action: str, name: str, out: Path | None, force: bool = False) -> int:
    if action == "refresh":
        count, changed = refresh(name, out, force)
        what = f"pages {', '.join(map(str, changed))} rewritten" if changed else "unchanged"
        print(f"{name}: {count} pages, {what}", file=sys.stderr)
        return 0
    problems = check(name, out)
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"{name}: matches", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
