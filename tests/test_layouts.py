"""Layouts as folders: tokens validated with positions, inheritance, a source's style:,
the built-in booklet and brochure-b5, new-layout's scaffold and the designers' guide."""

from __future__ import annotations

import re
import textwrap

import pytest

from publish.app.cli import main
from publish.layout import PT_PER, layouts_dir, load_layout
from publish.layout.tokens import TOKENS

from .conftest import ROOT, SAMPLE

SOURCE = """\
title: タイトル
people:
  - id: yamada
    name: 山田
sections:
  - turns:
      - q: 質問です。
      - yamada: 答えです。
"""


def write_layout(root, name: str, text: str):
    (root / name).mkdir(exist_ok=True)
    path = root / name / "layout.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def run(argv, capsys) -> tuple[int, list[str]]:
    status = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return status, [line for line in err.splitlines() if line.strip()]


def has(lines, prefix: str, fragment: str) -> bool:
    return any(prefix in line and fragment in line for line in lines)


# -- inheritance ----------------------------------------------------------------------------


def test_extends_merges_tokens_and_falls_back_for_templates_and_css():
    b5, brochure = load_layout("brochure-b5"), load_layout("brochure")
    assert [p.name for p in b5.chain] == ["brochure-b5", "brochure"]
    assert b5.trim_mm == (182, 257)
    assert b5.tokens["type_area"]["chars_per_line"] == 23
    assert b5.tokens["type_area"]["body_size"] == brochure.tokens["type_area"]["body_size"]
    assert b5.tokens["colors"] == brochure.tokens["colors"]
    assert b5.find("templates/parts/cover.html.j2").parent.parent.parent.name == "brochure"
    assert b5.stylesheets("print") == brochure.stylesheets("print") + [ROOT / "layouts/brochure-b5/brochure-b5.css"]

    booklet = load_layout("booklet")
    assert booklet.find("templates/parts/profile.html.j2").parts[-4] == "booklet"
    assert booklet.find("templates/parts/cover.html.j2").parts[-4] == "brochure"
    sheets = booklet.stylesheets("print")
    assert sheets == load_layout("brochure").stylesheets("print") + [ROOT / "layouts/booklet/booklet.css"]  # `inherit`
    assert [p.parent.name for p in sheets] == ["brochure"] * (len(sheets) - 1) + ["booklet"]
    assert booklet.tokens["colors"]["text"] == load_layout("brochure").tokens["colors"]["text"]


def test_a_child_template_or_stylesheet_replaces_the_parents(layouts):
    write_layout(layouts, "kid", "extends: booklet\n")
    (layouts / "kid" / "templates" / "parts").mkdir(parents=True)
    (layouts / "kid" / "templates" / "parts" / "note.html.j2").write_text("<p class='kid-note'>KID</p>")
    (layouts / "kid" / "booklet.css").write_text(".kid { }")
    kid = load_layout("kid")
    assert [p.name for p in kid.chain] == ["kid", "booklet", "brochure"]
    assert kid.find("templates/parts/note.html.j2").parts[-4] == "kid"
    assert kid.stylesheets("print")[-1].parent.name == "kid"
    from publish.app.build import layout_for, load
    from publish.render import render_print_html

    html = render_print_html(load(SAMPLE, "kid"), layout_for(load(SAMPLE, "kid"), "kid"))
    assert "kid-note" in html and "profile-band" in html  # own part, and the booklet's


@pytest.mark.parametrize("name", ["brochure", "booklet", "brochure-b5"])
def test_built_in_type_areas_are_whole_characters_and_whole_lines(name):
    layout = load_layout(name)
    ta = layout.tokens["type_area"]
    area = layout.type_area
    assert area.column_width == pytest.approx(ta["chars_per_line"] * area.body_size)
    assert area.width == pytest.approx(area.columns * area.column_width + (area.columns - 1) * area.gutter)
    assert area.height == pytest.approx(ta["lines"] * area.line_pitch)
    assert not area.problems()
    assert area.margin_left >= 36 and area.margin_bottom >= 36  # ≥ 12.7 mm: room for heads and folios


