"""Issue 14, items 5 and 6: EPUB release metadata (conformance claim proven by EPUBCheck and
DAISY Ace, one identifier per edition, a real dcterms:modified, publisher file-as, a
truthful accessibility summary, a page list of the print edition) and upright acronyms in
vertical books."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
import xml.etree.ElementTree as ET

import pypdfium2 as pdfium
import pytest

from .conftest import ROOT, gather, publish_process, run_publish, sample_text
from .epub_support import epubcheck_many

OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
SAMPLE = ROOT / "content" / "tokyo-ict-exchange.yaml"
COLLECTION = ROOT / "content" / "digital-voices.collection.yaml"


@pytest.fixture(scope="module")
def editions(tmp_path_factory, shared_build):
    """The sample and the collection as horizontal, vertical and embedded-font editions,
    and the print PDFs the page lists refer to (the run's shared builds)."""
    out = tmp_path_factory.mktemp("editions")
    builds = {"h": [], "v": ["--vertical"], "f": ["--embed-fonts"]}
    for name, flags in builds.items():
        sources = [SAMPLE] + ([COLLECTION] if name != "f" else [])
        gather(out / name, *(shared_build(source, "epub", *flags) for source in sources))
    gather(out / "print", *(shared_build(source, "pdf") for source in (SAMPLE, COLLECTION)))
    return out


def opf(path):
    with zipfile.ZipFile(path) as book:
        return ET.fromstring(book.read("EPUB/package.opf"))


def metas(root, prop):
    return [m.text for m in root.iterfind("opf:metadata/opf:meta", OPF) if m.get("property") == prop]


def read(path, name):
    with zipfile.ZipFile(path) as book:
        return book.read(name).decode("utf-8")


BOOKS = [f"{e}/{b}.epub" for e in "hv" for b in ("tokyo-ict-exchange", "digital-voices")] + \
    ["f/tokyo-ict-exchange.epub"]


def test_conformance_claim_and_epubcheck_is_clean(editions):
    paths = [editions / b for b in BOOKS]
    for path in paths:
        root = opf(path)
        assert metas(root, "dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"], path
        assert metas(root, "a11y:certifiedBy")
    reports = epubcheck_many(paths)
    for path, report in reports.items():
        problems = [m for m in report["messages"] if m["severity"] in ("FATAL", "ERROR", "WARNING")]
        assert not problems, (path, problems)


def _ace_available():
    runner = ROOT / ".venv" / "ace" / "node_modules" / ".bin" / "ace-puppeteer"
    return runner.exists() or (shutil.which("npm") and shutil.which("chromium"))


@pytest.mark.skipif(not _ace_available(), reason="DAISY Ace needs npm and Chromium (tools/ace_check.py)")
def test_ace_finds_no_violation_and_reads_the_claim(editions, tmp_path):
    paths = [editions / "h" / "tokyo-ict-exchange.epub", editions / "v" / "digital-voices.epub"]
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "ace_check.py"), *map(str, paths)],
                            capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("pass, 0 violation(s)") == 2, result.stdout
    import json
    report = json.loads((ROOT / "build" / "ace" / "tokyo-ict-exchange" / "report.json").read_text("utf-8"))
    assert "dcterms:conformsTo" in report["a11y-metadata"]["present"]
    assert report["properties"]["hasPageBreaks"] is True


def test_one_identifier_per_edition_stable_across_builds(editions, tmp_path):
    ids = {e: opf(editions / e / "tokyo-ict-exchange.epub").find("opf:metadata/dc:identifier", OPF).text
           for e in "hvf"}
    assert len(set(ids.values())) == 3, ids
    assert opf(editions / "h" / "digital-voices.epub").find("opf:metadata/dc:identifier", OPF).text != \
        opf(editions / "v" / "digital-voices.epub").find("opf:metadata/dc:identifier", OPF).text
    again = tmp_path / "again"
    result = run_publish("build", str(SAMPLE), "--format", "epub", "--vertical", "--out", str(again))
    assert result.returncode == 0, result.stderr
    first = opf(editions / "v" / "tokyo-ict-exchange.epub").find("opf:metadata/dc:identifier", OPF).text
    assert opf(again / "tokyo-ict-exchange.epub").find("opf:metadata/dc:identifier", OPF).text == first


