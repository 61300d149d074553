"""`publish import`: the plain text of a published interview article -> a source file.

The article's shape (the seed, tests/fixtures/seed-tokyo-ict-exchange.txt):

    - 公開日: 2025年1月20日          optional date lines (the value may be empty)
    - 最新更新日:
    タイトル──サブタイトル            the title; `──` splits off the subtitle
    - インタビュー記事                tag bullets; the first may be the article kind
    - 育成
    リードの段落。                    the lead (one or more paragraphs)
    西田(東京都/ICT職)               a profile block: `名前(所属/職種)` …
    デジタルサービス局…課。学生時代は…  … then bio lines; the first may open with the department
    見出し                            the body: a heading does not end a sentence,
    ──質問                           a question starts with ──,
    西田: 回答 / 西田：回答            an answer with the speaker's name and a colon,
    続きの段落。                      a continuation paragraph belongs to the previous speaker
    ※ 注記                          the closing note

The reader gives the document model (model.Interview, with the line each part came from);
readers/writer.py writes it as a source, the one serialiser of the source format.

Where the importer has to guess, it says so on stderr with the line number
(`ImportWarning_`). A line it cannot place is an error with its line number
(`ImportError_`): nothing is written. Every character of the article's body ends up in
the source (inline markup characters are escaped, leading/trailing spaces dropped).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from publish.errors import SourceError, SourceProblem
from publish.model import Answer, Interview, Paragraph, Person, Question, Section
from publish.readers.markup import parse_paragraphs
from publish.readers.writer import escape_markup

# A line ends a sentence (a paragraph) when it ends with one of these. A closing bracket
# ends one only after a sentence end inside it (「…。」) — otherwise we are unsure.
SENTENCE_END = set("。．.！？!?")
CLOSERS = set("」』）)】〉》\"'”’")
UNSURE_END = set("…‥ー〜～")
MAX_HEADING = 60  # characters; an unterminated line longer than this is most likely a paragraph

DATE_LINE = re.compile(r"^[-・*]\s*(公開日|最新更新日|更新日)\s*[:：]\s*(.*)$")
BULLET = re.compile(r"^(?:[-*]\s+|・\s*)(.*\S)\s*$")
PROFILE = re.compile(
    r"^(?P<name>[^\s(（)）:：/／─]{1,12}(?:[ \u3000][^\s(（)）:：/／─]{1,12})?)"
    r"[(（](?P<affiliation>[^()（）/／]*)(?:[/／](?P<title>[^()（）]*))?[)）]$"
)
SPEAKER = re.compile(r"^(?P<name>[^\s:：─]{1,12}(?:[ \u3000][^\s:：─]{1,12})?)[:：][ \u3000]?(?P<text>.*)$")
QUESTION = re.compile(r"^(?:──|—{2}|―{2}|ーー)\s*(?P<text>.*)$")
DEPARTMENT_END = re.compile(r"(局|部|課|室|係|班|所|院|センター|グループ|チーム|本部|支社|支店|事務所|担当|学部|学科|研究科|研究室|事業部)$")
KIND_HINT = re.compile(r"(記事|インタビュー|対談|座談会|鼎談|レポート|コラム)$")
JDATE = re.compile(r"^(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})\s*日?$")


class ImportProblem(SourceError):
    """Lines the importer cannot place (exit status 2, nothing written)."""


@dataclass
class Warn:
    line: int
    message: str


@dataclass(frozen=True)
class Lines:
    """Where the parts of an imported model stand in the article: line numbers (in a Word
    manuscript, paragraph numbers), for messages and for tests that compare two readers."""

    title: int
    people: tuple[int, ...]  # one per person, the profile header
    sections: tuple[int, ...]  # one per section: its heading, or its first turn
    turns: tuple[tuple[int, ...], ...]  # per section, one per turn


@dataclass
class Imported:
    """What the article and Word readers give: the model, where its parts came from and
    what the reader had to guess."""

    interview: Interview
    lines: Lines
    warnings: list[Warn] = field(default_factory=list)


# The parser's drafts, filled line by line, then frozen into the model (_to_model).


@dataclass
class _Profile:
    line: int
    name: str
    affiliation: str | None
    title: str | None
    department: str | None = None
    bio: list[str] = field(default_factory=list)
    id: str = ""
    reading: str | None = None


@dataclass
class _Turn:
    line: int
    speaker: str  # "q" or a person id
    paragraphs: list[str]


@dataclass
class _Section:
    line: int
    heading: str | None
    turns: list[_Turn] = field(default_factory=list)


# --- reading and romanisation -----------------------------------------------------------

LATIN_KANA = dict(zip(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "エー ビー シー ディー イー エフ ジー エイチ アイ ジェー ケー エル エム エヌ オー ピー キュー アール エス ティー ユー ブイ ダブリュー エックス ワイ ゼット".split(),
))


def _kakasi():
    import pykakasi  # pure Python with its own dictionary: no MeCab or model download

    return pykakasi.kakasi()


def katakana_reading(text: str) -> str:
    """A katakana reading for e-book metadata; Latin letters are spelt out (DX → ディーエックス)."""
    out = []
    for part in _kakasi().convert(text):
        kana = part["kana"]
        out.append(re.sub(r"[A-Za-z]", lambda m: LATIN_KANA[m.group(0).upper()], kana))
    reading = "".join(out)
    return re.sub(r"[^\u30a0-\u30ff0-9０-９]", "", reading)


def hiragana_reading(name: str) -> str:
    return "".join(p["hira"] for p in _kakasi().convert(name)).replace(" ", "").replace("\u3000", "")


def person_id(name: str) -> str:
    """Readable ASCII from a name: passport-style Hepburn (佐藤 → sato, 大野 → ono)."""
    roman = "".join(p["hepburn"] for p in _kakasi().convert(name.replace("\u3000", " "))).lower()
    roman = re.sub(r"ou|oo", "o", roman)
    roman = roman.replace("uu", "u")
    return re.sub(r"[^a-z0-9]+", "-", roman).strip("-")


# --- parsing ---------------------------------------------------------------------------


def ends_sentence(line: str) -> bool | None:
    """True: a paragraph; False: a heading; None: unsure."""
    last = line[-1]
    if last in SENTENCE_END:
        return True
    if last in CLOSERS:
        inner = line.rstrip("".join(CLOSERS))
        return True if inner and inner[-1] in SENTENCE_END else None
    if last in UNSURE_END:
        return None
    return False


def parse_date(value: str, line: int, problems: list) -> dt.date | None:
    value = re.sub(r"\s*[(（][月火水木金土日][)）]\s*$", "", value.strip())  # 2025年1月20日（月）
    if not value:
        return None
    match = JDATE.match(value)
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    problems.append((line, f"cannot read the date '{value}' (write it like 2025年1月20日 or 2025-01-20)"))
    return None


def parse_article(text: str, path: Path) -> Imported:
    """An article's text -> the model, with line numbers and warnings. Raises ImportProblem."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = [(i + 1, raw.strip(" \t\u3000")) for i, raw in enumerate(text.split("\n"))]
    return parse_lines([(n, s) for n, s in lines if s], path)


