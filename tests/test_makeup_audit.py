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


def lines_of_text(lines: int) -> str:
    """``lines`` full lines as paragraphs of at most 4 lines (para()): what fills a column.
    One paragraph of 40 lines costs WeasyPrint 4 times as long to set as ten of 4; the
    audit reads lines and columns, which are the same either way."""
    return ''.join(para(min(4, lines - k)) for k in range(0, lines, 4))


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
    body = ('<div class="cols"><div class="col">' + lines_of_text(12) + '</div><div class="col">'
            + para(4) + '</div></div><h2>次の新人を迎える側へ</h2>'
            '<div class="cols"><div class="col">' + para(4) + '</div><div class="col">'
            + para(4) + '</div></div>')
    result = audit(build(tmp_path, body))
    found = result.of('column-hole')
    assert len(found) == 1 and 'column 2 ends 8 lines above' in found[0].message, found
    # the same columns at the end of the text (nothing after) are no hole
    ending = ('<div class="cols"><div class="col">' + lines_of_text(12) + '</div><div class="col">'
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
    path = build(tmp_path, body)
    result = audit(path)
    assert [(f.page, f.message.split(':')[0]) for f in result.keeps] == [(1, 'column 1')], result.keeps
    assert 'a question at the foot' in result.keeps[0].message
    assert [f.kind for f in result.findings] == ['keep']  # a make-up finding like the others
    report = check_pdf(path, Expectations(pdfx=False))  # publish check on the same file
    warnings = [f for f in report.by_check('makeup') if f.severity.name == 'WARNING']
    assert [(f.page, f.message.split(':')[0]) for f in warnings] == [(1, 'keep')], report.format()
    # with two lines of its answer under it in the column, it keeps
    kept = ('<div class="page"><div class="cols"><div class="col">' + para(4) + QUESTION + para(2) + '</div>'
            '<div class="col">' + para(7) + '</div></div></div>' + CLEAN_PAGE)
    assert not audit(build(tmp_path, kept, 'kept.pdf')).keeps


def test_heading_at_the_foot_of_a_page_breaks_a_keep_rule(tmp_path):
    body = ('<div class="page"><div class="cols"><div class="col">' + lines_of_text(40) + '</div></div>'
            '<h2>次の新人を迎える側へ</h2><p>' + (TEXT * 2)[:24] + '</p></div>'
            '<div class="cols"><div class="col">' + para(5) + '</div></div>')  # the text goes on
    result = audit(build(tmp_path, body))
    found = [f for f in result.keeps if 'headline' in f.message]
    assert len(found) == 1 and found[0].page == 1 and 'keeps 1 line' in found[0].message, result.keeps


def test_a_loosened_lead_is_not_a_headline(tmp_path):
    """The make-up loosens a brochure by enlarging the lead (makeup.lead_scale): at the
    loosest level it is set larger than the audit's headline threshold (1.2 × body), and is
    still read as the running text it is, not as a headline broken inside phrases."""
    from publish.app.build import layout_for, load
    from publish.preflight.makeup import _read
    from publish.render import render_document
    from publish.render.makeup import Plan, adjust_css
    from publish.typeset_ja import weasyprint as jlreq

    doc = load(ROOT / 'tests' / 'fixtures' / 'makeup' / 'three-speakers.yaml')
    layout = layout_for(doc)
    path = tmp_path / 'loose.pdf'
    with jlreq.installed():
        render_document(doc, layout, plan=Plan(level=1.0, css=adjust_css(layout, 1.0))).write_pdf(path)
    start = doc.lead[0].plain[:6]
    lead = [line for page in _read(path) for line in page.lines if start in line.ink]
    assert lead and lead[0].size >= 1.2 * 9, [(line.ink[:10], line.size) for line in lead]
    result = audit(path)
    assert result.body_size == 9
    assert not result.of('headline'), [f.message for f in result.of('headline')]
    assert not [f for f in result.findings if start[:3] in f.message]


def test_a_headline_inside_one_column_ends_no_column_of_the_other(tmp_path):
    """A pull quote (or a profile's name) in column 2 is no band break for column 1: the
    question in column 1 level with it keeps its answer under it, and is no finding."""
    quote = ('<div style="height: 16pt"></div><p class="pq">小さく試して、数字と<br>'
             '現場の声の両方で判断する</p>')
    body = ('<div class="page"><div class="cols"><div class="col">' + para(1) + QUESTION + para(6) + '</div>'
            '<div class="col">' + quote + para(6) + '</div></div></div>' + CLEAN_PAGE)
    result = audit(build(tmp_path, body.replace('class="pq"', 'class="pq" style="font-family: \'Sans JP\'; '
                                                'font-weight: bold; font-size: 13pt; line-height: 20pt"')))
    from publish.preflight.makeup import _read

    sizes = {round(line.size) for line in _read(result.path)[0].lines}
    assert 13 in sizes, 'the quote is set at a headline size'
    assert not result.keeps and not result.findings, [f.message for f in result.findings]


def test_a_short_last_column_before_the_back_cover_is_no_hole(tmp_path):
    """A column ending far above its neighbour is a hole when the text goes on at the head
    of the next page, not when the next page sets its body-size text low down (a back
    cover, a people or contact page)."""
    columns = ('<div class="page"><div class="cols"><div class="col">' + lines_of_text(44) + '</div>'
               '<div class="col">' + lines_of_text(36) + '</div></div></div>')
    continued = audit(build(tmp_path, columns + '<div class="cols"><div class="col">' + para(4) + '</div></div>'))
    assert [f.page for f in continued.of('column-hole')] == [1], continued.findings
    back = audit(build(tmp_path, columns + '<div style="padding-top: 500pt">' + para(3) + '</div>', 'back.pdf'))
    assert not back.of('column-hole'), back.findings
