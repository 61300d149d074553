"""The designers' loop (issue 12): stylesheet mistakes located, type-area culprits named,
covers with photos, editions that say what they are for, the PDF's record of how it was
made, where a collection's chapters start, and the minor points."""

from __future__ import annotations

import shutil
import textwrap

import pytest

from publish.cli import main

from .conftest import ROOT, SAMPLE


@pytest.fixture
def layouts(tmp_path, monkeypatch):
    """A copy of layouts/ (fonts/ beside it) that $PUBLISH_LAYOUTS points at."""
    root = tmp_path / "layouts"
    shutil.copytree(ROOT / "layouts", root)
    (tmp_path / "fonts").symlink_to(ROOT / "fonts")
    monkeypatch.setenv("PUBLISH_LAYOUTS", str(root))
    return root


def run(argv, capsys) -> tuple[int, list[str]]:
    status = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return status, [line for line in err.splitlines() if line.strip()]


def mistake_layout(root, name="mine"):
    """A child of the booklet whose stylesheet has the four mistakes of the issue."""
    folder = root / name
    folder.mkdir()
    (folder / "layout.yaml").write_text("extends: booklet\nstylesheets:\n  print: [inherit, mine.css]\n",
                                        encoding="utf-8")
    css = folder / "mine.css"
    css.write_text(textwrap.dedent("""\
        /* a designer's additions */
        .cover-title { color: var(--color-acent); }
        .profile { border-top: 1pt solidd var(--color-accent); }
        .note { text-colour: red; }
        .pull-quote { margin: 0;
        .figure { margin: 0 0 var(--line-pitch); }
        .lead { letter-spacing: 0.1em; }
        """), encoding="utf-8")
    return css


# -- 1. stylesheet mistakes ---------------------------------------------------------------------


def test_every_css_mistake_is_located_by_check(layouts, capsys):
    css = mistake_layout(layouts)
    status, lines = run(["check", "--layout", "mine"], capsys)
    assert status == 0, "warnings unless --strict"
    where = str(css)
    expected = {
        f"{where}:2:16: warning: var(--color-acent)": "did you mean '--color-accent'?",
        f"{where}:3:12: warning: 'border-top: 1pt solidd var(--color-accent)'": "invalid value",
        f"{where}:4:9: warning: unknown property 'text-colour'": "ignored",
        f"{where}:5:13: warning: {{ is never closed (missing }})": "from line 6",
    }
    for prefix, fragment in expected.items():
        assert any(line.startswith(prefix) and fragment in line for line in lines), (prefix, lines)
    assert sum(": warning: " in line for line in lines) == 4, lines
    status, lines = run(["check", "--layout", "mine", "--strict"], capsys)
    assert status == 2 and sum(": error: " in line for line in lines) == 4


def test_shipped_layouts_have_clean_stylesheets(capsys):
    for name in ("brochure", "booklet", "brochure-b5"):
        status, lines = run(["check", "--layout", name], capsys)
        assert status == 0 and lines == [lines[-1]] and lines[-1].startswith(f"layout {name}: ok ("), lines


def test_build_reports_css_warnings_on_stderr_and_strict_fails(layouts, tmp_path, capsys):
    css = mistake_layout(layouts)
    out = tmp_path / "out"
    status, lines = run(["build", str(SAMPLE), "--layout", "mine", "--format", "epub", "--out", str(out)], capsys)
    assert status == 0 and (out / "tokyo-ict-exchange.epub").is_file()
    assert sum(line.startswith(f"{css}:") and ": warning: " in line for line in lines) == 4
    status, lines = run(["build", str(SAMPLE), "--layout", "mine", "--format", "epub", "--out",
                         str(tmp_path / "strict"), "--strict"], capsys)
    assert status == 2 and not (tmp_path / "strict").exists()
    assert any(line.startswith(f"{css}:2:16: error: var(--color-acent)") for line in lines)


def test_the_var_check_knows_every_token_and_declared_property(layouts):
    from publish.css_check import check_stylesheets
    from publish.layout import load_layout

    sheet = layouts / "t.css"
    sheet.write_text(".a { --mine: 3mm; }\n.b { margin: var(--mine) var(--bleed); color: var(--color-muted); "
                     "width: calc(var(--page-width) - var(--nope, 2mm)); }\n", encoding="utf-8")
    assert check_stylesheets([sheet], load_layout("brochure").css_variables("print")) == []


def test_type_area_names_the_negative_margin_and_reports_every_token_error(layouts, capsys):
    folder = layouts / "wide"
    folder.mkdir()
    spec = folder / "layout.yaml"
    spec.write_text("extends: brochure\nsizes:\n  title: huge\ntype_area:\n  margin_inside: 80mm\n",
                    encoding="utf-8")
    status, lines = run(["check", "--layout", "wide"], capsys)
    assert status == 2
    assert any(line.startswith(f"{spec}:3:10: sizes.title: ") for line in lines), lines
    assert any(line.startswith(f"{spec}:5:3: type_area.margin_inside: ") and "outside margin (小口) is -" in line
               for line in lines), lines
