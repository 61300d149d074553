"""`publish preview` for real: a server on 127.0.0.1 in a subprocess, a token changed in a
copy of a layout, the served pages change; a broken layout shows its file:line message
while the last good pages stay served."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from PIL import Image

from .conftest import ROOT, SAMPLE

DEADLINE = 60  # seconds for any one wait


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def state(base: str) -> dict:
    return json.loads(fetch(base + "state"))


def wait_for(base: str, predicate, what: str) -> dict:
    end = time.monotonic() + DEADLINE
    last = None
    while time.monotonic() < end:
        last = state(base)
        if predicate(last):
            return last
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; last state: {last}")


def short_sample(target: Path, sections: int) -> Path:
    """The sample's text with its first `sections` sections and its closing note (cut as text,
    so every line the tests edit stays as written), at `target`."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith("  - heading:")]
    note = next(i for i, line in enumerate(lines) if line.startswith("note:"))
    target.write_text("".join(lines[:starts[sections]] + lines[note:]), encoding="utf-8")
    return target


def cover_colour(base: str, version: int) -> tuple[int, int, int]:
    image = Image.open(io.BytesIO(fetch(f"{base}page/1.png?v={version}"))).convert("RGB")
    return image.getpixel((image.width // 2, image.height // 2))


@pytest.fixture
def layouts_copy(tmp_path):
    """layouts/ copied to a temporary folder, with fonts/ beside it as fonts.css expects."""
    shutil.copytree(ROOT / "layouts", tmp_path / "layouts")
    (tmp_path / "fonts").symlink_to(ROOT / "fonts")
    return tmp_path / "layouts"


@pytest.fixture
def preview(layouts_copy):
    source = layouts_copy.parent / "content" / SAMPLE.name
    source.parent.mkdir()
    short_sample(source, 1)  # the sample (no images) with one section: each of the rebuilds is shorter
    env = dict(os.environ, PUBLISH_LAYOUTS=str(layouts_copy), PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "publish", "preview", str(source), "--layout", "booklet"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT,
    )
    try:
        line = process.stdout.readline()  # printed before the first build
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, f"no URL on start: {line!r}"
        yield match.group(0), layouts_copy, source
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def test_preview_serves_spreads_and_follows_a_token_change(preview):
    base, layouts, source = preview
    first = wait_for(base, lambda s: s["version"] >= 1 and s["pages"], "the first build")
    assert first["error"] is None and first["layout"] == "booklet"
    page = fetch(base)
    assert b"spreads(" in page and b"/state" in page
    before = cover_colour(base, first["version"])
    assert before[1] > before[0], f"the booklet's cover field is teal, got {before}"

    spec = layouts / "booklet" / "layout.yaml"
    text = spec.read_text(encoding="utf-8")
    changed = re.sub(r"  accent: \{[^}]*\}", '  accent: { cmyk: [0, 90, 80, 0], rgb: "#d9352b" }', text, count=1)
    assert changed != text
    spec.write_text(changed, encoding="utf-8")
    second = wait_for(base, lambda s: s["version"] > first["version"] and s["error"] is None, "the rebuild")
    after = cover_colour(base, second["version"])
    assert after[0] > 180 and after[1] < 90, f"the cover field did not turn red: {before} -> {after}"
    # speed is measured by `make bench` (preview latency), not asserted here

    spec.write_text(changed.replace("  lines: 30", "  lines: thirty"), encoding="utf-8")
    broken = wait_for(base, lambda s: s["version"] > second["version"], "the failed rebuild")
    assert re.search(r"layouts/booklet/layout\.yaml:\d+:\d+: type_area\.lines: must be a whole number",
                     broken["error"]), broken["error"]
    assert broken["pages"] == second["pages"], "the last good pages stay"
    assert broken["good_version"] == second["version"]
    assert cover_colour(base, broken["version"]) == after

    spec.write_text(changed, encoding="utf-8")
    fixed = wait_for(base, lambda s: s["version"] > broken["version"] and s["error"] is None, "recovery")

    # the source: a new subtitle moves the cover's rule; an unknown speaker is a SourceError
    text = source.read_text(encoding="utf-8")
    page1 = fetch(f"{base}page/1.png?v={fixed['good_version']}")
    source.write_text(text.replace("subtitle: 企業派遣で得た新たな視点", "subtitle: 別の副題"), encoding="utf-8")
    retitled = wait_for(base, lambda s: s["version"] > fixed["version"], "the rebuild after the source changed")
    assert retitled["error"] is None
    assert fetch(f"{base}page/1.png?v={retitled['good_version']}") != page1
    source.write_text(text.replace("      - yamada: |", "      - yamda: |", 1), encoding="utf-8")
    bad = wait_for(base, lambda s: s["version"] > retitled["version"], "the failed rebuild of the source")
    assert re.search(rf"{SAMPLE.name}:\d+:\d+: sections\[0\]\.turns\[1\]: unknown speaker 'yamda'", bad["error"]), bad["error"]
    assert bad["good_version"] == retitled["version"]


def test_preview_rejects_a_missing_source(tmp_path):
    result = subprocess.run([sys.executable, "-m", "publish", "preview", str(tmp_path / "nope.yaml")],
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 1 and "no such source file" in result.stderr


def test_which_saved_files_trigger_a_rebuild(tmp_path, monkeypatch):
    from publish.layout import fonts_dir
    from publish.app.preview import Previewer

    layouts = tmp_path / "layouts"
    (layouts / "booklet").mkdir(parents=True)
    monkeypatch.setenv("PUBLISH_LAYOUTS", str(layouts))
    content = tmp_path / "content"
    (content / "images").mkdir(parents=True)
    source = content / "x.yaml"
    source.write_text("title: x\n", encoding="utf-8")
    previewer = Previewer(source)
    assert previewer.relevant(source)
    assert previewer.relevant(content / "images" / "office.jpg")
    assert previewer.relevant(layouts / "booklet" / "booklet.css")
    assert previewer.relevant(fonts_dir() / "NotoSerifJP-Regular.ttf")
    assert not previewer.relevant(content / "other-interview.yaml")
    assert not previewer.relevant(layouts / "booklet" / ".booklet.css.swp")
    assert not previewer.relevant(content / "x.yaml~")
    assert set(previewer.watch_roots()) >= {content.resolve(), layouts.resolve()}


# -- issue 12: collections, the page in view first, changed pages, the EPUB view ----------------------


def start_preview(source, layouts, *extra):
    env = dict(os.environ, PUBLISH_LAYOUTS=str(layouts), PYTHONUNBUFFERED="1")
    process = subprocess.Popen([sys.executable, "-m", "publish", "preview", str(source), *extra],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT)
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    assert match, f"no URL on start: {line!r}"
    return process, match.group(0)


def stop_preview(process):
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def test_preview_of_a_collection_with_its_epub(layouts_copy):
    content = layouts_copy.parent / "content"
    content.mkdir()
    for name in ("tokyo-ict-exchange.yaml", "midoridai-mentors.yaml"):  # their first sections: a short book
        source = yaml.safe_load((ROOT / "content" / name).read_text(encoding="utf-8"))
        source["sections"] = source["sections"][:1]
        (content / name).write_text(yaml.safe_dump(source, allow_unicode=True, sort_keys=False), encoding="utf-8")
    shutil.copy(ROOT / "content" / "digital-voices.collection.yaml", content)
    process, base = start_preview(content / "digital-voices.collection.yaml", layouts_copy)
    try:
        first = wait_for(base, lambda s: s["version"] >= 1 and s["complete"], "the collection's first build")
        assert first["error"] is None and first["kind"] == "collection" and first["pages"] >= 8, first
        assert Image.open(io.BytesIO(fetch(f"{base}page/{first['pages']}.png"))).size == tuple(first["sizes"][-1])
        index = json.loads(fetch(base + "epub/h/index.json"))
        assert index["direction"] == "ltr" and len(index["spine"]) >= 4
        chapters = [fetch(base + "epub/h/" + href).decode() for href in index["spine"]]
        assert any("入庁1年目を支えるメンター制度" in text for text in chapters)
        vertical = json.loads(fetch(base + "epub/v/index.json"))
        assert vertical["direction"] == "rtl"
        assert any('class="vrtl"' in fetch(base + "epub/v/" + href).decode() for href in vertical["spine"])
        # an interview of the collection is watched: saving it rebuilds the collection
        interview = content / "midoridai-mentors.yaml"
        interview.write_text(interview.read_text(encoding="utf-8").replace(
            "入庁1年目を支えるメンター制度", "入庁一年目を支えるメンター制度", 1), encoding="utf-8")
        second = wait_for(base, lambda s: s["good_version"] > first["good_version"] and s["complete"],
                          "the rebuild after an interview changed")
        assert second["changed"] and len(second["changed"]) < second["pages"], second["changed"]
        index = json.loads(fetch(base + "epub/h/index.json"))
        assert any("入庁一年目" in fetch(base + "epub/h/" + href).decode() for href in index["spine"])
    finally:
        stop_preview(process)


def test_preview_rasterises_the_page_in_view_first_and_marks_changed_pages(layouts_copy):
    content = layouts_copy.parent / "content"
    content.mkdir()
    source = short_sample(content / SAMPLE.name, 2)  # 7 pages: the note is far from page 1
    process, base = start_preview(source, layouts_copy, "--layout", "booklet")
    try:
        first = wait_for(base, lambda s: s["version"] >= 1 and s["complete"], "the first build")
        assert first["changed"] == [], "nothing to compare the first build with"
        last = first["pages"] - 1
        fetch(f"{base}state?view={last}")  # the designer looks at the last pages
        text = source.read_text(encoding="utf-8")
        note = "※ 記載内容は"
        assert note in text
        source.write_text(text.replace(note, "※ 本記事の内容は", 1), encoding="utf-8")
        second = wait_for(base, lambda s: s["good_version"] > first["good_version"] and s["complete"], "the rebuild")
        assert second["first_page"] == last, "the page in view is rasterised first"
        assert second["build_seconds"] < second["all_seconds"]
        assert second["changed"] and 1 not in second["changed"], second["changed"]
        assert all(p >= last - 2 for p in second["changed"]), second["changed"]
    finally:
        stop_preview(process)


def test_preview_of_a_source_with_photos_loads_its_images():
    """The preview renders through the build's book path, which lets WeasyPrint read the
    source's images (it once rendered without the source's folder, and every source with a
    photo failed: 'refused to load …/content/images/…')."""
    from publish.app.preview import Previewer

    previewer = Previewer(ROOT / "content" / "kohoku-design-lab.yaml")
    previewer.rebuild()
    assert previewer.state.error is None, previewer.state.error
    cover = previewer.state.pages[0].convert("RGB")
    width, height = cover.size
    photo = cover.crop((0, 0, width, height // 2)).getcolors(1 << 20)  # the cover photo's many colours
    assert photo is not None and len(photo) > 500, len(photo or ())
    assert {Path(p).name for p in previewer.images} >= {"kohoku-cover.jpg"}