def test_booklet_and_b5_build_through_the_cli(shared_build):
    import pikepdf

    for name, size_mm in (("booklet", (148, 210)), ("brochure-b5", (182, 257))):
        with pikepdf.open(shared_build(SAMPLE, "pdf", "--layout", name)["path"]) as pdf:
            box = [float(v) for v in (pdf.pages[1].obj.get("/TrimBox") or pdf.pages[1].mediabox)]
            width, height = (box[2] - box[0]) / PT_PER["mm"], (box[3] - box[1]) / PT_PER["mm"]
            assert (round(width), round(height)) == size_mm, (name, width, height)
            assert len(pdf.pages) >= 6


def test_booklet_body_is_one_column_of_33_characters(shared_build):
    import pdfplumber

    built = shared_build(SAMPLE, "pdf", "--layout", "booklet")
    area = load_layout("booklet").type_area
    with pdfplumber.open(built["path"]) as pdf:
        page = pdf.pages[4]
        offset = 0  # pdfplumber reports PDF user space: the trim's corner is the origin
        body = [c for c in page.chars if abs(c["size"] - area.body_size) < 0.01 and "Serif" in c["fontname"]]
        lefts = {round(c["x0"] - offset, 1) for c in body}
        rights = [c["x1"] - offset for c in body]
    left = min(lefts)
    assert left == pytest.approx(area.margin_left, abs=0.6) or left == pytest.approx(area.margin_right, abs=0.6)
    assert max(rights) <= left + 33 * 9 + 0.6
    assert max(rights) >= left + 32 * 9 - 0.6  # justified lines reach the measure


def test_an_unknown_layout_option_is_bad_input(capsys):
    status, lines = run(["build", str(SAMPLE), "--layout", "bookle"], capsys)
    assert status == 2 and "unknown layout 'bookle' (did you mean 'booklet'?" in lines[0]
    status, lines = run(["preview", str(SAMPLE), "--layout", "nope"], capsys)
    assert status == 2 and "unknown layout 'nope'" in lines[0]


# -- layout.yaml validation ----------------------------------------------------------------------


def test_layout_yaml_problems_are_reported_with_positions(layouts, tmp_path, capsys):
    spec = write_layout(layouts, "kid", """\
        extends: brochure
        page:
          trim: A5x
          bleed: 3
        sizse:
          title: 20pt
        sizes:
          heading: 12px
          lead: big
        colors:
          accent: { cmyk: [0, 0, 0, 120], rgb: "#ffffff" }
          muted: { rgb: "#555555" }
        type_area:
          columns: 2.5
          lnies: 40
        show:
          folio: yes please
        """)
    status, lines = run(["build", str(SAMPLE), "--layout", "kid", "--out", str(tmp_path / "o")], capsys)
    assert status == 2, lines
    where = str(spec)
    assert has(lines, f"{where}:3:9: page.trim: ", "must be one of A3, A4, A5")
    assert has(lines, f"{where}:5:1: sizse: ", "unknown token (did you mean 'sizes'?)")
    assert has(lines, f"{where}:9:9: sizes.lead: ", "must be a length like 9pt, 3mm or 13Q, not 'big'")
    assert has(lines, f"{where}:11:11: colors.accent: ", "cmyk must be four ink percentages 0–100")
    assert has(lines, f"{where}:12:10: colors.muted: ", "gives no cmyk")
    assert has(lines, f"{where}:14:12: type_area.columns: ", "must be a whole number, not 2.5")
    assert has(lines, f"{where}:15:3: type_area.lnies: ", "did you mean 'lines'?")
    assert has(lines, f"{where}:17:10: show.folio: ", "must be true or false")
    assert not any("sizes.heading" in line for line in lines), "12px is a length"
    assert not (tmp_path / "o").exists()