def parse_lines(lines: list[tuple[int, str]], path: Path, headings=frozenset(), named=None) -> Imported:
    """Numbered non-empty lines -> the model. What a Word manuscript knows (readers/docx.py):
    `headings`, line numbers in a heading style, are taken as headings without guessing;
    `named` maps (number, line) to 'name: text' when a bold name opens the line, used when
    a profile has that name."""
    return _ArticleParser(lines, path, headings, named or {}).parse()


class _ArticleParser:
    """One pass over the lines, one method per part of the article, in the order they come:
    dates, title, tags, lead, profiles, publisher, body."""

    def __init__(self, lines: list[tuple[int, str]], path: Path, headings, named: dict):
        self.lines = lines
        self.path = path
        self.headings = headings
        self.named = named
        self.pos = 0
        self.problems: list[tuple[int, str]] = []
        self.warnings: list[Warn] = []
        self.people: list[_Profile] = []
        self.sections: list[_Section] = []
        self.note: list[str] = []

    def fail(self, line: int, message: str) -> None:
        self.problems.append((line, message))

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(Warn(line, message))

    def more(self) -> bool:
        return self.pos < len(self.lines)

    def speaker_match(self, n: int, s: str, people):
        hinted = SPEAKER.match(self.named[(n, s)]) if (n, s) in self.named else None
        return hinted if hinted and _is_speaker(hinted, people) else SPEAKER.match(s)

    def parse(self) -> Imported:
        published, updated = self.dates()
        title_line, title, subtitle = self.title()
        kind, tags = self.tags()
        lead = self.lead(title_line)
        self.profiles()
        _assign_ids(self.people, self.warnings)
        publisher = self.publisher(title_line)
        self.body()
        self.check_body()
        if self.problems:
            raise _error(self.path, self.problems)
        interview = _to_model(
            self.path, title=title, subtitle=subtitle, title_reading=katakana_reading(title) if title else None,
            kind=kind, publisher=publisher, published=published, updated=updated, tags=tags, lead=lead,
            people=self.people, sections=self.sections, note=self.note)
        lines = Lines(title_line, tuple(p.line for p in self.people), tuple(sec.line for sec in self.sections),
                      tuple(tuple(t.line for t in sec.turns) for sec in self.sections))
        return Imported(interview, lines, self.warnings)

    # -- the head: dates, title, tags, lead ------------------------------------------------
    def dates(self) -> tuple[dt.date | None, dt.date | None]:
        published = updated = None
        while self.more() and (m := DATE_LINE.match(self.lines[self.pos][1])):
            n, _ = self.lines[self.pos]
            value = parse_date(m.group(2), n, self.problems)
            if m.group(1) == "公開日":
                published = value
            else:
                updated = value
            self.pos += 1
        return published, updated

    def title(self) -> tuple[int, str, str | None]:
        if not self.more():
            raise _error(self.path, [(1, "the article has no title line")])
        title_line, title_text = self.lines[self.pos]
        if BULLET.match(title_text) or PROFILE.match(title_text):
            self.fail(title_line, "expected the title line here")
        self.pos += 1
        title, sep, subtitle = title_text.partition("──")
        title, subtitle = title.strip(), subtitle.strip() or None
        if sep and not title:
            self.fail(title_line, "the title line starts with ── (a question?); the title is missing")
        return title_line, title, subtitle

    def tags(self) -> tuple[str | None, list[str]]:
        tags = []
        while self.more() and (m := BULLET.match(self.lines[self.pos][1])):
            tags.append((self.lines[self.pos][0], m.group(1).strip()))
            self.pos += 1
        kind = None
        if tags and KIND_HINT.search(tags[0][1]):
            kind = tags.pop(0)[1]
        elif tags:
            self.warn(tags[0][0], f"the first tag '{tags[0][1]}' does not look like an article kind; kept as a tag")
        return kind, [t for _, t in tags]

    def lead(self, title_line: int) -> list[str]:
        """Every line up to the first profile block."""
        lead = []
        while self.more() and not PROFILE.match(self.lines[self.pos][1]):
            n, s = self.lines[self.pos]
            if QUESTION.match(s):
                self.fail(n, "a question before any profile block (expected `名前(所属/職種)` lines after the lead)")
            lead.append(s)
            self.pos += 1
        if not lead:
            self.warn(self.lines[self.pos][0] if self.more() else title_line, "the article has no lead")
        if not self.more():
            self.fail(title_line, "no profile block found (a line like `西田(東京都/ICT職)` followed by the bio)")
            raise _error(self.path, self.problems)
        return lead

    # -- the profiles --------------------------------------------------------------------
    def profiles(self) -> None:
        """Each a header line, then bio lines (each ends a sentence)."""
        while self.more() and (m := PROFILE.match(self.lines[self.pos][1])):
            n = self.lines[self.pos][0]
            profile = _Profile(n, m.group("name"), (m.group("affiliation") or "").strip() or None,
                               (m.group("title") or "").strip() or None)
            self.pos += 1
            self.bio(profile)
            self.department(profile)
            self.people.append(profile)

    def bio(self, profile: _Profile) -> None:
        known = [profile] + self.people
        while self.more():
            bn, bs = self.lines[self.pos]
            bio_speaker = self.speaker_match(bn, bs, known)
            if PROFILE.match(bs) or QUESTION.match(bs) or bio_speaker and _is_speaker(bio_speaker, known):
                break
            if bn in self.headings:
                break
            ends = ends_sentence(bs)
            if ends is False:
                break  # the first heading of the body
            if ends is None:
                self.warn(bn, f"unsure whether this line belongs to {profile.name}'s profile or is a heading; "
                              "taken as profile text")
            profile.bio.append(bs)
            self.pos += 1

    def department(self, profile: _Profile) -> None:
        """The bio's first sentence is the department when it ends like one (…課。)."""
        n = profile.line
        if not profile.bio:
            self.warn(n, f"the profile of {profile.name} has no bio lines")
            return
        first, dot, rest = profile.bio[0].partition("。")
        if dot and rest and len(first) <= 40 and "、" not in first and DEPARTMENT_END.search(first):
            profile.department = first
            profile.bio[0] = rest
        elif dot and rest and len(first) <= 40 and "、" not in first and not re.search(r"(した|する|です|ます|いる|った|ある)$", first):
            self.warn(n + 1, f"the first sentence '{first}' may be a department; kept in the bio")

    def publisher(self, title_line: int) -> str | None:
        affiliations = {p.affiliation for p in self.people}
        if len(affiliations) == 1 and None not in affiliations:
            # An organisation's own interview series: everyone belongs to the publisher.
            publisher = affiliations.pop()
            self.warn(self.people[0].line, f"publisher taken from the affiliation all the people share: "
                                           f"'{publisher}' (--publisher overrides it)")
            return publisher
        self.warn(title_line, "the people have different affiliations: no publisher set (use --publisher)")
        return None

    # -- the body ------------------------------------------------------------------------
    def body(self) -> None:
        """Questions, answers and their paragraphs under section headings, then the ※ note."""
        current: _Turn | None = None
        while self.more():
            n, s = self.lines[self.pos]
            self.pos += 1
            if self.note or s.startswith("※"):
                self.note_line(n, s)
                continue
            turn = self.turn(n, s)
            if turn is not None:
                current = turn if turn is not _SKIP else current
                continue
            ends = self.ends_paragraph(n, s, current)
            if ends:
                if current is None:
                    self.fail(n, "a paragraph with no speaker before it (expected a ── question or `名前:` answer)")
                    continue
                current.paragraphs.append(s)
            else:
                self.start_section(n, s)
                current = None

    def note_line(self, n: int, s: str) -> None:
        if self.note and not s.startswith("※"):
            self.fail(n, "text after the closing ※ note (the note must end the article)")
        else:
            self.note.append(s)

    def turn(self, n: int, s: str):
        """A question or an answer opening at this line: the new turn (or _SKIP when the
        line is a turn in error); None when the line opens no turn."""
        if m := QUESTION.match(s):
            if not m.group("text"):
                self.fail(n, "an empty question (── with no text)")
                return _SKIP
            return self.add_turn(_Turn(n, "q", [m.group("text")]))
        speaker = self.speaker_match(n, s, self.people)
        person = _is_speaker(speaker, self.people) if speaker else None
        if person:
            if not speaker.group("text").strip():
                self.fail(n, f"an answer by {person.name} with no text")
                return _SKIP
            return self.add_turn(_Turn(n, person.id, [speaker.group("text").strip()]))
        if speaker and len(speaker.group("name")) <= 6 and not re.search(r"[、。]", speaker.group("name")):
            known = "、".join(p.name for p in self.people)
            self.warn(n, f"'{speaker.group('name')}' followed by a colon looks like a speaker, but no profile has "
                         f"that name (known: {known}); taken as text")
        return None

    def add_turn(self, turn: _Turn) -> _Turn:
        if not self.sections:
            self.start_section(turn.line, None)
        self.sections[-1].turns.append(turn)
        return turn

    def start_section(self, line: int, heading: str | None) -> None:
        if heading is not None and self.sections and not self.sections[-1].turns:
            self.fail(self.sections[-1].line, "a section heading with no question or answer under it")
        self.sections.append(_Section(line, heading))

    def ends_paragraph(self, n: int, s: str, current: _Turn | None) -> bool:
        """A line that opens no turn: a paragraph (True) or a section heading (False)."""
        if n in self.headings:
            return False
        ends = ends_sentence(s)
        next_line = self.lines[self.pos][1] if self.more() else ""
        if ends is True and s[-1] in "？?" and len(s) <= 40 and QUESTION.match(next_line) and current is not None \
                and current.speaker != "q":
            self.warn(n, "a short line ending in a question mark right before a question: unsure; "
                         "taken as a section heading")
            return False
        if ends is None:
            as_heading = len(s) <= MAX_HEADING and current is not None and bool(
                QUESTION.match(next_line) or _speaker_line(next_line, self.people))
            self.warn(n, f"unsure whether this line is a heading or a paragraph (it ends with '{s[-1]}'); "
                         f"taken as {'a heading' if as_heading else 'a paragraph'}")
            return not as_heading
        if ends is False and len(s) > MAX_HEADING:
            self.warn(n, f"a {len(s)}-character line that does not end a sentence: taken as a paragraph, "
                         "not a heading")
            return True
        return ends

    def check_body(self) -> None:
        if self.sections and not self.sections[-1].turns:
            self.fail(self.sections[-1].line, "a section heading with no question or answer under it")
        if not self.sections:
            self.fail(self.lines[-1][0], "the article has no body (no question or answer)")
        for person in self.people:
            if not any(t.speaker == person.id for sec in self.sections for t in sec.turns):
                self.warn(person.line, f"{person.name} has a profile but never answers")


