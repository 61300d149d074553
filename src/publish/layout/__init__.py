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

from publish.errors import LoadRefused, MissingLayoutFile, PublishError, SourceError, SourceProblem
from publish.layout.tokens import PT_PER, token_paths  # noqa: F401 - part of the layout API
from publish.project import fonts_dir, layouts_dir  # noqa: F401 - part of the layout API
from publish.readers import yamltree



def project_root() -> Path:
    """The checkout holding layouts/ and fonts/ (an editable install); see project.py."""
    return Path(__file__).resolve().parents[3]


def layout_roots(root: Path | list[Path] | None = None) -> list[Path]:
    """Where layouts are looked up, first match wins: `root` if given; else the current
    project's `layouts/` (when it has one) before the built-in layouts ($PUBLISH_LAYOUTS
    replaces both)."""
    if root is not None:
        return [Path(root)] if isinstance(root, (str, Path)) else [Path(r) for r in root]
    if os.environ.get("PUBLISH_LAYOUTS"):
        return [layouts_dir()]
    from publish.project import current

    roots = [layouts_dir().resolve()]
    project = current()
    if project is not None and project.layouts.is_dir() and project.layouts.resolve() != roots[0]:
        roots.insert(0, project.layouts.resolve())
    return roots


def available_layouts(root: Path | list[Path] | None = None) -> set[str]:
    return {p.parent.name for r in layout_roots(root) for p in r.glob("*/layout.yaml")}


