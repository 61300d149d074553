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

import struct
from functools import lru_cache
from pathlib import Path

from publish.press.settings import MM

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

class OutlineFont:
    """Draws text as filled TrueType glyph outlines: no font resource to embed or subset.

    A minimal reader of the ``cmap`` (formats 4 and 12), ``hmtx``, ``loca`` and ``glyf``
    tables that decodes only the glyphs it is asked for: loading the 5 MB Noto Sans JP
    with fontTools costs 0.2 s, this costs a file read."""

    def __init__(self, path: Path):
        self.data = data = Path(path).read_bytes()
        self.tables = {}
        for i in range(struct.unpack_from('>H', data, 4)[0]):
            tag, _, offset, length = struct.unpack_from('>4sIII', data, 12 + 16 * i)
            self.tables[tag.decode('latin1')] = (offset, length)
        head = self.tables['head'][0]
        self.upem = struct.unpack_from('>H', data, head + 18)[0]
        self.long_loca = struct.unpack_from('>h', data, head + 50)[0] == 1
        self.num_hmetrics = struct.unpack_from('>H', data, self.tables['hhea'][0] + 34)[0]
        self.cmap = self._cmap_subtable()
        self._paths: dict[int, str] = {}

    # -- character → glyph
    def _cmap_subtable(self) -> tuple[int, int]:
        base = self.tables['cmap'][0]
        best = None
        for i in range(struct.unpack_from('>H', self.data, base + 2)[0]):
            platform, encoding, offset = struct.unpack_from('>HHI', self.data, base + 4 + 8 * i)
            fmt = struct.unpack_from('>H', self.data, base + offset)[0]
            rank = {(3, 10, 12): 0, (0, 4, 12): 1, (3, 1, 4): 2, (0, 3, 4): 3}.get(
                (platform, encoding, fmt))
            if rank is not None and (best is None or rank < best[0]):
                best = (rank, fmt, base + offset)
        if best is None:
            raise ValueError('no Unicode cmap')
        return best[1], best[2]

    def glyph_id(self, char: str) -> int:
        code = ord(char)
        fmt, at = self.cmap
        data = self.data
        if fmt == 12:
            groups = struct.unpack_from('>I', data, at + 12)[0]
            lo, hi = 0, groups - 1
            while lo <= hi:
                mid = (lo + hi) // 2
                start, end, glyph = struct.unpack_from('>III', data, at + 16 + 12 * mid)
                if code < start:
                    hi = mid - 1
                elif code > end:
                    lo = mid + 1
                else:
                    return glyph + code - start
            return 0
        if code > 0xFFFF:
            return 0
        seg_count = struct.unpack_from('>H', data, at + 6)[0] // 2
        ends = at + 14
        starts = ends + 2 * seg_count + 2
        deltas = starts + 2 * seg_count
        ranges = deltas + 2 * seg_count
        for i in range(seg_count):
            if struct.unpack_from('>H', data, ends + 2 * i)[0] >= code:
                start = struct.unpack_from('>H', data, starts + 2 * i)[0]
                if start > code:
                    return 0
                delta = struct.unpack_from('>h', data, deltas + 2 * i)[0]
                range_offset = struct.unpack_from('>H', data, ranges + 2 * i)[0]
                if range_offset == 0:
                    return (code + delta) & 0xFFFF
                where = ranges + 2 * i + range_offset + 2 * (code - start)
                glyph = struct.unpack_from('>H', data, where)[0]
                return (glyph + delta) & 0xFFFF if glyph else 0
        return 0

    def _gid(self, char: str) -> int:
        return self.glyph_id(char) or self.glyph_id('?')

    # -- metrics and outlines
    def _advance_units(self, gid: int) -> int:
        hmtx = self.tables['hmtx'][0]
        return struct.unpack_from('>H', self.data, hmtx + 4 * min(gid, self.num_hmetrics - 1))[0]

    def advance(self, text: str, size: float) -> float:
        return sum(self._advance_units(self._gid(c)) for c in text) * size / self.upem

    def _glyph_range(self, gid: int) -> tuple[int, int]:
        loca = self.tables['loca'][0]
        if self.long_loca:
            start, end = struct.unpack_from('>II', self.data, loca + 4 * gid)
        else:
            start, end = (2 * v for v in struct.unpack_from('>HH', self.data, loca + 2 * gid))
        glyf = self.tables['glyf'][0]
        return glyf + start, glyf + end

    def contours(self, gid: int, depth: int = 0) -> list[list[tuple[float, float, bool]]]:
        """The glyph's contours as (x, y, on_curve) points in font units."""
        start, end = self._glyph_range(gid)
        if end <= start or depth > 8:
            return []
        data = self.data
        count = struct.unpack_from('>h', data, start)[0]
        at = start + 10
        if count >= 0:
            end_points = struct.unpack_from(f'>{count}H', data, at)
            at += 2 * count
            at += 2 + struct.unpack_from('>H', data, at)[0]   # skip instructions
            total = end_points[-1] + 1 if count else 0
            flags = []
            while len(flags) < total:
                flag = data[at]
                at += 1
                flags.append(flag)
                if flag & 8:
                    flags += [flag] * data[at]
                    at += 1
            coords = []
            for short_bit, same_bit in ((2, 16), (4, 32)):
                value, values = 0, []
                for flag in flags[:total]:
                    if flag & short_bit:
                        delta = data[at]
                        at += 1
                        value += delta if flag & same_bit else -delta
                    elif not flag & same_bit:
                        value += struct.unpack_from('>h', data, at)[0]
                        at += 2
                    values.append(value)
                coords.append(values)
            out, first = [], 0
            for last in end_points:
                out.append([(coords[0][i], coords[1][i], bool(flags[i] & 1))
                            for i in range(first, last + 1)])
                first = last + 1
            return out
        out = []
        more = True
        while more:
            flags, component = struct.unpack_from('>HH', data, at)
            at += 4
            if flags & 1:
                dx, dy = struct.unpack_from('>hh', data, at)
                at += 4
            else:
                dx, dy = struct.unpack_from('>bb', data, at)
                at += 2
            a, b, c, d = 1.0, 0.0, 0.0, 1.0
            if flags & 8:
                a = d = struct.unpack_from('>h', data, at)[0] / 16384
                at += 2
            elif flags & 0x40:
                a, d = (v / 16384 for v in struct.unpack_from('>hh', data, at))
                at += 4
            elif flags & 0x80:
                a, b, c, d = (v / 16384 for v in struct.unpack_from('>hhhh', data, at))
                at += 8
            if not flags & 2:       # point-matched components: not used by Noto; skip offset
                dx = dy = 0
            for contour in self.contours(component, depth + 1):
                out.append([(a * x + c * y + dx, b * x + d * y + dy, on) for x, y, on in contour])
            more = bool(flags & 0x20)
        return out

    def _path(self, gid: int) -> str:
        if gid not in self._paths:
            ops = []
            for contour in self.contours(gid):
                ops += _contour_ops(contour)
            self._paths[gid] = ' '.join(ops)
        return self._paths[gid]

    def draw(self, text: str, x: float, y: float, size: float) -> bytes:
        scale = size / self.upem
        out = []
        for char in text:
            gid = self._gid(char)
            path = self._path(gid)
            if path:
                out.append(f'q {_f(scale)} 0 0 {_f(scale)} {_f(x)} {_f(y)} cm {path} f Q')
            x += self._advance_units(gid) * scale
        return '\n'.join(out).encode() + b'\n'


