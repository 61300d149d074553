"""Issue 14, item 2: print ink rules. K100 text and rules overprint (fill overprint, /OPM 1),
small text uses at most two process inks in the built-in layouts, and preflight warns
about both. The overprint is proven on Ghostscript's separations: no white holes in the
cyan plate under black text on a tint."""

from __future__ import annotations

import importlib
import shutil
import subprocess

import pikepdf
import pytest
import weasyprint
from PIL import Image, ImageFilter

from publish import press
from publish.preflight import check_pdf
from publish.preflight.facts import read_facts

from .conftest import ROOT, run_publish, sample_text

FINISH = importlib.import_module("publish.press.finish")


def _k100_runs(path):
    with pikepdf.open(path) as pdf:
        pages, _ = read_facts(pdf)
    return [run for page in pages for run in page.text_runs
            if run.kind == "cmyk" and tuple(round(v, 3) for v in run.values) == (0, 0, 0, 1)]


def test_k100_text_overprints_in_the_print_pdf(sample_build):
    runs = _k100_runs(sample_build["pdf"])
    assert len(runs) > 100
    assert all(run.overprint for run in runs), sum(not r.overprint for r in runs)
    with pikepdf.open(sample_build["pdf"]) as pdf:
        states = [g for page in pdf.pages for g in (page.obj.Resources.get("/ExtGState") or {}).values()
                  if g.get("/op") is True]
        assert states and all(int(g.OPM) == 1 for g in states)
    report = check_pdf(sample_build["pdf"])
    assert not report.by_check("overprint") or all(f.severity == 0 for f in report.by_check("overprint"))


def _separations(pdf_path, page, out_dir):
    prefix = out_dir / f"p{page}"
    subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiffsep", "-r100",
                    f"-dFirstPage={page}", f"-dLastPage={page}", "-dOverprint=/enable",
                    f"-sOutputFile={prefix}.tif", str(pdf_path)], check=True, timeout=120)
    return (Image.open(f"{prefix}(Black).tif").convert("L"), Image.open(f"{prefix}(Cyan).tif").convert("L"))


def _holes(black, cyan):
    """Pixels of solid black that sit on cyan ink nearby, and how many of them have no cyan."""
    near = cyan.filter(ImageFilter.MinFilter(7)).load()   # 0 = full ink in tiffsep plates
    k, c = black.load(), cyan.load()
    over = holes = 0
    for y in range(black.height):
        for x in range(black.width):
            if 255 - k[x, y] > 230 and 255 - near[x, y] > 15:
                over += 1
                holes += 255 - c[x, y] < 5
    return over, holes


@pytest.mark.skipif(not shutil.which("gs"), reason="Ghostscript (gs) is not installed (.ci/run installs it)")
def test_cyan_plate_has_no_holes_under_black_text(sample_build, tmp_path, monkeypatch):
    # the same page knocked out, for contrast: the measure must see the holes there
    from publish.app.build import layout_for, load
    from publish.writers.pdf import print_settings, render_document
    from publish.typeset_ja import weasyprint as jlreq

    monkeypatch.setattr(FINISH, "apply_overprint", lambda pdf: 0)
    doc = load(ROOT / "content" / "tokyo-ict-exchange.yaml")
    layout = layout_for(doc)
    with jlreq.installed():
        raw = render_document(doc, layout).write_pdf()
    knockout = tmp_path / "knockout.pdf"
    knockout.write_bytes(press.finish(raw, print_settings(layout), slug_label="x.pdf"))
    over_k, holes_k = _holes(*_separations(knockout, 2, tmp_path))
    over, holes = _holes(*_separations(sample_build["pdf"], 2, tmp_path))
    assert over_k > 1000 and holes_k > over_k // 3      # knocked out: white glyph holes in cyan
    assert over > 1000 and holes == 0                     # overprinted: none


def _finished(tmp_path, html, overprint=True, monkeypatch=None):
    if not overprint:
        monkeypatch.setattr(FINISH, "apply_overprint", lambda pdf: 0)
    raw = weasyprint.HTML(string=html).write_pdf()
    path = tmp_path / "probe.pdf"
    path.write_bytes(press.finish(raw, press.PrintSettings(), slug_label="probe.pdf"))
    return path


PAGE = "<style>@page { size: A4; bleed: 3mm; margin: 20mm } body { font-size: 9pt }</style>"


def test_preflight_warns_about_small_text_in_three_inks(tmp_path):
    path = _finished(tmp_path, PAGE + '<p style="color: device-cmyk(1 0.55 0 0.1)">質問の文字</p>'
                                      '<p style="color: device-cmyk(1 0.55 0 0); font-size: 9pt">二色</p>'
                                      '<p style="color: device-cmyk(1 0.55 0 0.1); font-size: 14pt">大きい見出し</p>')
    findings = check_pdf(path).by_check("small-text-inks")
    assert len(findings) == 1 and findings[0].severity == 1
    assert "9 pt text in 3 process inks" in findings[0].message


def test_preflight_warns_about_knocked_out_black_text(tmp_path, monkeypatch):
    html = PAGE + '<p style="background: device-cmyk(0.12 0.04 0 0); color: device-cmyk(0 0 0 1)">黒文字</p>'
    knocked = check_pdf(_finished(tmp_path, html, overprint=False, monkeypatch=monkeypatch))
    assert [f.severity for f in knocked.by_check("overprint")] == [1]
    assert "knock out" in knocked.by_check("overprint")[0].message
    monkeypatch.undo()
    fine = check_pdf(_finished(tmp_path, html))
    assert all(f.severity == 0 for f in fine.by_check("overprint"))


@pytest.mark.parametrize("layout", ["brochure", "booklet", "brochure-b5"])
def test_builtin_layouts_keep_small_text_in_two_inks(shared_build, layout):
    flags = () if layout == "brochure" else ("--layout", layout)  # the sample's own layout: the run's shared build
    path = shared_build(ROOT / "content" / "tokyo-ict-exchange.yaml", "pdf", *flags)["path"]
    with pikepdf.open(path) as pdf:
        pages, _ = read_facts(pdf)
    small = [run for page in pages for run in page.text_runs if run.kind == "cmyk" and run.size_pt < 12]
    assert len(small) > 50
    assert all(sum(v > 0.005 for v in run.values) <= 2 for run in small), \
        {(r.size_pt, r.values) for r in small if sum(v > 0.005 for v in r.values) > 2}
    assert not check_pdf(path).by_check("small-text-inks")


def test_accent_small_token_chooses_the_small_text_colour(tmp_path, content_dir):
    source = sample_text()  # its first section: questions and labels under 12pt
    source += '\nstyle:\n  colors:\n    accent-small: { cmyk: [0, 100, 100, 0], rgb: "#e60012" }\n'
    (content_dir / "red.yaml").write_text(source, "utf-8")
    for image in (ROOT / "content" / "images").glob("*"):
        shutil.copy(image, content_dir / "images" / image.name)
    result = run_publish("build", str(content_dir / "red.yaml"), "--format", "pdf", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    with pikepdf.open(tmp_path / "red.pdf") as pdf:
        pages, _ = read_facts(pdf)
    colours = {tuple(round(v, 2) for v in run.values) for page in pages for run in page.text_runs
               if run.kind == "cmyk" and run.size_pt < 12}
    assert (0.0, 1.0, 1.0, 0.0) in colours
