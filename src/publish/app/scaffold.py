"""`publish new-layout NAME --from PARENT`: a child layout whose `layout.yaml` lists every
token it may override, commented, with the parent's value and the token's meaning; and
`publish init DIR`: a ready project folder."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from publish.errors import PublishError
from publish.layout import available_layouts, layout_roots, load_layout
from publish.layout.tokens import BY_NAME, GROUPS, TOKENS, spec_for

NAME = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")


def yaml_scalar(value) -> str:
    """A token value as it would be written in layout.yaml (flow style, one line)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, list):
        return "[" + ", ".join(yaml_scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k}: {yaml_scalar(v)}" for k, v in value.items()) + " }"
    text = str(value)
    if re.fullmatch(r"[A-Za-z0-9._-]+( [A-Za-z0-9._-]+)?", text) and text not in ("true", "false", "null", "yes", "no"):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"' if "'" in text else f"'{text}'"


def child_layout_yaml(name: str, parent: str, root: Path | list[Path] | None = None) -> str:
    layout = load_layout(parent, root=root)
    tokens = layout.tokens
    out = [
        f"# Layout '{name}', made by `publish new-layout {name} --from {parent}`.",
        f"# It extends '{parent}': every token below is commented out and comes from '{parent}'",
        "# (the value shown is the parent's). Uncomment a token to override it; leave the rest.",
        "# Templates (templates/parts/*.html.j2) and CSS put in this folder replace the parent's",
        "# file of the same name; see layouts/README.md for every token, part and CSS class.",
        "# Lengths take pt, mm or Q (1Q = 0.25 mm); colours give cmyk (print, % of each ink) and",
        "# rgb (screen). Preview while you edit: publish preview content/<source>.yaml --layout " + name,
        f"extends: {parent}",
        f"description: {yaml_scalar(str(tokens.get('description', parent)) + ' (variant)')}",
    ]
    mode = BY_NAME["writing_mode"]  # the one top-level design token (縦組み print)
    out += ["", *("#" + line[3:] for line in _doc_lines(f"{mode.doc} [{mode.unit}]")),
            f"# writing_mode: {tokens.get('writing_mode', mode.default)}"]
    for group in _group_order(tokens):
        values = tokens.get(group) if isinstance(tokens.get(group), dict) else {}
        names = [t.name.split(".", 1)[1] for t in TOKENS if t.name.startswith(group + ".") and "*" not in t.name]
        names += [k for k in values if k not in names]
        listed = [k for k in names if k in values or (BY_NAME.get(f"{group}.{k}") and BY_NAME[f"{group}.{k}"].default)]
        if not listed:
            continue
        out.append("")
        out.append(f"{group}:")
        for key in listed:
            token = spec_for(f"{group}.{key}")
            if token is None or not token.overridable:
                continue
            doc = token.doc if f"{group}.{key}" in BY_NAME else f"{parent}'s own. {token.doc}"
            if key in values:
                out += _doc_lines(f"{doc} [{token.unit}]")
                out.append(f"  # {key}: {yaml_scalar(values[key])}")
            else:
                out += _doc_lines(f"{doc} [{token.unit}] Not set by {parent}: the toolkit's default applies.")
                out.append(f"  # {key}: {token.default}")
        wildcard = BY_NAME.get(f"{group}.*")
        if wildcard:
            out += _doc_lines(f"Add your own: {wildcard.doc} [{wildcard.unit}]")
            out.append("  # my-name: …")
    out += [
        "",
        "# Your own CSS, after the parent's stylesheets (`inherit` is the parent's list):",
        "# stylesheets:",
        f"#   print: [inherit, {name}.css]",
    ]
    return "\n".join(out) + "\n"


def _group_order(tokens: dict) -> list[str]:
    order = []
    for token in TOKENS:
        group = token.name.split(".")[0]
        if "." in token.name and group not in order and group != "stylesheets":
            order.append(group)
    return order + [g for g in GROUPS if g not in order and g != "stylesheets"]


def _doc_lines(doc: str, width: int = 92) -> list[str]:
    return ["  #   " + line for line in textwrap.wrap(doc, width=width)]


def new_layout(name: str, parent: str = "brochure", root: Path | None = None) -> Path:
    """Write root/NAME/layout.yaml (default root: the project's layouts/, never the package's)."""
    root = root or layouts_target()
    roots = [root] + [r for r in layout_roots() if r.resolve() != root.resolve()]
    if not NAME.match(name):
        raise PublishError(f"layout name '{name}' must use only a-z, 0-9, '_' and '-' (it is a folder name)")
    known = available_layouts(roots)
    if parent not in known:
        raise PublishError(f"unknown layout '{parent}' to start from (known: {', '.join(sorted(known))})")
    folder = root / name
    if folder.exists():
        raise PublishError(f"{folder} already exists; choose another name or edit it")
    text = child_layout_yaml(name, parent, roots)
    folder.mkdir(parents=True)
    (folder / "layout.yaml").write_text(text, encoding="utf-8")
    load_layout(name, root=roots)  # the new layout must load as it is
    return folder / "layout.yaml"


