"""Shared fixtures: outputs built once per test run, and a scratch content folder.

`make test` runs the suite in parallel (pytest-xdist, `--dist loadgroup`: tests spread
over the workers one by one, those marked with the same `xdist_group` stay together).
Outputs several tests use are built once per run by `once()`: the first worker to need
one builds it into the run's shared temporary folder under a file lock, the others (and
later tests in the same worker) read the result. `shared_build(source, fmt, *flags)` is the
common case: one `publish build` through the real CLI, keyed by its source and arguments."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "content" / "tokyo-ict-exchange.yaml"
SECOND = ROOT / "content" / "midoridai-mentors.yaml"
COLLECTION = ROOT / "content" / "digital-voices.collection.yaml"
SEED = ROOT / "tests" / "fixtures" / "seed-tokyo-ict-exchange.txt"

# pytest-xdist (`make test`: --dist loadgroup --no-loadscope-reorder). A module's tests stay on
# one worker (its module fixtures run once), except in the modules below, whose tests are
# independent and slow one by one (their shared outputs come from `once()`), so they spread.
SPREAD = {"test_all_parts", "test_build_safety", "test_collections", "test_designers", "test_editions",
          "test_epub_output", "test_import", "test_layouts", "test_preview", "test_project", "test_standards_epub",
          "test_standards_preflight", "test_standards_print", "test_standards_reproducible", "test_trust_source"}
# Heaviest first (longest processing time first keeps the two workers' ends close); the rest
# keeps its order, single tests of SPREAD modules last, to fill the gaps.
FIRST = ("test_visual", "test_vertical", "test_standards_reproducible", "test_collections", "test_epub_rendering",
         "test_typeset_ja_pushin", "test_typeset_ja", "test_headlines", "test_makeup", "test_standards_epub",
         "test_epub_output", "test_standards_screen", "test_typeset_ja_grid", "test_typeset_ja_sample")

_DONE: dict[str, dict] = {}  # this process's results of once()


def _decode(encoded: dict) -> dict:
    return {key: Path(value) if kind == "path" else value for key, (kind, value) in encoded.items()}


def once(tmp_path_factory, name: str, make) -> dict:
    """make(folder) -> {key: Path or str}, run once per test run even across xdist workers
    (the results are shared through a JSON file next to the folder, written last and
    atomically: a build that failed or was interrupted is redone by the next one asking)."""
    if name in _DONE:
        return _DONE[name]
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        _DONE[name] = make(tmp_path_factory.mktemp(name))
        return _DONE[name]
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent  # this run's folder, common to the workers
    done = shared / f"{name}.json"
    with FileLock(str(shared / f"{name}.lock")):
        if done.is_file():
            _DONE[name] = _decode(json.loads(done.read_text(encoding="utf-8")))
            return _DONE[name]
        folder = shared / name
        shutil.rmtree(folder, ignore_errors=True)  # what a failed attempt left
        folder.mkdir()
        result = make(folder)
        encoded = {key: ["path", str(value)] if isinstance(value, Path) else ["str", value]
                   for key, value in result.items()}
        partial = shared / f"{name}.json.part"
        partial.write_text(json.dumps(encoded), encoding="utf-8")
        partial.replace(done)
    _DONE[name] = result
    return result


@pytest.hookimpl(tryfirst=True)  # before xdist reads the xdist_group marks
def pytest_collection_modifyitems(config, items):
    def module(item) -> str:
        return item.nodeid.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py")

    for item in items:
        if module(item) not in SPREAD and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(module(item)))
    rank = {name: i for i, name in enumerate(FIRST)}
    items.sort(key=lambda item: (rank.get(module(item), len(FIRST)), module(item) in SPREAD))  # stable


_FACTORY: list = []  # the session's tmp_path_factory, for helpers that are no fixtures (epub_support)
_ENV: list = []  # the environment the session started with (shared builds run in it)


@pytest.fixture(scope="session", autouse=True)
def _session_tmp(tmp_path_factory):
    _FACTORY.append(tmp_path_factory)
    _ENV.append(dict(os.environ))
    yield
    _FACTORY.remove(tmp_path_factory)
    _ENV.pop()
    for server in _SERVER:  # the fork server ends with its input (and is waited for)
        server.stdin.close()
        server.wait(timeout=60)
    _SERVER.clear()


def shared(name: str, make) -> dict:
    """once() for code that is called from tests rather than requested as a fixture."""
    if not _FACTORY:  # imported outside a pytest session
        import tempfile

        return make(Path(tempfile.mkdtemp(prefix=f"publish-{name}-")))
    return once(_FACTORY[-1], name, make)


def build_once(source: Path, fmt: str = "pdf", *flags: str) -> dict:
    """{"path": the one file written, "stderr": the build log} of `publish build SOURCE --format
    FMT FLAGS`, run once per test run through the CLI (in a subprocess with the environment
    the session started with, so a test's monkeypatch does not leak into a shared output).
    Tests only read these files."""
    source = Path(source)
    env = _ENV[-1] if _ENV else dict(os.environ)
    words = [source.name.split(".")[0], fmt, *(f.lstrip("-") for f in flags)]
    key = hashlib.sha1("\0".join([str(source.resolve()), fmt, *flags]).encode()).hexdigest()[:8]

    def make(out: Path) -> dict:
        result = publish_process(["build", str(source), "--format", fmt, *flags, "--out", str(out)],
                                 env=env, timeout=600)
        assert result.returncode == 0, result.stderr
        (path,) = out.iterdir()
        return {"path": path, "stderr": result.stderr}

    return shared("built-" + "-".join(words) + "-" + key, make)


@pytest.fixture(scope="session")
def shared_build():
    """shared_build(source, fmt="pdf", *flags): `build_once` as a fixture."""
    return build_once


@pytest.fixture(scope="session")
def sample_build(shared_build) -> dict[str, Path]:
    """The sample's print PDF and EPUB built through the real CLI (once per test run); its
    print build's log as "stderr"."""
    pdf, epub = shared_build(SAMPLE, "pdf"), shared_build(SAMPLE, "epub")
    return {"pdf": pdf["path"], "epub": epub["path"], "stderr": pdf["stderr"]}


def sample_text(sections: int = 1) -> str:
    """The sample's YAML up to its (sections + 1)th section, as text (every line kept as it
    is): the smaller book a test needs when what it checks does not depend on the length."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith("  - heading:")]
    assert len(starts) > sections
    return "".join(lines[:starts[sections]])


def gather(folder: Path, *outputs: dict) -> Path:
    """A folder of links to shared outputs (for tests that look files up by name in one
    folder, as a multi-source `publish build --out DIR` would have left them)."""
    folder.mkdir(parents=True, exist_ok=True)
    for output in outputs:
        (folder / output["path"].name).symlink_to(output["path"])
    return folder


def run_publish(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`python -m publish ARGS` in `cwd` with this process's environment (publish_process)."""
    return publish_process(list(args), cwd=cwd, timeout=300)


# `publish` commands of the tests run in a process of their own, as a user's would, but not
# started from nothing: each is forked from a server process that has publish and WeasyPrint
# imported already (one per xdist worker), which saves the ~0.6 CPU-s of imports a start
# costs. The child takes the caller's folder and environment (time zone included), its
# stdout and stderr go to files, and its exit status is main()'s, as `sys.exit(main())`
# would make it. Tests of the interpreter's start itself (test_startup) start real ones.
_FORK_SERVER = """
import json, os, sys, time, traceback
import publish.app.cli, publish.app.build, publish.writers.pdf, publish.writers.epub, publish.preflight
for line in sys.stdin:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            os.chdir(request["cwd"])
            os.environ.clear()
            os.environ.update(request["env"])
            time.tzset()
            for fd, name, flags in ((0, os.devnull, os.O_RDONLY), (1, request["stdout"], os.O_WRONLY),
                                    (2, request["stderr"], os.O_WRONLY)):
                os.dup2(os.open(name, flags), fd)
            try:
                status = publish.app.cli.main(request["args"])
            except SystemExit as exit:
                status = exit.code if isinstance(exit.code, int) else (exit.code is not None)
                if isinstance(exit.code, str):
                    print(exit.code, file=sys.stderr)
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(status or 0)
    _, wait = os.waitpid(pid, 0)
    print(json.dumps(os.waitstatus_to_exitcode(wait)), flush=True)
"""
_SERVER: list = []


def publish_process(args: list[str], *, cwd: Path | None = None, env: dict | None = None,
                    timeout: float = 300) -> subprocess.CompletedProcess:
    """`python -m publish ARGS` (see _FORK_SERVER): a CompletedProcess as subprocess.run's."""
    import select
    import signal
    import tempfile

    if not _SERVER or _SERVER[0].poll() is not None:
        _SERVER[:] = [subprocess.Popen([sys.executable, "-c", _FORK_SERVER], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, text=True, cwd=ROOT, start_new_session=True,
                                       env=_ENV[-1] if _ENV else None)]  # not a test's monkeypatched one
    server = _SERVER[0]
    argv = [sys.executable, "-m", "publish", *args]
    with tempfile.TemporaryDirectory(prefix="publish-run-") as folder:
        out, err = Path(folder) / "stdout", Path(folder) / "stderr"
        out.touch()
        err.touch()
        request = {"args": args, "cwd": str(cwd or ROOT), "env": dict(os.environ if env is None else env),
                   "stdout": str(out), "stderr": str(err)}
        server.stdin.write(json.dumps(request) + "\n")
        server.stdin.flush()
        if not select.select([server.stdout], [], [], timeout)[0]:
            os.killpg(server.pid, signal.SIGKILL)
            raise subprocess.TimeoutExpired(argv, timeout)
        answer = server.stdout.readline()
        assert answer, "the publish fork server ended"
        return subprocess.CompletedProcess(argv, json.loads(answer), out.read_text(encoding="utf-8", errors="replace"),
                                           err.read_text(encoding="utf-8", errors="replace"))


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
