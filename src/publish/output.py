"""Writing outputs safely: a failed build never leaves a half-written file and never
clobbers the last good output.

`OutputSet` makes a build atomic as a whole: each output is written to a temporary
`.NAME.PID.XXXX.part` beside its target as soon as it is rendered, and only when every
requested output has been rendered are they all renamed into place; if anything fails
first, every temporary file is removed and no output is replaced (so `--format pdf,epub`
never leaves a new PDF beside an old EPUB). A run killed outright (SIGKILL, power loss)
leaves its `.part` files behind: the next build of the same output removes those whose
process is gone.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

STALE_AFTER = 24 * 3600  # seconds: a .part this old is stale even if its PID was reused


def atomic_write(path: Path, data: bytes) -> Path:
    """Write `data` to a temporary file beside `path`, then rename it into place."""
    with OutputSet() as outputs:
        outputs.stage(path, data)
    return Path(path)


class OutputSet:
    """Stage several outputs, then rename them all (on a clean exit of the `with`)."""

    def __init__(self):
        self._staged: list[tuple[Path, Path]] = []  # (temporary file, target)

    def __enter__(self) -> "OutputSet":
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()

    def stage(self, path: Path, data: bytes) -> Path:
        """Write `data` to a temporary file beside `path` (not yet in place)."""
        if not data:
            raise ValueError(f"refusing to write an empty file to {path}")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_parts(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".part", dir=path.parent)
        self._staged.append((Path(tmp), path))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        return path

    def commit(self) -> None:
        try:
            while self._staged:
                tmp, path = self._staged[0]
                os.replace(tmp, path)
                self._staged.pop(0)
        finally:
            self.discard()

    def discard(self) -> None:
        for tmp, _ in self._staged:
            tmp.unlink(missing_ok=True)
        self._staged.clear()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_stale_parts(path: Path) -> list[Path]:
    """Remove the `.part` files of `path` left by runs that no longer exist."""
    path = Path(path)
    prefix = f".{path.name}."
    removed = []
    try:
        candidates = [p for p in path.parent.iterdir() if p.name.startswith(prefix) and p.name.endswith(".part")]
    except OSError:
        return removed
    now = time.time()
    for part in candidates:
        middle = part.name[len(prefix):-len(".part")]
        pid_text = middle.split(".", 1)[0]
        try:
            age = now - part.stat().st_mtime
        except OSError:
            continue
        if pid_text.isdigit() and "." in middle:
            stale = not _alive(int(pid_text)) or age > STALE_AFTER
        else:  # an older build's name without a PID
            stale = age > 600
        if stale:
            try:
                part.unlink()
                removed.append(part)
            except OSError:
                pass
    return removed
