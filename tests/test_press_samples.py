"""Small WeasyPrint documents for the print-stage and preflight tests (imported by
test_press*.py and test_preflight*.py), and a check that they are what they claim."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import weasyprint
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
FONTS = ROOT / 'fonts'

FONT_FACES = f'''
@font-face {{ font-family: "Serif JP"; src: url({(FONTS / 'NotoSerifJP-Regular.ttf').as_uri()}); }}
@font-face {{ font-family: "Sans JP"; src: url({(FONTS / 'NotoSansJP-Regular.ttf').as_uri()}); }}
'''


def rgb_image(path: Path, width: int = 600, height: int = 400) -> Path:
    """A colourful RGB image (gradient with stripes)."""
    if not path.exists():
        image = Image.new('RGB', (width, height))
        pixels = image.load()
        for x in range(width):
            for y in range(height):
                pixels[x, y] = (x * 255 // width, y * 255 // height, 160 if (y // 8) % 2 else 60)
        image.save(path, quality=92)
    return path


def render(body: str, *, size: str = 'A4', bleed: str = '3mm', css: str = '',
           base: Path | None = None, **options) -> bytes:
    """Render ``body`` (HTML) with the bundled fonts, ``lang="ja"``."""
    page_bleed = f'bleed: {bleed};' if bleed else ''
    html = f'''<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">
<title>テスト冊子</title><style>
{FONT_FACES}
@page {{ size: {size}; {page_bleed} margin: 18mm 16mm; }}
body {{ font-family: "Serif JP"; font-size: 10pt; line-height: 1.7; color: device-cmyk(0 0 0 1); margin: 0; }}
h1, h2 {{ font-family: "Sans JP"; }}
.page {{ break-after: page; }}
.page:last-child {{ break-after: auto; }}
{css}
</style></head><body>{body}</body></html>'''
    return weasyprint.HTML(string=html, base_url=str(base or ROOT)).write_pdf(**options)


def brochure(tmp: Path, pages: int = 8, *, size: str = 'A4', bleed: str = '3mm',
             css: str = '', rgb_text: bool = True, repeat: int = 12) -> bytes:
    """A brochure-like document: full-bleed CMYK cover background, RGB heading colour,
    an RGB photo, Japanese body text, one ``PAGE n`` marker per page."""
    image = rgb_image(tmp / 'photo.jpg')
    cover_bg = f'''.cover-bg {{ position: absolute; top: -18mm; left: -16mm;
        width: calc(100% + 32mm); height: calc(100% + 36mm); margin: -{bleed or '0mm'};
        padding: {bleed or '0mm'}; background: device-cmyk(0.9 0.3 0 0); z-index: -1; }}'''
    body = ['<section class="page"><div class="cover-bg"></div>'
            '<h1 style="color: white">民間企業での実務経験を行政DXに還元</h1><p>PAGE 1</p></section>']
    for n in range(2, pages + 1):
        heading_colour = 'rgb(200, 30, 40)' if rgb_text else 'device-cmyk(0 0.9 0.8 0)'
        body.append(
            f'<section class="page"><h2 style="color: {heading_colour}">第{n}章 企業派遣で得た新たな視点</h2>'
            f'<p>PAGE {n}</p>'
            + ('<p>東京都は職員の育成や人材交流に力を入れています。' * repeat) + '</p>'
            + (f'<img src="{image.as_uri()}" style="width: 50mm">' if n % 2 == 0 else '')
            + '</section>')
    return render(''.join(body), size=size, bleed=bleed, css=cover_bg + css)


def page_texts(pdf_bytes: bytes) -> list[str]:
    import pdfplumber
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        return [page.extract_text() or '' for page in pdf.pages]


def all_content(pdf_bytes: bytes) -> list[bytes]:
    """Every content stream: pages, forms and patterns (decoded)."""
    out = []
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream) and obj.get('/Subtype') in ('/Form',) \
                    or isinstance(obj, pikepdf.Stream) and '/PatternType' in obj:
                out.append(obj.read_bytes())
        for page in pdf.pages:
            contents = page.obj.Contents
            streams = contents if isinstance(contents, pikepdf.Array) else [contents]
            out.append(b'\n'.join(s.read_bytes() for s in streams))
    return out


def test_sample_brochure_has_bleed_rgb_and_japanese(tmp_path):
    data = brochure(tmp_path, pages=4)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 4
        assert [round(float(v), 2) for v in pdf.pages[0].TrimBox] == [0, 0, 595.28, 841.89]
    texts = page_texts(data)
    assert 'PAGE 3' in texts[2] and '東京都' in texts[2]
    assert any(b' rg' in c for c in all_content(data))
