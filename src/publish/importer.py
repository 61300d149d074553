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

import yaml

from .errors import SourceError, SourceProblem

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


@dataclass
class Profile:
    line: int
    name: str
    affiliation: str | None
    title: str | None
    department: str | None = None
    bio: list[str] = field(default_factory=list)
    id: str = ""
    reading: str | None = None


@dataclass
class Turn:
    line: int
    speaker: str  # "q" or a person id
    paragraphs: list[str]


@dataclass
class Sec:
    line: int
    heading: str | None
    turns: list[Turn] = field(default_factory=list)


@dataclass
class Article:
    title: str
    subtitle: str | None = None
    title_reading: str | None = None
    kind: str | None = None
    publisher: str | None = None
    published: dt.date | None = None
    updated: dt.date | None = None
    tags: list[str] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)
    people: list[Profile] = field(default_factory=list)
    sections: list[Sec] = field(default_factory=list)
    note: list[str] = field(default_factory=list)
    warnings: list[Warn] = field(default_factory=list)


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


def parse_article(text: str, path: Path) -> Article:
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = [(i + 1, raw.strip(" \t\u3000")) for i, raw in enumerate(text.split("\n"))]
    return parse_lines([(n, s) for n, s in lines if s], path)


def parse_lines(lines: list[tuple[int, str]], path: Path, headings=frozenset(), named=None) -> Article:
    """Numbered non-empty lines -> an Article. What a Word manuscript knows (docx_reader):
    `headings`, line numbers in a heading style, are taken as headings without guessing;
    `named` maps (number, line) to 'name: text' when a bold name opens the line, used when
    a profile has that name."""
    named = named or {}

    def speaker_match(n: int, s: str, people):
        hinted = SPEAKER.match(named[(n, s)]) if (n, s) in named else None
        return hinted if hinted and _is_speaker(hinted, people) else SPEAKER.match(s)

    problems: list[tuple[int, str]] = []
    warnings: list[Warn] = []
    pos = 0

    def fail(line: int, message: str):
        problems.append((line, message))

    # dates
    published = updated = None
    while pos < len(lines) and (m := DATE_LINE.match(lines[pos][1])):
        n, _ = lines[pos]
        value = parse_date(m.group(2), n, problems)
        if m.group(1) == "公開日":
            published = value
        else:
            updated = value
        pos += 1

    # title
    if pos >= len(lines):
        raise _error(path, [(1, "the article has no title line")])
    title_line, title_text = lines[pos]
    if BULLET.match(title_text) or PROFILE.match(title_text):
        fail(title_line, "expected the title line here")
    pos += 1
    title, sep, subtitle = title_text.partition("──")
    title, subtitle = title.strip(), subtitle.strip() or None
    if sep and not title:
        fail(title_line, "the title line starts with ── (a question?); the title is missing")
    article = Article(title=title, subtitle=subtitle, published=published, updated=updated, warnings=warnings)

    # tags
    tags = []
    while pos < len(lines) and (m := BULLET.match(lines[pos][1])):
        tags.append((lines[pos][0], m.group(1).strip()))
        pos += 1
    if tags and KIND_HINT.search(tags[0][1]):
        article.kind = tags.pop(0)[1]
    elif tags:
        warnings.append(Warn(tags[0][0], f"the first tag '{tags[0][1]}' does not look like an article kind; kept as a tag"))
    article.tags = [t for _, t in tags]

    # lead: every line up to the first profile block
    while pos < len(lines) and not PROFILE.match(lines[pos][1]):
        n, s = lines[pos]
        if QUESTION.match(s):
            fail(n, "a question before any profile block (expected `名前(所属/職種)` lines after the lead)")
        article.lead.append(s)
        pos += 1
    if not article.lead:
        warnings.append(Warn(lines[pos][0] if pos < len(lines) else title_line, "the article has no lead"))
    if pos >= len(lines):
        fail(title_line, "no profile block found (a line like `西田(東京都/ICT職)` followed by the bio)")
        raise _error(path, problems)

    # profiles: header line, then bio lines (each ends a sentence)
    while pos < len(lines) and (m := PROFILE.match(lines[pos][1])):
        n = lines[pos][0]
        profile = Profile(n, m.group("name"), (m.group("affiliation") or "").strip() or None,
                          (m.group("title") or "").strip() or None)
        pos += 1
        while pos < len(lines):
            bn, bs = lines[pos]
            bio_speaker = speaker_match(bn, bs, [profile] + article.people)
            if PROFILE.match(bs) or QUESTION.match(bs) or bio_speaker and _is_speaker(bio_speaker, [profile] + article.people):
                break
            if bn in headings:
                break
            ends = ends_sentence(bs)
            if ends is False:
                break  # the first heading of the body
            if ends is None:
                warnings.append(Warn(bn, f"unsure whether this line belongs to {profile.name}'s profile or is a heading; taken as profile text"))
            profile.bio.append(bs)
            pos += 1
        if not profile.bio:
            warnings.append(Warn(n, f"the profile of {profile.name} has no bio lines"))
        else:
            first, dot, rest = profile.bio[0].partition("。")
            if dot and rest and len(first) <= 40 and "、" not in first and DEPARTMENT_END.search(first):
                profile.department = first
                profile.bio[0] = rest
            elif dot and rest and len(first) <= 40 and "、" not in first and not re.search(r"(した|する|です|ます|いる|った|ある)$", first):
                warnings.append(Warn(n + 1, f"the first sentence '{first}' may be a department; kept in the bio"))
        article.people.append(profile)

    _assign_ids(article.people, warnings)
    affiliations = {p.affiliation for p in article.people}
    if len(affiliations) == 1 and None not in affiliations:
        # An organisation's own interview series: everyone belongs to the publisher.
        article.publisher = affiliations.pop()
        warnings.append(Warn(article.people[0].line, f"publisher taken from the affiliation all the people share: "
                                                     f"'{article.publisher}' (--publisher overrides it)"))
    else:
        warnings.append(Warn(title_line, "the people have different affiliations: no publisher set (use --publisher)"))

    # body
    current: Turn | None = None
    section: Sec | None = None

    def start_section(line: int, heading: str | None):
        nonlocal section, current
        section = Sec(line, heading)
        article.sections.append(section)
        current = None

    while pos < len(lines):
        n, s = lines[pos]
        pos += 1
        if article.note:
            if s.startswith("※"):
                article.note.append(s)
            else:
                fail(n, "text after the closing ※ note (the note must end the article)")
            continue
        if s.startswith("※"):
            article.note.append(s)
            continue
        if m := QUESTION.match(s):
            if not m.group("text"):
                fail(n, "an empty question (── with no text)")
                continue
            if section is None:
                start_section(n, None)
            current = Turn(n, "q", [m.group("text")])
            section.turns.append(current)
            continue
        speaker = speaker_match(n, s, article.people)
        person = _is_speaker(speaker, article.people) if speaker else None
        if person:
            if not speaker.group("text").strip():
                fail(n, f"an answer by {person.name} with no text")
                continue
            if section is None:
                start_section(n, None)
            current = Turn(n, person.id, [speaker.group("text").strip()])
            section.turns.append(current)
            continue
        if speaker and len(speaker.group("name")) <= 6 and not re.search(r"[、。]", speaker.group("name")):
            known = "、".join(p.name for p in article.people)
            warnings.append(Warn(n, f"'{speaker.group('name')}' followed by a colon looks like a speaker, but no profile has that name (known: {known}); taken as text"))
        ends = False if n in headings else ends_sentence(s)
        next_line = lines[pos][1] if pos < len(lines) else ""
        if n in headings:
            pass
        elif ends is True and s[-1] in "？?" and len(s) <= 40 and QUESTION.match(next_line) and current is not None and current.speaker != "q":
            warnings.append(Warn(n, "a short line ending in a question mark right before a question: unsure; taken as a section heading"))
            ends = False
        elif ends is None:
            as_heading = len(s) <= MAX_HEADING and current is not None and (QUESTION.match(next_line) or _speaker_line(next_line, article.people))
            warnings.append(Warn(n, f"unsure whether this line is a heading or a paragraph (it ends with '{s[-1]}'); taken as {'a heading' if as_heading else 'a paragraph'}"))
            ends = not as_heading
        elif ends is False and len(s) > MAX_HEADING:
            warnings.append(Warn(n, f"a {len(s)}-character line that does not end a sentence: taken as a paragraph, not a heading"))
            ends = True
        if ends:
            if current is None:
                fail(n, "a paragraph with no speaker before it (expected a ── question or `名前:` answer)")
                continue
            current.paragraphs.append(s)
        else:
            if section is not None and not section.turns:
                fail(section.line, "a section heading with no question or answer under it")
            start_section(n, s)
    if section is not None and not section.turns:
        fail(section.line, "a section heading with no question or answer under it")
    if not article.sections:
        fail(lines[-1][0], "the article has no body (no question or answer)")
    for person in article.people:
        if not any(t.speaker == person.id for sec in article.sections for t in sec.turns):
            warnings.append(Warn(person.line, f"{person.name} has a profile but never answers"))
    if problems:
        raise _error(path, problems)
    article.title_reading = katakana_reading(title) if title else None
    return article