_SKIP = _Turn(0, "", [])  # a turn line in error: reported, nothing added


def _speaker_line(line: str, people) -> bool:
    m = SPEAKER.match(line)
    return bool(m and _is_speaker(m, people))


def _is_speaker(match, people) -> _Profile | None:
    name = match.group("name")
    squeezed = re.sub(r"[ \u3000]", "", name)
    for p in people:
        if name == p.name or squeezed == re.sub(r"[ \u3000]", "", p.name):
            return p
    # a full name in the profile, the family name in the answers
    family = [p for p in people if re.split(r"[ \u3000]", p.name)[0] == name]
    return family[0] if len(family) == 1 else None


def _assign_ids(people: list[_Profile], warnings: list[Warn]) -> None:
    taken: set[str] = set()
    for index, p in enumerate(people, 1):
        base = person_id(p.name)
        if not base or not re.match(r"[a-z]", base):
            base = f"person{index}" if not base else f"p-{base}"
            warnings.append(Warn(p.line, f"no readable romanisation for '{p.name}'; id '{base}'"))
        pid, k = base, 2
        while pid in taken:
            pid, k = f"{base}-{k}", k + 1
        if pid != base:
            warnings.append(Warn(p.line, f"two people romanise to '{base}'; {p.name} is '{pid}'"))
        taken.add(pid)
        p.id = pid
        reading = hiragana_reading(p.name)
        p.reading = reading if re.fullmatch(r"[\u3040-\u309fー]+", reading) else None


