"""The make-up stage (面付け前の台割): fit an interview or a collection to its binding.

Saddle stitching needs a multiple of four pages, perfect binding an even count. Blank
pages inside a brochure are what a designer avoids most (a print shop queries them, and a
blank spread is never handed out), so before the final render this stage decides the page
count in the order the layout's `makeup.strategies` token gives:

- tighten / loosen: the adjustable space the layout declares as `makeup.*` ranges
  (space above and inside section headings and around pull quotes, the lead's size, figure widths,
  profile photos) is moved towards its tightest or loosest value; a level is kept when it
  lands on the binding's multiple, or when it pulls back a runt last page (less than a
  quarter of the type area) at no more pages;
- quote / people / contact: editorial pages before the back cover (a full-page pull quote
  from a `quote:` turn or the lead; the people with their profiles and photos; the
  source's `contact:` with its `url:` and QR code);
- blank: blank pages, only for what is still missing, and placed so that no two face each
  other.

For a collection every chapter starts on a right-hand page; the blank left page that
leaves before a chapter is filled with an editorial page of the chapter before it.

The note on stderr (`make-up: …`) says which strategy was used.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
from dataclasses import dataclass, field

from markupsafe import Markup

from publish.layout.tokens import STRATEGIES
EDITORIAL = ("quote", "people", "contact")
DEFAULTS = {
    "strategies": list(STRATEGIES),
    "heading_space": [0, 1, 2],
    "heading_padding": [0.25, 0.5, 0.75],
    "lead_scale": [0.9, 1, 1.05],
    "figure_width": [75, 100, 100],
    "photo_size": [18, 22, 26],
    "quote_space": [0.5, 1, 1.5],
}
LEVELS = {"tighten": (-0.5, -1.0), "loosen": (0.5, 1.0)}
RUNT = 0.25  # a last page filled less than this (of the type area) is a runt
MULTIPLE = {"saddle": 4, "perfect": 2}
NAMES = {"quote": "a full-page pull quote", "people": "a people page", "contact": "a contact page",
         "blank": "a blank page"}


def tokens(layout) -> dict:
    out = dict(DEFAULTS)
    out.update(layout.tokens.get("makeup") or {})
    return out


def _interpolate(spec, level: float) -> float:
    tight, natural, loose = (float(v) for v in spec)
    return natural + level * (natural - tight) if level < 0 else natural + level * (loose - natural)


def adjust_css(layout, level: float = 0.0) -> Markup:
    """CSS custom properties for a make-up level (-1 tightest, 0 natural, +1 loosest)."""
    t = tokens(layout)
    sizes = layout.tokens.get("sizes") or {}
    from publish.layout import to_pt

    pitch = layout.type_area.line_pitch
    lines = [
        f"--makeup-heading-space: {_interpolate(t['heading_space'], level) * pitch:.3f}pt;",
        f"--makeup-heading-padding: {_interpolate(t['heading_padding'], level) * pitch:.3f}pt;",
        f"--makeup-quote-space: {_interpolate(t['quote_space'], level) * pitch:.3f}pt;",
        f"--makeup-figure-width: {_interpolate(t['figure_width'], level):.2f}%;",
        f"--makeup-photo-size: {_interpolate(t['photo_size'], level):.2f}mm;",
    ]
    scale = _interpolate(t["lead_scale"], level)
    if "lead" in sizes and "lead-pitch" in sizes:
        lines.append(f"--size-lead: {to_pt(sizes['lead']) * scale:.3f}pt;")
        lines.append(f"--size-lead-pitch: {to_pt(sizes['lead-pitch']) * scale:.3f}pt;")
    return Markup(":root { " + " ".join(lines) + " }\n")


# -- what the editorial pages show -------------------------------------------------------------


def pull_quote(doc, lead: bool = True):
    """(paragraphs, speaker name or None) for a full-page pull quote: the longest `quote:`
    turn, else (`lead`) the lead's first paragraph; None when the source has neither."""
    from publish.model import PullQuote, rich_plain

    quotes = [t for s in doc.sections for t in s.turns if isinstance(t, PullQuote)]
    if quotes:
        best = max(quotes, key=lambda q: len(rich_plain(q.paragraphs)))
        return {"paragraphs": best.paragraphs, "by": doc.person(best.by).name if best.by else None}
    if doc.lead and lead:
        return {"paragraphs": (first_sentences(doc.lead[0]),), "by": None}
    return None


