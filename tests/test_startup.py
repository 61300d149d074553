"""publish.libraries: WeasyPrint's native libraries are opened from one `ldconfig -p`
instead of a gcc and ld run per candidate name (WeasyPrint 70's text/ffi.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SPY = """
import json, subprocess, sys
spawned = []
init = subprocess.Popen.__init__
def spy(self, args, *a, **k):
    spawned.append(args if isinstance(args, str) else str(args[0]))
    init(self, args, *a, **k)
subprocess.Popen.__init__ = spy
if sys.argv[1] == "publish":
    import publish
import ctypes.util
before = ctypes.util.find_library
from weasyprint.text import ffi
ffi.pango.pango_version()  # the libraries are open and answer
print(json.dumps({"spawned": spawned, "restored": ctypes.util.find_library is before}))
"""


def _spawned(first: str) -> dict:
    result = subprocess.run([sys.executable, "-c", SPY, first], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="find_library spawns helpers on Linux only")
def test_weasyprint_opens_its_libraries_with_one_ldconfig_run():
    plain = _spawned("weasyprint")
    # WeasyPrint alone still runs ldconfig, gcc and ld per name: when a new WeasyPrint stops
    # doing so, publish.libraries can go
    assert len(plain["spawned"]) > 10, plain
    ours = _spawned("publish")
    assert [os.path.basename(p) for p in ours["spawned"]] == ["ldconfig"], ours
    assert ours["restored"]  # find_library is WeasyPrint's only while it opens them
