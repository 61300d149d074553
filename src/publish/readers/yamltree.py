"""Read YAML while remembering where every value and key stands in the file.

PyYAML's composed node tree keeps marks; we turn it into plain Python values plus a
`Locations` table keyed by the value's path, e.g. ("sections", 2, "turns", 0), so that
validation can point at the line and column of any field.

Sources are untrusted, so the reader is strict (every refusal is a `SourceProblem` with
its position, never a traceback):

* a file larger than MAX_BYTES, nesting deeper than MAX_DEPTH or more than MAX_NODES
  values is refused before it can eat memory or the stack;
* anchors, aliases and merge keys (`&a`, `*a`, `<<:`) are refused: sources never need
  them, and they are how "billion laughs" bombs and self-referencing values are made;
* explicit tags other than `!!str` (`!!int abc`, `!!binary`, `!!python/…`) are refused;
* a value that does not construct (2024-02-30, a 5,001-digit number) is a problem at
  that value;
* characters that XML 1.0 does not allow (controls other than tab and line breaks,
  U+FFFE/U+FFFF, lone surrogates such as an escaped "\\ud800"), C1 controls and the
  bidirectional embedding/override/isolate controls are refused wherever they stand,
  written raw or as a double-quoted escape.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from publish.errors import SourceError, SourceProblem

Path_ = tuple  # a field path: str keys and int indexes

MAX_BYTES = 1 << 20  # 1 MiB: the sample interview is 16 KB
MAX_DEPTH = 40  # nested mappings/lists; a source needs 5
MAX_NODES = 20_000  # values in one file; the sample has about 300
MAX_NUMBER = 100  # characters of a plain number
MAX_CHAR_PROBLEMS = 20  # bad characters reported one by one, then counted

STR_TAG = "tag:yaml.org,2002:str"
MERGE_TAG = "tag:yaml.org,2002:merge"

# Characters refused in any value (escaped or raw).
_BAD_CHARS = "\x00-\x08\x0b\x0c\x0d\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069"
BAD_CHAR = re.compile(f"[{_BAD_CHARS}]")
# In the raw text a carriage return is a line break (CRLF files), not a character of a value.
_RAW_BAD = re.compile(f"[{_BAD_CHARS.replace(chr(13), '')}]")
# A double-quoted scalar's escapes (YAML 1.1 as PyYAML reads them).
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.S)
_SIMPLE_ESCAPES = {"0": "\0", "a": "\x07", "b": "\x08", "t": "\t", "\t": "\t", "n": "\n", "v": "\x0b",
                   "f": "\x0c", "r": "\r", "e": "\x1b", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029"}


def char_problem(ch: str) -> str | None:
    """Why a character may not stand in a source's text, or None."""
    cp = ord(ch)
    if ch in "\t\n":
        return None
    if cp < 0x20 or 0x7F <= cp <= 0x9F:
        name = {0: "NUL", 0x1B: "ESC", 0x0D: "carriage return", 0x7F: "DEL"}.get(cp, "")
        label = f"U+{cp:04X}" + (f" ({name})" if name else "")
        return f"control character {label} is not allowed (only tab and line breaks are)"
    if 0xD800 <= cp <= 0xDFFF:
        return (f"U+{cp:04X} is a lone surrogate, not a character (write the character itself, "
                "not \\u escapes of its UTF-16 halves)")
    if cp in (0xFFFE, 0xFFFF):
        return f"U+{cp:04X} is not a character (not allowed in XML)"
    if 0x202A <= cp <= 0x202E or 0x2066 <= cp <= 0x2069:
        name = unicodedata.name(ch, "").lower()
        return f"bidirectional control U+{cp:04X} ({name}) is not allowed: it reorders the text invisibly"
    return None


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


