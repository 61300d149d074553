"""The make-up audit (publish.preflight.makeup): each class of fault is found on a small PDF
made to have it, and a PDF made without it has none."""

from __future__ import annotations

from pathlib import Path

import pytest
import weasyprint

from publish.preflight import Expectations, check_pdf
from publish.preflight.makeup import audit

ROOT = Path(__file__).resolve().parents[1]
FONTS = ROOT / 'fonts'

CSS = f'''
@font-face {{ font-family: "Serif JP"; src: url({(FONTS / 'NotoSerifJP-Regular.ttf').as_uri()}); }}
@font-face {{ font-family: "Sans JP"; src: url({(FONTS / 'NotoSansJP-Bold.ttf').as_uri()});
              font-weight: bold; }}
@page {{ size: A4; margin: 20mm 20mm; }}
body {{ font-family: "Serif JP"; font-size: 9pt; line-height: 16pt; margin: 0; }}
p {{ margin: 0; text-indent: 1em; }}
h1 {{ font-family: "Sans JP"; font-weight: bold; font-size: 24pt; line-height: 1.4; margin: 0 0 16pt; }}
h2 {{ font-family: "Sans JP"; font-weight: bold; font-size: 13pt; line-height: 20pt; margin: 0;
      background: #dde; padding: 6pt; }}
.cols {{ display: flex; gap: 18pt; }}
.col {{ width: 225pt; }}
.page {{ break-after: page; }}
.wa {{ margin: 0 0.25em; }}
@font-face {{ font-family: "Sans JP R"; src: url({(FONTS / 'NotoSansJP-Regular.ttf').as_uri()}); }}
.q {{ font-family: "Sans JP R"; text-indent: 0; }}
'''

TEXT = '東京都は職員の育成や人材交流に力を入れています。'   # 24 characters


def para(lines: int) -> str:
    """A paragraph of ``lines`` full lines of 25 characters (a column is 25 wide)."""
    return '<p>' + (TEXT * 2)[:24] + ''.join((TEXT * 2)[:25] for _ in range(lines - 1)) + '</p>'


def build(tmp_path: Path, body: str, name: str = 'x.pdf') -> Path:
    html = (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><style>{CSS}</style>'
            f'</head><body>{body}</body></html>')
    path = tmp_path / name
    weasyprint.HTML(string=html, base_url=str(ROOT)).write_pdf(path)
    return path


CLEAN_PAGE = ('<div class="page"><h1>みどり台市の<br>メンター制度</h1>'
              '<div class="cols"><div class="col">' + para(6)
              + '<p>行政<span class="wa">DX</span>に還元する仕組みを作りました。</p></div>'
              '<div class="col">' + para(6) + '</div></div></div>')


def counts(path: Path) -> dict[str, int]:
    result = audit(path)
    return {kind: result.count(kind) for kind in
            ('blank', 'headline', 'last-line', 'column-hole', 'wakan')}


def test_clean_pages_have_no_findings(tmp_path):
    path = build(tmp_path, CLEAN_PAGE + CLEAN_PAGE)
    result = audit(path)
    assert result.body_size == 9
    assert not result.findings, [str(f) for f in result.findings]
    assert not result.keeps, [str(f) for f in result.keeps]
    # the spaced 行政 DX に has a quarter-em 和欧間 measured on the body line
    assert result.body_wakan and all(0.2 <= gap <= 0.3 for gap in result.body_wakan), result.body_wakan


def test_blank_page_is_found(tmp_path):
    path = build(tmp_path, CLEAN_PAGE + '<div class="page"></div>' + CLEAN_PAGE)
    result = audit(path)
    assert [f.page for f in result.of('blank')] == [2]
    assert counts(path)['headline'] == 0


def test_headline_broken_inside_a_phrase_and_short_line(tmp_path):
    body = ('<div class="page"><h1>みどり台市のメン<br>ター制度</h1>' + para(3) + '</div>'
            '<div class="page"><h1>民間企業での実務経験を行政に還<br>元</h1>' + para(3) + '</div>')
    result = audit(build(tmp_path, body))
    messages = [(f.page, f.message) for f in result.of('headline')]
    assert len(messages) == 3, messages
    assert any(p == 1 and 'メン／ター' in m for p, m in messages)
    assert any(p == 2 and '還／元' in m for p, m in messages)
    assert any(p == 2 and 'line of 1 character' in m for p, m in messages)