def _layout_folder(roots: list[Path], name: str, after: int = -1) -> tuple[int, Path] | None:
    """The first roots[i]/name with a layout.yaml, i > after (a project layout may extend
    the built-in layout of the same name)."""
    for index, root in enumerate(roots):
        if index > after and (root / name / "layout.yaml").is_file():
            return index, root / name
    return None


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

    MIN_MARGIN = 24.0  # pt: room for the running title, the folio and the trim's tolerance

    def culprits(self) -> list[tuple[str, str]]:
        """(the token to change, message) for each margin the type area leaves too small,
        naming the margin (天, 地, ノド, 小口) and its value."""
        out = []
        low = self.MIN_MARGIN
        if self.vertical:
            if self.frame_margin_right < low:
                out.append(("chars_per_line", f"type area: columns of {self.chars_per_line} characters of "
                                              f"{self.body_size:g}pt leave a foot margin (地) of "
                                              f"{self.frame_margin_right:.1f}pt (at least {low:g}pt); use fewer "
                                              f"characters or a smaller margin_top"))
            if min(self.frame_margin_top, self.frame_margin_bottom) < low:
                out.append(("lines", f"type area: {self.lines} lines of {self.line_pitch:g}pt are "
                                     f"{self.height:.1f}pt wide, too wide for a {self.page_width:.1f}pt page "
                                     f"(side margins of at least {low:g}pt)"))
            return out
        if self.margin_top < low:
            out.append(("margin_top", f"type area: the head margin (天, margin_top) is {self.margin_top:.1f}pt; "
                                      f"give at least {low:g}pt"))
        if self.margin_bottom < low:
            out.append(("lines", f"type area: {self.lines} lines of {self.line_pitch:g}pt ({self.height:.1f}pt) "
                                 f"below a head margin of {self.margin_top:.1f}pt leave a foot margin (地) of "
                                 f"{self.margin_bottom:.1f}pt on a {self.page_height:.1f}pt page (at least "
                                 f"{low:g}pt); use fewer lines or a smaller margin_top"))
        width = (f"{self.columns}×{self.chars_per_line} characters of {self.body_size:g}pt"
                 + (f" with a gutter of {self.gutter_chars:g}" if self.columns > 1 else "")
                 + f" are {self.width:.1f}pt wide")
        if self.margin_inside is None:
            if self.margin_left < low:
                out.append(("chars_per_line", f"type area: {width}, too wide for a {self.page_width:.1f}pt page: "
                                              f"the side margins (ノド and 小口) would be {self.margin_left:.1f}pt "
                                              f"each (at least {low:g}pt)"))
        else:
            if self.margin_inside < low:
                out.append(("margin_inside", f"type area: the inside margin (ノド, margin_inside) is "
                                             f"{self.margin_inside:.1f}pt; give at least {low:g}pt"))
            if self.margin_right < low:
                out.append(("margin_inside", f"type area: {width}; with an inside margin (ノド) of "
                                             f"{self.margin_inside:.1f}pt the outside margin (小口) is "
                                             f"{self.margin_right:.1f}pt on a {self.page_width:.1f}pt page (at "
                                             f"least {low:g}pt); use a smaller margin_inside or fewer characters"))
        return out

    def problems(self) -> list[str]:
        return [message for _, message in self.culprits()]


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
        from publish.press.settings import parse_trim

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
        """Every token as a CSS custom property; colours per medium (print: CMYK).

        Each value is parsed by its token's grammar (publish.layout.tokens) and written
        back from the parsed parts, so nothing a token holds is pasted into the CSS."""
        from publish.layout.tokens import css_font_family, css_length

        lines = []
        ta = self.type_area
        derived = {
            "page-width": f"{ta.page_width:.3f}pt", "page-height": f"{ta.page_height:.3f}pt",
            "bleed": f"{self.bleed_mm:.3f}mm",
            "body-size": f"{ta.body_size:g}pt", "line-pitch": f"{ta.line_pitch:g}pt",
            "column-width": f"{ta.column_width:.3f}pt", "column-gap": f"{ta.gutter:.3f}pt",
            "columns": str(int(ta.columns)), "text-width": f"{ta.width:.3f}pt", "text-height": f"{ta.height:.3f}pt",
            "margin-top": f"{ta.margin_top:.3f}pt", "margin-bottom": f"{ta.margin_bottom:.3f}pt",
            "margin-left": f"{ta.margin_left:.3f}pt", "margin-right": f"{ta.margin_right:.3f}pt",
        }
        derived.update(self.cover_variables())
        for name, value in derived.items():
            lines.append(f"  --{name}: {value};")
        for name, value in (self.tokens.get("sizes") or {}).items():
            lines.append(f"  --size-{_css_name(name)}: {css_length(value)};")
        for name, value in (self.tokens.get("fonts") or {}).items():
            lines.append(f"  --font-{_css_name(name)}: {css_font_family(value)};")
        for name, spec in (self.tokens.get("colors") or {}).items():
            lines.append(f"  --color-{_css_name(name)}: {css_color(spec, medium)};")
        typesetting = self.tokens.get("typesetting") or {}
        expansion = typesetting.get("wakan_expansion")
        if expansion:  # read by typeset_ja.weasyprint (justification order)
            lines.append(f"  --jl-wakan-expansion: {_css_name(expansion)};")
        for name, prop in (("push_in", "--jl-push-in"), ("short_end", "--jl-short-end")):  # line breaking
            if isinstance(typesetting.get(name), bool):
                lines.append(f"  {prop}: {'on' if typesetting[name] else 'off'};")
        min_wakan = typesetting.get("min_wakan")
        if isinstance(min_wakan, (int, float)) and not isinstance(min_wakan, bool):
            lines.append(f"  --jl-min-wakan: {float(min_wakan):g};")
        block = ":root {\n" + "\n".join(lines) + "\n}\n"
        if re.search(r"[<>]", block):  # cannot happen: every part above is escaped or numeric
            raise PublishError(f"layout '{self.name}': a token produced unsafe CSS")
        return block

    def cover_variables(self) -> dict[str, str]:
        """The `cover` tokens (percentages of the trim) as lengths: --cover-field, …"""
        from publish.layout.tokens import fraction

        ta = self.type_area
        out = {}
        for name, value in (self.tokens.get("cover") or {}).items():
            number = fraction(value)
            if number is None:
                continue
            base = ta.page_width if name == "margin" else ta.page_height
            out[f"cover-{name.replace('_', '-')}"] = f"{number / 100 * base:.3f}pt"
            if name == "field":  # the field's box: to the bleed at the head, and at the foot when it fills the page
                bleed = self.bleed_mm * PT_PER["mm"] * (2 if number >= 100 else 1)
                out["cover-field-box"] = f"{number / 100 * base + bleed:.3f}pt"
        return out

    # -- files ----------------------------------------------------------------------
    def find(self, relative: str) -> Path:
        """The file `relative` of the first layout of the chain that has it; it must stay
        inside that layout's folder once symlinks are resolved."""
        for folder in self.chain:
            candidate = folder / relative
            if candidate.exists():
                if not candidate.resolve().is_relative_to(Path(folder).resolve()):
                    raise LoadRefused(f"layout '{self.name}': {relative} resolves to {candidate.resolve()}, "
                                      f"outside the layout's folder {folder}")
                return candidate
        raise MissingLayoutFile(f"layout '{self.name}': no {relative} in {', '.join(str(p) for p in self.chain)}")

    def stylesheets(self, medium: str) -> list[Path]:
        names = (self.tokens.get("stylesheets") or {}).get(medium, [])
        return [self.find(name) for name in names]

    @property
    def files(self) -> list[Path]:
        """Every file the layout's output depends on (for make and the preview's watcher)."""
        return sorted(p for folder in self.chain for p in folder.rglob("*") if p.is_file())

    @property
    def env(self) -> jinja2.Environment:
        """The layout's sandboxed template environment (see publish.layout.templating)."""
        if self._env is None:
            from publish.layout.templating import environment

            self._env = environment(self.chain)
        return self._env


def _css_name(name) -> str:
    text = str(name)
    if not re.fullmatch(r"[A-Za-z0-9_-]+", text):
        raise PublishError(f"token name {text!r} may only use a-z, 0-9, _ and -")
    return text