def _speaker_line(line: str, people) -> bool:
    m = SPEAKER.match(line)
    return bool(m and _is_speaker(m, people))


def _is_speaker(match, people) -> Profile | None:
    name = match.group("name")
    squeezed = re.sub(r"[ \u3000]", "", name)
    for p in people:
        if name == p.name or squeezed == re.sub(r"[ \u3000]", "", p.name):
            return p
    # a full name in the profile, the family name in the answers
    family = [p for p in people if re.split(r"[ \u3000]", p.name)[0] == name]
    return family[0] if len(family) == 1 else None


def _assign_ids(people: list[Profile], warnings: list[Warn]) -> None:
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


# --- YAML output -----------------------------------------------------------------------

_MARKUP = re.compile(r"[\\{^*]")


def escape_markup(text: str) -> str:
    """Article text -> inline markup that reads back as the same characters."""
    text = _MARKUP.sub(lambda m: "\\" + m.group(0), text)
    return re.sub(r"(?<=《)《|(?<=》)》", lambda m: "\\" + m.group(0), text)


def _plain_ok(value: str) -> bool:
    try:
        return yaml.safe_load(f"k: {value}") == {"k": value}
    except yaml.YAMLError:
        return False


def scalar(value: str) -> str:
    if _plain_ok(value):
        return value
    return yaml.dump(value, default_style='"', allow_unicode=True, width=10**9).strip()


