"""What is inside the booklets: EBPAJ-style metadata, the documents, vertical books, the
cover image and embedded fonts."""

from __future__ import annotations

import dataclasses
import io
import re

import pytest

from publish.model import Paragraph, Text

from . import epub_support as support
from .conftest import SAMPLE
from .epub_support import NS

OPF = "EPUB/package.opf"


def opf(name: str):
    return support.xml(support.book(name), OPF)


def metas(root, prop: str, refines: str | None = None) -> list[str]:
    out = []
    for m in root.iterfind("opf:metadata/opf:meta", NS):
        if m.get("property") == prop and (refines is None or m.get("refines") == f"#{refines}"):
            out.append(m.text)
    return out


def xhtml(name: str, doc: str) -> str:
    return support.read(support.book(name), f"EPUB/xhtml/{doc}.xhtml").decode("utf-8")


def manifest(root) -> dict[str, dict]:
    return {i.get("id"): dict(i.attrib) for i in root.iterfind("opf:manifest/opf:item", NS)}


# --- metadata ---------------------------------------------------------------------------


def test_package_metadata_of_the_rich_book():
    root = opf("rich-v")
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "ja"
    assert root.get("version") == "3.0"
    md = root.find("opf:metadata", NS)
    titles = md.findall("dc:title", NS)
    assert [t.text for t in titles] == ["東雲の庁舎で12年", "第2回 行政と現場をつなぐ"]
    assert metas(root, "title-type", "title") == ["main"]
    assert metas(root, "file-as", "title") == ["シノノメノチョウシャデジュウニネン"]
    assert metas(root, "title-type", "subtitle") == ["subtitle"]
    creators = md.findall("dc:creator", NS)
    assert [c.text for c in creators] == ["佐藤 花子", "鈴木 一郎"]
    first = creators[0].get("id")
    assert metas(root, "role", first) == ["aut", "ive"]
    assert metas(root, "file-as", first) == ["サトウ ハナコ"]  # katakana from the hiragana reading
    contributor = md.find("dc:contributor", NS)
    assert contributor.text == "編集部" and metas(root, "role", contributor.get("id")) == ["ivr"]
    assert md.find("dc:publisher", NS).text == "試験出版"
    assert md.find("dc:language", NS).text == "ja"
    assert md.find("dc:date", NS).text == "2024-02-01"
    assert [s.text for s in md.findall("dc:subject", NS)] == ["行政", "テスト"]
    assert md.find("dc:description", NS).text == "東雲の庁舎で12年働いた二人に、現場の話を聞きました。"
    assert md.find("dc:source", NS).text == "https://example.org/interviews/rich"
    assert metas(root, "dcterms:modified") == ["2024-03-15T00:00:00Z"]  # from `updated`
    assert "ebpaj: http://www.ebpaj.jp/" in root.get("prefix")
    assert metas(root, "ebpaj:guide-version") == ["1.1.3"]


def test_accessibility_metadata():
    rich, sample = opf("rich-v"), opf("sample-h")
    for root in (rich, sample):
        assert metas(root, "schema:accessMode") == ["textual", "visual"]
        assert metas(root, "schema:accessModeSufficient") == ["textual"]
        assert metas(root, "schema:accessibilityHazard") == ["none"]
        features = metas(root, "schema:accessibilityFeature")
        assert {"structuralNavigation", "tableOfContents", "readingOrder", "alternativeText"} <= set(features)
        (summary,) = metas(root, "schema:accessibilitySummary")
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", summary)  # Japanese
    assert "rubyAnnotations" in metas(rich, "schema:accessibilityFeature")
    assert "rubyAnnotations" not in metas(sample, "schema:accessibilityFeature")  # the sample has no ruby
    assert "縦書き" in metas(rich, "schema:accessibilitySummary")[0]
    assert "ルビ" in metas(rich, "schema:accessibilitySummary")[0]


def test_identifier_is_stable_and_follows_slug_and_publisher():
    from publish.app.build import load
    from publish.writers.epub import book_identifier

    doc = load(SAMPLE)
    ident = book_identifier(doc)
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", ident)
    fixed_typo = dataclasses.replace(doc, title=Paragraph((Text("別のタイトル"),)), lead=())
    assert book_identifier(fixed_typo) == ident
    assert book_identifier(dataclasses.replace(doc, publisher="別の発行者")) != ident
    root = opf("sample-h")
    unique = root.get("unique-identifier")
    assert root.find(f"opf:metadata/dc:identifier[@id='{unique}']", NS).text == ident
    ncx = support.xml(support.book("sample-h"), "EPUB/toc.ncx")
    assert ncx.find("ncx:head/ncx:meta[@name='dtb:uid']", NS).get("content") == ident


