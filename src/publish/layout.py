"""Layouts: folders of design tokens, Jinja2 templates and CSS under `layouts/`.

A layout folder holds `layout.yaml` (tokens), `templates/` (print parts), `epub/` (EPUB
documents) and CSS files. `extends: <parent>` makes lookups fall back to the parent for
tokens, templates and stylesheets. Nothing about a layout's look lives in Python: this
module only reads tokens, does the type-area arithmetic (版面設計) they ask for, and turns
tokens into CSS custom properties.
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import jinja2

from .errors import PublishError, SourceError, SourceProblem
from .source import yamltree

PT_PER = {"pt": 1.0, "mm": 72 / 25.4, "cm": 720 / 25.4, "in": 72.0, "px": 0.75, "q": 72 / 25.4 / 4}


def project_root() -> Path:
    """The checkout holding layouts/ and fonts/ (the package is installed editable)."""
    return Path(__file__).resolve().parents[2]


def layouts_dir() -> Path:
    """`layouts/` of the checkout, or the folder named by $PUBLISH_LAYOUTS (tests, previews
    of a designer's own layouts folder)."""
    override = os.environ.get("PUBLISH_LAYOUTS")
    return Path(override).resolve() if override else project_root() / "layouts"


def fonts_dir() -> Path:
    return project_root() / "fonts"


def available_layouts(root: Path | None = None) -> set[str]:
    root = root or layouts_dir()
    return {p.parent.name for p in root.glob("*/layout.yaml")}


def to_pt(value, field_name: str = "length") -> float:
    """'3mm' / '9pt' / '13Q' / 9 (pt) -> points."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    match = re.fullmatch(r"\s*([0-9.]+)\s*(pt|mm|cm|in|px|q|Q)\s*", str(value))
    if not match:
        raise ValueError(f"{field_name}: '{value}' is not a length like 3mm, 9pt or 13Q")
    return float(match.group(1)) * PT_PER[match.group(2).lower()]


def _deep_merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@dataclass(frozen=True)
class TypeArea:
    """The 版面: a whole number of full-width characters per column, whole lines per page."""

    page_width: float  # trim, pt
    page_height: float
    body_size: float
    line_pitch: float
    chars_per_line: int
    columns: int
    gutter_chars: float
    lines: int
    margin_top: float
    margin_inside: float | None  # None: centre the text block
    # 縦組み (writing_mode: vertical): chars_per_line counts down a column, lines across the
    # page, margin_top is the head (天); see the frame_* properties
    vertical: bool = False

    @property
    def column_width(self) -> float:
        return self.chars_per_line * self.body_size

    @property
    def gutter(self) -> float:
        return self.gutter_chars * self.body_size

    @property
    def width(self) -> float:
        return self.columns * self.column_width + (self.columns - 1) * self.gutter

    @property
    def height(self) -> float:
        return self.lines * self.line_pitch

    @property
    def margin_bottom(self) -> float:
        return self.page_height - self.margin_top - self.height

    @property
    def margin_left(self) -> float:
        return self.margin_inside if self.margin_inside is not None else (self.page_width - self.width) / 2

    @property
    def margin_right(self) -> float:
        return self.page_width - self.width - self.margin_left

    # -- vertical: the 版面 turned into the frame the columns are set in as lines ----------
    @property
    def frame_width(self) -> float:
        """The turned page's width (the trim's height)."""
        return self.page_height

    @property
    def frame_height(self) -> float:
        return self.page_width

    @property
    def frame_margin_left(self) -> float:
        """Frame left = the page's head (天)."""
        return self.margin_top

    @property
    def frame_margin_right(self) -> float:
        """Frame right = the page's foot (地)."""
        return self.page_height - self.margin_top - self.width

    @property
    def frame_margin_top(self) -> float:
        """Frame top = the page's right side; the text block (lines of the pitch, the
        last one without its leading) is centred across the page, or set from the
        binding side (the right of a left-hand page) by margin_inside."""
        block = self.lines * self.line_pitch - (self.line_pitch - self.body_size)
        if self.margin_inside is not None:
            return self.margin_inside - (self.line_pitch - self.body_size) / 2
        return (self.page_width - block) / 2 - (self.line_pitch - self.body_size) / 2

    @property
    def frame_margin_bottom(self) -> float:
        return self.page_width - self.frame_margin_top - self.height

    def problems(self) -> list[str]:
        out = []
        if self.vertical:
            if self.frame_margin_right < 24:
                out.append(f"type area: columns of {self.chars_per_line} characters of {self.body_size:g}pt "
                           f"leave a foot margin of {self.frame_margin_right:.1f}pt; use fewer characters or a "
                           f"smaller margin_top")
            if min(self.frame_margin_top, self.frame_margin_bottom) < 24:
                out.append(f"type area: {self.lines} lines of {self.line_pitch:g}pt are {self.height:.1f}pt "
                           f"wide, too wide for a {self.page_width:.1f}pt page")
            return out
        if self.margin_bottom < 24:
            out.append(f"type area: {self.lines} lines of {self.line_pitch:g}pt leave a foot margin of "
                       f"{self.margin_bottom:.1f}pt; use fewer lines or a smaller margin_top")
        if self.margin_right < 24 or self.margin_left < 24:
            out.append(f"type area: {self.columns}×{self.chars_per_line} characters of {self.body_size:g}pt "
                       f"are {self.width:.1f}pt wide, too wide for a {self.page_width:.1f}pt page")
        return out


