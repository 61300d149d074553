"""The `publish` command line."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import build as builder
from .errors import PublishError, SourceError

DEFAULT_CONTENT = Path("content")


def _sources(paths: list[str]) -> list[Path]:
    if paths:
        return [Path(p) for p in paths]
    found = sorted(p for p in DEFAULT_CONTENT.glob("*.yaml") if not p.name.endswith(".collection.yaml"))
    if not found:
        raise PublishError(f"no sources given and none found in {DEFAULT_CONTENT}/")
    return found


def _formats(value: str) -> list[str]:
    formats = [f.strip() for f in value.split(",") if f.strip()]
    unknown = [f for f in formats if f not in builder.FORMATS]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(
            f"unknown format {', '.join(map(repr, unknown)) or '(none)'}; choose from {', '.join(builder.FORMATS)}"
        )
    return formats


def cmd_build(args) -> int:
    sources = _sources(args.sources)
    failures: list[str] = []
    for index, source in enumerate(sources, 1):
        started = time.perf_counter()
        if len(sources) > 1:
            builder.progress(f"[{index}/{len(sources)}] {source}")
        try:
            for built in builder.build_source(source, args.format, Path(args.out), layout=args.layout,
                                              vertical=args.vertical, embed_fonts=args.embed_fonts):
                builder.progress(f"  wrote {built.path} ({built.size / 1024:.0f} KiB)")
        except SourceError as exc:
            failures.append(str(exc))
            print(exc, file=sys.stderr)
            continue
        builder.progress(f"  done in {time.perf_counter() - started:.2f} s")
    return 2 if failures else 0


def cmd_check(args) -> int:
    status = 0
    for source in _sources(args.sources):
        try:
            builder.load(source)
        except SourceError as exc:
            print(exc, file=sys.stderr)
            status = 2
            continue
        print(f"{source}: ok", file=sys.stderr)
    return status


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="publish",
        description="Turn Japanese interview sources (YAML) into print-ready PDF brochures and EPUB 3 booklets.",
    )
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    b = sub.add_parser("build", help="build PDF brochures and EPUB booklets",
                       description="Build each source (default: every content/*.yaml) into --out.")
    b.add_argument("sources", nargs="*", metavar="SOURCE", help="interview YAML files (default: content/*.yaml)")
    b.add_argument("--format", type=_formats, default=list(builder.FORMATS),
                   help=f"comma-separated formats: {', '.join(builder.FORMATS)} (default: all)")
    b.add_argument("--out", default="build", help="output folder (default: build)")
    b.add_argument("--layout", help="use this layout instead of the source's")
    b.add_argument("--vertical", action=argparse.BooleanOptionalAction, default=None,
                   help="EPUB: vertical (縦組み) book, pages turning right to left (default: the layout's "
                        "epub.writing_mode, horizontal)")
    b.add_argument("--embed-fonts", action=argparse.BooleanOptionalAction, default=None,
                   help="EPUB: embed the bundled fonts, subset to the book's characters (default: no)")
    b.set_defaults(func=cmd_build)

    c = sub.add_parser("check", help="validate sources without building",
                       description="Validate sources; report every problem as path:line:column: field: message.")
    c.add_argument("sources", nargs="*", metavar="SOURCE", help="interview YAML files (default: content/*.yaml)")
    c.set_defaults(func=cmd_check)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except SourceError as exc:
        print(exc, file=sys.stderr)
        return exc.exit_status
    except PublishError as exc:
        print(f"publish: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