QUOTE_CHARS = 100  # a pull quote taken from the lead: its first sentences up to about this many


def first_sentences(paragraph, limit: int = QUOTE_CHARS):
    """The paragraph cut after the last full stop (。) that keeps it within `limit`
    characters (at least its first sentence); markup before the cut is kept."""
    from publish.model import Paragraph, Text, plain_text

    cut, seen = None, 0
    for index, node in enumerate(paragraph.inlines):
        length = len(plain_text((node,)))
        if isinstance(node, Text):
            for offset, char in enumerate(node.text):
                if char == "。" and (cut is None or seen + offset + 1 <= limit):
                    cut = (index, offset + 1)
        seen += length
        if seen > limit and cut is not None:
            break
    if cut is None:
        return paragraph
    index, offset = cut
    inlines = paragraph.inlines[:index] + (Text(paragraph.inlines[index].text[:offset]),)
    return Paragraph(tuple(inlines))


def available(doc, kind: str, lead: bool = True) -> bool:
    """Whether the source has what an editorial page of `kind` shows. `lead=False` (a
    collection's chapter, whose opening page already sets the lead large): no quote page
    from the lead."""
    if kind == "quote":
        return pull_quote(doc, lead) is not None
    if kind == "people":
        return bool(doc.people)
    if kind == "contact":
        return getattr(doc, "contact", None) is not None
    return kind == "blank"


@dataclass
class Plan:
    """What the templates render: the adjustment level and the pages after each body."""

    level: float = 0.0
    after: dict = field(default_factory=dict)  # key (None: the interview; n: chapter n) -> kinds
    css: Markup = Markup("")
    keeps: frozenset = frozenset()  # (question's keep_key, how): see keep_questions

    def pages(self, key=None) -> list[str]:
        return list(self.after.get(key, ()))

    @staticmethod
    def keep(doc, turn) -> str:
        """The question's key (templates: its `data-keep`)."""
        return keep_key(doc, turn)

    def keep_class(self, doc, turn) -> str:
        """The classes the make-up gives a question (keep-column, keep-avoid, keep-space, keep-space-2),
        each with a leading space."""
        key = keep_key(doc, turn)
        return "".join(f" keep-{how}" for how in ("column", "avoid", "space", "space-2") if (key, how) in self.keeps)

    def with_keeps(self, keeps) -> "Plan":
        return Plan(level=self.level, after=self.after, css=self.css, keeps=frozenset(keeps))

    def with_after(self, after) -> "Plan":
        return Plan(level=self.level, after=after, css=self.css, keeps=self.keeps)

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.after.values())


def natural_plan(layout) -> Plan:
    return Plan(css=adjust_css(layout, 0.0))


def template_globals(plan: Plan | None, layout) -> dict:
    plan = plan or natural_plan(layout)
    return {"makeup": plan, "pull_quote": pull_quote}


# -- measuring a rendered document ---------------------------------------------------------------


def page_fill(page) -> float:
    """How much of the type area's height a page's content takes (0..1)."""
    from publish.typeset_ja.weasyprint import content_extent

    top, height, bottom = content_extent(page)
    return max(0.0, (bottom - top) / (height or 1))


def forced_blanks(document) -> list[int]:
    """0-based indices of the pages WeasyPrint left blank (before a right-hand start)."""
    from publish.typeset_ja.weasyprint import page_type

    return [index for index, page in enumerate(document.pages) if page_type(page)[1]]


