"""日本式トンボ (Japanese trim marks) and the slug line, as PDF content.

All geometry is in PDF user space (points, y up) around the page's TrimBox. Every mark
lies outside the BleedBox: lines that mark the bleed edge are offset outwards by half the
line width so that their inner edge touches the BleedBox; lines that mark the trim start
at the bleed edge with butt caps.

Corner mark (top-left shown, ``T`` = trim line, ``B`` = bleed line)::

        T B
        | |
   -----+ |        <- bleed line (outer L, its corner at the bleed corner)
          |
   -------         <- trim line (inner), ends at the bleed edge
          ┌──── bleed box
          │ ┌── trim box

Centre marks (センタートンボ) are crosses centred on each side's middle: a line across
the slug from the bleed edge outwards, and a bar parallel to the edge through its middle.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTFont

from .settings import MM

REGISTRATION_FILL = b'1 1 1 1 k'
REGISTRATION_STROKE = b'1 1 1 1 K'


def _f(value: float) -> str:
    text = f'{value:.3f}'.rstrip('0').rstrip('.')
    return '0' if text in ('-0', '') else text


def mark_length(slug_pt: float) -> float:
    """Marks reach from the bleed edge 2 mm short of the paper edge, at most 10 mm."""
    return max(4 * MM, min(10 * MM, slug_pt - 2 * MM))


def trim_marks(trim: tuple[float, float, float, float], bleed: float, slug: float,
               line_width: float) -> bytes:
    """Content operators drawing the corner and centre marks."""
    x0, y0, x1, y1 = trim
    b, w = bleed, line_width
    h = w / 2
    length = mark_length(slug)
    lines: list[tuple[tuple[float, float], ...]] = []
    for sx, xt in ((-1, x0), (1, x1)):          # left / right
        for sy, yt in ((-1, y0), (1, y1)):      # bottom / top
            xb, yb = xt + sx * b, yt + sy * b   # bleed corner
            far_x, far_y = xb + sx * length, yb + sy * length
            # outer L along the bleed lines, corner at the bleed corner
            lines.append(((far_x, yb + sy * h), (xb + sx * h, yb + sy * h),
                          (xb + sx * h, far_y)))
            # inner lines on the trim lines, from the bleed edge outwards
            lines.append(((xb, yt), (far_x, yt)))
            lines.append(((xt, yb), (xt, far_y)))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_bar = length / 2
    for sy, yt in ((-1, y0), (1, y1)):          # bottom / top centre marks
        yb = yt + sy * b
        lines.append(((cx, yb), (cx, yb + sy * length)))
        ym = yb + sy * length / 2
        lines.append(((cx - half_bar, ym), (cx + half_bar, ym)))
    for sx, xt in ((-1, x0), (1, x1)):          # left / right centre marks
        xb = xt + sx * b
        lines.append(((xb, cy), (xb + sx * length, cy)))
        xm = xb + sx * length / 2
        lines.append(((xm, cy - half_bar), (xm, cy + half_bar)))
    out = [f'{_f(w)} w 0 J 0 j 10 M []0 d'.encode(), REGISTRATION_STROKE]
    for points in lines:
        (mx, my), *rest = points
        path = f'{_f(mx)} {_f(my)} m ' + ' '.join(f'{_f(x)} {_f(y)} l' for x, y in rest) + ' S'
        out.append(path.encode())
    return b'\n'.join(out) + b'\n'


# ---------------------------------------------------------------- slug text as outlines

class _PdfPathPen(BasePen):
    def __init__(self, glyph_set):
        super().__init__(glyph_set)
        self.ops: list[str] = []

    def _moveTo(self, pt):
        self.ops.append(f'{_f(pt[0])} {_f(pt[1])} m')

    def _lineTo(self, pt):
        self.ops.append(f'{_f(pt[0])} {_f(pt[1])} l')

    def _curveToOne(self, p1, p2, p3):
        self.ops.append(' '.join(f'{_f(v)}' for p in (p1, p2, p3) for v in p) + ' c')

    def _closePath(self):
        self.ops.append('h')


class OutlineFont:
    """Draws text as filled glyph outlines: no font resource to embed or subset."""

    def __init__(self, path: Path):
        self.font = TTFont(str(path), lazy=True)
        self.glyph_set = self.font.getGlyphSet()
        self.cmap = self.font.getBestCmap()
        self.upem = self.font['head'].unitsPerEm
        self.hmtx = self.font['hmtx']
        self._paths: dict[str, str] = {}

    def glyph_name(self, char: str) -> str:
        return self.cmap.get(ord(char)) or self.cmap.get(ord('?'), '.notdef')

    def advance(self, text: str, size: float) -> float:
        return sum(self.hmtx[self.glyph_name(c)][0] for c in text) * size / self.upem

    def _path(self, name: str) -> str:
        if name not in self._paths:
            pen = _PdfPathPen(self.glyph_set)
            self.glyph_set[name].draw(pen)
            self._paths[name] = ' '.join(pen.ops)
        return self._paths[name]

    def draw(self, text: str, x: float, y: float, size: float) -> bytes:
        scale = size / self.upem
        out = []
        for char in text:
            name = self.glyph_name(char)
            path = self._path(name)
            if path:
                out.append(f'q {_f(scale)} 0 0 {_f(scale)} {_f(x)} {_f(y)} cm {path} f Q')
            x += self.hmtx[name][0] * scale
        return '\n'.join(out).encode() + b'\n'


@lru_cache(maxsize=4)
def outline_font(path: Path) -> OutlineFont:
    return OutlineFont(path)


def _fit(font: OutlineFont, text: str, width: float, size: float = 6.0,
         min_size: float = 4.0) -> tuple[str, float]:
    """Shrink to fit ``width``, then cut with an ellipsis."""
    natural = font.advance(text, size)
    if natural <= width:
        return text, size
    size = max(min_size, size * width / natural)
    while text and font.advance(text, size) > width:
        text = text[:-2] + '…'
        if text == '…':
            return '', size
    return text, size


def slug_line(trim: tuple[float, float, float, float], bleed: float, slug: float,
              font_path: Path, left_text: str, right_text: str, marks: bool) -> bytes:
    """One line of slug text below the bleed: ``left_text`` from the left trim edge to the
    centre mark, ``right_text`` from the centre mark to the right trim edge."""
    font = outline_font(Path(font_path))
    x0, y0, x1, _ = trim
    cx = (x0 + x1) / 2
    gap = 3 * MM
    size = 6.0
    baseline = y0 - bleed - min(slug - 2 * MM, 10 * MM) / 2 - size * 0.35
    if marks:
        half_bar = mark_length(slug) / 2
        left_box = (x0 + gap, cx - half_bar - gap)
        right_box = (cx + half_bar + gap, x1 - gap)
    else:
        left_box = (x0, cx - gap)
        right_box = (cx + gap, x1)
    out = [REGISTRATION_FILL]
    text, sz = _fit(font, left_text, left_box[1] - left_box[0], size)
    out.append(font.draw(text, left_box[0], baseline, sz))
    text, sz = _fit(font, right_text, right_box[1] - right_box[0], size)
    out.append(font.draw(text, right_box[1] - font.advance(text, sz), baseline, sz))
    return b'\n'.join(out)
