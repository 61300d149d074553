"""Benchmark: collections of 5 … 50 interviews, PDF and EPUB, time and peak memory.

    python -m publish.app.bench_collections [--sizes 5,10,20,50] [--repeat 2] [--json FILE]

Generates N interviews (the two sample interviews, retitled, alternating) and a collection
of them in a temporary content folder, then builds it in fresh child processes exactly as
`publish build` does, measuring for each build:

- wall time (best of --repeat),
- peak memory: the child's ru_maxrss (from wait4, which also covers its reaped workers,
  as a maximum per process) and, sampled every 20 ms from /proc, the peak of the summed
  RSS of the whole process tree (what a parallel build really holds at once),

for the PDF typeset in one WeasyPrint render (PUBLISH_JOBS=1), the PDF on two cores
(PUBLISH_JOBS=2, publish.writers.pdf.parallel) and the EPUB; then how each grows from the
smallest to the largest collection (per-interview slope of a least-squares line) and the
parallel speed-up over the single WeasyPrint render.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = [ROOT / "content" / "tokyo-ict-exchange.yaml", ROOT / "content" / "midoridai-mentors.yaml"]


def generate(folder: Path, count: int) -> Path:
    """`count` interviews and a collection of them in `folder`; returns the collection file."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = [p.read_text(encoding="utf-8") for p in SAMPLES]
    names = []
    for i in range(1, count + 1):
        text = texts[(i - 1) % len(texts)].replace("title: ", f"title: 第{i}話 ", 1)
        name = f"interview-{i:03d}.yaml"
        (folder / name).write_text(text, encoding="utf-8")
        names.append(name)
    collection = folder / f"bench-{count}.collection.yaml"
    collection.write_text(
        f"title: ベンチマーク{count}話\nsubtitle: 生成されたインタビュー集\npublisher: publish\n"
        "intro: |\n  ベンチマーク用に生成したインタビュー集です。\ninterviews:\n"
        + "".join(f"  - {n}\n" for n in names), encoding="utf-8")
    return collection