@dataclass
class Trial:
    level: float
    document: object
    pages: int
    blanks: list[int]
    runt: bool
    keeps: frozenset = frozenset()

    def need(self, multiple: int) -> int:
        return -self.pages % multiple

    def score(self, multiple: int) -> tuple:
        # pages to add (blank left pages to fill + what the binding still needs), a runt, the change
        return (len(self.blanks) + self.need(multiple), int(self.runt), abs(self.level))


def arrange(kinds: list[str], first_page: int) -> list[str]:
    """Order pages (first one on `first_page`, 1-based) so that no two blank pages face each
    other as a spread (pages 2k and 2k+1)."""
    blanks = [k for k in kinds if k == "blank"]
    others = [k for k in kinds if k != "blank"]
    out: list[str] = []
    page = first_page
    while blanks or others:
        partner_blank = page % 2 == 1 and out and out[-1] == "blank"
        if blanks and not partner_blank and (not others or page % 2 == 1 or len(blanks) >= len(others)):
            out.append(blanks.pop())
        elif others:
            out.append(others.pop(0))
        else:
            out.append(blanks.pop())
        page += 1
    return out


# -- keeps: a question with the first lines of its answer ------------------------------------------
#
# A question keeps at least the first two lines of its answer in its column (issue 11 §5).
# WeasyPrint's own means, set on every question (break-after: avoid, orphans on the answer),
# push whole blocks on and leave holes of 4-10 lines, so the make-up does what a designer
# does on the proofs, question by question: after a render it finds the questions left at
# the foot of a column with less than two lines of their answer, and renders again with
# exactly those marked (Plan.keeps; the layout's CSS says what a mark does):
#
# - keep-column: at the foot of a page's column, the question moves to the head of the
#   next column. The room it leaves is its own lines and the space above it; when that is
#   more than three lines, keep-space opens one more line above as many of the questions
#   higher up in the same column as it takes to bring the hole down to three lines, and in a
#   one-column layout (booklet, vertical frames: a page holds few turns) a second line
#   (keep-space-2) above some of them when there are too few; the column stays on the grid;
# - keep-avoid: in columns balanced above a spanning heading or at the end of a section,
#   the question may not end its column (break-after: avoid), and WeasyPrint's balancing
#   finds the column height that keeps it with its answer.
#
# Marks are kept from round to round; a move that earlier moves made pointless (the
# question would now stand higher up, so the forced break would leave more than its own
# room empty) is taken back with its spaces.

KEEP_LINES = 2   # lines of its answer a question keeps in its column
KEEP_ROUNDS = 4  # renders at most after the first, per make-up level
HOLE = 3         # lines a moved question may leave empty at the foot of its column


def keep_key(doc, turn) -> str:
    """A question's key, stable across renders and processes: the interview's slug, the
    section's and the turn's index."""
    for s, section in enumerate(doc.sections):
        for t, candidate in enumerate(section.turns):
            if candidate is turn:
                return f"{doc.slug}/{s}/{t}"
    return ""


def _classes(box) -> set[str]:
    from publish.typeset_ja.weasyprint import box_classes

    return box_classes(box)


def _key(box) -> str | None:
    from publish.typeset_ja.weasyprint import box_attribute

    return box_attribute(box, "data-keep")


def _lines(box) -> list:
    from publish.typeset_ja.weasyprint import line_boxes

    return line_boxes(box)


def _bottom(blocks) -> float:
    return max((line.position_y + line.height for b in blocks for line in _lines(b)),
               default=min((b.position_y for b in blocks), default=0.0))


@dataclass
class KeepCheck:
    faults: set        # questions (keys) with less than KEEP_LINES of their answer in their column
    needless: set      # questions moved by keep-column whose move leaves more than their own room empty
    holes: dict        # marked question at a column's head -> (lines left empty at the foot of the
                       # column before it, keys of the blocks there that may take a line above them)
    unbalanced: set = field(default_factory=set)  # questions in a column that ends more than HOLE
                       # lines below its neighbour on the same band (balanced columns above a heading)


