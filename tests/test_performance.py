"""Published versions are rendered once: serving them never parses Markdown or runs WeasyPrint."""

import markdown
import pytest
from django.test import Client

from licenses import rendering
from licenses.forms import LicenseFieldsForm


@pytest.fixture
def render_calls(monkeypatch):
    calls = []
    original_convert, original_pdf = markdown.Markdown.convert, rendering.to_pdf

    def counting_convert(self, source):
        calls.append("markdown")
        return original_convert(self, source)

    def counting_pdf(document, *args, **kwargs):
        calls.append("weasyprint")
        return original_pdf(document, *args, **kwargs)

    monkeypatch.setattr(markdown.Markdown, "convert", counting_convert)
    monkeypatch.setattr(rendering, "to_pdf", counting_pdf)
    return calls


def test_the_counter_sees_rendering_when_it_happens(canonical, render_calls):
    Client().get("/licenses/owpl/1.0.pdf?licensor=Acme&model=M&year=2026")
    assert "markdown" in render_calls and "weasyprint" in render_calls


def test_versioned_pages_and_files_run_no_markdown_and_no_weasyprint(canonical, render_calls):
    client = Client()
    for url in ("/licenses/owpl/1.0/", "/definition/1.0/"):
        for _ in range(2):
            assert client.get(url).status_code == 200
        for fmt in ("md", "txt", "pdf", "json"):
            response = client.get(url.rstrip("/") + "." + fmt)
            assert response.status_code == 200
            assert (
                client.get(url.rstrip("/") + "." + fmt, headers={"If-None-Match": response["ETag"]}).status_code == 304
            )
    assert render_calls == []


def test_a_repeated_filled_file_is_a_cache_lookup(canonical, render_calls):
    client = Client()
    url = "/licenses/owpl/1.0.pdf?licensor=Acme&model=M&year=2026"
    first = client.get(url).content
    calls = len(render_calls)
    assert client.get(url).content == first
    assert len(render_calls) == calls


def test_a_repeated_query_skips_validation_but_other_queries_do_not(canonical, monkeypatch):
    validations = []
    original = LicenseFieldsForm.is_valid

    def counting_is_valid(self):
        validations.append(dict(self.data))
        return original(self)

    monkeypatch.setattr(LicenseFieldsForm, "is_valid", counting_is_valid)
    client = Client()
    url = "/licenses/owpl/1.0.txt?licensor=Acme&model=M&year=2026"
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and client.get(url).content == first.content
    assert len(validations) == 2, "the first two requests are validated: the second one is remembered"
    assert client.get(url).content == first.content
    assert len(validations) == 2
    assert client.get(url.replace("Acme", "Other")).status_code == 200
    assert client.get(url.replace("2026", "20x6")).status_code == 400
    assert client.get(url.replace("2026", "20x6")).status_code == 400
    assert len(validations) == 5, "refused values are checked every time, never remembered"


def test_a_remembered_query_is_answered_without_parsing_it(canonical, monkeypatch):
    from django.http import QueryDict

    parsed = []
    original = QueryDict.__init__

    def counting_init(self, query_string=None, *args, **kwargs):
        if query_string and "licensor" in str(query_string):
            parsed.append(query_string)
        original(self, query_string, *args, **kwargs)

    monkeypatch.setattr(QueryDict, "__init__", counting_init)
    client = Client()
    url = "/licenses/owpl/1.0.txt?licensor=Acme&model=M&year=2026"
    first = client.get(url).content
    assert client.get(url).content == first
    assert len(parsed) == 2, "the first two requests parse the query: the second one is remembered"
    for _ in range(3):
        assert client.get(url).content == first
    assert len(parsed) == 2
    assert client.get(url.replace("Acme", "Other")).content != first
    assert len(parsed) == 3


def test_pages_read_the_shared_publication_counter_at_most_once_a_recheck(canonical, monkeypatch):
    from licenses import counters, outputs

    clock = [1000.0]
    monkeypatch.setattr(counters.time, "monotonic", lambda: clock[0])
    outputs.forget_publication_generation()
    reads = []
    original_get = outputs.cache.get

    def counting_get(key, *args, **kwargs):
        if key == outputs.PUBLICATIONS_KEY:
            reads.append(key)
        return original_get(key, *args, **kwargs)

    monkeypatch.setattr(outputs.cache, "get", counting_get)
    client = Client()
    for _ in range(5):
        assert client.get("/licenses/owpl/1.0/").status_code == 200
    assert len(reads) == 1
    clock[0] += outputs.GENERATION_RECHECK
    assert client.get("/licenses/owpl/1.0/").status_code == 200
    assert len(reads) == 2
    before = outputs.publication_generation()
    outputs.note_publication()
    assert outputs.publication_generation() == before + 1, "the publishing process sees its own publication at once"


def test_a_publication_counter_evicted_mid_count_starts_anew_instead_of_failing(canonical, monkeypatch):
    from licenses import outputs

    def evicted(key, *args, **kwargs):
        raise ValueError(f"Key '{key}' not found")

    monkeypatch.setattr(outputs.cache, "incr", evicted)
    outputs.note_publication()  # runs after a publication commits: an error here would be a 500
    assert outputs.cache.get(outputs.PUBLICATIONS_KEY) == 1
