"""Releases made before renderers were recorded keep every byte: a database of that time (schema 0013,
rows as the code of 2be0abf wrote them), migrated, serves and verifies the bytes that code made.

tests/data/renderer-1-releases.json holds, for ten releases, what that code made (see its "note"). PDFs
of names outside DejaVu Serif were drawn with whatever fonts the host had: renderer 1 could not promise
their bytes on another host (issue 13, and why such a release offers a re-issue), so those are left out.
"""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from licenses import outputs, publishing
from licenses.models import Release, Version

GOLDEN = json.loads((Path(__file__).parent / "data" / "renderer-1-releases.json").read_text())


def latin(values: dict) -> bool:
    return all(ord(char) < 0x250 for value in values.values() for char in value)


def served(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.django_db(transaction=True)
def test_an_old_database_migrates_and_its_releases_keep_and_verify_their_bytes(canonical, client):
    assert GOLDEN["site_url"] == settings.SITE_URL
    versions = {v.number: v.pk for v in Version.objects.filter(document__slug="owpl")}
    call_command("migrate", "licenses", "0013", verbosity=0)
    with connection.cursor() as cursor:
        columns = [column.name for column in connection.introspection.get_table_description(cursor, "licenses_release")]
        assert "renderer" not in columns, "the schema before renderers were recorded"
        for made in GOLDEN["releases"]:
            cursor.execute(
                'INSERT INTO licenses_release (id, version_id, "values", checksums, created_at) '
                "VALUES (%s, %s, %s, %s, %s)",
                [
                    made["id"],
                    versions[made["version"]],
                    json.dumps(made["values"], ensure_ascii=False),
                    json.dumps(made["checksums"]),
                    made["created_at"],
                ],
            )
    call_command("migrate", "licenses", verbosity=0)

    for made in GOLDEN["releases"]:
        release = Release.objects.select_related("version__document").get(pk=made["id"])
        assert (release.renderer, release.coverage) == ("1", {})
        assert publishing.release_id(release.version, release.values, "1") == release.id
        fmts = ["txt", "md", "html", "json"] + (["pdf", "zip"] if latin(made["values"]) else [])
        for fmt in fmts:
            body = outputs.release_file(release, fmt)
            assert outputs.sha256(body) == made["files"][fmt], (made["id"], fmt)
        assert outputs.sha256(outputs.release_snippets(release)["notice"].encode()) == made["files"]["NOTICE"]
        for fmt in ("txt", "md", "json"):
            assert outputs.sha256(served(client, f"/r/{release.id}.{fmt}")) == made["files"][fmt]
        assert outputs.sha256(served(client, f"/r/{release.id}/NOTICE")) == made["files"]["NOTICE"]

    # Every recorded checksum re-renders, but the host-drawn PDFs of renderer 1 (see the docstring).
    host_drawn = {made["id"] for made in GOLDEN["releases"] if not latin(made["values"])}
    for problem in publishing.verify_checksums():
        release = problem.split()[1]
        assert release in host_drawn and ".pdf:" in problem, problem


@pytest.mark.django_db
def test_the_same_values_now_make_a_new_release_with_its_own_id(owpl):
    made = GOLDEN["releases"][0]
    release = publishing.create_release(version=owpl, values=made["values"])
    assert release.id != made["id"] and release.renderer == "2"
