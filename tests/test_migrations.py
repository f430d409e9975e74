"""Migrating a database made before version numbers had integer columns (migration 0009)."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from licenses import formats, publishing
from licenses.models import Release, Rendition, Version

from .factories import content_documents, content_numbers, old_release

VALUES = {"licensor": "Acme AI", "model": "Acme-7B", "year": "2026"}


@pytest.mark.django_db(transaction=True)
def test_an_old_database_migrates_with_its_numbers_filled_and_every_byte_kept(canonical):
    owpl = Version.objects.get(document__slug="owpl", number="1.0")
    release = old_release(owpl, VALUES)  # a release of that time: renderer 1 (0014 records renderers)
    renditions = {(r.version_id, r.format): (bytes(r.body), r.sha256) for r in Rendition.objects.all()}
    checksums = dict(Version.objects.values_list("pk", "checksums"))
    release_checksums = release.checksums

    call_command("migrate", "licenses", "0008", verbosity=0)
    with connection.cursor() as cursor:
        columns = [column.name for column in connection.introspection.get_table_description(cursor, "licenses_version")]
    assert "major" not in columns, "the schema before 0009"
    call_command("migrate", "licenses", verbosity=0)

    numbers = {number for document in content_documents() for number in content_numbers(document["slug"])}
    expected = {(number, *(int(part) for part in number.split("."))) for number in numbers}
    assert set(Version.objects.values_list("number", "major", "minor")) == expected
    assert {(r.version_id, r.format): (bytes(r.body), r.sha256) for r in Rendition.objects.all()} == renditions
    assert dict(Version.objects.values_list("pk", "checksums")) == checksums
    assert Release.objects.get(pk=release.pk).checksums == release_checksums
    assert publishing.verify_checksums() == []
    assert {fmt.suffix for fmt in formats.stored()} <= {fmt for _, fmt in renditions}
    # The freeze trigger is back: a published version still refuses any UPDATE, even raw SQL.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE licenses_version SET markdown = 'changed' WHERE id = %s", [owpl.pk])
