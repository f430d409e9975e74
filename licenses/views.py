"""Public pages and downloads of the documents: thin views over models and outputs."""

from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.utils.http import parse_etags
from django.views.decorators.http import require_GET, require_safe

from . import loading, outputs, rendering
from .models import Document, Version

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"


def _document(slug: str, kind: str) -> Document:
    document = Document.objects.filter(slug=slug, kind=kind).first()
    if document is None:
        raise Http404(f"There is no document called “{slug[:80]}”.")
    return document


def _version(document: Document, number: str) -> Version:
    version = document.versions.published().filter(number=number).select_related("document").first()
    if version is None:
        raise Http404(f"{document.title} has no published version {number}.")
    return version


def _kind(slug: str | None) -> tuple[str, str]:
    if slug is None:
        return "definition", Document.Kind.DEFINITION
    return slug, Document.Kind.LICENSE


def etag_matches(request, sha: str) -> bool:
    """Return whether the client's If-None-Match names this checksum (weak or strong)."""
    header = request.headers.get("If-None-Match", "")
    if not header:
        return False
    tags = {tag.removeprefix("W/") for tag in parse_etags(header)}
    return "*" in tags or f'"{sha}"' in tags


def bytes_response(request, body, *, sha: str, fmt: str, filename: str, cache_control: str = IMMUTABLE):
    """Serve bytes with a strong ETag from their checksum, answering 304 when the client has them."""
    if etag_matches(request, sha):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body() if callable(body) else body, content_type=outputs.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = f'"{sha}"'
    response["Cache-Control"] = cache_control
    return response


@require_safe
def home(request):
    documents = Document.objects.all()
    return render(request, "licenses/home.html", {"documents": documents})


@require_safe
def about(request):
    body = rendering.to_html(loading.read_text("faq.md"))
    return render(request, "licenses/about.html", {"body": body})


@require_safe
def license_list(request):
    licenses = Document.objects.filter(kind=Document.Kind.LICENSE).prefetch_related("versions")
    return render(request, "licenses/license_list.html", {"licenses": licenses})


@require_safe
def document_latest(request, slug: str | None = None):
    slug, kind = _kind(slug)
    document = _document(slug, kind)
    latest = document.latest_version
    if latest is None:
        raise Http404(f"{document.title} has no published version yet.")
    latest.document = document
    response = redirect(latest.get_absolute_url())
    response["Cache-Control"] = SHORT
    return response


@require_safe
def version_detail(request, number: str, slug: str | None = None):
    slug, kind = _kind(slug)
    document = _document(slug, kind)
    version = _version(document, number)
    versions = document.published_versions()
    body, _ = outputs.version_file(version, "html")
    summary, _ = outputs.version_file(version, "summary")
    context = {
        "document": document,
        "version": version,
        "versions": versions,
        "superseded_by": versions[0] if versions[0].number != version.number else None,
        "body": body.decode(),
        "summary": summary.decode(),
        "downloads": [
            {"fmt": fmt, "url": version.file_url(fmt), "name": version.file_name(fmt), "sha256": version.checksums[fmt]}
            for fmt in ("md", "txt", "pdf", "json")
        ],
        "permalink": outputs.absolute(version.get_absolute_url()),
    }
    response = render(request, "licenses/version_detail.html", context)
    response["Cache-Control"] = SHORT
    return response


@require_GET
def version_file(request, number: str, fmt: str, slug: str | None = None):
    slug, kind = _kind(slug)
    document = _document(slug, kind)
    version = _version(document, number)
    sha = outputs.version_checksum(version, fmt)
    if sha and etag_matches(request, sha):
        return bytes_response(request, b"", sha=sha, fmt=fmt, filename=version.file_name(fmt))
    body, sha = outputs.version_file(version, fmt)
    return bytes_response(request, body, sha=sha, fmt=fmt, filename=version.file_name(fmt))


def not_found(request, exception=None):
    message = ""
    if exception is not None and exception.args and isinstance(exception.args[0], str):
        message = exception.args[0]
    context = {"message": message, "documents": Document.objects.all()}
    return render(request, "404.html", context, status=404)
