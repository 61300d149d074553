"""Issue 14, item 1: every screen PDF (interviews and the collection) passes PDF/UA-1.

Audited twice: by `page` (page-validation, an independent PDF/UA-1 checker that passes the
veraPDF corpus), and by our own reading of the structure tree with pikepdf and of the
marked content with PDFium."""

from __future__ import annotations

import ctypes
import re

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pytest
import yaml

from .conftest import ROOT

SOURCES = ["tokyo-ict-exchange.yaml", "midoridai-mentors.yaml", "digital-voices.collection.yaml"]


@pytest.fixture(scope="module")
def screens(shared_build):
    return {s.split(".")[0]: shared_build(ROOT / "content" / s, "screen-pdf")["path"] for s in SOURCES}


def _kids(element):
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _elements(pdf):
    stack = [(k, []) for k in _kids(pdf.Root.StructTreeRoot)]
    while stack:
        element, ancestors = stack.pop()
        if isinstance(element, pikepdf.Dictionary) and "/S" in element:
            yield element, ancestors
            stack.extend((k, ancestors + [element]) for k in _kids(element))


@pytest.mark.parametrize("name", ["tokyo-ict-exchange", "midoridai-mentors", "digital-voices"])
def test_page_validation_finds_no_pdfua_failure(screens, name):
    page = pytest.importorskip("page")   # page-validation, a test dependency
    report = page.validate_pdf(str(screens[name]), profile="ua1")
    failures = [(f.rule_id, f.message) for f in report.failures]
    assert report.is_compliant and not failures, failures


@pytest.mark.parametrize("name", ["tokyo-ict-exchange", "midoridai-mentors", "digital-voices"])
def test_lists_hold_items_and_items_hold_label_and_body(screens, name):
    with pikepdf.open(screens[name]) as pdf:
        lists = 0
        for element, _ in _elements(pdf):
            kinds = [str(k.S) for k in _kids(element) if isinstance(k, pikepdf.Dictionary) and "/S" in k]
            other = [k for k in _kids(element) if not (isinstance(k, pikepdf.Dictionary) and "/S" in k)]
            if element.S == "/L":
                lists += 1
                assert set(kinds) <= {"/LI", "/L", "/Caption"} and not other, kinds
            if element.S == "/LI":
                assert set(kinds) <= {"/Lbl", "/LBody"} and kinds and not other, kinds
        assert lists >= 1   # the speakers on the cover, the contents


@pytest.mark.parametrize("name", ["tokyo-ict-exchange", "digital-voices"])
def test_links_are_link_elements_with_objr_and_contents_in_words(screens, name):
    with pikepdf.open(screens[name]) as pdf:
        holders = {}
        for element, ancestors in _elements(pdf):
            if element.S == "/Link":
                assert not any(a.S == "/Link" for a in ancestors), "a /Link inside a /Link"
            for kid in _kids(element):
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                    holders.setdefault(kid.Obj.objgen, []).append(element)
        nums = list(pdf.Root.StructTreeRoot.ParentTree.Nums)
        parent_tree = dict(zip([int(k) for k in nums[0::2]], nums[1::2]))
        annotations = [a for p in pdf.pages for a in (p.obj.get("/Annots") or []) if a.Subtype == "/Link"]
        if name == "digital-voices":
            assert len(annotations) >= 2
        for annotation in annotations:
            held = holders.get(annotation.objgen, [])
            assert len(held) == 1 and held[0].S == "/Link", [str(h.S) for h in held]
            assert parent_tree[int(annotation.StructParent)].objgen == held[0].objgen
            contents = str(annotation.get("/Contents", ""))
            assert contents and not re.fullmatch(r"[a-z0-9_-]+", contents), contents
    if name == "digital-voices":
        collection = yaml.safe_load((ROOT / "content" / "digital-voices.collection.yaml").read_text("utf-8"))
        titles = set()
        for entry in collection.get("interviews") or collection.get("chapters") or []:
            path = entry if isinstance(entry, str) else (entry.get("source") or entry.get("file"))
            titles.add(yaml.safe_load((ROOT / "content" / path).read_text("utf-8"))["title"])
        with pikepdf.open(screens[name]) as pdf:
            contents = {str(a.Contents) for p in pdf.pages for a in (p.obj.get("/Annots") or [])}
        assert titles and contents == titles