def block(paragraphs: list[str], indent: int) -> str:
    pad = " " * indent
    body = f"\n{pad}\n".join(pad + escape_markup(p) for p in paragraphs)
    return "|\n" + body.replace(f"\n{pad}\n", "\n\n") + "\n"


def to_yaml(article: Article, source_name: str) -> str:
    out = [
        f"# Imported from {source_name} by `publish import`; title_reading and the people's",
        "# readings and ids are machine readings: check them.",
        f"title: {scalar(escape_markup(article.title))}",
    ]
    if article.subtitle:
        out.append(f"subtitle: {scalar(escape_markup(article.subtitle))}")
    if article.title_reading:
        out.append(f"title_reading: {article.title_reading}")
    if article.kind:
        out.append(f"kind: {scalar(article.kind)}")
    if article.publisher:
        out.append(f"publisher: {scalar(article.publisher)}")
    if article.published:
        out.append(f"published: {article.published.isoformat()}")
    if article.updated:
        out.append(f"updated: {article.updated.isoformat()}")
    if article.tags:
        flow = "[" + ", ".join(article.tags) + "]"
        if _flow_ok(flow, article.tags):
            out.append(f"tags: {flow}")
        else:
            out.append("tags:")
            out += [f"  - {scalar(t)}" for t in article.tags]
    out.append("layout: brochure")
    if article.lead:
        out.append("lead: " + block(article.lead, 2).rstrip("\n"))
    out.append("people:")
    for p in article.people:
        out.append(f"  - id: {p.id}")
        out.append(f"    name: {scalar(p.name)}")
        if p.reading:
            out.append(f"    reading: {p.reading}")
        for key in ("affiliation", "title", "department"):
            value = getattr(p, key)
            if value:
                out.append(f"    {key}: {scalar(value)}")
        if p.bio:
            out.append("    bio: " + block(p.bio, 6).rstrip("\n"))
    out.append("sections:")
    for sec in article.sections:
        if sec.heading is not None:
            out.append(f"  - heading: {scalar(escape_markup(sec.heading))}")
            out.append("    turns:")
        else:
            out.append("  - turns:")
        for turn in sec.turns:
            out.append(f"      - {turn.speaker}: " + block(turn.paragraphs, 10).rstrip("\n"))
    if article.note:
        if len(article.note) == 1 and _plain_ok(escape_markup(article.note[0])):
            out.append(f"note: {escape_markup(article.note[0])}")
        else:
            out.append("note: " + block(article.note, 2).rstrip("\n"))
    return "\n".join(out) + "\n"


