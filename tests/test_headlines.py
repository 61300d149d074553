"""Headlines by phrase, 和欧間 in every text, running heads and the details of issue 11
(items 2, 4, 6 and loose lines), measured on built PDFs and EPUBs."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pdfplumber
import pytest
import weasyprint

from publish.model import Paragraph, Ruby, Text
from publish.preflight.makeup import audit, phrase_boundaries
from publish.typeset_ja import fullwidth_punctuation, inline_html, running_text
from publish.typeset_ja import weasyprint as jlreq
from publish.typeset_ja.headline import balanced_breaks, boundaries, headline_html

from .conftest import ROOT, gather

FONTS = ROOT / "fonts"
TYPESET_CSS = (ROOT / "layouts" / "brochure" / "typeset_ja.css").as_uri()


# --- phrases and balance ------------------------------------------------------------------


def test_boundaries_are_phrases_and_never_split_latin_ruby_or_short_phrases():
    title = "入庁1年目を支えるメンター制度"
    cuts = boundaries(title)
    assert 12 not in cuts                          # メン／ター
    assert all(c in phrase_boundaries(title) for c in cuts)
    text = "民間企業での実務経験を行政DXに還元"
    cuts = boundaries(text)
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)])]
    assert pieces[-1].endswith("還元") and len(pieces[-1]) > 2    # 還元 joins 行政DXに
    assert all(len(p) >= 3 for p in pieces)
    plain = "窓口の紙をなくすDXとHuman-Computer Interaction"
    inlines = (Text("窓口の"), Ruby("紙", "かみ"), Text("をなくすDXとHuman-Computer Interaction"))
    cuts = boundaries(plain, inlines)
    latin = plain.index("Human")
    assert not [c for c in cuts if latin < c < len(plain)]


def test_balanced_breaks_choose_even_lines_that_fit():
    text = "クラウド移行や教育分野のICT活用──企業視点を活かして東京都のDXに貢献したい"
    cuts = boundaries(text)
    assert balanced_breaks(text, cuts, 60) == []           # fits one line: no break
    breaks = balanced_breaks(text, cuts, 34)
    assert len(breaks) == 1 and breaks[0] in cuts
    first, second = text[:breaks[0]], text[breaks[0]:]
    assert abs(len(first) - len(second)) <= 6, (first, second)
    html = headline_html(text, 34)
    assert html.count("<br>") == 1 and "jl-phrase" in html and "\u200b" not in html


def _render(body: str, path: Path) -> Path:
    html = f"""<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">
