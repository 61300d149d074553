"""Preflight: a clean file passes, and each check fails on a PDF made to break it."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pikepdf
import pytest
from PIL import Image

from publish import press
from publish.preflight import CHECKS, Expectations, Severity, check_pdf
from publish.preflight.__main__ import main as preflight_main
from publish.press import PrintSettings

try:  # tests/ is a package on main, a plain folder on this branch
    from .test_press_samples import brochure, render
except ImportError:
    from test_press_samples import brochure, render

DATE = datetime(2026, 11, 26, 5, 0, tzinfo=timezone.utc)
EXPECT = Expectations.from_settings(PrintSettings())


@pytest.fixture(scope='module')
def good(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('good')
    raw = brochure(tmp, pages=4)
    data = press.finish(raw, PrintSettings(), slug_label='good.pdf', build_date=DATE)
    path = tmp / 'good.pdf'
    path.write_bytes(data)
    return path


def edited(good, tmp_path, edit):
    with pikepdf.open(good) as pdf:
        edit(pdf)
        path = tmp_path / 'broken.pdf'
        pdf.save(path)
    return path


def errors(report, name):
    return [f for f in report.by_check(name) if f.severity == Severity.ERROR]


def test_good_file_passes_every_check(good):
    report = check_pdf(good, EXPECT)
    assert report.ok, report.format()
    assert set(report.checks_run) == set(CHECKS)
    # the make-up audit judges the typesetting, which this press-stage sample does not use
    assert not [w for w in report.warnings if w.check != 'makeup'], report.format()
    text = report.format()
    assert 'result: PASS' in text and 'PDF/X-4' in text


def test_boxes_fail(good, tmp_path):
    def shrink_bleed(pdf):
        page = pdf.pages[1]
        trim = [float(v) for v in page.TrimBox]
        page.obj.BleedBox = pikepdf.Array([trim[0] - 1, trim[1] - 1, trim[2] + 1, trim[3] + 20])
        pdf.pages[2].obj.TrimBox = pikepdf.Array([-20, 0, 500, 800])
    report = check_pdf(edited(good, tmp_path, shrink_bleed), EXPECT)
    messages = [f.message for f in errors(report, 'boxes')]
    assert any('bleed is' in m and 'expected 3 mm' in m for m in messages), messages
    assert any('TrimBox is not inside the BleedBox' in m for m in messages), messages
    assert any('trim is' in m for m in messages), messages
    assert report.exit_status() == 1


def test_boxes_fail_on_weasyprint_capped_bleed(tmp_path):
    raw = render('<p>PAGE 1</p>', size='A5', bleed='5mm')
    path = tmp_path / 'raw.pdf'
    path.write_bytes(raw)
    report = check_pdf(path, Expectations(trim_mm=(148, 210), bleed_mm=5))
    assert any('expected 5 mm' in f.message for f in errors(report, 'boxes'))


def test_fonts_fail(good, tmp_path):
    def add_fonts(pdf):
        page = pdf.pages[0]
        page.Resources.Font.Helv = pikepdf.Dictionary(Type=pikepdf.Name.Font,
                                                      Subtype=pikepdf.Name.Type1,
                                                      BaseFont=pikepdf.Name.Helvetica)
        glyph = pdf.make_stream(b'500 0 0 0 500 500 d1 0 0 500 500 re f')
        page.Resources.Font.T3 = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type3,
            FontBBox=[0, 0, 500, 500], FontMatrix=[0.001, 0, 0, 0.001, 0, 0],
            CharProcs=pikepdf.Dictionary(a=glyph), Encoding=pikepdf.Dictionary(
                Type=pikepdf.Name.Encoding, Differences=[97, pikepdf.Name.a]),
            FirstChar=97, LastChar=97, Widths=[500]))
    report = check_pdf(edited(good, tmp_path, add_fonts), EXPECT)
    messages = [f.message for f in errors(report, 'fonts')]
    assert any('Helvetica' in m and 'not embedded' in m for m in messages), messages
    assert any('Type 3' in m for m in messages), messages


def test_colour_fails_on_rgb_operators_and_images(good, tmp_path):
    def add_rgb(pdf):
        page = pdf.pages[0]
        image = pikepdf.Stream(pdf, bytes([255, 0, 0] * 64 * 64))
        image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        image.Width = image.Height = 64
        image.ColorSpace, image.BitsPerComponent = pikepdf.Name.DeviceRGB, 8
        page.Resources.XObject.RgbImg = image
        page.contents_add(pdf.make_stream(
            b'q 1 0 0 rg 10 10 50 50 re f 0.2 0.4 0.6 RG 0 0 m 10 10 l S '
            b'10 0 0 10 100 100 cm /RgbImg Do Q'))
    report = check_pdf(edited(good, tmp_path, add_rgb), EXPECT)
    messages = [f.message for f in errors(report, 'colour')]
    assert any('rg operator' in m for m in messages), messages
    assert any('RG operator' in m for m in messages), messages
    assert any('image /RgbImg' in m for m in messages), messages


def test_colour_warns_on_rich_black_text(tmp_path):
    raw = render('<p style="color: device-cmyk(0.6 0.4 0.4 1)">PAGE 1 リッチブラック</p>', size='A5')
    data = press.finish(raw, PrintSettings.from_tokens({'trim': 'A5', 'pad_pages': False}),
                        slug_label='x')
    path = tmp_path / 'rich.pdf'
    path.write_bytes(data)
    report = check_pdf(path, Expectations(pdfx=True))
    assert any('rich black' in f.message and f.severity == Severity.WARNING
               for f in report.by_check('colour')), report.format()
    assert report.exit_status() == 0 and report.exit_status(strict=True) == 1


def test_output_intent_fails(good, tmp_path):
    def drop(pdf):
        del pdf.Root['/OutputIntents']
    report = check_pdf(edited(good, tmp_path, drop), EXPECT)
    assert any('no GTS_PDFX OutputIntent' in f.message for f in errors(report, 'output-intent'))

    def rgb_profile(pdf):
        pdf.Root.OutputIntents[0].DestOutputProfile = pdf.make_stream(
            b'\0' * 16 + b'RGB ' + b'\0' * 108)
    report = check_pdf(edited(good, tmp_path, rgb_profile), EXPECT)
    assert any('not CMYK' in f.message for f in errors(report, 'output-intent'))


def test_image_resolution_fails_and_warns(tmp_path):
    Image.new('RGB', (100, 100), (30, 120, 200)).save(tmp_path / 'low.png')    # 100 px over 50 mm
    Image.new('RGB', (400, 400), (30, 120, 200)).save(tmp_path / 'mid.png')    # 400 px over 50 mm
    Image.new('RGB', (800, 800), (30, 120, 200)).save(tmp_path / 'high.png')   # 800 px over 50 mm
    raw = render('<p>PAGE 1</p>' + ''.join(
        f'<img src="{name}.png" style="width: 50mm; height: 50mm">' for name in ('low', 'mid', 'high')),
        size='A4', base=tmp_path)
    path = tmp_path / 'images.pdf'
    path.write_bytes(raw)
    report = check_pdf(path, Expectations())
    found = {(f.severity, round(float(f.message.split(' has ')[1].split(' ')[0])))
             for f in report.by_check('images') if ' has ' in f.message}
    assert (Severity.ERROR, 51) in found        # 100 / (50 / 25.4)
    assert (Severity.WARNING, 203) in found
    assert (Severity.INFO, 406) in found


def test_page_count_fails(tmp_path):
    raw = brochure(tmp_path, pages=3)
    path = tmp_path / 'three.pdf'
    path.write_bytes(raw)
    report = check_pdf(path, Expectations(binding='saddle'))
    assert any('3 pages' in f.message for f in errors(report, 'page-count'))
    assert not errors(check_pdf(path, Expectations(binding=None)), 'page-count')


def test_safety_margin_fails(tmp_path):
    raw = render('<p>PAGE 1</p><p style="position: absolute; top: -17.5mm; left: 30mm; margin: 0; line-height: 1">'
                 'トンボに近すぎる文字</p>', size='A5')
    path = tmp_path / 'unsafe.pdf'
    path.write_bytes(raw)
    report = check_pdf(path, Expectations())
    [finding] = errors(report, 'safety')
    assert 'within 3 mm of the trim' in finding.message and 'トンボ' in finding.message


def test_transparency_fails_for_x1a(tmp_path):
    raw = render('<p style="opacity: .4">PAGE 1 透明</p>', size='A5')
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        pdf.docinfo.GTS_PDFXVersion = pikepdf.String('PDF/X-1:2001')
        path = tmp_path / 'x1a-transparent.pdf'
        pdf.save(path)
    report = check_pdf(path, Expectations())
    assert any('no transparency' in f.message for f in errors(report, 'transparency'))


def test_annotations_fail_in_pdfx(good, tmp_path):
    def link(pdf):
        pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[100, 100, 200, 120])]))
    report = check_pdf(edited(good, tmp_path, link), EXPECT)
    assert errors(report, 'annotations')


def test_not_a_pdf(tmp_path):
    path = tmp_path / 'nope.pdf'
    path.write_bytes(b'hello')
    report = check_pdf(path)
    assert not report.ok and report.exit_status() == 1


def test_command_line(good, capsys):
    assert preflight_main([str(good), '--trim', 'A4', '--bleed', '3', '--binding', 'saddle']) == 0
    out = capsys.readouterr().out
    assert 'result: PASS' in out


def test_bleed_fails_when_background_stops_at_the_trim(tmp_path):
    # a full-page background that ends at the trim (an @page background image, or a box
    # sized to the page without the bleed)
    raw = render('<div style="position: absolute; top: -18mm; left: -16mm; width: 148mm;'
                 ' height: 210mm; background: device-cmyk(0 0.8 0.8 0)"></div><p>PAGE 1</p>',
                 size='A5')
    data = press.finish(raw, PrintSettings.from_tokens({'trim': 'A5', 'pad_pages': False}),
                        slug_label='x')
    path = tmp_path / 'short.pdf'
    path.write_bytes(data)
    report = check_pdf(path, Expectations(trim_mm=(148, 210), bleed_mm=3))
    [finding] = errors(report, 'bleed')
    assert all(side in finding.message for side in ('left', 'right', 'top', 'bottom'))


def test_resolution_of_css_background_images(tmp_path):
    """WeasyPrint paints CSS backgrounds through tiling patterns: the placed size comes
    from the pattern matrix."""
    Image.new('RGB', (100, 50), (30, 120, 200)).save(tmp_path / 'bg.png')   # 100 px over 100 mm
    raw = render('<p>PAGE 1</p><div style="width: 100mm; height: 50mm; background: url(bg.png) '
                 'no-repeat 0 0 / 100mm 50mm"></div>', size='A4', base=tmp_path)
    path = tmp_path / 'bg.pdf'
    path.write_bytes(raw)
    report = check_pdf(path, Expectations())
    [finding] = [f for f in report.by_check('images') if ' has ' in f.message]
    assert finding.severity == Severity.ERROR and ' has 25 ppi' in finding.message, finding


def test_ink_warns_on_heavy_colours(tmp_path):
    raw = render('<p style="color: device-cmyk(0.9 0.9 0.9 1)">PAGE 1 四色ベタ</p>', size='A5')
    path = tmp_path / 'ink.pdf'
    path.write_bytes(raw)
    [finding] = check_pdf(path, Expectations()).by_check('ink')
    assert finding.severity == Severity.WARNING and "370%" in finding.message
