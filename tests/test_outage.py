"""A lost database: what was served stays served (from memory, or from the shared cache for a worker
that had not served it yet); what needs the database answers 503 with Retry-After; then it recovers."""

import pytest
from django.db import OperationalError, connection
from django.test import Client

from licenses import memory, views
from licenses.publishing import create_release

VALUES = {"licensor": "Acme AI", "model": "Acme-7B", "year": "2026"}


def database_away(execute, sql, params, many, context):
    raise OperationalError("could not connect to server: the database is away")


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def test_frozen_answers_survive_a_lost_database_and_the_rest_is_503(client, owpl):
    release = create_release(version=owpl, values=VALUES)
    frozen = [
        "/licenses/owpl/1.0/",
        "/licenses/owpl/1.0.txt",
        "/licenses/owpl/1.0.pdf",
        "/definition/1.0/",
        "/licenses/owpl/compare/1.0...1.0/",
        release.get_absolute_url(),
        release.file_url("txt"),
    ]
    served = {url: client.get(url).content for url in frozen}
    assert all(served.values())
    views._numbers.clear()  # as when the version lists' time to live has passed
    with connection.execute_wrapper(database_away):
        assert {url: client.get(url).content for url in frozen} == served
        memory.forget_all()  # another worker, which had served none of them
        assert {url: client.get(url).content for url in frozen} == served
        refused = client.post("/licenses/owpl/1.0/wizard/", {**VALUES, "model": "Other-1B"})
        page = refused.content.decode()
        assert refused.status_code == 503 and int(refused["Retry-After"]) > 0
        assert "This page is back in a moment" in page and '<html lang="en"' in page
    made = client.post("/licenses/owpl/1.0/wizard/", {**VALUES, "model": "Other-1B"})
    assert made.status_code == 302, "back without a restart"


def test_other_server_errors_stay_500(client, canonical, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views, "_render_version_page", broken)
    response = client.get("/licenses/owpl/1.0/")
    assert response.status_code == 500 and "Retry-After" not in response
    assert "Something went wrong on our side" in response.content.decode()
