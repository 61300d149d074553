"""The print stage: boxes, Japanese trim marks, CMYK, PDF/X, page counts."""

from __future__ import annotations

import io
import re
from datetime import datetime, timezone

import pikepdf
import pypdfium2 as pdfium
import pytest

from publish import press
from publish.press import MM, PressError, PrintSettings, SettingsError
from publish.press.color import ColorConverter, convert_content
from publish.press.marks import mark_length, trim_marks
from publish.preflight import Expectations, check_pdf

try:  # tests/ is a package on main, a plain folder on this branch
    from .test_press_samples import all_content, brochure, page_texts, render
except ImportError:
    from test_press_samples import all_content, brochure, page_texts, render

DATE = datetime(2026, 11, 26, 5, 0, tzinfo=timezone.utc)


@pytest.fixture(scope='module')
def a4(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('a4')
    return tmp, brochure(tmp, pages=8)


@pytest.fixture(scope='module')
def finished(a4):
    _, raw = a4
    return press.finish(raw, PrintSettings(), slug_label='sample.pdf', build_date=DATE)


def boxes(data: bytes, page: int = 0) -> dict[str, list[float]]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        obj = pdf.pages[page].obj
        return {key: [round(float(v), 3) for v in obj[key]]
                for key in ('/MediaBox', '/BleedBox', '/TrimBox') if key in obj}


def grow(box, by):
    return pytest.approx([box[0] - by, box[1] - by, box[2] + by, box[3] + by], abs=0.003)


# ---------------------------------------------------------------- boxes

def test_boxes_a4_3mm(finished):
    b = boxes(finished)
    assert b['/TrimBox'] == pytest.approx([0, 0, 595.276, 841.89], abs=0.002)
    assert b['/BleedBox'] == grow(b['/TrimBox'], 8.504)
    assert b['/MediaBox'] == grow(b['/BleedBox'], 34.016)  # 12 mm slug


@pytest.mark.parametrize('size,trim_mm', [('A5', (148, 210)), ('182mm 257mm', (182, 257))])
def test_boxes_5mm_bleed_beyond_weasyprint_cap(tmp_path, size, trim_mm):
    raw = render('<p>PAGE 1 東京</p>', size=size, bleed='5mm')
    # WeasyPrint caps the BleedBox at 10 pt; the print stage makes it exact
    assert boxes(raw)['/BleedBox'] == grow(boxes(raw)['/TrimBox'], 10)
    settings = PrintSettings.from_tokens({'trim': list(trim_mm), 'bleed': 5, 'binding': 'perfect',
                                          'pad_pages': True})
    out = press.finish(raw, settings, slug_label='x.pdf', build_date=DATE)
    b = boxes(out)
    assert b['/TrimBox'] == pytest.approx([0, 0, trim_mm[0] * MM, trim_mm[1] * MM], abs=0.002)
    assert b['/BleedBox'] == grow(b['/TrimBox'], 5 * MM)
    assert 5 * MM > 10
    report = check_pdf_bytes(out, tmp_path, Expectations.from_settings(settings))
    assert report.ok, report.format()


def test_trim_mismatch_is_refused(a4):
    _, raw = a4
    with pytest.raises(PressError, match='trim size'):
        press.finish(raw, PrintSettings.from_tokens({'trim': 'A5'}), slug_label='x')


def test_settings_validation():
    with pytest.raises(SettingsError, match='ambiguous'):
        PrintSettings.from_tokens({'trim': 'B5'})
    with pytest.raises(SettingsError, match='unknown print setting'):
        PrintSettings.from_tokens({'bleeds': 3})
    with pytest.raises(SettingsError, match='pdf_variant'):
        PrintSettings(pdf_variant='pdf/x-3')
    s = PrintSettings.from_tokens({'trim': 'JIS-B5', 'bleed': '5mm'})
    assert (s.trim_width_mm, s.trim_height_mm, s.bleed_mm) == (182, 257, 5)
    assert s.css_page_rule == '@page { size: 182mm 257mm; bleed: 5mm; }'
    s = PrintSettings.from_tokens({'trim': '148mm 210mm', 'bleed': '3mm', 'binding': 'perfect'})
    assert (s.trim_width_mm, s.trim_height_mm, s.page_multiple) == (148, 210, 2)


# ---------------------------------------------------------------- marks

def _segments(ops: bytes):
    """(x0, y0, x1, y1) segments from 'x y m x y l ... S' paths."""
    segments = []
    for path in re.findall(rb'([-\d. ]+ m(?: [-\d. ]+ l)+) S', ops):
        numbers = [float(v) for v in re.findall(rb'-?[\d.]+', path)]
        points = list(zip(numbers[::2], numbers[1::2]))
        segments += [(*a, *b) for a, b in zip(points, points[1:])]
    return segments


@pytest.mark.parametrize('bleed_mm', [3, 5])
def test_marks_lie_outside_the_bleed_box(bleed_mm):
    trim = (0.0, 0.0, 595.276, 841.89)
    bleed, slug, width = bleed_mm * MM, 12 * MM, 0.25
    ops = trim_marks(trim, bleed, slug, width)
    assert b'1 1 1 1 K' in ops and b'0.25 w' in ops
    segments = _segments(ops)
    # 4 corners × (outer L = 2 segments + 2 trim lines) + 4 centre crosses × 2
    assert len(segments) == 4 * 4 + 4 * 2
    bx0, by0, bx1, by1 = trim[0] - bleed, trim[1] - bleed, trim[2] + bleed, trim[3] + bleed
    h = width / 2 - 1e-3
    for x0, y0, x1, y1 in segments:
        # the stroked rectangle of the segment (butt caps) must not enter the bleed box
        if y0 == y1:   # horizontal
            rect = (min(x0, x1), y0 - h, max(x0, x1), y0 + h)
        else:
            rect = (x0 - h, min(y0, y1), x0 + h, max(y0, y1))
        inside = rect[0] < bx1 - 1e-3 and rect[2] > bx0 + 1e-3 and rect[1] < by1 - 1e-3 and rect[3] > by0 + 1e-3
        assert not inside, (x0, y0, x1, y1)
    # trim lines and bleed lines are both marked at every corner
    xs = {round(s[0], 2) for s in segments if s[0] == s[2]}
    assert {0.0, 595.28, round(bx0 - width / 2, 2), round(bx1 + width / 2, 2)} <= xs
    assert mark_length(slug) == pytest.approx(10 * MM)


def test_marks_drawn_last_in_registration_colour(finished):
    with pikepdf.open(io.BytesIO(finished)) as pdf:
        for page in pdf.pages:
            contents = page.obj.Contents
            assert isinstance(contents, pikepdf.Array)
            first, last = contents[0].read_bytes(), contents[-1].read_bytes()
            assert first.strip() == b'q'
            assert last.startswith(b'Q\nq\n') and b'1 1 1 1 K' in last and b'1 1 1 1 k' in last


def test_marks_and_bleed_render(finished, tmp_path):
    """The rendered first page: cover colour reaches the bleed edge, the slug is white,
    and a dark mark line crosses the slug at the trim's x position."""
    pdf = pdfium.PdfDocument(finished)
    page = pdf[0]
    scale = 150 / 72
    image = page.render(scale=scale).to_pil().convert('RGB')
    media = page.get_mediabox()

    def pixel(x_pt, y_pt):  # PDF user space → image pixel
        return image.getpixel((int((x_pt - media[0]) * scale), int((media[3] - y_pt) * scale)))

    bleed = 3 * MM
    cover = pixel(-bleed + 0.8, 400)        # inside the bleed, left edge
    assert cover[2] > 150 and cover[0] < 120, cover   # cyan-ish cover background
    assert pixel(-bleed - 3, 400)[0] > 240            # white outside the bleed
    mark = pixel(0.0, 841.89 + bleed + 10)            # trim line in the top slug
    assert sum(mark) < 300, mark
    image.save(tmp_path / 'page1.png')


def test_marks_off_and_slug_text(a4):
    _, raw = a4
    out = press.finish(raw, PrintSettings(marks=False, slug_text=False, slug_mm=0),
                       slug_label='x', build_date=DATE)
    b = boxes(out)
    assert b['/MediaBox'] == b['/BleedBox']
    assert not any(b'1 1 1 1 K' in c for c in all_content(out))


# ---------------------------------------------------------------- colour

def test_content_converter_unit():
    conv = ColorConverter(press.DEFAULT_ICC_PROFILE)
    out = convert_content(b'0 0 0 rg 0.2 0.2 0.2 RG q /DeviceRGB cs 1 0 0 sc Q 0.5 0.5 0.5 scn',
                          conv).data
    tokens = out.split()
    assert b'rg' not in tokens and b'RG' not in tokens
    assert b'0 0 0 1 k' in b' '.join(tokens)
    assert b'0 0 0 0.8 K' in b' '.join(tokens)
    assert b'/DeviceCMYK cs' in out
    # after Q the fill space is DeviceGray again: "0.5 0.5 0.5 scn" is left alone
    assert out.rstrip().endswith(b'0.5 0.5 0.5 scn')
    c, m, y, k = conv.rgb(1, 0, 0)
    assert m > 0.9 and y > 0.9 and c < 0.05 and k < 0.05


def test_no_rgb_left_and_black_text_is_k100(finished):
    for content in all_content(finished):
        assert not re.search(rb'\b(rg|RG)\b', content), content[:200]
    joined = b'\n'.join(all_content(finished))
    assert b'/DeviceCMYK cs\n0 0 0 1 scn' in joined   # device-cmyk(0 0 0 1) passes through
    with pikepdf.open(io.BytesIO(finished)) as pdf:
        images = [o for o in pdf.objects if isinstance(o, pikepdf.Stream)
                  and o.get('/Subtype') == '/Image' and '/ImageMask' not in o]
        assert images
        for image in images:
            assert image.ColorSpace in (pikepdf.Name.DeviceCMYK, pikepdf.Name.DeviceGray)
        [intent] = pdf.Root.OutputIntents
        assert intent.S == '/GTS_PDFX'
        assert intent.DestOutputProfile.read_bytes()[16:20] == b'CMYK'
        assert str(pdf.docinfo.GTS_PDFXVersion) == 'PDF/X-4'
        assert pdf.pdf_version == '1.6'
        xmp = pdf.Root.Metadata.read_bytes()
        assert b'<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>' in xmp
        assert b'RenditionClass' in xmp and b'DocumentID' in xmp
        assert '/Annots' not in pdf.pages[0].obj


def test_rgb_black_text_becomes_k100(tmp_path):
    raw = render('<p style="color: black">PAGE 1 黒い文字</p><p style="color: #333">灰色</p>',
                 size='A5')
    out = press.finish(raw, PrintSettings.from_tokens({'trim': 'A5'}), slug_label='k.pdf')
    joined = b'\n'.join(all_content(out))
    assert b'0 0 0 1 k' in joined and b'0 0 0 0.8 k' in joined
    from publish.preflight.facts import read_facts
    with pikepdf.open(io.BytesIO(out)) as pdf:
        pages, _ = read_facts(pdf)
    assert pages[0].text_colours <= {('cmyk', (0.0, 0.0, 0.0, 1.0)), ('cmyk', (0.0, 0.0, 0.0, 0.8))}


def test_finished_pdf_passes_preflight(finished, tmp_path):
    report = check_pdf_bytes(finished, tmp_path, Expectations.from_settings(PrintSettings()))
    assert report.ok, report.format()
    assert report.pages == 8


def test_text_survives_finish(finished):
    texts = page_texts(finished)
    assert 'PAGE 5' in texts[4] and '東京都は職員の育成' in texts[4]


def test_finish_is_reproducible(a4):
    _, raw = a4
    one = press.finish(raw, PrintSettings(), slug_label='s.pdf', build_date=DATE)
    two = press.finish(raw, PrintSettings(), slug_label='s.pdf', build_date=DATE)
    assert one == two


# ---------------------------------------------------------------- PDF/X-1a

def test_x1a_refuses_transparency(tmp_path):
    raw = render('<p style="opacity: .5">PAGE 1 半透明</p>', size='A5')
    with pytest.raises(PressError, match='opacity 0.5'):
        press.finish(raw, PrintSettings(trim_width_mm=148, trim_height_mm=210,
                                        pdf_variant='pdf/x-1a'), slug_label='x')


def test_x1a_without_transparency(tmp_path):
    raw = brochure(tmp_path, pages=4, size='A5')
    settings = PrintSettings.from_tokens({'trim': 'A5', 'pdf_variant': 'pdf/x-1a'})
    out = press.finish(raw, settings, slug_label='x1a.pdf', build_date=DATE)
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert pdf.pdf_version == '1.3'
        assert str(pdf.docinfo.GTS_PDFXConformance) == 'PDF/X-1a:2001'
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary):
                assert '/SMask' not in obj or obj.get('/SMask') == pikepdf.Name('/None')
                assert obj.get('/S') != '/Transparency'
    report = check_pdf_bytes(out, tmp_path, Expectations.from_settings(settings))
    assert report.ok, report.format()


