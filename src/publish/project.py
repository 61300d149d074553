"""Where `publish` works: the project folder and the built-in layouts and fonts.

A project is a folder holding `content/` (the sources), optionally `layouts/` (the
project's own layouts, found before the built-in ones and free to `extends:` one) and
`build/` (the outputs). `publish` finds it from the current folder upwards, or takes it
from `--project DIR`. The built-in layouts and the bundled fonts are package data of an
installed wheel (`publish/_data/`); in an editable install they are the checkout's
`layouts/` and `fonts/`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DATA = Path(__file__).resolve().parent / "_data"
CHECKOUT = Path(__file__).resolve().parents[2]  # an editable install's checkout


def _data(name: str) -> Path:
    installed = PACKAGE_DATA / name
    return installed if installed.is_dir() else CHECKOUT / name


def builtin_layouts_dir() -> Path:
    """The layouts shipped with publish."""
    return _data("layouts")


def builtin_fonts_dir() -> Path:
    """The bundled fonts (SIL OFL, licence files beside them)."""
    return _data("fonts")


def layouts_dir() -> Path:
    """The built-in layouts (package data, or the checkout's `layouts/`), or the folder named
    by $PUBLISH_LAYOUTS (tests, previews of a designer's own layouts folder)."""
    override = os.environ.get("PUBLISH_LAYOUTS")
    return Path(override).resolve() if override else builtin_layouts_dir()


def fonts_dir() -> Path:
    return builtin_fonts_dir()


def sample_source() -> Path:
    """The sample interview `publish init` copies into a new project."""
    installed = PACKAGE_DATA / "sample" / "tokyo-ict-exchange.yaml"
    return installed if installed.is_file() else CHECKOUT / "content" / "tokyo-ict-exchange.yaml"


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def layouts(self) -> Path:
        return self.root / "layouts"

    @property
    def build(self) -> Path:
        return self.root / "build"


def find(start: Path | None = None) -> Project | None:
    """The nearest folder from `start` (default: the current folder) upwards that holds `content/`."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "content").is_dir():
            return Project(folder)
    return None


_chosen: Project | None = None


def use(root: Path | None) -> None:
    """`--project DIR`: work on DIR whatever the current folder (None: find it again)."""
    global _chosen
    _chosen = Project(Path(root).resolve()) if root is not None else None


def current() -> Project | None:
    """The project `--project` named, else the one around the current folder, else None."""
    return _chosen or find()