# --- documents --------------------------------------------------------------------------


def test_spine_order_cover_first_and_linear():
    root = opf("sample-h")
    spine = root.find("opf:spine", NS)
    ids = [i.get("idref") for i in spine]
    assert ids == ["cover", "titlepage", "nav", "lead", "section-1", "section-2", "section-3", "section-4",
                   "colophon"]
    assert all(i.get("linear") == "yes" for i in spine)
    assert spine.get("toc") == "ncx" and spine.get("page-progression-direction") == "ltr"


def test_cover_image_is_the_print_cover_at_a4_proportions():
    from PIL import Image

    root = opf("sample-h")
    items = manifest(root)
    cover = items["cover-image"]
    assert cover["properties"] == "cover-image" and cover["media-type"] == "image/jpeg"
    assert root.find("opf:metadata/opf:meta[@name='cover']", NS).get("content") == "cover-image"
    image = Image.open(io.BytesIO(support.read(support.book("sample-h"), "EPUB/" + cover["href"])))
    assert image.format == "JPEG" and image.size == (1600, 2263)
    assert image.width * image.height < 4_000_000
    # the print cover's accent field fills the top; the bottom is paper
    assert image.convert("RGB").getpixel((800, 300))[2] > 120 > image.convert("RGB").getpixel((800, 300))[0]
    assert image.convert("RGB").getpixel((800, 2200)) > (240, 240, 240)
    page = xhtml("sample-h", "cover")
    assert 'src="../images/cover.jpg"' in page and 'role="doc-cover"' in page
    assert 'alt="表紙：民間企業での実務経験を行政DXに還元' in page


@pytest.mark.parametrize("source", ["sample", "rich"])
def test_cover_image_is_the_whole_brochures_first_page(source):
    """The cover is typeset from a shortened interview for speed; it must be the very
    page the whole brochure starts with."""
    from publish.app.build import layout_for, load
    from publish.writers.epub.cover import cover_pdf, rasterise

    doc = load(SAMPLE if source == "sample" else support.rich_source())
    whole = rasterise(cover_pdf(doc, layout_for(doc), whole=True))[0]
    assert whole == support.cover_of(SAMPLE if source == "sample" else support.rich_source())


def test_nav_has_sections_and_landmarks_and_ncx_matches():
    nav = support.xml(support.book("sample-h"), "EPUB/xhtml/nav.xhtml")
    navs = {n.get(f"{{{NS['epub']}}}type"): n for n in nav.iter(f"{{{NS['x']}}}nav")}
    assert set(navs) == {"toc", "landmarks", "page-list"}  # page-list: the print edition's pages
    toc_links = [a.get("href") for a in navs["toc"].iter(f"{{{NS['x']}}}a")]
    assert toc_links == [f"section-{i}.xhtml" for i in range(1, 5)] + ["colophon.xhtml"]
    landmarks = {a.get(f"{{{NS['epub']}}}type"): a.get("href") for a in navs["landmarks"].iter(f"{{{NS['x']}}}a")}
    assert landmarks == {"cover": "cover.xhtml", "titlepage": "titlepage.xhtml", "toc": "nav.xhtml#toc",
                         "bodymatter": "lead.xhtml", "colophon": "colophon.xhtml"}
    ncx = support.xml(support.book("sample-h"), "EPUB/toc.ncx")
    sources = [c.get("src") for c in ncx.iterfind(".//ncx:content", NS)]
    assert sources == [f"xhtml/{h}" for h in toc_links]
    orders = [int(p.get("playOrder")) for p in ncx.iterfind(".//ncx:navPoint", NS)]
    assert orders == list(range(1, len(orders) + 1))
    assert manifest(opf("sample-h"))["nav"]["properties"] == "nav"


