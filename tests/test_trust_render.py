"""The render side of the trust boundary (issue 10, items 1-3 and 8): a source, a layout
or a PDF given to check can never read local files, reach the network, run code or end
in a traceback. One test per class of case."""

from __future__ import annotations

import re
import shutil
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pikepdf
import pytest

from publish.app.cli import main

from .conftest import ROOT

SOURCE = """\
title: タイトル
lead: リードです。
people:
  - id: yamada
    name: 山田
sections:
  - turns:
      - q: 質問です。
      - yamada: 答えです。
"""


@pytest.fixture
def server():
    """A local HTTP server that records every request it gets (none may arrive)."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    httpd.shutdown()
    httpd.server_close()


def child(root, name: str, yaml: str = "", files: dict | None = None):
    folder = root / name
    folder.mkdir()
    (folder / "layout.yaml").write_text("extends: brochure\n" + textwrap.dedent(yaml), encoding="utf-8")
    for relative, text in (files or {}).items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def source(tmp_path, text: str = SOURCE):
    folder = tmp_path / "content"
    folder.mkdir(exist_ok=True)
    path = folder / "x.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run(argv, capsys) -> tuple[int, str]:
    status = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return status, err


# -- 1/2: the exfiltration of the issue, through a source's style: --------------------------


def test_style_exfiltration_is_refused_with_its_position(tmp_path, server, capsys):
    url, hits = server
    payload = (f'x</style><link rel="attachment" href="file:///etc/passwd"><img src="{url}/img"><style>')
    src = source(tmp_path, SOURCE + f"style:\n  fonts.serif: '{payload}'\n"
                                    f"  fonts.sans: 'x; src: url(\"{url}/font\")'\n")
    out = tmp_path / "out"
    status, err = run(["build", src, "--format", "pdf,epub,screen-pdf", "--out", out], capsys)
    assert status == 2
    assert re.search(r"x\.yaml:11:\d+: style\.fonts\.serif: must be a CSS font-family list", err), err
    assert re.search(r"x\.yaml:12:\d+: style\.fonts\.sans: must be a CSS font-family list", err), err
    assert not out.exists() or not any(out.iterdir())  # nothing written, so nothing attached
    assert run(["check", src], capsys)[0] == 2
    assert hits == []


def test_a_source_style_can_never_name_a_file(tmp_path, capsys):
    src = source(tmp_path, SOURCE + "style:\n  page.icc_profile: ../../../etc/passwd\nurl: 'javascript:alert(1)'\n")
    status, err = run(["check", src], capsys)
    assert status == 2
    assert re.search(r"x\.yaml:11:3: style\.page\.icc_profile: 'page\.icc_profile' names a file", err), err
    assert re.search(r"x\.yaml:12:6: url: must be an http:// or https:// address", err), err


def test_layout_token_values_follow_their_grammars(layouts, tmp_path, capsys):
    child(layouts, "bad", """\
        fonts:
          serif: 'x; } body { background: url(http://example.org/x) } :root { --a: 1'
          x}y: serif
        sizes:
          title: calc(100% + 1px)
        page:
          icc_profile: /etc/passwd
        stylesheets:
          print: [inherit, ../../../etc/evil.css]
        """)
    status, err = run(["check", source(tmp_path), "--layout", "bad"], capsys)
    assert status == 2
    for line, field, message in ((3, "fonts.serif", "must be a CSS font-family list"),
                                 (4, "fonts.x}y", "a token name may only use"),
                                 (6, "sizes.title", "must be a length"),
                                 (8, "page.icc_profile", "must be a file name relative to the layout's folder"),
                                 (10, "stylesheets.print", "must stay inside the layout's folder")):
        assert re.search(rf"bad/layout\.yaml:{line}:\d+: {re.escape(field)}: .*{re.escape(message)}", err), (field, err)


# -- 1: the fetcher -----------------------------------------------------------------------


def test_layout_css_cannot_reach_the_network(layouts, tmp_path, server, capsys):
    url, hits = server
    child(layouts, "net", "stylesheets:\n  print: [inherit, net.css]\n",
          {"net.css": f'/* first */\n@import url("{url}/a.css");\n'})
    out = tmp_path / "out"
    status, err = run(["build", source(tmp_path), "--layout", "net", "--format", "pdf", "--out", out], capsys)
    assert status == 2
    assert re.search(rf"net/net\.css:2: refused to load {re.escape(url)}/a\.css: http URLs are never loaded", err), err
    assert hits == [] and not (out / "x.pdf").exists()


def test_layout_css_cannot_read_files_outside_the_roots(layouts, tmp_path, capsys):
    secret = tmp_path / "secret.png"
    shutil.copy(ROOT / "layouts" / "brochure" / "layout.yaml", secret)
    folder = child(layouts, "peek", "stylesheets:\n  print: [inherit, peek.css]\n",
                   {"peek.css": "body {\n  background: url(link.png);\n}\n"})
    (folder / "link.png").symlink_to(secret)  # inside the layout folder, but a symlink out of it
    status, err = run(["build", source(tmp_path), "--layout", "peek", "--format", "pdf", "--out", tmp_path / "o"],
                      capsys)
    assert status == 2
    assert re.search(r"peek/peek\.css:2: refused to load file://\S+/link\.png: outside the source's folder", err), err


def test_a_missing_font_stops_the_build_instead_of_a_system_font(layouts, tmp_path, capsys):
    child(layouts, "brand", "stylesheets:\n  print: [inherit, brand.css]\n",
          {"brand.css": '@font-face {\n  font-family: "Brand"; src: url(brandfonts/Brand.ttf);\n}\n'
                        'body { font-family: "Brand"; }\n'})
    out = tmp_path / "out"
    status, err = run(["build", source(tmp_path), "--layout", "brand", "--format", "pdf", "--out", out], capsys)
    assert status == 2
    assert re.search(r"brand/brand\.css:2: refused to load file://\S+/brandfonts/Brand\.ttf: no such font file "
                     r"\(a build never falls back to system fonts", err), err
    assert not (out / "x.pdf").exists()


def test_big_data_urls_are_refused(layouts, tmp_path, capsys):
    from publish.render.fetch import MAX_DATA_URL

    big = "data:image/svg+xml," + "%20" * (MAX_DATA_URL // 3 + 10)
    child(layouts, "big", "stylesheets:\n  print: [inherit, big.css]\n",
          {"big.css": f'body {{\n  background: url("{big}");\n}}\n'})
    status, err = run(["build", source(tmp_path), "--layout", "big", "--format", "pdf", "--out", tmp_path / "o"],
                      capsys)
    assert status == 2
    assert re.search(rf"refused to load data:image/svg\+xml,.*: data: URL of \d+ characters \(at most {MAX_DATA_URL}\)",
                     err), err


def test_attachments_are_never_embedded(layouts, tmp_path, capsys):
    child(layouts, "attach", files={
        "templates/parts/lead.html.j2": '<p><a rel="attachment" href="layout.yaml">x</a></p>\n'})
    out = tmp_path / "out"
    status, err = run(["build", source(tmp_path), "--layout", "attach", "--format", "pdf", "--out", out], capsys)
    assert status == 2
    assert re.search(r"attach/templates/parts/lead\.html\.j2:1: refused to load layout\.yaml: PDF attachments", err), err
    assert not (out / "x.pdf").exists()


# -- 3: templates in the sandbox, errors with file:line ---------------------------------------

PAYLOADS = {
    "command": ('{{ cycler.__init__.__globals__.os.popen("id").read() }}', "refused by the template sandbox"),
    "layout path": ('{{ layout.chain[0].joinpath("/etc/hostname").read_text() }}', "undefined:"),
    "source path": ("{{ doc.source.read_text() }}", "undefined: 'str object' has no attribute 'read_text'"),
    "include traversal": ('{% include "../../../../etc/passwd" %}', "include refused"),
    "syntax": ("{% if %}", "syntax error"),
    "undefined name": ("{{ no_such_name }}", "undefined: 'no_such_name' is undefined"),
}


@pytest.mark.parametrize("payload, message", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_template_payloads_are_refused_with_file_and_line(layouts, tmp_path, capsys, payload, message):
    child(layouts, "ssti", files={"templates/parts/cover.html.j2": f'<section class="cover">\n{payload}\n</section>\n'})
    src = source(tmp_path)
    status, err = run(["check", src, "--layout", "ssti"], capsys)
    assert status == 2, err
    assert re.search(rf"ssti/templates/parts/cover\.html\.j2:2: {re.escape(message)}", err), err
    assert "uid=" not in err and "root:" not in err


def test_paths_and_modules_are_opaque_in_templates(tmp_path):
    import os
    from pathlib import Path

    from jinja2.sandbox import SecurityError

    from publish.layout.templating import environment

    env = environment([tmp_path])
    for text in ("{% for p in paths %}{{ p.read_text() }}{% endfor %}", "{% for p in paths %}{{ p.parent }}{% endfor %}",
                 "{{ os.popen }}", "{{ os.system('id') }}"):
        with pytest.raises(SecurityError):
            env.from_string(text).render(paths=(Path("/etc/hostname"),), os=os)
    assert env.from_string("{{ d.p.upper() }}").render(d={"p": Path("/a")}) == "/A"  # a model path is text


def test_template_errors_in_build_and_preview(layouts, tmp_path, capsys):
    from publish.app.preview import Previewer

    child(layouts, "broken", files={"templates/parts/lead.html.j2": "<p>\n\n{{ doc.lead | inline }\n</p>\n"})
    src = source(tmp_path)
    status, err = run(["build", src, "--layout", "broken", "--format", "pdf", "--out", tmp_path / "o"], capsys)
    assert status == 2
    assert re.search(r"broken/templates/parts/lead\.html\.j2:3: syntax error: unexpected '}'", err), err
    previewer = Previewer(src, "broken")
    previewer.rebuild()
    capsys.readouterr()
    assert re.search(r"lead\.html\.j2:3: syntax error", previewer.state.error or ""), previewer.state.error
    assert "Traceback" not in previewer.state.error


def test_include_through_a_symlink_out_of_the_layout_is_refused(layouts, tmp_path, capsys):
    outside = tmp_path / "outside.html.j2"
    outside.write_text("secret\n", encoding="utf-8")
    folder = child(layouts, "sym", files={"templates/parts/cover.html.j2": '<section>\n{% include "templates/x.j2" %}\n</section>\n'})
    (folder / "templates" / "x.j2").symlink_to(outside)
    status, err = run(["check", source(tmp_path), "--layout", "sym"], capsys)
    assert status == 2
    assert re.search(r"sym/templates/x\.j2:1: include refused: .*outside the layout's folders", err), err
    assert "secret" not in err


# -- 8: publish check FILE.pdf on what is not a checkable PDF ----------------------------------


def _pdf(path):
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.save(path)
    return path


def bad_pdfs(tmp_path):
    good = _pdf(tmp_path / "good.pdf")
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    encrypted = tmp_path / "encrypted.pdf"
    with pikepdf.open(good) as pdf:
        pdf.save(encrypted, encryption=pikepdf.Encryption(owner="o", user="u"))
    text = tmp_path / "notes.pdf"
    text.write_text("これはPDFではありません\n", encoding="utf-8")
    from publish.preflight import MAX_PDF_BYTES

    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as handle:  # sparse: no disk used
        handle.write(b"%PDF-1.7\n")
        handle.truncate(MAX_PDF_BYTES + 1)
    return {"truncated": (truncated, "truncated"), "encrypted": (encrypted, "encrypted"),
            "text": (text, "not a PDF"), "huge": (huge, "MiB preflight reads"),
            "dev-zero": ("/dev/zero", "not a regular file"), "missing": (tmp_path / "no.pdf", "no such file")}


@pytest.mark.parametrize("case", ["truncated", "encrypted", "text", "huge", "dev-zero", "missing"])
def test_check_answers_a_bad_pdf_in_one_line(tmp_path, capsys, case):
    path, message = bad_pdfs(tmp_path)[case]
    status = main(["check", str(path)])
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert status == 2
    assert len(lines) == 1 and message in lines[0] and str(path) in lines[0], lines
    assert "Traceback" not in captured.err + captured.out