def test_unknown_parent_and_a_type_area_that_overflows(layouts, capsys):
    spec = write_layout(layouts, "kid", "extends: brochur\n")
    status, lines = run(["build", str(SAMPLE), "--layout", "kid", "--format", "pdf"], capsys)
    assert status == 2 and has(lines, f"{spec}:1:10: extends: ", "unknown layout 'brochur' (did you mean 'brochure'?)")
    spec = write_layout(layouts, "kid", "extends: booklet\ntype_area:\n  chars_per_line: 45\n")
    status, lines = run(["check", str(SAMPLE)], capsys)
    assert status == 0, "check validates the source's own layout (brochure)"
    status, lines = run(["build", str(SAMPLE), "--layout", "kid", "--format", "pdf"], capsys)
    assert status == 2 and has(lines, f"{spec}:3:3: type_area.chars_per_line: ", "too wide for a 419.5pt page")


def test_a_broken_layout_of_the_source_is_reported_by_check(layouts, tmp_path, capsys):
    spec = write_layout(layouts, "kid", "extends: brochure\nsizes:\n  title: huge\n")
    source = tmp_path / "x.yaml"
    source.write_text(SOURCE + "layout: kid\n", encoding="utf-8")
    status, lines = run(["check", str(source)], capsys)
    assert status == 2 and has(lines, f"{spec}:3:10: sizes.title: ", "must be a length")


# -- a source's style: ---------------------------------------------------------------------------


def test_style_overrides_tokens_for_that_source(tmp_path):
    from publish.app.build import layout_for, load

    source = tmp_path / "x.yaml"
    source.write_text(SOURCE + textwrap.dedent("""\
        style:
          colors:
            accent: { cmyk: [0, 90, 80, 0], rgb: "#d9352b" }
          sizes.title: 26pt
          show: { folio: false }
          page.marks: false          # a token brochure leaves to the print stage's default
        """), encoding="utf-8")
    doc = load(source)
    layout = layout_for(doc)
    assert layout.tokens["page"]["marks"] is False
    assert layout.tokens["colors"]["accent"]["rgb"] == "#d9352b"
    assert layout.tokens["sizes"]["title"] == "26pt"
    assert "--color-accent: #d9352b;" in layout.css_variables("screen")
    assert "--color-accent: device-cmyk(0 0.9 0.8 0);" in layout.css_variables("print")
    assert load_layout("brochure").tokens["colors"]["accent"]["rgb"] != "#d9352b", "only for this source"
    from publish.render import render_print_html

    assert "@bottom-left { content: none; }" in render_print_html(doc, layout)


def test_style_problems_are_source_problems_with_positions(tmp_path, capsys):
    source = tmp_path / "x.yaml"
    source.write_text(SOURCE + textwrap.dedent("""\
        style:
          colors:
            acent: { cmyk: [0, 90, 80, 0], rgb: "#d9352b" }
            muted: { rgb: "#cc0000" }
          sizes.title: 12x
          colors.text.rgb: red
          fonts.serif: 12
          stylesheets: { print: [x.css] }
        title_reading: 1
        """).replace("title_reading: 1\n", ""), encoding="utf-8")
    status, lines = run(["check", str(source)], capsys)
    assert status == 2
    assert has(lines, "x.yaml:11:5: style.colors.acent: ", "unknown token 'colors.acent' (did you mean 'colors.accent'?)")
    assert has(lines, "x.yaml:12:12: style.colors.muted: ", "gives no cmyk")
    assert has(lines, "x.yaml:13:16: style.sizes.title: ", "must be a length")
    assert has(lines, "x.yaml:14:20: style.colors.text.rgb: ", "rgb must be a hex colour")
    assert has(lines, "x.yaml:15:16: style.fonts.serif: ", "must be text")
    assert has(lines, "x.yaml:16:18: style.stylesheets.print: ", "belongs in a layout.yaml")


def test_style_is_checked_against_the_layout_it_is_built_in(tmp_path, capsys):
    source = tmp_path / "x.yaml"
    source.write_text(SOURCE + "layout: booklet\nstyle:\n  colors.accent-deep: { cmyk: [0, 0, 0, 100], rgb: '#000000' }\n",
                      encoding="utf-8")
    assert run(["check", str(source)], capsys)[0] == 0  # booklet has accent-deep
    status, lines = run(["build", str(source), "--layout", "brochure", "--format", "pdf",
                         "--out", str(tmp_path / "o")], capsys)
    assert status == 2 and has(lines, "x.yaml:11:3: style.colors.accent-deep: ", "unknown token")


