"""Open WeasyPrint's native libraries without some two hundred helper processes.

WeasyPrint 70 (weasyprint/text/ffi.py) opens GObject, Pango, HarfBuzz, fontconfig and
PangoFT2 through cffi, trying each library's names for every platform in turn
('libpango-1.0-0', 'pango-1.0-0', 'pango-1.0', 'libpango-1.0.so.0', …). On Linux every name
that is not a file name falls back to `ctypes.util.find_library`, which runs `ldconfig -p`,
then gcc, then ld for that one name: measured 215 processes and 0.25 s of CPU at every
start of `publish` (and of each test that runs it), before a page is typeset.

While `weasyprint.text.ffi` is imported, `find_library` answers from one `ldconfig -p`
instead. A name the cache does not hold gives None, and WeasyPrint goes on to its next
name; its own Linux names (`libpango-1.0.so.0`) are opened by the dynamic linker directly,
which still honours LD_LIBRARY_PATH. The real `find_library` is back as soon as that
import is done; nothing else in the process sees the change.
"""

from __future__ import annotations

import ctypes.util
import importlib.abc
import importlib.machinery
import os
import re
import subprocess
import sys
from contextlib import contextmanager

TARGET = "weasyprint.text.ffi"


def _ldconfig_cache() -> str:
    for ldconfig in ("/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig"):
        try:
            return subprocess.run([ldconfig, "-p"], capture_output=True, text=True, timeout=10,
                                  env={**os.environ, "LC_ALL": "C", "LANG": "C"}).stdout
        except (OSError, subprocess.SubprocessError):
            continue
    return ""


@contextmanager
def ldconfig_lookup():
    """`ctypes.util.find_library` answered from one `ldconfig -p` while inside."""
    cache: list[str] = []
    original = ctypes.util.find_library

    def find_library(name: str) -> str | None:
        if not cache:
            cache.append(_ldconfig_cache())
        # ldconfig -p lists "\tlibpango-1.0.so.0 (libc6,x86-64) => /usr/lib/…/libpango-1.0.so.0"
        found = re.search(rf"^\s*(lib{re.escape(name)}\.so[^\s]*)\s+\(", cache[0], re.MULTILINE)
        return found.group(1) if found else None

    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = original


class _Finder(importlib.abc.MetaPathFinder):
    """Finds weasyprint.text.ffi as usual and runs its import inside ldconfig_lookup()."""

    def find_spec(self, name, path, target=None):
        if name != TARGET:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        loader = spec.loader
        run = loader.exec_module

        def exec_module(module):
            with ldconfig_lookup():
                run(module)

        loader.exec_module = exec_module
        return spec


def install() -> None:
    """Before WeasyPrint is first imported, on Linux (elsewhere find_library spawns nothing)."""
    if sys.platform.startswith("linux") and TARGET not in sys.modules and \
            not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