def check_keeps(document, pitch: float, moved=frozenset()) -> KeepCheck:
    """Which questions of a rendered document break the keep (`pitch`: the body's line
    pitch in CSS px), and which of the `moved` ones (keys) need not be moved."""
    from publish.typeset_ja.weasyprint import text_columns

    columns = text_columns(document)
    fragments = [(c, b, block) for c, (_, _, blocks) in enumerate(columns) for b, block in enumerate(blocks)]
    lines_of: dict[int, int] = {}
    last_of: dict[int, int] = {}
    turns: list[int] = []  # indices of the turns' fragments
    for j, (_, _, block) in enumerate(fragments):
        last_of[id(block.element)] = j
        if "turn" in _classes(block):
            lines_of[id(block.element)] = lines_of.get(id(block.element), 0) + len(_lines(block))
            turns.append(j)
    faults, needless, holes, seen = set(), set(), {}, set()
    for c, b, block in fragments:
        key = _key(block)
        if not key or "question" not in _classes(block) or id(block.element) in seen:
            continue
        seen.add(id(block.element))
        last = last_of[id(block.element)]
        after = bisect.bisect_right(turns, last)
        answer = fragments[turns[after]] if after < len(turns) else None
        if answer is None or "answer" not in _classes(answer[2]):
            continue  # a question closing a section, or followed by a quote or a figure
        need = min(KEEP_LINES, lines_of.get(id(answer[2].element), 0))
        if answer[0] != fragments[last][0] or len(_lines(answer[2])) < need:
            faults.add(key)
        if b == 0 and c > 0 and columns[c - 1][2]:
            _, foot, blocks = columns[c - 1]
            free = (foot - _bottom(blocks)) / pitch
            room = len(_lines(block)) + 1 + need  # the question, the space between turns, its answer
            if key in moved and free > room + 0.5:
                needless.add(key)
            # a line more above a block, not between a question and what follows it
            open_ = [_key(x) for x, before in zip(blocks[1:], blocks) if _key(x) and "question" not in _classes(before)]
            holes[key] = (free, open_[::-1])
    unbalanced = set()
    tops = [min((b.position_y for b in blocks), default=foot) for _, foot, blocks in columns]
    for c, ((page, foot, blocks), (page2, foot2, blocks2)) in enumerate(zip(columns, columns[1:])):
        if page != page2 or not blocks or not blocks2 or abs(foot - foot2) > 0.5 or abs(tops[c] - tops[c + 1]) > 0.5:
            continue  # not two columns side by side on one band
        below = any(p == page and top >= foot - 0.5 for (p, _, _), top in zip(columns[c + 2:], tops[c + 2:]))
        if below and (_bottom(blocks) - _bottom(blocks2)) / pitch > HOLE + 0.2:  # balanced above a heading
            unbalanced |= {_key(b) for b in blocks if _key(b) and "question" in _classes(b)}
    return KeepCheck(faults, needless, holes, unbalanced)