def test_style_that_breaks_the_type_area(tmp_path, capsys):
    source = tmp_path / "x.yaml"
    source.write_text(SOURCE + "style:\n  type_area:\n    lines: 80\n", encoding="utf-8")
    status, lines = run(["check", str(source)], capsys)
    assert status == 2 and has(lines, "x.yaml:11:5: style.type_area.lines: ", "80 lines of 16pt (1280.0pt) below a head margin of 72.0pt leave a foot margin (地) of -510.1pt")


# -- new-layout ----------------------------------------------------------------------------------


def test_new_layout_lists_every_overridable_token_commented(layouts, capsys):
    status, lines = run(["new-layout", "mine", "--from", "booklet"], capsys)
    assert status == 0, lines
    path = layouts / "mine" / "layout.yaml"
    text = path.read_text(encoding="utf-8")
    assert "extends: booklet" in text
    parent = load_layout("booklet").tokens
    for group in ("page", "type_area", "fonts", "sizes", "colors", "show", "placement"):
        for key in parent[group]:
            assert re.search(rf"^  # {re.escape(key)}: ", text, re.M), f"{group}.{key} not listed"
    assert "Characters per line of one column (字詰め)" in text  # the token documentation
    mine = load_layout("mine")
    assert mine.tokens == {**parent, "description": mine.tokens["description"]}  # nothing overridden yet

    path.write_text(text.replace("  # chars_per_line: 33", "  chars_per_line: 30")
                    .replace("# colors:", "colors:"), encoding="utf-8")
    assert load_layout("mine").type_area.column_width == 30 * 9

    status, lines = run(["new-layout", "mine"], capsys)
    assert status == 1 and "already exists" in lines[0]
    status, lines = run(["new-layout", "Mine!"], capsys)
    assert status == 1 and "must use only" in lines[0]
    status, lines = run(["new-layout", "other", "--from", "nope"], capsys)
    assert status == 1 and "unknown layout 'nope'" in lines[0]


# -- the designers' guide ---------------------------------------------------------------------


def test_the_guide_documents_every_token_part_and_class():
    guide = (layouts_dir() / "README.md").read_text(encoding="utf-8")
    for token in TOKENS:
        assert f"`{token.name}`" in guide, f"layouts/README.md does not document {token.name}"
    for part in (layouts_dir() / "brochure" / "templates" / "parts").glob("*.html.j2"):
        assert part.name in guide, part.name
    css = (layouts_dir() / "brochure" / "brochure.css").read_text(encoding="utf-8")
    css += (layouts_dir() / "booklet" / "booklet.css").read_text(encoding="utf-8")
    for cls in sorted(set(re.findall(r"\.([a-z][a-z0-9-]+)", re.sub(r"/\*.*?\*/", "", css, flags=re.S)))):
        if cls in ("css",):
            continue
        assert f".{cls}" in guide, f"layouts/README.md does not list the CSS class .{cls}"


def test_booklet_cover_is_a_full_bleed_colour_field():
    """Every corner of the cover, out to the bleed, is the field's colour, never paper."""
    from publish.app import visual

    pages = visual.render_pages("booklet", dpi=36)  # trim + bleed
    cover, back = pages[0], pages[-1]
    w, h = cover.size
    for x, y in ((1, 1), (w - 2, 1), (1, h - 2), (w - 2, h - 2), (w // 2, h // 2)):
        r, g, b = cover.getpixel((x, y))
        assert min(r, g, b) < 200 and g > r, f"cover pixel {(x, y)} is {(r, g, b)}, not the teal field"
    assert max(back.getpixel((w // 2, h - 2))) < 120, "the back cover's band reaches the bleed"
    assert min(back.getpixel((w // 2, 2))) > 240, "the back cover's head is paper"
