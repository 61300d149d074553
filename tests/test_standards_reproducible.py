"""Issue 14, item 3: reproducible by default. Without SOURCE_DATE_EPOCH, two builds of the
same sources in different folders, time zones and locales are byte-identical: the date
comes from the source (updated/published) or the last git commit of the source."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys

import pikepdf

from publish.model.dates import BuildDate, document_date
from publish.readers import load_interview

from .conftest import ROOT
from .test_all_parts import make_source

COMMIT_DATE = "2025-06-07T08:09:10+00:00"


def _checkout(folder):
    """A git repository holding test_all_parts' source (photos, a figure, every part) twice,
    without its dates (undated.yaml) and with them (dated.yaml), committed at COMMIT_DATE."""
    content = folder / "content"
    (content / "images").mkdir(parents=True)
    dated = make_source(content).rename(content / "dated.yaml")
    text = dated.read_text(encoding="utf-8")
    undated = "".join(line for line in text.splitlines(keepends=True) if not line.startswith(("published:", "updated:")))
    assert undated != text
    (content / "undated.yaml").write_text(undated, encoding="utf-8")
    env = {**os.environ, "GIT_AUTHOR_DATE": COMMIT_DATE, "GIT_COMMITTER_DATE": COMMIT_DATE}
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.jp", "-c", "commit.gpgsign=false"]
    subprocess.run(git + ["init", "-q"], cwd=folder, check=True, env=env)
    subprocess.run(git + ["add", "content"], cwd=folder, check=True, env=env)
    subprocess.run(git + ["commit", "-q", "-m", "sources"], cwd=folder, check=True, env=env)
    return folder


def _build(folder, env_changes, source="content/undated.yaml", formats="pdf,epub,screen-pdf,booklet"):
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env.update(env_changes)
    result = subprocess.run([sys.executable, "-m", "publish", "build", source, "--format", formats, "--out", "out"],
                            cwd=folder, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return {p.name: p.read_bytes() for p in sorted((folder / "out").iterdir())}


def test_two_builds_in_different_folders_zones_and_locales_are_identical(tmp_path):
    first = _build(_checkout(tmp_path / "one"), {"TZ": "UTC", "LC_ALL": "C"})
    second = _build(_checkout(tmp_path / "elsewhere" / "two"), {"TZ": "Asia/Tokyo", "LC_ALL": "C.UTF-8",
                                                                  "LANG": "ja_JP.UTF-8"})
    assert sorted(first) == ["undated-booklet.pdf", "undated-screen.pdf", "undated.epub", "undated.pdf"]
    different = [name for name in first if first[name] != second[name]]
    assert not different
    _build(tmp_path / "one", {"TZ": "Asia/Tokyo"}, "content/dated.yaml", "pdf")
    # the dates are the git commit's (no dates in the source) and the source's (updated)
    out = tmp_path / "one" / "out"
    with pikepdf.open(out / "undated.pdf") as pdf:
        assert str(pdf.docinfo.CreationDate) == "D:20250607080910Z"
    with pikepdf.open(out / "dated.pdf") as pdf:
        assert str(pdf.docinfo.CreationDate) == "D:20250201000000Z"


def test_the_date_says_where_it_came_from(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    dated = load_interview(ROOT / "content" / "midoridai-mentors.yaml")
    date = document_date(dated)
    assert date == BuildDate(dt.datetime(2025, 2, 3, tzinfo=dt.timezone.utc), "updated")
    assert date.slug_text == "2025-02-03 (updated)"
    undated_source = _checkout(tmp_path / "repo") / "content" / "undated.yaml"
    undated = load_interview(undated_source)
    assert undated.updated is None and undated.published is None
    date = document_date(undated)
    assert date.source == "git commit" and date.moment == dt.datetime.fromisoformat(COMMIT_DATE)
    assert date.slug_text == "2025-06-07 08:09 UTC (git commit)"
    assert document_date(undated, epoch="1700000000").source == "SOURCE_DATE_EPOCH"
    outside = tmp_path / "loose.yaml"
    shutil.copy(undated_source, outside)
    shutil.copytree(undated_source.parent / "images", tmp_path / "images")
    loose = document_date(load_interview(outside))
    assert loose.source == "build time" and not loose.reproducible
