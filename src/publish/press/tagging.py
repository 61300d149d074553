"""PDF/UA-1 repairs of WeasyPrint 70's structure tree, for the screen edition.

WeasyPrint tags a document well enough for most checkers, but leaves four things a
PDF/UA-1 audit fails or flags:

* the running heads and folios (page margin boxes) are marked content with an MCID whose
  structure element is not in the tree: they become ``/Artifact`` (``/Pagination``), and so
  does text that is only a leader or a rule (``……``, ``────``);
* a list (``/L``) may hold a ``/Span`` (the white space between ``<li>``\\ s) and a list
  item things other than ``/Lbl`` and ``/LBody``: they move into the neighbouring item's
  ``/LBody``;
* a link split over several boxes gives a ``/Link`` inside a ``/Link`` and link
  annotations whose ``/OBJR`` hangs under a ``/Span``: the inner links are unwrapped and
  every ``/OBJR`` moves up to the outermost ``/Link`` around it (the ParentTree follows);
* link annotations say ``/Contents (chapter-1)``: they get words, the title of the target
  (``link_titles``: destination name → title) or else the link's own text.

:func:`repair_structure` does all of it in place on an open ``pikepdf.Pdf``.
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name

#: text made only of these characters (three or more) is a leader or a rule, not words
_LEADER = re.compile(r'^[\s.．・…‥─━—―\-_=~〜]{3,}$')
LIST_ITEM_KIDS = ('/Lbl', '/LBody')
LIST_KIDS = ('/LI', '/L', '/Caption')


@dataclass
class TaggingReport:
    artifacts: int = 0
    list_kids_moved: int = 0
    links_unwrapped: int = 0
    objrs_moved: int = 0
    contents_set: int = 0
    notes: list[str] = field(default_factory=list)


def _kids(element) -> list:
    kids = element.get('/K')
    if kids is None:
        return []
    if isinstance(kids, Array):
        return list(kids)
    return [kids]


def _set_kids(element, kids: list) -> None:
    element.K = Array(kids)


def _is_element(obj) -> bool:
    return isinstance(obj, Dictionary) and '/S' in obj


def _is_objr(obj) -> bool:
    return isinstance(obj, Dictionary) and obj.get('/Type') == '/OBJR'


def _mcid(obj):
    """An MCID kid: a bare integer or an /MCR dictionary."""
    if isinstance(obj, int):
        return int(obj), None
    if isinstance(obj, Dictionary) and obj.get('/Type') == '/MCR':
        return int(obj.MCID), obj.get('/Pg')
    return None


def _mcid_texts(pdf_bytes: bytes) -> list[dict[int, str]]:
    """Per page, MCID → the text painted inside that marked-content sequence."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    out: list[dict[int, str]] = []
    document = pdfium.PdfDocument(pdf_bytes)
    try:
        for page in document:
            texts: dict[int, str] = {}
            textpage = page.get_textpage()
            for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_TEXT]):
                mcid = raw.FPDFPageObj_GetMarkedContentID(obj.raw)
                if mcid < 0:
                    continue
                size = raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
                buffer = (ctypes.c_ushort * max(1, size // 2))()
                raw.FPDFTextObj_GetText(obj.raw, textpage.raw, buffer, size)
                text = bytes(buffer)[:max(0, size - 2)].decode('utf-16-le', 'replace')
                texts[mcid] = texts.get(mcid, '') + text
            out.append(texts)
            textpage.close()
            page.close()
    finally:
        document.close()
    return out


class _Tree:
    """The structure tree with parent links and the ParentTree as Python dicts."""

    def __init__(self, pdf: pikepdf.Pdf):
        self.pdf = pdf
        self.root = pdf.Root.StructTreeRoot
        self.page_index = {page.objgen: i for i, page in enumerate(pdf.pages)}
        nums = list(self.root.ParentTree.get('/Nums', Array()))
        self.page_maps: dict[int, list] = {}      # StructParents key → [element per MCID]
        self.annot_map: dict[int, object] = {}   # StructParent key → element
        for key, value in zip(nums[0::2], nums[1::2]):
            if isinstance(value, Array):
                self.page_maps[int(key)] = list(value)
            else:
                self.annot_map[int(key)] = value
        self.page_keys = {}
        for i, page in enumerate(pdf.pages):
            if '/StructParents' in page.obj:
                self.page_keys[i] = int(page.obj.StructParents)

    def elements(self):
        """Every element reachable from the root, depth first, with its parent."""
        stack = [(kid, None) for kid in reversed(_kids(self.root))]
        while stack:
            element, parent = stack.pop()
            if not _is_element(element):
                continue
            yield element, parent
            stack.extend((kid, element) for kid in reversed(_kids(element)))

    def page_of(self, element, kid=None) -> int | None:
        for candidate in (kid if isinstance(kid, Dictionary) else None, element):
            if candidate is not None and '/Pg' in candidate:
                return self.page_index.get(candidate.Pg.objgen)
        return None

    def next_key(self) -> int:
        key = max([*self.page_maps, *self.annot_map, -1]) + 1
        self.annot_map[key] = None
        return key

    def write_back(self) -> None:
        nums = []
        for key in sorted(set(self.page_maps) | set(self.annot_map)):
            nums.append(key)
            if key in self.page_maps:
                nums.append(Array(self.page_maps[key]))
            else:
                nums.append(self.annot_map[key])
        self.root.ParentTree = self.pdf.make_indirect(Dictionary(Nums=Array(nums)))
        self.root.ParentTreeNextKey = max([*self.page_maps, *self.annot_map, -1]) + 1


def repair_structure(pdf: pikepdf.Pdf, pdf_bytes: bytes, *,
                     link_titles: dict[str, str] | None = None) -> TaggingReport:
    """Repair the structure tree of a WeasyPrint PDF/UA-1 file in place (see the module
    docstring). ``pdf_bytes`` is the same file, read by PDFium for the marked text."""
    report = TaggingReport()
    if '/StructTreeRoot' not in pdf.Root:
        report.notes.append('no structure tree')
        return report
    tree = _Tree(pdf)
    texts = _mcid_texts(pdf_bytes)
    _artifacts(tree, texts, report)
    _lists(tree, report)
    _links(tree, texts, link_titles or {}, report)
    tree.write_back()
    return report


# ------------------------------------------------------------------ artifacts

def _artifacts(tree: _Tree, texts: list[dict[int, str]], report: TaggingReport) -> None:
    reachable: set = set()
    for element, _ in tree.elements():
        reachable.add(element.objgen)
    to_artifact: dict[int, set[int]] = {}     # page index → MCIDs
    for page, key in tree.page_keys.items():
        elements = tree.page_maps.get(key, [])
        for mcid, element in enumerate(elements):
            if element is None or not isinstance(element, Dictionary):
                continue
            orphan = element.objgen not in reachable
            leader = bool(_LEADER.match(texts[page].get(mcid, ''))) if page < len(texts) else False
            if orphan or leader:
                to_artifact.setdefault(page, set()).add(mcid)
    if not to_artifact:
        return
    # out of the tree: kids that hold those MCIDs, then elements left empty
    for element, parent in list(tree.elements()):
        kids = _kids(element)
        kept = []
        for kid in kids:
            found = _mcid(kid)
            if found is not None:
                page = tree.page_index.get(found[1].objgen) if found[1] is not None else tree.page_of(element)
                if page in to_artifact and found[0] in to_artifact[page]:
                    continue
            kept.append(kid)
        if len(kept) != len(kids):
            _set_kids(element, kept)
    _drop_empty(tree)
    for page, mcids in to_artifact.items():
        key = tree.page_keys[page]
        for mcid in mcids:
            tree.page_maps[key][mcid] = None     # null: no element for an artifact
        report.artifacts += _rewrite_marks(tree.pdf, tree.pdf.pages[page], mcids)


def _drop_empty(tree: _Tree) -> None:
    changed = True
    while changed:
        changed = False
        for element, _ in list(tree.elements()):
            kids = _kids(element)
            kept = [k for k in kids if not (_is_element(k) and not _kids(k)
                                            and str(k.S) not in ('/Figure', '/Document'))]
            if len(kept) != len(kids):
                _set_kids(element, kept)
                changed = True


def _rewrite_marks(pdf: pikepdf.Pdf, page: pikepdf.Page, mcids: set[int]) -> int:
    """``/Span <</MCID n>> BDC`` → ``/Artifact <</Type /Pagination>> BDC`` for n in mcids."""
    instructions = pikepdf.parse_content_stream(page)
    count = 0
    out = []
    for item in instructions:
        if (str(item.operator) == 'BDC' and len(item.operands) == 2
                and isinstance(item.operands[1], Dictionary) and '/MCID' in item.operands[1]
                and int(item.operands[1].MCID) in mcids):
            out.append(pikepdf.ContentStreamInstruction(
                [Name.Artifact, Dictionary(Type=Name.Pagination)], pikepdf.Operator('BDC')))
            count += 1
            continue
        out.append(item)
    if count:
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(out))
    return count


# ------------------------------------------------------------------ lists

def _lists(tree: _Tree, report: TaggingReport) -> None:
    for element, _ in list(tree.elements()):
        kind = str(element.S)
        if kind == '/L':
            kids = _kids(element)
            items = []
            pending = []       # stray kids before the first item
            for kid in kids:
                if _is_element(kid) and str(kid.S) in LIST_KIDS:
                    items.append(kid)
                    if pending and str(kid.S) == '/LI':
                        body = _body_of(tree, kid)
                        _set_kids(body, pending + _kids(body))
                        for moved in pending:
                            _reparent(tree, moved, body)
                        pending = []
                    continue
                report.list_kids_moved += 1
                last_li = next((i for i in reversed(items) if str(i.S) == '/LI'), None)
                if last_li is None:
                    pending.append(kid)
                else:
                    body = _body_of(tree, last_li)
                    _set_kids(body, _kids(body) + [kid])
                    _reparent(tree, kid, body)
            if pending:   # a list with no item at all: make one
                item = tree.pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.LI, P=element,
                                                         K=Array()))
                body = _body_of(tree, item)
                _set_kids(body, pending)
                for moved in pending:
                    _reparent(tree, moved, body)
                items.append(item)
            _set_kids(element, items)
        elif kind == '/LI':
            kids = _kids(element)
            stray = [k for k in kids if not (_is_element(k) and str(k.S) in LIST_ITEM_KIDS)]
            if stray:
                report.list_kids_moved += len(stray)
                kept = [k for k in kids if k not in stray]
                _set_kids(element, kept)
                body = _body_of(tree, element)
                _set_kids(body, _kids(body) + stray)
                for moved in stray:
                    _reparent(tree, moved, body)


