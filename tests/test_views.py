import hashlib
import json
import re

import pytest
from django.test import Client

from licenses.publishing import create_release
from licenses.rendering import TEXT_WIDTH

from .factories import latest_number

IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture
def client():
    return Client()


def test_latest_redirects_are_short_lived(client, canonical):
    definition, owpl = latest_number("definition"), latest_number("owpl")
    for url, target in (("/definition/", f"/definition/{definition}/"), ("/licenses/owpl/", f"/licenses/owpl/{owpl}/")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == target
        assert "immutable" not in response["Cache-Control"]


def test_version_page_shows_text_anchors_checksums_and_permalink(client, canonical):
    number = latest_number("owpl")  # the latest: its page says it is the current version
    response = client.get(f"/licenses/owpl/{number}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="section-3"' in html and f"Open Weights Permissive License {number}" in html
    for fmt in ("md", "txt", "pdf", "json"):
        body = client.get(f"/licenses/owpl/{number}.{fmt}").content
        assert hashlib.sha256(body).hexdigest() in html
    assert f'value="http://127.0.0.1:8000/licenses/owpl/{number}/"' in html
    assert "CC0 1.0" in html and "In plain language" in html and "What you may do" in html
    assert "This is the current version." in html


@pytest.mark.parametrize(
    ("url", "content_type", "filename"),
    [
        ("/licenses/owpl/1.0.txt", "text/plain; charset=utf-8", "LICENSE"),
        ("/licenses/owpl/1.0.md", "text/markdown; charset=utf-8", "LICENSE.md"),
        ("/licenses/owpl/1.0.pdf", "application/pdf", "LICENSE.pdf"),
        ("/licenses/owpl/1.0.json", "application/json", "owpl-1.0.json"),
        ("/definition/1.0.txt", "text/plain; charset=utf-8", "open-weights-definition-1.0.txt"),
        ("/definition/1.0.pdf", "application/pdf", "open-weights-definition-1.0.pdf"),
    ],
)
def test_downloads_have_type_name_etag_and_immutable_caching(client, canonical, url, content_type, filename):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert f'filename="{filename}"' in response["Content-Disposition"]
    assert response["ETag"] == f'"{hashlib.sha256(response.content).hexdigest()}"'
    assert response["Cache-Control"] == IMMUTABLE
    again = client.get(url, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == response["ETag"]
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_downloads_are_byte_identical_and_match_recorded_checksums(client, owpl):
    for fmt in ("md", "txt", "pdf", "json"):
        first, second = client.get(f"/licenses/owpl/1.0.{fmt}").content, client.get(f"/licenses/owpl/1.0.{fmt}").content
        assert first == second
        assert hashlib.sha256(first).hexdigest() == owpl.checksums[fmt]


def test_text_download_fits_80_columns(client, canonical):
    for url in ("/licenses/owpl/1.0.txt", "/definition/1.0.txt"):
        lines = client.get(url).content.decode().splitlines()
        assert max(len(line) for line in lines) <= TEXT_WIDTH


def test_json_metadata_describes_the_version(client, owpl):
    data = json.loads(client.get("/licenses/owpl/1.0.json").content)
    assert data["version"] == "1.0" and data["status"] == "published"
    assert data["spdx_id"] == "LicenseRef-OWPL-1.0"
    assert data["formats"]["txt"]["sha256"] == owpl.checksums["txt"]
    assert [field["name"] for field in data["fields"]] == ["licensor", "model", "year"]
    assert data["published_at"] == "2026-11-25T00:00:00Z"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("/licenses/owpl/9.9/", "has no published version 9.9"),
        ("/licenses/owpl/9.9.txt", "has no published version 9.9"),
        ("/licenses/no-such-license/", "There is no document called"),
        ("/licenses/definition/1.0/", "There is no document called"),
        ("/definition/2.0/", "has no published version 2.0"),
        ("/nowhere/", "There is no page at this address"),
    ],
)
def test_unknown_documents_and_versions_answer_a_helpful_404(client, canonical, url, says):
    response = client.get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert says in html and 'href="/licenses/owpl/"' in html


def test_home_and_license_list_link_the_documents(client, canonical):
    home = client.get("/").content.decode()
    assert 'href="/definition/"' in home and 'href="/licenses/owpl/"' in home
    listing = client.get("/licenses/").content.decode()
    latest = latest_number("owpl")
    assert 'href="/licenses/owpl/1.0/"' in listing
    assert re.search(rf'<a href="/licenses/owpl/{re.escape(latest)}/">[^\n]*\(latest\)</li>', listing)
    assert listing.count("(latest)") == 1


def test_home_offers_each_documents_latest_files_and_the_three_steps(client, canonical):
    home = client.get("/").content.decode()
    definition, owpl = latest_number("definition"), latest_number("owpl")
    urls = (f"/definition/{definition}.txt", f"/definition/{definition}.pdf")
    urls += (f"/licenses/owpl/{owpl}.md", f"/licenses/owpl/{owpl}/wizard/")
    for url in urls:
        assert f'href="{url}"' in home, url
    assert f"Version {definition}, published" in home and f"Version {owpl}, published" in home
    assert f"curl -o LICENSE &#x27;http://127.0.0.1:8000/licenses/owpl/{owpl}.txt?licensor=" in home


def test_about_page_renders_the_faq(client, canonical):
    response = client.get("/about/")
    assert response.status_code == 200 and "Why permissive" in response.content.decode()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_read_only_urls_answer_other_methods_405_not_a_form_error(owpl, method):
    release = create_release(version=owpl, values={"licensor": "Acme", "model": "M", "year": "2026"})
    # As browsers and curl meet it: with the CSRF check on, which runs before the view.
    client = Client(enforce_csrf_checks=True)
    urls = ["/", "/about/", "/licenses/", "/licenses/owpl/", "/definition/", "/licenses/owpl/1.0/"]
    urls += ["/licenses/owpl/1.0.txt", "/licenses/owpl/1.0/badge.svg", "/licenses/owpl/compare/1.0...1.0/"]
    urls += [f"/r/{release.pk}/", f"/r/{release.pk}.zip", "/licenses/nope/"]
    for url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 405, f"{method} {url}: {response.status_code}"
        assert response["Allow"] == "GET, HEAD", url
    # A form's own URL still checks its CSRF token.
    assert client.post("/licenses/owpl/1.0/wizard/").status_code == 403


@pytest.mark.parametrize("url", ["/licenses/owpl/9.9/", "/nowhere/", "/r/aaaaaaaaaaaaaaaa/"])
def test_404s_use_the_sites_page_even_while_debugging(client, canonical, url, settings):
    settings.DEBUG = True
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 404
    assert 'class="site-nav"' in html and "style=" not in html and "<style" not in html


def test_missing_trailing_slash_still_redirects(client, canonical):
    response = client.get("/licenses/owpl/1.0")
    assert response.status_code == 301 and response["Location"] == "/licenses/owpl/1.0/"
