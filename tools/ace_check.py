"""`make check`: DAISY Ace (accessibility checker for EPUB) over the built booklets.

    python tools/ace_check.py build/*.epub
    python tools/ace_check.py --install    (make test-deps: only install Ace, when npm is here)

Ace comes from npm (`@daisy/ace`, pinned below) and is installed on first use into
.venv/ace (so `make distclean` removes it). Its default runner needs an Electron binary,
which cannot always be downloaded; this uses its `ace-puppeteer` runner with the system's
Chromium instead (Debian: `apt-get install chromium nodejs npm`). Reports go to
build/ace/<book>/ (report.html, report.json). Exit status 1 if any book has a violation.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ACE_VERSION = "1.4.6"
ROOT = Path(__file__).resolve().parents[1]
PREFIX = ROOT / ".venv" / "ace"
RUNNER = PREFIX / "node_modules" / ".bin" / "ace-puppeteer"
REPORTS = ROOT / "build" / "ace"


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    sys.exit("ace_check: Chromium is needed (apt-get install chromium)")


def install() -> None:
    if RUNNER.exists():
        return
    npm = shutil.which("npm")
    if not npm:
        sys.exit("ace_check: npm is needed to install DAISY Ace (apt-get install nodejs npm)")
    PREFIX.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1", "ELECTRON_SKIP_BINARY_DOWNLOAD": "1"}
    print(f"ace_check: installing @daisy/ace@{ACE_VERSION} into {PREFIX.relative_to(ROOT)}", file=sys.stderr)
    subprocess.run([npm, "install", "--prefix", str(PREFIX), "--no-audit", "--no-fund", "--silent",
                    f"@daisy/ace@{ACE_VERSION}"], check=True, env=env)


def violations(report: dict) -> list[tuple[str, str, str, str]]:
    out = []
    for subject in report.get("assertions", []):
        url = subject.get("earl:testSubject", {}).get("url", "?")
        for item in subject.get("assertions", []):
            test = item.get("earl:test", {})
            out.append((test.get("earl:impact", "?"), url, test.get("dct:title", "?"),
                        item.get("earl:result", {}).get("dct:description", "")))
    return out


def check(book: Path) -> int:
    out = REPORTS / book.stem if book.parent.name != "vertical" else REPORTS / f"{book.stem}-vertical"
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium()}
    result = subprocess.run([str(RUNNER), "--force", "--silent", "--outdir", str(out), str(book)],
                            env=env, capture_output=True, text=True, timeout=600)
    report_path = out / "report.json"
    if result.returncode != 0 or not report_path.exists():
        print(f"{book}: Ace failed\n{result.stderr[-2000:]}", file=sys.stderr)
        return 1
    report = json.loads(report_path.read_text(encoding="utf-8"))
    found = violations(report)
    outcome = report.get("earl:result", {}).get("earl:outcome", "?")
    print(f"{book}: {outcome}, {len(found)} violation(s); report {out.relative_to(ROOT)}/report.html")
    for impact, url, title, description in found:
        print(f"  [{impact}] {url}: {title}: {description[:300]}")
    return 1 if found else 0


def main(argv: list[str]) -> int:
    if argv == ["--install"]:  # `make test-deps`: install Ace now, not in the first test that needs it
        if shutil.which("npm"):
            install()
        return 0
    books = [Path(a).resolve() for a in argv] or sorted((ROOT / "build").glob("*.epub"))
    if not books:
        sys.exit("ace_check: no EPUB given and none in build/ (run make first)")
    install()
    return max(check(book) for book in books)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
