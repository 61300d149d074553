"""The readers: every input format -> the document model, validated, with positions.

Sources (YAML with line and column for every value: `interview`, `collection`, `markup`,
`images`, `values`), and the formats `publish import` reads: article text (`article`) and
Word manuscripts (`docx`); `writer` writes a model back as a source."""

from publish.readers.interview import load_interview
from publish.readers.markup import MarkupError, parse_inline, parse_paragraphs

__all__ = ["load_interview", "parse_inline", "parse_paragraphs", "MarkupError"]
