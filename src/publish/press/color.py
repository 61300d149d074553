"""RGB → CMYK conversion of everything a WeasyPrint PDF paints.

* :class:`ColorConverter` converts colour values and Pillow images through the output
  ICC profile (sRGB source, relative colorimetric with black-point compensation). Neutral
  colours (R = G = B) go to the black plate only, so black text is K100, never rich black.
* :func:`convert_content` rewrites one content stream's colour operators (``rg``/``RG``
  → ``k``/``K``; ``cs``/``CS`` of an RGB or Lab space → ``/DeviceCMYK`` with converted
  ``sc``/``scn`` operands). It is bytes in, bytes out and tested on its own.
* :func:`convert_document` walks every page, form XObject, tiling pattern, shading,
  image and annotation appearance once and converts them in place.
"""

from __future__ import annotations

import io
import logging
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator, Stream
from PIL import Image, ImageCms

log = logging.getLogger('publish.press')

RGB_FAMILIES = ('/DeviceRGB', '/CalRGB')
JPEG_QUALITY = 92


class ColorError(ValueError):
    """Something painted in a way the converter cannot turn into CMYK."""


class ColorConverter:
    def __init__(self, icc_profile: Path):
        self.icc_profile = Path(icc_profile)
        self.profile_bytes = self.icc_profile.read_bytes()
        self.output = ImageCms.ImageCmsProfile(io.BytesIO(self.profile_bytes))
        if self.output.profile.xcolor_space.strip() != 'CMYK':
            raise ColorError(f'{self.icc_profile} is not a CMYK profile '
                             f'({self.output.profile.xcolor_space.strip()})')
        self.description = ImageCms.getProfileDescription(self.output).strip()
        self._srgb = ImageCms.createProfile('sRGB')
        self._transforms: dict[tuple, ImageCms.ImageCmsTransform] = {}
        self._cache: dict[tuple, tuple[float, ...]] = {}

    def transform(self, source=None, mode: str = 'RGB') -> ImageCms.ImageCmsTransform:
        key = (id(source), mode)
        if key not in self._transforms:
            src = source if source is not None else (
                self._srgb if mode == 'RGB' else ImageCms.createProfile('LAB', 5000))
            self._transforms[key] = ImageCms.buildTransform(
                src, self.output, mode, 'CMYK',
                renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)
        return self._transforms[key]

    @staticmethod
    def _apply(transform: ImageCms.ImageCmsTransform, image: Image.Image) -> Image.Image:
        """Apply without ``ImageCms.applyTransform``, which serialises the 250 KB output
        profile into every result's ``info`` (0.8 ms a call)."""
        out = Image.new(transform.output_mode, image.size)
        transform.transform.apply(image.getim(), out.getim())
        return out

    def rgb_many(self, colours: list[tuple[float, float, float]]) -> list[tuple[float, ...]]:
        """Convert many sRGB colours in one transform call (gradients, palettes)."""
        results: list = [None] * len(colours)
        chromatic = []
        for i, (r, g, b) in enumerate(colours):
            r, g, b = (min(1.0, max(0.0, float(v))) for v in (r, g, b))
            if max(r, g, b) - min(r, g, b) < 0.5 / 255:
                results[i] = (0.0, 0.0, 0.0, round(1 - (r + g + b) / 3, 4))
            else:
                chromatic.append((i, (round(r * 255), round(g * 255), round(b * 255))))
        if chromatic:
            image = Image.new('RGB', (len(chromatic), 1))
            image.putdata([c for _, c in chromatic])
            converted = self._apply(self.transform(), image)
            for x, (i, _) in enumerate(chromatic):
                cmyk = converted.getpixel((x, 0))
                results[i] = tuple(round(v / 255, 4) for v in cmyk)
        return results

    def rgb(self, r: float, g: float, b: float) -> tuple[float, float, float, float]:
        """sRGB values 0–1 → CMYK values 0–1; neutrals go to K only."""
        r, g, b = (min(1.0, max(0.0, float(v))) for v in (r, g, b))
        if max(r, g, b) - min(r, g, b) < 0.5 / 255:
            return (0.0, 0.0, 0.0, round(1 - (r + g + b) / 3, 4))
        key = ('rgb', round(r * 255), round(g * 255), round(b * 255))
        if key not in self._cache:
            pixel = Image.new('RGB', (1, 1), key[1:])
            cmyk = self._apply(self.transform(), pixel).getpixel((0, 0))
            self._cache[key] = tuple(round(v / 255, 4) for v in cmyk)
        return self._cache[key]  # type: ignore[return-value]

    def lab(self, l: float, a: float, b: float) -> tuple[float, float, float, float]:
        """CIE L*a*b* (D50) → CMYK 0–1."""
        if abs(a) < 0.5 and abs(b) < 0.5:
            return (0.0, 0.0, 0.0, round(1 - max(0.0, min(100.0, l)) / 100, 4))
        key = ('lab', round(l * 2.55), round(a) + 128, round(b) + 128)
        if key not in self._cache:
            pixel = Image.new('LAB', (1, 1), tuple(max(0, min(255, v)) for v in key[1:]))
            cmyk = self._apply(self.transform(mode='LAB'), pixel).getpixel((0, 0))
            self._cache[key] = tuple(round(v / 255, 4) for v in cmyk)
        return self._cache[key]  # type: ignore[return-value]

    def image(self, image: Image.Image, source_profile=None) -> Image.Image:
        """A Pillow RGB/L/P image → CMYK through the output profile."""
        if image.mode in ('1', 'L', 'LA'):
            gray = image.convert('L')
            # K-only, like neutral vector colours
            black = gray.point(lambda v: 255 - v)
            zero = Image.new('L', gray.size, 0)
            return Image.merge('CMYK', (zero, zero, zero, black))
        if image.mode != 'RGB':
            image = image.convert('RGB')
        if source_profile is not None:
            transform = ImageCms.buildTransform(
                source_profile, self.output, 'RGB', 'CMYK',
                renderingIntent=ImageCms.Intent.PERCEPTUAL,
                flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)
            return self._apply(transform, image)
        return self._apply(self.transform(), image)


