"""Validate an interview source and build the document model from it.

Every problem is collected (not just the first) and reported as
`path:line:column: field.path: message`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path

from publish.errors import SourceError, SourceProblem
from publish.model import (
    Answer,
    Contact,
    Cover,
    Figure,
    Interview,
    Paragraph,
    Person,
    PullQuote,
    Question,
    Section,
)
from publish.readers import yamltree
from publish.readers.markup import MarkupError, parse_paragraphs
from publish.readers.yamltree import Locations, dotted

PERSON_ID = re.compile(r"[a-z0-9_-]+\Z")
# A run of Latin letters, digits and punctuation with no space, hyphen or slash to break
# at, longer than a column of the narrowest shipped layout: it is broken where the line
# ends (typeset_ja's .jl-huge / .jl-long), which the editor should know about.
LONG_RUN = 40
_LONG_RUN = re.compile(rf"[!-,.0-~\u00a1-\u024f]{{{LONG_RUN + 1},}}")
KATAKANA = re.compile(r"[\u30a0-\u30ff\u31f0-\u31ffA-Za-z0-9ー・\s　]+\Z")

# field name -> kind. Kinds: text (one line of inline markup), plain, rich (paragraphs),
# date, list[str], url, mapping, and the nested record lists handled by hand.
INTERVIEW_FIELDS = {
    "title": "text",
    "subtitle": "text",
    "title_reading": "katakana",
    "kind": "plain",
    "publisher": "plain",
    "publisher_reading": "katakana",
    "published": "date",
    "updated": "date",
    "tags": "tags",
    "layout": "plain",
    "lead": "rich",
    "people": "people",
    "interviewer": "plain",
    "sections": "sections",
    "note": "rich",
    "url": "url",
    "contact": "contact",
    "style": "mapping",
    "cover": "cover",
}
CONTACT_FIELDS = {"heading": "text", "text": "rich"}
CONTACT_REQUIRED = ("text",)
INTERVIEW_REQUIRED = ("title", "people", "sections")

PERSON_FIELDS = {
    "id": "plain",
    "name": "plain",
    "reading": "plain",
    "affiliation": "plain",
    "title": "plain",
    "department": "plain",
    "bio": "rich",
    "photo": "path",
}
PERSON_REQUIRED = ("id", "name")

SECTION_FIELDS = {"heading": "text", "turns": "turns"}
COVER_FIELDS = {"image": "path", "focus": "focus", "credit": "plain"}
TURN_COMPANIONS = {"image": {"caption"}, "quote": {"by"}, "q": set()}


class Checker:
    """Collects problems for one file; each helper returns None on a bad value."""

    def __init__(self, path: Path, text_lines: list[str], locations: Locations, data=None):
        self.path = path
        self.lines = text_lines
        self.loc = locations
        self._values_by_path = _index_values(data)  # raw values, to place markup errors
        self.problems: list[SourceProblem] = []
        self.warnings: list[SourceProblem] = []

    # -- reporting --------------------------------------------------------------------
    def report(self, path: tuple, message: str, *, at_key: bool = False, spot=None) -> None:
        spot = spot or (self.loc.key(path) if at_key else self.loc.of(path))
        self.problems.append(SourceProblem(self.path, spot.line, spot.column, dotted(path), message))

    def warn_long_words(self, path: tuple, text: str) -> None:
        for match in _LONG_RUN.finditer(text):
            line, column = self._offset_position(path, match.start())
            self.warnings.append(SourceProblem(
                self.path, line, column, dotted(path),
                f"warning: a word of {len(match.group())} characters with no space to break at is longer "
                "than a line; it is hyphenated or broken where the line ends"))

    def emit_warnings(self) -> None:
        import sys

        for warning in sorted(self.warnings, key=lambda w: (w.line, w.column)):
            print(warning, file=sys.stderr)
        self.warnings.clear()

    def report_markup(self, path: tuple, error: MarkupError) -> None:
        line, column = self._offset_position(path, error.offset)
        self.problems.append(SourceProblem(self.path, line, column, dotted(path), error.message))

    def _offset_position(self, path: tuple, offset: int, value: str | None = None) -> tuple[int, int]:
        """File position of character `offset` inside the scalar at `path`."""
        spot = self.loc.of(path)
        if spot.style in ("|", ">"):
            # A block scalar's content starts on the next line, at the block's indent.
            first = spot.line  # 0-based index of the line after the indicator
            while first < len(self.lines) and not self.lines[first].strip():
                first += 1
            if first >= len(self.lines):
                return spot.line, spot.column
            indent = len(self.lines[first]) - len(self.lines[first].lstrip(" "))
            value = self._value_at(path)
            before = value[:offset] if isinstance(value, str) else ""
            line_index = before.count("\n")
            column = offset - (before.rfind("\n") + 1)
            return first + 1 + line_index, indent + column + 1
        quote = 1 if spot.style in ("'", '"') else 0
        return spot.line, spot.column + quote + offset

    def _value_at(self, path: tuple):
        return self._values_by_path.get(tuple(path))

    # -- field kinds ------------------------------------------------------------------
    def check_record(self, data, path: tuple, fields: dict, required: tuple, what: str) -> dict | None:
        if not isinstance(data, dict):
            self.report(path, f"must be a mapping of {what} fields, not {_kind(data)}")
            return None
        for name in required:
            if data.get(name) in (None, "", []):
                missing = "is missing" if name not in data else "is empty"
                self.report(path + (name,), f"required field {missing}", at_key=name in data)
        for name in data:
            if name not in fields:
                hint = _did_you_mean(str(name), fields)
                self.report(path + (name,), f"unknown field{hint}", at_key=True)
        return data

    def text(self, value, path) -> Paragraph | None:
        plain = self.plain(value, path)
        if plain is None:
            return None
        try:
            paragraphs = parse_paragraphs(plain)
        except MarkupError as exc:
            self.report_markup(path, exc)
            return None
        self.warn_long_words(path, plain)
        if len(paragraphs) > 1:
            self.report(path, "must be one paragraph (no blank line)")
            return None
        return paragraphs[0] if paragraphs else None

    def rich(self, value, path) -> tuple[Paragraph, ...]:
        plain = self.plain(value, path)
        if plain is None:
            return ()
        try:
            paragraphs = parse_paragraphs(plain)
        except MarkupError as exc:
            self.report_markup(path, exc)
            return ()
        self.warn_long_words(path, plain)
        return paragraphs

    def plain(self, value, path) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.report(path, f"must be text, not {_kind(value)}")
            return None
        return str(value)

    def date(self, value, path) -> dt.date | None:
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.report(path, f"must be a date like 2024-02-01, not {value!r}")
        return None

    def tags(self, value, path) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.report(path, f"must be a list of tags, not {_kind(value)}")
            return ()
        out = []
        for i, tag in enumerate(value):
            text = self.plain(tag, path + (i,))
            if text is not None and text.strip():
                out.append(text.strip())
        return tuple(out)

    def katakana(self, value, path) -> str | None:
        text = self.plain(value, path)
        if text and not KATAKANA.match(text):
            self.report(path, "must be written in katakana (e.g. ミンカンキギョウ…)")
        return text

    def layout_name(self, value, path, known_layouts) -> str:
        name = self.plain(value, path) or "brochure"
        if known_layouts is not None and name not in known_layouts:
            close = difflib.get_close_matches(name, sorted(known_layouts), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            self.report(path, f"unknown layout '{name}' ({hint}known: {', '.join(sorted(known_layouts))})")
        return name

    def url(self, value, path) -> str | None:
        from publish.readers.values import check_url

        text = self.plain(value, path)
        message = check_url(text) if text else None
        if message:
            self.report(path, message)
            return None
        return text

    def cover(self, value, path=("cover",)) -> Cover | None:
        """`cover: {image: images/x.jpg, focus: [50, 30], credit: 撮影：…}`."""
        if value is None:
            return None
        if self.check_record(value, path, COVER_FIELDS, ("image",), "cover") is None:
            return None
        image = self.local_file(value.get("image"), path + ("image",))
        focus = (50.0, 50.0)
        raw = value.get("focus")
        if raw is not None:
            parts = raw if isinstance(raw, list) else str(raw).replace("%", " ").split()
            try:
                numbers = tuple(float(str(v).rstrip("%")) for v in parts)
            except ValueError:
                numbers = ()
            if len(numbers) != 2 or not all(0 <= n <= 100 for n in numbers) or any(isinstance(v, bool) for v in parts):
                self.report(path + ("focus",), f"must be the point to keep in view, x and y in % of the image "
                                               f"from its top-left corner, like [50, 30] or \"50% 30%\", not {raw!r}")
            else:
                focus = numbers
        credit = self.plain(value.get("credit"), path + ("credit",))
        return Cover(image, focus, credit) if image else None

    def local_file(self, value, path) -> Path | None:
        text = self.plain(value, path)
        if text is None:
            return None
        root = self.path.parent.resolve()
        target = (root / text).resolve()
        try:
            target.relative_to(root)
        except ValueError:
            self.report(path, f"'{text}' points outside the content folder {root.name}/")
            return None
        if not target.is_file():
            self.report(path, f"file '{text}' does not exist (looked for {target})")
            return None
        return target

    def image_file(self, value, path) -> Path | None:
        """A local file that is a sound JPEG or PNG (see images.py)."""
        from publish.readers.images import check_image

        target = self.local_file(value, path)
        if target is None:
            return None
        problem = check_image(target)
        if problem:
            self.report(path, f"'{value}': {problem}")
            return None
        return target


def _kind(value) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number", dt.date: "a date"}.get(type(value), type(value).__name__)


def _did_you_mean(name: str, candidates) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" '{name}' (did you mean '{close[0]}'?)" if close else f" '{name}' (known: {', '.join(candidates)})"


def _index_values(value, path=(), out=None) -> dict:
    out = {} if out is None else out
    out[path] = value
    if isinstance(value, dict):
        for k, v in value.items():
            _index_values(v, path + (k,), out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _index_values(v, path + (i,), out)
    return out


def load_interview(path: Path, *, known_layouts=None, check_style=None, warn: bool = True) -> Interview:
    """Read, validate and model one interview source. Raises SourceError.

    `check_style(style, layout_name)`, when given, validates the `style:` overrides against
    the layout's tokens and returns (field path inside style, message, at_key) triples.
    Warnings (a word too long for a line) go to stderr unless `warn` is false."""
    path = Path(path)
    data, locations = yamltree.load(path)
    check = Checker(path, yamltree.read_text(path).split("\n"), locations, data)
    if check.check_record(data, (), INTERVIEW_FIELDS, INTERVIEW_REQUIRED, "interview") is None:
        raise SourceError(check.problems)

    people = _people(check, data.get("people"))
    ids = [p.id for p in people]
    sections = _sections(check, data.get("sections"), ids)

    title_reading = check.katakana(data.get("title_reading"), ("title_reading",))
    layout = check.layout_name(data.get("layout"), ("layout",), known_layouts)
    url = check.url(data.get("url"), ("url",))
    style = data.get("style") or {}
    if not isinstance(style, dict):
        check.report(("style",), f"must be a mapping of layout tokens, not {_kind(style)}")
        style = {}
    if style and check_style is not None and (known_layouts is None or layout in known_layouts):
        for field_path, message, at_key in check_style(style, layout):
            check.report(("style",) + tuple(field_path), message, at_key=at_key)

    interview = Interview(
        slug=path.stem,
        source=path.resolve(),
        title=check.text(data.get("title"), ("title",)) or Paragraph(()),
        subtitle=check.text(data.get("subtitle"), ("subtitle",)),
        title_reading=title_reading,
        kind=check.plain(data.get("kind"), ("kind",)) or "インタビュー",
        publisher=check.plain(data.get("publisher"), ("publisher",)),
        publisher_reading=check.katakana(data.get("publisher_reading"), ("publisher_reading",)),
        published=check.date(data.get("published"), ("published",)),
        updated=check.date(data.get("updated"), ("updated",)),
        tags=check.tags(data.get("tags"), ("tags",)),
        layout=layout,
        lead=check.rich(data.get("lead"), ("lead",)),
        people=tuple(people),
        interviewer=check.plain(data.get("interviewer"), ("interviewer",)),
        sections=tuple(sections),
        note=check.rich(data.get("note"), ("note",)),
        url=url,
        style=tuple(style.items()),
        contact=_contact(check, data.get("contact")),
        cover=check.cover(data.get("cover")),
    )
    if check.problems:
        raise SourceError(check.problems)
    if warn:
        check.emit_warnings()
    return interview


def _contact(check: Checker, value) -> Contact | None:
    """`contact: {heading: …, text: …}` (text required), or a text alone."""
    if value is None:
        return None
    if isinstance(value, str):
        text = check.rich(value, ("contact",))
        return Contact(text) if text else None
    if check.check_record(value, ("contact",), CONTACT_FIELDS, CONTACT_REQUIRED, "contact") is None:
        return None
    text = check.rich(value.get("text"), ("contact", "text"))
    heading = check.text(value.get("heading"), ("contact", "heading"))
    return Contact(text, heading) if text else None


def _people(check: Checker, value) -> list[Person]:
    if value is None:
        return []
    if not isinstance(value, list):
        check.report(("people",), f"must be a list of people, not {_kind(value)}")
        return []
    people, seen = [], {}
    for i, raw in enumerate(value):
        path = ("people", i)
        if check.check_record(raw, path, PERSON_FIELDS, PERSON_REQUIRED, "person") is None:
            continue
        pid = check.plain(raw.get("id"), path + ("id",))
        if pid is not None and not PERSON_ID.match(pid):
            check.report(path + ("id",), f"'{pid}' must use only a-z, 0-9, '_' and '-'")
        elif pid is not None and pid in seen:
            check.report(path + ("id",), f"duplicate person id '{pid}' (first used by people[{seen[pid]}])")
        elif pid is not None:
            seen[pid] = i
        people.append(
            Person(
                id=pid or "",
                name=check.plain(raw.get("name"), path + ("name",)) or "",
                reading=check.plain(raw.get("reading"), path + ("reading",)),
                affiliation=check.plain(raw.get("affiliation"), path + ("affiliation",)),
                title=check.plain(raw.get("title"), path + ("title",)),
                department=check.plain(raw.get("department"), path + ("department",)),
                bio=check.rich(raw.get("bio"), path + ("bio",)),
                photo=check.image_file(raw.get("photo"), path + ("photo",)),
            )
        )
    return people


def _sections(check: Checker, value, ids: list[str]) -> list[Section]:
    if value is None:
        return []
    if not isinstance(value, list):
        check.report(("sections",), f"must be a list of sections, not {_kind(value)}")
        return []
    sections = []
    for si, raw in enumerate(value):
        path = ("sections", si)
        required = ("turns",) if si == 0 else ("heading", "turns")
        if check.check_record(raw, path, SECTION_FIELDS, required, "section") is None:
            continue
        heading = check.text(raw.get("heading"), path + ("heading",))
        turns_raw = raw.get("turns")
        if turns_raw is not None and not isinstance(turns_raw, list):
            check.report(path + ("turns",), f"must be a list of turns, not {_kind(turns_raw)}")
            turns_raw = []
        turns = [turn for ti, raw_turn in enumerate(turns_raw or [])
                 if (turn := _turn(check, raw_turn, path + ("turns", ti), ids))]
        sections.append(Section(heading=heading, turns=tuple(turns)))
    return sections


def _turn(check: Checker, raw, path: tuple, ids: list[str]):
    if not isinstance(raw, dict) or not raw:
        check.report(path, f"must be a mapping like 'q: …' or '<person id>: …', not {_kind(raw)}")
        return None
    keys = list(raw)
    main = [k for k in keys if k in TURN_COMPANIONS or k not in {"caption", "by"}]
    if len(main) != 1:
        if not main:
            check.report(path, "a turn needs one of 'q', 'image', 'quote' or a person id")
        else:
            names = " and ".join(f"'{k}'" for k in main)
            check.report(path, f"a turn has exactly one of 'q', 'image', 'quote' or a person id; found {names}")
        return None
    kind = main[0]
    allowed = TURN_COMPANIONS.get(kind, set())
    for extra in keys:
        if extra != kind and extra not in allowed:
            check.report(path + (extra,), f"'{extra}' does not belong to a '{kind}' turn", at_key=True)
    value_path = path + (kind,)
    if kind == "q":
        return Question(check.rich(raw[kind], value_path))
    if kind == "image":
        image = check.image_file(raw[kind], value_path)
        caption = check.rich(raw.get("caption"), path + ("caption",))
        return Figure(image, caption) if image else None
    if kind == "quote":
        by = check.plain(raw.get("by"), path + ("by",))
        if by is not None and by not in ids:
            check.report(path + ("by",), f"unknown person '{by}' (known: {', '.join(ids)})")
        return PullQuote(check.rich(raw[kind], value_path), by)
    if kind not in ids:
        close = difflib.get_close_matches(str(kind), ids, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'? " if close else ""
        check.report(path, f"unknown speaker '{kind}' ({hint}known: {', '.join(ids)})", spot=check.loc.key(value_path))
        return None
    paragraphs = check.rich(raw[kind], value_path)
    if raw[kind] is None or not str(raw[kind]).strip():
        check.report(value_path, "an answer needs text", at_key=True)
    return Answer(str(kind), paragraphs)