def keep_questions(render, plan: Plan, layout, document=None):
    """(document, plan) with every question keeping the first lines of its answer:
    `render(plan)` (or `document`, when it is already rendered) is rendered again with the
    offending questions marked (Plan.keeps) until none is left, at most KEEP_ROUNDS more
    times. A vertical layout's pages are laid out as frames (typeset_ja/INTEGRATION.md): a
    frame's line is a column of the page, so the same check applies."""
    document = render(plan) if document is None else document
    pitch = layout.type_area.line_pitch * 4 / 3  # pt -> CSS px
    one_column = layout.type_area.columns == 1
    marks = set(plan.keeps)
    spaces: dict[str, list[str]] = {}
    best = None
    for round_ in range(KEEP_ROUNDS + 1):
        found = check_keeps(document, pitch, {k for k, how in marks if how == "column"})
        marked = {k for k, how in marks if how in ("column", "avoid")}
        wide = {k: v for k, v in found.holes.items() if k in marked and k not in spaces and v[0] > HOLE + 0.2}
        uneven = {k for k in found.unbalanced if (k, "avoid") in marks}
        score = len(found.faults) + len(found.needless) + len(wide) + len(uneven)
        if best is None or score < best[0]:
            best = (score, document, plan)
        if not score or round_ == KEEP_ROUNDS:
            break
        for key in found.needless:
            marks.discard((key, "column"))
            marks -= {(k, how) for k in spaces.pop(key, []) for how in ("space", "space-2")}
        for key in uneven:  # not ending its column left the balanced columns uneven: move it instead
            marks.discard((key, "avoid"))
            marks.add((key, "column"))
        for key in found.faults:
            if (key, "avoid") not in marks and (key, "column") not in marks:
                marks.add((key, "avoid"))  # first: WeasyPrint finds the break (splits a long question)
            elif (key, "avoid") in marks:
                marks.discard((key, "avoid"))
                marks.add((key, "column"))
        for key, (free, open_) in wide.items():
            lines = math.ceil(free - HOLE - 0.2)
            spaces[key] = open_[:lines]
            marks |= {(k, "space") for k in spaces[key]}
            if one_column:  # a page of few turns (booklet, vertical frames): a second line above some
                marks |= {(k, "space-2") for k in open_[:max(0, min(lines - len(open_), len(open_)))]}
        plan = plan.with_keeps(marks)
        document = render(plan)
    return best[1], best[2]


# -- interviews ------------------------------------------------------------------------------------


def binding(layout) -> str:
    return str((layout.tokens.get("page") or {}).get("binding", "saddle"))