def _marked_text(path):
    """Per page: [(text, 'artifact' or 'mcid' or None, bounds)] for every text object."""
    document = pdfium.PdfDocument(str(path))
    pages = []
    for page in document:
        textpage = page.get_textpage()
        items = []
        for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_TEXT]):
            size = raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
            buffer = (ctypes.c_ushort * max(1, size // 2))()
            raw.FPDFTextObj_GetText(obj.raw, textpage.raw, buffer, size)
            text = bytes(buffer)[:max(0, size - 2)].decode("utf-16-le")
            names = []
            for i in range(raw.FPDFPageObj_CountMarks(obj.raw)):
                mark = raw.FPDFPageObj_GetMark(obj.raw, i)
                length = ctypes.c_ulong()
                raw.FPDFPageObjMark_GetName(mark, None, 0, ctypes.byref(length))
                name_buffer = (ctypes.c_ushort * max(1, length.value // 2))()
                raw.FPDFPageObjMark_GetName(mark, name_buffer, length.value, ctypes.byref(length))
                names.append(bytes(name_buffer)[:max(0, length.value - 2)].decode("utf-16-le"))
            mcid = raw.FPDFPageObj_GetMarkedContentID(obj.raw)
            box = [ctypes.c_float() for _ in range(4)]
            raw.FPDFPageObj_GetBounds(obj.raw, *[ctypes.byref(v) for v in box])
            items.append((text, "artifact" if "Artifact" in names else ("mcid" if mcid >= 0 else None),
                          tuple(round(v.value) for v in box)))
        pages.append(items)
        textpage.close()
    document.close()
    return pages


@pytest.mark.parametrize("name", ["tokyo-ict-exchange", "digital-voices"])
def test_running_heads_and_folios_are_artifacts(screens, name):
    pages = _marked_text(screens[name])
    folios = 0
    for number, items in enumerate(pages, 1):
        assert all(kind is not None for _, kind, _ in items), f"page {number}: untagged text"
        folio = [box for text, kind, box in items if kind == "artifact" and text.strip() == str(number)]
        if folio:
            folios += 1
            tagged_there = [text for text, kind, box in items if kind == "mcid" and box == folio[0]]
            assert not tagged_there, f"page {number}: the folio is tagged content"
        heads = [text for text, kind, box in items if kind == "artifact" and len(text.strip()) > 3]
        if folio and number > 2:
            assert heads, f"page {number}: a folio but no running head among the artifacts"
    assert folios >= len(pages) // 2   # body pages carry an artifact folio
    with pikepdf.open(screens[name]) as pdf:
        reachable = {e.objgen for e, _ in _elements(pdf)}
        for key, value in zip(list(pdf.Root.StructTreeRoot.ParentTree.Nums)[0::2],
                              list(pdf.Root.StructTreeRoot.ParentTree.Nums)[1::2]):
            for element in (value if isinstance(value, pikepdf.Array) else [value]):
                if isinstance(element, pikepdf.Dictionary):
                    assert element.objgen in reachable, "marked content of an element outside the tree"


def _outline(path):
    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        def walk(items):
            return [(i.title, walk(i.children)) for i in items]
        return walk(outline.root)


def test_interview_outline_is_title_sections_people_by_name(screens):
    source = yaml.safe_load((ROOT / "content" / "tokyo-ict-exchange.yaml").read_text("utf-8"))
    outline = _outline(screens["tokyo-ict-exchange"])
    assert [title for title, _ in outline] == [source["title"]]
    sections = outline[0][1]
    headings = [s["heading"] for s in source["sections"] if s.get("heading")]
    assert [title for title, _ in sections] == [re.sub(r"[{}|｜《》^]", "", h) for h in headings] or \
        len(sections) == len(headings)
    people = [title for _, children in sections for title, _ in children]
    names = {p["name"] for p in (source["people"].values() if isinstance(source["people"], dict)
                                 else source["people"])}
    assert people and set(people) <= names, people


def test_collection_outline_lists_each_chapter_once(screens):
    outline = _outline(screens["digital-voices"])
    titles = [title for title, _ in outline]
    assert len(titles) == len(set(titles))
    assert titles[0] == "目次" and titles[-1] == "奥付"
    assert all(children for title, children in outline[1:-1])
