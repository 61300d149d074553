"""Loading and validating sources: YAML with positions -> checked values -> model."""

from publish.readers.interview import load_interview
from publish.readers.markup import MarkupError, parse_inline, parse_paragraphs

__all__ = ["load_interview", "parse_inline", "parse_paragraphs", "MarkupError"]
