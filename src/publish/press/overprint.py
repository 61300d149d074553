"""Black overprint: K100 text and rules print on top of what is under them.

Printed in register, a K100 glyph knocked out of a tint leaves a white hole in the other
plates; off register by a hair, the hole shows as a white halo around the black. Print
shops therefore overprint 100 % black: the black plate prints over the tint, whose other
plates are not cut. :func:`apply_overprint` inserts an ExtGState with fill and stroke
overprint (``/op``, ``/OP``) and overprint mode 1 (``/OPM 1``: a zero CMYK component
leaves that plate alone) before every text or path painted in exactly C0 M0 Y0 K100,
and one that turns overprint off again before anything else is painted (other colours,
images, shadings, form XObjects), tracking ``q``/``Q``. It runs on the CMYK file, after
colour conversion.
"""

from __future__ import annotations

import zlib

import pikepdf
from pikepdf import Dictionary, Name, Operator, Stream

TEXT_SHOW = {'Tj', 'TJ', "'", '"'}
PATH_PAINT = {'f', 'F', 'f*', 'B', 'B*', 'b', 'b*', 'S', 's'}
OTHER_PAINT = {'Do', 'sh', 'BI'}
K100 = (0.0, 0.0, 0.0, 1.0)
#: ExtGState names (fill overprint, stroke overprint) → resource name
STATES = {(True, True): '/PubOPfs', (True, False): '/PubOPf', (False, True): '/PubOPs',
          (False, False): '/PubOPoff'}


def _is_k100(values) -> bool:
    try:
        numbers = tuple(round(float(v), 4) for v in values)
    except (TypeError, ValueError):
        return False
    return numbers == K100


def _gstate(fill: bool, stroke: bool) -> Dictionary:
    return Dictionary(Type=Name.ExtGState, op=fill, OP=stroke, OPM=1)


def overprint_instructions(instructions) -> tuple[list, set]:
    """The instructions with overprint states switched in; the state keys used."""
    out = []
    used: set = set()
    colour = {'fill': False, 'stroke': False}       # is the current colour K100?
    space = {'fill': 'gray', 'stroke': 'gray'}
    current = (False, False)                        # overprint in effect (fill, stroke)
    stack: list = []

    def switch(wanted):
        nonlocal current
        if wanted != current:
            out.append(pikepdf.ContentStreamInstruction([Name(STATES[wanted]), ], Operator('gs')))
            used.add(wanted)
            current = wanted

    for item in instructions:
        if isinstance(item, pikepdf.ContentStreamInlineImage):
            switch((False, False))
            out.append(item)
            continue
        op = str(item.operator)
        operands = item.operands
        if op == 'q':
            stack.append((dict(colour), dict(space), current))
        elif op == 'Q':
            if stack:
                saved_colour, saved_space, current = stack.pop()
                colour.update(saved_colour)
                space.update(saved_space)
        elif op in ('k', 'K'):
            which = 'fill' if op == 'k' else 'stroke'
            space[which] = 'cmyk'
            colour[which] = _is_k100(operands)
        elif op in ('g', 'G', 'rg', 'RG'):
            which = 'fill' if op in ('g', 'rg') else 'stroke'
            space[which] = 'other'
            colour[which] = False
        elif op in ('cs', 'CS'):
            which = 'fill' if op == 'cs' else 'stroke'
            space[which] = 'cmyk' if operands and operands[0] == Name.DeviceCMYK else 'other'
            colour[which] = False
        elif op in ('sc', 'scn', 'SC', 'SCN'):
            which = 'fill' if op in ('sc', 'scn') else 'stroke'
            colour[which] = space[which] == 'cmyk' and len(operands) == 4 and _is_k100(operands)
        elif op == 'gs':
            pass    # WeasyPrint's states carry opacity only, never overprint
        elif op in TEXT_SHOW:
            switch((colour['fill'], current[1]))
        elif op in PATH_PAINT:
            fills = op not in ('S', 's')
            strokes = op in ('S', 's', 'B', 'B*', 'b', 'b*')
            switch((colour['fill'] if fills else current[0],
                    colour['stroke'] if strokes else current[1]))
        elif op in OTHER_PAINT:
            switch((False, False))
        out.append(item)
    return out, used


def _add_states(pdf: pikepdf.Pdf, resources, used: set) -> None:
    states = resources.get('/ExtGState')
    if states is None:
        states = Dictionary()
        resources.ExtGState = states
    for key in used:
        name = STATES[key]
        if name not in states:
            states[name] = pdf.make_indirect(_gstate(*key))


def apply_overprint(pdf: pikepdf.Pdf) -> int:
    """Overprint K100 text and rules on every page and form XObject; returns how many
    content streams were changed."""
    changed = 0
    seen: set = set()

    def stream(obj, resources_owner) -> None:
        nonlocal changed
        if obj.is_indirect:
            if obj.objgen in seen:
                return
            seen.add(obj.objgen)
        resources = resources_owner.get('/Resources')
        instructions = pikepdf.parse_content_stream(obj)
        out, used = overprint_instructions(instructions)
        if used:
            if resources is None:
                resources = Dictionary()
                resources_owner.Resources = resources
            _add_states(pdf, resources, used)
            data = pikepdf.unparse_content_stream(out)
            if isinstance(obj, Stream):
                obj.write(zlib.compress(data, 6), filter=Name.FlateDecode)
            else:
                new = Stream(pdf, b'')
                new.write(zlib.compress(data, 6), filter=Name.FlateDecode)
                obj.Contents = pdf.make_indirect(new)
            changed += 1
        if resources is not None:
            for xobject in (resources.get('/XObject') or {}).values():
                if xobject.get('/Subtype') == '/Form':
                    stream(xobject, xobject)
            for pattern in (resources.get('/Pattern') or {}).values():
                if int(pattern.get('/PatternType', 0)) == 1:
                    stream(pattern, pattern)

    for page in pdf.pages:
        stream(page.obj, page.obj)
    return changed


__all__ = ['apply_overprint', 'overprint_instructions', 'STATES']
