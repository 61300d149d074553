"""The designers' loop (issue 12): stylesheet mistakes located, type-area culprits named,
covers with photos, editions that say what they are for, the PDF's record of how it was
made, where a collection's chapters start, and the minor points."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import shutil
import textwrap
from pathlib import Path

from publish.app.cli import main

from .conftest import ROOT, SAMPLE, shared

PHOTO_SAMPLE = ROOT / "content" / "kohoku-design-lab.yaml"


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
    # the sample with its first section (the EPUB's page list typesets the book; the layout's
    # warnings do not depend on the source's length)
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    second = [i for i, line in enumerate(lines) if line.startswith("  - heading:")][1]
    source = tmp_path / SAMPLE.name
    source.write_text("".join(lines[:second]), encoding="utf-8")
    status, lines = run(["build", str(source), "--layout", "mine", "--format", "epub", "--out", str(out)], capsys)
    assert status == 0 and (out / "tokyo-ict-exchange.epub").is_file()
    assert sum(line.startswith(f"{css}:") and ": warning: " in line for line in lines) == 4
    status, lines = run(["build", str(source), "--layout", "mine", "--format", "epub", "--out",
                         str(tmp_path / "strict"), "--strict"], capsys)
    assert status == 2 and not (tmp_path / "strict").exists()
    assert any(line.startswith(f"{css}:2:16: error: var(--color-acent)") for line in lines)


def test_the_var_check_knows_every_token_and_declared_property(layouts):
    from publish.layout.css_check import check_stylesheets
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


# -- 5. a PDF knows how it was made ---------------------------------------------------------------


def test_the_pdf_records_its_layout_and_check_uses_it_anywhere(tmp_path, monkeypatch, capsys, shared_build):
    import pikepdf

    from publish.press import record

    # the run's shared builds, copied elsewhere: `publish build SAMPLE --layout booklet` (print; the
    # record names the --layout given, not the source's brochure) and the photo sample's screen
    # edition (its source says `layout: booklet`)
    out = tmp_path / "elsewhere"
    out.mkdir()
    for built in (shared_build(SAMPLE, "pdf", "--layout", "booklet")["path"],
                  shared_build(PHOTO_SAMPLE, "screen-pdf")["path"]):
        shutil.copy(built, out / built.name)
    with pikepdf.open(out / "tokyo-ict-exchange.pdf") as pdf:
        xmp = str(pdf.open_metadata())
        assert re.search(r"<publish:layout[^>]*>booklet</publish:layout>", xmp)
        assert re.search(r"<publish:trim[^>]*>148 210</publish:trim>", xmp)
        assert "GTS_PDFXVersion" in xmp or "pdfxid" in xmp.lower(), "the PDF/X packet is kept"
    screen = out / "kohoku-design-lab-screen.pdf"
    made = record.read(screen)
    assert made.edition == "screen" and made.trim_mm == (148, 210) and made.source.endswith("kohoku-design-lab.yaml")
    capsys.readouterr()
    monkeypatch.chdir(tmp_path)  # no content/ here: only the record says it is A5
    assert main(["check", str(out / "tokyo-ict-exchange.pdf"), str(screen)]) == 0
    captured = capsys.readouterr()
    assert "built with layout booklet, print edition, trim 148×210 mm" in captured.err
    assert "PASS" in captured.out
    # --layout always overrides: the A5 PDF fails as an A4 brochure
    assert main(["check", str(out / "tokyo-ict-exchange.pdf"), "--layout", "brochure"]) == 1
    assert "trim is 148.0×210.0 mm, expected 210×297 mm" in capsys.readouterr().out


def test_ppi_is_never_rounded_up_to_the_limit():
    from publish.preflight.checks import ppi_text
    from publish.preflight.facts import ImageUse

    assert ppi_text(299.96) == "299.9" and ppi_text(50.8) == "51" and ppi_text(300.0) == "300" and ppi_text(72) == "72"
    # the guide's A4 cover size, 2551×3579 px over 216×303 mm, meets 300 ppi in whole pixels
    cover = ImageUse(1, "/Im0", 2551, 3579, 216 * 72 / 25.4, 303 * 72 / 25.4, "icc-cmyk", False)
    assert cover.ppi < 300 <= cover.ppi_rounded_pixels
    small = ImageUse(1, "/Im1", 2540, 3579, 216 * 72 / 25.4, 303 * 72 / 25.4, "icc-cmyk", False)
    assert small.ppi_rounded_pixels < 300


# -- 4. editions that say what they are for ---------------------------------------------------------


def test_make_builds_print_screen_and_epub_by_default(tmp_path):
    import subprocess

    dry = subprocess.run(["make", "-n", "-B", "all"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0, dry.stderr
    sources = sorted(p.name.removesuffix(".yaml") for p in (ROOT / "content").glob("*.yaml"))
    for slug in sources:
        source = f"content/{slug}.yaml"
        for fmt in ("pdf", "screen-pdf", "epub"):
            assert f"build {source} --format {fmt} --out build" in dry.stdout, (slug, fmt)
        assert f"{source} --format booklet" not in dry.stdout


def test_the_build_log_says_what_each_file_is_for(shared_build):
    # the run's `publish build SAMPLE --format screen-pdf` and `--format epub` logs (a build that
    # fails does not get here: shared_build asserts its exit status 0)
    screen, epub = shared_build(SAMPLE, "screen-pdf"), shared_build(SAMPLE, "epub")
    assert screen["path"].name == "tokyo-ict-exchange-screen.pdf"
    assert f"wrote {screen['path']}" in screen["stderr"] and "screen PDF: for e-mail and the web" in screen["stderr"]
    assert f"wrote {epub['path']}" in epub["stderr"] and "EPUB e-book: for phones and e-readers" in epub["stderr"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "### Which file do I send?" in readme and "| the print shop | `build/<slug>.pdf` |" in readme


# -- 3. covers and photos ---------------------------------------------------------------------------


def test_a_cover_is_parsed_and_its_mistakes_located(tmp_path, capsys):
    from publish.readers import load_interview

    doc = load_interview(PHOTO_SAMPLE)
    assert doc.cover.image.name == "kohoku-cover.jpg" and doc.cover.focus == (45, 52)
    assert doc.cover.credit.startswith("港北市デザインラボ")
    assert doc.cover.image in doc.all_images and doc.cover.image not in doc.images, "the EPUB ships only text images"
    assert sum(p.photo is not None for p in doc.people) == 2
    assert any(t.kind == "figure" and t.caption for s in doc.sections for t in s.turns)
    text = PHOTO_SAMPLE.read_text(encoding="utf-8")
    bad = text.replace("  focus: [45, 52]", "  focus: [45, 152]").replace("  credit:", "  credits:")
    (tmp_path / "images").symlink_to(ROOT / "content" / "images")
    (tmp_path / "x.yaml").write_text(bad, encoding="utf-8")
    status, lines = run(["check", str(tmp_path / "x.yaml")], capsys)
    line_of = {key: n for n, row in enumerate(bad.splitlines(), 1) for key in ("focus:", "credits:") if row.strip().startswith(key)}
    assert status == 2
    assert any(f"x.yaml:{line_of['focus:']}:10: cover.focus: must be the point to keep in view" in x for x in lines), lines
    assert any(f"x.yaml:{line_of['credits:']}:3: cover.credits: unknown field" in x for x in lines), lines


def _bleed_pixels(pdf_path, dpi=30):
    import pikepdf
    import pypdfium2 as pdfium

    with pikepdf.open(pdf_path) as pdf:
        page = pdf.pages[0]
        media = [float(v) for v in page.MediaBox]
        bleed = [float(v) for v in page.BleedBox]
        trim = [float(v) for v in page.TrimBox]
    image = pdfium.PdfDocument(str(pdf_path))[0].render(scale=dpi / 72).to_pil().convert("RGB")
    k = dpi / 72
    left, top = media[0], media[3]
    box = lambda b: (round((b[0] - left) * k), round((top - b[3]) * k), round((b[2] - left) * k),
                     round((top - b[1]) * k))
    return image, box(bleed), box(trim)


def test_the_photo_sample_builds_with_a_full_bleed_cover_at_300_ppi(shared_build):
    from PIL import ImageStat

    from publish import preflight
    from publish.preflight.facts import read_facts

    pdf = shared_build(PHOTO_SAMPLE, "pdf")["path"]  # the run's `publish build` of it (exit status 0)
    assert pdf.name == "kohoku-design-lab.pdf"
    report = preflight.check_pdf(pdf, preflight.Expectations(trim_mm=(148, 210), bleed_mm=3, pdfx=True,
                                                             binding="saddle"))
    assert report.ok, report.format()
    assert report.by_check("images") and all(f.severity == preflight.Severity.INFO for f in report.by_check("images")), \
        report.format(verbose=True)
    import pikepdf

    with pikepdf.open(pdf) as opened:
        pages, _ = read_facts(opened)
    cover_images = [i for i in pages[0].images if i.kind != "mask" and i.width_px > 2000]
    assert len(cover_images) == 1 and 299 < cover_images[0].ppi, cover_images
    # both profile photos, in the profiles (and again on the make-up stage's people page)
    assert sum(i.width_px == 720 for p in pages[:3] for i in p.images) == 2, "both profile photos"
    image, bleed, trim = _bleed_pixels(pdf)
    x0, y0, x1, y1 = bleed
    for x, y in ((x0 + 1, y0 + 1), (x1 - 2, y0 + 1), (x0 + 1, y1 - 2), (x1 - 2, y1 - 2)):
        assert min(image.getpixel((x, y))) < 200, f"bleed corner {(x, y)} is paper"
    photo = image.crop((x0, y0, x1, y0 + (y1 - y0) * 6 // 10))
    assert max(ImageStat.Stat(photo).stddev) > 25, "the upper part of the cover is the photo, not a flat field"


def test_a_child_that_changes_only_the_trim_composes_its_cover(layouts, tmp_path):
    import pdfplumber

    from publish.app.build import layout_for, load
    from publish.writers.pdf import render_document
    from publish.typeset_ja import weasyprint as jlreq

    (layouts / "a5kid").mkdir()
    (layouts / "a5kid" / "layout.yaml").write_text(
        "extends: brochure\npage:\n  trim: A5\ntype_area:\n  chars_per_line: 17\n  lines: 30\n  margin_top: 58pt\n",
        encoding="utf-8")
    for name in ("a5kid", "brochure-b5", "brochure"):
        # only the cover is read: the sample with its first section typesets the same cover in
        # half the time (its text is the title, the people and the lead, not the sections)
        doc = load(SAMPLE, name)
        doc = dataclasses.replace(doc, sections=doc.sections[:1])
        layout = layout_for(doc, name)
        pdf_path = tmp_path / f"{name}.pdf"
        with jlreq.installed():
            document = render_document(doc, layout, medium="screen")
            pdf_path.write_bytes(document.copy([document.pages[0]]).write_pdf())
        with pdfplumber.open(pdf_path) as pdf:
            page = pdf.pages[0]
            words = page.extract_words()
            text = "".join(w["text"] for w in words)
            subtitle = [w for w in words if "企業派遣" in w["text"]]
            names = [w for w in words if w["text"] in ("西田", "西", "山田")]
            assert subtitle and names, (name, text)
            assert max(w["bottom"] for w in subtitle) + 10 < min(w["top"] for w in names), name
            for w in words:
                assert 0 <= w["x0"] and w["x1"] <= page.width and w["bottom"] <= page.height, (name, w)
            ratio = min(w["top"] for w in names) / page.height
            assert 0.6 < ratio < 0.7, f"{name}: names at {ratio:.0%} of the trim (cover.people_top 63%)"


def test_a_designers_cover_part_serves_collections_too(layouts, tmp_path):
    (layouts / "mine" / "templates" / "parts").mkdir(parents=True)
    (layouts / "mine" / "layout.yaml").write_text("extends: brochure\n", encoding="utf-8")
    part = (layouts / "brochure" / "templates" / "parts" / "cover.html.j2").read_text(encoding="utf-8")
    part = part.replace('<p class="cover-kind">{{ doc.kind | ja }}</p>', '<p class="cover-kind">特集　{{ doc.kind | ja }}</p>')
    (layouts / "mine" / "templates" / "parts" / "cover.html.j2").write_text(part, encoding="utf-8")
    from publish.render import render_collection_html
    from publish.layout import available_layouts, load_layout
    from publish.readers.collection import load_collection

    collection = load_collection(ROOT / "content" / "digital-voices.collection.yaml", known_layouts=available_layouts())
    html = render_collection_html(collection, load_layout("mine"), medium="screen")
    assert '<p class="cover-kind">特集　インタビュー集</p>' in html
    assert 'class="cover collection-cover"' in html and "collection-cover-list" in html


# -- 6. where a collection's chapters start ------------------------------------------------------------


def _short_collection() -> Path:
    """The sample collection with each interview cut to its first section (once per run):
    chapter 1 still ends on a recto, so a right-hand start needs a blank verso before chapter 2,
    at half the typesetting of the whole collection."""
    import yaml

    def make(folder):
        for name in ("tokyo-ict-exchange.yaml", "midoridai-mentors.yaml"):
            source = yaml.safe_load((ROOT / "content" / name).read_text(encoding="utf-8"))
            source["sections"] = source["sections"][:1]
            (folder / name).write_text(yaml.safe_dump(source, allow_unicode=True, sort_keys=False), encoding="utf-8")
        shutil.copy(ROOT / "content" / "digital-voices.collection.yaml", folder)
        return {"path": folder / "digital-voices.collection.yaml"}

    return shared("designers-short-collection", make)["path"]


def _collection_pages(start: str, medium: str):
    import pypdfium2 as pdfium

    from publish.render import render_collection_html
    from publish.layout import apply_style, available_layouts, load_layout
    from publish.writers.pdf import render_html
    from publish.readers.collection import load_collection
    from publish.typeset_ja import weasyprint as jlreq

    collection = load_collection(_short_collection(), known_layouts=available_layouts())
    layout = apply_style(load_layout("brochure"), {"placement": {"chapters": start}}, None)
    html = render_collection_html(collection, layout, medium=medium)

    def make(folder):
        with jlreq.installed():
            pdf = pdfium.PdfDocument(render_html(html, layout).write_pdf())
        texts = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
        (folder / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
        return {"texts": folder / "texts.json"}

    # Typeset once per distinct HTML: on screen "right" is a new page (chapter_start), so the
    # "right" and "new-page" screen editions are the same document and share one render.
    key = hashlib.sha1(html.encode("utf-8")).hexdigest()[:12]
    texts = json.loads(shared(f"designers-collection-{key}", make)["texts"].read_text(encoding="utf-8"))
    starts = [next(i + 1 for i, t in enumerate(texts) if f"INTERVIEW\r\n{n:02d}" in t or f"INTERVIEW{n:02d}" in
                   t.replace("\r\n", "").replace(" ", "")) for n in (1, 2)]
    return texts, starts


def test_chapters_start_right_in_print_and_on_the_next_page_on_screen():
    texts, starts = _collection_pages("right", "print")
    assert all(page % 2 == 1 for page in starts), starts
    blank = [i + 1 for i, t in enumerate(texts) if not t.strip()]
    assert blank == [starts[1] - 1], (blank, starts)  # the verso before chapter 2, there only for the recto start
    screen, screen_starts = _collection_pages("right", "screen")
    assert not [i for i, t in enumerate(screen) if not t.strip()], "the screen edition keeps no blank page"
    assert len(screen) == len(texts) - 1 and screen_starts[1] == starts[1] - 1


def test_run_on_chapters_follow_each_other():
    texts, starts = _collection_pages("run-on", "screen")
    page_texts, page_starts = _collection_pages("new-page", "screen")
    assert len(texts) < len(page_texts), "without an opening page per chapter the book is shorter"
    assert starts[1] - starts[0] < page_starts[1] - page_starts[0]
    assert not [i for i, t in enumerate(texts) if not t.strip()]


# -- 7. minor points ---------------------------------------------------------------------------------

NO_HEADING = """\
title: 見出しのない節
people:
  - id: yamada
    name: 山田
