"""EPUB booklets as files: valid (EPUBCheck), well packaged, reproducible, and a failed
write raises instead of producing a broken book."""

from __future__ import annotations

import re

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from publish.errors import PublishError
from publish.readers import load_interview

from . import epub_support as support
from .conftest import ROOT, SAMPLE


@pytest.fixture(scope="module")
def epubcheck_reports(sample_build):
    books = [sample_build["epub"]] + [support.book(name) for name in support.ALL_BOOKS]
    return support.epubcheck_many(list(dict.fromkeys(books)))  # book("sample-h") is the CLI's


def test_epubcheck_reports_nothing_for_every_book(epubcheck_reports):
    """The sample (built by the CLI, horizontal and vertical), the rich test
    source (horizontal, vertical, with embedded fonts) and test_all_parts' source (both
    ways): 0 fatal, errors, warnings."""
    assert len(epubcheck_reports) == len(support.ALL_BOOKS)
    for path, report in epubcheck_reports.items():
        messages = [m for m in report["messages"] if m["severity"] in ("FATAL", "ERROR", "WARNING")]
        assert messages == [], f"{path.name}: " + json.dumps(messages, ensure_ascii=False, indent=1)
        checker = report["checker"]
        assert (checker["nFatal"], checker["nError"], checker["nWarning"]) == (0, 0, 0), path.name
        assert report["publication"]["ePubVersion"].startswith("3"), path.name


def test_navigation_lists_every_section(sample_build):
    from publish.typeset_ja import fullwidth_punctuation  # ? ( ) in Japanese text: full-width

    doc = load_interview(SAMPLE)
    with zipfile.ZipFile(sample_build["epub"]) as z:
        nav = z.read("EPUB/xhtml/nav.xhtml").decode()
        for section in doc.sections:
            assert fullwidth_punctuation(section.heading.plain) in nav
        text = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("EPUB/xhtml/section-"))
    text = re.sub(r'<span epub:type="pagebreak"[^>]*></span>', "", text)  # the print edition's page breaks
    for section in doc.sections:
        for turn in section.turns:
            for p in turn.paragraphs:
                assert fullwidth_punctuation(p.plain) in text


def test_zip_starts_with_stored_mimetype(sample_build):
    with zipfile.ZipFile(sample_build["epub"]) as z:
        first = z.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert z.read("mimetype") == b"application/epub+zip"
        assert not first.extra
        infos = z.infolist()[1:]
        assert [i.filename for i in infos] == sorted(i.filename for i in infos)
        for info in z.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0), info.filename
            assert info.external_attr >> 16 == 0o644, info.filename


def test_build_is_byte_identical_across_runs_and_time_zones(tmp_path):
    """The rich source, vertical with embedded fonts (cover raster, font subsets and all):
    built through the CLI in Los Angeles and in Tokyo, and in this process (in its own time
    zone), three times the same bytes."""
    source = support.rich_source()
    runs = []
    for tz in ("America/Los_Angeles", "Asia/Tokyo"):
        out = tmp_path / tz.replace("/", "-")
        env = {**os.environ, "TZ": tz}
        env.pop("SOURCE_DATE_EPOCH", None)
        runs.append((out, subprocess.Popen(
            [sys.executable, "-m", "publish", "build", str(source), "--format", "epub", "--vertical",
             "--embed-fonts", "--out", str(out)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)))
    in_process = support.book("rich-v-fonts").read_bytes()
    for out, process in runs:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
        assert (out / "rich.epub").read_bytes() == in_process, out.name
    assert len(in_process) > 100_000  # fonts and cover are in


def test_source_date_epoch_sets_modified_when_the_source_has_no_dates(tmp_path):
    from publish.app.build import layout_for, load
    from publish.writers.epub import build_epub, modified_time

    doc = load(SAMPLE)
    assert doc.published is None and doc.updated is None
    assert modified_time(doc, "1700000000").isoformat() == "2023-11-14T22:13:20+00:00"
    cover = support.cover_of(SAMPLE)
    # no page list (a print render; the CLI builds' reproducibility covers it)
    a = build_epub(doc, layout_for(doc), source_date_epoch="1700000000", cover=cover, page_list=False)
    b = build_epub(doc, layout_for(doc), source_date_epoch="1700000000", cover=cover, page_list=False)
    assert a == b
    opf = zipfile.ZipFile(io.BytesIO(a)).read("EPUB/package.opf").decode()
    assert '<meta property="dcterms:modified">2023-11-14T22:13:20Z</meta>' in opf


def test_a_broken_template_raises_instead_of_writing_a_broken_book(tmp_path):
    from publish.app.build import load
    from publish.writers.epub import build_epub
    from publish.layout import layouts_dir, load_layout

    root = tmp_path / "layouts"
    shutil.copytree(layouts_dir() / "brochure", root / "brochure")
    (tmp_path / "fonts").symlink_to(layouts_dir().parent / "fonts")  # the CSS names ../../fonts/
    section = root / "brochure" / "epub" / "section.xhtml.j2"
    section.write_text(section.read_text(encoding="utf-8").replace("</section>", "", 1), encoding="utf-8")
    doc = load(SAMPLE)
    # (no page list: it is read off a print render, which has nothing to do with the check)
    with pytest.raises(PublishError, match="section-1.xhtml is not well-formed"):
        build_epub(doc, load_layout("brochure", root=root), cover=support.cover_of(SAMPLE), page_list=False)

    shutil.copy(layouts_dir() / "brochure" / "epub" / "section.xhtml.j2", section)
    (root / "brochure" / "epub" / "colophon.xhtml.j2").write_text("", encoding="utf-8")
    with pytest.raises(PublishError, match="colophon.xhtml came out empty"):
        build_epub(doc, load_layout("brochure", root=root), cover=support.cover_of(SAMPLE), page_list=False)


def test_an_empty_entry_is_refused():
    from publish.writers.epub import zip_epub

    with pytest.raises(PublishError, match="empty"):
        zip_epub({"EPUB/package.opf": b""})


def test_the_cli_takes_vertical_and_embed_fonts(shared_build):
    from .conftest import run_publish

    built = shared_build(SAMPLE, "epub", "--vertical")  # `publish build … --vertical`, once per run
    opf = support.read(built["path"], "EPUB/package.opf").decode()
    assert 'page-progression-direction="rtl"' in opf
    assert "--embed-fonts" in run_publish("build", "--help").stdout
