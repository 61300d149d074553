"""Write a model (model.Interview) as a source file: the inverse of `load_interview`.

`dump_interview(interview)` gives YAML text that `load_interview` reads back into an equal
model (with the same slug and source when written at `interview.source`). The readers of
other formats (`publish import` of article text and Word manuscripts) produce a model and
write it with this, so there is one serialiser of the source format.

The text is laid out the way people write sources by hand: one line per short value, a
literal block (`|`) per text field with a blank line between paragraphs, inline markup
(ruby, emphasis dots, strong, tate-chu-yoko) written back as markup and every other markup
character escaped; a value that plain YAML would read as something else is double-quoted.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from publish.model import (
    Answer,
    Emphasis,
    Figure,
    Interview,
    Paragraph,
    Person,
    PullQuote,
    Question,
    Ruby,
    Strong,
    TateChuYoko,
    Text,
)

DEFAULT_KIND = "インタビュー"

_MARKUP = re.compile(r"[\\{^*]")
_IN_MARKUP = re.compile(r"[{}|《》^*\\]")
# Characters a literal block cannot hold as they are (YAML reads them as line breaks, a
# byte order mark or non-printable): a text with one is written double-quoted instead.
_NOT_IN_BLOCK = re.compile("[\x85\u2028\u2029\ufeff\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


# --- inline markup ---------------------------------------------------------------------


def escape_markup(text: str) -> str:
    """Plain characters -> inline markup that reads back as the same characters."""
    text = _MARKUP.sub(lambda m: "\\" + m.group(0), text)
    return re.sub(r"(?<=《)《|(?<=》)》", lambda m: "\\" + m.group(0), text)


def _escape_all(text: str) -> str:
    return _IN_MARKUP.sub(lambda m: "\\" + m.group(0), text)


def inline_markup(inlines, *, in_emphasis: bool = False) -> str:
    """Inline nodes -> markup (`{漢字|かんじ}`, `《《…》》`, `**…**`, `^12^`)."""
    out: list[str] = []
    for index, node in enumerate(inlines):
        if isinstance(node, Text):
            following = inlines[index + 1] if index + 1 < len(inlines) else None
            text = node.text
            if text.endswith("《") and isinstance(following, Emphasis):
                out.append(escape_markup(text[:-1]) + "\\《")  # 《 + 《《…》》 would open the emphasis one early
            elif text.endswith("》") and following is None and in_emphasis:
                out.append(escape_markup(text[:-1]) + "\\》")  # …》 + 》》 would close the emphasis early
            else:
                out.append(escape_markup(text))
        elif isinstance(node, Ruby):
            out.append("{" + _escape_all(node.base) + "|" + _escape_all(node.reading) + "}")
        elif isinstance(node, TateChuYoko):
            out.append("^" + _escape_all(node.text) + "^")
        elif isinstance(node, Emphasis):
            out.append("《《" + inline_markup(node.children, in_emphasis=True) + "》》")
        elif isinstance(node, Strong):
            out.append("**" + inline_markup(node.children) + "**")
        else:
            raise TypeError(f"not an inline node: {node!r}")
    return "".join(out)


def paragraph_markup(paragraph: Paragraph) -> str:
    return inline_markup(paragraph.inlines)


# --- YAML scalars ----------------------------------------------------------------------


def _plain_ok(value: str) -> bool:
    try:
        return yaml.safe_load(f"k: {value}") == {"k": value}
    except yaml.YAMLError:
        return False


def scalar(value: str) -> str:
    """A one-line value: plain when YAML reads it back as the same text, else double-quoted."""
    if _plain_ok(value):
        return value
    return _quoted(value)


def _quoted(value: str) -> str:
    return yaml.dump(value, default_style='"', allow_unicode=True, width=10**9).strip()


def block(texts: list[str], indent: int) -> str:
    """Paragraphs (markup) as a literal block at `indent`, a blank line between them."""
    pad = " " * indent
    return "|\n" + "\n\n".join(pad + text for text in texts) + "\n"


def _rich(paragraphs, indent: int) -> str:
    """A text field (RichText): a literal block, or a double-quoted scalar when the text
    has a character a block cannot hold."""
    texts = [paragraph_markup(p) for p in paragraphs]
    if any(_NOT_IN_BLOCK.search(text) or "\n" in text for text in texts):
        return _quoted("\n\n".join(texts))
    return block(texts, indent).rstrip("\n")


def _flow_ok(flow: str, tags) -> bool:
    try:
        return yaml.safe_load(f"k: {flow}") == {"k": list(tags)}
    except yaml.YAMLError:
        return False


def _number(value: float) -> str:
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


def _path(path: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return Path(path).resolve().relative_to(Path(base).resolve()).as_posix()
        except ValueError:
            pass
    return Path(path).as_posix()


# --- the document ----------------------------------------------------------------------


def dump_interview(interview: Interview, *, comment: list[str] = (), base: Path | None = None) -> str:
    """The source text of `interview`. `comment` lines open the file (as `# …`); image
    paths are written relative to `base` (default: the folder of `interview.source`)."""
    if base is None and interview.source is not None:
        base = Path(interview.source).parent
    out = [f"# {line}" for line in comment]
    out += _head(interview)
    if interview.lead:
        out.append("lead: " + _rich(interview.lead, 2))
    out += _people(interview.people, base)
    if interview.interviewer:
        out.append(f"interviewer: {scalar(interview.interviewer)}")
    out += _sections(interview, base)
    out += _tail(interview, base)
    return "\n".join(out) + "\n"


def _head(interview: Interview) -> list[str]:
    out = [f"title: {scalar(paragraph_markup(interview.title))}"]
    if interview.subtitle:
        out.append(f"subtitle: {scalar(paragraph_markup(interview.subtitle))}")
    if interview.title_reading:
        out.append(f"title_reading: {scalar(interview.title_reading)}")
    if interview.kind != DEFAULT_KIND:
        out.append(f"kind: {scalar(interview.kind)}")
    if interview.publisher:
        out.append(f"publisher: {scalar(interview.publisher)}")
    if interview.publisher_reading:
        out.append(f"publisher_reading: {scalar(interview.publisher_reading)}")
    if interview.published:
        out.append(f"published: {interview.published.isoformat()}")
    if interview.updated:
        out.append(f"updated: {interview.updated.isoformat()}")
    if interview.tags:
        out += _tags(interview.tags)
    out.append(f"layout: {scalar(interview.layout)}")
    return out


def _tags(tags) -> list[str]:
    flow = "[" + ", ".join(tags) + "]"
    if _flow_ok(flow, tags):
        return [f"tags: {flow}"]
    return ["tags:"] + [f"  - {scalar(t)}" for t in tags]


def _people(people: tuple[Person, ...], base: Path | None) -> list[str]:
    out = ["people:"]
    for p in people:
        out.append(f"  - id: {scalar(p.id)}")
        out.append(f"    name: {scalar(p.name)}")
        for key in ("reading", "affiliation", "title", "department"):
            value = getattr(p, key)
            if value:
                out.append(f"    {key}: {scalar(value)}")
        if p.bio:
            out.append("    bio: " + _rich(p.bio, 6))
        if p.photo:
            out.append(f"    photo: {scalar(_path(p.photo, base))}")
    return out


def _sections(interview: Interview, base: Path | None) -> list[str]:
    out = ["sections:"]
    for section in interview.sections:
        if section.heading is not None:
            out.append(f"  - heading: {scalar(paragraph_markup(section.heading))}")
            out.append("    turns:")
        else:
            out.append("  - turns:")
        for turn in section.turns:
            out += _turn(turn, base)
    return out


def _turn(turn, base: Path | None) -> list[str]:
    if isinstance(turn, Question):
        return ["      - q: " + _rich(turn.paragraphs, 10)]
    if isinstance(turn, Answer):
        return [f"      - {scalar(turn.speaker)}: " + _rich(turn.paragraphs, 10)]
    if isinstance(turn, Figure):
        out = [f"      - image: {scalar(_path(turn.image, base))}"]
        if turn.caption:
            out.append("        caption: " + _rich(turn.caption, 10))
        return out
    if isinstance(turn, PullQuote):
        out = ["      - quote: " + _rich(turn.paragraphs, 10)]
        if turn.by:
            out.append(f"        by: {scalar(turn.by)}")
        return out
    raise TypeError(f"not a turn: {turn!r}")


def _tail(interview: Interview, base: Path | None) -> list[str]:
    out = []
    if interview.note:
        texts = [paragraph_markup(p) for p in interview.note]
        if len(texts) == 1 and _plain_ok(texts[0]):
            out.append(f"note: {texts[0]}")
        else:
            out.append("note: " + _rich(interview.note, 2))
    if interview.url:
        out.append(f"url: {scalar(interview.url)}")
    if interview.contact:
        out.append("contact:")
        if interview.contact.heading is not None:
            out.append(f"  heading: {scalar(paragraph_markup(interview.contact.heading))}")
        out.append("  text: " + _rich(interview.contact.text, 4))
    if interview.style:
        style = yaml.safe_dump({"style": dict(interview.style)}, allow_unicode=True, sort_keys=False,
                               default_flow_style=False, width=10**9)
        out += style.rstrip("\n").split("\n")
    if interview.cover:
        cover = interview.cover
        out.append("cover:")
        out.append(f"  image: {scalar(_path(cover.image, base))}")
        if cover.focus != (50.0, 50.0):
            out.append(f"  focus: [{_number(cover.focus[0])}, {_number(cover.focus[1])}]")
        if cover.credit:
            out.append(f"  credit: {scalar(cover.credit)}")
    return out