def fit_interview(doc, layout, render, *, medium: str = "print"):
    """(document, note) with the page count on the binding's multiple.

    `render(plan)` returns a WeasyPrint Document of the interview for a Plan."""
    multiple = MULTIPLE.get(binding(layout), 4)
    strategies = list(tokens(layout)["strategies"])
    back = bool((layout.tokens.get("show") or {}).get("back_cover", True))

    def measured(level: float, document, keeps=frozenset(), after: int = 0) -> Trial:
        """`after`: pages the binding needs that follow the body in `document` (not counted)."""
        pages = len(document.pages) - after
        last_body = document.pages[pages - (2 if back and pages > 1 else 1)]
        return Trial(level, document, pages, [], page_fill(last_body) < RUNT, keeps)

    def trial(level: float, keep: bool) -> Trial:
        plan = Plan(level=level, css=adjust_css(layout, level))
        if not keep:
            return measured(level, render(plan))
        document, plan = keep_questions(render, plan, layout)
        return measured(level, document, plan.keeps)

    def select(keep: bool) -> tuple[Trial, Trial]:
        natural = trial(0.0, keep)
        best = natural
        if natural.score(multiple)[:2] != (0, 0):
            for strategy in strategies:
                if strategy not in LEVELS:
                    continue
                if strategy == "tighten" and natural.pages % multiple > 1 and not natural.runt:
                    continue  # no tightening takes two pages back
                if strategy == "loosen" and (natural.need(multiple) != 1 or natural.runt):
                    continue  # loosening fills one page at most, and never helps a runt
                for level in LEVELS[strategy]:
                    candidate = trial(level, keep)
                    if candidate.score(multiple) < best.score(multiple):
                        best = candidate
                    if candidate.score(multiple)[:2] == (0, 0):
                        break
                if best.score(multiple)[:2] == (0, 0):
                    break
        return natural, best

    def pages_for(trial: Trial) -> list[str]:
        """The pages the binding still needs after the body, in the strategies' order."""
        need = trial.need(multiple)
        kinds: list[str] = []
        for strategy in strategies:
            if len(kinds) >= need:
                break
            if strategy in EDITORIAL and available(doc, strategy):
                kinds.append(strategy)
            elif strategy == "blank":
                kinds += ["blank"] * (need - len(kinds))
        return arrange(kinds, trial.pages - (1 if back else 0) + 1)

    # the level is chosen on plain renders, then the questions are kept at that level (a few
    # renders more); only if that changes the page count is the choice made again with keeps.
    # The pages after the body do not move it, so the keep pass's renders carry them already:
    # its last render is then the finished document, not one render before it
    natural, best = select(False)
    kinds = pages_for(best)
    plan = Plan(level=best.level, css=adjust_css(layout, best.level))
    document, kept_plan = keep_questions(lambda p: render(p.with_after({None: kinds} if kinds else {})), plan,
                                         layout, best.document)
    finished = None
    if document is best.document:
        kept = best
    elif kinds:  # the body and the pages after it
        finished = document
        kept = dataclasses.replace(measured(best.level, document, kept_plan.keeps, after=len(kinds)),
                                   document=best.document)
    else:
        kept = measured(best.level, document, kept_plan.keeps)
    if (kept.pages, kept.runt) == (best.pages, best.runt):
        best = kept
    else:
        natural, best = select(True)
        kinds, finished = pages_for(best), None
    used = []
    if best.level < 0:
        used.append(f"tightened the make-up ({best.level:+.1f})")
    elif best.level > 0:
        used.append(f"loosened the make-up ({best.level:+.1f})")
    first = best.pages - (1 if back else 0) + 1
    if kinds:
        used.append("added " + ", ".join(NAMES[k] for k in kinds) + " before the back cover")
    added = bool(kinds)
    document = best.document
    expected = best.pages + len(kinds)
    if finished is not None and len(finished.pages) == expected:
        document, kinds = finished, []  # rendered by the keep pass with the pages after the body
    while kinds:
        plan = Plan(level=best.level, after={None: kinds}, css=adjust_css(layout, best.level), keeps=best.keeps)
        document = render(plan)
        if len(document.pages) == expected or "blank" not in strategies:
            break
        # an editorial page ran onto a second page: a blank page instead of the last one
        editorial = [i for i, k in enumerate(kinds) if k != "blank"]
        if not editorial:
            break
        dropped = kinds[editorial[-1]]
        kinds = arrange(kinds[:editorial[-1]] + kinds[editorial[-1] + 1:] + ["blank"], first)
        used.append(f"{NAMES[dropped]} did not fit one page: a blank page instead")
    if natural.pages == len(document.pages) and not added and best.level == 0:
        note = None if natural.pages % multiple == 0 else (
            f"make-up: {natural.pages} pages, not a multiple of {multiple}; no strategy left "
            f"(makeup.strategies: {', '.join(strategies)})")
    else:
        note = (f"make-up: {natural.pages} pages → {len(document.pages)} for {binding(layout)} binding "
                f"(multiple of {multiple}): " + "; ".join(used or ["natural"]))
    return document, note


# -- collections ----------------------------------------------------------------------------------


def chapter_starts(anchors) -> dict[int, int]:
    """chapter number -> 0-based index of its first page, from (anchor, page index) pairs."""
    starts: dict[int, int] = {}
    for anchor, index in anchors:
        if anchor.startswith("chapter-"):
            starts.setdefault(int(anchor.split("-")[1]), index)
    return starts


def collection_levels(strategies, natural: Trial, multiple: int, trial) -> Trial:
    """The adjustment level a collection is typeset at: tighten, then loosen (the whole range
    each, a collection re-renders slowly) while the binding still needs pages; `trial(level)`
    gives a Trial. The parallel build (publish.writers.pdf.parallel) decides with this too."""
    best = natural
    if natural.need(multiple):  # blank left pages are filled anyway; adjust only for the binding
        for strategy in strategies:
            if strategy not in LEVELS:
                continue
            for level in LEVELS[strategy][-1:]:
                candidate = trial(level)
                if candidate.score(multiple) < best.score(multiple):
                    best = candidate
            if best.score(multiple)[0] == 0:
                break
    return best


