"""Read what a PDF really paints: one walk over every content stream, collecting facts
(colour spaces used, images and their placed size, text colours, fonts, transparency)
that the checks then judge. Nothing here decides what is right or wrong."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """m × n (apply m first, then n), PDF row-vector convention."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


def space_kind(space) -> str:
    """'rgb', 'lab', 'cmyk', 'gray', 'icc-rgb', 'icc-cmyk', 'icc-gray', 'indexed-<base>',
    'separation', 'devicen', 'pattern' or 'other'."""
    if space is None:
        return 'none'
    if isinstance(space, Name):
        return {'/DeviceRGB': 'rgb', '/RGB': 'rgb', '/DeviceCMYK': 'cmyk', '/CMYK': 'cmyk',
                '/DeviceGray': 'gray', '/G': 'gray', '/Pattern': 'pattern'}.get(str(space), 'other')
    if isinstance(space, Array) and len(space):
        family = str(space[0])
        if family == '/CalRGB':
            return 'rgb'
        if family == '/CalGray':
            return 'gray'
        if family == '/Lab':
            return 'lab'
        if family == '/ICCBased':
            n = int(space[1].get('/N', 0))
            return {3: 'icc-rgb', 4: 'icc-cmyk', 1: 'icc-gray'}.get(n, 'other')
        if family in ('/Indexed', '/I'):
            return 'indexed-' + space_kind(space[1])
        if family == '/Separation':
            return 'separation'
        if family == '/DeviceN':
            return 'devicen'
        if family == '/Pattern':
            return 'pattern'
    return 'other'


RGB_KINDS = {'rgb', 'icc-rgb', 'indexed-rgb', 'indexed-icc-rgb'}
NON_X1A_KINDS = RGB_KINDS | {'lab', 'indexed-lab', 'icc-cmyk', 'icc-gray', 'other'}


@dataclass
class ImageUse:
    page: int
    name: str
    width_px: int
    height_px: int
    placed_w_pt: float
    placed_h_pt: float
    kind: str
    has_smask: bool

    @property
    def ppi(self) -> float:
        ppi_x = self.width_px / (self.placed_w_pt / 72) if self.placed_w_pt > 0 else math.inf
        ppi_y = self.height_px / (self.placed_h_pt / 72) if self.placed_h_pt > 0 else math.inf
        return min(ppi_x, ppi_y)

    @property
    def ppi_rounded_pixels(self) -> float:
        """The resolution with half a pixel of slack: an image whose pixel size is the
        required size rounded to whole pixels (A4 + 3 mm bleed at 300 ppi: 2551×3579 px)
        meets the requirement."""
        ppi_x = (self.width_px + 0.5) / (self.placed_w_pt / 72) if self.placed_w_pt > 0 else math.inf
        ppi_y = (self.height_px + 0.5) / (self.placed_h_pt / 72) if self.placed_h_pt > 0 else math.inf
        return min(ppi_x, ppi_y)


@dataclass
class PageFacts:
    number: int
    media: list[float]
    trim: list[float] | None
    bleed: list[float] | None
    crop: list[float] | None
    colour_uses: list[tuple[str, str]] = field(default_factory=list)   # (kind, where)
    text_colours: set[tuple] = field(default_factory=set)              # (kind, values)
    images: list[ImageUse] = field(default_factory=list)
    transparency: list[str] = field(default_factory=list)
    annotations: list[tuple[str, list[float]]] = field(default_factory=list)
    cmyk_colours: set[tuple[float, ...]] = field(default_factory=set)   # k/K and CMYK sc/scn
    text_runs: list['TextRun'] = field(default_factory=list)


@dataclass(frozen=True)
class TextRun:
    """One text-showing operator: its size on the page, fill colour and overprint."""

    size_pt: float
    kind: str                 # the fill colour space kind ('cmyk', 'gray', …)
    values: tuple[float, ...]
    overprint: bool           # fill overprint on (/op) with overprint mode 1


@dataclass
class FontFact:
    name: str
    subtype: str
    embedded: bool
    pages: set[int] = field(default_factory=set)


