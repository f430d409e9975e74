"""The table of formats: one record per format, from which URLs, pages, the static export, releases
and verification all derive; a format added later changes no byte of what is published."""

import dataclasses
import hashlib
import re

import pytest
from django.core.cache import cache
from django.test import Client

from licenses import formats, publishing, rendering, static_export, views
from licenses.models import AuditEntry, Rendition, Version
from licenses.publishing import create_release

VALUES = {"licensor": "Acme AI", "model": "Acme-7B", "year": "2026"}


def _word_list(source: formats.Source) -> bytes:
    words = re.findall(r"[a-z]+", rendering.to_text(source.markdown, source.values).lower())
    return ("\n".join(sorted(set(words))) + "\n").encode()


WORDS = formats.Format(
    "words", "text/plain; charset=utf-8", "Word list", render=_word_list, stored=True, version_file=True
)


def _published_bytes() -> dict[tuple[int, str], bytes]:
    return {(r.version_id, r.format): bytes(r.body) for r in Rendition.objects.all()}


def _release_files(client: Client, release) -> dict[str, bytes]:
    return {fmt.suffix: client.get(release.file_url(fmt.suffix)).content for fmt in formats.release_files()}


def test_a_format_added_later_is_served_listed_exported_verified_and_changes_no_byte(canonical, tmp_path):
    client = Client()
    owpl = Version.objects.get(document__slug="owpl", number="1.0")
    release = create_release(version=owpl, values=VALUES)
    assert client.get("/licenses/owpl/1.0.words").status_code == 404
    renditions, checksums = _published_bytes(), dict(Version.objects.values_list("pk", "checksums"))
    release_files = _release_files(client, release)

    published = Version.objects.published().select_related("document")
    with formats.registered(WORDS):
        made = publishing.complete_renditions()
        assert sorted(made) == sorted(f"{v.document.slug} {v.number} .words" for v in published)
        assert publishing.complete_renditions() == [], "each version gets it once"
        entries = AuditEntry.objects.filter(action=AuditEntry.Action.ADD_FORMAT, detail__format="words")
        assert sorted(entry.detail["format"] for entry in entries) == ["words"] * len(published)
        views.forget_everything()

        response = client.get("/licenses/owpl/1.0.words")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert 'filename="owpl-1.0.words"' in response["Content-Disposition"]
        assert b"licensor\n" in response.content and b"weights\n" in response.content
        sha = hashlib.sha256(response.content).hexdigest()
        assert Rendition.objects.get(version=owpl, format="words").sha256 == sha
        assert entries.get(version=owpl).detail["sha256"] == sha

        page = client.get("/licenses/owpl/1.0/").content.decode()
        assert "/licenses/owpl/1.0.words" in page and sha in page

        static_export.export_static(tmp_path / "site")
        assert (tmp_path / "site" / "licenses" / "owpl" / "1.0.words").read_bytes() == response.content
        assert (tmp_path / "site" / "definition" / "1.0.words").is_file()

        assert publishing.verify_checksums() == []

        # Nothing that was published before changed: renditions, the record of checksums, the
        # metadata's list of formats, and the files of a release made before.
        assert {key: body for key, body in _published_bytes().items() if key[1] != "words"} == renditions
        assert dict(Version.objects.values_list("pk", "checksums")) == checksums
        assert "words" not in client.get("/licenses/owpl/1.0.json").json()["formats"]
        cache.clear()
        assert _release_files(client, release) == release_files

    views.forget_everything()
    assert client.get("/licenses/owpl/1.0.words").status_code == 404, "gone with its record in the table"


def test_verification_names_a_later_format_that_no_longer_renders_its_bytes(canonical, monkeypatch):
    with formats.registered(WORDS):
        publishing.complete_renditions()
        with monkeypatch.context() as patch:
            patch.setitem(formats.FORMATS, "words", dataclasses.replace(WORDS, render=lambda source: b"other\n"))
            problems = publishing.verify_checksums()
    assert "words" not in formats.FORMATS
    published = Version.objects.published().select_related("document")
    assert sorted(line.split(": ", 1)[0] for line in problems) == sorted(
        f"{v.document.slug} {v.number} .words" for v in published
    )
    assert all(".words: recorded" in line for line in problems)


@pytest.mark.parametrize(
    "url",
    [
        "/licenses/owpl/1.0.zip",  # a release's file, not a version's
        "/licenses/owpl/1.0.diff",  # a comparison's
        "/licenses/owpl/1.0.html",  # the page's body, not a file
        "/licenses/owpl/1.0.exe",
        "/definition/1.0.summary",
    ],
)
def test_a_suffix_is_a_url_only_where_the_table_says_so(canonical, url):
    assert Client().get(url).status_code == 404


def test_release_files_and_their_names_come_from_the_table(canonical):
    client = Client()
    owpl = Version.objects.get(document__slug="owpl", number="1.0")
    release = create_release(version=owpl, values=VALUES)
    names = {fmt.suffix: fmt.release_name(release.id) for fmt in formats.release_files()}
    assert names == {
        "txt": "LICENSE",
        "md": "LICENSE.md",
        "pdf": "LICENSE.pdf",
        "json": f"{release.id}.json",
        "zip": f"license-{release.id}.zip",
    }
    for suffix, name in names.items():
        response = client.get(release.file_url(suffix))
        assert response.status_code == 200 and f'filename="{name}"' in response["Content-Disposition"]
    assert client.get(f"/r/{release.id}.html").status_code == 404
    assert set(release.checksums) == {fmt.suffix for fmt in formats.license_files()}


def test_a_format_cannot_be_registered_twice():
    with pytest.raises(ValueError, match="registered already"):
        formats.register(formats.get("txt"))


def test_a_releases_kit_files_are_served_under_their_kit_names(canonical):
    client = Client()
    owpl = Version.objects.get(document__slug="owpl", number="1.0")
    release = create_release(version=owpl, values=VALUES)
    base = release.get_absolute_url()
    for fmt in formats.license_files():
        response = client.get(base + fmt.license_name)
        assert response.status_code == 200 and response["Content-Type"] == fmt.content_type
        assert response.content == client.get(release.file_url(fmt.suffix)).content
        assert f'filename="{fmt.license_name}"' in response["Content-Disposition"]
    notice = client.get(base + "NOTICE")
    assert notice.status_code == 200 and notice.content.startswith(b"Acme-7B\nCopyright 2026 Acme AI")
    assert notice["ETag"] == f'"{hashlib.sha256(notice.content).hexdigest()}"'
    zipped = client.get(release.file_url("zip"))
    assert zipped["Content-Disposition"] == f'attachment; filename="license-{release.id}.zip"'
    assert zipped.content.count(b"NOTICE") >= 1
    for name in ("README", "LICENSE.txt", "notice", "LICENSE.json"):
        assert client.get(base + name).status_code == 404, name


def test_a_license_format_added_later_changes_no_file_of_an_existing_release(canonical):
    client = Client()
    owpl = Version.objects.get(document__slug="owpl", number="1.0")
    release = create_release(version=owpl, values=VALUES)
    before = _release_files(client, release)
    kit_format = dataclasses.replace(WORDS, suffix="kit", license_name="LICENSE.words")
    with formats.registered(kit_format):
        cache.clear()
        views.forget_everything()
        after = {fmt: client.get(release.file_url(fmt)).content for fmt in before}
        newer = create_release(version=owpl, values={**VALUES, "model": "Newer-1B"})
        assert "kit" in newer.checksums, "releases made from now on have it"
    assert after == before
    assert "kit" not in release.checksums