def css_color(spec, medium: str) -> str:
    """A colour token {cmyk: [c, m, y, k] in %, rgb: '#rrggbb'} for one medium, written
    from its parsed numbers."""
    from publish.layout.tokens import RGB

    if not isinstance(spec, dict):
        raise PublishError(f"a colour must be {{cmyk: [C, M, Y, K], rgb: \"#rrggbb\"}}, not {spec!r}")
    if medium == "print" and "cmyk" in spec:
        c, m, y, k = (float(v) / 100 for v in spec["cmyk"])
        return f"device-cmyk({c:g} {m:g} {y:g} {k:g})"
    rgb = spec.get("rgb")
    if not isinstance(rgb, str) or not RGB.match(rgb):
        raise PublishError(f"rgb must be a hex colour like \"#00589c\", not {rgb!r}")
    return rgb.lower()


def load_layout(name: str, *, style: dict | None = None, root: Path | None = None,
                source: Path | None = None) -> Layout:
    """Resolve a layout by name, following `extends`, then apply a source's `style:`.

    Every layout.yaml of the chain is validated (layout/tokens.py); problems raise a
    SourceError naming the file, line and column."""
    from publish.layout import tokens as layout_tokens

    roots = layout_roots(root)
    known = available_layouts(roots)
    chain: list[Path] = []
    layers: list[tuple[Path, dict, yamltree.Locations]] = []
    problems: list[SourceProblem] = []
    current: str | None = name
    found_in = -1
    while current:
        found = _layout_folder(roots, current, found_in if chain and current == chain[-1].name else -1)
        if found is None and current in known:
            raise PublishError(f"layout '{name}': 'extends' forms a loop through '{current}'")
        if found is None:
            known_list = ", ".join(sorted(known))
            raise PublishError(f"unknown layout '{current}' (known: {known_list})")
        found_in, folder = found
        if folder in chain:
            raise PublishError(f"layout '{name}': 'extends' forms a loop through '{current}'")
        spec_path = folder / "layout.yaml"
        data, locations = yamltree.load(spec_path)
        if not isinstance(data, dict):
            raise SourceError([SourceProblem(spec_path, 1, 1, "", "layout.yaml must be a mapping of tokens")])
        problems += layout_tokens.check_layout_file(spec_path, data, locations, known)
        chain.append(folder)
        layers.append((spec_path, data, locations))
        parent = data.get("extends")
        current = parent if isinstance(parent, str) and parent in known else None
    if any(p.field == "extends" for p in problems):
        raise SourceError(problems)  # without its parent the rest is noise
    file_problems = problems
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
    problems = file_problems + layout_tokens.check_merged(tokens, spec_path, locations)
    layout = Layout(name=name, chain=chain, tokens=tokens)
    # every problem at once: the type area is checked unless one of its own tokens (or the
    # trim) is already reported as wrong
    if not any(p.field.startswith("stylesheets") for p in problems):
        for medium, names in (tokens.get("stylesheets") or {}).items():
            for i, sheet in enumerate(names):
                if not any((folder / sheet).is_file() for folder in chain):
                    spot = locations.of(("stylesheets", medium))
                    problems.append(SourceProblem(spec_path, spot.line, spot.column, f"stylesheets.{medium}",
                                                  f"no {sheet} in {', '.join(p.name + '/' for p in chain)}"))
    if not any(p.field.startswith(("type_area", "page.trim")) for p in problems):
        for token, message in _area_culprits(layout):
            # at the token the designer should change, in the file being loaded when it
            # sets it, else at the type_area group
            key = ("type_area", token)
            field_name = f"type_area.{token}" if key in locations.keys else "type_area"
            spot = locations.key(key) if key in locations.keys else locations.key(("type_area",))
            problems.append(SourceProblem(spec_path, spot.line, spot.column, field_name,
                                          message.removeprefix("type area: ")))
    if problems:
        raise SourceError(problems)
    if style:
        layout = apply_style(layout, style, source)
    return layout


def _area_culprits(layout: Layout) -> list[tuple[str, str]]:
    try:
        return layout.type_area.culprits()
    except (KeyError, ValueError, TypeError):
        return []  # a missing or malformed token, reported on its own


def apply_style(layout: Layout, style: dict, source: Path | None) -> Layout:
    """A source's `style:` overrides tokens for that source only (dotted or nested keys).

    `publish check` and `build.load` validate the style with positions first (through the
    interview loader's `check_style` hook); this only guards direct callers."""
    from publish.layout import tokens as layout_tokens

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


def print_settings(layout: Layout):
    """The print stage's settings (publish.press.PrintSettings) from the layout's `page` tokens."""
    from publish import press

    tokens = dict(layout.tokens.get("page") or {})
    profile = tokens.get("icc_profile")
    if profile:  # a file of the layout chain (the token grammar refuses absolute paths and '..')
        tokens["icc_profile"] = str(layout.find(profile))
    try:
        return press.PrintSettings.from_tokens(tokens)
    except press.SettingsError as exc:
        raise PublishError(f"layout '{layout.name}': page: {exc}") from None
