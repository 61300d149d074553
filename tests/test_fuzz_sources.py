"""Fuzzing the trust boundary (issue 10): Hypothesis writes sources (valid-ish YAML with
random field values, inline markup, control characters, odd numbers and dates, YAML
features sources refuse), `style:` token values and articles for `publish import`, and
every run must end with exit 0 or 2 — never a traceback (an exception escaping `main`
fails the test with its traceback). Bounded and derandomised so the suite stays fast and
repeatable; a few examples are also built."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from publish.app.cli import main  # noqa: E402

from .conftest import SEED  # noqa: E402

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.function_scoped_fixture])
FEW = settings(max_examples=3, deadline=None, derandomize=True, database=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.function_scoped_fixture])

NASTY = ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\r", "\t", "\ufffe", "\uffff", "\u202e", "\u2066", "\u200b",
         "\ufeff", "\u2028", "\U0001F600", "\ud800"]
MARKUP = ["{", "}", "|", "《《", "》》", "^", "**", "\\", "{漢字|かんじ}", "^12^", "^12345^", "《《傍点》》", "**強**"]
plain_chars = st.sampled_from(list("漢字かなカナ山田答質問 abcXYZ019-:#&*!%@,.[]'\"\n\t　。、「」"))
text_values = st.lists(st.one_of(plain_chars, st.sampled_from(NASTY), st.sampled_from(MARKUP),
                                 st.characters(), st.just("x" * 300)), max_size=30).map("".join)
odd_scalars = st.sampled_from([
    "2024-02-30", "2024-13-45", "2024-02-01", "2024-2-1", "2024-02-01T25:00:00", "1e999", "-0", ".nan", ".inf",
    "0x1F", "0o17", "0b101", "1_000", "9" * 5001, "~", "null", "yes", "NO", "=", "<<", "!!int abc", "&a x", "*a",
    "!!binary aGk=", "!!python/object/apply:os.system [id]", "? complex", "[", "{", "@x", "`x", "%TAG",
])
scalars = st.one_of(text_values, st.integers(min_value=-(10**60), max_value=10**60), st.floats(), st.booleans(),
                    st.none(), st.dates())
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.one_of(text_values, st.integers()), inner,
                                                                       max_size=4)), max_leaves=12)
FIELDS = ["title", "subtitle", "title_reading", "kind", "publisher", "published", "updated", "tags", "layout",
          "lead", "people", "interviewer", "sections", "note", "url", "style", "photo", "q", "yamada"]
TOKEN_NAMES = ["page.trim", "page.bleed", "page.binding", "type_area.body_size", "type_area.line_pitch",
               "type_area.chars_per_line", "type_area.columns", "type_area.lines", "fonts.serif", "fonts.sans",
               "colors.accent.rgb", "colors.accent.cmyk", "colors.text.rgb", "show.qr", "page.icc_profile",
               "epub.writing_mode", "nonsense.token"]
token_values = st.one_of(odd_scalars, scalars, st.sampled_from([
    "12pt", "-5mm", "1e999pt", "0pt", "99999mm", "A4", "B5", "148mm 210mm", "#ff0000", "#zzzzzz", "0 0 0 100",
    "0 0 0 1000", "red", "url(http://127.0.0.1/x)", "x</style><link href=file:///etc/passwd>", "../../etc/passwd",
    "Noto Serif JP", "'; } body { display:none", "vertical-rl", 0, 1, -1, 10**40]))


def nested(path: str, value):
    out = value
    for part in reversed(path.split(".")):
        out = {part: out}
    return out


@st.composite
def sources(draw) -> str:
    """A skeleton that validates, with fields replaced, added, mutated and broken."""
    doc = {
        "title": draw(st.one_of(text_values, st.just("タイトル"))),
        "people": [{"id": draw(st.sampled_from(["yamada", "Yamada", "y a", ""])), "name": draw(text_values)}],
        "sections": [{"turns": [{"q": draw(text_values)}, {"yamada": draw(text_values)}]}],
    }
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=4)):
        doc[name] = draw(values)
    if draw(st.booleans()):
        style: dict = {}
        for name in draw(st.lists(st.sampled_from(TOKEN_NAMES), max_size=4)):
            style.update(nested(name, draw(token_values)))
        doc["style"] = style
    text = yaml.safe_dump(doc, allow_unicode=draw(st.booleans()), sort_keys=False,
                          default_style=draw(st.sampled_from([None, '"', "'", "|"])), width=draw(st.sampled_from([40, 10**6])))
    lines = text.split("\n")
    for _ in range(draw(st.integers(0, 4))):  # raw damage: YAML features, odd values, raw characters
        at = draw(st.integers(0, len(lines) - 1))
        column = draw(st.integers(0, len(lines[at])))
        piece = draw(st.one_of(odd_scalars, st.sampled_from(NASTY), st.sampled_from(MARKUP),
                               st.sampled_from([" &r [*r]", "\n  <<: {a: 1}", ": ", "- ", "\n  ", "'", '"',
                                                "[" * 60, "{a: " * 50])))
        lines[at] = lines[at][:column] + piece + lines[at][column:]
    return "\n".join(lines)


def run(args: list[str], capsys) -> int:
    status = main(args)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return status


@FUZZ
@given(text=sources())
def test_check_answers_any_source_with_0_or_2(text, capsys):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        assert run(["check", str(path)], capsys) in (0, 2)


@FUZZ
@given(text=sources())
def test_check_answers_any_collection_with_0_or_2(text, capsys):
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "a.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
        collection = Path(tmp) / "c.collection.yaml"
        collection.write_text(f"title: {text[:40]!r}\ninterviews: [a.yaml]\n", encoding="utf-8",
                              errors="surrogatepass")
        assert run(["check", str(collection)], capsys) in (0, 2)


SEED_LINES = SEED.read_text(encoding="utf-8").split("\n")
article_lines = st.one_of(
    st.sampled_from(SEED_LINES),
    st.sampled_from(["- 公開日: 2024年2月30日", "- 公開日: 2024年13月45日", "- 公開日: 99999年1月1日", "- 最新更新日:",
                     "──", "──質問？", "西田:", "西田：答え。", "山田(東京都/ICT職)", "(/)", "※ 注記", "- ", "・",
                     "見出し", ":", "：" * 20, "x" * 500]),
    text_values.map(lambda t: t.replace("\n", "")),
)


@FUZZ
@given(lines=st.lists(article_lines, max_size=40), damage=st.lists(st.sampled_from(NASTY), max_size=2))
def test_import_answers_any_article_with_0_or_2(lines, damage, capsys):
    with tempfile.TemporaryDirectory() as tmp:
        article = Path(tmp) / "a.txt"
        article.write_text("\n".join(lines + damage), encoding="utf-8", errors="surrogatepass")
        assert run(["import", str(article), "-o", str(Path(tmp) / "out.yaml")], capsys) in (0, 2)


@FUZZ
@given(cut=st.integers(0, len(SEED_LINES)), piece=st.one_of(st.sampled_from(NASTY + MARKUP), text_values))
def test_import_of_a_damaged_seed_answers_with_0_or_2(cut, piece, capsys):
    lines = list(SEED_LINES)
    lines.insert(cut, piece)
    with tempfile.TemporaryDirectory() as tmp:
        article = Path(tmp) / "a.txt"
        article.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
        assert run(["import", str(article), "-o", "-"], capsys) in (0, 2)


@FEW
@given(title=text_values, answer=text_values)
def test_a_few_generated_sources_build_or_are_refused(title, answer, capsys):
    text = yaml.safe_dump({"title": title or "タ", "people": [{"id": "yamada", "name": "山田"}],
                           "sections": [{"turns": [{"q": "質問です。"}, {"yamada": answer or "答え"}]}]},
                          allow_unicode=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        status = run(["build", str(path), "--out", str(Path(tmp) / "out"), "--format", "epub"], capsys)
        assert status in (0, 2)
        if status == 0:
            assert (Path(tmp) / "out" / "x.epub").stat().st_size > 0
