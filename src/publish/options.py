"""What a build is asked for: one object, made once by the application (CLI, preview,
make) from its arguments and the environment, and handed down to the writers.

`SOURCE_DATE_EPOCH` and `PUBLISH_JOBS` are read here (`Options.from_environment`) and
handed down; a bad value is an error the user can fix (exit 1). Library callers that pass
no epoch get the same value from `publish.model.dates.source_date_epoch`, the only other
reader, with the same rule (whole seconds, else an error).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from publish.errors import UsageError

FORMATS = ("pdf", "epub", "screen-pdf", "booklet")
DEFAULT_FORMATS = ("pdf", "epub")


def epoch_seconds(value: str) -> int | None:
    """A SOURCE_DATE_EPOCH value as seconds (None when empty); anything but whole seconds
    since 1970 is an error. The one rule, for builds (Options) and library callers (dates)."""
    value = str(value).strip()
    if not value:
        return None
    if not value.isdigit():
        raise UsageError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, not {value!r}")
    return int(value)


@dataclass(frozen=True)
class Options:
    formats: tuple[str, ...] = DEFAULT_FORMATS
    out_dir: Path = Path("build")
    layout: str | None = None          # overrides the source's layout:
    vertical: bool | None = None       # EPUB: None leaves it to the layout's epub tokens
    embed_fonts: bool | None = None    # EPUB: None leaves it to the layout's epub tokens
    source_date_epoch: str | None = None  # whole seconds since 1970 (reproducible builds)
    jobs: int | None = None            # processes for a large book's PDF; None: the free cores
    strict: bool = False               # stylesheet warnings are errors

    def __post_init__(self):
        unknown = [f for f in self.formats if f not in FORMATS]
        if unknown:
            raise UsageError(f"unknown format {', '.join(map(repr, unknown))}; choose from {', '.join(FORMATS)}")
        if self.source_date_epoch is not None:
            epoch_seconds(self.source_date_epoch)
        if self.jobs is not None and self.jobs < 1:
            raise UsageError(f"PUBLISH_JOBS must be a whole number of at least 1, not {self.jobs!r}")

    @classmethod
    def from_environment(cls, environ=None, **given) -> "Options":
        """The options `given`, with SOURCE_DATE_EPOCH and PUBLISH_JOBS from the environment."""
        environ = os.environ if environ is None else environ
        epoch = environ.get("SOURCE_DATE_EPOCH", "").strip() or None  # as publish.model.dates.source_date_epoch
        jobs_text = environ.get("PUBLISH_JOBS", "").strip()
        jobs = None
        if jobs_text:
            if not jobs_text.isdigit():
                raise UsageError(f"PUBLISH_JOBS must be a whole number of at least 1, not {jobs_text!r}")
            jobs = int(jobs_text)
        given.setdefault("source_date_epoch", epoch)
        given.setdefault("jobs", jobs)
        if "formats" in given:
            given["formats"] = tuple(given["formats"])
        if "out_dir" in given:
            given["out_dir"] = Path(given["out_dir"])
        return cls(**given)