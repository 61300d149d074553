"""`publish import MANUSCRIPT.docx`: a Word manuscript imports to the same source as its text."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import docx
from docx.enum.text import WD_BREAK

from publish.app.cli import main
from publish.readers.article import parse_article
from publish.app.importing import read_article
from publish.readers import load_interview

from .conftest import SAMPLE, SEED


def comparable(doc):
    return dataclasses.replace(doc, source=Path("-"), slug="-")


def body_lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]


def seed_as_docx(target: Path) -> dict:
    """The seed as an editor's Word file: list paragraphs for the dates and tags, Title and
    Subtitle, Heading 2 for the section headings, each profile header and its bio in one
    paragraph with a line break, speaker names bold (with and without the colon), and
    answers' continuation paragraphs joined to the answer by line breaks.

    Which seed lines are headings and answers comes from the text import itself."""
    text = SEED.read_text(encoding="utf-8")
    imported = parse_article(text, SEED)
    article, at = imported.interview, imported.lines
    lines = text.split("\n")
    headings = {line for line, sec in zip(at.sections, article.sections) if sec.heading is not None}
    answers = {line: turn for sec, turn_lines in zip(article.sections, at.turns)
               for line, turn in zip(turn_lines, sec.turns) if turn.kind == "answer"}
    profiles = set(at.people)
    title_line = at.title
    names = {p.id: p.name for p in article.people}

    document = docx.Document()
    stats = {"bold_no_colon": 0, "bold_colon": 0, "breaks": 0}
    number, open_answer = 0, None
    while number < len(lines):
        number += 1
        line = lines[number - 1].strip()
        if not line:
            continue
        if line.startswith("- "):
            document.add_paragraph(line[2:], style="List Bullet")
            open_answer = None
        elif number == title_line:
            title, _, subtitle = line.partition("──")
            document.add_paragraph(title, style="Title")
            document.add_paragraph(subtitle, style="Subtitle")
        elif number in headings:
            document.add_heading(line, level=2)
            open_answer = None
        elif number in profiles:
            paragraph = document.add_paragraph(line)
            paragraph.runs[0].add_break(WD_BREAK.LINE)  # the bio follows after a line break
            paragraph.add_run(lines[number].strip())
            number += 1
            stats["breaks"] += 1
        elif number in answers:
            name = names[answers[number].speaker]
            rest = line[len(name):].lstrip(":：")
            paragraph = document.add_paragraph()
            if stats["bold_colon"] <= stats["bold_no_colon"]:
                paragraph.add_run(name + "：").bold = True
                stats["bold_colon"] += 1
            else:
                paragraph.add_run(name).bold = True
                rest = "\u3000" + rest
                stats["bold_no_colon"] += 1
            paragraph.add_run(rest)
            open_answer = paragraph
        elif open_answer is not None and not line.startswith(("──", "※")) and stats["breaks"] % 2:
            run = open_answer.add_run()
            run.add_break(WD_BREAK.LINE)
            open_answer.add_run(line)
            stats["breaks"] += 1
        else:
            paragraph = document.add_paragraph(line)
            if line.startswith(("──", "※")):
                open_answer = None
            elif open_answer is not None:
                open_answer = paragraph  # the next continuation goes after a break in this one
                stats["breaks"] += 1
    document.save(target)
    return stats


def test_the_seed_as_a_word_file_imports_to_the_sample(tmp_path, capsys):
    manuscript = tmp_path / "seed.docx"
    stats = seed_as_docx(manuscript)
    assert stats["bold_no_colon"] and stats["bold_colon"] and stats["breaks"] > 4, stats
    out = tmp_path / "from-docx.yaml"
    assert main(["import", str(manuscript), "-o", str(out)]) == 0, capsys.readouterr().err
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert comparable(load_interview(out)) == comparable(load_interview(SAMPLE))
    assert body_lines(out) == body_lines(SAMPLE)
    # the two readers give the same model, before any YAML is written
    from_word = read_article(manuscript).interview
    from_text = parse_article(SEED.read_text(encoding="utf-8"), SEED).interview
    assert comparable(from_word) == comparable(from_text)


def test_word_knows_headings_bold_names_and_breaks_that_text_must_guess(tmp_path, capsys):
    document = docx.Document()
    for line in ("タイトル──サブ", "リードです。", "佐藤(みどり台市/ICT職)", "情報課。略歴です。"):
        document.add_paragraph(line)
    document.add_heading("なぜ市役所に？", level=2)  # ends like a sentence: a heading only by its style
    document.add_paragraph("──質問です。")
    answer = document.add_paragraph()
    answer.add_run("佐藤").bold = True
    answer.add_run(" 答えは、")
    answer.add_run().add_break(WD_BREAK.LINE)  # a break inside a sentence
    answer.add_run("ここで終わります。")
    emphasis = document.add_paragraph()
    emphasis.add_run("強調").bold = True
    emphasis.add_run("の段落です。")
    manuscript = tmp_path / "m.docx"
    document.save(manuscript)
    out = tmp_path / "m.yaml"
    assert main(["import", str(manuscript), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "m.docx:7: warning: a line break inside a sentence" in err, err
    doc = load_interview(out)
    assert doc.sections[0].heading.plain == "なぜ市役所に？"
    turns = doc.sections[0].turns
    assert [t.kind for t in turns] == ["question", "answer"] and turns[1].speaker == "sato"
    # the bold name is taken off; bold that names nobody stays text, without a colon added
    assert [p.plain for p in turns[1].paragraphs] == ["答えは、ここで終わります。", "強調の段落です。"]


def test_tracked_changes_and_non_word_files_are_refused(tmp_path, capsys):
    document = docx.Document()
    paragraph = document.add_paragraph("本文。")
    from docx.oxml import parse_xml

    paragraph._p.append(parse_xml(
        '<w:ins xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:id="1" '
        'w:author="x"><w:r><w:t>追加</w:t></w:r></w:ins>'))
    tracked = tmp_path / "tracked.docx"
    document.save(tracked)
    assert main(["import", str(tracked), "-o", str(tmp_path / "t.yaml")]) == 2
    assert "tracked.docx:1:1: the manuscript has tracked changes" in capsys.readouterr().err
    fake = tmp_path / "fake.docx"
    fake.write_text("not a zip", encoding="utf-8")
    assert main(["import", str(fake), "-o", str(tmp_path / "f.yaml")]) == 2
    err = capsys.readouterr().err
    assert "fake.docx:1:1: not a Word .docx file" in err and "Traceback" not in err
    assert not (tmp_path / "t.yaml").exists() and not (tmp_path / "f.yaml").exists()