# ------------------------------------------------------------------ colour spaces

def space_kind(space) -> str:
    """Classify a colour space object: 'rgb', 'lab', 'cmyk', 'gray', 'indexed-rgb',
    'indexed', 'pattern', 'icc-cmyk', 'icc-gray', 'other'."""
    if isinstance(space, Name) or isinstance(space, str):
        name = str(space)
        return {'/DeviceRGB': 'rgb', '/RGB': 'rgb', '/DeviceCMYK': 'cmyk', '/CMYK': 'cmyk',
                '/DeviceGray': 'gray', '/G': 'gray', '/Pattern': 'pattern'}.get(name, 'other')
    if isinstance(space, Array) and len(space) >= 1:
        family = str(space[0])
        if family in RGB_FAMILIES:
            return 'rgb'
        if family == '/Lab':
            return 'lab'
        if family == '/ICCBased':
            n = int(space[1].get('/N', 0))
            return {3: 'rgb', 4: 'icc-cmyk', 1: 'icc-gray'}.get(n, 'other')
        if family in ('/Indexed', '/I'):
            base = space_kind(space[1])
            return 'indexed-rgb' if base in ('rgb', 'lab') else 'indexed'
        if family == '/Pattern':
            return 'pattern'
    return 'other'


def _resolve_space(name, resources) -> object:
    if str(name) in ('/DeviceRGB', '/DeviceCMYK', '/DeviceGray', '/Pattern'):
        return name
    spaces = resources.get('/ColorSpace') if resources is not None else None
    if spaces is not None and name in spaces:
        return spaces[name]
    return name


# ------------------------------------------------------------------ content streams

@dataclass
class ContentResult:
    data: bytes
    changed: bool
    inline_rgb_images: int = 0


def _nums(operands) -> list[float]:
    return [float(v) for v in operands]