class _Reader:
    def __init__(self, pdf: pikepdf.Pdf):
        self.pdf = pdf
        self.fonts: dict[tuple, FontFact] = {}

    def _font(self, font, page: int) -> None:
        key = font.objgen if font.is_indirect else (id(font), 0)
        if key in self.fonts:
            self.fonts[key].pages.add(page)
            return
        subtype = str(font.get('/Subtype'))
        descriptor = None
        if subtype == '/Type0':
            descendants = font.get('/DescendantFonts')
            if descendants:
                descriptor = descendants[0].get('/FontDescriptor')
        else:
            descriptor = font.get('/FontDescriptor')
        embedded = subtype == '/Type3' or (descriptor is not None and any(
            key in descriptor for key in ('/FontFile', '/FontFile2', '/FontFile3')))
        self.fonts[key] = FontFact(str(font.get('/BaseFont', '?')), subtype, embedded, {page})

    def walk(self, stream_owner, resources, base: Matrix, facts: PageFacts, where: str,
             depth: int = 0) -> None:
        """Collect the facts of one content stream (a page, a form, a pattern, a Type 3
        glyph) and of everything it draws, `base` being the matrix it is drawn with."""
        if depth > 12:
            return
        scope = _Scope(resources if resources is not None else Dictionary())
        self._fonts_of(scope, base, facts, where, depth)
        _gstate_transparency(scope, facts, where)
        self._patterns_of(scope, base, facts, where, depth)
        try:
            instructions = pikepdf.parse_content_stream(stream_owner)
        except pikepdf.PdfError as error:
            facts.colour_uses.append(('other', f'{where}: unreadable content ({error})'))
            return
        state = _State(ctm=base)
        for item in instructions:
            if isinstance(item, pikepdf.ContentStreamInlineImage):
                _inline_image(item, state, scope, facts, where)
                continue
            op, operands = str(item.operator), item.operands
            if not (_graphics_state_op(op, operands, state, scope)
                    or _colour_op(op, operands, state, scope, facts, where)):
                self._drawing_op(op, operands, state, scope, facts, where, depth)

    def _fonts_of(self, scope: '_Scope', base: Matrix, facts: PageFacts, where: str, depth: int) -> None:
        """The fonts a stream's resources hold, and the glyph procedures of Type 3 fonts."""
        for font in (scope.resources.get('/Font') or {}).values():
            self._font(font, facts.number)
            if str(font.get('/Subtype')) == '/Type3' and '/CharProcs' in font:
                for proc in font.CharProcs.values():
                    self.walk(proc, font.get('/Resources'), base, facts, where, depth + 1)

    def _patterns_of(self, scope: '_Scope', base: Matrix, facts: PageFacts, where: str, depth: int) -> None:
        """Tiling patterns are walked like forms; a shading pattern's colour space is a use."""
        for name, pattern in scope.patterns.items():
            pattern_base = multiply(tuple(float(v) for v in pattern.get('/Matrix', IDENTITY)), base)
            if int(pattern.get('/PatternType', 0)) == 1:
                self.walk(pattern, pattern.get('/Resources'), pattern_base, facts,
                          f'{where}, pattern {name}', depth + 1)
            elif '/Shading' in pattern:
                kind = space_kind(scope.resolve(pattern.Shading.get('/ColorSpace')))
                facts.colour_uses.append((kind, f'{where}: shading pattern {name}'))

    def _drawing_op(self, op: str, operands, state: '_State', scope: '_Scope', facts: PageFacts,
                    where: str, depth: int) -> None:
        """Operators that paint: text, shadings, images and forms (walked in turn)."""
        if op in ('Tj', 'TJ', "'", '"'):
            facts.text_colours.add((state.fill_kind, state.fill_values))
            a, b, c, d, _, _ = multiply(state.text_matrix, state.ctm)
            size = abs(state.font_size) * math.hypot(c, d)
            facts.text_runs.append(TextRun(round(size, 2), state.fill_kind, tuple(state.fill_values),
                                           state.overprint[0] and state.overprint[1] == 1))
        elif op == 'sh' and operands:
            shading = scope.shadings.get(operands[0])
            if shading is not None:
                kind = space_kind(scope.resolve(shading.get('/ColorSpace')))
                facts.colour_uses.append((kind, f'{where}: shading {operands[0]}'))
        elif op == 'Do' and operands:
            xobject = scope.xobjects.get(operands[0])
            if xobject is None:
                return
            subtype = xobject.get('/Subtype')
            if subtype == '/Image':
                _image_xobject(operands[0], xobject, state, scope, facts, where)
            elif subtype == '/Form':
                self._form_xobject(operands[0], xobject, state, facts, where, depth)

    def _form_xobject(self, name, xobject, state: '_State', facts: PageFacts, where: str, depth: int) -> None:
        matrix = tuple(float(v) for v in xobject.get('/Matrix', IDENTITY))
        group = xobject.get('/Group')
        if group is not None and group.get('/S') == '/Transparency':
            facts.transparency.append(f'{where}: transparency group {name}')
            if '/CS' in group:
                facts.colour_uses.append(
                    (space_kind(group.CS), f'{where}: group colour space of {name}'))
        self.walk(xobject, xobject.get('/Resources'), multiply(matrix, state.ctm), facts,
                  f'{where}, form {name}', depth + 1)


