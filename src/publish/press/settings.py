"""Print settings: the layout tokens the print stage needs, validated once.

Lengths are millimetres in the settings (as designers write them) and points inside
the PDF (1 mm = 72 / 25.4 pt).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

MM = 72 / 25.4  # points per millimetre

#: Trim sizes the layouts may name (portrait, mm). CSS ``B5`` is ISO B5; Japanese
#: brochures mean JIS B5, so ``B5`` is not accepted here: say ``JIS-B5`` or ``ISO-B5``.
TRIM_SIZES: dict[str, tuple[float, float]] = {
    'A3': (297.0, 420.0),
    'A4': (210.0, 297.0),
    'A5': (148.0, 210.0),
    'A6': (105.0, 148.0),
    'JIS-B4': (257.0, 364.0),
    'JIS-B5': (182.0, 257.0),
    'JIS-B6': (128.0, 182.0),
    'ISO-B5': (176.0, 250.0),
}

PDF_VARIANTS = ('pdf/x-4', 'pdf/x-1a')
BINDINGS = ('saddle', 'perfect')

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_ICC_PROFILE = PACKAGE_DIR / 'icc' / 'publish-fogra39l.icc'


def _default_slug_font() -> Path | None:
    """The bundled Noto Sans JP (package data when installed, ``<repo>/fonts`` in a checkout)."""
    from publish.project import builtin_fonts_dir

    candidate = builtin_fonts_dir() / 'NotoSansJP-Regular.ttf'
    return candidate if candidate.is_file() else None


class SettingsError(ValueError):
    """A print setting is missing, unknown or out of range."""


@dataclass(frozen=True)
class PrintSettings:
    """How to finish one print PDF.

    ``trim_width_mm``/``trim_height_mm``: the finished (cut) page size.
    ``bleed_mm``: 塗り足し on every side (3 mm usual, 5 mm for some shops).
    ``slug_mm``: extra paper outside the bleed that carries the marks and slug line.
    ``marks``: draw 日本式トンボ; off means digital trim boxes only.
    ``slug_text``: one line with file name, page and build date below the page.
    ``pdf_variant``: ``pdf/x-4`` (default, live transparency allowed) or ``pdf/x-1a``
    (PDF/X-1a:2001: PDF 1.3, CMYK/gray only, no transparency).
    ``icc_profile``: the CMYK output profile (path); the shipped FOGRA39 one by default.
    ``output_condition_identifier`` / ``output_condition``: the OutputIntent's
    registered identifier (``FOGRA39``, ``JC200103`` for Japan Color 2001 Coated) and
    description; by default FOGRA39 for the shipped profile, the profile's own
    description for another one.
    ``binding``: ``saddle`` (中綴じ, page count a multiple of 4) or ``perfect`` (無線綴じ, 2).
    ``pad_pages``: let :func:`publish.press.finish` insert blank pages before the back cover
    when the count breaks the binding rule (the writer can also do it in HTML).
    """

    trim_width_mm: float = 210.0
    trim_height_mm: float = 297.0
    bleed_mm: float = 3.0
    slug_mm: float = 12.0
    marks: bool = True
    slug_text: bool = True
    pdf_variant: str = 'pdf/x-4'
    icc_profile: Path = DEFAULT_ICC_PROFILE
    output_condition: str | None = None
    output_condition_identifier: str | None = None
    binding: str = 'saddle'
    pad_pages: bool = True
    mark_line_pt: float = 0.25
    slug_font: Path | None = field(default_factory=_default_slug_font)

    def __post_init__(self) -> None:
        problems = []
        for name in ('trim_width_mm', 'trim_height_mm'):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and 20 <= value <= 1000):
                problems.append(f'{name}: {value!r} is not a length between 20 and 1000 mm')
        if not (isinstance(self.bleed_mm, (int, float)) and 0 <= self.bleed_mm <= 10):
            problems.append(f'bleed_mm: {self.bleed_mm!r} is not between 0 and 10 mm')
        if not (isinstance(self.slug_mm, (int, float)) and 0 <= self.slug_mm <= 30):
            problems.append(f'slug_mm: {self.slug_mm!r} is not between 0 and 30 mm')
        if self.slug_text and not self.marks and self.slug_mm < 5 and self.slug_mm != 0:
            problems.append(f'slug_mm: {self.slug_mm} mm is too narrow for the slug line (5 mm at least)')
        if self.marks and self.slug_mm < 6:
            problems.append(f'slug_mm: {self.slug_mm} mm is too narrow for trim marks (6 mm at least)')
        if self.pdf_variant not in PDF_VARIANTS:
            problems.append(f'pdf_variant: {self.pdf_variant!r} is not one of {", ".join(PDF_VARIANTS)}')
        if self.binding not in BINDINGS:
            problems.append(f'binding: {self.binding!r} is not one of {", ".join(BINDINGS)}')
        if not 0.25 <= self.mark_line_pt <= 0.1 * MM + 1e-9:
            problems.append(f'mark_line_pt: {self.mark_line_pt} is not a hairline (0.25 pt to 0.1 mm)')
        if not Path(self.icc_profile).is_file():
            problems.append(f'icc_profile: {self.icc_profile} does not exist')
        if problems:
            raise SettingsError('; '.join(problems))
        object.__setattr__(self, 'icc_profile', Path(self.icc_profile))

    # Derived values, in points.
    @property
    def trim_pt(self) -> tuple[float, float]:
        return self.trim_width_mm * MM, self.trim_height_mm * MM

    @property
    def bleed_pt(self) -> float:
        return self.bleed_mm * MM

    @property
    def slug_pt(self) -> float:
        return self.slug_mm * MM

    def output_condition_for(self, profile_description: str) -> tuple[str, str]:
        """(OutputConditionIdentifier, OutputCondition) for the OutputIntent."""
        if Path(self.icc_profile).resolve() == DEFAULT_ICC_PROFILE.resolve():
            default = ('FOGRA39', 'Offset printing, coated paper (ISO 12647-2:2004, FOGRA39)')
        else:
            default = (profile_description, profile_description)
        return (self.output_condition_identifier or default[0],
                self.output_condition or default[1])

    @property
    def page_multiple(self) -> int:
        return 4 if self.binding == 'saddle' else 2

    @property
    def css_page_rule(self) -> str:
        """The ``@page`` declarations the print layout must carry for these settings."""
        return (f'@page {{ size: {self.trim_width_mm:g}mm {self.trim_height_mm:g}mm; '
                f'bleed: {self.bleed_mm:g}mm; }}')

    @classmethod
    def from_tokens(cls, tokens: Mapping[str, Any], *,
                    base_dir: Path | None = None) -> 'PrintSettings':
        """Build from a layout's print tokens, rejecting unknown keys.

        Accepted keys: ``trim`` (a name from :data:`TRIM_SIZES` or ``[w, h]`` in mm),
        ``bleed``, ``slug`` (mm), ``marks``, ``slug_text`` (bool), ``pdf_variant``,
        ``icc_profile``, ``output_condition``, ``output_condition_identifier``,
        ``binding``, ``pad_pages``. A relative ``icc_profile`` is resolved against
        ``base_dir`` (the layout's folder).
        """
        known = {'trim', 'bleed', 'slug', 'marks', 'slug_text', 'pdf_variant', 'icc_profile',
                 'output_condition', 'output_condition_identifier', 'binding', 'pad_pages'}
        unknown = sorted(set(tokens) - known)
        if unknown:
            raise SettingsError(f'unknown print setting(s): {", ".join(unknown)} '
                                f'(known: {", ".join(sorted(known))})')
        kwargs: dict[str, Any] = {}
        if 'trim' in tokens:
            kwargs['trim_width_mm'], kwargs['trim_height_mm'] = parse_trim(tokens['trim'])
        for token, name in (('bleed', 'bleed_mm'), ('slug', 'slug_mm')):
            if token in tokens:
                kwargs[name] = parse_mm(tokens[token], token)
        for name in ('marks', 'slug_text', 'pdf_variant', 'output_condition',
                     'output_condition_identifier', 'binding', 'pad_pages'):
            if name in tokens:
                kwargs[name] = tokens[name]
        if 'icc_profile' in tokens:
            profile = Path(tokens['icc_profile'])
            if not profile.is_absolute() and base_dir is not None:
                profile = Path(base_dir) / profile
            kwargs['icc_profile'] = profile
        return cls(**kwargs)

    def replace(self, **changes: Any) -> 'PrintSettings':
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return type(self)(**values)


def parse_mm(value: Any, name: str = 'length') -> float:
    """``3``, ``3.5``, ``'3mm'`` → 3.0 (mm)."""
    if isinstance(value, bool):
        raise SettingsError(f'{name}: {value!r} is not a length')
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value.strip().endswith('mm'):
        try:
            return float(value.strip()[:-2])
        except ValueError:
            pass
    raise SettingsError(f'{name}: {value!r} is not a length in mm (write 3 or "3mm")')


def parse_trim(value: Any) -> tuple[float, float]:
    if isinstance(value, str) and len(value.split()) == 2:     # "148mm 210mm"
        width, height = value.split()
        return parse_mm(width, 'trim width'), parse_mm(height, 'trim height')
    if isinstance(value, str):
        key = value.strip()
        if key.upper() == 'B5':
            raise SettingsError("trim: 'B5' is ambiguous (CSS B5 is ISO 176×250 mm); "
                                "write 'JIS-B5' (182×257 mm) or 'ISO-B5'")
        for name, size in TRIM_SIZES.items():
            if name.lower() == key.lower():
                return size
        raise SettingsError(f'trim: unknown size {value!r} (known: {", ".join(TRIM_SIZES)}, '
                            'or [width, height] in mm)')
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return parse_mm(value[0], 'trim width'), parse_mm(value[1], 'trim height')
    raise SettingsError(f'trim: {value!r} is not a size name or [width, height]')