def read_text(path: Path, *, limit: int = MAX_BYTES, what: str = "file") -> str:
    """The file as text; a file that is not UTF-8 is a SourceProblem at the bad byte, and so
    is one larger than `limit` bytes (read no further than that: /dev/zero ends too)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise SourceError([SourceProblem(path, 1, 1, "", f"cannot read the file: {exc.strerror or exc}")]) from None
    if len(data) > limit:
        raise SourceError([SourceProblem(path, 1, 1, "", f"the {what} is larger than {limit // 1024} KiB; "
                                                         "split it or check that it is the right file")])
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


def position(text: str, index: int) -> tuple[int, int]:
    """1-based (line, column) of character `index` of `text`."""
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def bad_characters(text: str, path: Path, field_at=lambda index: "", pattern=_RAW_BAD) -> list[SourceProblem]:
    """A problem for each refused character of `text` (the first MAX_CHAR_PROBLEMS, then a count)."""
    problems = []
    matches = pattern.finditer(text)
    for count, match in enumerate(matches):
        if count == MAX_CHAR_PROBLEMS:
            rest = 1 + sum(1 for _ in matches)
            line, column = position(text, match.start())
            problems.append(SourceProblem(path, line, column, "", f"… and {rest} more refused characters"))
            break
        line, column = position(text, match.start())
        problems.append(SourceProblem(path, line, column, field_at(match.start()), char_problem(match.group())))
    return problems


class _Refused(Exception):
    def __init__(self, mark, field_path: tuple, message: str):
        super().__init__(message)
        self.mark, self.path, self.message = mark, field_path, message


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses anchors, aliases, explicit tags and deep or huge documents
    while composing, before any value is built."""

    def __init__(self, stream):
        super().__init__(stream)
        self._path: list = []
        self._nodes = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(parent, yaml.MappingNode) and isinstance(index, yaml.ScalarNode):
            step = index.value
        elif isinstance(index, int):
            step = index
        else:
            step = None
        path = tuple(self._path) + ((step,) if step is not None else ())
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(event.start_mark, path, f"aliases (*{event.anchor}) are not allowed in a source; "
                                                   "write the value out")
        if event.anchor is not None:
            raise _Refused(event.start_mark, path, f"anchors (&{event.anchor}) are not allowed in a source; "
                                                   "write the value out where it is used")
        tag = getattr(event, "tag", None)
        if tag not in (None, "!", STR_TAG):
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            raise _Refused(event.start_mark, path, f"the YAML tag {shown} is not allowed in a source; "
                                                   "write the plain value (quote it to keep it text)")
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _Refused(event.start_mark, path, f"more than {MAX_NODES} values in one file")
        if len(self._path) >= MAX_DEPTH and isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            raise _Refused(event.start_mark, path, f"nested more than {MAX_DEPTH} levels deep")
        pushed = step is not None
        if pushed:
            self._path.append(step)
        try:
            return super().compose_node(parent, index)
        except yaml.MarkedYAMLError as exc:
            if not hasattr(exc, "field_path"):  # the innermost field being read
                exc.field_path = tuple(self._path)
            raise
        finally:
            if pushed:
                self._path.pop()


def load(path: Path) -> tuple[object, Locations]:
    """Parse one YAML file into (plain value, locations). Raises SourceError."""
    text = read_text(path)
    if not text.strip():
        raise SourceError([SourceProblem(path, 1, 1, "", "the file is empty")])
    raw_bad = _RAW_BAD.search(text) is not None
    # Refused raw characters become U+FFFD so PyYAML's reader does not stop at the first
    # one; each is reported below with the field it stands in.
    loader = _Loader(_RAW_BAD.sub("\ufffd", text) if raw_bad else text)
    spans: list[tuple[int, int, tuple]] = []  # (start, end, path) of each scalar value and key
    locations = Locations()
    problems: list[SourceProblem] = []
    value = None
    try:
        node = loader.get_single_node()
        if node is None:
            raise SourceError([SourceProblem(path, 1, 1, "", "the file holds no YAML document")])
        value = _convert(node, (), _Context(loader, locations, problems, path, spans))
    except _Refused as exc:
        problems.append(SourceProblem(path, exc.mark.line + 1, exc.mark.column + 1, dotted(exc.path), exc.message))
    except yaml.MarkedYAMLError as exc:
        problems.append(_syntax_problem(path, text, exc))
    except yaml.YAMLError as exc:  # a ReaderError: a character PyYAML refuses
        line, column = position(text, getattr(exc, "position", 0) or 0)
        problems.append(SourceProblem(path, line, column, "", f"YAML error: {exc}".splitlines()[0]))
    except RecursionError:
        problems.append(SourceProblem(path, 1, 1, "", f"nested too deep (at most {MAX_DEPTH} levels)"))
    finally:
        loader.dispose()
    if raw_bad:
        problems += bad_characters(text, path, lambda index: _field_at(spans, index))
    if problems:
        raise SourceError(problems)
    return value, locations


def _field_at(spans, index: int) -> str:
    inside = [(end - start, p) for start, end, p in spans if start <= index < end]
    return dotted(min(inside, key=lambda x: x[0])[1]) if inside else ""


@dataclass
class _Context:
    loader: _Loader
    locations: Locations
    problems: list
    file: Path
    spans: list

    def report(self, node, path, message: str, index: int | None = None) -> None:
        if index is None:
            line, column = node.start_mark.line + 1, node.start_mark.column + 1
        else:
            line, column = position(node.start_mark.buffer, index)
        self.problems.append(SourceProblem(self.file, line, column, dotted(path), message))


OPENERS = {"flow sequence": ("[", "]"), "flow mapping": ("{", "}"), "quoted scalar": (None, None)}


