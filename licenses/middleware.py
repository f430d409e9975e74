"""Refuse oversized request bodies before anything reads them; answer throttled work with 429."""

from django.conf import settings
from django.http import HttpResponse

from .throttling import Throttled, throttled_response


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
            message = f"The request body is too large: the limit is {limit // 1024} KiB.\n"
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


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