# ---------------------------------------------------------------- page counts

@pytest.mark.parametrize('count,saddle,perfect', [(1, 3, 1), (4, 0, 0), (5, 3, 1), (6, 2, 0),
                                                  (8, 0, 0), (10, 2, 0), (13, 3, 1)])
def test_blank_pages_needed(count, saddle, perfect):
    assert press.blank_pages_needed(count, 'saddle') == saddle
    assert press.blank_pages_needed(count, 'perfect') == perfect


def test_finish_pads_before_back_cover(tmp_path):
    raw = brochure(tmp_path, pages=6)
    out, report = press.finish_with_report(raw, PrintSettings(), slug_label='x', build_date=DATE)
    assert report.blank_pages_added == 2
    assert 'inserted 2 blank pages before the back cover' in report.notes[0]
    texts = page_texts(out)
    assert len(texts) == 8
    assert 'PAGE 5' in texts[4] and 'PAGE 6' in texts[7]
    assert 'PAGE' not in texts[5] and 'PAGE' not in texts[6]
    # the blank pages carry the boxes and the marks too
    assert boxes(out, 5) == boxes(out, 4)


def check_pdf_bytes(data: bytes, tmp_path, expect):
    path = tmp_path / 'check.pdf'
    path.write_bytes(data)
    return check_pdf(path, expect)


