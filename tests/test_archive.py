"""Export, import and checksum verification: nothing lost, byte for byte."""

import io
import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import connection

from licenses import archive, publishing, rendering
from licenses.management.commands.flush import delete_triggers_set_aside
from licenses.models import AuditEntry, Comment, Document, Release, ReleaseOwner, Rendition, Version
from licenses.publishing import create_release

from .factories import content_documents, content_numbers, content_versions, latest_number, number_after

# What `manage.py migrate` fills in by itself; an import expects these and leaves them be.
MIGRATED_TABLES = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "auth_group",
    "auth_group_permissions",
    "django_site",
}


def tree(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def assert_same_tree(a: Path, b: Path) -> None:
    first, second = tree(a), tree(b)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


def wipe_content() -> None:
    """Empty every table but the migrated ones, inside the test's transaction (rolled back after it).

    As `flush` does, the triggers that refuse DELETE are set aside meanwhile (on SQLite; PostgreSQL
    truncates), so that published versions go too.
    """
    tables = [t for t in connection.introspection.django_table_names(only_existing=True) if t not in MIGRATED_TABLES]
    with delete_triggers_set_aside(connection), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE refuses tables with pending deferred foreign-key checks: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in connection.ops.sql_flush(no_style(), tables):
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def site(canonical):
    """A site with something of everything: drafts, a review with comments, releases, owners, audit, accounts."""
    owpl, definition = canonical["owpl"].versions.get(number="1.0"), canonical["definition"].versions.get(number="1.0")
    # The drafts come after the latest published versions.
    latest_owpl, latest_definition = (
        canonical[slug].versions.get(number=latest_number(slug)) for slug in ("owpl", "definition")
    )
    # A transactional test may have flushed away the group that the migration creates.
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(Permission.objects.get(codename="edit_documents"))
    alice = User.objects.create_user("alice", "alice@example.org", "correct horse", first_name="Alice")
    alice.groups.add(editors)
    alice.last_login = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    alice.save()
    bob = User.objects.create_user("bob", "bob@example.org", "battery staple", is_staff=True)
    bob.user_permissions.add(Permission.objects.get(codename="view_comment"))
    EmailAddress.objects.create(user=alice, email="alice@example.org", verified=True, primary=True)
    EmailAddress.objects.create(user=bob, email="bob@example.org", verified=True, primary=True)
    EmailAddress.objects.create(user=bob, email="bob@old.example.org", verified=False, primary=False)

    draft_number = number_after(latest_owpl.number)
    draft = Version.objects.create(
        document=canonical["owpl"],
        number=draft_number,
        # Line endings and non-ASCII text must come back byte for byte.
        markdown=f"# OWPL {draft_number}\r\n\r\nÜber {{{{model}}}} — © {{{{year}}}} {{{{licensor}}}}\n",
        fields=owpl.fields,
    )
    review = Version.objects.create(
        document=canonical["definition"],
        number=number_after(latest_definition.number),
        status=Version.Status.REVIEW,
        markdown=latest_definition.markdown + "\nOne more clause.\n",
        summary=latest_definition.summary,
        changelog="Add a clause.",
    )
    open_comment = Comment.objects.create(version=review, author=bob, body="Why this clause?\nIt reads broadly.")
    resolved = Comment.objects.create(
        version=review, author=bob, body="Typo in §2.", resolved_at=datetime.now(UTC), resolved_by=alice
    )
    values = {"licensor": "Ada Labs", "model": "Ada-7B", "year": "2026"}
    owned = create_release(version=owpl, values=values, owner=bob)
    create_release(version=owpl, values=values, owner=alice)
    anonymous = create_release(version=owpl, values={"licensor": "Ünïcode Åb", "model": "Zeta 1", "year": "2025"})
    for actor, action, version, detail in [
        (alice, AuditEntry.Action.CREATE, draft, {"based_on": latest_owpl.number}),
        (alice, AuditEntry.Action.OPEN_REVIEW, review, {}),
        (bob, AuditEntry.Action.COMMENT, review, {"comment": open_comment.pk}),
        (alice, AuditEntry.Action.RESOLVE_COMMENT, review, {"comment": resolved.pk}),
        (None, AuditEntry.Action.PUBLISH, owpl, {"checksums": owpl.checksums}),
    ]:
        AuditEntry.objects.create(actor=actor, action=action, version=version, detail=detail)
    return {
        "owpl": owpl,
        "definition": definition,
        "draft": draft,
        "review": review,
        "alice": alice,
        "bob": bob,
        "owned": owned,
        "anonymous": anonymous,
    }


def test_export_then_import_into_an_empty_database_gives_back_the_same_tree(site, tmp_path, client):
    call_command("export_site", tmp_path / "a", stdout=io.StringIO())
    audit_entries = AuditEntry.objects.count()  # the site's own and "rendered a format added since" ones
    versions = Version.objects.order_by("pk").values_list("pk", "status", "created_at", "updated_at")
    comments = Comment.objects.order_by("pk").values_list("pk", "created_at", "resolved_at", "resolved_by")
    before = list(versions), list(comments)
    wipe_content()
    assert archive.existing_content() == {}

    out = io.StringIO()
    call_command("import_site", tmp_path / "a", stdout=out)
    call_command("export_site", tmp_path / "b", stdout=io.StringIO())

    assert_same_tree(tmp_path / "a", tmp_path / "b")
    assert audit_entries > 5
    assert out.getvalue().startswith(
        f"Imported {audit_entries} audit entries, 2 comments, 2 documents, 3 email addresses, "
    )
    # The same primary keys and timestamps, not merely the same-looking files.
    assert (list(versions.all()), list(comments.all())) == before
    assert set(ReleaseOwner.objects.filter(release=site["owned"]).values_list("user__username", flat=True)) == {
        "alice",
        "bob",
    }
    assert User.objects.get(username="alice").groups.get().name == "Editors"
    assert User.objects.get(username="bob").has_perm("licenses.view_comment")
    assert client.login(username="alice", password="correct horse")
    assert client.get(site["owned"].get_absolute_url()).status_code == 200
    assert client.get(site["owpl"].file_url("pdf")).content == bytes(
        Rendition.objects.get(version=site["owpl"], format="pdf").body
    )


def test_the_export_is_a_plain_tree_of_markdown_json_and_the_stored_files(site, tmp_path):
    archive.export_site(tmp_path)
    files = tree(tmp_path)
    owpl, draft, owned = site["owpl"], site["draft"], site["owned"]

    assert load(tmp_path / "manifest.json") == {
        "format": archive.FORMAT,
        "format_version": 1,
        "counts": {
            "audit_entries": AuditEntry.objects.count(),
            "comments": 2,
            "documents": 2,
            "email_addresses": 3,
            "groups": Group.objects.count(),
            "release_owners": 2,
            "releases": 2,
            "renditions": Rendition.objects.count(),
            "users": 2,
            "versions": len(content_versions()) + 2,  # and the draft and the review
        },
    }
    published = "documents/owpl/versions/1.0"
    assert files[f"{published}/text.md"] == owpl.markdown.encode()
    assert files[f"{published}/summary.md"] == owpl.summary.encode()
    for rendition in Rendition.objects.filter(version=owpl):
        assert files[f"{published}/renditions/{rendition.format}"] == bytes(rendition.body)
    assert files[f"{published}/renditions/pdf"].startswith(b"%PDF")
    assert files[f"documents/owpl/versions/draft-{draft.pk}/text.md"] == draft.markdown.encode()
    review = site["review"]
    assert files[f"documents/definition/versions/draft-{review.pk}/summary.md"] == review.summary.encode()

    version = load(tmp_path / published / "version.json")
    assert set(version) == {f.name for f in Version._meta.concrete_fields} - {"markdown", "summary"} | {"renditions"}
    assert version["id"] == owpl.pk and version["status"] == "published" and version["checksums"] == owpl.checksums
    assert version["published_at"] == "2026-11-25T00:00:00Z"
    assert version["created_at"].endswith("Z")
    assert [r["format"] for r in version["renditions"]] == list(
        Rendition.objects.filter(version=owpl).order_by("pk").values_list("format", flat=True)
    )

    release = load(tmp_path / "releases" / f"{owned.pk}.json")
    assert release["version"] == owpl.pk and release["values"] == owned.values
    assert release["checksums"] == owned.checksums
    assert [owner["user"] for owner in release["owners"]] == [site["bob"].pk, site["alice"].pk]

    users = load(tmp_path / "accounts/users.json")
    assert [user["username"] for user in users] == ["alice", "bob"]
    assert users[0]["password"] == site["alice"].password and users[0]["groups"] == ["Editors"]
    assert users[0]["last_login"] == "2026-01-02T03:04:05.678901Z"
    assert users[1]["user_permissions"] == ["licenses.view_comment"]
    assert [a["email"] for a in load(tmp_path / "accounts/email_addresses.json")][-1] == "bob@old.example.org"
    comments = load(tmp_path / "comments.json")
    assert [c["id"] for c in comments] == sorted(c["id"] for c in comments)
    assert comments[1]["resolved_by"] == site["alice"].pk and comments[1]["body"] == "Typo in §2."
    # The whole trail, oldest first: the formats added since the canonical versions' publication
    # (complete_renditions, when they were loaded), then the editor's draft.
    audit = load(tmp_path / "audit.json")
    assert [entry["action"] for entry in audit] == list(
        AuditEntry.objects.order_by("pk").values_list("action", flat=True)
    )
    assert "create" in [entry["action"] for entry in audit] and audit[0]["action"] == "add_format"

    for name, body in files.items():
        if name.endswith(".json") and "/renditions/" not in name:
            text = body.decode()
            assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n", name


def test_exporting_twice_gives_identical_trees_and_a_reexport_leaves_nothing_stale(site, tmp_path):
    archive.export_site(tmp_path / "a")
    archive.export_site(tmp_path / "b")
    assert_same_tree(tmp_path / "a", tmp_path / "b")

    extra = Version.objects.create(document=site["draft"].document, number="2.0", markdown="# Two\n")
    archive.export_site(tmp_path / "a")
    assert f"documents/owpl/versions/draft-{extra.pk}/text.md" in tree(tmp_path / "a")
    extra.delete()
    (tmp_path / "a" / "NOTES.txt").write_text("kept\n")
    archive.export_site(tmp_path / "a")
    (tmp_path / "a" / "NOTES.txt").unlink()
    assert_same_tree(tmp_path / "a", tmp_path / "b")


def test_export_refuses_a_directory_that_holds_something_else(canonical, tmp_path):
    (tmp_path / "thesis.md").write_text("mine\n")
    with pytest.raises(CommandError, match="not empty and holds no previous export"):
        call_command("export_site", tmp_path)
    assert tree(tmp_path) == {"thesis.md": b"mine\n"}


def test_import_refuses_a_database_that_holds_content(site, tmp_path):
    archive.export_site(tmp_path)
    with pytest.raises(CommandError, match=r"already holds .*2 documents.* only into an empty database"):
        call_command("import_site", tmp_path)
    assert Version.objects.count() == len(content_versions()) + 2

    wipe_content()
    User.objects.create_user("admin")
    with pytest.raises(CommandError, match="already holds 1 users"):
        call_command("import_site", tmp_path)


def test_import_refuses_an_incomplete_export(site, tmp_path):
    archive.export_site(tmp_path)
    (tmp_path / "releases" / f"{site['anonymous'].pk}.json").unlink()
    wipe_content()
    with pytest.raises(CommandError, match="lists 2 releases but .* holds 1: the export is incomplete"):
        call_command("import_site", tmp_path)
    assert archive.existing_content() == {}


def test_an_export_made_before_the_number_columns_imports_with_them_filled(site, tmp_path):
    archive.export_site(tmp_path)
    for path in tmp_path.glob("documents/*/versions/*/version.json"):
        data = load(path)
        del data["major"], data["minor"]
        path.write_text(json.dumps(data))
    wipe_content()
    archive.import_site(tmp_path)
    assert not Version.objects.filter(major=None).exclude(number__regex=r"^0[0-9]").exists()
    assert Document.objects.get(slug="owpl").latest_version.number == latest_number("owpl")


def test_import_refuses_a_tampered_rendition_and_imports_nothing(site, tmp_path):
    archive.export_site(tmp_path)
    stored = tmp_path / "documents" / "owpl" / "versions" / "1.0" / "renditions" / "txt"
    body = bytearray(stored.read_bytes())
    body[100] ^= 0x01
    stored.write_bytes(bytes(body))
    wipe_content()
    with pytest.raises(CommandError, match=r"do not match their recorded SHA-256.*owpl 1.0 \.txt"):
        call_command("import_site", tmp_path)
    assert archive.existing_content() == {}


@pytest.mark.django_db(transaction=True)
def test_import_after_flush_restores_the_groups_and_moves_the_sequences_on(site, tmp_path):
    archive.export_site(tmp_path / "a")
    call_command("flush", "--noinput")
    assert not Group.objects.exists()

    call_command("import_site", tmp_path / "a", stdout=io.StringIO())
    archive.export_site(tmp_path / "b")

    assert_same_tree(tmp_path / "a", tmp_path / "b")
    alice = User.objects.get(username="alice")
    assert alice.has_perm("licenses.edit_documents")
    # New rows must not collide with the restored ids (PostgreSQL's sequences were reset by flush).
    new_user = User.objects.create_user("carol")
    document = Document.objects.create(slug="new", kind=Document.Kind.LICENSE, title="New", short_name="NEW")
    version = Version.objects.create(document=document, number="1.0", markdown="# New\n")
    comment = Comment.objects.create(version=site["review"], author=new_user, body="After the restore.")
    entry = AuditEntry.objects.create(actor=alice, action=AuditEntry.Action.CREATE, version=version)
    address = EmailAddress.objects.create(user=new_user, email="carol@example.org")
    owner = ReleaseOwner.objects.create(release=site["anonymous"], user=new_user)
    assert new_user.pk > site["bob"].pk and version.pk > site["review"].pk
    assert comment.pk > 2 and entry.pk > 5 and address.pk > 3 and owner.pk > 2


def test_verify_checksums_passes_on_the_stored_site(site):
    out = io.StringIO()
    call_command("verify_checksums", stdout=out)
    assert publishing.verify_checksums() == []
    assert out.getvalue() == f"{Version.objects.published().count()} versions and 2 releases match their checksums\n"


def test_verify_checksums_names_what_drifts_when_the_renderer_changes(site, monkeypatch):
    to_text = rendering.to_text
    monkeypatch.setattr(rendering, "to_text", lambda *args, **kwargs: to_text(*args, **kwargs) + "A new line.\n")

    problems = publishing.verify_checksums()

    drifted = sorted(line.split(": ", 1)[0] for line in problems)
    releases = sorted(release.pk for release in Release.objects.all())
    versions = [
        (document["slug"], number) for document in content_documents() for number in content_numbers(document["slug"])
    ]
    # The .json lists the .txt's checksum, so it drifts with it, and a license's ScanCode bundle
    # carries its plain text; nothing else uses the text renderer.
    expected = [f"{slug} {number} .{fmt}" for slug, number in versions for fmt in ("json", "txt")]
    expected += [f"{slug} {number} .scancode.zip" for slug, number in versions if slug == "owpl"]
    assert drifted == sorted(expected + [f"release {pk} .txt" for pk in releases])
    owpl_txt = next(line for line in problems if line.startswith("owpl 1.0 .txt"))
    assert f"recorded {site['owpl'].checksums['txt'][:12]}, but re-rendered " in owpl_txt
    out = io.StringIO()
    with pytest.raises(CommandError, match=rf"{len(drifted)} file\(s\) no longer match .*owpl 1\.0 \.txt"):
        call_command("verify_checksums", stdout=out)
    assert out.getvalue().splitlines() == problems


def test_verify_checksums_names_a_stored_file_or_checksum_that_no_longer_matches(site):
    # Someone with write access to the database sets the triggers aside and swaps a rendition.
    with delete_triggers_set_aside(connection):
        Rendition.objects.filter(version=site["owpl"], format="md")._raw_delete(connection.alias)
        Rendition.objects.create(
            version=site["owpl"], format="md", body=b"# Changed\n", sha256=site["owpl"].checksums["md"]
        )
    problems = publishing.verify_checksums()
    assert len(problems) == 1
    assert problems[0].startswith(f"owpl 1.0 .md: recorded {site['owpl'].checksums['md'][:12]}, but stored rendition")


def test_verify_checksums_names_a_release_checksum_that_no_longer_matches(site, tmp_path):
    archive.export_site(tmp_path)
    release_path = tmp_path / "releases" / f"{site['anonymous'].pk}.json"
    release = load(release_path)
    release["checksums"]["pdf"] = "0" * 64
    release_path.write_text(json.dumps(release))
    wipe_content()
    archive.import_site(tmp_path)

    problems = publishing.verify_checksums()

    assert len(problems) == 1
    assert problems[0].startswith(f"release {site['anonymous'].pk} .pdf: recorded 000000000000, but re-rendered")


def test_account_files_are_written_for_the_exporting_user_alone(site, tmp_path):
    archive.export_site(tmp_path / "backup")
    accounts = tmp_path / "backup" / "accounts"
    assert stat.S_IMODE(accounts.stat().st_mode) == 0o700
    users = accounts / "users.json"
    assert stat.S_IMODE(users.stat().st_mode) == 0o600 and b"password" in users.read_bytes()
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in accounts.iterdir())
    assert stat.S_IMODE((tmp_path / "backup" / "manifest.json").stat().st_mode) == 0o644
