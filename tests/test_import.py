"""`publish import`: published article text -> a source that validates and builds."""

from __future__ import annotations

import dataclasses
import re
import textwrap
from pathlib import Path

import pytest

from publish.app.cli import main
from publish.readers.article import escape_markup, person_id
from publish.app.importing import import_article
from publish.readers import load_interview
from publish.readers.markup import parse_paragraphs

from .conftest import ROOT, SAMPLE, SEED, run_publish

OWN = ROOT / "tests" / "fixtures" / "article-midoridai-mentors.txt"

HEAD = """\
- 公開日:
タイトル──サブ
- インタビュー記事
- 育成
リードです。
佐藤(みどり台市/ICT職)
情報課。略歴です。
斎藤(みどり台市/事務職)
略歴です。
"""


def comparable(doc):
    return dataclasses.replace(doc, source=Path("-"), slug="-")


def imported(tmp_path, article: Path, *extra) -> tuple[int, str, Path]:
    out = tmp_path / "out.yaml"
    result = run_publish("import", str(article), "-o", str(out), *extra)
    assert "Traceback" not in result.stderr
    return result.returncode, result.stderr, out


def test_importing_the_seed_gives_the_sample_model(tmp_path, capsys):
    out = tmp_path / "out.yaml"  # in-process (the next test runs `publish import` as a process)
    status = main(["import", str(SEED), "-o", str(out)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert status == 0, err
    assert comparable(load_interview(out)) == comparable(load_interview(SAMPLE))
    # and the text itself matches the hand-made sample, line for line, below the header comment
    strip = lambda p: [l for l in p.read_text(encoding="utf-8").splitlines() if not l.startswith("#")]
    assert strip(out) == strip(SAMPLE)


def test_own_article_three_speakers_full_width_colons(tmp_path, capsys):
    status, err, out = imported(tmp_path, OWN)
    assert status == 0, err
    doc = load_interview(out)
    assert [p.id for p in doc.people] == ["sato", "takahashi", "yamada"]
    assert {t.speaker for s in doc.sections for t in s.turns if t.kind == "answer"} == {"sato", "takahashi", "yamada"}
    assert doc.published.isoformat() == "2025-01-20" and doc.updated.isoformat() == "2025-02-03"
    assert doc.subtitle.plain == "三人で振り返る「聞ける関係」のつくり方"
    assert doc.people[0].department == "デジタル推進部デジタル戦略課"
    assert [s.heading.plain for s in doc.sections][0] == "「困ったら聞いていい」を仕組みにする"
    assert doc.note[0].plain.startswith("※ この記事は")
    # content/midoridai-mentors.yaml is this fixture's import, plus the editor's contact: page
    sample = load_interview(ROOT / "content" / "midoridai-mentors.yaml")
    assert sample.contact is not None and doc.contact is None
    assert comparable(doc) == comparable(dataclasses.replace(sample, contact=None))
    # the written source checks and builds (in-process: `publish import` above is the CLI run)
    assert main(["check", str(out)]) == 0, capsys.readouterr().err
    assert main(["build", str(out), "--out", str(tmp_path / "build")]) == 0, capsys.readouterr().err
    assert (tmp_path / "build" / "out.pdf").stat().st_size > 10_000
    assert (tmp_path / "build" / "out.epub").stat().st_size > 5_000


def body_lines(article: Path) -> list[str]:
    lines = [l.strip() for l in article.read_text(encoding="utf-8").splitlines() if l.strip()]
    start = next(i for i, l in enumerate(lines) if l.startswith("──")) - 1
    out = []
    for line in lines[start:]:
        line = re.sub(r"^──", "", line)
        line = re.sub(r"^(西田|山田|佐藤|高橋)[:：]\s?", "", line)
        out.append(line)
    return out


@pytest.mark.parametrize("article", [SEED, OWN], ids=["seed", "own"])
def test_every_character_of_the_body_ends_up_in_the_source(article):
    _, imported = import_article(article)
    parsed = imported.interview
    doc_lines = []
    for sec in parsed.sections:
        if sec.heading:
            doc_lines.append(sec.heading.plain)
        for turn in sec.turns:
            doc_lines += [p.plain for p in turn.paragraphs]
    doc_lines += [p.plain for p in parsed.note]
    assert doc_lines == body_lines(article)
    assert "".join(body_lines(article)).replace(" ", "") in "".join(
        p.plain for p in parse_paragraphs("\n\n".join(doc_lines))).replace(" ", "")


def run_import(tmp_path, text: str, capsys) -> tuple[int, list[str], Path]:
    article = tmp_path / "a.txt"
    article.write_text(textwrap.dedent(text), encoding="utf-8")
    out = tmp_path / "a.yaml"
    status = main(["import", str(article), "-o", str(out)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return status, err.splitlines(), out


def test_unplaceable_line_is_an_error_with_its_line_number_and_nothing_is_written(tmp_path, capsys):
    status, lines, out = run_import(tmp_path, HEAD + "見出し\nどこにも属さない段落です。\n──質問です。\n佐藤:答えです。\n", capsys)
    assert status == 2 and not out.exists()
    assert any(":11:1: a paragraph with no speaker" in l for l in lines), lines


def test_text_after_the_note_and_an_empty_section_are_errors(tmp_path, capsys):
    status, lines, out = run_import(tmp_path, HEAD + "見出し1\n見出し2\n──質問です。\n佐藤: 答えです。\n※ 注記\n残りの行。\n", capsys)
    assert status == 2 and not out.exists()
    assert any(":10:1: a section heading with no question" in l for l in lines), lines
    assert any(":15:1: text after the closing ※ note" in l for l in lines), lines


def test_bad_date_is_an_error(tmp_path, capsys):
    status, lines, _ = run_import(tmp_path, HEAD.replace("- 公開日:", "- 公開日: 来年の春") + "──質問。\n佐藤:答え。\n", capsys)
    assert status == 2 and any(":1:1: cannot read the date '来年の春'" in l for l in lines), lines


def test_unsure_decisions_are_warnings_with_line_numbers(tmp_path, capsys):
    text = HEAD + "──質問です。\n佐藤:答えです。\nそれで…\n──次の質問です。\n斎藤：答え「です」\n鈴木: これは話者ではない。\n"
    status, lines, out = run_import(tmp_path, text, capsys)
    assert status == 0, lines
    assert any(":12: warning: unsure whether this line is a heading" in l for l in lines), lines
    assert any(":15: warning: '鈴木' followed by a colon looks like a speaker" in l for l in lines), lines
    doc = load_interview(out)
    assert doc.sections[1].heading.plain == "それで…"
    assert doc.sections[1].turns[-1].paragraphs[-1].plain == "鈴木: これは話者ではない。"


def test_person_ids_are_readable_unique_and_stable(tmp_path, capsys):
    text = HEAD.replace("斎藤(", "斉藤(") + "佐藤 花子(市/職)\n略歴。\n──質問です。\n佐藤:答え。\n斉藤：答え。\n"
    status, lines, out = run_import(tmp_path, text.replace("佐藤(みどり台市/ICT職)", "斎藤(みどり台市/ICT職)").replace("佐藤:答え", "斎藤:答え"), capsys)
    assert status == 0, lines
    doc = load_interview(out)
    assert [p.id for p in doc.people] == ["saito", "saito-2", "sato-hanako"]
    first = out.read_text(encoding="utf-8")
    out.unlink()
    run_import(tmp_path, text.replace("佐藤(みどり台市/ICT職)", "斎藤(みどり台市/ICT職)").replace("佐藤:答え", "斎藤:答え"), capsys)
    assert out.read_text(encoding="utf-8") == first
    assert person_id("大野") == "ono" and person_id("伊藤") == "ito" and person_id("西田") == "nishida"


def test_full_name_profile_and_family_name_answers(tmp_path, capsys):
    text = HEAD.replace("佐藤(", "佐藤 花子(") + "──質問です。\n佐藤：答えです。\n"
    status, lines, out = run_import(tmp_path, text, capsys)
    assert status == 0, lines
    assert load_interview(out).sections[0].turns[1].speaker == "sato-hanako"


def test_markup_characters_are_escaped_so_every_character_survives(tmp_path, capsys):
    line = r"記号 {a|b} と 《《強調》》 と ^12^ と **太字** と \ を含む。"
    status, lines, out = run_import(tmp_path, HEAD + f"──質問です。\n佐藤: {line}\n", capsys)
    assert status == 0, lines
    assert load_interview(out).sections[0].turns[1].paragraphs[0].plain == line
    assert parse_paragraphs(escape_markup(line))[0].plain == line


def test_existing_output_is_kept_without_force(tmp_path, capsys):
    out = tmp_path / "a.yaml"
    out.write_text("old", encoding="utf-8")
    (tmp_path / "a.txt").write_text(HEAD + "──質問。\n佐藤:答え。\n", encoding="utf-8")
    assert main(["import", str(tmp_path / "a.txt"), "-o", str(out)]) == 1
    assert out.read_text(encoding="utf-8") == "old"
    assert main(["import", str(tmp_path / "a.txt"), "-o", str(out), "--force"]) == 0
    assert load_interview(out).title.plain == "タイトル"


def test_variants_weekday_dates_middle_dot_tags_crlf_and_blank_lines(tmp_path, capsys):
    text = ("- 公開日：2024年2月1日（木）\r\n- 最新更新日: 2024/2/15\r\n\r\nタイトル\r\n・インタビュー記事\r\n・育成\r\n"
            "リードです。\r\n\r\n佐藤（市／職）\r\n略歴です。\r\n\r\n──質問です。\r\n\r\n佐藤：答えです。\r\n\r\n続きです。\r\n")
    status, lines, out = run_import(tmp_path, text, capsys)
    assert status == 0, lines
    doc = load_interview(out)
    assert (doc.published.isoformat(), doc.updated.isoformat()) == ("2024-02-01", "2024-02-15")
    assert doc.kind == "インタビュー記事" and doc.tags == ("育成",)
    assert doc.people[0].affiliation == "市" and doc.people[0].title == "職"
    assert [p.plain for p in doc.sections[0].turns[1].paragraphs] == ["答えです。", "続きです。"]
