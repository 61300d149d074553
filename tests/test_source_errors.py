"""Bad input: every problem reported as path:line:column: field: message, exit status 2,
no traceback."""

from __future__ import annotations

import textwrap

import pytest

from publish.app.cli import main

from .conftest import run_publish

GOOD = """\
title: タイトル
people:
  - id: yamada
    name: 山田
  - id: nishida
    name: 西田
sections:
  - turns:
      - q: 質問です。
      - yamada: 答えです。
"""


def check(content_dir, text: str | bytes, capsys, name="x.yaml") -> tuple[int, list[str]]:
    path = content_dir / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    status = main(["check", str(path)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return status, [line for line in err.splitlines() if line.strip()]


def assert_problem(lines, path_end: str, line: int, column: int, field: str, fragment: str):
    prefix = f"{path_end}:{line}:{column}: {field}: " if field else f"{path_end}:{line}:{column}: "
    matching = [l for l in lines if prefix in l and fragment in l]
    assert matching, f"no line with {prefix!r} and {fragment!r} in:\n" + "\n".join(lines)


def test_good_source_passes(content_dir, capsys):
    status, lines = check(content_dir, GOOD, capsys)
    assert status == 0, lines


def test_check_of_a_source_runs_the_templates_but_typesets_nothing(monkeypatch, capsys):
    """`publish check SOURCE` renders the print HTML and the EPUB's documents (Jinja only):
    no WeasyPrint render, for the EPUB's page list or anything else."""
    import publish.render
    from publish.render import fetch

    from .conftest import COLLECTION, SAMPLE

    def refuse(*args, **kwargs):
        raise AssertionError("check typeset the document")

    monkeypatch.setattr(fetch, "render", refuse)
    monkeypatch.setattr(publish.render, "render_book", refuse)
    for source in (SAMPLE, COLLECTION):
        assert main(["check", str(source)]) == 0, capsys.readouterr().err


def test_unknown_speaker_with_suggestion(content_dir, capsys):
    status, lines = check(content_dir, GOOD.replace("      - yamada: 答え", "      - yamda: 答え"), capsys)
    assert status == 2
    assert_problem(lines, "x.yaml", 10, 9, "sections[0].turns[1]", "unknown speaker 'yamda'")
    assert "did you mean 'yamada'?" in lines[0] and "known: yamada, nishida" in lines[0]


def test_yaml_syntax_error(content_dir, capsys):
    status, lines = check(content_dir, "title: [unclosed\npeople: []\n", capsys)
    assert status == 2
    assert "x.yaml:" in lines[0] and "YAML syntax error" in lines[0]
    assert lines[0].split(":")[1:3] == ["1", "8"], "reported where the [ opens (issue 12)"
    assert "the [ opened here is not closed" in lines[0]


def test_not_utf8(content_dir, capsys):
    status, lines = check(content_dir, "title: タイトル\n".encode("shift_jis"), capsys)
    assert status == 2
    assert_problem(lines, "x.yaml", 1, 8, "", "not UTF-8")


def test_empty_file(content_dir, capsys):
    status, lines = check(content_dir, "  \n", capsys)
    assert status == 2
    assert_problem(lines, "x.yaml", 1, 1, "", "the file is empty")


def test_missing_required_fields_are_all_reported(content_dir, capsys):
    status, lines = check(content_dir, "subtitle: サブ\n", capsys)
    assert status == 2
    for field in ("title", "people", "sections"):
        assert any(f": {field}: required field is missing" in l for l in lines), lines


def test_wrong_type(content_dir, capsys):
    status, lines = check(content_dir, GOOD.replace("title: タイトル", "title: [a, b]"), capsys)
    assert status == 2
    assert_problem(lines, "x.yaml", 1, 8, "title", "must be text, not a list")
    status, lines = check(content_dir, GOOD + "published: someday\n", capsys)
    assert_problem(lines, "x.yaml", 11, 12, "published", "must be a date like 2024-02-01")


def test_unknown_field_with_did_you_mean(content_dir, capsys):
    status, lines = check(content_dir, GOOD + "subtitel: サブ\n", capsys)
    assert status == 2
    assert_problem(lines, "x.yaml", 11, 1, "subtitel", "unknown field 'subtitel' (did you mean 'subtitle'?)")
    status, lines = check(content_dir, GOOD.replace("    name: 山田", "    name: 山田\n    readng: やまだ"), capsys)
    assert_problem(lines, "x.yaml", 5, 5, "people[0].readng", "did you mean 'reading'?")


def test_duplicate_person_ids(content_dir, capsys):
    status, lines = check(content_dir, GOOD.replace("id: nishida", "id: yamada"), capsys)
    assert status == 2
    assert_problem(lines, "x.yaml", 5, 9, "people[1].id", "duplicate person id 'yamada'")


def test_turn_with_two_keys(content_dir, capsys):
    status, lines = check(content_dir, GOOD.replace("      - q: 質問です。", "      - q: 質問です。\n        yamada: 答え"), capsys)
    assert status == 2
    assert_problem(lines, "x.yaml", 9, 9, "sections[0].turns[0]", "found 'q' and 'yamada'")


@pytest.mark.parametrize(
    "text, column, fragment",
    [
        ("答えは{漢字|です。", 20, "ruby '{' is not closed"),
        ("答えは《《傍点です。", 20, "emphasis dots '《《' is not closed"),
        ("答えは**強調です。", 20, "strong '**' is not closed"),
        ("答えは^12です。", 20, "tate-chu-yoko '^' is not closed"),
    ],
)
def test_unbalanced_inline_markup(content_dir, capsys, text, column, fragment):
    status, lines = check(content_dir, GOOD.replace("答えです。", text), capsys)
    assert status == 2
    assert len(lines) == 1, lines
    assert_problem(lines, "x.yaml", 10, column, "sections[0].turns[1].yamada", fragment)


def test_unbalanced_markup_inside_a_block_scalar_points_at_its_line(content_dir, capsys):
    block = "|\n          一段落目です。\n\n          二段落目の{漢字|です。\n"
    status, lines = check(content_dir, GOOD.replace("答えです。\n", block), capsys)
    assert status == 2
    assert_problem(lines, "x.yaml", 13, 16, "sections[0].turns[1].yamada", "ruby '{' is not closed")


def test_missing_image_and_image_outside_content(content_dir, capsys):
    (content_dir.parent / "secret.jpg").write_bytes(b"x")
    text = GOOD + "      - image: images/none.jpg\n      - image: ../secret.jpg\n"
    status, lines = check(content_dir, text, capsys)
    assert status == 2
    assert_problem(lines, "x.yaml", 11, 16, "sections[0].turns[2].image", "file 'images/none.jpg' does not exist")
    assert_problem(lines, "x.yaml", 12, 16, "sections[0].turns[3].image", "points outside the content folder")
    status, lines = check(content_dir, GOOD.replace("    name: 山田", "    name: 山田\n    photo: images/yamada.jpg"), capsys)
    assert_problem(lines, "x.yaml", 5, 12, "people[0].photo", "does not exist")


def test_unknown_layout(content_dir, capsys):
    status, lines = check(content_dir, GOOD + "layout: brochur\n", capsys)
    assert status == 2
    assert_problem(lines, "x.yaml", 11, 9, "layout", "unknown layout 'brochur' (did you mean 'brochure'?")


def test_cli_exit_status_and_no_traceback_end_to_end(content_dir):
    bad = content_dir / "bad.yaml"
    bad.write_text(GOOD.replace("yamada: 答え", "yamda: 答え"), encoding="utf-8")
    for command in ("check", "build"):
        result = run_publish(command, str(bad), "--out", str(content_dir.parent / "out")) if command == "build" \
            else run_publish(command, str(bad))
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert "bad.yaml:10:9: sections[0].turns[1]: unknown speaker 'yamda'" in result.stderr
    assert not (content_dir.parent / "out").exists() or not any((content_dir.parent / "out").iterdir())


def test_missing_source_file(content_dir, capsys):
    status = main(["check", str(content_dir / "nothing.yaml")])
    err = capsys.readouterr().err
    assert status == 2 and "Traceback" not in err
    assert "nothing.yaml:1:1: cannot read the file: No such file or directory" in err


def test_markup_keeps_spaces_around_inline_nodes():
    from publish.model import Ruby, Text
    from publish.readers import parse_paragraphs

    (paragraph,) = parse_paragraphs("第1章 {雲|くも} と空\nつづき")
    assert paragraph.inlines == (Text("第1章 "), Ruby("雲", "くも"), Text(" と空つづき"))
    (latin,) = parse_paragraphs("Cloud\nCenter")
    assert latin.plain == "Cloud Center"


@pytest.mark.parametrize("name, value, says", [
    ("SOURCE_DATE_EPOCH", "yesterday", "SOURCE_DATE_EPOCH must be whole seconds since 1970, not 'yesterday'"),
    ("SOURCE_DATE_EPOCH", "-5", "SOURCE_DATE_EPOCH must be whole seconds"),
    ("PUBLISH_JOBS", "two", "PUBLISH_JOBS must be a whole number of at least 1, not 'two'"),
    ("PUBLISH_JOBS", "0", "PUBLISH_JOBS must be a whole number of at least 1"),
])
def test_bad_environment_is_bad_input(content_dir, capsys, monkeypatch, name, value, says):
    """A bad SOURCE_DATE_EPOCH or PUBLISH_JOBS is bad input like a bad source: one line naming
    the variable, exit status 2, no traceback, and nothing written."""
    source = content_dir / "x.yaml"
    source.write_text(GOOD, encoding="utf-8")
    monkeypatch.setenv(name, value)
    out = content_dir.parent / "out"
    status = main(["build", str(source), "--format", "epub", "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2, err
    assert says in err and "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())