def test_gradient_opacity_and_link_converted_for_x4(tmp_path):
    raw = render('<p>PAGE 1 <a href="https://example.com/">リンク</a></p>'
                 '<div style="opacity: .5; height: 20mm; color: rgb(0, 80, 160);'
                 ' background: linear-gradient(rgb(255, 0, 0), rgb(0, 0, 255))">透明なグラデーション</div>'
                 '<div style="height: 10mm; border: 2px dotted rgb(0, 128, 0)"></div>', size='A5')
    out, report = press.finish_with_report(
        raw, PrintSettings.from_tokens({'trim': 'A5', 'pad_pages': False}), slug_label='g.pdf')
    assert report.shadings_converted >= 1 and report.annotations_removed == 1
    for content in all_content(out):
        assert not re.search(rb'\b(rg|RG)\b', content)
    with pikepdf.open(io.BytesIO(out)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and '/ShadingType' in obj:
                assert obj.ColorSpace == pikepdf.Name.DeviceCMYK
            if isinstance(obj, pikepdf.Dictionary) and obj.get('/S') == '/Transparency':
                assert obj.get('/CS') != pikepdf.Name.DeviceRGB
    path = tmp_path / 'g.pdf'
    path.write_bytes(out)
    report = check_pdf(path, Expectations(pdfx=True, trim_mm=(148, 210), bleed_mm=3))
    assert report.ok, report.format()


GS_PROFILE = '/usr/share/color/icc/ghostscript/default_cmyk.icc'


@pytest.mark.skipif(not __import__('os').path.exists(GS_PROFILE), reason='no second CMYK profile')
def test_layout_names_another_profile(tmp_path):
    raw = render('<p style="color: rgb(0, 90, 160)">PAGE 1 別のプロファイル</p>', size='A5')
    settings = PrintSettings.from_tokens({'trim': 'A5', 'icc_profile': 'default_cmyk.icc',
                                          'pad_pages': False},
                                         base_dir=__import__('pathlib').Path(GS_PROFILE).parent)
    out = press.finish(raw, settings, slug_label='x')
    with pikepdf.open(io.BytesIO(out)) as pdf:
        intent = pdf.Root.OutputIntents[0]
        assert intent.DestOutputProfile.read_bytes() == open(GS_PROFILE, 'rb').read()
        assert 'SWOP' in str(intent.OutputConditionIdentifier)
    with pytest.raises(SettingsError, match='does not exist'):
        PrintSettings.from_tokens({'icc_profile': 'nope.icc'}, base_dir=tmp_path)


def test_info_and_xmp_agree(finished):
    with pikepdf.open(io.BytesIO(finished)) as pdf:
        info = pdf.docinfo
        assert str(info.CreationDate) == str(info.ModDate) == 'D:20261126050000Z'
        assert info.Trapped == '/False'
        meta = pdf.open_metadata()
        assert meta['xmp:CreateDate'] == meta['xmp:ModifyDate'] == '2026-11-26T05:00:00Z'
        assert meta['dc:title'] == str(info.Title) == 'テスト冊子'
        assert meta['pdf:Producer'] == str(info.Producer)
        assert meta['xmp:CreatorTool'] == str(info.Creator)


def test_x1a_drops_opaque_alpha_and_refuses_real_alpha(tmp_path):
    from PIL import Image
    Image.new('RGBA', (300, 300), (200, 40, 40, 255)).save(tmp_path / 'opaque.png')
    Image.new('RGBA', (300, 300), (200, 40, 40, 128)).save(tmp_path / 'alpha.png')
    settings = PrintSettings.from_tokens({'trim': 'A5', 'pdf_variant': 'pdf/x-1a', 'pad_pages': False})
    raw = render('<p>PAGE 1</p><img src="opaque.png" style="width: 20mm">', size='A5', base=tmp_path)
    out = press.finish(raw, settings, slug_label='x')
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert not any(isinstance(o, pikepdf.Stream) and '/SMask' in o for o in pdf.objects)
    raw = render('<p>PAGE 1</p><img src="alpha.png" style="width: 20mm">', size='A5', base=tmp_path)
    with pytest.raises(press.TransparencyError, match='alpha channel'):
        press.finish(raw, settings, slug_label='x')


def test_blank_pages_get_marks(tmp_path):
    raw = brochure(tmp_path, pages=5, repeat=2)
    out = press.finish(raw, PrintSettings(), slug_label='x', build_date=DATE)
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert len(pdf.pages) == 8
        for page in pdf.pages[4:7]:
            assert b'1 1 1 1 K' in page.obj.Contents[-1].read_bytes()


def test_slug_outlines_match_fonttools():
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

    from publish.press.marks import OutlineFont
    FONTS = __import__('pathlib').Path(__file__).resolve().parents[1] / 'fonts'
    path = FONTS / 'NotoSansJP-Regular.ttf'
    mine = OutlineFont(path)
    reference = TTFont(str(path), lazy=True)
    glyphs, cmap, hmtx = reference.getGlyphSet(), reference.getBestCmap(), reference['hmtx']
    for char in 'Ag0-_.:/ 東京都ぁ①':
        name = cmap[ord(char)]
        assert mine.advance(char, mine.upem) == hmtx[name][0], char
        pen = BoundsPen(glyphs)
        glyphs[name].draw(pen)
        points = [(x, y) for contour in mine.contours(mine.glyph_id(char)) for x, y, _ in contour]
        if pen.bounds is None:
            assert not points
            continue
        on_bounds = (min(p[0] for p in points), min(p[1] for p in points),
                     max(p[0] for p in points), max(p[1] for p in points))
        # control points may lie outside the curve's bounds, never inside them
        assert on_bounds[0] <= pen.bounds[0] + 0.01 and on_bounds[1] <= pen.bounds[1] + 0.01
        assert on_bounds[2] >= pen.bounds[2] - 0.01 and on_bounds[3] >= pen.bounds[3] - 0.01
    assert mine.glyph_id('\U0010FFFD') == 0


def test_source_date_epoch(a4, monkeypatch):
    _, raw = a4
    monkeypatch.setenv('SOURCE_DATE_EPOCH', str(int(DATE.timestamp())))
    assert press.finish(raw, PrintSettings(), slug_label='s.pdf') == \
        press.finish(raw, PrintSettings(), slug_label='s.pdf', build_date=DATE)
