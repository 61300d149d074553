"""`publish import MANUSCRIPT.docx`: a Word manuscript -> the document model, through the
numbered lines the article importer (readers/article.py) reads, with what Word knows and plain
text does not (read_docx_article gives the model, read_docx the lines and hints).

python-docx reads the file (paragraphs, their styles, runs with their bold, line breaks);
the article heuristics then run exactly as for a .txt, so the warnings are the same. What
Word adds:

- a paragraph in a heading style (見出し 1…, Heading 1…, or any style or paragraph with
  an outline level) is a section heading, whatever it ends with;
- a bold name opening a paragraph (**西田** 回答… or **西田：**回答…) is the speaker, with or
  without a colon, when a profile has that name;
- a Title paragraph followed by a Subtitle paragraph is `タイトル──サブタイトル`;
- list paragraphs (bullets or numbering) are the tag and date bullets (`- 育成`);
- a line break (Shift+Enter) inside a paragraph starts a new line, as in the text import,
  except inside a sentence: a break after text that does not end a sentence, before text
  that opens no new part, joins the two (with a warning);
- tracked changes are refused (accept or reject them in Word first): their text would be
  lost or duplicated; a table is left out with a warning.

Line numbers in messages are paragraph numbers (1 = the first paragraph of the document).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from publish.errors import SourceProblem

HEADING_STYLE = re.compile(r"^(heading|見出し)\s*\d", re.IGNORECASE)
TITLE_STYLES = {"title", "表題"}
SUBTITLE_STYLES = {"subtitle", "副題"}
LIST_STYLE = re.compile(r"^(list|箇条書き|リスト)", re.IGNORECASE)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class Manuscript:
    """What the importer's parse_lines takes: numbered lines and Word's hints."""

    lines: list[tuple[int, str]] = field(default_factory=list)
    headings: set[int] = field(default_factory=set)
    named: dict[tuple[int, str], str] = field(default_factory=dict)  # (number, line) -> "name: text"
    warnings: list[tuple[int, str]] = field(default_factory=list)


def _styles(style) -> list:
    """A paragraph style and the styles it is based on."""
    out = []
    while style is not None and style not in out and len(out) < 10:
        out.append(style)
        style = style.base_style
    return out


def _style_names(paragraph) -> list[str]:
    return [(s.name or "").strip().lower() for s in _styles(paragraph.style)]


def _is_heading(paragraph) -> bool:
    if any(HEADING_STYLE.match(name) for name in _style_names(paragraph)):
        return True
    elements = [paragraph._p] + [s.element for s in _styles(paragraph.style)]
    return any(e.find(f"{W}pPr/{W}outlineLvl") is not None for e in elements)


def _is_list(paragraph) -> bool:
    if paragraph._p.find(f"{W}pPr/{W}numPr") is not None:
        return True
    return any(LIST_STYLE.match(name) or s.element.find(f"{W}pPr/{W}numPr") is not None
               for name, s in zip(_style_names(paragraph), _styles(paragraph.style)))


def _bold(run) -> bool:
    if run.bold is not None:
        return bool(run.bold)
    style = run.style
    while style is not None:
        if style.font.bold is not None:
            return bool(style.font.bold)
        style = style.base_style
    return False


def _pieces(paragraph) -> list[tuple[str, bool]]:
    """(text, bold) in order; hyperlinks count as plain text."""
    from docx.text.run import Run

    out = []
    for item in paragraph.iter_inner_content():
        if isinstance(item, Run):
            out.append((item.text, _bold(item)))
        else:
            out.append((item.text, False))
    return out


def _lines_of(pieces: list[tuple[str, bool]]) -> list[list[tuple[str, bool]]]:
    """Split (text, bold) pieces at line breaks."""
    lines: list[list[tuple[str, bool]]] = [[]]
    for text, bold in pieces:
        parts = text.split("\n")
        for i, part in enumerate(parts):
            if i:
                lines.append([])
            if part:
                lines[-1].append((part, bold))
    return lines


STRIP = " \t\u3000"


def _bold_name(line: list[tuple[str, bool]]) -> str | None:
    """'name: text' when the line opens with a short bold name followed by plain text."""
    from publish.readers.article import SPEAKER

    prefix = ""
    for index, (text, bold) in enumerate(line):
        if not bold:
            break
        prefix += text
    else:
        return None  # all bold (or empty): a heading or emphasis, not a name
    rest = "".join(text for text, _ in line[index:])
    name = prefix.strip(STRIP).rstrip(":：").strip(STRIP)
    rest = rest.lstrip(STRIP).removeprefix(":").removeprefix("：").strip(STRIP)
    if not name or not rest or len(name) > 25 or re.search(r"[、。！？!?「」]", name):
        return None
    hinted = f"{name}: {rest}"
    return hinted if SPEAKER.match(hinted) else None


def read_docx(path: Path) -> Manuscript:
    """Read a .docx into numbered lines and hints; raises ImportProblem when it cannot."""
    import zipfile

    import docx
    from docx.table import Table

    from publish.readers.article import (
        BULLET,
        DATE_LINE,
        PROFILE,
        QUESTION,
        SPEAKER,
        ImportProblem,
        ends_sentence,
    )

    from docx.opc.exceptions import PackageNotFoundError

    path = Path(path)
    if not path.is_file():
        raise ImportProblem([SourceProblem(path, 1, 1, "", "cannot read the file: no such file")])
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ImportProblem([SourceProblem(path, 1, 1, "", f"not a Word .docx file ({exc})")]) from None
    body = document.element.body
    if body.find(f".//{W}ins") is not None or body.find(f".//{W}del") is not None:
        raise ImportProblem([SourceProblem(path, 1, 1, "", "the manuscript has tracked changes; accept or reject "
                                                           "them in Word (Review → Accept All), then import")])
    out = Manuscript()
    number = 0
    pending_table = False
    title_at: int | None = None
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            pending_table = True
            continue
        paragraph = block
        number += 1
        if pending_table:
            out.warnings.append((number, "a table before this paragraph is not imported (its text is left out)"))
            pending_table = False
        names = _style_names(paragraph)
        lines = [line for line in _lines_of(_pieces(paragraph)) if "".join(t for t, _ in line).strip(STRIP)]
        if not lines:
            continue
        texts = ["".join(t for t, _ in line).strip(STRIP) for line in lines]
        if _is_heading(paragraph) or names and names[0] in TITLE_STYLES | SUBTITLE_STYLES:
            text = "".join(texts)  # a heading is one line, whatever breaks it has
            if names and names[0] in SUBTITLE_STYLES and title_at is not None and out.lines \
                    and out.lines[-1][0] == title_at:
                out.lines[-1] = (title_at, f"{out.lines[-1][1]}──{text}")
                continue
            if names and names[0] in TITLE_STYLES:
                title_at = number
            elif not (names and names[0] in SUBTITLE_STYLES):
                out.headings.add(number)
            out.lines.append((number, text))
            continue
        listed = _is_list(paragraph)
        merged: list[tuple[str, list]] = []
        for text, line in zip(texts, lines):
            if merged and _continues(merged[-1][0], text, (BULLET, DATE_LINE, PROFILE, QUESTION, SPEAKER),
                                     ends_sentence):
                out.warnings.append((number, f"a line break inside a sentence ('…{merged[-1][0][-8:]}' / "
                                             f"'{text[:8]}…'): the lines are joined"))
                merged[-1] = (merged[-1][0] + text, merged[-1][1] + line)
                continue
            merged.append((text, list(line)))
        for text, line in merged:
            if listed and not BULLET.match(text):
                text = f"- {text}"
            hinted = _bold_name(line) if not listed else None
            if hinted:
                out.named[(number, text)] = hinted
            out.lines.append((number, text))
    return out


def read_docx_article(path: Path):
    """A Word manuscript -> importer.Imported (the model, paragraph numbers, warnings).
    Raises ImportProblem."""
    import dataclasses

    from publish.readers.article import ImportProblem, Warn, parse_lines
    from publish.readers.yamltree import bad_characters

    manuscript = read_docx(path)
    if not manuscript.lines:
        raise ImportProblem([SourceProblem(path, 1, 1, "", "the manuscript is empty")])
    # a manuscript is untrusted text too: controls, lone surrogates and bidi overrides are refused
    refused = [dataclasses.replace(problem, line=number)  # the paragraph's number in the manuscript
               for number, text in manuscript.lines for problem in bad_characters(text + "\n", path)]
    if refused:
        raise ImportProblem(refused)
    imported = parse_lines(manuscript.lines, path, manuscript.headings, manuscript.named)
    imported.warnings += [Warn(line, message) for line, message in manuscript.warnings]
    return imported


def _continues(previous: str, text: str, patterns, ends_sentence) -> bool:
    """A line break inside a sentence: the line before ends no sentence and is no part of
    its own (a profile line, a bullet), and the line after opens none."""
    bullet, date_line, profile, question, speaker = patterns
    if ends_sentence(previous) is not False:
        return False
    if profile.match(previous) or bullet.match(previous) or date_line.match(previous) or question.match(previous):
        return False
    return not (question.match(text) or profile.match(text) or bullet.match(text) or speaker.match(text)
                or text.startswith("※"))