def _error(path: Path, problems) -> ImportProblem:
    return ImportProblem([SourceProblem(path, line, 1, "", message) for line, message in problems])


# --- the model ---------------------------------------------------------------------------


def _paragraphs(lines: list[str]) -> tuple[Paragraph, ...]:
    """Article lines -> paragraphs, one a line, exactly as the source reader reads them
    back from the written source (each character as it is: markup characters escaped)."""
    return tuple(p for line in lines for p in parse_paragraphs(escape_markup(line)))


def _line(text: str | None) -> Paragraph | None:
    paragraphs = _paragraphs([text]) if text else ()
    return paragraphs[0] if paragraphs else None


def _to_model(path: Path, *, title, subtitle, title_reading, kind, publisher, published, updated, tags, lead,
              people: list[_Profile], sections: list[_Section], note: list[str]) -> Interview:
    return Interview(
        slug=default_output(path).stem,
        source=Path(path).resolve(),
        title=_line(title) or Paragraph(()),
        subtitle=_line(subtitle),
        title_reading=title_reading,
        kind=kind or Interview.kind,
        publisher=publisher,
        published=published,
        updated=updated,
        tags=tuple(tags),
        lead=_paragraphs(lead),
        people=tuple(Person(id=p.id, name=p.name, reading=p.reading, affiliation=p.affiliation, title=p.title,
                            department=p.department, bio=_paragraphs(p.bio)) for p in people),
        sections=tuple(Section(_line(sec.heading), tuple(_to_turn(t) for t in sec.turns)) for sec in sections),
        note=_paragraphs(note),
    )


def _to_turn(turn: _Turn):
    if turn.speaker == "q":
        return Question(_paragraphs(turn.paragraphs))
    return Answer(turn.speaker, _paragraphs(turn.paragraphs))


def read_text_article(path: Path) -> Imported:
    """A plain-text article -> the model. Raises ImportProblem / SourceError."""
    from publish.readers.yamltree import bad_characters, read_text

    text = read_text(path, what="article")
    if not text.strip():
        raise ImportProblem([SourceProblem(path, 1, 1, "", "the article is empty")])
    # an article is untrusted text: controls, lone surrogates and bidi overrides are refused
    # where they stand, as in a source
    if refused := bad_characters(text, path):
        raise ImportProblem(refused)
    return parse_article(text, path)


def default_output(article_path: Path, content: Path = Path("content")) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", Path(article_path).stem.lower()).strip("-") or "interview"
    return Path(content) / f"{slug}.yaml"
