"""The booklets looked at: headless Chromium lays out a horizontal and a vertical section
document, and a small script reports from the page where the characters, the heading, a
tate-chu-yoko number and a ruby reading ended up.

Chromium renders single XHTML documents (no pagination, no spine direction), which is all
this needs. Set PUBLISH_SCREENSHOTS=<folder> to also save screenshots of the documents.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from . import epub_support as support

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]

PROBE = r"""
window.addEventListener("load", function () {
  function box(r) { return {left: r.left, top: r.top, right: r.right, bottom: r.bottom,
                            width: r.width, height: r.height}; }
  function charBoxes(element, count) {
    var out = [], walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    var node;
    while ((node = walker.nextNode()) && out.length < count) {
      if (node.parentNode.closest("rt, rp, .speaker")) continue;
      for (var i = 0; i < node.data.length && out.length < count; i++) {
        var range = document.createRange();
        range.setStart(node, i); range.setEnd(node, i + 1);
        var rects = range.getClientRects();
        if (rects.length) out.push({ch: node.data[i], box: box(rects[0])});
      }
    }
    return out;
  }
  function textBox(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    return box(range.getBoundingClientRect());
  }
  var answer = document.querySelector(".answer p");
  var tcy = document.querySelector(".answer .tcy");
  var ruby = document.querySelector(".section h2 ruby");
  var result = {
    writingMode: getComputedStyle(document.documentElement).writingMode,
    fontSize: parseFloat(getComputedStyle(answer).fontSize),
    heading: box(document.querySelector(".section h2").getBoundingClientRect()),
    answer: box(answer.getBoundingClientRect()),
    chars: charBoxes(answer, 120),
    tcy: tcy ? {text: tcy.textContent, box: box(tcy.getBoundingClientRect())} : null,
    rubyBase: ruby ? textBox(ruby.firstChild) : null,
    rubyText: ruby ? box(ruby.querySelector("rt").getBoundingClientRect()) : null
  };
  var pre = document.createElementNS("http://www.w3.org/1999/xhtml", "pre");
  pre.id = "probe-result";
  pre.textContent = JSON.stringify(result);
  document.body.appendChild(pre);
});
"""


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    assert found, "headless Chromium is needed (.ci/run installs Debian's chromium)"
    return found


def run_chromium(*args: str) -> subprocess.CompletedProcess:
    profile = tempfile.mkdtemp(prefix="chromium-")
    try:
        return subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def probe(book: Path, document: str, workdir: Path) -> dict:
    folder = support.extract(book, workdir / book.stem)
    page = folder / "EPUB" / "xhtml" / f"{document}.xhtml"
    (page.parent / "probe.js").write_text(PROBE, encoding="utf-8")
    probed = page.with_name(f"probe-{page.name}")
    probed.write_text(page.read_text(encoding="utf-8").replace("</head>", '<script src="probe.js"></script>\n</head>'),
                      encoding="utf-8")
    result = run_chromium("--window-size=800,600", "--dump-dom", probed.as_uri())
    match = re.search(r'<pre id="probe-result">(.*?)</pre>', result.stdout, re.S)
    assert match, f"no probe result from Chromium:\n{result.stderr[-2000:]}"
    import html

    return json.loads(html.unescape(match.group(1)))


@pytest.fixture(scope="module")
def layouts(tmp_path_factory):
    work = tmp_path_factory.mktemp("chromium")
    # with the bundled fonts embedded, so the page does not depend on the machine's fonts
    jobs = {"horizontal": support.book("rich-h-fonts"), "vertical": support.book("rich-v-fonts")}
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {k: pool.submit(probe, book, "section-1", work) for k, book in jobs.items()}
        results = {k: f.result() for k, f in futures.items()}
    shots = os.environ.get("PUBLISH_SCREENSHOTS")
    if shots:
        save_screenshots(Path(shots), work)
    return results


def lines_of(chars: list[dict], vertical: bool) -> list[list[dict]]:
    """Split the characters (in text order) into lines: a line ends where the next
    character jumps back against the inline direction (up in vertical text, left in
    horizontal text)."""
    lines: list[list[dict]] = []
    previous = None
    for c in chars:
        position = c["box"]["top"] if vertical else c["box"]["left"]
        if previous is None or position < previous - 1:
            lines.append([c])
        else:
            lines[-1].append(c)
        previous = position
    return lines


def centre(c: dict, vertical: bool) -> float:
    b = c["box"]
    return b["left"] + b["width"] / 2 if vertical else b["top"] + b["height"] / 2


def median(values: list[float]) -> float:
    values = sorted(values)
    return values[len(values) // 2]


def check_lines(page: dict, vertical: bool) -> list[float]:
    """Every line is one straight run of characters; returns each line's cross position."""
    size = page["fontSize"]
    lines = lines_of(page["chars"], vertical)
    assert len(lines) >= 2, "the first answer should take more than one line"
    assert all(len(line) >= 10 for line in lines[:-1]), [len(line) for line in lines]
    positions = []
    for line in lines:
        middle = median([centre(c, vertical) for c in line])
        stray = [c["ch"] for c in line if abs(centre(c, vertical) - middle) > 0.6 * size]
        assert not stray, f"characters off their line: {stray}"
        positions.append(middle)
    return positions


