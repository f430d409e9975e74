"""Atom feeds of published versions and of drafts open for comment, read back with feedparser; and
CORS on published files."""

import json

import feedparser
import pytest
from django.test import Client

from licenses import loading
from licenses.drafting import open_review, start_draft, update_draft
from licenses.publishing import create_release

from .factories import content_documents, content_numbers
from .test_editor import make_user


@pytest.fixture
def client():
    return Client()


def canonical_entries(slugs: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """Return each canonical version of the documents named, by title: where it is, and its changelog."""
    entries = {}
    for document in content_documents():
        if document["slug"] in slugs:
            for number in content_numbers(document["slug"]):
                meta = json.loads(
                    (loading.CONTENT_DIR / document["slug"] / f"{number}.json").read_text(encoding="utf-8")
                )
                entries[f"{document['title']} {number}"] = (f"/{number}/", meta["changelog"])
    return entries


@pytest.mark.parametrize(
    ("url", "slugs"),
    [
        ("/versions.atom", ("definition", "owpl")),
        ("/definition/versions.atom", ("definition",)),
        ("/licenses/owpl/versions.atom", ("owpl",)),
    ],
)
def test_the_feeds_list_published_versions_with_their_changelog(client, canonical, url, slugs):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    expected = canonical_entries(slugs)
    assert {entry.title for entry in feed.entries} == set(expected)
    for entry in feed.entries:
        path, changelog = expected[entry.title]
        assert entry.link.startswith("http://127.0.0.1:8000/") and entry.link.endswith(path)
        assert entry.summary == changelog
        assert entry.id == entry.link and entry.published_parsed is not None
    assert feed.feed.links[0].href.startswith("http://127.0.0.1:8000/")


def test_an_unknown_documents_feed_is_404(client, canonical):
    assert client.get("/licenses/nope/versions.atom").status_code == 404


def test_the_drafts_feed_lists_drafts_open_for_comment_only(client, canonical):
    editor = make_user("feeds-editor@example.org", editor=True)
    draft = start_draft(document=canonical["owpl"], user=editor)
    assert feedparser.parse(client.get("/drafts.atom").content).entries == []
    update_draft(
        version=draft,
        user=editor,
        number=draft.number,
        markdown=draft.markdown,
        summary=draft.summary,
        changelog="Patents: the grant now names making and importing.",
        fields=draft.fields,
    )
    open_review(version=draft, user=editor)
    feed = feedparser.parse(client.get("/drafts.atom").content)
    assert [entry.link for entry in feed.entries] == [f"http://127.0.0.1:8000/drafts/{draft.pk}/"]
    assert feed.entries[0].summary == "Patents: the grant now names making and importing."


def test_pages_announce_the_feeds(client, canonical):
    home = client.get("/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in home and 'href="/versions.atom"' in home
    page = client.get("/licenses/owpl/1.0/").content.decode()
    assert 'href="/licenses/owpl/versions.atom"' in page


def test_published_files_may_be_fetched_from_any_origin_and_pages_need_not(client, owpl):
    release = create_release(version=owpl, values={"licensor": "Acme", "model": "M-1", "year": "2026"})
    origin = {"Origin": "https://tools.example.org"}
    for url in (
        "/licenses/owpl/1.0.txt",
        "/licenses/owpl/1.0.json",
        "/definition/1.0.pdf",
        "/licenses/owpl/1.0/badge.svg",
        "/licenses/owpl/1.0.txt?licensor=Acme&model=M-1&year=2026",
        release.file_url("json"),
        release.get_absolute_url() + "LICENSE",
        "/versions.atom",
    ):
        response = client.get(url, headers=origin)
        assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*", url
        assert "Access-Control-Allow-Credentials" not in response
    assert "Access-Control-Allow-Origin" not in client.get("/licenses/owpl/1.0/", headers=origin)
