"""The date an output carries (PDF metadata and slug line, EPUB ``dcterms:modified``).

A build is reproducible without the user setting anything: the date comes from the
source, not from the clock. In order:

1. the source's ``updated``, else its ``published`` (a collection: the latest of its own
   ``published`` and its interviews' dates), at 00:00 UTC;
2. ``$SOURCE_DATE_EPOCH`` (https://reproducible-builds.org/specs/source-date-epoch/);
3. the time of the last git commit that touched the source file;
4. only then the build time, which the slug line says is not reproducible.

:attr:`BuildDate.source` names which one was used; the slug line prints it.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from publish.options import epoch_seconds

UTC = dt.timezone.utc


@dataclass(frozen=True)
class BuildDate:
    moment: dt.datetime          # aware, UTC
    source: str                  # 'updated', 'published', 'SOURCE_DATE_EPOCH', 'git commit', 'build time'

    @property
    def reproducible(self) -> bool:
        return self.source != 'build time'

    @property
    def slug_text(self) -> str:
        """What the slug line prints: ``2024-02-15 (updated)``, ``2025-01-03 09:12 UTC (git
        commit)``."""
        if self.source in ('updated', 'published'):
            return f'{self.moment:%Y-%m-%d} ({self.source})'
        return f'{self.moment:%Y-%m-%d %H:%M} UTC ({self.source})'


def _day(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=UTC)


def source_date_epoch(value: str | None = None) -> dt.datetime | None:
    """``$SOURCE_DATE_EPOCH`` (or ``value``) as a UTC datetime; None when unset."""
    seconds = epoch_seconds(os.environ.get('SOURCE_DATE_EPOCH', '') if value is None else value)
    return None if seconds is None else dt.datetime.fromtimestamp(seconds, UTC)


def git_commit_time(path: Path) -> dt.datetime | None:
    """The committer time of the last commit touching ``path``; None outside git."""
    path = Path(path)
    try:
        result = subprocess.run(['git', 'log', '-1', '--format=%ct', '--', path.name],
                                cwd=path.parent, capture_output=True, text=True, timeout=20,
                                env={**os.environ, 'LC_ALL': 'C', 'TZ': 'UTC'})
    except (OSError, subprocess.SubprocessError):
        return None
    stamp = result.stdout.strip()
    if result.returncode != 0 or not stamp.isdigit():
        return None
    return dt.datetime.fromtimestamp(int(stamp), UTC)


def document_date(doc, *, epoch: str | None = None) -> BuildDate:
    """The date of an interview or a collection (see the module docstring). ``epoch``
    overrides ``$SOURCE_DATE_EPOCH`` (for tests)."""
    if getattr(doc, 'updated', None):
        return BuildDate(_day(doc.updated), 'updated')
    interviews = getattr(doc, 'interviews', None)
    if interviews is not None:   # a collection
        own = getattr(doc, 'published', None)
        days = [d for d in [own] + [i.updated or i.published for i in interviews] if d]
        if days:
            latest = max(days)
            return BuildDate(_day(latest), 'published' if latest == own else 'updated')
    elif getattr(doc, 'published', None):
        return BuildDate(_day(doc.published), 'published')
    from_env = source_date_epoch(epoch)
    if from_env is not None:
        return BuildDate(from_env, 'SOURCE_DATE_EPOCH')
    source = getattr(doc, 'source', None)
    if source is not None:
        committed = git_commit_time(Path(source))
        if committed is not None:
            return BuildDate(committed, 'git commit')
    return BuildDate(dt.datetime.now(UTC).replace(microsecond=0), 'build time')


__all__ = ['BuildDate', 'document_date', 'git_commit_time', 'source_date_epoch']