def collection_fill(collection, layout, best: Trial, starts: dict[int, int]) -> tuple[dict, list[str]]:
    """(Plan.after, notes): an editorial page of the chapter before each blank left page
    (`best.blanks`, with `starts` the first page of each chapter), and what the binding still
    needs after the last chapter."""
    multiple = MULTIPLE.get(binding(layout), 4)
    strategies = list(tokens(layout)["strategies"])
    editorial = [s for s in strategies if s in EDITORIAL]
    used: dict[int, list[str]] = {}
    after: dict = {}
    filled = []
    for blank in best.blanks:
        before = [n for n, start in starts.items() if start < blank]
        if not before:
            continue
        number = max(before)
        doc = collection.chapters[number - 1].interview
        kind = next((k for k in editorial if available(doc, k, lead=False) and k not in used.get(number, [])),
                    "blank")
        used.setdefault(number, []).append(kind)
        after.setdefault(number, []).append(kind)
        filled.append(f"{NAMES[kind]} of chapter {number} on the blank left page")
    need = best.need(multiple)
    last = collection.chapters[-1].number if collection.chapters else None
    extra = []
    for chapter in reversed(collection.chapters):
        for kind in editorial:
            if len(extra) >= need:
                break
            if available(chapter.interview, kind, lead=False) and kind not in used.get(chapter.number, []):
                extra.append(kind)
                used.setdefault(chapter.number, []).append(kind)
        break  # the last chapter's pages only: they follow it
    extra += ["blank"] * (need - len(extra)) if "blank" in strategies else []
    if extra and last is not None:
        after.setdefault(last, [])
        after[last] = arrange(after[last] + extra, 1)
        filled.append("added " + ", ".join(NAMES[k] for k in extra) + " after the last chapter")
    return after, filled


def collection_note(layout, natural: Trial, best: Trial, pages: int, blanks: int, filled: list[str]) -> str | None:
    used_text = []
    if best.level:
        used_text.append(f"{'tightened' if best.level < 0 else 'loosened'} the make-up ({best.level:+.1f})")
    if not used_text and not filled:
        return None
    return (f"make-up: {natural.pages} pages ({len(natural.blanks)} blank) → {pages} "
            f"({blanks} blank) for {binding(layout)} binding: " + "; ".join(used_text + filled))


def fit_collection(collection, layout, render, *, medium: str = "print"):
    """(document, note) for a collection: the blank left page before a chapter that starts
    on a right-hand page gets an editorial page of the chapter before it, and what the
    binding still needs goes after the last chapter (before the colophon)."""
    multiple = MULTIPLE.get(binding(layout), 4)
    strategies = list(tokens(layout)["strategies"])

    def trial(level: float, keep: bool = False) -> Trial:
        plan = Plan(level=level, css=adjust_css(layout, level))
        document, plan = keep_questions(render, plan, layout) if keep else (render(plan), plan)
        return Trial(level, document, len(document.pages), forced_blanks(document), False, plan.keeps)

    # as fit_interview: the level on plain renders, then the keeps at that level
    natural = trial(0.0)
    best = collection_levels(strategies, natural, multiple, trial)
    document, plan = keep_questions(render, Plan(level=best.level, css=adjust_css(layout, best.level)), layout,
                                    best.document)
    kept = Trial(best.level, document, len(document.pages), forced_blanks(document), False, plan.keeps)
    if (kept.pages, kept.blanks) == (best.pages, best.blanks):
        best = kept
    else:
        natural = trial(0.0, True)
        best = collection_levels(strategies, natural, multiple, lambda level: trial(level, True))
    document = best.document
    starts = chapter_starts((anchor, index) for index, page in enumerate(document.pages) for anchor in page.anchors)
    after, filled = collection_fill(collection, layout, best, starts)
    if after:
        document = render(Plan(level=best.level, after=after, css=adjust_css(layout, best.level), keeps=best.keeps))
    return document, collection_note(layout, natural, best, len(document.pages), len(forced_blanks(document)),
                                     filled)
