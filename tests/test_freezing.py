"""In the database itself, nothing frozen can be deleted: published versions, renditions, releases,
the audit trail, self-assessments (migrations 0010, 0011), on SQLite and PostgreSQL alike; and
`manage.py flush` still empties it."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from licenses.models import Assessment, AuditEntry, Document, Release, Rendition, Version
from licenses.publishing import create_assessment, create_release, record

from .pages import STATEMENT_ANSWERS

VALUES = {"licensor": "Kestrel AI", "model": "Kestrel-1B", "year": "2026"}


def raw_delete(table: str, where: str = "1 = 1", params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {where}", params)


@pytest.mark.parametrize("table", ["licenses_rendition", "licenses_release", "licenses_auditentry"])
def test_raw_sql_cannot_delete_frozen_rows(owpl, table):
    create_release(version=owpl, values=VALUES)
    record(actor=None, action=AuditEntry.Action.EDIT, version=owpl)
    model = {"licenses_rendition": Rendition, "licenses_release": Release, "licenses_auditentry": AuditEntry}[table]
    before = model.objects.count()
    with pytest.raises(IntegrityError):
        raw_delete(table)
    assert before > 0 and model.objects.count() == before


def test_a_self_assessment_cannot_be_deleted(canonical):
    statement, _ = create_assessment(data=STATEMENT_ANSWERS)
    with pytest.raises(IntegrityError):
        raw_delete("licenses_assessment")
    assert Assessment.objects.filter(pk=statement.pk).exists()


def test_a_published_version_cannot_be_deleted_but_a_draft_can(owpl):
    with pytest.raises(IntegrityError):
        raw_delete("licenses_version", "id = %s", [owpl.pk])
    draft = Version.objects.create(document=owpl.document, number="9.0", markdown="# Draft\n", fields=owpl.fields)
    raw_delete("licenses_version", "id = %s", [draft.pk])
    assert not Version.objects.filter(pk=draft.pk).exists() and Version.objects.filter(pk=owpl.pk).exists()


def test_a_rendition_refuses_deletion_in_the_models_too(owpl):
    from licenses.models import FrozenError

    with pytest.raises(FrozenError):
        owpl.renditions.first().delete()


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_database_and_the_triggers_stay(canonical):
    call_command("flush", "--noinput", verbosity=0)
    assert not Document.objects.exists() and not Rendition.objects.exists()
    call_command("load_documents", verbosity=0)
    with pytest.raises(IntegrityError):
        raw_delete("licenses_rendition")
    call_command("flush", "--noinput", verbosity=0)


def test_a_release_refuses_any_update_in_the_database(owpl):
    release = create_release(version=owpl, values=VALUES)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE licenses_release SET checksums = '{}' WHERE id = %s", [release.pk])
    assert Release.objects.get(pk=release.pk).checksums == release.checksums
