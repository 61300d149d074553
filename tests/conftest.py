"""Shared fixtures: the sample built once per session, and a scratch content folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "content" / "tokyo-ict-exchange.yaml"
SEED = ROOT / "tests" / "fixtures" / "seed-tokyo-ict-exchange.txt"


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> dict[str, Path]:
    """The sample built through the real CLI into a temporary folder."""
    out = tmp_path_factory.mktemp("build")
    result = run_publish("build", str(SAMPLE), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return {"pdf": out / "tokyo-ict-exchange.pdf", "epub": out / "tokyo-ict-exchange.epub", "dir": out,
            "stderr": result.stderr}


def run_publish(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "publish", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=300)


@pytest.fixture
def content_dir(tmp_path) -> Path:
    folder = tmp_path / "content"
    (folder / "images").mkdir(parents=True)
    return folder
