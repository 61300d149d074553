"""A PDF knows how it was made: the layout, the edition, the trim, bleed and binding it was
built for, and its source, recorded in the PDF's XMP metadata under publish's own
namespace. `publish check FILE.pdf` reads the record, so a PDF is checked against what
it was built for wherever it is; `--layout` overrides it.

    <rdf:Description xmlns:publish="http://ns.publish-ja.org/build/1.0/">
      <publish:layout>booklet</publish:layout>
      <publish:edition>print</publish:edition>       print | screen | booklet
      <publish:trim>148 210</publish:trim>           mm, width height
      <publish:bleed>3</publish:bleed>               mm (print only)
      <publish:binding>saddle</publish:binding>
      <publish:pdfx>true</publish:pdfx>
      <publish:source>content/x.yaml</publish:source>
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

NS = "http://ns.publish-ja.org/build/1.0/"
PREFIX = "publish"
FIELDS = ("layout", "edition", "trim", "bleed", "binding", "pdfx", "source")
EDITIONS = {"pdf": "print", "screen-pdf": "screen", "booklet": "booklet"}


@dataclass(frozen=True)
class Record:
    layout: str
    edition: str  # print | screen | booklet
    trim_mm: tuple[float, float]
    bleed_mm: float
    binding: str
    pdfx: bool
    source: str

    def describe(self) -> str:
        w, h = self.trim_mm
        return f"layout {self.layout}, {self.edition} edition, trim {w:g}×{h:g} mm, from {self.source}"


def _register() -> None:
    from lxml import etree

    etree.register_namespace(PREFIX, NS)


def _recorded_path(shown: str) -> str:
    """The source as recorded: relative to the working folder, or only its name when it
    lies outside (an absolute path would make builds in two folders differ)."""
    return Path(shown).name if Path(shown).is_absolute() else shown


def stamp(data: bytes, layout, edition: str, source) -> bytes:
    """`data` with the record in its XMP metadata (the rest of the packet kept as it is)."""
    import pikepdf

    from publish.errors import display_path

    _register()
    settings = layout.tokens.get("page") or {}
    w, h = layout.trim_mm
    values = {
        "layout": layout.name, "edition": edition, "trim": f"{w:g} {h:g}",
        "bleed": f"{layout.bleed_mm:g}" if edition == "print" else "0",
        "binding": str(settings.get("binding", "saddle")),
        "pdfx": "true" if edition == "print" else "false",
        "source": _recorded_path(display_path(Path(source))),
    }
    with pikepdf.open(io.BytesIO(data)) as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            for key, value in values.items():
                meta[f"{{{NS}}}{key}"] = value
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)  # reproducible: no random /ID
    return out.getvalue()


def read(path) -> Record | None:
    """The record of a built PDF, or None when it has none."""
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            meta = pdf.open_metadata()
            values = {key: meta.get(f"{{{NS}}}{key}") for key in FIELDS}
    except (pikepdf.PdfError, OSError):
        return None
    if not values.get("layout") or not values.get("trim"):
        return None
    try:
        w, h = (float(v) for v in str(values["trim"]).split())
        bleed = float(values.get("bleed") or 0)
    except ValueError:
        return None
    return Record(layout=str(values["layout"]), edition=str(values.get("edition") or "print"), trim_mm=(w, h),
                  bleed_mm=bleed, binding=str(values.get("binding") or "saddle"),
                  pdfx=str(values.get("pdfx")) == "true", source=str(values.get("source") or ""))
