"""Errors a user can act on.

A `SourceProblem` names the file, line, column and field; `SourceError` carries every
problem found in one pass so an editor can fix them all at once. The CLI prints them and
exits with status 2 (bad input), never with a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SourceProblem:
    path: Path
    line: int  # 1-based
    column: int  # 1-based
    field: str  # e.g. "sections[2].turns[0]"; "" for the whole file
    message: str

    def __str__(self) -> str:
        where = f"{display_path(self.path)}:{self.line}:{self.column}"
        line = f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        return printable(line)


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """One line that any terminal and any encoding can show: controls, lone surrogates,
    U+FFFE/FFFF and bidi controls quoted from an untrusted value become \\uXXXX."""
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class PublishError(Exception):
    """An error the user can fix; the CLI prints it without a traceback."""

    exit_status = 1


class UsageError(PublishError):
    """A bad command-line argument or environment setting (SOURCE_DATE_EPOCH, PUBLISH_JOBS,
    --format): bad input, exit status 2, as for a source."""

    exit_status = 2


class SourceError(PublishError):
    exit_status = 2

    def __init__(self, problems: list[SourceProblem]):
        self.problems = sorted(problems, key=lambda p: (str(p.path), p.line, p.column))
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):  # picklable with its problems (a parallel collection build's workers)
        return (self.__class__, (self.problems,))


def display_path(path: Path) -> str:
    """A path relative to the working folder when it is inside it (as editors expect)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class LoadRefused(PublishError):
    """A load outside what the trust model allows (bad input: exit status 2)."""

    exit_status = 2


class MissingLayoutFile(PublishError):
    """A file a layout chain does not have (`Layout.find`); callers that can do without an
    optional file (collection.css) catch exactly this."""
