"""Validate a collection file (`content/<name>.collection.yaml`) and load its interviews.

A collection holds several interviews in one brochure and one EPUB:

    title: デジタル人材の現場から          # required
    subtitle: 自治体ICT職インタビュー集
    title_reading: デジタルジンザイノゲンバカラ
    publisher: 自治体DX研究会
    published: 2025-03-01
    intro: |                           # paragraphs, the same inline markup as interviews
      …
    interviews:                        # required: interview sources, relative to this file, in order
      - tokyo-ict-exchange.yaml
      - midoridai-mentors.yaml
    layout: brochure
    url: https://example.org/voices

Problems are reported like an interview's, `path:line:column: field: message`, together
with every problem of the interviews it lists.
"""

from __future__ import annotations

from pathlib import Path

from publish.model import Book as Collection, make_chapters
from publish.errors import SourceError
from publish.model import Paragraph
from publish.readers import yamltree
from publish.readers.interview import Checker, _kind, load_interview

COLLECTION_SUFFIX = ".collection.yaml"
COLLECTION_FIELDS = {
    "title": "text",
    "subtitle": "text",
    "title_reading": "katakana",
    "publisher": "plain",
    "publisher_reading": "katakana",
    "published": "date",
    "intro": "rich",
    "interviews": "paths",
    "layout": "plain",
    "url": "url",
    "cover": "cover",
}
COLLECTION_REQUIRED = ("title", "interviews")


def is_collection(path) -> bool:
    return Path(path).name.endswith(COLLECTION_SUFFIX)


def collection_slug(path) -> str:
    return Path(path).name[: -len(COLLECTION_SUFFIX)]


def load_collection(path: Path, *, known_layouts=None) -> Collection:
    """Read, validate and model a collection and every interview it lists. Raises SourceError."""
    path = Path(path)
    data, locations = yamltree.load(path)
    check = Checker(path, yamltree.read_text(path).split("\n"), locations, data)
    if check.check_record(data, (), COLLECTION_FIELDS, COLLECTION_REQUIRED, "collection") is None:
        raise SourceError(check.problems)

    title_reading = check.katakana(data.get("title_reading"), ("title_reading",))
    layout = check.layout_name(data.get("layout"), ("layout",), known_layouts)
    url = check.url(data.get("url"), ("url",))

    interviews = []
    problems_elsewhere = []
    raw = data.get("interviews")
    if raw is not None and not isinstance(raw, list):
        check.report(("interviews",), f"must be a list of interview source paths, not {_kind(raw)}")
        raw = []
    seen: dict[Path, int] = {}
    for i, entry in enumerate(raw or []):
        where = ("interviews", i)
        target = check.local_file(entry, where)
        if target is None:
            continue
        if is_collection(target) or target.suffix not in (".yaml", ".yml"):
            check.report(where, f"'{entry}' is not an interview source (a .yaml file that is not a collection)")
            continue
        if target in seen:
            check.report(where, f"'{entry}' is listed twice (first as interviews[{seen[target]}])")
            continue
        seen[target] = i
        try:
            interviews.append(load_interview(target, known_layouts=known_layouts))
        except SourceError as exc:
            problems_elsewhere += exc.problems
            check.report(where, f"'{entry}' has problems (listed with its own path)")

    collection = Collection(
        slug=collection_slug(path),
        source=path.resolve(),
        title=check.text(data.get("title"), ("title",)) or Paragraph(()),
        subtitle=check.text(data.get("subtitle"), ("subtitle",)),
        title_reading=title_reading,
        publisher=check.plain(data.get("publisher"), ("publisher",)),
        publisher_reading=check.katakana(data.get("publisher_reading"), ("publisher_reading",)),
        published=check.date(data.get("published"), ("published",)),
        intro=check.rich(data.get("intro"), ("intro",)),
        chapters=make_chapters(interviews),
        layout=layout,
        url=url,
        cover=check.cover(data.get("cover")),
    )
    if check.problems or problems_elsewhere:
        raise SourceError(check.problems + problems_elsewhere)
    check.emit_warnings()
    return collection
