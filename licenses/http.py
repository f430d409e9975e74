"""HTTP helpers that every view module shares: read-only views, and serving bytes known by their
checksum (ETag, 304, gzip made once, download names)."""

from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from . import compression, formats, header

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
PRIVATE = "private, no-cache"
PAGE_TYPE = "text/html; charset=utf-8"


def read_only(view):
    """GET and HEAD only: any other method gets 405 and an Allow header.

    Exempt from the CSRF check, which runs first and would answer PUT or DELETE 403 "this form has
    expired": a view that changes nothing has nothing to forge.
    """
    return csrf_exempt(require_safe(view))


def etag_matches(request, sha: str) -> bool:
    """Return whether the client's If-None-Match names this checksum (weak or strong)."""
    header = request.META.get("HTTP_IF_NONE_MATCH")  # not request.headers, which copies every header
    if not header:
        return False
    tags = {tag.removeprefix("W/") for tag in parse_etags(header)}
    return "*" in tags or f'"{sha}"' in tags


def frozen_response(request, body: bytes, *, sha: str, content_type: str, cache_control: str, cors: bool = False):
    """Serve bytes known by their checksum: 304 when the client has them, gzip (made once) when it asks.

    The gzip form is another representation of the same bytes, so its ETag is the weak form of
    theirs (as GZipMiddleware and nginx do), and either form revalidates the other.
    """
    packed = None
    varies = compression.compressible(content_type)
    if varies and compression.accepts_gzip(request):
        packed = compression.gzipped(body, sha)
    if etag_matches(request, sha):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body if packed is None else packed, content_type=content_type)
        if packed is not None:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = f'W/"{sha}"' if packed is not None else f'"{sha}"'
    response["Cache-Control"] = cache_control
    if varies:
        response["Vary"] = "Accept-Encoding"
    if cors:
        # Any site's page or tool may fetch a public file; no credentials, so nothing private is shared.
        response["Access-Control-Allow-Origin"] = "*"
    response.encoding_decided = True  # see CompressionMiddleware: nothing left for it to do
    return response


def bytes_response(request, body: bytes, *, sha: str, fmt: str, filename: str, cache_control: str = IMMUTABLE):
    """Serve a file in one of the formats under its checksum as ETag (see frozen_response), with its
    download name."""
    response = frozen_response(
        request,
        body,
        sha=sha,
        content_type=formats.content_type(fmt),
        cache_control=cache_control,
        cors=cache_control != PRIVATE,
    )
    if response.status_code == 200:
        disposition = "attachment" if formats.get(fmt).attachment else "inline"
        response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def page_response(request, body: bytes, sha: str):
    """Serve a page that is the same for every reader, revalidated after a few minutes.

    Its bytes hold the anonymous header. A signed-in reader gets them whole (no 304, no gzip yet), for
    AccountHeaderMiddleware to put their account in: the shared ETag is never theirs.
    """
    if header.reader(request) is not None:
        response = HttpResponse(body, content_type=PAGE_TYPE)
        response["Cache-Control"] = header.ACCOUNT_CACHE_CONTROL
        return response
    response = frozen_response(request, body, sha=sha, content_type=PAGE_TYPE, cache_control=SHORT)
    # A browser must not show this anonymous copy again once its reader has signed in (or out).
    patch_vary_headers(response, ("Cookie",))
    return response


# Headers a page on another origin may read from our answers (the API's and /check.json's).
EXPOSED_HEADERS = "ETag, Location, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset"


def preflight(request) -> HttpResponse:
    """Answer a browser's CORS preflight: any origin may GET and POST JSON or text, without credentials."""
    response = HttpResponse(status=204)
    del response["Content-Type"]
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type, If-None-Match"
    response["Access-Control-Max-Age"] = "86400"
    response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    response.site_page = True
    return response