@dataclass
class Layout:
    name: str
    chain: list[Path]  # this layout's folder first, then its parents
    tokens: dict
    overrides_from: Path | None = None
    _env: jinja2.Environment | None = field(default=None, repr=False)

    # -- tokens ---------------------------------------------------------------------
    @cached_property
    def trim_mm(self) -> tuple[float, float]:
        # one table of trim sizes for the layout and the print stage (CSS `B5` is ISO, so
        # a bare B5 is refused there as ambiguous)
        from .press.settings import parse_trim

        return parse_trim(self.tokens["page"]["trim"])

    @cached_property
    def type_area(self) -> TypeArea:
        ta = self.tokens["type_area"]
        w, h = self.trim_mm
        inside = ta.get("margin_inside")
        return TypeArea(
            page_width=w * PT_PER["mm"],
            page_height=h * PT_PER["mm"],
            body_size=to_pt(ta["body_size"]),
            line_pitch=to_pt(ta["line_pitch"]),
            chars_per_line=int(ta["chars_per_line"]),
            columns=int(ta["columns"]),
            gutter_chars=float(ta["gutter_chars"]),
            lines=int(ta["lines"]),
            margin_top=to_pt(ta["margin_top"]),
            margin_inside=None if inside in (None, "auto") else to_pt(inside),
            vertical=self.vertical,
        )

    @property
    def vertical(self) -> bool:
        """writing_mode: vertical (縦組み print)."""
        return self.tokens.get("writing_mode") == "vertical"

    @property
    def bleed_mm(self) -> float:
        bleed = self.tokens["page"]["bleed"]
        if isinstance(bleed, (int, float)) and not isinstance(bleed, bool):
            return float(bleed)  # page lengths are mm, as the print stage reads them
        return to_pt(bleed) / PT_PER["mm"]

    def css_variables(self, medium: str) -> str:
        """Every token as a CSS custom property; colours per medium (print: CMYK)."""
        lines = []
        ta = self.type_area
        derived = {
            "page-width": f"{ta.page_width:.3f}pt", "page-height": f"{ta.page_height:.3f}pt",
            "bleed": f"{self.bleed_mm:.3f}mm",
            "body-size": f"{ta.body_size:g}pt", "line-pitch": f"{ta.line_pitch:g}pt",
            "column-width": f"{ta.column_width:.3f}pt", "column-gap": f"{ta.gutter:.3f}pt",
            "columns": str(ta.columns), "text-width": f"{ta.width:.3f}pt", "text-height": f"{ta.height:.3f}pt",
            "margin-top": f"{ta.margin_top:.3f}pt", "margin-bottom": f"{ta.margin_bottom:.3f}pt",
            "margin-left": f"{ta.margin_left:.3f}pt", "margin-right": f"{ta.margin_right:.3f}pt",
        }
        for name, value in derived.items():
            lines.append(f"  --{name}: {value};")
        for name, value in (self.tokens.get("sizes") or {}).items():
            lines.append(f"  --size-{name}: {value};")
        for name, value in (self.tokens.get("fonts") or {}).items():
            lines.append(f"  --font-{name}: {value};")
        for name, spec in (self.tokens.get("colors") or {}).items():
            lines.append(f"  --color-{name}: {css_color(spec, medium)};")
        return ":root {\n" + "\n".join(lines) + "\n}\n"

    # -- files ----------------------------------------------------------------------
    def find(self, relative: str) -> Path:
        for folder in self.chain:
            candidate = folder / relative
            if candidate.exists():
                return candidate
        raise PublishError(f"layout '{self.name}': no {relative} in {', '.join(str(p) for p in self.chain)}")

    def stylesheets(self, medium: str) -> list[Path]:
        names = (self.tokens.get("stylesheets") or {}).get(medium, [])
        return [self.find(name) for name in names]

    @property
    def files(self) -> list[Path]:
        """Every file the layout's output depends on (for make and the preview's watcher)."""
        return sorted(p for folder in self.chain for p in folder.rglob("*") if p.is_file())

    @property
    def env(self) -> jinja2.Environment:
        if self._env is None:
            loader = jinja2.FileSystemLoader([str(p) for p in self.chain])
            self._env = jinja2.Environment(
                loader=loader,
                autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
                undefined=jinja2.StrictUndefined,
                trim_blocks=True,
                lstrip_blocks=True,
            )
        return self._env