def convert_instructions(instructions, resources, conv: ColorConverter) -> tuple[list, bool, int]:
    out = []
    changed = False
    inline_rgb = 0
    # current fill/stroke colour space kind, saved by q and restored by Q
    state = {'fill': 'gray', 'stroke': 'gray'}
    stack: list[dict] = []
    for item in instructions:
        if isinstance(item, pikepdf.ContentStreamInlineImage):
            cs = item.iimage.obj.get('/CS', item.iimage.obj.get('/ColorSpace'))
            if cs is not None and space_kind(_resolve_space(cs, resources)) in ('rgb', 'indexed-rgb'):
                inline_rgb += 1
            out.append(item)
            continue
        operands, op = item.operands, str(item.operator)
        if op == 'q':
            stack.append(dict(state))
        elif op == 'Q':
            if stack:
                state = stack.pop()
        elif op in ('rg', 'RG') and len(operands) == 3:
            cmyk = conv.rgb(*_nums(operands))
            out.append(pikepdf.ContentStreamInstruction(
                list(cmyk), Operator('k' if op == 'rg' else 'K')))
            state['fill' if op == 'rg' else 'stroke'] = 'cmyk'
            changed = True
            continue
        elif op in ('k', 'K'):
            state['fill' if op == 'k' else 'stroke'] = 'cmyk'
        elif op in ('g', 'G'):
            state['fill' if op == 'g' else 'stroke'] = 'gray'
        elif op in ('cs', 'CS') and len(operands) == 1:
            which = 'fill' if op == 'cs' else 'stroke'
            kind = space_kind(_resolve_space(operands[0], resources))
            state[which] = kind
            if kind in ('rgb', 'lab'):
                out.append(pikepdf.ContentStreamInstruction([Name.DeviceCMYK], Operator(op)))
                changed = True
                continue
        elif op in ('sc', 'scn', 'SC', 'SCN'):
            which = 'fill' if op in ('sc', 'scn') else 'stroke'
            kind = state[which]
            numeric = [v for v in operands if not isinstance(v, Name)]
            if kind in ('rgb', 'lab') and len(numeric) == 3 and len(numeric) == len(operands):
                cmyk = conv.rgb(*_nums(numeric)) if kind == 'rgb' else conv.lab(*_nums(numeric))
                out.append(pikepdf.ContentStreamInstruction(list(cmyk), Operator(op)))
                changed = True
                continue
        out.append(item)
    return out, changed, inline_rgb


def convert_content(data: bytes, conv: ColorConverter, resources=None) -> ContentResult:
    """Rewrite the colour operators of one content stream (bytes in, bytes out)."""
    scratch = pikepdf.new()
    stream = Stream(scratch, data)
    instructions = pikepdf.parse_content_stream(stream)
    out, changed, inline_rgb = convert_instructions(instructions, resources, conv)
    if not changed:
        return ContentResult(data, False, inline_rgb)
    return ContentResult(pikepdf.unparse_content_stream(out), True, inline_rgb)


# ------------------------------------------------------------------ functions and shadings

def _eval_function(fn, t: float) -> list[float]:
    if isinstance(fn, Array):   # one 1-out function per component
        return [_eval_function(f, t)[0] for f in fn]
    ftype = int(fn.FunctionType)
    domain = [float(v) for v in fn.get('/Domain', [0, 1])]
    t = min(max(t, domain[0]), domain[1])
    if ftype == 2:
        c0 = [float(v) for v in fn.get('/C0', [0])]
        c1 = [float(v) for v in fn.get('/C1', [1])]
        n = float(fn.N)
        x = t ** n if t >= 0 or n == int(n) else 0.0
        return [a + x * (b - a) for a, b in zip(c0, c1)]
    if ftype == 3:
        functions = list(fn.Functions)
        bounds = [float(v) for v in fn.get('/Bounds', [])]
        encode = [float(v) for v in fn.Encode]
        edges = [domain[0], *bounds, domain[1]]
        i = 0
        while i < len(bounds) and t >= bounds[i]:
            i += 1
        lo, hi = edges[i], edges[i + 1]
        e0, e1 = encode[2 * i], encode[2 * i + 1]
        u = e0 if hi == lo else e0 + (t - lo) * (e1 - e0) / (hi - lo)
        return _eval_function(functions[i], u)
    raise ColorError(f'shading function type {ftype} with RGB output is not supported')


def _cmyk_sampled_function(pdf: pikepdf.Pdf, fn, kind: str, conv: ColorConverter,
                           samples: int = 256) -> Stream:
    """Replace a 1-in RGB function by a 16-bit sampled 1-in CMYK function."""
    first = fn[0] if isinstance(fn, Array) else fn
    domain = [float(v) for v in first.get('/Domain', [0, 1])]
    data = bytearray()
    values = [_eval_function(fn, domain[0] + (domain[1] - domain[0]) * i / (samples - 1))[:3]
              for i in range(samples)]
    colours = conv.rgb_many(values) if kind == 'rgb' else [conv.lab(*v) for v in values]
    for cmyk in colours:
        for v in cmyk:
            data += int(round(min(1, max(0, v)) * 65535)).to_bytes(2, 'big')
    stream = Stream(pdf, b'')
    stream.write(zlib.compress(bytes(data)), filter=Name.FlateDecode)
    stream.FunctionType = 0
    stream.Domain = Array(domain)
    stream.Range = Array([0, 1] * 4)
    stream.Size = Array([samples])
    stream.BitsPerSample = 16
    return stream


