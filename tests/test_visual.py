"""Visual regression: the sample in every built-in layout against tests/reference/.

A page beyond the tolerance fails with its layout and number, and a side-by-side image
(reference | now) is written next to the test's temporary files. After an intended change
run `make references` and commit the new pages."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from publish.app import visual

REAL = visual.render_pages  # the in-process build `make references` uses


@pytest.fixture(scope="module", autouse=True)
def render_once(shared_build):
    """Each layout's sample pages come from the run's shared `publish build SAMPLE --layout
    NAME` (other modules check the same PDFs; the builds are deterministic, see
    test_standards_reproducible), rasterised once for this module."""
    pages = {}

    def render_pages(layout, source=None, dpi=visual.DPI):
        assert source is None  # the sample, as `make references` renders it
        if (layout, dpi) not in pages:
            flags = () if layout == "brochure" else ("--layout", layout)  # the sample's own layout: no flag
            pdf = shared_build(visual.sample_source(), "pdf", *flags)["path"]
            pages[layout, dpi] = visual.rasterise(pdf.read_bytes(), dpi)
        return [page.copy() for page in pages[layout, dpi]]

    patch = pytest.MonkeyPatch()
    patch.setattr(visual, "render_pages", render_pages)
    yield
    patch.undo()


def test_the_shared_build_is_what_make_references_renders(shared_build):
    """The module's stand-in (the shared CLI build) draws the pages `make references` draws."""
    built = visual.rasterise(shared_build(visual.sample_source(), "pdf", "--layout", "booklet")["path"].read_bytes())
    real = REAL("booklet")
    assert len(real) == len(built)
    assert [visual.compare(a, b, n) for n, (a, b) in enumerate(zip(real, built), 1)] == [None] * len(built)


@pytest.mark.parametrize("layout", visual.BUILTIN)
def test_pages_match_the_references(layout, tmp_path):
    problems = visual.check(layout, diff_dir=tmp_path / "visual-diff")
    assert not problems, "\n".join(problems) + "\nIf the change is intended: make references"


def test_a_changed_page_is_named(tmp_path):
    """Compare against a copy of the references with one page altered."""
    layout = "booklet"
    copy = tmp_path / "reference" / layout
    copy.mkdir(parents=True)
    pages = visual.reference_pages(layout)
    for path in pages:
        (copy / path.name).write_bytes(path.read_bytes())
    page3 = copy / "page-03.png"
    with Image.open(page3) as image:
        image = image.convert("RGB")
    ImageDraw.Draw(image).rectangle((20, 40, 120, 90), fill="black")  # a block of text gone dark
    image.save(page3)
    (copy / pages[-1].name).unlink()
    problems = visual.check(layout, root=tmp_path / "reference", diff_dir=tmp_path / "diff")
    assert any(p.startswith("booklet: page 3 changed") for p in problems), problems
    n = len(pages)
    assert any(f"{n} pages now, {n - 1} in the reference" in p for p in problems), problems
    assert not any("page 2 " in p for p in problems), problems
    assert (tmp_path / "diff" / "booklet-page-03.png").is_file()


def test_antialiasing_noise_is_tolerated():
    page = visual.reference_pages("brochure")[1]
    with Image.open(page) as image:
        image = image.convert("RGB")
    noisy = image.point(lambda v: min(255, v + 6))  # a slightly different rasteriser
    assert visual.compare(noisy, image, 2) is None


def test_refresh_rewrites_only_changed_pages_and_drops_stale_ones(tmp_path):
    root = tmp_path / "reference"
    count, changed = visual.refresh("brochure-b5", root)
    assert changed == list(range(1, count + 1))
    (root / "brochure-b5" / f"page-{count + 1:02d}.png").write_bytes(
        (root / "brochure-b5" / "page-01.png").read_bytes())
    again, changed = visual.refresh("brochure-b5", root)
    assert again == count and changed == [count + 1]
    assert len(visual.reference_pages("brochure-b5", root)) == count
