"""PDF/X identification: OutputIntent, Info and XMP metadata, and X-1a transparency removal."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from xml.sax.saxutils import escape

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from publish.press.color import flate_stream

#: variant → (PDF version, GTS_PDFXVersion, GTS_PDFXConformance or None)
VARIANTS = {
    'pdf/x-4': ('1.6', 'PDF/X-4', None),
    'pdf/x-1a': ('1.3', 'PDF/X-1:2001', 'PDF/X-1a:2001'),
}


def add_output_intent(pdf: pikepdf.Pdf, profile_bytes: bytes, identifier: str,
                      condition: str, info: str) -> None:
    profile = flate_stream(pdf, profile_bytes)
    profile.N = 4
    intent = Dictionary(
        Type=Name.OutputIntent,
        S=Name.GTS_PDFX,
        OutputConditionIdentifier=pikepdf.String(identifier),
        OutputCondition=pikepdf.String(condition),
        RegistryName=pikepdf.String('http://www.color.org'),
        Info=pikepdf.String(info),
        DestOutputProfile=pdf.make_indirect(profile),
    )
    pdf.Root.OutputIntents = Array([pdf.make_indirect(intent)])


def _pdf_date(moment: datetime) -> str:
    offset = moment.utcoffset() or datetime.now(timezone.utc).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = '+' if minutes >= 0 else '-'
    hh, mm = divmod(abs(minutes), 60)
    return moment.strftime('D:%Y%m%d%H%M%S') + (f"{sign}{hh:02}'{mm:02}'" if minutes else 'Z')


def _xmp_date(moment: datetime) -> str:
    text = moment.isoformat(timespec='seconds')
    return text.replace('+00:00', 'Z')


def _text(value) -> str:
    return str(value) if value is not None else ''


def write_metadata(pdf: pikepdf.Pdf, variant: str, now: datetime, label: str,
                   producer: str = 'publish (WeasyPrint, pikepdf)') -> None:
    """Info dictionary and XMP packet with the PDF/X identification keys."""
    version, gts_version, conformance = VARIANTS[variant]
    info = pdf.docinfo
    title = _text(info.get('/Title')) or label
    author = _text(info.get('/Author'))
    subject = _text(info.get('/Subject'))
    keywords = _text(info.get('/Keywords'))
    creator = _text(info.get('/Creator')) or 'publish'
    info.Title = pikepdf.String(title)
    info.Trapped = Name('/False')
    info.GTS_PDFXVersion = pikepdf.String(gts_version)
    if conformance:
        info.GTS_PDFXConformance = pikepdf.String(conformance)
    elif '/GTS_PDFXConformance' in info:
        del info['/GTS_PDFXConformance']
    # Info and XMP must agree (PDF/X-4 6.7.2): dates, title, creator tool, producer
    info.Producer = pikepdf.String(producer)
    info.Creator = pikepdf.String(creator)
    info.ModDate = pikepdf.String(_pdf_date(now))
    info.CreationDate = pikepdf.String(_pdf_date(now))
    stamp = _xmp_date(now)
    doc_id = uuid.uuid5(uuid.NAMESPACE_URL, f'publish:{label}')
    instance_id = uuid.uuid5(uuid.NAMESPACE_URL, f'publish:{label}:{stamp}:{variant}')
    pdfx_ns = ('<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>'
               if variant == 'pdf/x-4' else
               f'<pdfx:GTS_PDFXVersion>{gts_version}</pdfx:GTS_PDFXVersion>'
               f'<pdfx:GTS_PDFXConformance>{conformance}</pdfx:GTS_PDFXConformance>')
    creators = f'<rdf:li>{escape(author)}</rdf:li>' if author else ''
    xmp = f'''<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:pdfx="http://ns.adobe.com/pdfx/1.3/"
    xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>
   {f"<dc:creator><rdf:Seq>{creators}</rdf:Seq></dc:creator>" if creators else ""}
   {f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(subject)}</rdf:li></rdf:Alt></dc:description>' if subject else ""}
   <xmp:CreateDate>{stamp}</xmp:CreateDate>
   <xmp:ModifyDate>{stamp}</xmp:ModifyDate>
   <xmp:MetadataDate>{stamp}</xmp:MetadataDate>
   <xmp:CreatorTool>{escape(creator)}</xmp:CreatorTool>
   <pdf:Producer>{escape(producer)}</pdf:Producer>
   <pdf:Trapped>False</pdf:Trapped>
   {f"<pdf:Keywords>{escape(keywords)}</pdf:Keywords>" if keywords else ""}
   <xmpMM:DocumentID>uuid:{doc_id}</xmpMM:DocumentID>
   <xmpMM:InstanceID>uuid:{instance_id}</xmpMM:InstanceID>
   <xmpMM:VersionID>1</xmpMM:VersionID>
   <xmpMM:RenditionClass>default</xmpMM:RenditionClass>
   {pdfx_ns}
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>'''
    metadata = Stream(pdf, xmp.encode('utf-8'))
    metadata.Type = Name.Metadata
    metadata.Subtype = Name.XML
    pdf.Root.Metadata = pdf.make_indirect(metadata)


# ------------------------------------------------------------------ PDF/X-1a: no transparency

def _alpha_is_opaque(smask: Stream) -> bool:
    try:
        data = pikepdf.PdfImage(smask).as_pil_image()
    except Exception:
        return False
    low, _ = data.convert('L').getextrema()
    return low == 255


def remove_transparency(pdf: pikepdf.Pdf) -> list[str]:
    """Strip transparency that has no visible effect; return what cannot be removed."""
    problems: list[str] = []
    seen: set = set()

    def once(obj) -> bool:
        if not obj.is_indirect:
            return True
        if obj.objgen in seen:
            return False
        seen.add(obj.objgen)
        return True

    def resources(res, where: str) -> None:
        if res is None or not once(res):
            return
        for name, gstate in (res.get('/ExtGState') or {}).items():
            for key in ('/CA', '/ca'):
                if key in gstate:
                    if float(gstate[key]) < 1:
                        problems.append(f'{where}: opacity {float(gstate[key]):g} '
                                        f'(ExtGState {name} {key})')
                    else:
                        del gstate[key]
            if '/SMask' in gstate:
                if gstate.SMask == Name('/None'):
                    del gstate['/SMask']
                else:
                    problems.append(f'{where}: soft mask (ExtGState {name})')
            if '/BM' in gstate:
                mode = gstate.BM[0] if isinstance(gstate.BM, Array) else gstate.BM
                if str(mode) in ('/Normal', '/Compatible'):
                    del gstate['/BM']
                else:
                    problems.append(f'{where}: blend mode {mode} (ExtGState {name})')
        for name, xobject in (res.get('/XObject') or {}).items():
            if not once(xobject):
                continue
            if xobject.get('/Subtype') == '/Image':
                if '/SMask' in xobject:
                    if _alpha_is_opaque(xobject.SMask):
                        del xobject['/SMask']
                    else:
                        problems.append(f'{where}: image {name} has an alpha channel')
                if '/SMaskInData' in xobject and int(xobject.SMaskInData):
                    problems.append(f'{where}: image {name} has an alpha channel (JPX)')
            elif xobject.get('/Subtype') == '/Form':
                if '/Group' in xobject and xobject.Group.get('/S') == '/Transparency':
                    del xobject['/Group']
                resources(xobject.get('/Resources'), where)
        for name, pattern in (res.get('/Pattern') or {}).items():
            if once(pattern) and int(pattern.get('/PatternType', 0)) == 1:
                resources(pattern.get('/Resources'), where)

    for number, page in enumerate(pdf.pages, 1):
        if '/Group' in page.obj:
            del page.obj['/Group']
        resources(page.obj.get('/Resources'), f'page {number}')
    return problems
