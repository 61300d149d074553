"""Inline markup of every text field -> model nodes.

The conventions are those Japanese e-book authors already use (でんでんマークダウン):

    blank line      new paragraph
    {漢字|かんじ}    ruby over the whole base (group ruby)
    《《傍点》》      emphasis dots
    ^12^            tate-chu-yoko (upright in vertical text)
    **強調**        strong
    \\{ \\《 \\^ \\* escape the next character (also \\} \\| \\》 \\\\)

Errors carry the character offset into the field's text; the loader turns that into a
file line and column.
"""

from __future__ import annotations

import re

from publish.model import Emphasis, Paragraph, Ruby, Strong, TateChuYoko, Text

ESCAPABLE = set("{}|《》^*\\")
_BLANK_LINE = re.compile(r"\n[ \t\u3000]*\n")


class MarkupError(ValueError):
    def __init__(self, offset: int, message: str):
        super().__init__(message)
        self.offset = offset
        self.message = message


def parse_paragraphs(text: str) -> tuple[Paragraph, ...]:
    """A field's text -> paragraphs (split at blank lines)."""
    paragraphs = []
    start = 0
    text = text.replace("\r\n", "\n")
    for match in list(_BLANK_LINE.finditer(text)) + [None]:
        end = match.start() if match else len(text)
        chunk = text[start:end]
        if chunk.strip():
            paragraphs.append(parse_inline(chunk, base_offset=start))
        if match:
            start = match.end() - 1  # keep the newline so offsets stay exact
    return tuple(paragraphs)


def parse_inline(text: str, base_offset: int = 0) -> Paragraph:
    """One paragraph's text -> a Paragraph. Line breaks inside are joined."""
    parser = _Parser(text, base_offset)
    nodes = parser.parse_until(None)
    return Paragraph(_strip_edges(nodes))


def _join_lines(text: str) -> str:
    # Japanese text joins lines with nothing; two Latin words keep a space between them.
    out = []
    lines = text.split("\n")
    last = len(lines) - 1
    for i, line in enumerate(lines):
        # Only the white space at a line break goes; a space before inline markup stays.
        if i:
            line = line.lstrip(" \t")
        if i < last:
            line = line.rstrip(" \t")
        if i and out and line and _latin(out[-1][-1:]) and _latin(line[:1]):
            out.append(" ")
        out.append(line)
    return "".join(out)


def _latin(ch: str) -> bool:
    return bool(ch) and ch.isascii() and ch.isalnum()


def _strip_edges(nodes: list) -> tuple:
    if nodes and isinstance(nodes[0], Text):
        stripped = nodes[0].text.lstrip()
        nodes = ([Text(stripped)] if stripped else []) + nodes[1:]
    if nodes and isinstance(nodes[-1], Text):
        stripped = nodes[-1].text.rstrip()
        nodes = nodes[:-1] + ([Text(stripped)] if stripped else [])
    return tuple(nodes)


class _Parser:
    def __init__(self, text: str, base_offset: int):
        self.text = text
        self.pos = 0
        self.base = base_offset

    def error(self, at: int, message: str) -> MarkupError:
        return MarkupError(self.base + at, message)

    def parse_until(self, closer: str | None, start: int = 0, what: str = "") -> list:
        nodes: list = []
        buf: list[str] = []

        def flush():
            if buf:
                joined = _join_lines("".join(buf))
                if nodes and isinstance(nodes[-1], Text):
                    nodes[-1] = Text(nodes[-1].text + joined)
                elif joined:
                    nodes.append(Text(joined))
                buf.clear()

        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if closer and text.startswith(closer, self.pos):
                flush()
                self.pos += len(closer)
                return nodes
            if ch == "\\" and self.pos + 1 < len(text) and text[self.pos + 1] in ESCAPABLE:
                buf.append(text[self.pos + 1])
                self.pos += 2
            elif ch == "{":
                flush()
                nodes.append(self.ruby())
            elif text.startswith("《《", self.pos):
                start = self.pos
                flush()
                self.pos += 2
                nodes.append(Emphasis(tuple(self.nested("》》", start, "emphasis dots '《《'"))))
            elif text.startswith("》》", self.pos):
                raise self.error(self.pos, "'》》' closes emphasis dots that were never opened (write \\》 for a literal 》)")
            elif text.startswith("**", self.pos):
                start = self.pos
                flush()
                self.pos += 2
                nodes.append(Strong(tuple(self.nested("**", start, "strong '**'"))))
            elif ch == "^":
                flush()
                nodes.append(self.tate_chu_yoko())
            else:
                buf.append(ch)
                self.pos += 1
        if closer:
            raise self.error(start, f"{what} is not closed (expected '{closer}')")
        flush()
        return nodes

    def nested(self, closer: str, start: int, what: str) -> list:
        children = self.parse_until(closer, start, what)
        if not children:
            raise self.error(start, f"{what} is empty")
        return children

    def ruby(self) -> Ruby:
        start = self.pos
        end = self._find_unescaped("}", start + 1)
        if end < 0:
            raise self.error(start, "ruby '{' is not closed (write {漢字|かんじ}, or \\{ for a literal brace)")
        body = self.text[start + 1 : end]
        bar = self._find_unescaped("|", 0, body)
        if bar < 0:
            raise self.error(start, "ruby needs a reading after '|' (write {漢字|かんじ})")
        base, reading = _unescape(body[:bar]).strip(), _unescape(body[bar + 1 :]).strip()
        if not base or not reading:
            raise self.error(start, "ruby needs both a base and a reading (write {漢字|かんじ})")
        if "\n" in base or "\n" in reading:
            raise self.error(start, "ruby must not span lines")
        self.pos = end + 1
        return Ruby(base, reading)

    def tate_chu_yoko(self) -> TateChuYoko:
        start = self.pos
        end = self._find_unescaped("^", start + 1)
        if end < 0:
            raise self.error(start, "tate-chu-yoko '^' is not closed (write ^12^, or \\^ for a literal caret)")
        body = _unescape(self.text[start + 1 : end])
        if not body or "\n" in body:
            raise self.error(start, "tate-chu-yoko needs one to four characters on one line (write ^12^)")
        if len(body) > 4:
            raise self.error(start, f"tate-chu-yoko holds at most four characters, not {len(body)} "
                                    "(upright in vertical text, it must fit one em; write \\^ for a literal caret)")
        self.pos = end + 1
        return TateChuYoko(body)

    def _find_unescaped(self, target: str, start: int, text: str | None = None) -> int:
        text = self.text if text is None else text
        i = start
        while i < len(text):
            if text[i] == "\\":
                i += 2
                continue
            if text[i] == target:
                return i
            i += 1
        return -1


def _unescape(text: str) -> str:
    return re.sub(r"\\([{}|《》^*\\])", r"\1", text)
