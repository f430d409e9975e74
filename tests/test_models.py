import pytest
from django.db import IntegrityError, connection, transaction

from licenses.models import FrozenError, Rendition, Version, version_key

from .factories import make_document, make_version


def test_version_numbers_sort_numerically():
    assert sorted(["1.10", "1.9", "2.0", "1.0"], key=version_key) == ["1.0", "1.9", "1.10", "2.0"]


def test_published_version_refuses_text_change(owpl):
    owpl.markdown += "\nOne more sentence."
    with pytest.raises(FrozenError):
        owpl.save()


def test_published_version_refuses_field_change(owpl):
    owpl.fields = owpl.fields[:1]
    with pytest.raises(FrozenError):
        owpl.save()


def test_published_version_refuses_queryset_update_and_delete(owpl):
    with pytest.raises(FrozenError):
        Version.objects.filter(pk=owpl.pk).update(markdown="changed")
    with pytest.raises(FrozenError):
        Version.objects.filter(pk=owpl.pk).delete()
    with pytest.raises(FrozenError):
        owpl.delete()


def test_published_version_refuses_raw_sql_update(owpl):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE licenses_version SET markdown = 'changed' WHERE id = %s", [owpl.pk])
    assert Version.objects.get(pk=owpl.pk).markdown == owpl.markdown


def test_renditions_refuse_any_change(owpl):
    rendition = Rendition.objects.get(version=owpl, format="txt")
    rendition.body = b"changed"
    with pytest.raises(FrozenError):
        rendition.save()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE licenses_rendition SET body = %s WHERE id = %s", [b"changed", rendition.pk])


def test_draft_versions_can_be_edited(db):
    draft = make_version(make_document())
    draft.markdown = "# Changed"
    draft.save()
    Version.objects.filter(pk=draft.pk).update(changelog="Edited.")
    draft.refresh_from_db()
    assert (draft.markdown, draft.changelog) == ("# Changed", "Edited.")
