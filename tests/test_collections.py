"""Collections: one brochure and one EPUB holding several interviews."""

from __future__ import annotations

import re
import subprocess
import textwrap
import zipfile

import pdfplumber
import pikepdf
import pytest
import yaml

from publish.app.cli import main
from publish.model import qualify
from publish.writers.pdf import typeset_pdf
from publish.writers.pdf.parallel import parallel_possible, split
from publish.layout import load_layout
from publish.readers import load_interview
from publish.readers.collection import load_collection

from .conftest import ROOT, SAMPLE
from .epub_support import epubcheck_many

COLLECTION = ROOT / "content" / "digital-voices.collection.yaml"
SECOND = ROOT / "content" / "midoridai-mentors.yaml"


@pytest.fixture(scope="session")
def collection_build(shared_build):
    return {"pdf": shared_build(COLLECTION, "pdf")["path"], "epub": shared_build(COLLECTION, "epub")["path"]}


def page_texts(path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [(page.extract_text() or "") for page in pdf.pages]


def test_contents_page_numbers_point_at_the_chapter_openings(collection_build):
    texts = page_texts(collection_build["pdf"])
    collection = load_collection(COLLECTION)
    squeezed = [re.sub(r"\s+", "", t) for t in texts]
    contents = next(i for i, t in enumerate(squeezed) if "目次" in t)
    for chapter in collection.chapters:
        title = chapter.interview.title.plain
        opening = next(i for i, t in enumerate(squeezed) if t.startswith(f"INTERVIEW{chapter.number:02d}") and title in t)
        line = next(l for l in texts[contents].splitlines() if title in l)
        assert line.rstrip().endswith(str(opening + 1)), (line, opening + 1)
        assert "." * 5 in line  # the leader


def trimmed_pages(path):
    """Each page cropped to its TrimBox (the print stage adds marks and a slug outside it)."""
    with pikepdf.open(path) as pdf:
        boxes = [([float(v) for v in p.obj.get("/TrimBox", p.mediabox)], [float(v) for v in p.mediabox])
                 for p in pdf.pages]
    pdf = pdfplumber.open(path)
    out = []
    for page, (trim, media) in zip(pdf.pages, boxes):
        x0, y0, x1, y1 = trim
        mx0, my1 = media[0], media[3]
        out.append(page.crop((page.bbox[0] + x0 - mx0, page.bbox[1] + my1 - y1,
                              page.bbox[0] + x1 - mx0, page.bbox[1] + my1 - y0)))
    return pdf, out


def test_folios_are_continuous_and_running_heads_name_the_interview(collection_build):
    collection = load_collection(COLLECTION)
    titles = [c.interview.title.plain for c in collection.chapters]
    pdf, pages = trimmed_pages(collection_build["pdf"])
    with pdf:
        checked = {t: 0 for t in titles}
        for index, page in enumerate(pages):
            top, bottom = page.bbox[1], page.bbox[3]
            words = page.extract_words()
            foot = [w["text"] for w in words if w["top"] > bottom - 60]
            head = "".join(w["text"] for w in words if w["bottom"] < top + 80)
            if head in titles:
                assert str(index + 1) in foot, (index, foot)
                checked[head] += 1
        assert all(n >= 2 for n in checked.values()), checked


def test_outline_holds_the_chapters_with_their_sections(collection_build):
    collection = load_collection(COLLECTION)
    with pikepdf.open(collection_build["pdf"]) as pdf, pdf.open_outline() as outline:
        top = [item.title for item in outline.root]
        assert top[0] == "目次" and top[-1] == "奥付"
        for chapter, item in zip(collection.chapters, outline.root[1:-1]):
            assert item.title == chapter.interview.title.plain
            assert [c.title for c in item.children] == [s.heading.plain for s in chapter.interview.sections if s.heading]


def test_profile_ids_are_per_interview():
    collection = load_collection(COLLECTION)
    ids = [p.id for c in collection.chapters for p in c.interview.people]
    assert "ch1-yamada" in ids and "ch2-yamada" in ids and len(ids) == len(set(ids))
    first = collection.chapters[1].interview
    speakers = {t.speaker for s in first.sections for t in s.turns if t.kind == "answer"}
    assert speakers == {"ch2-sato", "ch2-takahashi", "ch2-yamada"}
    assert qualify(load_interview(SAMPLE), "x-").person("x-nishida").name == "西田"


def test_epub_is_valid_and_links_every_chapter(collection_build, tmp_path):
    report = epubcheck_many([collection_build["epub"]])[collection_build["epub"]]
    messages = [m for m in report["messages"] if m["severity"] in ("FATAL", "ERROR", "WARNING")]
    assert messages == [], messages
    collection = load_collection(COLLECTION)
    with zipfile.ZipFile(collection_build["epub"]) as z:
        nav = z.read("EPUB/xhtml/nav.xhtml").decode()
        intro = z.read("EPUB/xhtml/intro.xhtml").decode()
        bodies = {n: z.read(n).decode() for n in z.namelist() if re.match(r"EPUB/xhtml/ch\d+-section-", n)}
    from publish.typeset_ja import fullwidth_punctuation as shown  # ? ( ) in Japanese: full-width

    text = "".join(bodies.values()).replace("<wbr/>", "")  # pull quotes mark their phrases
    text = re.sub(r'<span epub:type="pagebreak"[^>]*></span>', "", text)  # the print edition's page breaks
    for chapter in collection.chapters:
        doc = chapter.interview
        assert shown(doc.title.plain) in nav and f'href="ch{chapter.number}-opening.xhtml"' in intro
        assert f'href="ch{chapter.number}-section-1.xhtml"' in nav
        for section in doc.sections:
            assert shown(section.heading.plain) in nav
            for turn in section.turns:
                for p in turn.paragraphs:
                    assert shown(p.plain) in text
    assert 'id="profile-ch1-yamada"' in text and 'id="profile-ch2-yamada"' in text


def test_parallel_build_matches_the_single_render(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    names = []
    # The smallest book that takes every branch of the parallel path: three chapters of one
    # section each, split in two parts ([1, 2] and [3]); chapter 1 ends on a recto, so the
    # first part holds a blank verso before chapter 2 and the second part starts after a join
    # pad, and the make-up puts people pages on both blank left pages and editorial pages
    # after the last chapter (the same shape as three chapters of two sections, half the CPU).
    for i, path in enumerate((SAMPLE, SAMPLE, SECOND)):
        source = yaml.safe_load(path.read_text(encoding="utf-8"))
        source["title"] = f"第{i + 1}話 {source['title']}"
        source["sections"] = source["sections"][:1]
        (content / f"i{i}.yaml").write_text(yaml.safe_dump(source, allow_unicode=True, sort_keys=False),
                                            encoding="utf-8")
        names.append(f"i{i}.yaml")
    (content / "big.collection.yaml").write_text(
        "title: 試験の集\ninterviews:\n" + "".join(f"  - {n}\n" for n in names), encoding="utf-8")
    collection = load_collection(content / "big.collection.yaml")
    layout = load_layout("brochure")
    single = tmp_path / "single.pdf"
    parallel = tmp_path / "parallel.pdf"
    assert parallel_possible(collection, layout, 2) and split(collection, 2) == [[1, 2], [3]]  # the parallel path
    single.write_bytes(typeset_pdf(collection, layout, jobs=1))
    parallel.write_bytes(typeset_pdf(collection, layout, jobs=2))
    squeeze = lambda texts: [re.sub(r"\s+", "", t) for t in texts]
    assert squeeze(page_texts(parallel)) == squeeze(page_texts(single))

    def outline(path):
        with pikepdf.open(path) as pdf, pdf.open_outline() as o:
            pages = {p.objgen: i for i, p in enumerate(pdf.pages)}

            def walk(items):
                out = []
                for item in items:
                    dest = item.destination if item.destination is not None else item.action.D
                    out.append((item.title, pages.get(dest[0].objgen) if isinstance(dest, pikepdf.Array) else str(dest),
                                walk(item.children)))
                return out

            return walk(o.root)

    assert outline(parallel) == outline(single)


# --- validation ---------------------------------------------------------------------------------


def check(tmp_path, text: str, capsys) -> tuple[int, list[str]]:
    content = tmp_path / "content"
    content.mkdir(exist_ok=True)
    (content / "a.yaml").write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    path = content / "x.collection.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    status = main(["check", str(path)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return status, err.splitlines()


def test_good_collection_checks(tmp_path, capsys):
    status, lines = check(tmp_path, "title: 集\ninterviews:\n  - a.yaml\n", capsys)
    assert status == 0, lines


def test_collection_problems_are_all_reported_with_positions(tmp_path, capsys):
    status, lines = check(tmp_path, """\
        subtitle: サブ
        intervews:
          - a.yaml
        published: 来年
        """, capsys)
    assert status == 2
    assert any("x.collection.yaml:1:1: title: required field is missing" in l for l in lines), lines
    assert any("x.collection.yaml:1:1: interviews: required field is missing" in l for l in lines), lines
    assert any("x.collection.yaml:2:1: intervews: unknown field 'intervews' (did you mean 'interviews'?)" in l
               for l in lines), lines
    assert any("x.collection.yaml:4:12: published: must be a date" in l for l in lines), lines


def test_bad_interview_entries(tmp_path, capsys):
    status, lines = check(tmp_path, """\
        title: 集
        interviews:
          - a.yaml
          - missing.yaml
          - a.yaml
          - ../../outside.yaml
        """, capsys)
    assert status == 2
    assert any("x.collection.yaml:4:5: interviews[1]: file 'missing.yaml' does not exist" in l for l in lines), lines
    assert any("x.collection.yaml:5:5: interviews[2]: 'a.yaml' is listed twice" in l for l in lines), lines
    assert any("x.collection.yaml:6:5: interviews[3]:" in l and "outside the content folder" in l for l in lines), lines


def test_a_broken_interview_is_reported_at_its_own_path(tmp_path, capsys):
    content = tmp_path / "content"
    content.mkdir()
    (content / "b.yaml").write_text(SAMPLE.read_text(encoding="utf-8").replace("- yamada:", "- yamda:", 1),
                                    encoding="utf-8")
    status, lines = check(tmp_path, "title: 集\ninterviews: [a.yaml, b.yaml]\n", capsys)
    assert status == 2
    assert any(re.search(r"b\.yaml:\d+:\d+: sections\[0\]\.turns\[1\]: unknown speaker 'yamda'", l) for l in lines), lines
    assert any("x.collection.yaml:2:22: interviews[1]: 'b.yaml' has problems" in l for l in lines), lines


def test_wrong_type_and_unknown_layout(tmp_path, capsys):
    status, lines = check(tmp_path, "title: 集\ninterviews: a.yaml\nlayout: brochur\n", capsys)
    assert status == 2
    assert any("x.collection.yaml:2:13: interviews: must be a list" in l for l in lines), lines
    assert any("x.collection.yaml:3:9: layout: unknown layout 'brochur' (did you mean 'brochure'?" in l for l in lines), lines


def test_make_builds_collections():
    dry = subprocess.run(["make", "-n", "-B", "build/digital-voices.pdf", "build/digital-voices.epub"], cwd=ROOT,
                         capture_output=True, text=True)
    assert "publish build content/digital-voices.collection.yaml --format pdf" in dry.stdout, dry.stdout + dry.stderr
    assert "publish build content/digital-voices.collection.yaml --format epub" in dry.stdout