def test_title_page_lead_and_colophon():
    title = xhtml("rich-h", "titlepage")
    assert 'epub:type="titlepage"' in title and "<h1" in title
    assert "<ruby>東雲<rp>（</rp><rt>しののめ</rt><rp>）</rp></ruby>" in title
    assert "佐藤 花子" in title and "試験出版" in title
    lead = xhtml("rich-h", "lead")
    assert "働いた二人に" in lead
    colophon = xhtml("rich-h", "colophon")
    assert 'epub:type="colophon"' in colophon and 'role="doc-colophon"' in colophon and "奥付" in colophon
    for text in ("東雲", "佐藤 花子", "鈴木 一郎", "編集部", "試験出版", "2024年2月1日", "2024年3月15日",
                 "記載内容は2024年3月時点のものです"):
        assert text in colophon, text


def test_sections_are_separate_documents_with_speakers_as_text():
    for i in range(1, 5):
        page = xhtml("sample-h", f"section-{i}")
        assert page.count("<h2") == 1
        assert page.count('class="turn answer"') == len(re.findall(r'<b class="speaker">(西田|山田)：</b>', page))
        assert page.count('class="turn question"') == page.count('<b class="speaker">聞き手：</b>')


def test_profiles_are_labelled_asides_where_each_person_first_speaks():
    first = xhtml("rich-h", "section-1")
    for pid, name in (("sato", "佐藤 花子"), ("suzuki", "鈴木 一郎")):
        aside = re.search(rf'<aside class="profile" id="profile-{pid}" aria-labelledby="(profile-{pid}-name)">(.*?)</aside>',
                          first, re.S)
        assert aside, pid
        assert f'<h3 id="{aside.group(1)}">' in aside.group(2) and name in aside.group(2)
        answer = first.index(f'data-speaker="{pid}"')
        assert aside.start() < answer
        assert first.rfind("<aside", 0, answer) == aside.start()  # right before the first answer
    assert 'alt="佐藤 花子（試験市 主任）の写真"' in first
    assert 'alt="試験市役所の執務室（2024年撮影）"' in first
    assert "<figcaption>" in first
    assert "<aside" not in xhtml("rich-h", "section-2")


def test_ruby_emphasis_and_strong_markup():
    page = xhtml("rich-h", "section-1")
    assert "<ruby>雲<rp>（</rp><rt>くも</rt><rp>）</rp></ruby>" in page
    assert '<em class="bouten">毎日</em>' in page
    assert "<strong>大切なのは</strong>" in page
    css = support.read(support.book("rich-h"), "EPUB/style/book.css").decode()
    for prop in ("-epub-text-emphasis-style", "-webkit-text-emphasis-style", "text-emphasis-style"):
        assert re.search(rf"(?<![-\w]){prop}: filled sesame", css), prop


# --- vertical ---------------------------------------------------------------------------

TEXT_DOCS = ("titlepage", "nav", "lead", "section-1", "section-2")


def test_vertical_book_progresses_right_to_left():
    for name in ("rich-v", "sample-v"):
        root = opf(name)
        assert root.find("opf:spine", NS).get("page-progression-direction") == "rtl"
        for doc in TEXT_DOCS:
            page = xhtml(name, doc)
            assert re.search(r'<html [^>]*class="vrtl"', page), (name, doc)
            assert 'dir="rtl"' not in page
        for doc in ("cover", "colophon"):  # stay horizontal, each in its own document
            assert re.search(r'<html [^>]*class="hltr"', xhtml(name, doc))
    for doc in TEXT_DOCS + ("cover", "colophon"):
        assert re.search(r'<html [^>]*class="hltr"', xhtml("rich-h", doc))
    assert opf("rich-h").find("opf:spine", NS).get("page-progression-direction") == "ltr"


def test_writing_mode_css_has_every_form_and_japanese_font_names_first():
    css = support.read(support.book("rich-v"), "EPUB/style/book.css").decode()
    vrtl = re.search(r"html\.vrtl \{(.*?)\}", css, re.S).group(1)
    for prop in ("-epub-writing-mode", "-webkit-writing-mode", "writing-mode"):
        assert re.search(rf"(?<![-\w]){prop}: vertical-rl;", vrtl), prop
    assert re.search(r"html \{\s*font-family: serif-ja, serif;", css)
    assert "font-family: sans-serif-ja, sans-serif;" in css
    tcy = re.search(r"\.tcy \{(.*?)\}", css, re.S).group(1)
    for decl in ("-epub-text-combine: horizontal", "-webkit-text-combine: horizontal", "text-combine-upright: all"):
        assert decl in tcy


