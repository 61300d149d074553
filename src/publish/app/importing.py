"""`publish import`: an article (plain text or a Word .docx) -> a source in content/.

The readers (publish.readers.article for text, publish.readers.docx for Word) give the model and
their warnings; this module picks the reader by file type, writes the model with the one
source writer (readers/writer.py), checks that the result loads, and prints what it did.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from publish.readers.article import Imported, default_output, read_text_article
from publish.model import Interview
from publish.readers.writer import dump_interview

HEADER = ["Imported from {name} by `publish import`; title_reading and the people's",
          "readings and ids are machine readings: check them."]


def to_yaml(interview: Interview, source_name: str) -> str:
    """The imported model as a source (readers/writer.py), under a comment naming the article."""
    return dump_interview(interview, comment=[line.format(name=source_name) for line in HEADER])



def read_article(path: Path, *, publisher: str | None = None) -> Imported:
    """An article (plain text, or a Word .docx: see readers/docx.py) -> the model; `publisher`
    (when given; "" for none) replaces the one guessed. Raises ImportProblem / SourceError."""
    path = Path(path)
    if path.suffix.lower() == ".docx":
        from publish.readers.docx import read_docx_article

        imported = read_docx_article(path)
    else:
        imported = read_text_article(path)
    if publisher is not None:
        imported.interview = dataclasses.replace(imported.interview, publisher=publisher or None)
        imported.warnings = [w for w in imported.warnings if "publisher" not in w.message]
    return imported


def import_article(path: Path, *, publisher: str | None = None) -> tuple[str, Imported]:
    """Read an article (see read_article); return (YAML text, what was read)."""
    imported = read_article(path, publisher=publisher)
    return to_yaml(imported.interview, Path(path).name), imported


def run_import(article_path: Path, output: Path | None, *, force: bool = False, publisher: str | None = None,
               content: Path = Path("content")) -> int:
    """The `publish import` command: warnings and problems on stderr; 0, 1 or 2."""
    import sys
    import tempfile

    from publish.errors import PublishError, display_path
    from publish.output import atomic_write
    from publish.readers import load_interview

    text, imported = import_article(article_path, publisher=publisher)
    article = imported.interview
    for w in sorted(imported.warnings, key=lambda w: w.line):
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