def convert_shading(pdf: pikepdf.Pdf, shading, conv: ColorConverter, resources=None) -> bool:
    kind = space_kind(_resolve_space(shading.get('/ColorSpace'), resources))
    if kind not in ('rgb', 'lab'):
        return False
    stype = int(shading.ShadingType)
    if stype not in (2, 3):
        raise ColorError(f'RGB shading type {stype} cannot be converted to CMYK')
    shading.Function = _cmyk_sampled_function(pdf, shading.Function, kind, conv)
    shading.ColorSpace = Name.DeviceCMYK
    if '/Background' in shading:
        bg = [float(v) for v in shading.Background]
        shading.Background = Array(list(conv.rgb(*bg) if kind == 'rgb' else conv.lab(*bg)))
    return True


# ------------------------------------------------------------------ images

def convert_image(pdf: pikepdf.Pdf, image: Stream, conv: ColorConverter, resources=None) -> bool:
    """Convert an RGB (or Indexed RGB, or ICC-based RGB) image XObject to DeviceCMYK."""
    if image.get('/ImageMask', False):
        return False
    space = image.get('/ColorSpace')
    kind = space_kind(space)
    if kind == 'indexed-rgb':
        base, hival, lookup = space[1], int(space[2]), space[3]
        table = lookup.read_bytes() if isinstance(lookup, Stream) else bytes(lookup)
        base_kind = space_kind(base)
        entries = []
        for i in range(hival + 1):
            r, g, b = table[3 * i: 3 * i + 3]
            if base_kind == 'rgb':
                entries.append(conv.rgb(r / 255, g / 255, b / 255))
            else:
                entries.append(conv.lab(r * 100 / 255, g - 128, b - 128))
        new_table = bytes(int(round(v * 255)) for entry in entries for v in entry)
        image.ColorSpace = Array([Name.Indexed, Name.DeviceCMYK, hival, pikepdf.String(new_table)])
        return True
    if kind not in ('rgb', 'lab'):
        return False
    pdf_image = pikepdf.PdfImage(image)
    source_profile = None
    if isinstance(space, Array) and str(space[0]) == '/ICCBased':
        try:
            source_profile = ImageCms.ImageCmsProfile(io.BytesIO(space[1].read_bytes()))
        except Exception:  # a broken embedded profile: fall back to sRGB
            source_profile = None
    pil = pdf_image.as_pil_image()
    if kind == 'lab':
        raise ColorError('Lab images are not supported')
    cmyk = conv.image(pil, source_profile)
    if '/Decode' in image:
        del image['/Decode']
    if '/DecodeParms' in image:
        del image['/DecodeParms']
    filters = image.get('/Filter')
    was_jpeg = filters is not None and '/DCTDecode' in (
        [str(f) for f in filters] if isinstance(filters, Array) else [str(filters)])
    if was_jpeg:
        # Photos stay JPEG. Pillow writes Adobe-style inverted CMYK, so the image carries
        # a /Decode array that inverts it back (poppler, Ghostscript and PDFium agree).
        buffer = io.BytesIO()
        cmyk.save(buffer, 'JPEG', quality=JPEG_QUALITY)
        image.write(buffer.getvalue(), filter=Name.DCTDecode)
        image.Decode = Array([1, 0] * 4)
    else:
        image.write(zlib.compress(cmyk.tobytes(), 6), filter=Name.FlateDecode)
    image.ColorSpace = Name.DeviceCMYK
    image.BitsPerComponent = 8
    return True


# ------------------------------------------------------------------ the document walk

def flate_stream(pdf: pikepdf.Pdf, data: bytes, level: int = 6) -> Stream:
    stream = Stream(pdf, b'')
    stream.write(zlib.compress(data, level), filter=Name.FlateDecode)
    return stream


@dataclass
class ConversionReport:
    content_streams: int = 0
    images: int = 0
    shadings: int = 0
    annotations_removed: int = 0
    inline_rgb_images: int = 0
    problems: list[str] = field(default_factory=list)


