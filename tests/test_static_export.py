"""The static export: the same URLs with the same bytes as the app, for every published version."""

import gzip
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from licenses import formats, static_export
from licenses.models import Document, Version
from licenses.publishing import publish_version
from licenses.static_export import CONFIG_NAME, ExportError, export_static, url_to_path

from .factories import FIELDS, TEMPLATE, content_versions, latest_number, make_version, number_after

REDIRECT_RULE_RE = re.compile(r"^location = (\S+) \{.* return (30[1278]) (\S+); \}$", re.MULTILINE)


def served(client: Client, url: str):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def exported_files(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def file_to_url(path: str) -> str:
    return "/" + (path.removesuffix("index.html") if path == "index.html" or path.endswith("/index.html") else path)


def redirect_rules(root: Path) -> dict[str, tuple[str, str]]:
    config = (root / CONFIG_NAME).read_text()
    return {url: (status, target) for url, status, target in REDIRECT_RULE_RE.findall(config)}


def latest_url(document: Document) -> str:
    latest = document.latest_version
    latest.document = document
    return latest.get_absolute_url()


@pytest.fixture
def newer_owpl(canonical):
    """A new OWPL version published on top of the latest, and a draft after it that must not be
    exported: the new version and the draft."""
    owpl = canonical["owpl"]
    source = owpl.versions.get(number=latest_number("owpl"))
    number = number_after(source.number)
    markdown = source.markdown.replace(source.number, number, 1) + "\nA clarified sentence.\n"
    published = publish_version(
        version=Version.objects.create(
            document=owpl,
            number=number,
            markdown=markdown,
            summary=source.summary,
            fields=source.fields,
            changelog="Clarified a sentence.",
        )
    )
    return published, make_version(owpl, number_after(number), markdown=TEMPLATE, fields=FIELDS)


def test_url_to_path_maps_pages_to_index_files_and_refuses_escapes():
    assert url_to_path("/") == "index.html"
    assert url_to_path("/licenses/owpl/1.0/") == "licenses/owpl/1.0/index.html"
    assert url_to_path("/licenses/owpl/1.0.txt") == "licenses/owpl/1.0.txt"
    for bad in ("/a/../b", "/a//b", "/./a"):
        with pytest.raises(ExportError):
            url_to_path(bad)


def test_every_exported_file_is_byte_identical_to_what_the_app_serves(canonical, tmp_path):
    report = export_static(tmp_path / "site")
    files = exported_files(tmp_path / "site")
    redirect_pages = {url_to_path(redirect.url) for redirect in report.redirects}
    client = Client()
    compared = 0
    for path, body in sorted(files.items()):
        if path == CONFIG_NAME or path in redirect_pages or path.endswith(".gz"):
            continue
        response, served_body = served(client, file_to_url(path))
        assert response.status_code == 200, path
        assert served_body == body, f"{path} differs from what the app serves at {file_to_url(path)}"
        compared += 1
    assert compared == len(report.files) - len(report.redirects) > 20
    copies = {item.path + ".gz" for item in report.files if item.path in report.compressed}
    assert set(files) == {item.path for item in report.files} | copies | {CONFIG_NAME}


def test_text_files_get_a_gz_copy_and_pdfs_do_not(canonical, tmp_path):
    report = export_static(tmp_path)
    files = exported_files(tmp_path)
    for page in (
        "licenses/owpl/1.0/index.html",
        "licenses/owpl/1.0.txt",
        "licenses/owpl/1.0.md",
        "static/css/site.css",
    ):
        assert gzip.decompress(files[page + ".gz"]) == files[page], page
        assert len(files[page + ".gz"]) < len(files[page])
    assert "licenses/owpl/1.0.pdf.gz" not in files and "licenses/owpl/1.0.pdf" in files
    assert {path + ".gz" for path in report.compressed} == {path for path in files if path.endswith(".gz")}
    frozen = os.stat(tmp_path / "licenses/owpl/1.0.txt").st_mtime
    assert os.stat(tmp_path / "licenses/owpl/1.0.txt.gz").st_mtime == frozen, "nginx needs both to look alike"
    assert "gzip_static on;" in (tmp_path / CONFIG_NAME).read_text()


def test_every_published_version_is_exported_in_every_format(newer_owpl, tmp_path):
    newer, draft = newer_owpl
    export_static(tmp_path)
    files = exported_files(tmp_path)
    client = Client()
    versions = Version.objects.published().select_related("document")
    assert {str(v) for v in versions} == {*content_versions(), str(newer)}
    for version in versions:
        urls = [version.get_absolute_url(), *(version.file_url(fmt) for fmt in ("md", "txt", "pdf", "json"))]
        if version.document.is_license:
            urls.append(f"/licenses/{version.document.slug}/{version.number}/badge.svg")
        for url in urls:
            assert files[url_to_path(url)] == served(client, url)[1], url
    assert {fmt.suffix for fmt in formats.version_files()} == {"md", "txt", "pdf", "json"}
    assert not any(draft.number in path for path in files), "drafts are not exported"
    for page in ("index.html", "about/index.html", "licenses/index.html"):
        assert page in files
    # The superseded pages say so, as the app does.
    for version in versions.filter(document=newer.document).exclude(pk=newer.pk):
        assert b"This version is superseded by" in files[url_to_path(version.get_absolute_url())], str(version)


def test_frozen_files_carry_their_publication_time(canonical, tmp_path):
    export_static(tmp_path)
    owpl = canonical["owpl"].versions.get(number="1.0")
    for name in ("1.0.txt", "1.0.pdf", "1.0/badge.svg"):
        assert os.stat(tmp_path / "licenses/owpl" / name).st_mtime == owpl.published_at.timestamp()


def test_redirect_config_names_each_documents_latest_version(newer_owpl, tmp_path):
    export_static(tmp_path)
    rules = redirect_rules(tmp_path)
    documents = [d for d in Document.objects.all() if d.latest_version is not None]
    assert {d.slug for d in documents} == {"definition", "owpl"}
    for document in documents:
        status, target = rules[document.get_absolute_url()]
        assert target == latest_url(document)
        response = Client().get(document.get_absolute_url())
        assert (int(status), target) == (response.status_code, response["Location"])
    assert rules["/licenses/owpl/"][1] == newer_owpl[0].get_absolute_url()
    assert rules["/definition/"][1] == f"/definition/{latest_number('definition')}/"
    assert "/wizard/" not in rules


def test_redirect_pages_are_plain_meta_refresh_pages(newer_owpl, tmp_path):
    export_static(tmp_path)
    targets = (f"/definition/{latest_number('definition')}/", newer_owpl[0].get_absolute_url())
    for url, target in zip(("/definition/", "/licenses/owpl/"), targets, strict=True):
        html = (tmp_path / url_to_path(url)).read_text()
        assert f'<meta http-equiv="refresh" content="0; url={target}">' in html
        assert f'href="{target}"' in html
        assert "<script" not in html and "<style" not in html and "style=" not in html
        assert not re.search(r"\son[a-z]+=", html), "no inline event handlers"


def test_nginx_rules_give_documents_their_content_types_and_headers(canonical, tmp_path):
    export_static(tmp_path)
    config = (tmp_path / CONFIG_NAME).read_text()
    assert '"text/markdown; charset=utf-8" md;' in config
    assert '"application/json" json;' in config
    assert '"application/pdf" pdf;' in config
    rule = next(line for line in config.splitlines() if line.startswith("location = /licenses/owpl/1.0.txt "))
    # The license's .txt is UTF-8 plain text: by the types block, or by its own rule where most exported
    # .txt files (the fonts' license files among them) have another type.
    assert '"text/plain; charset=utf-8" txt;' in config or 'default_type "text/plain; charset=utf-8";' in rule
    assert 'add_header Cache-Control "public, max-age=31536000, immutable";' in rule
    assert 'add_header Content-Disposition "inline; filename=\\"LICENSE\\"";' in rule


def test_pages_reference_only_exported_static_files(canonical, tmp_path):
    export_static(tmp_path)
    files = exported_files(tmp_path)
    references = set()
    for path, body in files.items():
        if path.endswith(".html"):
            references |= set(static_export.STATIC_REFERENCE_RE.findall(body.decode()))
    assert {"/static/css/site.css", "/static/favicon.svg"} <= references
    for reference in references:
        assert reference.lstrip("/") in files
    assert "static/js/site.js" in files, "the project's static files are all exported"


def test_exporting_again_is_deterministic_and_brings_an_earlier_export_up_to_date(canonical, tmp_path):
    first = export_static(tmp_path)
    before = exported_files(tmp_path)
    (tmp_path / "licenses/owpl/0.9.txt").write_text("stale\n")
    second = export_static(tmp_path)
    assert second.written == [] and second.removed == ["licenses/owpl/0.9.txt"]
    assert exported_files(tmp_path) == before
    assert [item.path for item in first.files] == [item.path for item in second.files]


def test_refuses_a_directory_that_is_neither_empty_nor_an_export(canonical, tmp_path):
    (tmp_path / "notes.txt").write_text("mine\n")
    with pytest.raises(ExportError, match="neither empty nor an earlier export"):
        export_static(tmp_path)
    assert exported_files(tmp_path) == {"notes.txt": b"mine\n"}


def test_the_command_prints_a_summary(canonical, tmp_path):
    out = StringIO()
    call_command("export_static", str(tmp_path / "out"), stdout=out)
    versions = content_versions()
    assert out.getvalue().startswith(f"Exported {len(versions)} published versions ({', '.join(versions)}) as ")
    assert (tmp_path / "out/licenses/owpl/1.0.pdf").is_file()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fetch(url: str, headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def test_nginx_serves_the_export_with_the_apps_bytes_headers_and_redirects(canonical):
    assert NGINX, "nginx is missing: `make test` installs Debian's nginx-light"
    # A world-readable directory under /tmp: nginx's workers run as nobody when started by root.
    with tempfile.TemporaryDirectory(prefix="ow-export-") as scratch:
        root = Path(scratch)
        root.chmod(0o755)
        export_static(root / "site")
        port = _free_port()
        user = "user nobody nogroup;" if os.geteuid() == 0 else ""
        temp_paths = " ".join(
            f"{name}_temp_path {root}/{name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (root / "nginx.conf").write_text(
            f"{user}\nworker_processes 1;\nerror_log {root}/error.log warn;\npid {root}/nginx.pid;\n"
            "events { worker_connections 64; }\n"
            f"http {{ access_log off; {temp_paths}\n"
            f"  server {{ listen 127.0.0.1:{port}; root {root}/site; include {root}/site/{CONFIG_NAME}; }}\n}}\n"
        )
        process = subprocess.Popen(
            [NGINX, "-c", str(root / "nginx.conf"), "-p", str(root), "-g", "daemon off;"],
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert process.poll() is None, process.stderr.read().decode()
                    time.sleep(0.05)
            client = Client()
            for url in ("/", "/licenses/owpl/1.0/", "/licenses/owpl/1.0.txt", "/licenses/owpl/1.0.pdf", "/about/"):
                status, headers, body = _fetch(base + url)
                response, app_body = served(client, url)
                assert (status, body) == (200, app_body), url
                assert "Content-Encoding" not in headers, url
                for name in ("Content-Type", "Cache-Control", "Content-Disposition", "Content-Security-Policy"):
                    assert headers.get(name) == response.headers.get(name), (url, name)
                status, headers, body = _fetch(base + url, {"Accept-Encoding": "gzip"})
                if url.endswith(".pdf"):
                    assert "Content-Encoding" not in headers and body == app_body
                else:
                    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body) == app_body, url
                    assert headers["Vary"] == "Accept-Encoding"
                    assert headers.get("Cache-Control") == response.headers.get("Cache-Control"), url
            status, headers, _ = _fetch(base + "/definition/")
            assert (status, headers["Location"]) == (302, f"/definition/{latest_number('definition')}/")
            assert _fetch(base + "/" + CONFIG_NAME)[0] == 404
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def next_owpl_draft(canonical) -> tuple[Version, Version]:
    """The latest OWPL and a draft of the number after it, ready to publish."""
    owpl = canonical["owpl"].versions.get(number=latest_number("owpl"))
    number = number_after(owpl.number)
    draft = Version.objects.create(
        document=owpl.document,
        number=number,
        markdown=owpl.markdown.replace(owpl.number, number, 1),
        summary=owpl.summary,
        fields=owpl.fields,
        changelog="Clarified.",
    )
    return owpl, draft


def test_a_publication_rewrites_the_served_export_and_tells_nginx(
    canonical, tmp_path, settings, django_capture_on_commit_callbacks
):
    served = tmp_path / "served"
    export_static(served)
    nginx = subprocess.Popen(["sleep", "30"])  # stands in for nginx's master: it must get SIGHUP
    (tmp_path / "nginx.pid").write_text(str(nginx.pid))
    settings.OW_EXPORT_DIR, settings.OW_NGINX_PID = str(served), str(tmp_path / "nginx.pid")
    owpl, draft = next_owpl_draft(canonical)
    number = draft.number
    try:
        with django_capture_on_commit_callbacks(execute=True):
            publish_version(version=draft)
        assert nginx.wait(timeout=10) == -signal.SIGHUP
    finally:
        nginx.kill()
    assert (served / "licenses" / "owpl" / f"{number}.txt").is_file()
    assert b"superseded by" in (served / "licenses" / "owpl" / owpl.number / "index.html").read_bytes()
    assert "location = /licenses/owpl/ " in (served / CONFIG_NAME).read_text()
    assert f"/licenses/owpl/{number}/" in (served / CONFIG_NAME).read_text()


def test_a_publication_before_nginx_runs_writes_the_export_and_logs_nothing(
    canonical, tmp_path, settings, django_capture_on_commit_callbacks, caplog
):
    # make production loads the texts (publishing them on a new database) before it starts nginx.
    served = tmp_path / "served"
    settings.OW_EXPORT_DIR, settings.OW_NGINX_PID = str(served), str(tmp_path / "nginx.pid")
    _, draft = next_owpl_draft(canonical)
    number = draft.number
    with django_capture_on_commit_callbacks(execute=True):
        publish_version(version=draft)
    assert (served / "licenses" / "owpl" / f"{number}.txt").is_file()
    assert not [record for record in caplog.records if record.levelname == "ERROR"], caplog.text