def test_vertical_text_runs_top_to_bottom_right_to_left(layouts):
    page = layouts["vertical"]
    size = page["fontSize"]
    assert page["writingMode"] == "vertical-rl"
    columns = check_lines(page, vertical=True)  # each line runs down one column
    steps = [a - b for a, b in zip(columns, columns[1:])]
    assert all(step > size for step in steps), f"each next line should be a line pitch to the left: {columns}"
    tops = [line[0]["box"]["top"] for line in lines_of(page["chars"], True)[1:]]
    assert max(tops) - min(tops) < size, "lines start at the same top"
    # the section heading is the rightmost column; the answers follow to its left
    assert page["heading"]["left"] > page["answer"]["right"] - 1


def test_tate_chu_yoko_and_ruby_in_vertical_text(layouts):
    page = layouts["vertical"]
    size = page["fontSize"]
    tcy = page["tcy"]
    assert tcy["text"] == "12"
    # two digits set upright within one em of the line (sideways they would take about 1.1em
    # and lie on their side; upright without tate-chu-yoko, 2em)
    assert tcy["box"]["height"] < size * 1.2
    sideways = [c for c in page["chars"] if c["ch"] in "0123456789" and c["box"]["height"] < size * 0.75]
    assert sideways, "the four-digit 2024 stays sideways (half-width digits, each well under an em tall)"
    base, rt = page["rubyBase"], page["rubyText"]
    assert rt["left"] >= base["left"] + base["width"] / 2, "the reading sits on the right of the base"


def test_horizontal_text_runs_left_to_right_top_to_bottom(layouts):
    page = layouts["horizontal"]
    size = page["fontSize"]
    assert page["writingMode"] == "horizontal-tb"
    rows = check_lines(page, vertical=False)
    assert all(b - a > size for a, b in zip(rows, rows[1:])), f"each next line is lower: {rows}"
    assert page["heading"]["bottom"] <= page["answer"]["top"] + 1
    base, rt = page["rubyBase"], page["rubyText"]
    assert rt["bottom"] <= base["top"] + base["height"] / 2, "the reading sits above the base"


def save_screenshots(folder: Path, work: Path) -> None:
    """Screenshots of every document of both books, for people to look at. Chromium's
    headless screenshot of a vertical-rl page is only right when the page fits the window,
    so the windows are wide."""
    folder.mkdir(parents=True, exist_ok=True)
    for book in ("rich-h-fonts", "rich-v-fonts"):
        xhtml = work / book / "EPUB" / "xhtml"
        vertical = "-v" in book
        for page in sorted(xhtml.glob("*.xhtml")):
            if page.name.startswith("probe-"):
                continue
            size = "1800,1000" if vertical else "900,1400"
            run_chromium(f"--window-size={size}", f"--screenshot={folder / f'{book}-{page.stem}.png'}",
                         page.as_uri())