class _Scope:
    """The resources a content stream's operators name (colour spaces, forms and images,
    shadings, patterns, graphics states)."""

    def __init__(self, resources):
        self.resources = resources
        self.spaces = resources.get('/ColorSpace') or Dictionary()
        self.xobjects = resources.get('/XObject') or Dictionary()
        self.shadings = resources.get('/Shading') or Dictionary()
        self.patterns = resources.get('/Pattern') or Dictionary()
        self.states = resources.get('/ExtGState') or Dictionary()

    def resolve(self, name):
        """A colour space named in the resources, else the operand itself."""
        if isinstance(name, Name) and name in self.spaces:
            return self.spaces[name]
        return name


@dataclass
class _State:
    """The graphics state the facts need: the matrix, the fill colour, the font size, the
    text matrix and the fill overprint, with the q/Q stack."""

    ctm: Matrix
    stack: list = field(default_factory=list)
    fill_kind: str = 'gray'
    fill_values: tuple = (0.0,)
    font_size: float = 0.0
    text_matrix: Matrix = IDENTITY
    overprint: tuple = (False, 0)           # (fill overprint, overprint mode)


def _gstate_transparency(scope: _Scope, facts: PageFacts, where: str) -> None:
    """Constant alpha, soft masks and blend modes of the graphics states in the resources."""
    for name, gstate in (scope.resources.get('/ExtGState') or {}).items():
        for key in ('/CA', '/ca'):
            if key in gstate and float(gstate[key]) < 1:
                facts.transparency.append(f'{where}: ExtGState {name} {key} {float(gstate[key]):g}')
        smask = gstate.get('/SMask')
        if smask is not None and smask != Name('/None'):
            facts.transparency.append(f'{where}: ExtGState {name} soft mask')
        bm = gstate.get('/BM')
        if bm is not None:
            mode = str(bm[0] if isinstance(bm, Array) else bm)
            if mode not in ('/Normal', '/Compatible'):
                facts.transparency.append(f'{where}: ExtGState {name} blend mode {mode}')


def _inline_image(item, state: _State, scope: _Scope, facts: PageFacts, where: str) -> None:
    image = item.iimage
    cs = image.obj.get('/CS', image.obj.get('/ColorSpace'))
    kind = space_kind(scope.resolve(cs)) if not image.obj.get('/IM', False) else 'mask'
    a, b, c, d, _, _ = state.ctm
    facts.images.append(ImageUse(
        facts.number, 'inline', int(image.width), int(image.height),
        math.hypot(a, b), math.hypot(c, d), kind, False))
    if kind != 'mask':
        facts.colour_uses.append((kind, f'{where}: inline image'))


