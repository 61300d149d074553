"""Issue 10, the source side: hostile sources, articles and images are answered with
`file:line:col: field: message` and exit 2 (never a traceback, never minutes of work),
builds are atomic as a whole, workers die with their build, and long words stay on the
page."""

from __future__ import annotations

import os
import signal
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest
import yaml
from PIL import Image

from publish import output
from publish.app.cli import main

from .conftest import ROOT, SAMPLE, SEED

GOOD = """\
title: タイトル
people:
  - id: yamada
    name: 山田
sections:
  - turns:
      - q: 質問です。
      - yamada: 答えです。
"""


def check(folder: Path, text: str | bytes, capsys, name="x.yaml") -> tuple[int, list[str], float]:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    started = time.perf_counter()
    status = main(["check", str(path)])
    elapsed = time.perf_counter() - started
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return status, [line for line in err.splitlines() if line.strip()], elapsed


def has(lines, where: str, fragment: str) -> bool:
    return any(where in line and fragment in line for line in lines)


# --- the YAML reader -------------------------------------------------------------------

BOMB = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{c}: &{c} [{', '.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi")]
) + "\n"


def test_alias_bomb_is_refused_at_once(content_dir, capsys):
    assert len(BOMB.encode()) < 700
    status, lines, elapsed = check(content_dir, BOMB, capsys)
    assert status == 2 and elapsed < 2, (lines, elapsed)
    assert has(lines, "x.yaml:1:4: a: ", "anchors (&a) are not allowed")


@pytest.mark.parametrize("extra, where, fragment", [
    ("tags: &r [*r]\n", "x.yaml:9:7: tags: ", "anchors (&r)"),
    ("style:\n  <<: {a: 1}\n", "x.yaml:10:3: style: ", "merge keys (<<)"),
    ("kind: !!int abc\n", "x.yaml:9:7: kind: ", "the YAML tag !!int is not allowed"),
    ("kind: !!python/object/apply:os.system [id]\n", "x.yaml:9:7: kind: ", "tag !!python/object/apply:os.system"),
    ("published: 2024-02-30\n", "x.yaml:9:12: published: ", "'2024-02-30' is not a real date"),
    ("published: 2024-13-45\n", "x.yaml:9:12: published: ", "'2024-13-45' is not a real date"),
    ("kind: " + "9" * 5001 + "\n", "x.yaml:9:7: kind: ", "a number of 5001 characters is too long"),
    ("[a, b]: c\n", "x.yaml:9:1: ", "a key must be a name"),
])
def test_yaml_constructs_sources_never_need_are_refused_with_their_position(content_dir, capsys, extra, where,
                                                                            fragment):
    status, lines, _ = check(content_dir, GOOD + extra, capsys)
    assert status == 2
    assert has(lines, where, fragment), lines


def test_a_syntax_error_names_the_field_being_read(content_dir, capsys):
    status, lines, _ = check(content_dir, GOOD.replace("name: 山田", "name: [山田"), capsys)
    # reported where the [ opens (line 4), with the field being read
    assert status == 2 and has(lines, "x.yaml:4:", "people[0].name: YAML syntax error"), lines


def test_deep_nesting_is_an_error_not_a_recursion_error(content_dir, capsys):
    status, lines, elapsed = check(content_dir, GOOD + "kind: " + "[" * 20000 + "]" * 20000 + "\n", capsys)
    assert status == 2 and elapsed < 10
    assert has(lines, "x.yaml:9:", "nested more than 40 levels deep")


def test_a_huge_file_is_refused_without_reading_it_all(content_dir, capsys):
    status, lines, _ = check(content_dir, GOOD + "lead: " + "あ" * 400_000 + "\n", capsys)
    assert status == 2 and has(lines, "x.yaml:1:1: ", "larger than 1024 KiB")


@pytest.mark.parametrize("value, where, fragment", [
    ("kind: a\x00b", "x.yaml:9:8: kind: ", "control character U+0000 (NUL)"),
    ("kind: a\x1bb", "x.yaml:9:8: kind: ", "control character U+001B (ESC)"),
    ("kind: a\ufffeb", "x.yaml:9:8: kind: ", "U+FFFE is not a character"),
    ('kind: "ab\\ud800"', "x.yaml:9:10: kind: ", "U+D800 is a lone surrogate"),
    ('kind: "a\\x01b"', "x.yaml:9:9: kind: ", "control character U+0001"),
    ('kind: "a\\eb"', "x.yaml:9:9: kind: ", "U+001B (ESC)"),
    ("kind: 請求書\u202etxt.exe", "x.yaml:9:10: kind: ", "bidirectional control U+202E"),
    ('kind: "a\\u2066b"', "x.yaml:9:9: kind: ", "bidirectional control U+2066"),
    ("name: 山\u202a田", "x.yaml:4:12: people[0].name: ", "U+202A"),
])
def test_characters_xml_cannot_hold_and_bidi_controls_are_refused_where_they_stand(content_dir, capsys, value,
                                                                                   where, fragment):
    text = GOOD.replace("name: 山田", value) if value.startswith("name:") else GOOD + value + "\n"
    status, lines, _ = check(content_dir, text, capsys)
    assert status == 2
    assert has(lines, where, fragment), lines


def test_a_refused_character_in_a_key_is_reported_printably(content_dir, capsys):
    status, lines, _ = check(content_dir, GOOD + '"k\\ud800\\x01": 1\n', capsys)
    assert status == 2
    assert has(lines, "x.yaml:9:3: ", "U+D800 is a lone surrogate") and has(lines, "x.yaml:9:9: ", "U+0001"), lines
    # a refusal whose field path holds such a key is printed with the key escaped
    status, lines, _ = check(content_dir, GOOD + 'style:\n  "k\\ud800\\x1b": !!int 1\n', capsys)
    assert status == 2
    assert has(lines, "x.yaml:10:", "style.k\\ud800\\u001b: the YAML tag !!int"), lines
    assert all(line.isprintable() for line in lines)


def test_every_refused_character_is_reported_once_and_then_counted(content_dir, capsys):
    status, lines, _ = check(content_dir, GOOD + "lead: |\n  a\x01b\n  c\x02d" + "\x03" * 100 + "\n", capsys)
    assert status == 2
    assert has(lines, "x.yaml:10:4: lead: ", "U+0001") and has(lines, "x.yaml:11:4: lead: ", "U+0002")
    assert has(lines, "", "more refused characters") and len(lines) <= 21


def test_a_collection_source_gets_the_same_reader(content_dir, capsys):
    (content_dir / "a.yaml").write_text(GOOD, encoding="utf-8")
    status, lines, _ = check(content_dir, "title: 集\u202e\ninterviews: [a.yaml]\n", capsys, name="c.collection.yaml")
    assert status == 2 and has(lines, "c.collection.yaml:1:9: title: ", "U+202E"), lines
    status, lines, _ = check(content_dir, "title: 集\ninterviews: &i [a.yaml]\n", capsys, name="c.collection.yaml")
    assert status == 2 and has(lines, "c.collection.yaml:2:13: interviews: ", "anchors (&i)"), lines


def test_the_sample_sources_still_pass(capsys):
    assert main(["check", *map(str, sorted((ROOT / "content").glob("*.yaml")))]) == 0


# --- the article importer --------------------------------------------------------------


def test_import_refuses_control_and_bidi_characters_with_their_position(tmp_path, capsys):
    lines = SEED.read_text(encoding="utf-8").split("\n")
    lines[2] = lines[2][:3] + "\x00" + lines[2][3:]
    lines[4] = "\u2067" + lines[4]
    article = tmp_path / "a.txt"
    article.write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "a.yaml"
    status = main(["import", str(article), "-o", str(out)])
    err = capsys.readouterr().err
    assert status == 2 and not out.exists()
    assert "a.txt:3:4: control character U+0000 (NUL)" in err
    assert "a.txt:5:1: bidirectional control U+2067" in err


def test_import_does_not_report_its_own_probe_file(tmp_path, capsys):
    article = tmp_path / "a.txt"
    article.write_text(SEED.read_text(encoding="utf-8").replace("CCoE", "CCoE" + "x" * 50, 1), encoding="utf-8")
    assert main(["import", str(article), "-o", str(tmp_path / "a.yaml")]) == 0
    assert "imported.yaml" not in capsys.readouterr().err
    assert main(["check", str(tmp_path / "a.yaml")]) == 0
    err = capsys.readouterr().err
    assert "a.yaml:" in err and ": warning: a word of 60 characters" in err, err


def test_import_refuses_a_huge_article(tmp_path, capsys):
    article = tmp_path / "a.txt"
    article.write_text(SEED.read_text(encoding="utf-8") + "あ" * 400_000, encoding="utf-8")
    assert main(["import", str(article), "-o", "-"]) == 2
    assert "larger than 1024 KiB" in capsys.readouterr().err


# --- images ----------------------------------------------------------------------------


def png_bomb(path: Path, side: int = 40000) -> None:
    """A 1-bit side² PNG whose pixel data compresses to ~200 KB (1.6 gigapixels)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    packer = zlib.compressobj(9)
    row = b"\0" * (1 + side // 8)
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
                     + chunk(b"IDAT", data) + chunk(b"IEND", b""))


def with_photo(name: str) -> str:
    return GOOD.replace("    name: 山田\n", f"    name: 山田\n    photo: images/{name}\n")


@pytest.fixture
def images(content_dir) -> Path:
    import weasyprint  # noqa: F401 - it sets PIL's LOAD_TRUNCATED_IMAGES for the whole process

    folder = content_dir / "images"
    Image.new("RGB", (300, 200), (200, 80, 40)).save(folder / "ok.jpg", quality=90)
    Image.new("RGB", (300, 200), (40, 80, 200)).save(folder / "ok.png")
    good = (folder / "ok.jpg").read_bytes()
    (folder / "truncated.jpg").write_bytes(good[: len(good) // 2])
    (folder / "text.jpg").write_text("this is not a JPEG\n")
    (folder / "png.jpg").write_bytes((folder / "ok.png").read_bytes())
    Image.new("RGB", (10, 10)).save(folder / "anim.gif")
    (folder / "x.svg").write_text('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                                  '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
                                  '<text>&e;</text></svg>')
    png_bomb(folder / "bomb.png")
    return folder


@pytest.mark.parametrize("name, fragment", [
    ("truncated.jpg", "the image is damaged or truncated"),
    ("text.jpg", "not an image Pillow can read"),
    ("png.jpg", "the file is a PNG image but is named .jpg; name it .png"),
    ("anim.gif", "a GIF image; only JPEG and PNG are accepted"),
    ("x.svg", "SVG images are not accepted in sources"),
    ("bomb.png", "1600 megapixels is more than the 60-megapixel limit"),
])
def test_bad_images_are_refused_when_the_source_is_loaded(images, capsys, name, fragment):
    status, lines, elapsed = check(images.parent, with_photo(name), capsys)
    assert status == 2 and elapsed < 5, (lines, elapsed)
    assert has(lines, "x.yaml:5:12: people[0].photo: ", f"'images/{name}': {fragment}"), lines


def test_a_figure_image_is_checked_too(images, capsys):
    text = GOOD + "      - image: images/truncated.jpg\n        caption: 写真\n"
    status, lines, _ = check(images.parent, text, capsys)
    assert status == 2 and has(lines, "x.yaml:9:16: sections[0].turns[2].image: ", "damaged or truncated")


@pytest.mark.parametrize("name", ["ok.jpg", "ok.png"])
def test_good_images_pass(images, capsys, name):
    status, lines, _ = check(images.parent, with_photo(name), capsys)
    assert status == 0, lines


def test_the_epub_gets_exactly_the_checked_image(images, tmp_path, capsys):
    source = images.parent / "x.yaml"
    source.write_text(with_photo("ok.png"), encoding="utf-8")
    status = main(["build", str(source), "--out", str(tmp_path / "out"), "--format", "epub"])
    assert status == 0, capsys.readouterr().err
    with zipfile.ZipFile(tmp_path / "out" / "x.epub") as book:
        shipped = [n for n in book.namelist() if n.endswith(".png")]
        assert [book.read(n) for n in shipped] == [(images / "ok.png").read_bytes()]
        opf = book.read(next(n for n in book.namelist() if n.endswith(".opf"))).decode()
        assert 'media-type="image/png"' in opf


def test_an_image_swapped_after_loading_is_not_shipped(images, tmp_path):
    from publish.app.build import layout_for, load
    from publish.writers.epub import build_epub
    from publish.errors import SourceError

    source = images.parent / "x.yaml"
    (images / "p.png").write_bytes((images / "ok.png").read_bytes())
    source.write_text(with_photo("p.png"), encoding="utf-8")
    doc = load(source)
    (images / "p.png").write_bytes((images / "text.jpg").read_bytes())
    with pytest.raises(SourceError, match="image refused"):
        build_epub(doc, layout_for(doc), cover=(images / "ok.jpg").read_bytes())


# --- atomic builds ---------------------------------------------------------------------


def test_a_failing_epub_leaves_the_previous_pdf_and_epub_untouched(tmp_path, monkeypatch, capsys):
    import publish.writers.epub

    out = tmp_path / "build"
    out.mkdir()
    (out / "sample.pdf").write_bytes(b"%PDF old")
    (out / "sample.epub").write_bytes(b"old epub")
    # the sample's first section: four pages as typeset, so the PDF's make-up is one trial (the
    # staging is what is tested; a shorter source would take more make-up trials)
    sample = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    sample["sections"] = sample["sections"][:1]
    source = tmp_path / "sample.yaml"
    source.write_text(yaml.safe_dump(sample, allow_unicode=True, sort_keys=False), encoding="utf-8")
    rendered = []

    def failing_epub(*args, **kwargs):
        rendered.append(sorted(p.name for p in out.iterdir()))  # the PDF is staged by now
        raise RuntimeError("the EPUB step failed")

    monkeypatch.setattr(publish.writers.epub, "build_epub", failing_epub)
    with pytest.raises(RuntimeError):
        main(["build", str(source), "--out", str(out), "--format", "pdf,epub"])
    assert any(name.startswith(".sample.pdf.") and name.endswith(".part") for name in rendered[0])
    assert (out / "sample.pdf").read_bytes() == b"%PDF old"
    assert (out / "sample.epub").read_bytes() == b"old epub"
    assert sorted(p.name for p in out.iterdir()) == ["sample.epub", "sample.pdf"]


def test_all_outputs_are_renamed_only_after_all_are_rendered(tmp_path):
    with output.OutputSet() as outputs:
        outputs.stage(tmp_path / "a.pdf", b"a")
        outputs.stage(tmp_path / "a.epub", b"b")
        assert not (tmp_path / "a.pdf").exists() and not (tmp_path / "a.epub").exists()
    assert (tmp_path / "a.pdf").read_bytes() == b"a" and (tmp_path / "a.epub").read_bytes() == b"b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.epub", "a.pdf"]


KILLED_WRITER = """
import os, signal, sys
from publish.output import OutputSet
outputs = OutputSet()
outputs.stage(sys.argv[1], b"half of a build")
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_runs_part_file_is_removed_by_the_next_build_of_that_output(tmp_path, capsys):
    out = tmp_path / "build"
    out.mkdir()
    killed = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(out / "sample.epub")], timeout=60)
    assert killed.returncode == -signal.SIGKILL
    stale = [p.name for p in out.iterdir()]
    assert len(stale) == 1 and stale[0].startswith(".sample.epub.") and stale[0].endswith(".part")
    other = out / ".other.epub.1.x.part"  # another output's file is not this build's business
    other.write_bytes(b"x")
    source = tmp_path / "sample.yaml"
    source.write_text(GOOD, encoding="utf-8")  # a one-page source: the clean-up is what is tested
    status = main(["build", str(source), "--out", str(out), "--format", "epub"])  # the next build, in-process
    assert status == 0, capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == [other.name, "sample.epub"]


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == pid and b"publish" in cmdline:
            found.append(int(entry))
    return found


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_collection_workers_die_with_their_build(tmp_path, signum):
    env = dict(os.environ, PUBLISH_JOBS="2")
    workers: list[int] = []
    process = subprocess.Popen([sys.executable, "-m", "publish", "build", "content/digital-voices.collection.yaml",
                                "--format", "pdf", "--out", str(tmp_path)], cwd=ROOT, env=env,
                               stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and len(workers) < 2 and process.poll() is None:
            workers = _children(process.pid)
            time.sleep(0.05)
        assert len(workers) == 2, "the parallel build never started its workers"
        process.send_signal(signum)
        process.wait(timeout=30)
        deadline = time.time() + 10
        while time.time() < deadline and any(_running(w) for w in workers):
            time.sleep(0.05)
        assert not any(_running(w) for w in workers), "a worker outlived its build"
        if signum == signal.SIGTERM:
            assert process.returncode == 128 + signum and "Traceback" not in process.stderr.read()
        assert not list(tmp_path.iterdir())  # nothing written, no .part left
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for worker in workers:  # never leave an orphan behind, even when the test fails
            if _running(worker):
                os.kill(worker, signal.SIGKILL)


# --- long runs -------------------------------------------------------------------------

WORD = "".join("abcdefghijklmnopqrstuvwxyz"[(i * 7 + i // 26) % 26] for i in range(5000))


def test_a_5000_letter_word_is_broken_inside_the_trim_with_a_warning(tmp_path, capsys):
    import pypdfium2 as pdfium

    source = tmp_path / "long.yaml"
    source.write_text(GOOD.replace("答えです。", f"答えです。{WORD}という言葉。")
                      + "      - q: pneumonoultramicroscopicsilicovolcanoconiosisという語。\n", encoding="utf-8")
    status = main(["build", str(source), "--out", str(tmp_path), "--format", "pdf"])
    stderr = capsys.readouterr().err
    assert status == 0, stderr
    assert "long.yaml:8:22: sections[0].turns[1].yamada: warning: a word of 5000 characters" in stderr
    assert "long.yaml:9:12: sections[0].turns[2].q: warning: a word of 45 characters" in stderr
    pdf = pdfium.PdfDocument(str(tmp_path / "long.pdf"))
    text, outside = [], 0
    try:
        for page in pdf:
            left, bottom, right, top = page.get_trimbox()
            textpage = page.get_textpage()
            for index in range(textpage.count_chars()):
                x0, y0, x1, y1 = textpage.get_charbox(index)
                if x1 > x0 and (x0 < left or x1 > right or y0 < bottom or y1 > top):
                    outside += 1
            text.append(textpage.get_text_range())
    finally:
        pdf.close()
    assert outside == 0
    letters = "".join(ch for ch in "".join(text) if "a" <= ch <= "z")
    assert WORD in letters  # every letter printed, in order, none clipped
    assert "pneumonoultramicroscopicsilicovolcanoconiosis" in letters


def test_a_long_tate_chu_yoko_is_an_error_with_its_position(content_dir, capsys):
    status, lines, _ = check(content_dir, GOOD + "      - q: 数字^" + "1" * 3000 + "^です\n", capsys)
    assert status == 2
    assert has(lines, "x.yaml:9:14: sections[0].turns[2].q: ", "tate-chu-yoko holds at most four characters, not 3000")
    status, lines, _ = check(content_dir, GOOD + "      - q: 数字^1234^です\n", capsys)
    assert status == 0, lines
