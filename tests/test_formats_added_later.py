"""A format added to the table later (formats.py): a version's own record holds only the formats added
by its publication, so its record is the same whether a database published it before the format existed
or a fresh database publishes it from the content files; the format comes as a later rendition."""

import dataclasses
import json
import re
from datetime import UTC, datetime, timedelta

from django.test import Client

from licenses import formats, outputs, publishing, rendering
from licenses.loading import CONTENT_DIR
from licenses.models import AuditEntry, Document, Rendition, Version

from .factories import make_document, make_version

ADDED = datetime(2030, 1, 1, tzinfo=UTC)
BEFORE, AFTER = ADDED - timedelta(days=1), ADDED + timedelta(days=1)


def _word_list(source: formats.Source) -> bytes:
    return ("\n".join(sorted(set(re.findall(r"[a-z]+", rendering.to_text(source.markdown).lower())))) + "\n").encode()


LATER = formats.Format(
    "words", "text/plain; charset=utf-8", "Word list", render=_word_list, stored=True, version_file=True, added=ADDED
)


def test_a_version_is_published_with_the_formats_added_by_its_publication(db):
    document = make_document()
    with formats.registered(LATER):
        early = publishing.publish_version(version=make_version(document, "1.0"), published_at=BEFORE)
        late = publishing.publish_version(version=make_version(document, "1.1"), published_at=AFTER)
        assert "words" not in early.checksums and "words" in late.checksums
        assert "words" not in json.loads(outputs.version_file(early, "json")[0])["formats"]
        assert "words" in json.loads(outputs.version_file(late, "json")[0])["formats"]

        made = [line for line in publishing.complete_renditions() if line.startswith("testl ")]
        assert made == ["testl 1.0 .words"], "the earlier one gets it afterwards, the later one has it"
        entry = AuditEntry.objects.get(action=AuditEntry.Action.ADD_FORMAT, version__document=document)
        assert entry.version == early and entry.detail["format"] == "words"
        assert Client().get("/licenses/testl/1.0.words").status_code == 200
        assert publishing.verify_checksums() == []


def test_a_fresh_database_gives_a_version_the_record_an_upgraded_one_has(db):
    """An upgraded database published the version before the format was in the table; a fresh one
    publishes it from its content with the format there. Its record is the same bytes."""
    version = make_version(make_document())
    version.status, version.published_at = Version.Status.PUBLISHED, BEFORE  # as published, not saved
    upgraded = outputs.render_all(version)
    with formats.registered(LATER):
        fresh = outputs.render_all(version)
        version.published_at = AFTER
        later = outputs.render_all(version)
    assert fresh == upgraded
    assert "words" in later and "words" in json.loads(later["json"])["formats"]


def test_every_published_version_of_the_content_files_predates_the_templates_for_tools():
    """So that no content version's record depends on the order of deployment (see formats.py)."""
    for meta in sorted(CONTENT_DIR.glob("*/[0-9]*.[0-9]*.json")):
        if meta.name.endswith(".licenses.json"):
            continue
        published = datetime.fromisoformat(json.loads(meta.read_text())["published_at"].replace("Z", "+00:00"))
        assert published < formats.TOOL_TEMPLATES_ADDED, meta
    for fmt in ("spdx.xml", "scancode.zip"):
        assert formats.get(fmt).added == formats.TOOL_TEMPLATES_ADDED
    assert {fmt.suffix for fmt in formats.FORMATS.values() if fmt.added} == {"spdx.xml", "scancode.zip"}


def test_a_license_published_after_the_templates_were_added_is_published_with_them(db):
    version = publishing.publish_version(
        version=make_version(make_document()), published_at=formats.TOOL_TEMPLATES_ADDED + timedelta(hours=1)
    )
    assert {"spdx.xml", "scancode.zip"} <= set(version.checksums)
    listed = json.loads(outputs.version_file(version, "json")[0])["formats"]
    assert {"spdx.xml", "scancode.zip"} <= set(listed)
    assert publishing.complete_renditions() == []
    assert publishing.verify_checksums() == []


def test_a_format_only_templates_have_is_never_made_for_the_definition(db):
    license_only = dataclasses.replace(LATER, added=None, template_only=True)
    definition = make_document("guide", kind=Document.Kind.DEFINITION)
    with formats.registered(license_only):
        guide = publishing.publish_version(version=make_version(definition, markdown="# A guide\n\nText.\n", fields=[]))
        testl = publishing.publish_version(version=make_version(make_document()))
        assert "words" not in guide.checksums and "words" in testl.checksums
        made = publishing.complete_renditions()
        assert [line for line in made if line.endswith(" .words")] == ["owpl 1.0 .words", "owpl 1.1 .words"]
        assert "words" not in {fmt.suffix for fmt in formats.version_files()}
        assert "words" in {fmt.suffix for fmt in formats.version_files(template=True)}
        assert Client().get("/definition/1.0.words").status_code == 404
        assert Client().get("/licenses/testl/1.0.words").status_code == 200
    assert not Rendition.objects.filter(version__document=definition, format="words").exists()


def test_the_definition_gets_no_templates_for_tools(db):
    definition = make_document("guide", kind=Document.Kind.DEFINITION)
    version = make_version(definition, markdown="# A guide 1.0\n\nNo fields.\n", fields=[])
    published = publishing.publish_version(version=version, published_at=formats.TOOL_TEMPLATES_ADDED + timedelta(1))
    assert not {"spdx.xml", "scancode.zip"} & set(published.checksums)
    assert publishing.complete_renditions() == []
    assert not Rendition.objects.filter(version__document=definition, format__in=["spdx.xml", "scancode.zip"]).exists()
    assert {fmt.suffix for fmt in formats.version_files()} == {"md", "txt", "pdf", "json"}
    assert {fmt.suffix for fmt in formats.version_files(template=True)} == {"md", "txt", "pdf", "json", "spdx.xml",
                                                                          "scancode.zip"}  # fmt: skip


def test_a_drafts_metadata_lists_only_the_files_a_draft_has(db):
    draft = make_version(make_document())
    listed = json.loads(outputs.version_file(draft, "json")[0])["formats"]
    assert set(listed) == {fmt.suffix for fmt in formats.draft_files() if fmt.render is not None}
    assert Client().get(f"/drafts/{draft.pk}.spdx.xml").status_code == 404
    with formats.registered(dataclasses.replace(LATER, draft_file=True, added=None)):
        assert "words" in json.loads(outputs.render_all(draft)["json"])["formats"]
