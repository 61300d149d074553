"""The `publish` command line."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

from publish.app import build as builder
from publish.errors import PublishError, SourceError
from publish.options import Options

DEFAULT_CONTENT = Path("content")


def _here(path: Path) -> Path:
    """`path` relative to the current folder when inside it (messages stay as before)."""
    try:
        return path.relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _content_dir() -> Path:
    """The project's content/ (see project.py), else ./content."""
    from publish.project import current

    project = current()
    return _here(project.content) if project is not None else DEFAULT_CONTENT


def _sources(paths: list[str]) -> list[Path]:
    if paths:
        return [Path(p) for p in paths]
    content = _content_dir()
    found = sorted(p for p in content.glob("*.yaml") if not p.name.endswith(".collection.yaml"))
    found += sorted(content.glob("*.collection.yaml"))  # collections after their interviews
    if not found:
        raise PublishError(f"no sources given and none found in {content}/")
    return found


def _out_dir(args) -> Path:
    """--out, else the project's build/, else ./build."""
    from publish.project import current

    if args.out:
        return Path(args.out)
    project = current()
    return _here(project.build) if project is not None else Path("build")


def _formats(value: str) -> list[str]:
    formats = [f.strip() for f in value.split(",") if f.strip()]
    unknown = [f for f in formats if f not in builder.FORMATS]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(
            f"unknown format {', '.join(map(repr, unknown)) or '(none)'}; choose from {', '.join(builder.FORMATS)}"
        )
    return formats


