"""Issue 14, item 4: a preflight that fails what it should. With no layout known,
`publish check FILE.pdf` checks against the press profile; `--profile screen` checks a
screen edition."""

from __future__ import annotations

import weasyprint

from publish.preflight import check_pdf, profile_expectations

from .conftest import ROOT, run_publish


def _red(tmp_path):
    path = tmp_path / "red.pdf"
    weasyprint.HTML(string='<p style="color:#f00">赤</p>').write_pdf(path)
    return path


def test_plain_rgb_pdf_fails_the_press_profile_by_default(tmp_path):
    path = _red(tmp_path)
    result = run_publish("check", str(path), cwd=tmp_path)    # no content/ here: no layout known
    assert result.returncode == 1, result.stdout
    assert "result: FAIL" in result.stdout
    failed = {line.split()[1] for line in result.stdout.splitlines() if line.strip().startswith("ERROR")}
    assert {"boxes", "colour", "output-intent"} <= failed, result.stdout
    assert "press profile" in result.stderr


def test_press_profile_wants_boxes_bleed_cmyk_pdfx_and_embedded_fonts(tmp_path):
    path = _red(tmp_path)
    report = check_pdf(path, profile_expectations("press"))
    messages = " | ".join(f.message for f in report.errors)
    assert "bleed" in messages and "RGB" in messages and "GTS_PDFX" in messages
    # a bleed of 1 mm is not enough for the press
    small = tmp_path / "small-bleed.pdf"
    weasyprint.HTML(string="<style>@page { size: A4; bleed: 1mm }</style><p>黒</p>").write_pdf(small)
    assert any("1.0 mm of bleed" in f.message for f in check_pdf(small, profile_expectations("press")).errors)


def test_built_print_pdf_passes_the_press_profile(sample_build):
    result = run_publish("check", str(sample_build["pdf"]), "--profile", "press")
    assert result.returncode == 0, result.stdout


def test_screen_profile(tmp_path, sample_build, shared_build):
    screen = shared_build(ROOT / "content" / "tokyo-ict-exchange.yaml", "screen-pdf")["path"]
    result = run_publish("check", str(screen), "--profile", "screen", "--strict")
    assert result.returncode == 0, result.stdout          # tagged, RGB allowed, no marks
    result = run_publish("check", str(screen), cwd=tmp_path)   # the -screen name picks the profile too
    assert result.returncode == 0, result.stdout
    result = run_publish("check", str(screen), "--profile", "press", cwd=tmp_path)
    assert result.returncode == 1                         # a screen PDF is no press PDF
    result = run_publish("check", str(_red(tmp_path)), "--profile", "screen", cwd=tmp_path)
    assert result.returncode == 1 and "not tagged" in result.stdout
    result = run_publish("check", str(sample_build["pdf"]), "--profile", "screen")
    assert result.returncode == 1
    assert "marks" in {line.split()[1] for line in result.stdout.splitlines() if line.strip().startswith("ERROR")}
