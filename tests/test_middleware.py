"""The middleware of licenses/middleware.py that the other test modules do not already cover."""

import io

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client, override_settings

from licenses import views
from licenses.publishing import create_release

FAST_PATH = "licenses.middleware.FastPathMiddleware"
WITHOUT_FAST_PATH = [name for name in settings.MIDDLEWARE if name != FAST_PATH]
COMPARED_HEADERS = (
    "Content-Type",
    "Content-Length",
    "Content-Disposition",
    "ETag",
    "Cache-Control",
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
)


@pytest.fixture
def frozen_urls(owpl):
    release = create_release(version=owpl, values={"licensor": "Acme", "model": "Acme-7B", "year": "2026"})
    return [
        "/definition/1.0/",
        "/definition/1.0.txt",
        "/licenses/owpl/1.0/",
        *(f"/licenses/owpl/1.0.{fmt}" for fmt in ("md", "txt", "pdf", "json")),
        "/licenses/owpl/1.0/badge.svg",
        release.get_absolute_url(),
        *(release.file_url(fmt) for fmt in ("txt", "md", "pdf", "json", "zip")),
    ]


def answer(url: str, **headers):
    response = Client().get(url, headers=headers)
    return response, {name: response.get(name) for name in COMPARED_HEADERS}


def test_published_urls_skip_the_session_csrf_and_account_middleware(frozen_urls):
    assert FAST_PATH in settings.MIDDLEWARE
    for url in frozen_urls:
        response, _ = answer(url)
        assert response.status_code == 200, url
        assert not hasattr(response.wsgi_request, "session"), f"{url} went through the whole middleware stack"


def test_the_fast_path_answers_exactly_what_the_whole_stack_answers(frozen_urls):
    urls = [*frozen_urls, "/licenses/owpl/1.0.md?licensor=A&model=M&year=2026", "/licenses/owpl/1.0.txt?year=1"]
    fast = {url: answer(url) for url in urls}
    views.forget_everything()
    with override_settings(MIDDLEWARE=WITHOUT_FAST_PATH):
        for url in urls:
            response, headers = answer(url)
            assert hasattr(response.wsgi_request, "session")
            assert (response.status_code, response.content, headers) == (
                fast[url][0].status_code,
                fast[url][0].content,
                fast[url][1],
            ), url


def test_the_fast_path_answers_revalidation_with_304(frozen_urls):
    for url in frozen_urls:
        response, headers = answer(url)
        again, _ = answer(url, if_none_match=headers["ETag"])
        assert again.status_code == 304 and again["ETag"] == headers["ETag"], url


@pytest.mark.parametrize(
    "url",
    [
        "/licenses/owpl/9.9/",
        "/licenses/owpl/9.9.txt",
        "/definition/7.0/",
        "/r/aaaaaaaaaaaaaaaa/",
        "/r/aaaaaaaaaaaaaaaa.txt",
    ],
)
def test_unknown_frozen_urls_get_the_sites_404_page(canonical, url):
    response = Client().get(url)
    assert response.status_code == 404
    assert b"<main" in response.content and hasattr(response.wsgi_request, "session")


def test_other_hosts_are_refused_on_the_fast_path_too(canonical):
    assert Client().get("/licenses/owpl/1.0.txt", headers={"host": "evil.example"}).status_code == 400


def test_filled_files_take_the_fast_path_and_their_limits_still_answer_429(canonical, settings):
    client = Client()
    filled = client.get("/licenses/owpl/1.0.txt?licensor=Acme&model=M&year=2026")
    assert filled.status_code == 200 and b"Acme" in filled.content
    assert not hasattr(filled.wsgi_request, "session")
    settings.OW_RENDERS_PER_MINUTE = 1
    refused = client.get("/licenses/owpl/1.0.txt?licensor=Acme&model=Other&year=2026")
    assert refused.status_code == 429 and refused["Retry-After"]
    invalid = client.get("/licenses/owpl/1.0.txt?licensor=Acme&model=M&year=20x6")
    assert invalid.status_code == 400 and b"year" in invalid.content


def test_other_methods_take_the_ordinary_way(canonical):
    head = Client().head("/licenses/owpl/1.0.txt")
    assert head.status_code == 200 and hasattr(head.wsgi_request, "session")


def test_the_fast_path_resolves_a_path_once_and_keeps_no_unknown_paths(canonical, monkeypatch):
    from licenses import middleware

    resolved = []
    original = middleware.resolve

    def counting_resolve(path):
        resolved.append(path)
        return original(path)

    monkeypatch.setattr(middleware, "resolve", counting_resolve)
    client = Client()
    for _ in range(3):
        assert client.get("/licenses/owpl/1.0.txt").status_code == 200
        assert client.get("/no/such/page/").status_code == 404
    assert resolved.count("/licenses/owpl/1.0.txt") == 1
    assert resolved.count("/no/such/page/") == 3, "a path that matches nothing must not be remembered"


def wsgi(method: str, path: str, **headers) -> tuple[str, dict[str, str], bytes]:
    """One request straight through the WSGI application, as gunicorn makes it (the test client
    drops HEAD bodies itself, so it cannot show what a server is handed)."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        **{"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()},
    }
    started = {}

    def start_response(status, response_headers, exc_info=None):
        started.update(status=status, headers=dict(response_headers))

    # As the test client does: a request's end must not close the connection the test's transaction is on.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = get_wsgi_application()(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            result.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return started["status"], started["headers"], body


def test_head_answers_get_s_headers_with_no_body(frozen_urls):
    # Pages made anew each time: gzipped, they carry random padding (Django's defence against BREACH),
    # so their length differs from one answer to the next. No body, and a length.
    for url, expected in [("/", "200"), ("/licenses/owpl/1.0/wizard/", "200"), ("/no/such/page/", "404")]:
        status, head_headers, body = wsgi("HEAD", url, **{"Accept-Encoding": "gzip"})
        assert status.startswith(expected) and body == b"" and int(head_headers["Content-Length"]) > 500, url
    for url in frozen_urls:
        for headers in ({}, {"Accept-Encoding": "gzip"}):
            get_status, get_headers, get_body = wsgi("GET", url, **headers)
            status, head_headers, body = wsgi("HEAD", url, **headers)
            assert status == get_status and body == b"", url
            assert head_headers.get("Content-Length") == str(len(get_body)), url
            assert head_headers.get("Content-Encoding") == get_headers.get("Content-Encoding"), url
