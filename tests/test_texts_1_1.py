"""Version 1.1 of the Definition and the OWPL, and which licenses meet Definition 1.1 (issue 16)."""

import hashlib
import json
import shutil

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.utils.html import escape

from licenses import conformance, loading, outputs
from licenses.models import Release, Rendition, Version
from licenses.publishing import create_release

VALUES_1_1 = {
    "licensor": "Heron AI Ltd",
    "model": "Heron-3B",
    "year": "2026",
    "location": "https://huggingface.co/heron-ai/Heron-3B",
}


@pytest.fixture
def licenses_json(client, canonical):
    response = client.get("/definition/1.1/licenses.json")
    assert response.status_code == 200
    return response.content


def test_1_1_is_the_latest_of_both_texts_and_1_0_says_it_is_superseded(client, canonical):
    for base in ("/definition", "/licenses/owpl"):
        assert client.get(base + "/")["Location"] == base + "/1.1/"
        old = client.get(base + "/1.0/").content.decode()
        assert "superseded by" in old and f'href="{base}/1.1/"' in old
        assert "This is the current version." in client.get(base + "/1.1/").content.decode()


def test_the_1_1_changelogs_explain_every_change_and_link_the_drafting_log(canonical):
    for slug in ("definition", "owpl"):
        version = Version.objects.get(document__slug=slug, number="1.1")
        bullets = [line for line in version.changelog.splitlines() if line.startswith("- ")]
        assert len(bullets) >= 15, slug
        assert "/about/drafting-1.1/" in version.changelog


def test_the_drafting_log_is_served_and_answers_the_review_section_by_section(client, canonical):
    page = client.get("/about/drafting-1.1/").content.decode()
    for topic in ("Patents", "affiliates", "tokenizer", "Modified Version", "cure", "German", "Annex IV", "MIT"):
        assert topic.lower() in page.lower(), topic
    assert client.get("/about/drafting-2.0/").status_code == 404


def test_owpl_1_1_declares_a_location_and_its_wizard_makes_a_filled_1_1_release(client, canonical):
    version = Version.objects.get(document__slug="owpl", number="1.1")
    assert [field["name"] for field in version.fields] == ["licensor", "model", "year", "location"]
    page = client.get("/licenses/owpl/1.1/wizard/")
    assert page.status_code == 200 and 'name="location"' in page.content.decode()
    response = client.post("/licenses/owpl/1.1/wizard/", VALUES_1_1)
    assert response.status_code == 302, response.content[:500]
    text = client.get(response["Location"].rstrip("/") + ".txt").content.decode()
    assert "Open Weights Permissive License 1.1" in text
    assert "https://huggingface.co/heron-ai/Heron-3B" in text and "Heron AI Ltd" in text


def test_the_1_1_wizard_refuses_a_location_that_is_not_a_web_address(client, canonical):
    response = client.post("/licenses/owpl/1.1/wizard/", {**VALUES_1_1, "location": "my laptop"})
    assert response.status_code == 400
    assert "location" in response.content.decode().lower()
    assert not Release.objects.filter(version__number="1.1").exists()


def test_compare_1_0_to_1_1_shows_the_changes_of_both_texts(client, canonical):
    for base in ("/definition", "/licenses/owpl"):
        diff = client.get(f"{base}/compare/1.0...1.1.diff").content.decode()
        assert diff.count("\n+") > 20 and diff.count("\n-") > 5
        assert client.get(f"{base}/compare/1.0...1.1/").status_code == 200


def test_owpl_1_1_meets_definition_1_1_by_the_licenses_page_s_own_account(licenses_json):
    entries = conformance.entries(licenses_json)
    owpl = conformance.find(licenses_json, "LicenseRef-OWPL-1.1")
    assert owpl is not None and owpl.meets and owpl.unmet == []
    assert owpl.url.endswith("/licenses/owpl/1.1/")
    assert len(entries) >= 17


def test_every_entry_gives_a_verdict_and_a_reason_for_sections_3_to_8(licenses_json):
    data = json.loads(licenses_json)
    assert isinstance(data, list)
    for entry in data:
        assert sorted(entry["sections"]) == ["3", "4", "5", "6", "7", "8"], entry["id"]
        for section, verdict in entry["sections"].items():
            assert isinstance(verdict["meets"], bool), (entry["id"], section)
            # Each reason cites the license's own terms (a section, clause, paragraph or its name).
            assert len(verdict["reason"]) > 40, (entry["id"], section)
        assert entry["meets"] == all(verdict["meets"] for verdict in entry["sections"].values()), entry["id"]