class _Walker:
    def __init__(self, pdf: pikepdf.Pdf, conv: ColorConverter, report: ConversionReport):
        self.pdf, self.conv, self.report = pdf, conv, report
        self.seen: set[tuple[int, int]] = set()
        self.colour_space_dicts: list = []

    def _once(self, obj) -> bool:
        if not obj.is_indirect:
            return True
        key = obj.objgen
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def stream(self, stream: Stream, where: str) -> None:
        """A form XObject or tiling pattern: its content and resources."""
        if not self._once(stream):
            return
        resources = stream.get('/Resources')
        result = convert_content(stream.read_bytes(), self.conv, resources)
        self.report.content_streams += 1
        self.report.inline_rgb_images += result.inline_rgb_images
        if result.changed:
            stream.write(zlib.compress(result.data, 6), filter=Name.FlateDecode)
        group = stream.get('/Group')
        if group is not None and space_kind(group.get('/CS')) in ('rgb', 'lab'):
            group.CS = Name.DeviceCMYK
        if resources is not None:
            self.resources(resources, where)

    def resources(self, resources, where: str) -> None:
        if resources.is_indirect and not self._once(resources):
            return
        for name, xobject in (resources.get('/XObject') or {}).items():
            subtype = xobject.get('/Subtype')
            if subtype == '/Image':
                if not self._once(xobject):
                    continue
                try:
                    if convert_image(self.pdf, xobject, self.conv, resources):
                        self.report.images += 1
                except ColorError as error:
                    self.report.problems.append(f'{where}: image {name}: {error}')
            elif subtype == '/Form':
                self.stream(xobject, where)
        for name, pattern in (resources.get('/Pattern') or {}).items():
            if int(pattern.get('/PatternType', 0)) == 1:
                self.stream(pattern, where)
            elif '/Shading' in pattern and self._once(pattern.Shading):
                self._shading(pattern.Shading, where, name, resources)
        for name, shading in (resources.get('/Shading') or {}).items():
            if self._once(shading):
                self._shading(shading, where, name, resources)
        for name, gstate in (resources.get('/ExtGState') or {}).items():
            smask = gstate.get('/SMask')
            if isinstance(smask, Dictionary) and '/G' in smask:
                self.stream(smask.G, where)
                if '/BC' in smask and len(smask.BC) == 3:
                    smask.BC = Array(list(self.conv.rgb(*[float(v) for v in smask.BC])))
        if '/ColorSpace' in resources:
            self.colour_space_dicts.append(resources.ColorSpace)

    def _shading(self, shading, where, name, resources) -> None:
        try:
            if convert_shading(self.pdf, shading, self.conv, resources):
                self.report.shadings += 1
        except ColorError as error:
            self.report.problems.append(f'{where}: shading {name}: {error}')

    def page(self, page: pikepdf.Page, number: int) -> None:
        where = f'page {number}'
        resources = page.obj.get('/Resources')
        instructions = pikepdf.parse_content_stream(page)
        out, changed, inline_rgb = convert_instructions(instructions, resources, self.conv)
        self.report.content_streams += 1
        self.report.inline_rgb_images += inline_rgb
        if changed:
            page.obj.Contents = flate_stream(self.pdf, pikepdf.unparse_content_stream(out))
        group = page.obj.get('/Group')
        if group is not None and space_kind(group.get('/CS')) in ('rgb', 'lab'):
            group.CS = Name.DeviceCMYK
        if resources is not None:
            self.resources(resources, where)
        for annot in list(page.obj.get('/Annots') or []):
            for key in ('/C', '/IC'):
                if key in annot and len(annot[key]) == 3:
                    annot[key] = Array(list(self.conv.rgb(*[float(v) for v in annot[key]])))
            appearance = annot.get('/AP')
            if appearance is not None:
                for state in appearance.values():
                    if isinstance(state, Stream):
                        self.stream(state, where)
                    elif isinstance(state, Dictionary):
                        for sub in state.values():
                            if isinstance(sub, Stream):
                                self.stream(sub, where)

    def drop_unused_spaces(self) -> None:
        """RGB and Lab entries are no longer referenced by content once converted."""
        for spaces in self.colour_space_dicts:
            for name in list(spaces.keys()):
                if space_kind(spaces[name]) in ('rgb', 'lab'):
                    del spaces[name]


def convert_document(pdf: pikepdf.Pdf, conv: ColorConverter) -> ConversionReport:
    report = ConversionReport()
    walker = _Walker(pdf, conv, report)
    for number, page in enumerate(pdf.pages, 1):
        walker.page(page, number)
    walker.drop_unused_spaces()
    if report.inline_rgb_images:
        report.problems.append(f'{report.inline_rgb_images} inline RGB image(s) left unconverted')
    return report
