"""Export the published versions as a static tree that nginx or any CDN serves at the same URLs.

Every byte comes from the app itself, requested through `django.test.Client` with the host and
scheme of SITE_URL, so the export is exactly what the site serves: the home page, /about/, the
license list, each published version's page, its files (every format of formats.py that is a
version's file and that it has been rendered in), a license's badge,
the comments it received as a draft (when it had any), and the static assets the pages reference.
URLs ending in / are written as `index.html`.

The latest-version redirects (/definition/, /licenses/<slug>/) are written twice: as nginx rules in
`_redirects.nginx.conf` (which also carries the content types and the headers the app sends with each
file), and as small meta-refresh pages for hosts that cannot redirect. The wizard, releases and
accounts are dynamic and are not exported.

Each text file that gzip shrinks also gets a `.gz` copy beside it (made as the app makes its gzip
answers), which the rules serve to clients that accept gzip (`gzip_static`), the way the app does.

Writing is deterministic: the same database gives the same files and the same nginx snippet. An
unchanged file is left alone (its modification time too); the frozen files of a version carry its
publication time, so nginx's ETag and Last-Modified for them are stable from export to export.
"""

import logging
import os
import re
import signal
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http.request import split_domain_port, validate_host
from django.test import Client
from django.urls import reverse

from . import about, compression, formats, outputs
from .models import Document, Version

CONFIG_NAME = "_redirects.nginx.conf"
logger = logging.getLogger(__name__)
# Response headers repeated by the nginx snippet; Content-Type goes into its `types` block instead.
MIRRORED_HEADERS = (
    "Cache-Control",
    "Content-Disposition",
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Strict-Transport-Security",
    "Access-Control-Allow-Origin",
)
STATIC_REFERENCE_RE = re.compile(r"""(?:href|src)="(/static/[^"?#]+)""")


class ExportError(Exception):
    """The export cannot be made faithfully; the message says why."""


@dataclass(frozen=True)
class ExportedFile:
    url: str
    path: str  # relative to the export directory, with / separators
    body: bytes = field(repr=False)
    content_type: str
    headers: tuple[tuple[str, str], ...]
    published_at: datetime | None = None  # set for the frozen files of a version


@dataclass(frozen=True)
class Redirect:
    url: str
    target: str
    status: int
    headers: tuple[tuple[str, str], ...]


@dataclass
class ExportReport:
    directory: Path
    files: list[ExportedFile]
    redirects: list[Redirect]
    written: list[str]
    removed: list[str]
    versions: list[str]
    compressed: list[str] = field(default_factory=list)  # the files that got a .gz copy

    @property
    def size(self) -> int:
        return sum(len(item.body) for item in self.files)

    def summary(self) -> str:
        return (
            f"Exported {len(self.versions)} published versions ({', '.join(self.versions) or 'none'}) as "
            f"{len(self.files)} files, {self.size / 1024:.0f} KiB, and {len(self.redirects)} redirects to "
            f"{self.directory}, {len(self.compressed)} of them with a .gz copy: {len(self.written)} written, "
            f"{len(self.files) + len(self.compressed) + 1 - len(self.written)} unchanged, {len(self.removed)} removed; "
            f"nginx rules in {CONFIG_NAME}."
        )


def url_to_path(url: str) -> str:
    """Return the file that serves a URL: /a/b/ is a/b/index.html, /a/b.txt is a/b.txt."""
    relative = url.lstrip("/")
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    if any(part in ("", ".", "..") for part in relative.split("/")):
        raise ExportError(f"Refusing to export the URL {url!r}: it does not map to a file.")
    return relative


def request_options() -> dict[str, object]:
    """Return the Client options that make a request look like one to SITE_URL (its host and scheme)."""
    site = urlsplit(settings.SITE_URL)
    allowed = settings.ALLOWED_HOSTS
    candidates = [site.netloc] + [host for host in allowed if "*" not in host and not host.startswith(".")]
    for host in candidates:
        domain, _ = split_domain_port(host)
        if domain and validate_host(domain, allowed):
            return {"HTTP_HOST": host, "wsgi.url_scheme": "https" if site.scheme == "https" else "http"}
    raise ExportError(f"No host in DJANGO_ALLOWED_HOSTS ({', '.join(allowed)}) to request the pages with.")


