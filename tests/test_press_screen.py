"""Screen edition: WeasyPrint options for a tagged PDF/UA-1 and the metadata helper."""

from __future__ import annotations

import io

import pikepdf

from publish import press
from publish.preflight import Expectations, check_pdf

try:  # tests/ is a package on main, a plain folder on this branch
    from .test_press_samples import render
except ImportError:
    from test_press_samples import render


def test_screen_pdf_is_tagged_with_outline_and_metadata(tmp_path):
    raw = render('<h1>民間企業での実務経験</h1><p>PAGE 1</p><h2>企業派遣で得た新たな視点</h2><p>本文</p>',
                 size='A4', bleed='', **press.screen_write_options())
    out = press.finish_screen(raw, title='民間企業での実務経験を行政DXに還元',
                              authors=['西田', '山田'], subject='インタビュー記事',
                              keywords=['育成', '新卒'])
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert '/StructTreeRoot' in pdf.Root and pdf.Root.MarkInfo.Marked
        assert str(pdf.Root.Lang) == 'ja'
        assert pdf.Root.ViewerPreferences.DisplayDocTitle
        assert '/Outlines' in pdf.Root and pdf.Root.PageMode == '/UseOutlines'
        assert str(pdf.docinfo.Title) == '民間企業での実務経験を行政DXに還元'
        assert str(pdf.docinfo.Author) == '西田, 山田'
        assert str(pdf.docinfo.Keywords) == '育成, 新卒'
        meta = pdf.open_metadata()
        assert meta['dc:title'] == '民間企業での実務経験を行政DXに還元'
        assert meta['pdfuaid:part'] == '1'
        page = pdf.pages[0]
        assert [round(float(v), 2) for v in page.mediabox] == [0, 0, 595.28, 841.89]
    path = tmp_path / 'screen.pdf'
    path.write_bytes(out)
    report = check_pdf(path, Expectations(trim_mm=(210, 297)))
    assert report.ok, report.format()
    assert report.pdfx_version is None


def test_finish_screen_wants_plain_text():
    import pytest
    raw = render('<p>PAGE 1</p>', size='A5', bleed='', **press.screen_write_options())
    with pytest.raises(TypeError, match='title must be plain text'):
        press.finish_screen(raw, title=object())