def css_color(spec, medium: str) -> str:
    """A colour token {cmyk: [c, m, y, k] in %, rgb: '#rrggbb'} for one medium."""
    if isinstance(spec, str):
        return spec
    if medium == "print" and "cmyk" in spec:
        c, m, y, k = (float(v) / 100 for v in spec["cmyk"])
        return f"device-cmyk({c:g} {m:g} {y:g} {k:g})"
    return spec["rgb"]


def load_layout(name: str, *, style: dict | None = None, root: Path | None = None,
                source: Path | None = None) -> Layout:
    """Resolve a layout by name, following `extends`, then apply a source's `style:`.

    Every layout.yaml of the chain is validated (layout_tokens); problems raise a
    SourceError naming the file, line and column."""
    from . import layout_tokens

    root = root or layouts_dir()
    known = available_layouts(root)
    chain: list[Path] = []
    layers: list[tuple[Path, dict, yamltree.Locations]] = []
    problems: list[SourceProblem] = []
    current: str | None = name
    while current:
        folder = root / current
        if folder in chain:
            raise PublishError(f"layout '{name}': 'extends' forms a loop through '{current}'")
        spec_path = folder / "layout.yaml"
        if not spec_path.is_file():
            known_list = ", ".join(sorted(known))
            raise PublishError(f"unknown layout '{current}' (known: {known_list})")
        data, locations = yamltree.load(spec_path)
        if not isinstance(data, dict):
            raise SourceError([SourceProblem(spec_path, 1, 1, "", "layout.yaml must be a mapping of tokens")])
        problems += layout_tokens.check_layout_file(spec_path, data, locations, known)
        chain.append(folder)
        layers.append((spec_path, data, locations))
        parent = data.get("extends")
        current = parent if isinstance(parent, str) and parent in known else None
    if problems:
        raise SourceError(problems)
    tokens: dict = {}
    for _, layer, _ in reversed(layers):
        # a group whose tokens are all commented out (new-layout's scaffold) is empty
        layer = {k: v for k, v in layer.items() if k != "extends" and v is not None}
        sheets = layer.get("stylesheets")
        if isinstance(sheets, dict):
            inherited = tokens.get("stylesheets") or {}
            layer["stylesheets"] = {
                medium: [x for item in names for x in (inherited.get(medium, []) if item == "inherit" else [item])]
                for medium, names in sheets.items()
            }
        tokens = _deep_merge(tokens, layer)
    spec_path, _, locations = layers[0]
    problems = layout_tokens.check_merged(tokens, spec_path, locations)
    layout = Layout(name=name, chain=chain, tokens=tokens)
    if not problems:
        for medium, names in (tokens.get("stylesheets") or {}).items():
            for i, sheet in enumerate(names):
                if not any((folder / sheet).is_file() for folder in chain):
                    spot = locations.of(("stylesheets", medium))
                    problems.append(SourceProblem(spec_path, spot.line, spot.column, f"stylesheets.{medium}",
                                                  f"no {sheet} in {', '.join(p.name + '/' for p in chain)}"))
        spot = locations.key(("type_area",))
        problems += [SourceProblem(spec_path, spot.line, spot.column, "type_area", message)
                     for message in (m.removeprefix("type area: ") for m in layout.type_area.problems())]
    if problems:
        raise SourceError(problems)
    if style:
        layout = apply_style(layout, style, source)
    return layout


def token_paths(tokens: dict, prefix: str = "") -> dict[str, object]:
    """{'colors.accent.rgb': '#…', …}: every overridable leaf token by dotted name."""
    out = {}
    for key, value in tokens.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out[name] = value
            out.update(token_paths(value, name + "."))
        else:
            out[name] = value
    return out


def apply_style(layout: Layout, style: dict, source: Path | None) -> Layout:
    """A source's `style:` overrides tokens for that source only (dotted or nested keys).

    `publish check` and `build.load` validate the style with positions first (through the
    interview loader's `check_style` hook); this only guards direct callers."""
    from . import layout_tokens

    problems = layout_tokens.check_style(style, layout.tokens)
    if problems:
        field_path, message, _ = problems[0]
        raise PublishError(f"{source or 'style'}: style.{'.'.join(map(str, field_path))}: {message}")
    tokens = copy.deepcopy(layout.tokens)
    for name, _, value in layout_tokens.style_leaves(style):
        target = tokens
        *parents, leaf = name.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = copy.deepcopy(value)
    return Layout(name=layout.name, chain=layout.chain, tokens=tokens, overrides_from=source)