def published_versions() -> list[Version]:
    versions = Version.objects.published().select_related("document")
    return list(versions.order_by("document__position", "document__slug", "major", "minor"))


def document_urls(versions: list[Version]) -> list[tuple[str, datetime | None]]:
    """Return the URLs of the pages and files to export, each with its publication time when frozen."""
    urls: list[tuple[str, datetime | None]] = [
        (reverse("licenses:home"), None),
        (reverse("licenses:about"), None),
        *((reverse("licenses:about-page", kwargs={"page": page}), None) for page in about.PAGES),
        (reverse("licenses:license-list"), None),
        (reverse("licenses:all-versions-feed"), None),
    ]
    for document in Document.objects.filter(pk__in={version.document_id for version in versions}):
        urls.append((document.route("versions-feed"), None))
    for version in versions:
        # The page changes when a later version supersedes it; the files never change.
        urls.append((version.get_absolute_url(), None))
        rendered = version.stored_checksums()
        urls += [
            (version.file_url(fmt.suffix), version.published_at)
            for fmt in formats.version_files(template=version.document.is_template)
            if fmt.suffix in rendered
        ]
        if version.document.is_template:
            urls.append((version.badge_url(), version.published_at))
        if outputs.LICENSES in rendered:  # a definition version's assessment of licenses
            urls += [(version.licenses_url(), None), (version.licenses_url(as_json=True), version.published_at)]
        if version.comments.exists():  # its page links to them
            urls.append((version.comments_url(), None))
    return urls


def static_urls() -> list[str]:
    """Return the URLs of the project's own static files (STATICFILES_DIRS), plain and as the pages name them."""
    if not settings.STATIC_URL.startswith("/"):
        return []  # served from elsewhere (a CDN of its own): nothing to export
    names: set[str] = set()
    for finder in finders.get_finders():
        if isinstance(finder, finders.FileSystemFinder):
            for path, storage in finder.list(["CVS", ".*", "*~"]):
                prefix = getattr(storage, "prefix", None) or ""
                names.add(f"{prefix}/{path}".lstrip("/").replace(os.sep, "/"))
    urls = set()
    for name in names:
        urls.add(settings.STATIC_URL + name)
        try:
            urls.add(staticfiles_storage.url(name))  # a hashed name with the manifest storage
        except ValueError as error:
            raise ExportError(f"{error} Run `manage.py collectstatic` first.") from error
    return sorted(urls)


def _body(response) -> bytes:
    # No response.close() here: the test client has closed the response already (a streaming one
    # once read), and closing again fires request_finished, which would close the database
    # connection in the middle of the caller's transaction.
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _headers(response) -> tuple[tuple[str, str], ...]:
    return tuple((name, response[name]) for name in MIRRORED_HEADERS if response.has_header(name))


def fetch(client: Client, url: str, published_at: datetime | None = None) -> ExportedFile:
    response = client.get(url)
    body = _body(response)
    if response.status_code != 200:
        raise ExportError(f"{url} answered {response.status_code}, not 200: it cannot be exported.")
    return ExportedFile(
        url=url,
        path=url_to_path(url),
        body=body,
        content_type=response["Content-Type"],
        headers=_headers(response),
        published_at=published_at,
    )


def latest_redirects(client: Client, versions: list[Version]) -> list[Redirect]:
    """Ask the app where each document's latest-version URL redirects to."""
    redirects = []
    for document in Document.objects.filter(pk__in={v.document_id for v in versions}):
        url = document.get_absolute_url()
        response = client.get(url)
        _body(response)
        if response.status_code not in (301, 302, 303, 307, 308) or not response["Location"].startswith("/"):
            raise ExportError(f"{url} answered {response.status_code}, not a redirect within the site.")
        redirects.append(Redirect(url, response["Location"], response.status_code, _headers(response)))
    return redirects


