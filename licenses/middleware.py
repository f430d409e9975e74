"""Refuse oversized request bodies before anything reads them; answer throttled work with 429; HEAD
without a body; compression, the fast path for frozen answers and the header's account part."""

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import Http404, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.middleware.gzip import GZipMiddleware
from django.urls import Resolver404, ResolverMatch, resolve
from django.utils.cache import patch_vary_headers

from . import compression, header, kinds, memory, views
from .api import remembered_answer
from .http import preflight
from .throttling import Throttled, throttled_response

DRAIN_LIMIT = 32 * 1024 * 1024


class HeadWithoutBodyMiddleware:
    """Answer HEAD with exactly the headers of GET and no body.

    Django's views answer HEAD like GET; gunicorn then drops the body and logs a warning for every
    one, which link checkers and monitors would fill the log with.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "HEAD" and not response.streaming and response.content:
            length = response.get("Content-Length") or str(len(response.content))
            response.content = b""
            response["Content-Length"] = length
        return response


class ApiMethodsMiddleware:
    """The API's own path through the middleware: browsers' CORS preflight (OPTIONS) answered at
    once, HEAD as GET (django-ninja routes GET only; HeadWithoutBodyMiddleware then drops the body),
    and a GET answered a moment ago answered again from memory, past sessions and accounts, like
    the fast path (api.remembered_answer)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/api/"):
            return self.get_response(request)
        if request.method == "OPTIONS":
            return preflight(request)
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        method, request.method = request.method, "GET"
        try:
            request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware would check it
            answer = remembered_answer(request)
            if answer is None:
                return self.get_response(request)
            answer["Content-Length"] = str(len(answer.content))  # as CommonMiddleware would
            return answer
        finally:
            request.method = method


class RequestSizeLimitMiddleware:
    """Answer 413 to a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE, without reading it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse("Invalid Content-Length.\n", status=400, content_type="text/plain; charset=utf-8")
        if limit is not None and length > limit:
            self._discard_body(request, length)
            message = f"The request body is too large: the limit is {limit // 1024} KiB.\n"
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _discard_body(request, length: int) -> None:
        """Read (and drop) a moderately oversized body, so the client can read our 413 instead of
        seeing its upload cut off; a truly huge one is left unread and the connection dropped."""
        if length > DRAIN_LIMIT:
            return
        stream = request.META.get("wsgi.input")
        remaining = length
        while stream is not None and remaining > 0:
            chunk = stream.read(min(65536, remaining))
            if not chunk:
                break
            remaining -= len(chunk)


class CompressionMiddleware(GZipMiddleware):
    """GZipMiddleware for what the views did not compress themselves (see licenses/compression.py),
    minus what gzip cannot shrink (PDF, zip) and the clients that refuse it (`gzip;q=0`)."""

    def process_response(self, request, response):
        if getattr(response, "encoding_decided", False):
            return response  # http.frozen_response chose the encoding and set Vary already
        if response.has_header("Content-Encoding") or not compression.compressible(response.get("Content-Type", "")):
            return response
        if not compression.accepts_gzip(request):
            if response.streaming or len(response.content) >= compression.MINIMUM_SIZE:
                patch_vary_headers(response, ("Accept-Encoding",))
            return response
        return super().process_response(request, response)


class ThrottledMiddleware:
    """Turn a Throttled error raised anywhere in a view into 429 with Retry-After."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Throttled):
            return throttled_response(exception)
        return None


class SitePagesFor404Middleware:
    """Answer every 404 with the site's own helpful page, in debug mode too.

    Django shows its technical 404 page while debugging, which `make run` does by default; people
    following a stale link should see the site's page (with its message) whatever the mode.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 404 and settings.DEBUG and not getattr(response, "site_page", False):
            return views.not_found(request)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return views.not_found(request, exception)
        return None


class AccountHeaderMiddleware:
    """Show a signed-in reader their account in the header of every page (see licenses/header.py).

    Innermost, so that CsrfViewMiddleware sets the cookie of the log-out button's token."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return header.personalise(request, self.get_response(request))


# Routes whose answer is the same for everyone and never depends on a session, a cookie or a form:
# published versions of every kind, their files (filled in from the query string too), releases and
# self-assessments' statements.
FAST_ROUTES = kinds.fast_route_names() | {
    "licenses:release",
    "licenses:release-file",
    "licenses:release-kit-file",
    "licenses:assessment",
    "licenses:assessment-file",
}


class FastPathMiddleware:
    """Send GET requests for published pages and files straight to their view, past the middleware
    that only matters to people (sessions, CSRF, accounts, messages).

    These URLs are most of the traffic and their answers are lookups of stored or cached bytes, so
    that middleware would be most of their cost. Everything above this one (security headers, CSP,
    the body-size limit, compression) still applies; what the view does not answer itself (a 404)
    goes the ordinary way, to get the site's 404 page.
    """

    # Paths already resolved, with their match (None: not a fast route). Resolving walks the URL
    # patterns one by one, which costs as much as the view's own lookup; the same few paths come
    # again and again. Paths that match no pattern are not kept, so junk cannot fill this.
    def __init__(self, get_response):
        self.get_response = get_response
        self.resolved = memory.Memory("URL matches of the fast path", limit=4096)
        # A reader with a session cookie may be signed in: their answer goes through the session,
        # CSRF (the log-out button's token), authentication and account-header middleware too. All
        # of them are lazy: nothing is read until a page's header asks who is reading.
        self.with_account = SessionMiddleware(
            CsrfViewMiddleware(AuthenticationMiddleware(AccountHeaderMiddleware(self._view)))
        )

    def __call__(self, request):
        if request.method == "GET":
            request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware would check it
            match = self._fast_route(request.path_info)
            if match is not None:
                request.resolver_match = match
                try:
                    response = (self.with_account if header.may_be_signed_in(request) else self._view)(request)
                except Http404:
                    pass
                except Throttled as error:
                    return throttled_response(error)
                else:
                    # As CommonMiddleware, which this path skips, would: clients and nginx want it.
                    if not response.streaming and not response.has_header("Content-Length"):
                        response["Content-Length"] = str(len(response.content))
                    return response
        return self.get_response(request)

    @staticmethod
    def _view(request):
        match = request.resolver_match
        return match.func(request, *match.args, **match.kwargs)

    def _fast_route(self, path: str) -> ResolverMatch | None:
        key = (settings.ROOT_URLCONF, path)
        if key in self.resolved:
            return self.resolved.get(key)
        try:
            match = resolve(path)
        except Resolver404:
            return None
        return self.resolved.remember(key, match if match.view_name in FAST_ROUTES else None)