def _body_of(tree: _Tree, item):
    for kid in _kids(item):
        if _is_element(kid) and str(kid.S) == '/LBody':
            return kid
    body = tree.pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.LBody, P=item, K=Array()))
    if '/Pg' in item:
        body.Pg = item.Pg
    _set_kids(item, _kids(item) + [body])
    return body


def _reparent(tree: _Tree, kid, new_parent) -> None:
    """Point ``kid`` (an element, an MCID or an OBJR) at its new parent element."""
    if _is_element(kid):
        kid.P = new_parent
        return
    found = _mcid(kid)
    if found is not None:
        page = tree.page_index.get(found[1].objgen) if found[1] is not None else tree.page_of(new_parent)
        key = tree.page_keys.get(page)
        if key is not None and found[0] < len(tree.page_maps.get(key, [])):
            tree.page_maps[key][found[0]] = new_parent
        return
    if _is_objr(kid):
        annotation = kid.Obj
        if '/StructParent' in annotation:
            tree.annot_map[int(annotation.StructParent)] = new_parent


# ------------------------------------------------------------------ links

def _links(tree: _Tree, texts, link_titles: dict[str, str], report: TaggingReport) -> None:
    # 1. unwrap every /Link that has a /Link ancestor, innermost last
    def visit(element, link_ancestor):
        kids = _kids(element)
        out = []
        for kid in kids:
            if _is_element(kid):
                inner_link = str(kid.S) == '/Link'
                holder = link_ancestor or (kid if inner_link else None)
                visit(kid, holder)
                if inner_link and link_ancestor is not None:
                    report.links_unwrapped += 1
                    for grandkid in _kids(kid):
                        _reparent(tree, grandkid, element)
                        out.append(grandkid)
                    continue
            out.append(kid)
        if len(out) != len(kids) or any(a is not b for a, b in zip(out, kids)):
            _set_kids(element, out)

    for top in _kids(tree.root):
        if _is_element(top):
            visit(top, None)

    # 2. every /OBJR of a link annotation directly under the outermost /Link above it
    def gather(element, link):
        kids = _kids(element)
        kept = []
        for kid in kids:
            if _is_objr(kid) and link is not None and element is not link \
                    and kid.Obj.get('/Subtype') == '/Link':
                _set_kids(link, _kids(link) + [kid])
                _reparent(tree, kid, link)
                report.objrs_moved += 1
                continue
            if _is_element(kid):
                gather(kid, link if link is not None else (kid if str(kid.S) == '/Link' else None))
            kept.append(kid)
        if len(kept) != len(kids):
            _set_kids(element, kept)

    for top in _kids(tree.root):
        if _is_element(top):
            gather(top, top if str(top.S) == '/Link' else None)
    _drop_empty(tree)

    # 3. /Contents in words
    for element, _ in tree.elements():
        if str(element.S) != '/Link':
            continue
        words = _element_text(tree, element, texts).strip()
        for kid in _kids(element):
            if not _is_objr(kid):
                continue
            annotation = kid.Obj
            if annotation.get('/Subtype') != '/Link':
                continue
            if '/StructParent' not in annotation:
                annotation.StructParent = tree.next_key()
            tree.annot_map[int(annotation.StructParent)] = element
            label = _target_title(annotation, link_titles) or words
            if not label:
                uri = annotation.get('/A', {}).get('/URI')
                label = str(uri) if uri is not None else 'リンク'
            annotation.Contents = pikepdf.String(label)
            report.contents_set += 1


def _target_title(annotation, link_titles: dict[str, str]) -> str | None:
    dest = annotation.get('/Dest')
    if dest is None and '/A' in annotation and annotation.A.get('/S') == '/GoTo':
        dest = annotation.A.get('/D')
    if isinstance(dest, (pikepdf.String, Name)):
        name = str(dest).lstrip('/')
        return link_titles.get(name)
    return None


def _element_text(tree: _Tree, element, texts) -> str:
    out = []
    for kid in _kids(element):
        found = _mcid(kid)
        if found is not None:
            page = tree.page_index.get(found[1].objgen) if found[1] is not None else tree.page_of(element)
            if page is not None and page < len(texts):
                text = texts[page].get(found[0], '')
                if not _LEADER.match(text):
                    out.append(text)
        elif _is_element(kid):
            out.append(_element_text(tree, kid, texts))
    return ''.join(out)


__all__ = ['repair_structure', 'TaggingReport']