def _graphics_state_op(op: str, operands, state: _State, scope: _Scope) -> bool:
    """q, Q, gs, Tf, BT, Tm, cm: the state changes; True when `op` was one of them."""
    if op == 'q':
        state.stack.append((state.ctm, state.fill_kind, state.fill_values, state.overprint))
    elif op == 'Q':
        if state.stack:
            state.ctm, state.fill_kind, state.fill_values, state.overprint = state.stack.pop()
    elif op == 'gs' and operands and operands[0] in scope.states:
        gstate = scope.states[operands[0]]
        fill_op = gstate.get('/op', gstate.get('/OP'))
        state.overprint = (bool(fill_op) if fill_op is not None else state.overprint[0],
                           int(gstate.get('/OPM', state.overprint[1])))
    elif op == 'Tf' and len(operands) == 2:
        state.font_size = float(operands[1])
    elif op == 'BT':
        state.text_matrix = IDENTITY
    elif op == 'Tm' and len(operands) == 6:
        state.text_matrix = tuple(float(v) for v in operands)
    elif op == 'cm' and len(operands) == 6:
        state.ctm = multiply(tuple(float(v) for v in operands), state.ctm)
    else:
        return False
    return True


def _colour_op(op: str, operands, state: _State, scope: _Scope, facts: PageFacts, where: str) -> bool:
    """rg, RG, k, K, g, cs, CS, sc, scn, SC, SCN: colour uses and the fill colour; True
    when `op` was one of them."""
    if op in ('rg', 'RG'):
        facts.colour_uses.append(('rgb', f'{where}: {op} operator'))
        if op == 'rg':
            state.fill_kind, state.fill_values = 'rgb', tuple(float(v) for v in operands)
    elif op in ('k', 'K'):
        values = tuple(float(v) for v in operands)
        facts.cmyk_colours.add(values)
        if op == 'k':
            state.fill_kind, state.fill_values = 'cmyk', values
    elif op == 'g':
        state.fill_kind, state.fill_values = 'gray', tuple(float(v) for v in operands)
    elif op in ('cs', 'CS') and operands:
        kind = space_kind(scope.resolve(operands[0]))
        facts.colour_uses.append((kind, f'{where}: {op} {operands[0]}'))
        if op == 'cs':
            state.fill_kind, state.fill_values = kind, ()
    elif op in ('sc', 'scn', 'SC', 'SCN'):
        values = tuple(float(v) for v in operands if not isinstance(v, Name))
        if len(values) == 4:
            facts.cmyk_colours.add(values)
        if op in ('sc', 'scn'):
            state.fill_values = values
    else:
        return False
    return True


def _image_xobject(name, xobject, state: _State, scope: _Scope, facts: PageFacts, where: str) -> None:
    is_mask = bool(xobject.get('/ImageMask', False))
    kind = 'mask' if is_mask else space_kind(scope.resolve(xobject.get('/ColorSpace')))
    a, b, c, d, _, _ = state.ctm
    facts.images.append(ImageUse(
        facts.number, str(name), int(xobject.get('/Width', 0)),
        int(xobject.get('/Height', 0)), math.hypot(a, b), math.hypot(c, d),
        kind, '/SMask' in xobject))
    if not is_mask:
        facts.colour_uses.append((kind, f'{where}: image {name}'))
    if '/SMask' in xobject:
        facts.transparency.append(f'{where}: image {name} has a soft mask')


def read_facts(pdf: pikepdf.Pdf) -> tuple[list[PageFacts], dict]:
    reader = _Reader(pdf)
    pages = []
    for number, page in enumerate(pdf.pages, 1):
        def box(key):
            value = page.obj.get(key)
            return [float(v) for v in value] if value is not None else None
        facts = PageFacts(number, [float(v) for v in page.mediabox], box('/TrimBox'),
                          box('/BleedBox'), box('/CropBox'))
        group = page.obj.get('/Group')
        if group is not None and group.get('/S') == '/Transparency':
            facts.transparency.append('page transparency group')
            if '/CS' in group:
                facts.colour_uses.append((space_kind(group.CS), 'page group colour space'))
        reader.walk(page, page.obj.get('/Resources'), IDENTITY, facts, 'page content')
        for annot in page.obj.get('/Annots') or []:
            facts.annotations.append((str(annot.get('/Subtype')),
                                      [float(v) for v in annot.get('/Rect', [0, 0, 0, 0])]))
            appearance = annot.get('/AP')
            normal = appearance.get('/N') if appearance is not None else None
            if isinstance(normal, Stream):
                reader.walk(normal, normal.get('/Resources'), IDENTITY, facts, 'annotation')
        pages.append(facts)
    return pages, reader.fonts