def test_only_the_root_element_sets_a_writing_mode():
    """One writing mode per document: book.css sets it on html.hltr / html.vrtl only."""
    css = support.read(support.book("rich-v"), "EPUB/style/book.css").decode()
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        if "writing-mode" in body:
            assert selector.split(";")[-1].strip() in ("html.hltr", "html.vrtl"), selector
    for name in ("rich-v", "rich-h"):
        for doc in TEXT_DOCS + ("cover", "colophon"):
            assert "writing-mode" not in xhtml(name, doc) and "style=" not in xhtml(name, doc)


def test_tate_chu_yoko_in_vertical_books_only():
    vertical = xhtml("rich-v", "section-1")
    assert '^10^' not in vertical and '<span class="tcy">10</span>日間' in vertical
    for expected in ('<span class="tcy">12</span>年です', '最初の<span class="tcy">3</span>か月',
                     '<span class="tcy">5</span>年目', '<span class="tcy">!?</span>', 'ですか？'):  # a single ? in Japanese text is set full-width
        assert expected in vertical, expected
    for untouched in ("2024年度", "A4の資料", "100枚", "3.5時間"):
        assert untouched in vertical, untouched
    assert '<span class="tcy">99</span>%' not in xhtml("rich-v", "section-2")  # 99% lies on its side whole
    horizontal = xhtml("rich-h", "section-1")
    assert '<span class="tcy">10</span>日間' in horizontal  # ^10^ is explicit
    assert '<span class="tcy">12</span>年です' not in horizontal and "12年です" in horizontal


def test_the_vertical_setting_can_come_from_the_source_or_the_command_line():
    from publish.app.build import layout_for, load
    from publish.writers.epub import writing_mode
    from publish.layout import load_layout

    doc = load(support.rich_source())
    assert writing_mode(layout_for(doc)) == "vertical-rl"  # style: epub.writing_mode
    assert writing_mode(layout_for(doc), vertical=False) == "horizontal-tb"
    assert writing_mode(load_layout("brochure")) == "horizontal-tb"  # the default
    assert writing_mode(load_layout("brochure"), vertical=True) == "vertical-rl"


# --- fonts ------------------------------------------------------------------------------


def test_no_fonts_by_default():
    for name in ("sample-h", "rich-v"):
        assert not [n for n in support.names(support.book(name)) if n.startswith("EPUB/fonts/")]
        assert "@font-face" not in support.read(support.book(name), "EPUB/style/book.css").decode()


def test_embedded_fonts_are_woff2_subsets_with_their_licence():
    from fontTools.ttLib import TTFont

    book = support.book("rich-v-fonts")
    items = [i for i in manifest(opf("rich-v-fonts")).values() if i["href"].startswith("fonts/")]
    assert len(items) == 4 and all(i["media-type"] == "font/woff2" for i in items)
    css = support.read(book, "EPUB/style/book.css").decode()
    assert css.count("@font-face") == 4 and 'format("woff2")' in css
    assert re.search(r'html \{\s*font-family: "Noto Serif JP", serif-ja, serif;', css)
    text = "".join(re.sub(r"<[^>]+>", "", support.read(book, n).decode()) for n in support.names(book)
                   if n.endswith(".xhtml"))
    for item in items:
        data = support.read(book, "EPUB/" + item["href"])
        assert data[:4] == b"wOF2" and len(data) < 200_000, item["href"]
        font = TTFont(io.BytesIO(data))
        cmap = font.getBestCmap()
        missing = {c for c in text if not c.isspace() and ord(c) not in cmap}
        assert not missing, (item["href"], "".join(sorted(missing)))
        assert len(cmap) < 1000  # a subset, not the whole font
        names = {n.nameID for n in font["name"].names}
        assert {0, 1, 2, 13, 14} <= names  # copyright, family, licence and licence URL kept
        assert "SIL Open Font License" in font["name"].getDebugName(13)
        assert "vert" in {f.FeatureTag for f in font["GSUB"].table.FeatureList.FeatureRecord}
        assert "vmtx" in font


def test_ebooklib_reads_the_book():
    """Common tooling opens the package: ebooklib finds the title, creators and documents."""
    from ebooklib import epub

    book = epub.read_epub(str(support.book("rich-v")), options={"ignore_ncx": False})
    assert book.get_metadata("DC", "title")[0][0] == "東雲の庁舎で12年"
    assert [c[0] for c in book.get_metadata("DC", "creator")] == ["佐藤 花子", "鈴木 一郎"]
    assert len(list(book.get_items_of_type(9))) == 7  # ITEM_DOCUMENT: cover, title page, nav, lead, 2 sections, colophon
