"""`make bench`: speed and memory of building the sample, measured, not asserted.

Reports, for the sample source:
- whole-process wall time and peak memory (child ru_maxrss) of `publish build` for PDF
  and for EPUB (median of several runs);
- the time WeasyPrint alone takes on the same final HTML, in a fresh process, so the
  pipeline's own overhead shows as a ratio;
- the sizes of the PDF and the EPUB;
- the vertical (縦組み) print PDF (`--layout tategaki`, A5) next to the horizontal A5
  booklet (`--layout booklet`) of the same source, and their ratio (issue 15's aim: ≤ 1.3×).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .layout import project_root

SAMPLE = project_root() / "content" / "tokyo-ict-exchange.yaml"

WEASYPRINT_ALONE = """
import sys, time
t0 = time.perf_counter()
import weasyprint
from weasyprint.text.fonts import FontConfiguration
html = open(sys.argv[1], encoding="utf-8").read()
weasyprint.HTML(string=html, base_url=sys.argv[2]).write_pdf(sys.argv[3], font_config=FontConfiguration())
"""


def run_measured(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, this child's peak RSS in MiB) using wait4."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(argv)}\n{err}")
    return wall, usage.ru_maxrss / 1024


def measure(argv: list[str], runs: int) -> dict:
    results = [run_measured(argv) for _ in range(runs)]
    return {"seconds": statistics.median(r[0] for r in results), "peak_mib": max(r[1] for r in results),
            "runs": runs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m publish.benchmark", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--source", type=Path, default=SAMPLE)
    parser.add_argument("--json", action="store_true", help="print machine-readable results")
    args = parser.parse_args(argv)

    from .build import layout_for, load
    from .render import render_print_html

    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        pdf = measure([python, "-m", "publish", "build", str(args.source), "--format", "pdf", "--out", str(out)], args.runs)
        epub = measure([python, "-m", "publish", "build", str(args.source), "--format", "epub", "--out", str(out)], args.runs)
        a5 = out / "a5"
        booklet = measure([python, "-m", "publish", "build", str(args.source), "--format", "pdf", "--layout", "booklet",
                           "--out", str(a5)], args.runs)
        vertical = measure([python, "-m", "publish", "build", str(args.source), "--format", "pdf", "--layout",
                            "tategaki", "--out", str(a5)], args.runs)
        doc = load(args.source)
        layout = layout_for(doc)
        html_path = out / "final.html"
        html_path.write_text(render_print_html(doc, layout), encoding="utf-8")
        alone_script = out / "alone.py"
        alone_script.write_text(WEASYPRINT_ALONE, encoding="utf-8")
        alone = measure([python, str(alone_script), str(html_path), layout.chain[0].as_uri() + "/",
                         str(out / "alone.pdf")], args.runs)
        sizes = {fmt: (out / f"{doc.slug}.{fmt}").stat().st_size for fmt in ("pdf", "epub")}

    results = {
        "source": str(args.source), "cpus": os.cpu_count(),
        "pdf": pdf, "epub": epub, "weasyprint_alone": alone,
        "pipeline_over_weasyprint": pdf["seconds"] / alone["seconds"],
        "pdf_bytes": sizes["pdf"], "epub_bytes": sizes["epub"],
        "horizontal_a5_pdf": booklet, "vertical_a5_pdf": vertical,
        "vertical_over_horizontal": vertical["seconds"] / booklet["seconds"],
    }
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"benchmark: {args.source.name} on {os.cpu_count()} CPUs, median of {args.runs} runs, whole process")
    print(f"  publish build --format pdf   {pdf['seconds']:6.2f} s   peak {pdf['peak_mib']:6.0f} MiB   (target < 1.5 s)")
    print(f"  publish build --format epub  {epub['seconds']:6.2f} s   peak {epub['peak_mib']:6.0f} MiB")
    print(f"  WeasyPrint alone, same HTML  {alone['seconds']:6.2f} s   peak {alone['peak_mib']:6.0f} MiB")
    print(f"  pipeline / WeasyPrint alone  {results['pipeline_over_weasyprint']:6.2f}×   (target ≤ 1.15×)")
    print(f"  sizes: PDF {sizes['pdf'] / 1024:.0f} KiB, EPUB {sizes['epub'] / 1024:.0f} KiB")
    print(f"  A5 horizontal (booklet) pdf  {booklet['seconds']:6.2f} s   peak {booklet['peak_mib']:6.0f} MiB")
    print(f"  A5 vertical (tategaki) pdf   {vertical['seconds']:6.2f} s   peak {vertical['peak_mib']:6.0f} MiB")
    print(f"  vertical / horizontal        {results['vertical_over_horizontal']:6.2f}×   (target ≤ 1.3×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