def _contour_ops(points: list[tuple[float, float, bool]]) -> list[str]:
    """TrueType quadratic contour → PDF path operators (cubic curves)."""
    if not points:
        return []
    n = len(points)
    start_index = next((i for i, p in enumerate(points) if p[2]), None)
    if start_index is None:      # all off-curve: start at the midpoint of the first two
        p, q = points[0], points[1 % n]
        start = ((p[0] + q[0]) / 2, (p[1] + q[1]) / 2)
        sequence = points
    else:
        start = points[start_index][:2]
        sequence = points[start_index + 1:] + points[:start_index]
    ops = [f'{_f(start[0])} {_f(start[1])} m']
    current = start
    control = None
    for x, y, on in sequence + [(start[0], start[1], True)]:
        if on:
            if control is None:
                ops.append(f'{_f(x)} {_f(y)} l')
            else:
                ops.append(_quad(current, control, (x, y)))
                control = None
            current = (x, y)
        else:
            if control is not None:
                mid = ((control[0] + x) / 2, (control[1] + y) / 2)
                ops.append(_quad(current, control, mid))
                current = mid
            control = (x, y)
    ops.append('h')
    return ops


def _quad(p0, q, p2) -> str:
    c1 = (p0[0] + 2 / 3 * (q[0] - p0[0]), p0[1] + 2 / 3 * (q[1] - p0[1]))
    c2 = (p2[0] + 2 / 3 * (q[0] - p2[0]), p2[1] + 2 / 3 * (q[1] - p2[1]))
    return (f'{_f(c1[0])} {_f(c1[1])} {_f(c2[0])} {_f(c2[1])} '
            f'{_f(p2[0])} {_f(p2[1])} c')


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