def layouts_target() -> Path:
    """Where new-layout writes: $PUBLISH_LAYOUTS, else the current project's layouts/."""
    import os

    from publish.project import current

    if os.environ.get("PUBLISH_LAYOUTS"):
        return Path(os.environ["PUBLISH_LAYOUTS"]).resolve()
    project = current()
    if project is None:
        raise PublishError("no project here (a folder with content/); run it inside one, pass --project DIR, "
                           "or make one with `publish init DIR`")
    return project.layouts


# --- publish init ----------------------------------------------------------------------

PROJECT_MAKEFILE = """\
# `make` builds every content/*.yaml into build/ with `publish` (install it once with
# `pipx install` of the publish folder or wheel); `make check` preflights the PDFs.
# Each output depends on its source, the images and the project's layouts.

PUBLISH ?= publish

SOURCES  := $(filter-out %.collection.yaml,$(wildcard content/*.yaml))
COLLECTIONS := $(wildcard content/*.collection.yaml)
DEPS     := $(wildcard content/images/*) $(shell find layouts -type f 2>/dev/null)
PDFS     := $(patsubst content/%.yaml,build/%.pdf,$(SOURCES)) \\
            $(patsubst content/%.collection.yaml,build/%.pdf,$(COLLECTIONS))
EPUBS    := $(PDFS:.pdf=.epub)

.PHONY: all check layouts clean
.DELETE_ON_ERROR:

all: $(PDFS) $(EPUBS)

build/%.pdf: content/%.yaml $(DEPS)
\t$(PUBLISH) build $< --format pdf --out build

build/%.epub: content/%.yaml $(DEPS)
\t$(PUBLISH) build $< --format epub --out build

build/%.pdf: content/%.collection.yaml $(SOURCES) $(DEPS)
\t$(PUBLISH) build $< --format pdf --out build

build/%.epub: content/%.collection.yaml $(SOURCES) $(DEPS)
\t$(PUBLISH) build $< --format epub --out build

check: $(PDFS)
\t$(PUBLISH) check $(SOURCES) $(COLLECTIONS)
\t$(PUBLISH) check $(PDFS)

layouts:
\t$(PUBLISH) layouts

clean:
\trm -rf build
"""

SAMPLE_HEADER = """\
# The sample of `publish init`: build it with `publish build`, then replace it with your own
# interviews (`publish import ARTICLE.txt` or `MANUSCRIPT.docx` starts one from an article).
"""

PROJECT_GITIGNORE = """\
/build/
*.tmp
"""


def init_project(folder: Path) -> list[Path]:
    """A ready project in `folder`: content/ with the sample interview, an empty
    content/images/, a Makefile that calls `publish`, and a .gitignore for build/."""
    from publish.project import sample_source

    folder = Path(folder)
    files = {
        folder / "content" / sample_source().name: SAMPLE_HEADER + sample_source().read_text(encoding="utf-8"),
        folder / "Makefile": PROJECT_MAKEFILE,
        folder / ".gitignore": PROJECT_GITIGNORE,
    }
    clash = [p for p in files if p.exists()]
    if (folder / "content").is_dir() and any((folder / "content").glob("*.yaml")):
        clash.append(folder / "content")
    if clash:
        raise PublishError(f"{clash[0]} already exists; `publish init` only starts new projects")
    (folder / "content" / "images").mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return list(files)


def layout_table(roots: list[Path] | None = None) -> list[tuple[str, str, Path, str | None, str]]:
    """(name, origin, folder, extends, description) for every layout found, first match
    first; origin is 'project', 'built-in' or, for a $PUBLISH_LAYOUTS folder, 'folder'.
    A project layout hiding a built-in one of the same name says so."""
    import yaml

    from publish.layout import layouts_dir
    from publish.project import builtin_layouts_dir

    roots = roots or layout_roots()
    builtin = builtin_layouts_dir().resolve()
    rows, seen = [], set()
    for root in roots:
        origin = "built-in" if root.resolve() == builtin else (
            "folder" if root.resolve() == layouts_dir().resolve() else "project")
        for spec in sorted(root.glob("*/layout.yaml")):
            name = spec.parent.name
            try:
                data = yaml.safe_load(spec.read_text(encoding="utf-8")) or {}
            except yaml.YAMLError:
                data = {}
            data = data if isinstance(data, dict) else {}
            description = str(data.get("description") or "")
            if name in seen:
                origin_note = f"{origin}, hidden by the project's"
                rows.append((name, origin_note, spec.parent, data.get("extends"), description))
                continue
            seen.add(name)
            rows.append((name, origin, spec.parent, data.get("extends"), description))
    return rows