def _bad_layout_arg(args) -> bool:
    """--layout NAME must name a folder of layouts/; says so (bad input, exit 2) if not."""
    from publish.layout import available_layouts

    known = available_layouts()
    if not args.layout or args.layout in known:
        return False
    import difflib

    close = difflib.get_close_matches(args.layout, sorted(known), n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    print(f"publish: --layout: unknown layout '{args.layout}' ({hint}known: {', '.join(sorted(known))})",
          file=sys.stderr)
    return True


def cmd_build(args) -> int:
    if _bad_layout_arg(args):
        return 2
    sources = _sources(args.sources)
    options = Options.from_environment(formats=args.format, out_dir=_out_dir(args), layout=args.layout,
                                       vertical=args.vertical, embed_fonts=args.embed_fonts, strict=args.strict)
    failures: list[str] = []
    for index, source in enumerate(sources, 1):
        started = time.perf_counter()
        if len(sources) > 1:
            builder.progress(f"[{index}/{len(sources)}] {source}")
        try:
            for built in builder.build_source(source, options=options):
                builder.progress(f"  wrote {built.path} ({built.size / 1024:.0f} KiB) — "
                                 f"{builder.PURPOSES[built.format]}")
        except (SourceError, builder.StylesheetError) as exc:
            failures.append(str(exc))
            print(exc, file=sys.stderr)
            continue
        builder.progress(f"  done in {time.perf_counter() - started:.2f} s")
    return 2 if failures else 0


def _preflight(path: Path, strict: bool, verbose: bool, layout: str | None = None,
               profile: str | None = None) -> int:
    """Preflight a built PDF against what its layout asks for (when its source is found),
    else against the press profile (or ``--profile``)."""
    from publish import preflight

    try:
        preflight.open_pdf(path).close()  # one line and exit 2 for what is not a checkable PDF
    except preflight.UnreadablePDF as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 2
    expectations = _expectations_for(path, layout, profile)
    try:
        report = preflight.check_pdf(path, expectations)
    except Exception as exc:  # noqa: BLE001 - a damaged PDF qpdf half-repaired: answer, never a traceback
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(f"{path}: cannot be checked: {type(exc).__name__}: {detail}", file=sys.stderr)
        return 2
    print(report.format(verbose=verbose))
    return report.exit_status(strict)


def _expectations_for(path: Path, layout: str | None = None, profile: str | None = None):
    """What a built PDF should be: for the layout given with --layout, else for what the
    PDF's own record (XMP, publish.press.record) says it was built for, else for the layout of
    content/<slug>.yaml (build/<slug>[-screen|-booklet].pdf), else the press profile (or
    the screen profile for a -screen.pdf); `--profile` picks the profile."""
    from publish import preflight
    from publish.press import record
    from publish.layout import print_settings
    from publish.preflight.profiles import select_expectations

    stem = path.stem
    made = record.read(path)
    edition = next((e for e in ("screen", "booklet") if stem.endswith(f"-{e}")), "print")
    if made is not None:
        edition = made.edition

    def for_edition(expectations):
        if edition == "booklet":  # imposed two-up: the make-up audit reads single pages
            expectations = dataclasses.replace(expectations, makeup=False)
        return expectations

    if layout:
        from publish.layout import load_layout

        settings = print_settings(load_layout(layout))
        builder.progress(f"{path}: checked against layout {layout} (--layout)")
        return for_edition(select_expectations(profile=profile, edition=edition,
                                               layout_expectations=preflight.Expectations.from_settings(settings)))
    if made is not None and not profile:
        builder.progress(f"{path}: built with {made.describe()}")
        return for_edition(preflight.expectations_from_record(made))
    slug = stem.removesuffix(f"-{edition}")
    content = _content_dir()
    source = content / f"{slug}.yaml"
    if not source.is_file() and (content / f"{slug}.collection.yaml").is_file():
        source = content / f"{slug}.collection.yaml"  # a collection's outputs
    if not source.is_file():
        builder.progress(f"{path}: no {source} found; checking against the "
                         f"{profile or ('screen' if edition == 'screen' else 'press')} profile")
        return for_edition(select_expectations(profile=profile, edition=None if edition == "print" else edition))
    doc = builder.load(source, layout)
    settings = print_settings(builder.layout_for(doc, layout))
    return for_edition(select_expectations(profile=profile, edition=edition,
                                           layout_expectations=preflight.Expectations.from_settings(settings)))


def _looks_like_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(5) == b"%PDF-"
    except OSError:
        return False


def _check_layout_css(name: str, strict: bool) -> int:
    """`publish check --layout NAME`: the layout's tokens and every stylesheet of its chain."""
    from publish.layout.css_check import check_layout, format_problems
    from publish.layout import load_layout

    layout = load_layout(name)  # token problems: SourceError, exit 2
    from publish.layout import templating
    from publish.writers.epub import _environment
    from publish.render import install_filters

    install_filters(layout.env)
    template_problems = templating.check_templates(layout.env, _environment(layout))
    if template_problems:  # syntax errors and refused includes: file.j2:LINE, exit 2
        raise SourceError(template_problems)
    problems = check_layout(layout)
    if problems:
        print(format_problems(problems, strict=strict), file=sys.stderr)
    sheets = len(layout.stylesheets("print"))
    print(f"layout {name}: {sheets} stylesheets, {len(problems)} CSS problem{'s' if len(problems) != 1 else ''}"
          if problems else f"layout {name}: ok ({sheets} stylesheets checked)", file=sys.stderr)
    return 2 if problems and strict else 0


def cmd_check(args) -> int:
    status = 0
    if args.layout and not args.sources:
        if _bad_layout_arg(args):
            return 2
        try:
            return _check_layout_css(args.layout, args.strict)
        except SourceError as exc:
            print(exc, file=sys.stderr)
            return 2
    for source in _sources(args.sources):
        if source.exists() and not source.is_file():  # /dev/zero, a FIFO, a folder: never read
            print(f"{source}: not a regular file", file=sys.stderr)
            status = 2
            continue
        if source.suffix.lower() == ".pdf" or _looks_like_pdf(source):
            status = max(status, _preflight(source, args.strict, args.verbose, args.layout, args.profile))
            continue
        try:
            doc = builder.load(source, args.layout)
            builder.check_templates(doc, args.layout)  # the layout's templates, compiled and rendered for this source
            builder.check_css(builder.layout_for(doc, args.layout), strict=args.strict)
        except (SourceError, builder.StylesheetError) as exc:
            print(exc, file=sys.stderr)
            status = 2
            continue
        print(f"{source}: ok", file=sys.stderr)
    return status


def cmd_new_layout(args) -> int:
    from publish.app.scaffold import new_layout

    path = new_layout(args.name, args.parent)
    print(f"created {path} (extends {args.parent}); preview it with: publish preview SOURCE --layout {args.name}",
          file=sys.stderr)
    return 0


def cmd_init(args) -> int:
    from publish.app.scaffold import init_project

    folder = Path(args.folder)
    for path in init_project(folder):
        print(f"created {path}", file=sys.stderr)
    print(f"next: cd {folder} && publish build   (or make; publish layouts lists the layouts, "
          f"publish new-layout NAME starts your own in {folder / 'layouts'})", file=sys.stderr)
    return 0


def cmd_layouts(args) -> int:
    from publish.app.scaffold import layout_table

    rows = layout_table()
    width = max((len(r[0]) for r in rows), default=0)
    where = max((len(r[1]) for r in rows), default=0)
    for name, origin, folder, extends, description in rows:
        parent = f" (extends {extends})" if extends else ""
        print(f"{name:<{width}}  {origin:<{where}}  {folder}{parent}  {description}".rstrip())
    return 0


def cmd_preview(args) -> int:
    from publish.app.preview import serve

    if _bad_layout_arg(args):
        return 2
    return serve(Path(args.source), layout=args.layout, port=args.port)


def cmd_import(args) -> int:
    from publish.app.importing import run_import

    return run_import(Path(args.article), Path(args.output) if args.output else None, force=args.force,
                      publisher=args.publisher, content=_content_dir())


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="publish",
        description="Turn Japanese interview sources (YAML) into print-ready PDF brochures and EPUB 3 booklets.",
    )
    top.add_argument("--project", metavar="DIR",
                     help="the project folder (content/, layouts/, build/); default: the nearest folder "
                          "from here upwards that holds content/")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--project", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_parser = sub.add_parser
    sub.add_parser = lambda *a, **k: _add_parser(*a, parents=[common], **k)

    b = sub.add_parser("build", help="build PDF brochures and EPUB booklets",
                       description="Build each source (default: every content/*.yaml) into --out.")
    b.add_argument("sources", nargs="*", metavar="SOURCE", help="interview or collection YAML files (default: content/*.yaml)")
    b.add_argument("--format", type=_formats, default=list(builder.DEFAULT_FORMATS),
                   help=f"comma-separated formats: {', '.join(builder.FORMATS)} "
                        f"(default: {','.join(builder.DEFAULT_FORMATS)})")
    b.add_argument("--out", help="output folder (default: the project's build/)")
    b.add_argument("--layout", help="use this layout instead of the source's")
    b.add_argument("--strict", action="store_true",
                   help="make the layout's stylesheet warnings (file.css:LINE:COL) errors (exit 2)")
    b.add_argument("--vertical", action=argparse.BooleanOptionalAction, default=None,
                   help="EPUB: vertical (縦組み) book, pages turning right to left (default: the layout's "
                        "epub.writing_mode, horizontal)")
    b.add_argument("--embed-fonts", action=argparse.BooleanOptionalAction, default=None,
                   help="EPUB: embed the bundled fonts, subset to the book's characters (default: no)")
    b.set_defaults(func=cmd_build)

    c = sub.add_parser(
        "check", help="validate sources, or preflight built PDFs",
        description="Validate sources (report every problem as path:line:column: field: message, exit 2), "
                    "or preflight built PDFs: boxes, fonts, colour spaces, OutputIntent, image resolution, "
                    "page count and the safety margin (exit 1 on a failure).")
    c.add_argument("sources", nargs="*", metavar="FILE",
                   help="interview YAML files (default: content/*.yaml) or built PDFs")
    c.add_argument("--strict", action="store_true",
                   help="PDFs: fail on warnings too; sources and layouts: stylesheet warnings are errors (exit 2)")
    c.add_argument("-v", "--verbose", action="store_true", help="PDFs: show informational findings")
    c.add_argument("--layout", help="check against this layout instead of the source's (as build --layout); "
                                    "alone, check the layout itself: its tokens and every stylesheet of its chain")
    c.add_argument("--profile", choices=("press", "screen"),
                   help="PDFs: check against this profile: press (PDF/X, TrimBox and BleedBox with bleed, "
                        "CMYK, fonts embedded; the default when the layout is not known) or screen (tagged, "
                        "RGB allowed, no marks)")
    c.set_defaults(func=cmd_check)

    n = sub.add_parser("new-layout", help="start a layout that extends another",
                       description="Create layouts/NAME/layout.yaml extending --from, with every token it may "
                                   "override listed and commented.")
    n.add_argument("name", metavar="NAME", help="the new layout's folder name (a-z, 0-9, _ and -)")
    n.add_argument("--from", dest="parent", default="brochure", metavar="PARENT",
                   help="the layout to extend (default: brochure)")
    n.set_defaults(func=cmd_new_layout)

    p = sub.add_parser("preview", help="serve a live preview of a source's pages",
                       description="Serve the PDF's pages as images on http://127.0.0.1:PORT/, as spreads, "
                                   "rebuilt and reloaded whenever the source, an image, the layout or a font "
                                   "changes. Stop with Ctrl-C.")
    p.add_argument("source", metavar="SOURCE", help="the interview YAML file to preview")
    p.add_argument("--layout", help="use this layout instead of the source's")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one, printed on start)")
    p.set_defaults(func=cmd_preview)

    i = sub.add_parser("import", help="turn a published interview article (plain text or .docx) into a source",
                       description="Read the plain text of a published interview article and write a "
                                   "source file; guesses are reported on stderr with their line numbers.")
    i.add_argument("article", metavar="ARTICLE.txt", help="the article's plain text (UTF-8), or a Word manuscript (.docx)")
    i.add_argument("-o", "--output", metavar="SOURCE.yaml",
                   help="where to write the source (default: content/<article name>.yaml; '-' for stdout)")
    i.add_argument("--publisher", help="the publisher (default: the affiliation all the people share)")
    i.add_argument("--force", action="store_true", help="overwrite an existing source")
    i.set_defaults(func=cmd_import)

    t = sub.add_parser("init", help="start a project folder",
                       description="Create DIR with content/ (a sample interview), a Makefile that calls "
                                   "publish, and a .gitignore; build it with `publish build` inside DIR.")
    t.add_argument("folder", metavar="DIR", help="the project folder to create (may exist if empty)")
    t.set_defaults(func=cmd_init)

    ls = sub.add_parser("layouts", help="list the layouts and where each comes from",
                        description="List every layout this project can use: the project's own "
                                    "(layouts/, found first) and the built-in ones.")
    ls.set_defaults(func=cmd_layouts)
    return top


def _terminate(signum, frame):
    # SIGTERM unwinds like Ctrl-C: temporary outputs are removed, worker processes stopped
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    import logging

    # WeasyPrint warns about every CSS property it does not know (e.g. -webkit- forms); the
    # layout's CSS check (css_check) reports what matters, so only its errors get through.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return _run(args)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return _run(args)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(args) -> int:
    try:
        from publish import project

        if args.project is not None and not Path(args.project).is_dir():
            raise PublishError(f"--project: {args.project} is not a folder")
        project.use(Path(args.project) if args.project is not None else None)
        return args.func(args)
    except SourceError as exc:
        print(exc, file=sys.stderr)
        return exc.exit_status
    except PublishError as exc:
        print(f"publish: {exc}", file=sys.stderr)
        return exc.exit_status
    except OSError as exc:  # e.g. an output folder that cannot be written
        print(f"publish: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
