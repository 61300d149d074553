"""The make-up stage (publish.render.makeup): every built print brochure lands on its binding's
page multiple with no blank page, no 1–2 character last line and no column hole (the make-up
audit of the finished PDF), and stderr names the strategy used.

Built: both samples, the collection, and three fixtures written for this
(tests/fixtures/makeup/: one that naturally ends just past a signature, one with three
speakers, long headings and a contact: page, one with much Latin text)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from publish.render import makeup
from publish.app.build import build_source
from publish.preflight.makeup import audit

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "makeup"
SOURCES = {
    "tokyo-ict-exchange": ROOT / "content" / "tokyo-ict-exchange.yaml",
    "midoridai-mentors": ROOT / "content" / "midoridai-mentors.yaml",
    "digital-voices": ROOT / "content" / "digital-voices.collection.yaml",
    "just-past": FIXTURES / "just-past.yaml",
    "three-speakers": FIXTURES / "three-speakers.yaml",
    "latin-heavy": FIXTURES / "latin-heavy.yaml",
}


def _build(source: Path, out: Path) -> tuple[Path, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        built = build_source(source, ("pdf",), out)
    return built[0].path, err.getvalue()


@pytest.fixture(scope="module")
def built(shared_build):
    """(print PDF, build log) of each source, through `publish build --format pdf` (shared
    with the other tests that read the same build)."""
    return {name: (out["path"], out["stderr"]) for name, out in
            ((name, shared_build(source, "pdf")) for name, source in SOURCES.items())}


def _texts(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [re.sub(r"\s+", "", page.extract_text() or "") for page in pdf.pages]


@pytest.mark.parametrize("name", list(SOURCES))
def test_no_blank_page_no_stranded_line_no_column_hole(built, name):
    path, _ = built[name]
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) % 4 == 0, "saddle stitch: a multiple of four pages"
    result = audit(path)
    for kind in ("blank", "last-line", "column-hole"):
        assert result.count(kind) == 0, [f.message for f in result.findings if f.kind == kind]


@pytest.mark.parametrize("name", list(SOURCES))
def test_zero_makeup_findings(built, name):
    path, _ = built[name]
    result = audit(path)
    assert not result.findings, [f"page {f.page}: {f.kind}: {f.message}" for f in result.findings][:8]


def test_the_sample_gets_editorial_pages_not_a_blank_spread(built):
    path, stderr = built["tokyo-ict-exchange"]
    assert "make-up: 6 pages → 8" in stderr
    assert "a full-page pull quote" in stderr and "a people page" in stderr
    texts = _texts(path)
    assert len(texts) == 8
    lead_start = "行政のDXを進めるため".replace("DX", "")
    quote_page, people_page = texts[5], texts[6]
    assert lead_start[:3] in quote_page and "デジタル人材の育成" in quote_page
    assert "この記事に登場した人" in people_page
    for name, reading in (("西田", "にしだ"), ("山田", "やまだ")):
        assert name in people_page and reading in people_page


@pytest.mark.parametrize("name", ["midoridai-mentors", "just-past"])
def test_a_runt_page_is_pulled_back_by_tightening(built, name):
    path, stderr = built[name]
    assert re.search(r"make-up: 5 pages → 4 .*tightened the make-up", stderr), stderr
    texts = _texts(path)
    assert len(texts) == 4
    # the last words of the interview are on the last body page, with the note
    assert "※" in texts[2]


def test_contact_page_with_three_speakers(built):
    path, stderr = built["three-speakers"]
    assert "a contact page" in stderr
    texts = _texts(path)
    contact = next(t for t in texts if "一緒に進めませんか" in t)
    assert "お問い合わせ" in contact and "情報政策課" in contact
    people = next(t for t in texts if "この記事に登場した人" in t)
    assert all(name in people for name in ("加藤", "中村", "小川"))


def test_collection_fills_the_left_page_before_a_chapter(built):
    path, stderr = built["digital-voices"]
    assert "of chapter 1 on the blank left page" in stderr
    texts = _texts(path)
    opener = next(i for i, t in enumerate(texts) if "INTERVIEW02" in t.replace(" ", ""))
    assert opener % 2 == 0, "chapter 2 opens on a right-hand page (odd page number)"
    assert texts[opener - 1], "the page before it is not blank"
    assert "この記事に登場した人" in texts[opener - 1]


def test_natural_length_needs_no_strategy(built):
    path, stderr = built["latin-heavy"]
    assert "make-up:" not in stderr
    assert len(_texts(path)) == 4


def test_strategies_are_tokens_and_blank_is_the_last_resort(tmp_path):
    """Without tightening, the runt brochure gets the editorial pages the token lists, and a
    blank page only for what they cannot fill, never facing another blank page."""
    text = (FIXTURES / "just-past.yaml").read_text(encoding="utf-8")
    source = tmp_path / "no-tighten.yaml"
    source.write_text(text + "style:\n  makeup:\n    strategies: [contact, people, blank]\n", encoding="utf-8")
    path, stderr = _build(source, tmp_path)
    assert "make-up: 5 pages → 8" in stderr
    assert "tightened" not in stderr and "a contact page" in stderr and "a blank page" in stderr
    texts = _texts(path)
    assert len(texts) == 8
    blanks = [n for n, t in enumerate(texts, 1) if not t or t.isdigit()]
    assert len(blanks) == 1
    for n in blanks:
        partner = n + 1 if n % 2 == 0 else n - 1
        assert partner not in blanks
    assert any("募集しています" in t and "採用ページ" in t for t in texts), "the contact page"
    assert any("example.jp/sakuragawa/recruit" in t for t in texts[4:7]), "with its URL (and QR)"


def test_questions_keep_the_first_lines_of_their_answers(tmp_path):
    """The sample's natural render leaves questions at the foot of a column with less than
    two lines of their answer: the make-up's check (WeasyPrint's boxes) finds exactly the
    ones the audit finds in the PDF, and after the keep pass the audit finds no broken keep
    and no column hole (the moves leave at most three lines)."""
    from publish.app.build import layout_for, load
    from publish.render import render_document
    from publish.typeset_ja import weasyprint as jlreq

    doc = load(SOURCES["tokyo-ict-exchange"])
    layout = layout_for(doc)
    pitch = layout.type_area.line_pitch * 4 / 3
    plan = makeup.Plan(css=makeup.adjust_css(layout, 0.0))
    with jlreq.installed():
        natural = render_document(doc, layout, plan=plan)
        natural.write_pdf(tmp_path / "natural.pdf")
        faults = makeup.check_keeps(natural, pitch).faults
        kept, marked = makeup.keep_questions(lambda p: render_document(doc, layout, plan=p), plan, layout, natural)
        kept.write_pdf(tmp_path / "kept.pdf")
        assert not makeup.check_keeps(kept, pitch, {k for k, how in marked.keeps if how == "column"}).faults
    questions = [f for f in audit(tmp_path / "natural.pdf").keeps if "question" in f.message]
    assert len(faults) == len(questions) >= 2, (faults, [f.message for f in questions])
    assert faults <= {key for key, _ in marked.keeps}
    result = audit(tmp_path / "kept.pdf")
    assert not result.keeps and not result.of("column-hole"), [f.message for f in result.findings]


# -- units --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kinds, first", [
    (["blank", "blank", "quote"], 5), (["blank", "blank", "blank"], 2), (["blank", "people"], 3),
    (["blank", "blank", "quote", "people"], 6), (["quote", "blank", "blank"], 4),
])
def test_arrange_never_makes_a_blank_spread(kinds, first):
    order = makeup.arrange(kinds, first)
    assert sorted(order) == sorted(kinds)
    pages = {first + i: k for i, k in enumerate(order)}
    for page, kind in pages.items():
        if kind == "blank" and page % 2 == 0 and pages.get(page + 1) == "blank":
            if kinds.count("blank") * 2 <= len(kinds) + 1:
                pytest.fail(f"blank spread at pages {page}-{page + 1}: {order}")


def test_adjustment_moves_within_the_token_ranges():
    from publish.layout import load_layout

    layout = load_layout("brochure")
    natural, tight, loose = (str(makeup.adjust_css(layout, level)) for level in (0, -1, 1))
    assert "--makeup-heading-space: 16.000pt" in natural
    assert "--makeup-heading-space: 0.000pt" in tight and "--makeup-heading-space: 32.000pt" in loose
    assert "--size-lead: 10.500pt" in natural and "--size-lead: 9.450pt" in tight
    assert "--makeup-figure-width: 75.00%" in tight and "--makeup-figure-width: 100.00%" in loose


@pytest.mark.parametrize("value, message", [
    (["tighten", "squeeze"], "unknown strategy 'squeeze'"),
    (["quote", "quote"], "twice"),
    ("tighten", "must be a list"),
])
def test_strategies_token_is_checked(value, message):
    from publish.layout.tokens import BY_NAME, check_value

    assert message in check_value(BY_NAME["makeup.strategies"], value)


def test_range_token_is_checked():
    from publish.layout.tokens import BY_NAME, check_value

    assert check_value(BY_NAME["makeup.heading_space"], [0, 1, 2]) is None
    assert "tightest <= natural <= loosest" in check_value(BY_NAME["makeup.heading_space"], [2, 1, 0])
    assert "three numbers" in check_value(BY_NAME["makeup.heading_space"], [1, 2])


@pytest.mark.parametrize("contact, expected", [
    ("contact:\n  heading: 募集\n", "contact.text: required field is missing"),
    ("contact:\n  text: 本文\n  headng: 募集\n", "contact.headng: unknown field 'headng' (did you mean 'heading'?)"),
    ("contact: [1, 2]\n", "contact: must be a mapping of contact fields"),
])
def test_contact_field_is_validated(tmp_path, capsys, contact, expected):
    from publish.app.cli import main

    source = tmp_path / "x.yaml"
    source.write_text("title: 題\npeople:\n  - id: a\n    name: 甲\nsections:\n  - turns:\n      - a: 本文\n"
                      + contact, encoding="utf-8")
    status = main(["check", str(source)])
    err = capsys.readouterr().err
    assert status == 2
    assert re.search(rf"x\.yaml:\d+:\d+: {re.escape(expected)}", err), err


# -- other layouts and editions ----------------------------------------------------------------------

PHOTO_SAMPLE = ROOT / "content" / "kohoku-design-lab.yaml"


@pytest.fixture(scope="module")
def editions(shared_build):
    """The three-speaker sample on JIS B5, the screen editions of both samples and the
    booklet-layout photo sample (print), with their build logs: the run's shared builds
    (test_standards_screen and others read the same files)."""
    built = {}
    for key, source, fmt, flags in (("b5", SOURCES["midoridai-mentors"], "pdf", ("--layout", "brochure-b5")),
                                    ("screen-midoridai", SOURCES["midoridai-mentors"], "screen-pdf", ()),
                                    ("screen-tokyo", SOURCES["tokyo-ict-exchange"], "screen-pdf", ()),
                                    ("screen-kohoku", PHOTO_SAMPLE, "screen-pdf", ()),
                                    ("kohoku", PHOTO_SAMPLE, "pdf", ())):
        output = shared_build(source, fmt, *flags)
        built[key] = (output["path"], output["stderr"])
    return built


def test_b5_fits_with_editorial_pages_and_no_hole(editions):
    path, stderr = editions["b5"]
    texts = _texts(path)
    assert len(texts) == 8 and "blank page" not in stderr, stderr
    assert "a contact page" in stderr
    assert "みどり台市はICT職を募集しています".replace("ICT", "") in texts[-2].replace("ICT", ""), texts[-2]
    result = audit(path)
    assert not result.findings, [f"page {f.page}: {f.kind}: {f.message}" for f in result.findings]
    # the people stand in one row after the lead: three profile names on one baseline, page 2
    with pdfplumber.open(path) as pdf:
        words = pdf.pages[1].extract_words()
    names = [w for w in words if w["text"].startswith(("佐藤", "高橋", "山田")) and w["x0"] > 0]
    tops = {round(w["top"]) for w in names}
    assert any(sum(abs(round(w["top"]) - t) <= 1 for w in names) == 3 for t in tops), names


@pytest.mark.parametrize("key", ["screen-midoridai", "screen-tokyo", "screen-kohoku"])
def test_screen_edition_is_made_up_like_print(editions, key):
    path, stderr = editions[key]
    result = audit(path)
    assert not result.findings, [f"page {f.page}: {f.kind}: {f.message}" for f in result.findings]
    # the print edition's make-up (test_a_runt_page_…, test_the_sample_gets_…): the same page count
    expected = {"screen-midoridai": (5, 4), "screen-tokyo": (6, 8), "screen-kohoku": (6, 8)}[key]
    assert re.search(rf"-screen\.pdf: make-up: {expected[0]} pages → {expected[1]} ", stderr), stderr
    assert len(_texts(path)) == expected[1]


def test_booklet_small_text_in_two_inks_and_profile_bands_whole(editions):
    from publish import preflight
    from publish.readers import load_interview

    path, _ = editions["kohoku"]
    report = preflight.check_pdf(path, only=["small-text-inks"])
    assert not report.by_check("small-text-inks") or all(
        f.severity == preflight.Severity.INFO for f in report.by_check("small-text-inks")), report.format(verbose=True)
    result = audit(path)
    assert not result.findings, [f"page {f.page}: {f.kind}: {f.message}" for f in result.findings]
    # each profile band on one page: its PROFILE label, the name's reading and the bio's start
    texts = _texts(path)[:4]
    doc = load_interview(PHOTO_SAMPLE)
    for person in doc.people:
        bio = person.bio[0].plain[:8]
        on = [i for i, t in enumerate(texts) if bio in t]
        assert len(on) == 1, (person.name, on)
        page = texts[on[0]]
        assert page.count("PROFILE") == sum(p.bio[0].plain[:8] in page for p in doc.people), (person.name, page[:200])


def test_a_collections_screen_edition_keeps_questions_with_their_answers(shared_build):
    """A collection's screen edition is one render (no binding to fit), and its questions
    keep their answers' first lines as in print: no make-up finding."""
    path = shared_build(SOURCES["digital-voices"], "screen-pdf")["path"]
    result = audit(path)
    assert not result.findings, [f"page {f.page}: {f.kind}: {f.message}" for f in result.findings]


def test_the_sample_in_b5_has_balanced_columns_above_its_headings(shared_build):
    """The seed in JIS B5: a question kept with its answer in the columns balanced above a
    spanning heading once left column 2 six lines short; the keep pass moves it instead."""
    path = shared_build(SOURCES["tokyo-ict-exchange"], "pdf", "--layout", "brochure-b5")["path"]
    result = audit(path)
    assert not result.findings, [f"page {f.page}: {f.kind}: {f.message}" for f in result.findings]
