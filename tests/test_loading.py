import json
import shutil

import pytest
from django.core.management import call_command

from licenses import formats, loading
from licenses.models import Document, Rendition, Version

from .factories import content_versions, latest_number, number_after


def test_loading_twice_changes_nothing(canonical):
    before = list(Version.objects.values_list("id", "checksums", "updated_at"))
    renditions = Rendition.objects.count()
    report = loading.load_documents()
    assert report.created == [] and sorted(report.unchanged) == sorted(content_versions())
    assert list(Version.objects.values_list("id", "checksums", "updated_at")) == before
    assert Rendition.objects.count() == renditions


def test_load_command_reports_up_to_date(canonical, capsys):
    call_command("load_documents")
    assert f"0 published, {len(content_versions())} already up to date." in capsys.readouterr().out


def test_canonical_versions_are_published_with_checksums_of_every_format(owpl, definition):
    for version in (owpl, definition):
        assert version.is_published and version.published_at.year == 2026
        assert set(version.checksums) == {fmt.suffix for fmt in formats.stored()} | {"summary"}
    assert owpl.field_names[:3] == ["licensor", "model", "year"]


def test_a_changed_published_source_is_refused_not_applied(canonical, tmp_path):
    copy = tmp_path / "content"
    shutil.copytree(loading.CONTENT_DIR, copy)
    (copy / "owpl" / "1.0.md").write_text("# Rewritten\n", encoding="utf-8")
    with pytest.raises(loading.ContentError, match="frozen"):
        loading.load_documents(copy)
    assert "Rewritten" not in Version.objects.get(document__slug="owpl", number="1.0").markdown


def test_a_new_version_file_is_published_on_load(canonical, tmp_path):
    copy = tmp_path / "content"
    shutil.copytree(loading.CONTENT_DIR, copy)
    latest = latest_number("definition")
    new = number_after(latest)
    source = (copy / "definition" / f"{latest}.md").read_text(encoding="utf-8").replace(latest, new, 1)
    (copy / "definition" / f"{new}.md").write_text(source, encoding="utf-8")
    meta = {"changelog": "Clarified.", "published_at": "2026-12-01T00:00:00Z", "fields": []}
    (copy / "definition" / f"{new}.json").write_text(json.dumps(meta), encoding="utf-8")
    report = loading.load_documents(copy)
    assert report.created == [f"OWD {new}"]
    assert Document.objects.get(slug="definition").latest_version.number == new


def test_versions_are_read_from_the_content_directory_given_not_the_projects(canonical, tmp_path):
    copy = tmp_path / "content"
    shutil.copytree(loading.CONTENT_DIR, copy)
    entries = json.loads((copy / "documents.json").read_text(encoding="utf-8"))
    entries.append({"slug": "guide", "kind": "definition", "title": "A Guide", "short_name": "AG"})
    (copy / "documents.json").write_text(json.dumps(entries), encoding="utf-8")
    (copy / "guide").mkdir()
    (copy / "guide" / "1.0.md").write_text("# A Guide 1.0\n\nOnly in this directory.\n", encoding="utf-8")
    meta = {"changelog": "First.", "published_at": "2026-12-01T00:00:00Z", "fields": []}
    (copy / "guide" / "1.0.json").write_text(json.dumps(meta), encoding="utf-8")
    assert not (loading.CONTENT_DIR / "guide").exists()
    report = loading.load_documents(copy)
    assert report.created == ["AG 1.0"]
    assert "Only in this directory." in Version.objects.get(document__slug="guide", number="1.0").markdown