def redirect_page(redirect: Redirect, title: str) -> bytes:
    """A plain HTML page that sends the reader on to the latest version (no script, no inline style)."""
    target = escape(redirect.target)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n"
        f'<meta http-equiv="refresh" content="0; url={target}">\n'
        f'<link rel="canonical" href="{target}">\n'
        '<meta name="robots" content="noindex">\n'
        "</head>\n"
        "<body>\n"
        f'<p>The latest version of {escape(title)} is at <a href="{target}">{target}</a>.</p>\n'
        "</body>\n"
        "</html>\n"
    ).encode()


def _nginx_string(value: str) -> str:
    if "$" in value or any(ord(char) < 32 for char in value):
        raise ExportError(f"Cannot write the header value {value!r} into an nginx config.")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _extension(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def nginx_config(files: list[ExportedFile], redirects: list[Redirect]) -> bytes:
    """Return the nginx rules: content types, latest-version redirects, and each file's headers."""
    by_extension: dict[str, Counter] = {}
    for item in files:
        by_extension.setdefault(_extension(item.path), Counter())[item.content_type] += 1
    # The most common type of each extension (ties: the alphabetically first); files that differ
    # get their own type in their location below.
    types = {ext: min(counts, key=lambda t: (-counts[t], t)) for ext, counts in by_extension.items() if ext}
    lines = [
        "# Generated by `manage.py export_static`; do not edit, export again. Include it in the server",
        "# block whose root is this directory, e.g.",
        "#",
        "#     server {",
        "#         listen 80;",
        "#         root /srv/open-weights;",
        "#         include /srv/open-weights/_redirects.nginx.conf;",
        "#     }",
        "#",
        "# add_header in these locations replaces any add_header of the enclosing server block.",
        "",
        "index index.html;",
        "# Text files have a .gz copy beside them: served to clients that accept gzip, with Vary.",
        "gzip_static on;",
        "gzip_vary on;",
        "# The files change only when the site is exported again: keep their descriptors open.",
        "open_file_cache max=10000 inactive=5m;",
        "open_file_cache_valid 60s;",
        "absolute_redirect off;",
        "default_type application/octet-stream;",
        "types {",
        *(f"    {_nginx_string(content_type)} {ext};" for ext, content_type in sorted(types.items())),
        "}",
        "",
        "# The latest version of each document: short-lived redirects, as the app answers.",
    ]
    for redirect in redirects:
        headers = "".join(f" add_header {name} {_nginx_string(value)};" for name, value in redirect.headers)
        lines.append(f"location = {redirect.url} {{{headers} return {redirect.status} {redirect.target}; }}")
    lines += ["", "# Each file with the headers the app sends with it."]
    for item in sorted(files, key=lambda f: f.path):
        directives = [f"add_header {name} {_nginx_string(value)};" for name, value in item.headers]
        if types.get(_extension(item.path)) != item.content_type:
            directives.insert(0, f"types {{ }} default_type {_nginx_string(item.content_type)};")
        if directives:
            lines.append(f"location = /{item.path} {{ {' '.join(directives)} }}")
    lines += ["", f"location = /{CONFIG_NAME} {{ return 404; }}", ""]
    return "\n".join(lines).encode()


def collect(client: Client | None = None) -> tuple[list[ExportedFile], list[Redirect], list[str], bytes]:
    """Request everything to export from the app; return (files, redirects, version names, nginx rules)."""
    client = client or Client(**request_options())
    versions = published_versions()
    files = [fetch(client, url, published_at) for url, published_at in document_urls(versions)]
    files += [fetch(client, url) for url in static_urls()]
    pages = [item.body.decode() for item in files if item.path.endswith(".html")]
    missing = sorted({ref for page in pages for ref in STATIC_REFERENCE_RE.findall(page)} - {f.url for f in files})
    if missing:
        raise ExportError(f"The pages reference static files that were not exported: {', '.join(missing)}.")
    redirects = latest_redirects(client, versions)
    titles = {document.get_absolute_url(): document.title for document in Document.objects.all()}
    for redirect in redirects:
        page = ExportedFile(
            url=redirect.url,
            path=url_to_path(redirect.url),
            body=redirect_page(redirect, titles[redirect.url]),
            content_type=formats.content_type("html"),
            headers=redirect.headers,
        )
        files.append(page)
    paths = Counter(item.path for item in files)
    if duplicates := sorted(path for path, count in paths.items() if count > 1):
        raise ExportError(f"Two URLs map to the same file: {', '.join(duplicates)}.")
    return files, redirects, [str(v) for v in versions], nginx_config(files, redirects)


def gzipped_copy(item: ExportedFile) -> bytes | None:
    """The .gz copy of a text file, or None for a type gzip cannot shrink (PDF) or a file too small."""
    if not compression.compressible(item.content_type):
        return None
    return compression.gzip_bytes(item.body)


def _write_if_changed(path: Path, body: bytes) -> bool:
    """Write a file atomically unless it already holds these bytes; return whether it was written."""
    if path.is_file() and path.read_bytes() == body:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(body)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def export_static(directory, *, client: Client | None = None) -> ExportReport:
    """Write the export into directory (new, empty, or an earlier export, which is brought up to date)."""
    target = Path(directory).resolve()
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target} is not a directory.")
    earlier = target.is_dir() and (target / CONFIG_NAME).is_file()
    if target.is_dir() and not earlier and any(target.iterdir()):
        raise ExportError(f"{target} is neither empty nor an earlier export: choose a new or an empty directory.")
    files, redirects, versions, config = collect(client)
    target.mkdir(parents=True, exist_ok=True)
    written, compressed = [], []
    for item in sorted(files, key=lambda f: f.path):
        copies = [(item.path, item.body)]
        if packed := gzipped_copy(item):
            copies.append((item.path + ".gz", packed))
            compressed.append(item.path)
        for relative, body in copies:
            path = target / relative
            if _write_if_changed(path, body):
                written.append(relative)
            if item.published_at is not None:
                stamp = item.published_at.timestamp()
                os.utime(path, (stamp, stamp))
    if _write_if_changed(target / CONFIG_NAME, config):
        written.append(CONFIG_NAME)
    removed = []
    if earlier:
        keep = {item.path for item in files} | {path + ".gz" for path in compressed} | {CONFIG_NAME}
        for path in sorted(target.rglob("*"), reverse=True):
            relative = path.relative_to(target).as_posix()
            if path.is_file() and relative not in keep:
                path.unlink()
                removed.append(relative)
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return ExportReport(
        directory=target,
        files=files,
        redirects=redirects,
        written=written,
        removed=removed,
        versions=versions,
        compressed=compressed,
    )


def refresh_after_publication() -> ExportReport | None:
    """Bring the served export (OW_EXPORT_DIR) up to date after a publication and have nginx
    (OW_NGINX_PID) reload its rules; do nothing where no export is served.

    Runs once the publication is committed: a failure here is logged, never undoes it, and the next
    publication or `manage.py export_static` mends the export.
    """
    if not settings.OW_EXPORT_DIR:
        return None
    try:
        report = export_static(settings.OW_EXPORT_DIR)
        pid_file = Path(settings.OW_NGINX_PID) if settings.OW_NGINX_PID else None
        # No pid file: nginx is not running yet (make production loads the texts before starting it)
        # and reads the rules when it starts.
        if pid_file is not None and pid_file.exists() and CONFIG_NAME in report.written:
            os.kill(int(pid_file.read_text().strip()), signal.SIGHUP)
    except (ExportError, OSError, ValueError):
        logger.exception("The static export could not be refreshed after a publication.")
        return None
    return report
