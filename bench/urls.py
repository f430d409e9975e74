"""The site's URLs plus /_bench/ceiling: what a page costs when the view itself costs nothing.

The ceiling answers precomputed bytes (the exported versioned license page, so the same size and
content type) through the same middleware as the published pages and files (their fast path), so the
ratio of a page to the ceiling is the share of the time Django spends outside the view.
"""

import os
from pathlib import Path

from django.http import HttpResponse
from django.urls import include, path

from config.urls import handler404  # noqa: F401  (the 404 handler must be named by the root URLconf)
from licenses.middleware import FAST_ROUTES


def _ceiling_body() -> bytes:
    source = os.environ.get("BENCH_CEILING_FILE")
    if source:
        return Path(source).read_bytes()
    return b"<!DOCTYPE html>\n" + b"x" * int(os.environ.get("BENCH_CEILING_BYTES", "14000"))


CEILING_BODY = _ceiling_body()


def ceiling(request):
    response = HttpResponse(CEILING_BODY, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response


FAST_ROUTES.add("bench-ceiling")

urlpatterns = [
    path("_bench/ceiling", ceiling, name="bench-ceiling"),
    path("", include("config.urls")),
]