interviewer: 編集部
sections:
  - turns:
      - q: 最初の質問です。
      - yamada: 答えです。
  - heading: 二つ目の節
    turns:
      - q: 次の質問です。
      - yamada: 次の答えです。
"""


def test_an_unclosed_bracket_is_reported_where_it_opens(tmp_path, capsys):
    source = tmp_path / "x.yaml"
    source.write_text(NO_HEADING.replace("interviewer: 編集部\n", "tags: [育成, 新卒\n"), encoding="utf-8")
    assert source.read_text(encoding="utf-8").splitlines()[4].startswith("tags: [")  # line 5
    status, lines = run(["check", str(source)], capsys)
    assert status == 2 and lines[0].startswith(f"{source}:5:7: tags: YAML syntax error: the [ opened here is not closed"), lines


def test_the_interviewer_leads_questions_in_print_as_in_the_epub(tmp_path):
    import pypdfium2 as pdfium

    from publish.app.build import layout_for, load
    from publish.writers.pdf import render_document
    from publish.typeset_ja import weasyprint as jlreq

    source = tmp_path / "x.yaml"
    source.write_text(NO_HEADING, encoding="utf-8")
    doc = load(source)
    with jlreq.installed():
        document = render_document(doc, layout_for(doc), medium="screen")
        pdf = pdfium.PdfDocument(document.write_pdf())
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "編集部：最初の質問です。" in re.sub(r"\s", "", text) and "──" not in text
    source.write_text(NO_HEADING.replace("interviewer: 編集部\n", ""), encoding="utf-8")
    doc = load(source)
    with jlreq.installed():
        pdf = pdfium.PdfDocument(render_document(doc, layout_for(doc), medium="screen").write_pdf())
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "──最初の質問です。" in re.sub(r"\s", "", text)


def test_the_epub_contents_do_not_repeat_the_title_for_a_section_without_heading(tmp_path):
    import zipfile

    source = tmp_path / "x.yaml"
    source.write_text(NO_HEADING, encoding="utf-8")
    assert main(["build", str(source), "--format", "epub", "--out", str(tmp_path / "o")]) == 0
    with zipfile.ZipFile(tmp_path / "o" / "x.epub") as book:
        nav = next(book.read(n).decode() for n in book.namelist() if n.endswith("nav.xhtml"))
    toc = nav.split('epub:type="toc"')[1].split("</nav>")[0]
    entries = re.findall(r"<a href=\"[^\"]+\">([^<]+)</a>", toc)
    assert entries == ["二つ目の節", "奥付"], entries


def test_the_guide_documents_this_issues_features():
    guide = (ROOT / "layouts" / "README.md").read_text(encoding="utf-8")
    for needle in ("`qr_svg`", "2551 × 3579 px", "publish check --layout", "warning:", "`cover:`", "placement.chapters",
                   "XMP", "EPUB view", "cover_list.html.j2"):
        assert needle in guide, needle


def test_one_column_first_answer_profiles_leave_no_page_a_third_empty(layouts, tmp_path):
    import pdfplumber

    from publish.app.build import layout_for, load
    from publish.writers.pdf import render_document
    from publish.typeset_ja import weasyprint as jlreq

    (layouts / "beside").mkdir()
    (layouts / "beside" / "layout.yaml").write_text("extends: booklet\nplacement:\n  profiles: first-answer\n",
                                                    encoding="utf-8")
    doc = load(SAMPLE, "beside")
    layout = layout_for(doc, "beside")
    pdf_path = tmp_path / "beside.pdf"
    with jlreq.installed():
        pdf_path.write_bytes(render_document(doc, layout, medium="screen").write_pdf())
    area = layout.type_area
    foot = area.margin_top + area.height
    with pdfplumber.open(pdf_path) as pdf:
        body = pdf.pages[1:-2]  # the text pages but the last one (the back cover is the last page)
        assert len(body) >= 6
        for number, page in enumerate(body, 2):
            words = [w for w in page.extract_words() if area.margin_top - 2 < w["top"] and w["bottom"] < foot + 2]
            empty = foot - max(w["bottom"] for w in words)
            assert empty < area.height / 8, f"page {number}: {empty:.0f}pt of {area.height:.0f}pt left empty"
    from publish.render import render_print_html

    html = render_print_html(doc, layout, medium="screen")
    assert html.count("profile-beside") == 2


def test_a_collection_may_give_a_cover_photo(tmp_path):
    from publish.render import render_collection_html
    from publish.layout import available_layouts, load_layout
    from publish.readers.collection import load_collection

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    path = content / "digital-voices.collection.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "cover:\n  image: images/kohoku-cover.jpg\n  focus: 30% 70%\n",
                    encoding="utf-8")
    collection = load_collection(path, known_layouts=available_layouts())
    assert collection.cover.focus == (30, 70) and collection.cover.image in collection.all_images
    html = render_collection_html(collection, load_layout("booklet"), medium="screen")
    assert 'class="cover has-cover-image cover-image-page collection-cover"' in html
    assert 'style="object-position: 30% 70%"' in html
