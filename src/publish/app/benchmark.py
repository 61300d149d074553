"""`make bench`: speed and memory of building the sample, measured, not asserted.

Reports, for the sample source:
- whole-process wall time and peak memory (child ru_maxrss) of `publish build` for PDF
  and for EPUB (median of several runs);
- the time WeasyPrint alone takes on the same final HTML, in a fresh process, so the
  pipeline's own overhead shows as a ratio;
- the sizes of the PDF and the EPUB;
- the preview's rebuild latency: from saving the source to the updated page in view
  served by `publish preview` (a real server in its own process, polled as fast as a
  browser could), against the in-process WeasyPrint render of the same HTML
  (`HTML(...).write_pdf()` with warm caches), so the preview's own overhead shows as a
  ratio (target ≤ 1.15×).
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

from publish.layout import project_root

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


def _get(url: str) -> bytes:
    import urllib.request

    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read()


def preview_latency(source: Path, runs: int) -> dict:
    """Median seconds from saving the source to the new page in view, served by
    `publish preview`; and the in-process WeasyPrint render of the same HTML."""
    import re
    import shutil

    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from publish.app.build import layout_for, load
    from publish.render import render_print_html
    from publish.typeset_ja import weasyprint as jlreq

    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        content.mkdir()
        copy = content / source.name
        shutil.copy(source, copy)
        if (source.parent / "images").is_dir():
            shutil.copytree(source.parent / "images", content / "images")
        text = copy.read_text(encoding="utf-8")
        # two versions of the source that differ in one character of the lead
        match = re.search(r"^lead: \|\n  (.)", text, flags=re.M)
        variants = [text, text[:match.start(1)] + ("　" if match.group(1) != "　" else "※") + text[match.end(1):]]

        # the baseline: WeasyPrint in this process, warm (the preview's process is warm too)
        doc = load(copy)
        layout = layout_for(doc)
        html = render_print_html(doc, layout, medium="screen")
        base_url = layout.chain[0].as_uri() + "/"
        alone = []
        for run in range(runs + 1):
            started = time.perf_counter()
            with jlreq.installed():
                weasyprint.HTML(string=html, base_url=base_url).write_pdf(font_config=FontConfiguration())
            if run:
                alone.append(time.perf_counter() - started)

        proc = subprocess.Popen([sys.executable, "-m", "publish", "preview", str(copy)], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        try:
            url = re.search(r"http://127\.0\.0\.1:\d+/", proc.stdout.readline()).group(0)

            def state(view=None):
                return json.loads(_get(url + "state" + (f"?view={view}" if view else "")))

            def until(predicate):
                end = time.monotonic() + 120
                while time.monotonic() < end:
                    current = state()
                    if predicate(current):
                        return current
                    time.sleep(0.005)
                raise SystemExit("benchmark: the preview did not rebuild in 120 s")

            first = until(lambda s: s["version"] >= 1 and s["complete"])
            view = min(3, first["pages"])
            state(view)  # the designer looks at page 3
            good, latencies, totals = first["good_version"], [], []
            for run in range(runs + 1):
                started = time.perf_counter()
                copy.write_text(variants[(run + 1) % 2], encoding="utf-8")
                current = until(lambda s: s["good_version"] > good and not s["error"] or s["error"])
                if current["error"]:
                    raise SystemExit(f"benchmark: the preview failed: {current['error']}")
                _get(f"{url}page/{view}.png?v={current['good_version']}")
                latency = time.perf_counter() - started
                done = until(lambda s: s["complete"] and s["good_version"] == current["good_version"])
                good = done["good_version"]
                if run:  # the first rebuild after start-up is left out, as the first render is
                    latencies.append(latency)
                    totals.append(done["all_seconds"])
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    result = {"save_to_page_seconds": statistics.median(latencies), "all_pages_seconds": statistics.median(totals),
              "weasyprint_in_process_seconds": statistics.median(alone), "runs": runs}
    result["ratio"] = result["save_to_page_seconds"] / result["weasyprint_in_process_seconds"]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m publish.app.benchmark", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--source", type=Path, default=SAMPLE)
    parser.add_argument("--json", action="store_true", help="print machine-readable results")
    parser.add_argument("--only", choices=("build", "preview"), help="run only one part")
    args = parser.parse_args(argv)
    preview = None
    if args.only != "build":
        preview = preview_latency(args.source, args.runs)
    if preview and not args.json:
        print(f"preview: {args.source.name}, median of {args.runs} saves")
        print(f"  save to updated page in view {preview['save_to_page_seconds']:6.2f} s   "
              f"(all pages {preview['all_pages_seconds']:.2f} s)")
        print(f"  WeasyPrint in process, same HTML {preview['weasyprint_in_process_seconds']:6.2f} s")
        print(f"  preview / WeasyPrint         {preview['ratio']:6.2f}×   (target ≤ 1.15×)", flush=True)
    if args.only == "preview":
        if args.json:
            print(json.dumps({"preview": preview}, indent=2))
        return 0

    from publish.app.build import layout_for, load
    from publish.render import render_print_html

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
        "pdf_bytes": sizes["pdf"], "epub_bytes": sizes["epub"], "preview": preview,
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