def test_short_last_line_is_found(tmp_path):
    body = ('<div class="cols"><div class="col">' + para(3)
            + '<p>' + (TEXT * 2)[:24] + 'す。</p>' + para(3) + '</div></div>')
    result = audit(build(tmp_path, body))
    found = result.of('last-line')
    assert len(found) == 1 and '「す。」' in found[0].message, found


def test_column_hole_is_found(tmp_path):
    body = ('<div class="cols"><div class="col">' + para(12) + '</div><div class="col">'
            + para(4) + '</div></div><h2>次の新人を迎える側へ</h2>'
            '<div class="cols"><div class="col">' + para(4) + '</div><div class="col">'
            + para(4) + '</div></div>')
    result = audit(build(tmp_path, body))
    found = result.of('column-hole')
    assert len(found) == 1 and 'column 2 ends 8 lines above' in found[0].message, found
    # the same columns at the end of the text (nothing after) are no hole
    ending = ('<div class="cols"><div class="col">' + para(12) + '</div><div class="col">'
              + para(4) + '</div></div>')
    assert not audit(build(tmp_path, ending, 'end.pdf')).of('column-hole')


def test_missing_wakan_is_found(tmp_path):
    body = ('<div class="cols"><div class="col">' + para(4)
            + '<p>行政DXに還元する仕組みを2025年に作りました。</p></div></div>'
            '<h2>ICT職の<span class="wa">1</span>年目</h2>')
    result = audit(build(tmp_path, body))
    pairs = sorted(f.message.split(' in ')[0] for f in result.of('wakan'))
    assert pairs == ['no 和欧間 between 「5」 and 「年」', 'no 和欧間 between 「T」 and 「職」',
                     'no 和欧間 between 「X」 and 「に」', 'no 和欧間 between 「を」 and 「2」',
                     'no 和欧間 between 「政」 and 「D」'], pairs
    assert result.wakan_median == pytest.approx(0.0, abs=0.05)


def test_publish_check_reports_makeup_warnings(tmp_path):
    path = build(tmp_path, CLEAN_PAGE + '<div class="page"></div>' + CLEAN_PAGE)
    report = check_pdf(path, Expectations(pdfx=False))
    makeup = [f for f in report.by_check('makeup') if f.severity.name == 'WARNING']
    assert [(f.page, f.message.split(':')[0]) for f in makeup] == [(2, 'blank')]
    assert report.exit_status() == 0 and report.exit_status(strict=True) == 1
    assert 'page 2: blank: blank page' in report.format()


QUESTION = '<p class="q">──どのような仕事を担当していますか？</p>'


def test_question_at_the_foot_of_a_column_breaks_a_keep_rule(tmp_path):
    body = ('<div class="page"><div class="cols"><div class="col">' + para(6) + QUESTION + '</div>'
            '<div class="col">' + para(7) + '</div></div></div>' + CLEAN_PAGE)
    result = audit(build(tmp_path, body))
    assert [(f.page, f.message.split(':')[0]) for f in result.keeps] == [(1, 'column 1')], result.keeps
    assert 'a question at the foot' in result.keeps[0].message
    assert not result.findings  # reported apart, not as a make-up warning
    # with two lines of its answer under it in the column, it keeps
    kept = ('<div class="page"><div class="cols"><div class="col">' + para(4) + QUESTION + para(2) + '</div>'
            '<div class="col">' + para(7) + '</div></div></div>' + CLEAN_PAGE)
    assert not audit(build(tmp_path, kept, 'kept.pdf')).keeps


def test_heading_at_the_foot_of_a_page_breaks_a_keep_rule(tmp_path):
    body = ('<div class="page"><div class="cols"><div class="col">' + para(40) + '</div></div>'
            '<h2>次の新人を迎える側へ</h2><p>' + (TEXT * 2)[:24] + '</p></div>'
            '<div class="cols"><div class="col">' + para(5) + '</div></div>')  # the text goes on
    result = audit(build(tmp_path, body))
    found = [f for f in result.keeps if 'headline' in f.message]
    assert len(found) == 1 and found[0].page == 1 and 'keeps 1 line' in found[0].message, result.keeps