def _syntax_problem(path: Path, text: str, exc: yaml.MarkedYAMLError) -> SourceProblem:
    """A YAML syntax error where the mistake is: an unclosed `[`, `{` or quote is reported
    at the opening character (PyYAML notices it only where the next token fails, often on
    a later line), a stray token at the token."""
    mark = exc.problem_mark or exc.context_mark
    message = " ".join(filter(None, [exc.context, exc.problem])) or "YAML syntax error"
    field = dotted(getattr(exc, "field_path", ()))
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
        return SourceProblem(path, start.line + 1, start.column + 1, field, f"YAML syntax error: {message}")
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return SourceProblem(path, line, column, field, f"YAML syntax error: {message}")


def _spot(node) -> Spot:
    style = getattr(node, "style", None)
    return Spot(node.start_mark.line + 1, node.start_mark.column + 1, style)


def _convert(node, path, ctx: _Context):
    ctx.locations.values[path] = _spot(node)
    if isinstance(node, yaml.MappingNode):
        result = {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                ctx.report(key_node, path, "merge keys (<<) are not allowed in a source; write the fields out")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                ctx.report(key_node, path, "a key must be a name, not a list or a mapping")
                continue
            key = _scalar(key_node, path, ctx)
            if key is _BAD:
                continue
            if not isinstance(key, (str, int)):
                key = str(key)
            if key in result:
                s = _spot(key_node)
                ctx.problems.append(SourceProblem(ctx.file, s.line, s.column, dotted(path + (key,)), "is given twice"))
                continue
            ctx.locations.keys[path + (key,)] = _spot(key_node)
            ctx.spans.append((key_node.start_mark.index, key_node.end_mark.index, path + (key,)))
            value = _convert(value_node, path + (key,), ctx)
            if value is not _BAD:
                result[key] = value
        return result
    if isinstance(node, yaml.SequenceNode):
        items = [_convert(item, path + (i,), ctx) for i, item in enumerate(node.value)]
        return [None if item is _BAD else item for item in items]
    ctx.spans.append((node.start_mark.index, max(node.end_mark.index, node.start_mark.index + 1), path))
    value = _scalar(node, path, ctx)
    return None if value is _BAD else value


_BAD = object()  # a value that could not be built (its problem is reported)


def _scalar(node, path, ctx: _Context):
    """Build one scalar; a value that does not construct is a problem at its position."""
    tag = node.tag.replace("tag:yaml.org,2002:", "")
    text = node.value
    if tag in ("int", "float") and len(text) > MAX_NUMBER:
        ctx.report(node, path, f"a number of {len(text)} characters is too long (at most {MAX_NUMBER}); "
                               "quote it if it is meant as text")
        return _BAD
    try:
        value = ctx.loader.construct_object(node, deep=True)
    except (ValueError, OverflowError, TypeError, yaml.YAMLError) as exc:
        shown = text if len(text) <= 40 else text[:37] + "…"
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if tag == "timestamp":
            message = f"'{shown}' is not a real date ({reason}); write it like 2024-02-01"
        elif tag in ("int", "float"):
            message = f"'{shown}' is not a number ({reason})"
        else:
            message = f"cannot read the value '{shown}' ({reason})"
        ctx.report(node, path, message)
        return _BAD
    if node.style == '"' and isinstance(value, str) and BAD_CHAR.search(value):
        _escaped_characters(node, path, ctx)
        return _BAD
    return value


def _escaped_characters(node, path, ctx: _Context) -> None:
    """Report each escape of a double-quoted scalar that makes a refused character."""
    buffer = node.start_mark.buffer
    raw = buffer[node.start_mark.index:node.end_mark.index]
    found = 0
    for match in _ESCAPE.finditer(raw):
        body = match.group(1)
        ch = chr(int(body[1:], 16)) if body[0] in "xuU" and len(body) > 1 else _SIMPLE_ESCAPES.get(body, body)
        reason = char_problem(ch) if len(ch) == 1 else None
        if reason and found < MAX_CHAR_PROBLEMS:
            found += 1
            ctx.report(node, path, f"{reason} (written as {match.group(0)})",
                       index=node.start_mark.index + match.start())
    if not found:  # not from an escape: should not happen, but never let it through
        ctx.report(node, path, char_problem(BAD_CHAR.search(ctx.loader.construct_object(node)).group()))


def dotted(path) -> str:
    """("sections", 2, "turns", 0) -> "sections[2].turns[0]" (a very deep path is cut short)."""
    out = ""
    path = tuple(path)
    if len(path) > 12:
        path = path[:10] + ("…",)
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            part = str(part)
            out += ("." if out else "") + (part if len(part) <= 40 else part[:40] + "…")
    return out
