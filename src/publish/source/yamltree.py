"""Read YAML while remembering where every value and key stands in the file.

PyYAML's composed node tree keeps marks; we turn it into plain Python values plus a
`Locations` table keyed by the value's path, e.g. ("sections", 2, "turns", 0), so that
validation can point at the line and column of any field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import SourceError, SourceProblem

Path_ = tuple  # a field path: str keys and int indexes


@dataclass(frozen=True)
class Spot:
    line: int  # 1-based
    column: int  # 1-based
    style: str | None = None  # scalar style: None (plain), "'", '"', "|", ">"


@dataclass
class Locations:
    values: dict[Path_, Spot] = field(default_factory=dict)
    keys: dict[Path_, Spot] = field(default_factory=dict)

    def of(self, path: Path_) -> Spot:
        """The spot of a value, else of its key, else of the nearest enclosing value."""
        path = tuple(path)
        while True:
            if path in self.values:
                return self.values[path]
            if path in self.keys:
                return self.keys[path]
            if not path:
                return Spot(1, 1)
            path = path[:-1]

    def key(self, path: Path_) -> Spot:
        return self.keys.get(tuple(path)) or self.of(path)


def read_text(path: Path) -> str:
    """The file as text; a file that is not UTF-8 is a SourceProblem at the bad byte."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SourceError([SourceProblem(path, 1, 1, "", f"cannot read the file: {exc.strerror or exc}")]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise SourceError(
            [SourceProblem(path, line, column, "", f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8")]
        ) from None
    return text.removeprefix("\ufeff")


def load(path: Path) -> tuple[object, Locations]:
    """Parse one YAML file into (plain value, locations)."""
    text = read_text(path)
    if not text.strip():
        raise SourceError([SourceProblem(path, 1, 1, "", "the file is empty")])
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise SourceError([SourceProblem(path, 1, 1, "", "the file holds no YAML document")])
        locations = Locations()
        problems: list[SourceProblem] = []
        value = _convert(node, (), loader, locations, problems, path)
    except yaml.MarkedYAMLError as exc:
        raise SourceError([_syntax_problem(path, text, exc)]) from None
    finally:
        loader.dispose()
    if problems:
        raise SourceError(problems)
    return value, locations


OPENERS = {"flow sequence": ("[", "]"), "flow mapping": ("{", "}"), "quoted scalar": (None, None)}


def _syntax_problem(path: Path, text: str, exc: yaml.MarkedYAMLError) -> SourceProblem:
    """A YAML syntax error where the mistake is: an unclosed `[`, `{` or quote is reported
    at the opening character (PyYAML notices it only where the next token fails, often on
    a later line), a stray token at the token."""
    mark = exc.problem_mark or exc.context_mark
    message = " ".join(filter(None, [exc.context, exc.problem])) or "YAML syntax error"
    context = exc.context or ""
    opened = next((kind for kind in OPENERS if kind in context), None)
    if opened and exc.context_mark is not None and exc.problem_mark is not None \
            and exc.problem_mark.line > exc.context_mark.line:
        start = exc.context_mark
        opener, closer = OPENERS[opened]
        if opener:
            message = (f"the {opener} opened here is not closed: no {closer} before line {exc.problem_mark.line + 1} "
                       f"(close it with {closer})")
        else:
            message = f"the quoted text opened here is not closed before line {exc.problem_mark.line + 1}"
        return SourceProblem(path, start.line + 1, start.column + 1, "", f"YAML syntax error: {message}")
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return SourceProblem(path, line, column, "", f"YAML syntax error: {message}")


def _spot(node) -> Spot:
    style = getattr(node, "style", None)
    return Spot(node.start_mark.line + 1, node.start_mark.column + 1, style)


def _convert(node, path, loader, locations: Locations, problems, file_path):
    locations.values[path] = _spot(node)
    if isinstance(node, yaml.MappingNode):
        result = {}
        loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int)):
                key = str(key)
            if key in result:
                s = _spot(key_node)
                problems.append(SourceProblem(file_path, s.line, s.column, dotted(path + (key,)), "is given twice"))
                continue
            locations.keys[path + (key,)] = _spot(key_node)
            result[key] = _convert(value_node, path + (key,), loader, locations, problems, file_path)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, path + (i,), loader, locations, problems, file_path)
            for i, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)



def dotted(path) -> str:
    """("sections", 2, "turns", 0) -> "sections[2].turns[0]"."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
