"""The sample source is the seed interview, transcribed whole."""

import re

from publish.model import Answer, Question
from publish.readers import load_interview

from .conftest import SAMPLE, SEED


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。？?!！])", text) if s.strip()]


def model_text(doc) -> str:
    parts = []
    for section in doc.sections:
        if section.heading:
            parts.append(section.heading.plain)
        for turn in section.turns:
            parts.extend(p.plain for p in turn.paragraphs)
    parts.extend(p.plain for p in doc.note)
    return "\n".join(parts)


def seed_body() -> list[str]:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = lines.index("IT先進企業でクラウド推進やセキュリティを担当。実務を通して技術を習得")
    body = []
    for line in lines[start:]:
        line = re.sub(r"^──", "", line)
        line = re.sub(r"^(西田|山田)[:：]\s?", "", line)
        body.append(line)
    return body


def test_every_sentence_of_the_seed_body_appears_in_order():
    doc = load_interview(SAMPLE)
    text = model_text(doc)
    position = 0
    checked = 0
    for line in seed_body():
        for sentence in sentences(line):
            found = text.find(sentence.strip(), position)
            assert found >= 0, f"missing or out of order: {sentence!r}"
            position = found + len(sentence.strip())
            checked += 1
    assert checked > 80


def test_front_matter_matches_the_seed():
    doc = load_interview(SAMPLE)
    seed = SEED.read_text(encoding="utf-8")
    assert f"{doc.title.plain}──{doc.subtitle.plain}" in seed
    assert doc.lead[0].plain in seed
    assert doc.kind == "インタビュー記事"
    assert list(doc.tags) == ["育成", "新卒", "ネットワーク", "人材育成"]
    for person in doc.people:
        assert f"{person.name}({person.affiliation}/{person.title})" in seed
        assert f"{person.department}。{person.bio[0].plain}" in seed
    assert doc.note[0].plain == "※ 記載内容は2024年2月時点のものです"


def test_questions_and_answers_keep_their_speakers():
    doc = load_interview(SAMPLE)
    turns = [t for s in doc.sections for t in s.turns]
    seed_questions = sum(line.startswith("──") for line in SEED.read_text(encoding="utf-8").splitlines())
    assert sum(isinstance(t, Question) for t in turns) == seed_questions == 14
    speakers = [t.speaker for t in turns if isinstance(t, Answer)]
    assert speakers[:3] == ["yamada", "yamada", "nishida"]
    assert set(speakers) == {"nishida", "yamada"}
