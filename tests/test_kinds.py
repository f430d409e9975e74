"""Document kinds as data: every versioned route of every kind comes from one list."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from licenses import kinds, middleware
from licenses.publishing import publish_version

from .factories import make_document, make_version
from .urls_with_a_third_kind import GUIDE


@pytest.mark.parametrize("kind", list(kinds.KINDS.values()), ids=list(kinds.KINDS))
def test_every_kind_has_every_versioned_route(kind):
    for name, *_ in kinds.routes(kind):
        args = {"slug": "x"} if kind.slug is None else {}
        args |= {
            "latest": {},
            "compare-pick": {},
            "versions-feed": {},
            "compare": {"old": "1.0", "new": "1.1"},
            "compare-diff": {"old": "1.0", "new": "1.1"},
            "version-file": {"number": "1.0", "fmt": "txt"},
        }.get(name, {"number": "1.0"})
        assert reverse(kind.route_name(name), kwargs=args).startswith("/")


def test_only_templates_have_a_wizard_and_a_badge():
    assert {name for name, *_ in kinds.routes(kinds.get("license"))} - {
        name for name, *_ in kinds.routes(kinds.get("definition"))
    } == {"wizard", "badge"}


def test_the_fast_paths_routes_are_derived_from_the_kinds():
    assert {"licenses:version", "licenses:definition-version", "licenses:definition-version-file"} <= (
        middleware.FAST_ROUTES
    )
    assert "licenses:wizard" not in middleware.FAST_ROUTES


@override_settings(ROOT_URLCONF="tests.urls_with_a_third_kind")
def test_a_third_kind_of_document_is_an_entry_in_the_list_and_nothing_else(db, monkeypatch):
    monkeypatch.setitem(kinds.KINDS, GUIDE.name, GUIDE)
    document = make_document("style", kind=GUIDE.name, title="Style Guide", short_name="SG")
    text = "# Style Guide 1.0\n\n## 1. Names\n\nWrite names in full.\n"
    publish_version(version=make_version(document, markdown=text, fields=[]))
    publish_version(version=make_version(document, "1.1", markdown=text + "\nAnd spell them right.\n", fields=[]))
    client = Client()
    latest = client.get("/guides/style/")
    assert latest.status_code == 302 and latest["Location"] == "/guides/style/1.1/"
    page = client.get("/guides/style/1.0/")
    assert page.status_code == 200 and b"Write names in full." in page.content
    assert b"superseded by" in page.content
    assert client.get("/guides/style/1.0.txt").content.startswith(b"Style Guide 1.0")
    assert client.get("/guides/style/compare/1.0...1.1/").status_code == 200
    assert client.get("/guides/style/1.0/wizard/").status_code == 404, "not a template"
