"""Layout templates run sandboxed: designers' code, but never able to read files, run
commands or reach Python's internals.

- Environment: `jinja2.sandbox.ImmutableSandboxedEnvironment` (no `__` attributes, no
  mutation of lists and dicts, `range` capped), `StrictUndefined`.
- Values: templates get the model (strings, numbers, dates, the model's dataclasses) and a
  plain `LayoutView` (name, tokens, bleed_mm) instead of the Layout; a `Path` in the model
  is opaque (it can be printed or given to a filter such as `uri`, but none of its
  attributes or methods can be reached); modules, classes and Jinja/Layout objects too.
- Loading: only files under the layout chain's folders, after resolving symlinks; `../`
  is refused.
- Errors: a syntax error, an undefined name, a template not found or a sandbox refusal is
  a `TemplateProblem` — `layouts/NAME/…/file.j2:LINE: message`, exit status 2.
"""

from __future__ import annotations

import copy
import os
import types
from dataclasses import dataclass
from pathlib import Path, PurePath

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from publish.errors import SourceError, SourceProblem, display_path


@dataclass(frozen=True)
class LayoutView:
    """What templates see of a layout: plain values only."""

    name: str
    tokens: dict
    bleed_mm: float
    vertical: bool = False  # writing_mode: vertical (縦組み print)


def layout_view(layout) -> LayoutView:
    return LayoutView(name=layout.name, tokens=copy.deepcopy(layout.tokens), bleed_mm=layout.bleed_mm,
                      vertical=bool(getattr(layout, "vertical", False)))


class LayoutLoader(jinja2.FileSystemLoader):
    """FileSystemLoader over the layout chain that also refuses a file whose real path
    (symlinks resolved) leaves its layout folder."""

    def get_source(self, environment, template):
        if any(part == ".." for part in template.replace("\\", "/").split("/")):
            raise jinja2.TemplateNotFound(template, f"'{template}' leaves the layout's folders ('..' is not allowed)")
        source, filename, uptodate = super().get_source(environment, template)
        real = Path(filename).resolve()
        if not any(real.is_relative_to(Path(folder).resolve()) for folder in self.searchpath):
            raise jinja2.TemplateNotFound(template, f"'{template}' resolves to {real}, outside the layout's folders")
        return source, filename, uptodate


OPAQUE = (PurePath, types.ModuleType, type, jinja2.Environment, jinja2.BaseLoader)


class Sandbox(ImmutableSandboxedEnvironment):
    """A file path read from the model reaches the template as its text (a plain string);
    a Path met any other way (inside a tuple) is opaque."""

    def getattr(self, obj, attribute):
        value = super().getattr(obj, attribute)
        return str(value) if isinstance(value, PurePath) else value

    def getitem(self, obj, argument):
        value = super().getitem(obj, argument)
        return str(value) if isinstance(value, PurePath) else value

    def is_safe_attribute(self, obj, attr, value):
        if isinstance(obj, OPAQUE) or isinstance(value, (types.ModuleType, type, jinja2.Environment)):
            return False
        if type(obj).__name__ == "Layout":  # the real Layout never reaches a template; refuse if it does
            return False
        return super().is_safe_attribute(obj, attr, value)


def environment(chain, **options) -> jinja2.Environment:
    settings = dict(autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
                    undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    settings.update(options)
    return Sandbox(loader=LayoutLoader([str(p) for p in chain]), **settings)


# -- located errors ------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateProblem(SourceProblem):
    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}: {self.message}"


RUNTIME = (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError, IndexError,
           ZeroDivisionError, OverflowError, RecursionError)


def located(exc: BaseException, template_name: str, env) -> SourceError | None:
    """The exception as a SourceError at the template file and line it happened on, or
    None when it did not happen in a template (a bug of ours: let it through)."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        path = exc.filename or _template_file(env, exc.name or template_name)
        return SourceError([TemplateProblem(Path(path or template_name), exc.lineno or 1, 1, "",
                                            f"syntax error: {exc.message}")])
    frame = _template_frame(exc)
    if frame is None and not isinstance(exc, jinja2.TemplateError):
        return None
    path, line = frame or (_template_file(env, template_name) or template_name, 1)
    if isinstance(exc, jinja2.TemplateNotFound):
        message = exc.message if exc.message and exc.message != exc.name else \
            f"template '{exc.name}' not found in the layout's folders"
        if "leaves the layout" in str(exc.message) or "outside the layout" in str(exc.message):
            message = f"include refused: {exc.message}"
    elif isinstance(exc, jinja2.sandbox.SecurityError):
        message = f"refused by the template sandbox: {exc}"
    elif isinstance(exc, jinja2.UndefinedError):
        message = f"undefined: {exc.message}"
    else:
        message = f"{type(exc).__name__}: {exc}"
    return SourceError([TemplateProblem(Path(path), line, 1, "", message)])


def _template_file(env, name: str) -> str | None:
    for folder in getattr(env.loader, "searchpath", ()):
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def _template_frame(exc: BaseException):
    """(file, line) of the innermost traceback frame that is a template (Jinja rewrites
    template frames to carry the template's file name and line)."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith((".j2", ".css", ".html", ".xhtml")) and os.path.isfile(name):
            found = (name, tb.tb_lineno)
        tb = tb.tb_next
    return found


def render(env, name: str, **context) -> str:
    """Render template `name` of the layout; mistakes become located SourceErrors."""
    try:
        return env.get_template(name).render(**context)
    except RUNTIME as exc:
        error = located(exc, name, env)
        if error is None:
            raise
        raise error from None


def check_templates(env, epub_env=None) -> list[SourceProblem]:
    """Compile every template of the layout chain (`epub/…` with the EPUB's environment,
    whose filters differ): one problem per syntax error."""
    problems: list[SourceProblem] = []
    seen = set()
    for folder in env.loader.searchpath:
        for path in sorted(Path(folder).rglob("*.j2")):
            name = path.relative_to(folder).as_posix()
            if name in seen:
                continue  # overridden by a child layout: the child's file is the one used
            seen.add(name)
            which = epub_env if epub_env is not None and name.startswith("epub/") else env
            try:
                which.get_template(name)
            except jinja2.TemplateSyntaxError as exc:
                problems += located(exc, name, which).problems
            except jinja2.TemplateNotFound as exc:  # a symlink out of the layout's folders
                problems.append(TemplateProblem(path, 1, 1, "", f"include refused: {exc.message}"))
    return problems