def _tree_rss(root: int) -> int:
    """Summed RSS (bytes) of a process and its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * page
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    return sum(rss.get(pid, 0) for pid in tree)


def measure(args: list[str], env: dict) -> dict:
    """Run one build in a child; wall time, ru_maxrss and the sampled peak tree RSS."""
    started = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(process.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{stderr}")
    return {"seconds": wall, "cpu": usage.ru_utime + usage.ru_stime, "maxrss_mib": usage.ru_maxrss / 1024,
            "tree_mib": peak[0] / 2**20, "load": os.getloadavg()[0]}


def slope(xs, ys) -> float:
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else 0.0


def run(sizes: list[int], repeat: int) -> dict:
    import pikepdf

    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-collections-") as tmp:
        tmp = Path(tmp)
        for count in sizes:
            collection = generate(tmp / f"content-{count}", count)
            out = tmp / f"build-{count}"
            row = {}
            for label, fmt, jobs in (("pdf_single", "pdf", "1"), ("pdf_parallel", "pdf", "2"), ("epub", "epub", "1")):
                timing_file = tmp / "timing.json"
                env = {**os.environ, "PUBLISH_JOBS": jobs, "PUBLISH_TIMING": str(timing_file)}
                args = [sys.executable, "-m", "publish", "build", str(collection), "--format", fmt, "--out", str(out)]
                runs = []
                for _ in range(repeat):
                    timing_file.unlink(missing_ok=True)
                    result = measure(args, env)
                    if timing_file.exists():
                        result["timing"] = json.loads(timing_file.read_text(encoding="utf-8"))
                    runs.append(result)
                best = min(runs, key=lambda r: r["seconds"])
                row[label] = {"seconds": best["seconds"], "cpu": min(r["cpu"] for r in runs),
                              "maxrss_mib": max(r["maxrss_mib"] for r in runs),
                              "tree_mib": max(r["tree_mib"] for r in runs), "load": best["load"],
                              "bytes": (out / f"bench-{count}.{fmt}").stat().st_size}
                if fmt == "pdf":
                    row[label]["critical_cpu"] = min(r["timing"]["critical_cpu"] for r in runs)
                    row[label]["typeset_cpu"] = min(r["timing"]["total_cpu"] for r in runs)
                if fmt == "pdf":
                    with pikepdf.open(out / f"bench-{count}.pdf") as pdf:
                        row["pages"] = len(pdf.pages)
                print(f"  {count:3d} interviews  {label:12s} {best['seconds']:6.2f} s  cpu {row[label]['cpu']:6.2f} s  "
                      f"maxrss {row[label]['maxrss_mib']:6.0f} MiB  tree {row[label]['tree_mib']:6.0f} MiB",
                      file=sys.stderr, flush=True)
            results[count] = row
    return results


def report(results: dict) -> str:
    sizes = sorted(results)
    lines = ["Collections: whole-process build time and peak memory (child processes, best of the runs)", ""]
    head = (f"{'interviews':>10} {'pages':>5} | {'PDF 1 render':>12} {'CPU':>6} {'RSS':>5} | {'PDF 2 cores':>11} {'tree RSS':>8} "
            f"{'wall ×':>6} {'CPU-path ×':>10} | {'EPUB':>6} {'RSS':>5} | {'PDF':>6} {'EPUB':>6} | load")
    lines += [head, "-" * len(head)]
    for n in sizes:
        r = results[n]
        s, p, e = r["pdf_single"], r["pdf_parallel"], r["epub"]
        lines.append(f"{n:>10} {r['pages']:>5} | {s['seconds']:>10.2f} s {s['cpu']:>5.1f}s {s['maxrss_mib']:>4.0f}M | "
                     f"{p['seconds']:>9.2f} s {p['tree_mib']:>7.0f}M {s['seconds'] / p['seconds']:>5.2f}× "
                     f"{s['critical_cpu'] / p['critical_cpu']:>9.2f}× | "
                     f"{e['seconds']:>4.2f} s {e['maxrss_mib']:>4.0f}M | {s['bytes'] / 2**20:>5.2f}M {e['bytes'] / 1024:>5.0f}K"
                     f" | {p['load']:.1f}")
    lines += ["", "wall ×: single-render wall time / parallel wall time, as measured (the machine's load in the last column;",
              "  other work on the two cores slows the parallel build most).",
              "CPU-path ×: single WeasyPrint render's CPU seconds / the parallel build's critical path in CPU seconds",
              "  (serial phases + the slowest chunk + the slower of contents and furniture): the speed-up on an idle",
              "  2-core machine.", "tree RSS: peak summed RSS of the build and its workers (forked: shared pages counted twice)."]
    if len(sizes) >= 2:
        lo, hi = sizes[0], sizes[-1]
        lines.append("")
        lines.append(f"Growth from {lo} to {hi} interviews (×{hi / lo:g} the content), per extra interview:")
        for label, name in (("pdf_single", "PDF, one render"), ("pdf_parallel", "PDF, 2 cores"), ("epub", "EPUB")):
            t = [results[n][label]["cpu"] for n in sizes]
            w = [results[n][label]["seconds"] for n in sizes]
            key = "tree_mib" if label == "pdf_parallel" else "maxrss_mib"
            m = [results[n][label][key] for n in sizes]
            lines.append(f"  {name:16s} CPU ×{t[-1] / t[0]:.1f} ({slope(sizes, t) * 1000:.0f} ms/interview), "
                         f"wall ×{w[-1] / w[0]:.1f}, peak memory ×{m[-1] / m[0]:.1f} ({slope(sizes, m):.1f} MiB/interview)")
        pages = [results[n]["pages"] for n in sizes]
        typeset = [results[n]["pdf_single"]["critical_cpu"] for n in sizes]
        lines.append(f"  pages ×{pages[-1] / pages[0]:.1f} ({slope(sizes, pages):.1f} pages/interview); one WeasyPrint render: "
                     f"{slope(pages, typeset) * 1000:.0f} ms CPU per page")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m publish.app.bench_collections", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="5,10,20,50", help="collection sizes (default: 5,10,20,50)")
    parser.add_argument("--repeat", type=int, default=2, help="runs per build, best time kept (default: 2)")
    parser.add_argument("--json", help="also write the numbers to this file")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"bench_collections: sizes {sizes}, {args.repeat} run(s) each, {cores} core(s)", file=sys.stderr)
    results = run(sizes, args.repeat)
    print(report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
