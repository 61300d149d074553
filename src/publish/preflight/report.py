"""What preflight reports: findings and their severity, what a file is expected to be, the
context the checks read, the report, and the registry the checks join with `@check`."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pikepdf

from publish.preflight.facts import PageFacts

MM = 72 / 25.4


class Severity(enum.IntEnum):
    INFO = 0
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Finding:
    severity: Severity
    check: str
    message: str
    page: int | None = None

    def __str__(self) -> str:
        where = f'page {self.page}: ' if self.page else ''
        return f'{self.severity.name:<7} {self.check:<13} {where}{self.message}'


@dataclass(frozen=True)
class Expectations:
    """What the file should be. ``None`` means "do not check" (or, for ``pdfx``,
    "detect from the file's GTS_PDFXVersion / OutputIntent")."""

    trim_mm: tuple[float, float] | None = None
    bleed_mm: float | None = None
    pdfx: bool | None = None
    binding: str | None = None           # 'saddle' (×4) or 'perfect' (×2)
    safety_mm: float = 3.0
    warn_below_ppi: float = 300.0
    fail_below_ppi: float = 150.0
    tolerance_mm: float = 0.2
    max_ink_percent: float = 330.0
    makeup: bool = True                  # the make-up audit (off for imposed booklets)
    profile: str | None = None           # 'press', 'screen' or None (see profiles.py)
    min_bleed_mm: float | None = None    # bleed on every side at least this (press: 3 mm)
    tagged: bool = False                 # a tagged (PDF/UA) screen edition
    no_marks: bool = False               # no printer's marks, slug or bleed beyond the trim

    @classmethod
    def from_settings(cls, settings) -> 'Expectations':
        """From a :class:`publish.press.PrintSettings`."""
        return cls(trim_mm=(settings.trim_width_mm, settings.trim_height_mm),
                   bleed_mm=settings.bleed_mm, pdfx=True, binding=settings.binding,
                   profile='press', min_bleed_mm=settings.bleed_mm)


@dataclass
class Context:
    path: Path
    pdf: pikepdf.Pdf
    expect: Expectations
    pages: list[PageFacts]
    fonts: dict
    pdfx_version: str | None
    is_pdfx: bool
    is_x1a: bool


@dataclass
class Report:
    path: Path
    pages: int
    pdfx_version: str | None
    findings: list[Finding] = field(default_factory=list)
    checks_run: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def exit_status(self, strict: bool = False) -> int:
        return 1 if self.errors or (strict and self.warnings) else 0

    def by_check(self, name: str) -> list[Finding]:
        return [f for f in self.findings if f.check == name]

    def format(self, verbose: bool = False) -> str:
        lines = [f'{self.path}: {self.pages} page{"s" if self.pages != 1 else ""}, '
                 f'{self.pdfx_version or "not PDF/X"}']
        shown = [f for f in self.findings if verbose or f.severity > Severity.INFO]
        for finding in sorted(shown, key=lambda f: (-f.severity, f.check,
                                                      f.message.startswith('…'), f.page or 0)):
            lines.append(f'  {finding}')
        failing = {f.check for f in self.findings if f.severity > Severity.INFO}
        passed = [name for name in self.checks_run if name not in failing]
        if passed:
            lines.append(f'  ok: {", ".join(passed)}')
        e, w = len(self.errors), len(self.warnings)
        verdict = 'FAIL' if e else ('PASS with warnings' if w else 'PASS')
        lines.append(f'  result: {verdict} ({e} error{"s" if e != 1 else ""}, '
                     f'{w} warning{"s" if w != 1 else ""})')
        return '\n'.join(lines)


CheckFunction = Callable[[Context], list[Finding]]
CHECKS: dict[str, CheckFunction] = {}


def check(name: str) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check under ``name`` (refuses duplicates)."""
    def register(function: CheckFunction) -> CheckFunction:
        if name in CHECKS:
            raise ValueError(f'preflight check {name!r} registered twice')
        CHECKS[name] = function
        return function
    return register
