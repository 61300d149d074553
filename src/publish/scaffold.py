"""`publish new-layout NAME --from PARENT`: a child layout whose `layout.yaml` lists every
token it may override, commented, with the parent's value and the token's meaning."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from .errors import PublishError
from .layout import available_layouts, layouts_dir, load_layout
from .layout_tokens import BY_NAME, GROUPS, TOKENS, spec_for

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


def child_layout_yaml(name: str, parent: str, root: Path | None = None) -> str:
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
    root = root or layouts_dir()
    if not NAME.match(name):
        raise PublishError(f"layout name '{name}' must use only a-z, 0-9, '_' and '-' (it is a folder name)")
    known = available_layouts(root)
    if parent not in known:
        raise PublishError(f"unknown layout '{parent}' to start from (known: {', '.join(sorted(known))})")
    folder = root / name
    if folder.exists():
        raise PublishError(f"{folder} already exists; choose another name or edit it")
    text = child_layout_yaml(name, parent, root)
    folder.mkdir(parents=True)
    (folder / "layout.yaml").write_text(text, encoding="utf-8")
    load_layout(name, root=root)  # the new layout must load as it is
    return folder / "layout.yaml"
