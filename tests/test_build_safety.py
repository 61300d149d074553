"""A failed build never leaves a half-written file and never clobbers the last good output."""

from __future__ import annotations

import os

import pytest

from publish import output

from .conftest import run_publish, sample_text


def test_failed_build_keeps_the_previous_output(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    source = content / "sample.yaml"
    source.write_text(sample_text(), encoding="utf-8")  # its first section: a valid source
    out = tmp_path / "build"
    assert run_publish("build", str(source), "--out", str(out), "--format", "epub").returncode == 0
    good = (out / "sample.epub").read_bytes()

    source.write_text(sample_text().replace("- yamada:", "- yamda:", 1), encoding="utf-8")
    result = run_publish("build", str(source), "--out", str(out), "--format", "epub")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert (out / "sample.epub").read_bytes() == good
    assert sorted(p.name for p in out.iterdir()) == ["sample.epub"]


def test_atomic_write_leaves_nothing_behind_when_the_rename_fails(tmp_path, monkeypatch):
    target = tmp_path / "x.pdf"
    target.write_bytes(b"old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        output.atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.pdf"]


def test_atomic_write_refuses_empty_output(tmp_path):
    with pytest.raises(ValueError):
        output.atomic_write(tmp_path / "x.epub", b"")
    assert not any(tmp_path.iterdir())