def _undated(content_dir):
    text = sample_text()
    assert "published:" not in text and "updated:" not in text
    path = content_dir / "undated.yaml"
    path.write_text(text, "utf-8")
    return path


def test_modified_is_never_a_placeholder(content_dir, tmp_path):
    from .epub_support import book

    # a dated source: its `updated:` (test_all_parts' source: published 2025-01-20, updated 2025-02-01)
    assert metas(opf(book("all-parts-h")), "dcterms:modified") == ["2025-02-01T00:00:00Z"]
    source = _undated(content_dir)
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    out = tmp_path / "out"
    assert publish_process(["build", str(source), "--format", "epub", "--out", str(out)], env=env).returncode == 0
    (modified,) = metas(opf(out / "undated.epub"), "dcterms:modified")
    assert not modified.startswith("2000-01-01")
    assert publish_process(["build", str(source), "--format", "epub", "--out", str(out)],
                           env={**env, "SOURCE_DATE_EPOCH": "1700000000"}).returncode == 0
    assert metas(opf(out / "undated.epub"), "dcterms:modified") == ["2023-11-14T22:13:20Z"]


def test_publisher_file_as_from_publisher_reading(content_dir, tmp_path):
    text = sample_text().replace("publisher: 東京都\n",
                                                              "publisher: 東京都\npublisher_reading: トウキョウト\n")
    assert "publisher_reading" in text
    (content_dir / "read.yaml").write_text(text, "utf-8")
    result = run_publish("build", str(content_dir / "read.yaml"), "--format", "epub", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    root = opf(tmp_path / "read.epub")
    refined = [m.text for m in root.iterfind("opf:metadata/opf:meta", OPF)
               if m.get("refines") == "#publisher" and m.get("property") == "file-as"]
    assert refined == ["トウキョウト"]
    bad = text.replace("publisher_reading: トウキョウト", "publisher_reading: 東京都")
    (content_dir / "bad.yaml").write_text(bad, "utf-8")
    result = run_publish("check", str(content_dir / "bad.yaml"))
    assert result.returncode == 2
    line = bad.splitlines().index("publisher_reading: 東京都") + 1
    assert re.search(rf"bad\.yaml:{line}:\d+: publisher_reading: ", result.stderr), result.stderr
    assert "Traceback" not in result.stderr


def test_summary_mentions_photos_only_when_there_are_some(editions):
    (tokyo,) = metas(opf(editions / "h" / "tokyo-ict-exchange.epub"), "schema:accessibilitySummary")
    with zipfile.ZipFile(editions / "h" / "tokyo-ict-exchange.epub") as book:
        photos = [n for n in book.namelist() if n.startswith("EPUB/images/") and "cover" not in n]
    if photos:
        assert "写真" in tokyo
    else:
        assert "写真" not in tokyo and "表紙には代替テキストがあります" in tokyo


def test_summary_with_photos(tmp_path):
    from .epub_support import book
    path = book("all-parts-h")
    with zipfile.ZipFile(path) as epub:
        assert [n for n in epub.namelist() if n.startswith("EPUB/images/") and "cover" not in n]
    (summary,) = metas(opf(path), "schema:accessibilitySummary")
    assert "表紙と写真には代替テキストがあります" in summary


def _print_pages(pdf_path):
    """Each page's text in the order it is painted (column by column), whitespace removed."""
    document = pdfium.PdfDocument(str(pdf_path))
    pages = []
    for page in document:
        textpage = page.get_textpage()
        pages.append(re.sub(r"\s+", "", textpage.get_text_range()))
        textpage.close()
    document.close()
    return pages


@pytest.mark.parametrize("book", ["tokyo-ict-exchange", "digital-voices"])
def test_page_list_maps_to_the_print_edition(editions, book):
    path = editions / "h" / f"{book}.epub"
    root = opf(path)
    assert metas(root, "pageBreakSource") and f"{book}.pdf" in metas(root, "pageBreakSource")[0]
    assert "printPageNumbers" in metas(root, "schema:accessibilityFeature")
    nav = read(path, "EPUB/xhtml/nav.xhtml")
    page_list = re.search(r'<nav epub:type="page-list"[^>]*>(.*?)</nav>', nav, re.S)
    assert page_list
    entries = re.findall(r'<a href="([^"#]+)#page-(\d+)">(\d+)</a>', page_list.group(1))
    pages = _print_pages(editions / "print" / f"{book}.pdf")
    numbers = [int(n) for _, n, _ in entries]
    assert numbers == sorted(numbers) and len(numbers) >= len(pages) - 3
    checked = 0
    for href, number, label in entries:
        assert number == label
        xhtml = read(path, f"EPUB/xhtml/{href}")
        after = xhtml.split(f'id="page-{number}"', 1)[1]
        words = re.sub(r"\s+", "", re.sub(r"<rt>.*?</rt>|<rp>.*?</rp>|<[^>]+>", "", after.split(">", 1)[1]))[:6]
        assert words and words in pages[int(number) - 1], (number, words)
        checked += 1
    assert checked >= 4


def test_vertical_acronyms_upright_longer_words_sideways(editions):
    section = read(editions / "v" / "tokyo-ict-exchange.epub", "EPUB/xhtml/section-1.xhtml")
    assert '<span class="tcy">IT</span>先進企業' in section or '<span class="tcy">IT</span>' in section
    assert '<span class="upright">ICT</span>' in read(editions / "v" / "tokyo-ict-exchange.epub",
                                                     "EPUB/xhtml/titlepage.xhtml") + section
    every = "".join(read(editions / "v" / "digital-voices.epub", n) for n in
                    zipfile.ZipFile(editions / "v" / "digital-voices.epub").namelist() if n.endswith(".xhtml"))
    assert '<span class="tcy">DX</span>' in every
    assert not re.search(r'<span class="(tcy|upright)">[A-Za-z]{4,}</span>', every)
    horizontal = read(editions / "h" / "tokyo-ict-exchange.epub", "EPUB/xhtml/section-1.xhtml")
    assert 'class="upright"' not in horizontal and '<span class="tcy">IT</span>' not in horizontal
    css = read(editions / "v" / "tokyo-ict-exchange.epub", "EPUB/style/book.css")
    assert re.search(r"\.upright \{[^}]*text-orientation: upright", css)


def test_vertical_letters_and_digits_follow_the_layout_tokens():
    from publish.writers.epub.inline import text_xhtml, upright_setting

    assert text_xhtml("ICT職とDX、USBとWi-Fi、A4の資料", True) == (
        '<span class="upright">ICT</span>職と<span class="tcy">DX</span>、'
        '<span class="upright">USB</span>とWi-Fi、A4の資料')
    assert text_xhtml("NHKとABCD放送", True) == '<span class="upright">NHK</span>とABCD放送'
    assert text_xhtml("ICT職とDX、12年", True, (0, 2)) == 'ICT職とDX、<span class="tcy">12</span>年'
    assert text_xhtml("DXと123日", True, (2, 3)) == '<span class="tcy">DX</span>と<span class="tcy">123</span>日'

    class Layout:
        tokens = {"epub": {"upright_letters": 0, "tcy_digits": 1}}
    assert upright_setting(Layout) == (0, 1)


def test_upright_letters_token_through_a_source_style(content_dir, tmp_path):
    text = sample_text() + "\nstyle:\n  epub:\n    upright_letters: 0\n"
    (content_dir / "side.yaml").write_text(text, "utf-8")
    result = run_publish("build", str(content_dir / "side.yaml"), "--format", "epub", "--vertical",
                         "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    section = read(tmp_path / "side.epub", "EPUB/xhtml/section-1.xhtml")
    assert "ICT" in section and 'class="upright"' not in section and '<span class="tcy">IT</span>' not in section