<link rel="stylesheet" href="{TYPESET_CSS}"><style>
@font-face {{ font-family: "Sans"; src: url({(FONTS / 'NotoSansJP-Bold.ttf').as_uri()}); }}
@font-face {{ font-family: "Serif"; src: url({(FONTS / 'NotoSerifJP-Regular.ttf').as_uri()}); }}
@page {{ size: A4; margin: 20mm; }}
body {{ font-family: "Serif"; font-size: 9pt; line-height: 16pt; }}
h1 {{ font-family: "Sans"; font-size: 24pt; line-height: 1.45; margin: 0 0 20pt; }}
p {{ margin: 0; text-align: justify; }}
</style></head><body class="jlreq">{body}</body></html>"""
    with jlreq.installed():
        weasyprint.HTML(string=html, base_url=str(ROOT) + "/").write_pdf(path)
    return path


TITLES = ["入庁1年目を支えるメンター制度", "民間企業での実務経験を行政DXに還元",
          "クラウド移行や教育分野のICT活用──企業視点を活かして東京都のDXに貢献したい"]


@pytest.mark.parametrize("width_em", [7.5, 8, 11.2, 13])
def test_rendered_headlines_break_only_between_phrases(tmp_path, width_em):
    """Set in boxes of several widths (the measure given to the balancer is the box's, or
    deliberately wrong), no headline line breaks inside a phrase or holds 1–2 characters;
    the same titles set as plain inline text do (so the audit can fail)."""
    body = "".join(f'<h1 style="width: {width_em}em">{headline_html(t, width_em)}</h1>'
                   f'<h1 style="width: {width_em}em">{headline_html(t, 20)}</h1>' for t in TITLES)
    body += "<p>" + "本文の段落です。" * 40 + "</p>"
    result = audit(_render(body, tmp_path / "phrased.pdf"))
    assert not result.of("headline"), [f.message for f in result.of("headline")]
    plain = "".join(f'<h1 style="width: {width_em}em">{inline_html((Text(t),))}</h1>' for t in TITLES)
    plain += "<p>" + "本文の段落です。" * 40 + "</p>"
    assert audit(_render(plain, tmp_path / "plain.pdf")).of("headline")


def test_headline_text_layer_has_no_zero_width_spaces(tmp_path):
    path = _render("".join(f'<h1 style="width: 8em">{headline_html(t, 8)}</h1>' for t in TITLES), tmp_path / "h.pdf")
    with pdfplumber.open(path) as pdf:
        text = pdf.pages[0].extract_text()
    assert "\u200b" not in text
    assert re.sub(r"\s", "", text) == "".join(TITLES)


# --- hyphenation of Latin words (print) --------------------------------------------------


def _line_texts(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return pdf.pages[0].extract_text().split("\n")


def test_latin_words_hyphenate_rather_than_leave_a_loose_line(tmp_path):
    para = inline_html((Text("あああああああ私の専門はHCI(Human-Computer Interaction)で、利用者の使いやすさを研究してきました。"),))
    box = '<div class="{cls}" style="width: 20em"><p style="text-indent: 1em">{p}</p></div>'
    hyphenated = _line_texts(_render(box.format(cls="jl-hyphenate", p=para), tmp_path / "hy.pdf"))
    loose = _line_texts(_render(box.format(cls="", p=para), tmp_path / "no.pdf"))
    # without hyphenation the first line stops before （Human and goes loose (spaces read back)
    assert loose[0].replace(" ", "").endswith("HCI") and " " in loose[0]
    # with it the word is hyphenated at the line end (U+2010) and the line is set solid
    assert hyphenated[0].endswith("\u2010") and "（Hu" in hyphenated[0], hyphenated
    assert " " not in hyphenated[0].replace("HCI ", "HCI")


# --- full-width punctuation ---------------------------------------------------------------


def test_half_width_punctuation_in_japanese_text_is_set_full_width():
    assert fullwidth_punctuation("ありますか?") == "ありますか？"
    assert fullwidth_punctuation("令和4年度(2022年度)に") == "令和4年度（2022年度）に"
    assert fullwidth_punctuation("注:これ") == "注：これ"
    assert fullwidth_punctuation("本当!?") == "本当!?"                       # a pair stays (縦中横)
    assert fullwidth_punctuation("Why? (see p. 3) at 10:30") == "Why? (see p. 3) at 10:30"
    assert running_text(Paragraph((Text("窓口の"), Ruby("紙", "かみ"), Text("をなくすDX")))) == "窓口の紙をなくす DX"


# --- the built samples ------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_build) -> dict[str, Path]:
    """The three samples' print PDFs and the first sample's EPUB (the run's shared builds):
    what the tests below read."""
    sources = ["content/tokyo-ict-exchange.yaml", "content/midoridai-mentors.yaml",
               "content/digital-voices.collection.yaml"]
    out = gather(tmp_path_factory.mktemp("samples"), *(shared_build(ROOT / s, "pdf") for s in sources),
                 shared_build(ROOT / sources[0], "epub"))
    return {p.stem: p for p in out.iterdir()}


@pytest.mark.parametrize("name", ["tokyo-ict-exchange", "midoridai-mentors", "digital-voices"])
def test_samples_have_no_headline_or_wakan_findings(built, name):
    result = audit(built[name].with_suffix(".pdf"))
    assert not result.of("headline"), [f.message for f in result.of("headline")]
    assert not result.of("wakan"), [f.message for f in result.of("wakan")]
    assert 0.20 <= result.wakan_median <= 0.30, result.wakan_median
    assert len(result.body_wakan) >= 10


@pytest.fixture(scope="module")
def sample_pdf(built):
    """The sample's print PDF opened once in pdfplumber for the tests below (each page is
    parsed the first time one of them reads it)."""
    with pdfplumber.open(built["tokyo-ict-exchange"].with_suffix(".pdf")) as pdf:
        yield pdf


def _page_top_text(page, area_top: float) -> str:
    return "".join(c["text"] for c in page.chars if c["top"] < area_top)


def test_running_heads_base_text_with_wakan_and_none_on_the_opening_page(sample_pdf):
    heads = []
    for page in sample_pdf.pages[1:5]:
        small = [c for c in page.chars if abs(c["size"] - 7.5) < 0.01 and c["top"] < 140]
        heads.append(("".join(c["text"] for c in small), small))
    assert heads[0][0] == ""                                  # the opening page
    text, chars = heads[1]
    assert text.replace(" ", "") == "民間企業での実務経験を行政DXに還元"
    政, d = next((a, b) for a, b in zip(chars, chars[1:]) if a["text"] == "政")
    gap = next(c for c in chars if c["text"] == "D")["x0"] - 政["x1"]
    assert abs(gap / 7.5 - 0.25) < 0.03, gap / 7.5


def test_back_cover_title_is_one_size_and_weight(sample_pdf):
    back = sample_pdf.pages[-1]
    title = [c for c in back.chars if abs(c["size"] - 11) < 0.01]
    text = "".join(c["text"] for c in title)
    assert "DX" in text and "還元" in text
    assert {c["fontname"].split("+")[-1] for c in title} == {"Noto-Sans-JP-Bold"}
    assert not [c for c in back.chars if c["text"] in "DX" and abs(c["size"] - 9) < 0.01]


def test_print_sets_source_question_marks_full_width(sample_pdf):
    source = (ROOT / "content" / "tokyo-ict-exchange.yaml").read_text(encoding="utf-8")
    assert "か?" in source                                    # the editor's text is kept
    text = "".join(page.extract_text() for page in sample_pdf.pages)
    assert "か？" in text and "か?" not in text


def test_epub_headlines_mark_phrase_boundaries(built):
    with zipfile.ZipFile(built["tokyo-ict-exchange"].with_suffix(".epub")) as z:
        section = z.read("EPUB/xhtml/section-4.xhtml").decode()
        css = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".css"))
    heading = re.search(r"<h2[^>]*>(.*?)</h2>", section, re.S).group(1)
    assert "<wbr/>" in heading and "貢<wbr/>献" not in heading and "\u200b" not in heading
    plain = re.sub(r"<[^>]+>", "", heading)
    cuts = set(boundaries(plain))
    at, marks = 0, set()
    for piece in re.sub(r"<(?!wbr/>)[^>]+>", "", heading).split("<wbr/>")[:-1]:
        at += len(piece)
        marks.add(at)
    assert marks == cuts
    assert "word-break: keep-all" in css
