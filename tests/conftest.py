"""Shared fixtures: the sample built once per test run, and a scratch content folder.

`make test` runs the suite in parallel (pytest-xdist, `--dist loadfile`: a test file's
tests share one worker, so module fixtures run once). Outputs several files use are built
once per run by `once()`: the first worker to need one builds it into the run's shared
temporary folder under a file lock, the others read the result."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "content" / "tokyo-ict-exchange.yaml"
SEED = ROOT / "tests" / "fixtures" / "seed-tokyo-ict-exchange.txt"


def once(tmp_path_factory, name: str, make) -> dict:
    """make(folder) -> {key: Path or str}, run once per test run even across xdist workers
    (the results are shared through a JSON file next to the folder)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return make(tmp_path_factory.mktemp(name))
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent  # this run's folder, common to the workers
    done = shared / f"{name}.json"
    with FileLock(str(shared / f"{name}.lock")):
        if done.is_file():
            return {key: Path(value) if kind == "path" else value
                    for key, (kind, value) in json.loads(done.read_text(encoding="utf-8")).items()}
        folder = shared / name
        folder.mkdir()
        result = make(folder)
        encoded = {key: ["path", str(value)] if isinstance(value, Path) else ["str", value]
                   for key, value in result.items()}
        done.write_text(json.dumps(encoded), encoding="utf-8")
        return result


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> dict[str, Path]:
    """The sample built through the real CLI into a temporary folder (once per test run)."""

    def make(out: Path) -> dict:
        result = run_publish("build", str(SAMPLE), "--out", str(out))
        assert result.returncode == 0, result.stderr
        return {"pdf": out / "tokyo-ict-exchange.pdf", "epub": out / "tokyo-ict-exchange.epub", "dir": out,
                "stderr": result.stderr}

    return once(tmp_path_factory, "sample-build", make)


def run_publish(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "publish", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=300)


@pytest.fixture
def content_dir(tmp_path) -> Path:
    folder = tmp_path / "content"
    (folder / "images").mkdir(parents=True)
    return folder


@pytest.fixture
def layouts(tmp_path, monkeypatch):
    """A copy of layouts/ (fonts/ beside it) that $PUBLISH_LAYOUTS points at."""
    root = tmp_path / "layouts"
    shutil.copytree(ROOT / "layouts", root)
    (tmp_path / "fonts").symlink_to(ROOT / "fonts")
    monkeypatch.setenv("PUBLISH_LAYOUTS", str(root))
    return root