def _flow_ok(flow: str, tags: list[str]) -> bool:
    try:
        return yaml.safe_load(f"k: {flow}") == {"k": tags}
    except yaml.YAMLError:
        return False


def import_article(path: Path, *, publisher: str | None = None) -> tuple[str, Article]:
    """Read an article (plain text, or a Word .docx: see docx_reader); return (YAML text,
    parsed article). Raises ImportProblem / SourceError."""
    from .source.yamltree import bad_characters, read_text

    path = Path(path)
    if path.suffix.lower() == ".docx":
        from .docx_reader import read_docx

        manuscript = read_docx(path)
        if not manuscript.lines:
            raise ImportProblem([SourceProblem(path, 1, 1, "", "the manuscript is empty")])
        # a manuscript is untrusted text too: controls, lone surrogates and bidi overrides are refused
        import dataclasses

        refused = [dataclasses.replace(problem, line=number)  # the paragraph's number in the manuscript
                   for number, text in manuscript.lines for problem in bad_characters(text + "\n", path)]
        if refused:
            raise ImportProblem(refused)
        article = parse_lines(manuscript.lines, path, manuscript.headings, manuscript.named)
        article.warnings += [Warn(line, message) for line, message in manuscript.warnings]
    else:
        text = read_text(path, what="article")
        if not text.strip():
            raise ImportProblem([SourceProblem(path, 1, 1, "", "the article is empty")])
        # an article is untrusted text: controls, lone surrogates and bidi overrides are refused
        # where they stand, as in a source
        if refused := bad_characters(text, path):
            raise ImportProblem(refused)
        article = parse_article(text, path)
    if publisher is not None:
        article.publisher = publisher or None
        article.warnings = [w for w in article.warnings if "publisher" not in w.message]
    return to_yaml(article, path.name), article


def default_output(article_path: Path, content: Path = Path("content")) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", Path(article_path).stem.lower()).strip("-") or "interview"
    return Path(content) / f"{slug}.yaml"


def run_import(article_path: Path, output: Path | None, *, force: bool = False, publisher: str | None = None,
               content: Path = Path("content")) -> int:
    """The `publish import` command: warnings and problems on stderr; 0, 1 or 2."""
    import sys
    import tempfile

    from .errors import PublishError, display_path
    from .output import atomic_write
    from .source import load_interview

    text, article = import_article(article_path, publisher=publisher)
    for w in sorted(article.warnings, key=lambda w: w.line):
        print(f"{display_path(article_path)}:{w.line}: warning: {w.message}", file=sys.stderr)
    # The output must validate; anything else is the importer's own bug, never the user's file.
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "imported.yaml"
        probe.write_text(text, encoding="utf-8")
        load_interview(probe, warn=False)
    if output is not None and str(output) == "-":
        sys.stdout.write(text)
        return 0
    target = output or default_output(article_path, content)
    if target.exists() and not force:
        raise PublishError(f"{target} exists; pass --force to overwrite it")
    atomic_write(target, text.encode("utf-8"))
    print(f"wrote {display_path(target)} ({len(article.people)} people, {len(article.sections)} sections, "
          f"{sum(len(s.turns) for s in article.sections)} turns)", file=sys.stderr)
    return 0