def test_the_licenses_the_issue_names_are_all_assessed(licenses_json):
    ids = {entry.id.lower() for entry in conformance.entries(licenses_json)}
    wanted = {
        "apache-2.0", "mit", "bsd-2-clause", "bsd-3-clause", "cc-by-4.0", "cc-by-sa-4.0", "cc0-1.0",
        "openmdw-1.0", "openmdw-1.1", "licenseref-owpl-1.0", "licenseref-owpl-1.1", "gemma",
        "bigscience-openrail-m", "llama4",
    }  # fmt: skip
    assert wanted <= ids, wanted - ids
    assert any(i.startswith("llama3") for i in ids) and any("mrl" in i for i in ids) and any("nvidia" in i for i in ids)


def test_the_licenses_page_shows_every_entry_and_its_verdicts(client, licenses_json):
    page = client.get("/definition/1.1/licenses/").content.decode()
    for entry in conformance.entries(licenses_json):
        assert escape(entry.name) in page and f'id="{entry.id.lower()}"' in page.lower()
    assert page.count("informative, not legal advice") == 1
    assert hashlib.sha256(licenses_json).hexdigest() in page
    # The definition's page links its assessment; 1.0 has none.
    assert "/definition/1.1/licenses/" in client.get("/definition/1.1/").content.decode()
    assert client.get("/definition/1.0/licenses/").status_code == 404
    assert client.get("/definition/1.0/licenses.json").status_code == 404


def test_the_assessment_is_frozen_with_its_version_and_listed_in_its_metadata(client, licenses_json):
    version = Version.objects.get(document__slug="definition", number="1.1")
    sha = hashlib.sha256(licenses_json).hexdigest()
    assert version.checksums[outputs.LICENSES] == sha
    meta = json.loads(client.get("/definition/1.1.json").content)
    assert meta["licenses"]["sha256"] == sha and meta["licenses"]["url"].endswith("/definition/1.1/licenses.json")
    response = client.get("/definition/1.1/licenses.json", HTTP_IF_NONE_MATCH=f'"{sha}"')
    assert response.status_code == 304
    with pytest.raises(IntegrityError):
        Rendition.objects.filter(version=version, format=outputs.LICENSES).update(body=b"[]")


def test_a_changed_assessment_file_is_refused_once_published(canonical, tmp_path):
    copy = tmp_path / "content"
    shutil.copytree(loading.CONTENT_DIR, copy)
    path = copy / "definition" / "1.1.licenses.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data[0]["summary"] = "Changed after publication."
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(loading.ContentError, match="frozen"):
        loading.load_documents(copy)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda data: data[0]["sections"].pop("8"), "exactly Sections 3, 4, 5, 6, 7, 8"),
        (lambda data: data[0].update(meets=not data[0]["meets"]), "every Section is met"),
        (lambda data: data[0]["sections"]["3"].update(reason=""), "give the reason"),
        (lambda data: data[1].update(id=data[0]["id"]), "repeats the id"),
        (lambda data: data[0].update(url="ftp://example.org/LICENSE"), "https:// URL"),
    ],
)
def test_an_unsound_assessment_is_refused_with_the_reason(change, message):
    data = json.loads((loading.CONTENT_DIR / "definition" / "1.1.licenses.json").read_bytes())
    change(data)
    with pytest.raises(conformance.AssessmentError, match=message):
        conformance.canonical(json.dumps(data).encode())


@pytest.mark.django_db(transaction=True)
def test_verify_checksums_passes_on_a_database_loaded_before_1_1_and_then_upgraded(tmp_path, capsys):
    # Build the database as the site had it before 1.1: only the 1.0 files, and a 1.0 release.
    before = tmp_path / "before"
    shutil.copytree(loading.CONTENT_DIR, before)
    for path in before.glob("*/1.1*"):
        path.unlink()
    call_command("flush", "--noinput", verbosity=0)
    loading.load_documents(before)
    owpl_1_0 = Version.objects.get(document__slug="owpl", number="1.0")
    release = create_release(version=owpl_1_0, values={"licensor": "Old AI", "model": "Old-1B", "year": "2026"})
    frozen = {
        (version.document.slug, version.number): dict(version.renditions.values_list("format", "sha256"))
        for version in Version.objects.all()
    }
    # Then upgrade: load the files as they are now.
    report = loading.load_documents()
    assert sorted(report.created) == ["OWD 1.1", "OWPL 1.1"]
    call_command("verify_checksums")
    assert "match their checksums" in capsys.readouterr().out
    for (slug, number), checksums in frozen.items():
        version = Version.objects.get(document__slug=slug, number=number)
        assert dict(version.renditions.values_list("format", "sha256")) == checksums
    assert Release.objects.get(pk=release.pk).checksums == release.checksums
    call_command("flush", "--noinput", verbosity=0)
