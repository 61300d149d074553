"""Images named by a source are checked when the source is loaded.

A source's images are untrusted files: only JPEG and PNG are accepted (an SVG can run
scripts and load other files, so it is refused rather than sanitised), named by their
real type, no larger than MAX_PIXELS (read from the header first: a 40000² "bomb" is
never decoded) and fully decodable by Pillow (a truncated JPEG or a text file named .jpg
is refused). The EPUB writers take an image's bytes through `checked_bytes`, so what
goes into the book is exactly a file that passed the check.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFile

from publish.errors import SourceError, SourceProblem

MAX_PIXELS = 60_000_000  # 60 MP: a 9000 × 6000 camera original; print needs far less
MAX_BYTES = 64 << 20  # 64 MiB
FORMATS = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",)}
MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}

# Pillow's own guard: it refuses (DecompressionBombError) past twice this when opening.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True)
class CheckedImage:
    format: str  # "JPEG" or "PNG"
    width: int
    height: int

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]


_checked: dict[str, CheckedImage] = {}  # sha256 of the bytes -> the verdict
_refused: dict[str, str] = {}


def _read(path: Path) -> bytes:
    with open(path, "rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _Refusal(f"the image file is larger than {MAX_BYTES >> 20} MiB")
    return data


class _Refusal(Exception):
    pass


def check_image(path: Path) -> str | None:
    """None when `path` is an acceptable image, else why not (one line)."""
    try:
        _verdict(Path(path), _read(path))
    except _Refusal as exc:
        return str(exc)
    except OSError as exc:
        return f"cannot read the image: {exc.strerror or exc}"
    return None


def checked_bytes(path: Path) -> tuple[bytes, CheckedImage]:
    """The image's bytes and type, checked (again if the file changed since it was loaded)."""
    path = Path(path)
    try:
        data = _read(path)
        return data, _verdict(path, data)
    except (_Refusal, OSError) as exc:
        raise SourceError([SourceProblem(path, 1, 1, "", f"image refused: {exc}")]) from None


def _verdict(path: Path, data: bytes) -> CheckedImage:
    digest = hashlib.sha256(data).hexdigest()
    if digest in _checked:
        checked = _checked[digest]
    elif digest in _refused:
        raise _Refusal(_refused[digest])
    else:
        try:
            checked = _inspect(data)
        except _Refusal as exc:
            _refused[digest] = str(exc)
            raise
        _checked[digest] = checked
    suffix = path.suffix.lower()
    if suffix not in FORMATS[checked.format]:
        raise _Refusal(f"the file is a {checked.format} image but is named {suffix or 'without a suffix'}; "
                       f"name it {FORMATS[checked.format][0]}")
    return checked


def _inspect(data: bytes) -> CheckedImage:
    head = data[:1024].lstrip()
    if head.startswith((b"<?xml", b"<svg", b"<!DOCTYPE svg")) or b"<svg" in head:
        raise _Refusal("SVG images are not accepted in sources (an SVG can run scripts and load other "
                       "files); export it as PNG")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:  # reads the header only
                kind, (width, height) = image.format, image.size
                if kind not in FORMATS:
                    raise _Refusal(f"a {kind} image; only JPEG and PNG are accepted")
                if width * height > MAX_PIXELS:
                    raise _Refusal(_too_big(width, height))
                if kind == "PNG":
                    image.verify()  # chunk checksums
        with Image.open(io.BytesIO(data)) as image:
            _decode_strictly(image)  # decode every pixel: a truncated or damaged file fails here
    except _Refusal:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # raised by the header check, before any pixel is decoded
        found = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{int(found.group(1)) / 1e6:.0f} megapixels" if found else "the image"
        raise _Refusal(f"{size} is more than the {MAX_PIXELS // 1_000_000}-megapixel limit; scale it down") from None
    except Image.UnidentifiedImageError:
        raise _Refusal("not an image Pillow can read (only JPEG and PNG are accepted)") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, MemoryError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _Refusal(f"the image is damaged or truncated ({reason})") from None
    return CheckedImage(kind, width, height)


def _decode_strictly(image) -> None:
    # WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES = True for the whole process when it
    # is imported (a build, the preview): a truncated JPEG would then pass, grey-filled.
    saved = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        image.load()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = saved


def _too_big(width: int, height: int) -> str:
    return (f"{width} × {height} pixels ({width * height / 1e6:.0f} megapixels) is more than the "
            f"{MAX_PIXELS // 1_000_000}-megapixel limit; scale it down")


def epub_image(path: Path) -> tuple[str, bytes]:
    """(media type, bytes) of a checked image, for an EPUB resource."""
    data, checked = checked_bytes(path)
    return checked.media_type, data
