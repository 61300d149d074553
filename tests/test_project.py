"""publish as a tool: a project folder anywhere (content/, its own layouts/, build/),
`publish init`, `publish layouts`, `--project`, and a wheel installed outside the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pikepdf
import pytest

from publish.app.cli import main
from publish.layout import load_layout

from .conftest import ROOT, publish_process

MM = 72 / 25.4


def trim_mm(pdf_path: Path) -> tuple[int, int]:
    with pikepdf.open(pdf_path) as pdf:
        x0, y0, x1, y1 = (float(v) for v in pdf.pages[0].TrimBox)
    return round((x1 - x0) / MM), round((y1 - y0) / MM)


def clean_env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ("PUBLISH_LAYOUTS", "PYTHONPATH")}


@pytest.fixture
def project(tmp_path, monkeypatch, capsys) -> Path:
    monkeypatch.delenv("PUBLISH_LAYOUTS", raising=False)
    folder = tmp_path / "recruiting"
    assert main(["init", str(folder)]) == 0
    capsys.readouterr()
    monkeypatch.chdir(folder)
    return folder


def test_init_makes_a_ready_project_and_refuses_to_overwrite_one(project, capsys):
    sample = project / "content" / "tokyo-ict-exchange.yaml"
    assert sample.read_text(encoding="utf-8").endswith((ROOT / "content" / sample.name).read_text(encoding="utf-8"))
    assert (project / "content" / "images").is_dir()
    assert "/build/" in (project / ".gitignore").read_text(encoding="utf-8").splitlines()
    makefile = (project / "Makefile").read_text(encoding="utf-8")
    assert "$(PUBLISH) build $< --format pdf --out build" in makefile and "PUBLISH ?= publish" in makefile
    assert "\tpublish" not in makefile.replace("$(PUBLISH)", "")  # recipes use $(PUBLISH), tab-indented
    assert all(line.startswith("\t") for line in makefile.splitlines() if line.startswith(("\t", "    $(")))
    assert main(["check"]) == 0, capsys.readouterr().err  # content/ found from the current folder
    assert main(["init", str(project)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_new_layout_goes_into_the_project_and_layouts_says_where_each_comes_from(project, capsys):
    assert main(["new-layout", "mine", "--from", "booklet"]) == 0
    assert (project / "layouts" / "mine" / "layout.yaml").is_file()
    assert not (ROOT / "layouts" / "mine").exists()  # never into the package or the checkout
    assert load_layout("mine").chain[1] == (ROOT / "layouts" / "booklet").resolve()
    capsys.readouterr()
    assert main(["layouts"]) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert set(rows) == {"brochure", "booklet", "brochure-b5", "tategaki", "mine"}
    assert rows["mine"].split()[1] == "project" and "(extends booklet)" in rows["mine"]
    assert rows["booklet"].split()[1] == "built-in" and str(ROOT / "layouts" / "booklet") in rows["booklet"]


def test_a_project_layout_may_take_a_builtin_name_and_extend_the_builtin(project, capsys):
    mine = project / "layouts" / "brochure"
    mine.mkdir(parents=True)
    (mine / "layout.yaml").write_text("extends: brochure\ncolors:\n  accent: {cmyk: [0, 100, 100, 0], rgb: '#e00000'}\n",
                                      encoding="utf-8")
    layout = load_layout("brochure")
    assert layout.chain == [mine.resolve(), (ROOT / "layouts" / "brochure").resolve()]
    assert layout.tokens["colors"]["accent"]["rgb"] == "#e00000"
    assert layout.tokens["type_area"] == load_layout("brochure", root=ROOT / "layouts").tokens["type_area"]
    assert main(["layouts"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in out if line.startswith("brochure ")] == ["project", "built-in,"]
    assert any("hidden by the project's" in line for line in out)


def test_publish_builds_a_project_from_a_subfolder_or_with_project(project, tmp_path):
    assert main(["new-layout", "mine", "--from", "booklet"]) == 0
    (project / "notes").mkdir()
    run = lambda *args, cwd: publish_process(list(args), cwd=cwd, env=clean_env())
    # from a subfolder: content/ and build/ are the project's
    result = run("build", "--format", "pdf", "--layout", "mine", cwd=project / "notes")
    assert result.returncode == 0, result.stderr
    assert trim_mm(project / "build" / "tokyo-ict-exchange.pdf") == (148, 210)  # the A5 booklet it extends
    # from anywhere else, with --project (before or after the command)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    listed = run("layouts", "--project", str(project), cwd=elsewhere)
    assert listed.returncode == 0 and "mine" in listed.stdout, listed.stderr
    assert run("--project", str(elsewhere / "nope"), "layouts", cwd=elsewhere).returncode == 1
    unknown = run("--project", str(project), "build", "--layout", "theirs", cwd=elsewhere)
    assert unknown.returncode == 2 and "known: booklet, brochure, brochure-b5, mine" in unknown.stderr


@pytest.mark.slow
def test_a_wheel_installed_outside_the_checkout_inits_and_builds_a_project(tmp_path):
    """`pip wheel` the checkout, install it into a fresh venv (dependencies from the
    index), then `publish init` a project and build it to PDF and EPUB with a built-in
    layout and with a project layout that extends one."""
    wheels = tmp_path / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("publish-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "publish/_data/layouts/brochure/layout.yaml" in names
    assert "publish/_data/fonts/OFL-NotoSerifJP.txt" in names and "publish/_data/fonts/NotoSansJP-Bold.ttf" in names
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    installed = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)],
                               capture_output=True, text=True, timeout=1200)
    assert installed.returncode == 0, installed.stderr[-3000:]
    publish = str(venv / "bin" / "publish")
    env = clean_env()
    work = tmp_path / "work"
    work.mkdir()

    def run(*args, cwd=work):
        result = subprocess.run([publish, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600)
        assert result.returncode == 0, f"publish {' '.join(args)}:\n{result.stderr}"
        return result

    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import publish.project as p; print(p.builtin_layouts_dir()); print(p.builtin_fonts_dir())"],
                           capture_output=True, text=True, cwd=work, env=env, check=True).stdout.split()
    assert all(Path(w).is_relative_to(venv) for w in where), where  # package data, not the checkout
    run("init", "team")
    project = work / "team"
    run("new-layout", "mine", "--from", "booklet", cwd=project)
    assert (project / "layouts" / "mine" / "layout.yaml").is_file()
    assert not any(Path(where[0]).glob("mine")), "new-layout wrote into the package"
    spec = project / "layouts" / "mine" / "layout.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("  # bleed: 3mm", "  bleed: 5mm", 1), encoding="utf-8")
    assert "mine" in run("layouts", cwd=project).stdout
    run("build", cwd=project)  # every content/*.yaml, the built-in brochure layout, into build/
    run("build", "--layout", "mine", "--out", "build/mine", cwd=project)
    builtin_pdf, mine_pdf = project / "build" / "tokyo-ict-exchange.pdf", project / "build" / "mine" / "tokyo-ict-exchange.pdf"
    assert trim_mm(builtin_pdf) == (210, 297) and trim_mm(mine_pdf) == (148, 210)
    with pikepdf.open(mine_pdf) as pdf:
        trim, bleed = ([float(v) for v in pdf.pages[0][box]] for box in ("/TrimBox", "/BleedBox"))
        assert round((trim[0] - bleed[0]) / MM) == 5  # the project layout's own token
    for epub in (project / "build" / "tokyo-ict-exchange.epub", project / "build" / "mine" / "tokyo-ict-exchange.epub"):
        with zipfile.ZipFile(epub) as book:
            assert book.read("mimetype") == b"application/epub+zip"
            assert any("民間企業での実務経験" in book.read(n).decode("utf-8", "replace")
                       for n in book.namelist() if n.endswith(".xhtml"))
    preflight = subprocess.run([publish, "check", "build/tokyo-ict-exchange.pdf"], capture_output=True,
                               text=True, cwd=project, env=env, timeout=300)
    assert preflight.returncode == 0, preflight.stdout + preflight.stderr
    shutil.rmtree(venv)
