"""The page list: where the print edition's pages begin, marked in the EPUB's text.

The print edition is laid out (WeasyPrint, the same layout and source as ``publish build
--format pdf``) and each page's text read from its boxes (no running heads, folios or ruby
readings). Each page's first words are then found in the book's XHTML, in reading order,
and a ``<span epub:type="pagebreak" role="doc-pagebreak" id="page-N" aria-label="N"/>`` is
put there; ``<nav epub:type="page-list">`` lists them. A page whose text cannot be found
(the cover, a blank page) is left out rather than guessed.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

PROBE = 8            # characters that must match
STEP = 4             # how far into a page to look for words that match
REACH = 240          # … at most

_WS = re.compile(r"\s+")


def page_texts(document) -> list[str]:
    """Each page's body text (whitespace removed) from a laid-out WeasyPrint document."""
    from publish.typeset_ja.weasyprint import page_text

    return [_WS.sub("", page_text(page)) for page in document.pages]


@dataclass
class _Stream:
    """The visible text of the book's documents (whitespace, tags, <head> and ruby readings
    left out) and, for each character, where a marker may go before it."""

    text: str
    where: list[tuple[int, int]]     # (document index, offset in its XHTML)


#: a marker at the first character of these goes before their opening tag
_INLINE = {"b", "span", "strong", "em", "i", "a", "ruby", "small"}
_TOKEN = re.compile(r"<!--.*?-->|<[^>]+>|&[#\w]+;|[^<&]", re.S)


def _stream(xhtmls: list[str]) -> _Stream:
    chars: list[str] = []
    where: list[tuple[int, int]] = []
    for index, text in enumerate(xhtmls):
        body = text.find("<body")
        skip = 0            # inside <rt>/<rp>
        ruby_start = None   # offset of the open <ruby>: markers go before it
        opened = None       # offset of the inline tags that open right before the next text
        for match in _TOKEN.finditer(text, max(body, 0)):
            token = match.group()
            if token.startswith("<"):
                name = re.match(r"</?([\w:-]+)", token)
                name = name.group(1) if name else ""
                closing = token.startswith("</")
                if name in ("rt", "rp"):
                    skip += -1 if closing else (0 if token.endswith("/>") else 1)
                elif name == "ruby":
                    ruby_start = None if closing else match.start()
                if not closing and name in _INLINE and not token.endswith("/>"):
                    opened = match.start() if opened is None else opened
                else:
                    opened = None
                continue
            if skip:
                continue
            char = html.unescape(token)
            if char.isspace():
                continue
            chars.append(char)
            place = opened if opened is not None else (ruby_start if ruby_start is not None else match.start())
            where.append((index, place))
            opened = None
    return _Stream("".join(chars), where)


def locate(pages: list[str], xhtmls: list[str]) -> dict[int, tuple[int, int]]:
    """Page number (1-based) → (document index, XHTML offset) of where it begins."""
    stream = _stream(xhtmls)
    haystack = stream.text
    found: dict[int, tuple[int, int]] = {}
    position = 0
    for number, page in enumerate(pages, 1):
        for start in range(0, min(len(page), REACH), STEP):
            probe = page[start:start + PROBE]
            if len(probe) < PROBE // 2:
                break
            at = _confirmed(haystack, page, start, position)
            if at < 0:
                continue
            while start and at > position and haystack[at - 1] == page[start - 1]:
                at, start = at - 1, start - 1        # as far back as the words still agree
            found[number] = stream.where[at]
            position = at + 1
            break
    return found


def _confirmed(haystack: str, page: str, start: int, position: int) -> int:
    """The first place after ``position`` where the page's words at ``start`` occur and
    the words a little further on follow where they should (so a title repeated on the
    title page and the opening is told apart)."""
    probe = page[start:start + PROBE]
    reach = next((r for r in (10 * PROBE, 3 * PROBE) if len(page) >= start + r + PROBE), None)
    confirm = page[start + reach:start + reach + PROBE] if reach else ''
    at = haystack.find(probe, position)
    tries = 0
    while at >= 0 and confirm and tries < 50:
        if haystack.find(confirm, at + reach - 2 * PROBE, at + reach + 3 * PROBE) >= 0:
            return at
        at = haystack.find(probe, at + 1)
        tries += 1
    return at


def marker(number: int) -> str:
    return (f'<span epub:type="pagebreak" role="doc-pagebreak" id="page-{number}" '
            f'aria-label="{number}"></span>')


def insert_markers(xhtmls: list[str], places: dict[int, tuple[int, int]]) -> list[str]:
    """The documents with a page-break marker at each place (later offsets first)."""
    out = list(xhtmls)
    for number, (index, offset) in sorted(places.items(), key=lambda item: (item[1], item[0]),
                                          reverse=True):
        out[index] = out[index][:offset] + marker(number) + out[index][offset:]
    return out


def page_list_nav(entries: list[tuple[int, str]]) -> str:
    """``<nav epub:type="page-list">`` for (page number, href#page-N)."""
    items = "\n".join(f'    <li><a href="{href}">{number}</a></li>' for number, href in entries)
    return ('<nav epub:type="page-list" role="doc-pagelist" id="page-list" aria-label="ページ一覧" '
            f'hidden="hidden">\n  <ol>\n{items}\n  </ol>\n</nav>\n')


def print_numbers(count: int, settings) -> list[int]:
    """The print PDF's number of each laid-out page: the print stage pads the page count for
    the binding with blank pages before the back cover (press.finish), which moves it."""
    from publish.press import blank_pages_needed

    blanks = blank_pages_needed(count, settings.binding) if settings.pad_pages else 0
    return [n if n < count else n + blanks for n in range(1, count + 1)]


def add_page_list(rendered, pages: list[str], *, numbers: list[int] | None = None,
                  nav_id: str = "nav") -> list:
    """``rendered`` ([(Document, xhtml)]) with page-break markers in the body documents and
    the page list in the navigation document; returns the new list and the page numbers.
    ``numbers``: the print page number of each of ``pages`` (default 1, 2, …)."""
    body = [i for i, (d, _) in enumerate(rendered) if d.id not in ("cover", nav_id)]
    xhtmls = [rendered[i][1] for i in body]
    numbers = numbers or list(range(1, len(pages) + 1))
    places = {numbers[n - 1]: place for n, place in locate(pages, xhtmls).items()}
    marked = insert_markers(xhtmls, places)
    out = list(rendered)
    for i, text in zip(body, marked):
        out[i] = (rendered[i][0], text)
    entries = [(n, f"{rendered[body[index]][0].file_name}#page-{n}") for n, (index, _) in sorted(places.items())]
    for i, (d, text) in enumerate(out):
        if d.id == nav_id and entries:
            at = text.rfind("</body>")
            out[i] = (d, text[:at] + page_list_nav(entries) + text[at:])
    return out, [n for n, _ in entries]
