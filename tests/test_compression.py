"""gzip: frozen pages and files are compressed once and kept; PDFs and zips are never gzipped."""

import gzip
import os

import pytest
from django.test import Client, RequestFactory

from licenses import compression

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.fixture
def gzip_calls(monkeypatch):
    calls = []
    original = compression.gzip.compress

    def counting_compress(data, *args, **kwargs):
        calls.append(len(data))
        return original(data, *args, **kwargs)

    monkeypatch.setattr(compression.gzip, "compress", counting_compress)
    return calls


@pytest.mark.parametrize(
    "url",
    [
        "/licenses/owpl/1.0/",
        "/licenses/owpl/1.0.txt",
        "/licenses/owpl/1.0.md",
        "/licenses/owpl/1.0.json",
        "/definition/1.0/",
        "/licenses/owpl/1.0.txt?licensor=Acme&model=M&year=2026",
    ],
)
def test_text_answers_are_gzipped_once_and_unpack_to_the_plain_bytes(canonical, gzip_calls, url):
    client = Client()
    plain = client.get(url)
    # A page's header shows who is signed in (licenses/header.py): pages vary on the cookie too.
    vary = "Accept-Encoding, Cookie" if url.endswith("/") else "Accept-Encoding"
    assert plain.status_code == 200 and "Content-Encoding" not in plain
    assert plain["Vary"] == vary and plain["ETag"].startswith('"')
    packed = [client.get(url, headers=GZIP) for _ in range(3)]
    for response in packed:
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip" and response["Vary"] == vary
        assert gzip.decompress(response.content) == plain.content
        assert response["ETag"] == "W/" + plain["ETag"], "the gzip form is the same bytes: a weak form of their ETag"
        assert len(response.content) < len(plain.content)
    assert len(gzip_calls) == 1, "frozen bytes are compressed the first time only"


def test_either_etag_revalidates_either_form(canonical):
    client = Client()
    plain = client.get("/licenses/owpl/1.0/")
    packed = client.get("/licenses/owpl/1.0/", headers=GZIP)
    for etag in (plain["ETag"], packed["ETag"]):
        again = client.get("/licenses/owpl/1.0/", headers={**GZIP, "If-None-Match": etag})
        assert again.status_code == 304 and again["ETag"] == packed["ETag"]
        assert again["Vary"] == "Accept-Encoding, Cookie"
        again = client.get("/licenses/owpl/1.0/", headers={"If-None-Match": etag})
        assert again.status_code == 304 and again["ETag"] == plain["ETag"]


@pytest.mark.parametrize("url", ["/licenses/owpl/1.0.pdf", "/licenses/owpl/1.0.pdf?licensor=A&model=M&year=2026"])
def test_pdfs_are_never_gzipped(canonical, gzip_calls, url):
    response = Client().get(url, headers=GZIP)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "Content-Encoding" not in response and "Vary" not in response
    assert gzip_calls == []


def test_release_zip_is_not_gzipped_but_its_page_is(canonical):
    client = Client()
    response = client.post("/licenses/owpl/1.0/wizard/", {"licensor": "Acme", "model": "Acme-7B", "year": "2026"})
    release = response["Location"]
    archive = client.get(release.rstrip("/") + ".zip", headers=GZIP)
    assert archive.status_code == 200 and "Content-Encoding" not in archive
    page = client.get(release, headers=GZIP)
    assert page["Content-Encoding"] == "gzip" and b"Acme-7B" in gzip.decompress(page.content)


def test_pages_made_per_request_are_gzipped_by_the_middleware(canonical):
    response = Client().get("/", headers=GZIP)
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    assert b"Open Weights" in gzip.decompress(response.content)


@pytest.mark.parametrize("url", ["/", "/licenses/owpl/1.0/", "/licenses/owpl/1.0.txt"])
def test_a_client_that_refuses_gzip_gets_plain_bytes(canonical, url):
    for refusal in ("gzip;q=0", "identity", "*;q=0", "br, gzip;q=0.0"):
        response = Client().get(url, headers={"Accept-Encoding": refusal})
        assert response.status_code == 200 and "Content-Encoding" not in response, refusal


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip", True),
        ("GZIP", True),
        ("deflate, gzip;q=0.5", True),
        ("*", True),
        ("br;q=1, *;q=0.1", True),
        ("gzip;q=0", False),
        ("gzip;q=0.000", False),
        ("*;q=0", False),
        ("gzip;q=0, *", False),
        ("gzip;q=nonsense", False),
        ("identity", False),
        ("", False),
        ("x-gzip-not", False),
    ],
)
def test_accepts_gzip_reads_the_weights(header, accepted):
    request = RequestFactory().get("/", headers={"Accept-Encoding": header} if header else {})
    assert compression.accepts_gzip(request) is accepted


def test_small_or_incompressible_bodies_are_kept_as_they_are():
    assert compression.gzipped(b"tiny", "sha-tiny") is None
    assert compression.gzipped(os.urandom(4096), "sha-noise") is None, "gzip makes random bytes longer"
    assert len(compression.gzipped(b"a" * 4096, "sha-a")) < 100
