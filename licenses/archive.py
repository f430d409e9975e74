"""Export the whole site to a plain tree of Markdown and JSON, restore it exactly, verify checksums.

"Nothing lost": every row that matters is written out, with its primary key and its timestamps,
so that `import_site` on an empty database gives back the same site (the same permalinks, the
same bytes) and exporting that again gives a byte-identical tree.

Layout of an export (format version 1)::

    manifest.json                       format name, format version, how many of each thing
    accounts/users.json                 every user: all columns (password hash included), groups
                                        and permissions by name
    accounts/groups.json                every group by name, with its permissions by name
    accounts/email_addresses.json       allauth's EmailAddress rows
    documents/<slug>/document.json      one Document
    documents/<slug>/versions/<key>/    one Version, where <key> is the number of a published
                                        version (unique and permanent) and draft-<pk> for drafts
                                        and review drafts (their number may still change)
        version.json                    every column but the text, plus its renditions' rows
        text.md                         Version.markdown, byte for byte
        summary.md                      Version.summary, byte for byte
        renditions/<format>             a stored Rendition's bytes (html, md, txt, pdf, json, ...)
    releases/<id>.json                  one Release, with its ReleaseOwner rows as "owners"
    assessments/<id>.json               one Assessment (a self-assessment), every column but its statement
    assessments/<id>.statement.json     its statement, the frozen JSON it serves, byte for byte
    comments.json                       every Comment
    audit.json                          every AuditEntry

Conventions: JSON is written with indent=2, sorted keys, UTF-8 (not ASCII-escaped) and a trailing
newline; lists are ordered by primary key; timestamps are ISO 8601 in UTC with a "Z"; a foreign
key is written as the primary key it points to; a row is written column by column from the model's
fields, so a field added later is exported without changes here. Groups are keyed by name, not by
primary key: `manage.py migrate` creates the Editors group itself, and nothing refers to a group's
primary key. Not exported: sessions, the admin log, pending e-mail confirmations, and the Site row
(its domain comes from SITE_URL, which belongs to the installation, not to the content).

Import restores into a database prepared by `manage.py migrate` that holds no content: no
document, version, rendition, release, owner, assessment, comment, audit entry, user or e-mail address (users
too, since their primary keys are restored as they were). Rows are only INSERTed, with their
original keys and timestamps, in one transaction; the sequences are then moved past them. Groups
named in the export are created when missing (`manage.py flush` removes the Editors group that
the migration made) and are given exactly their exported permissions.

An export holds password hashes: keep it as private as the database.
"""

import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.color import no_style
from django.db import connection, models, transaction

from .models import (
    Assessment,
    AuditEntry,
    Comment,
    Document,
    Release,
    ReleaseOwner,
    Rendition,
    Version,
    number_parts,
)

FORMAT = "open-weights-site-export"
FORMAT_VERSION = 1
# What an export consists of at the top of its directory; re-exporting replaces exactly these.
TOP_LEVEL = ("manifest.json", "accounts", "documents", "releases", "assessments", "comments.json", "audit.json")
PRIVATE_FOLDER = "accounts"  # password hashes and e-mail addresses: 0600 files in a 0700 folder
# Names that become file or folder names: nothing that could climb out of the export directory.
SAFE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class ArchiveError(Exception):
    """An export or import cannot go ahead; the message says why and what to do."""


# Encoding rows


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _encode(value):
    if isinstance(value, datetime):
        return _timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        raise ArchiveError("Binary columns are written as files, not into JSON.")
    return value


def _record(obj: models.Model, *, omit: Iterable[str] = ()) -> dict:
    """Return every column of a row by field name; a foreign key as the key it points to."""
    omit = set(omit)
    return {
        field.name: _encode(getattr(obj, field.attname))
        for field in obj._meta.concrete_fields
        if field.name not in omit
    }


def _instance(model: type[models.Model], data: dict, where: str, **extra) -> models.Model:
    """Build an unsaved row from a record written by _record()."""
    fields = {field.name: field for field in model._meta.concrete_fields}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ArchiveError(f"{where}: unknown {model.__name__} field(s) {', '.join(unknown)}.")
    values = {}
    for name, value in data.items():
        field = fields[name]
        if value is not None and isinstance(field, models.DateTimeField):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(field, models.DateField):
            value = date.fromisoformat(value)
        values[field.attname] = value
    # A field missing from an older export keeps its default.
    return model(**values, **extra)


def _json(data) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _safe(name: str, what: str) -> str:
    if not SAFE_NAME_RE.match(name) or ".." in name:
        raise ArchiveError(f"The {what} {name!r} cannot be used as a file name.")
    return name


def _permission_name(permission: Permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


def version_folder(version: Version) -> str:
    """Return the folder name of a version: its number once published, draft-<pk> before."""
    if version.is_published:
        return _safe(version.number, "version number")
    return f"draft-{version.pk}"


# Export


@contextmanager
def _snapshot() -> Iterator[None]:
    """Read everything from one consistent state of the database."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        # PostgreSQL's default READ COMMITTED gives each query its own snapshot; a concurrent
        # publication could then appear in versions.json's world but not in the renditions'.
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def export_files() -> dict[str, bytes]:
    """Return the export as a mapping of relative paths to bytes."""
    files: dict[str, bytes] = {}
    counts: dict[str, int] = {}
    with _snapshot():
        User = get_user_model()
        users = []
        for user in User.objects.prefetch_related("groups", "user_permissions__content_type").order_by("pk"):
            data = _record(user)
            data["groups"] = sorted(group.name for group in user.groups.all())
            data["user_permissions"] = sorted(_permission_name(p) for p in user.user_permissions.all())
            users.append(data)
        files["accounts/users.json"] = _json(users)
        groups = [
            {"name": group.name, "permissions": sorted(_permission_name(p) for p in group.permissions.all())}
            for group in Group.objects.prefetch_related("permissions__content_type").order_by("name")
        ]
        files["accounts/groups.json"] = _json(groups)
        addresses = [_record(address) for address in EmailAddress.objects.order_by("pk")]
        files["accounts/email_addresses.json"] = _json(addresses)
        counts.update(users=len(users), groups=len(groups), email_addresses=len(addresses))

        documents = {document.pk: document for document in Document.objects.order_by("pk")}
        for document in documents.values():
            files[f"documents/{_safe(document.slug, 'document slug')}/document.json"] = _json(_record(document))
        counts.update(documents=len(documents), versions=0, renditions=0)
        renditions: dict[int, list[Rendition]] = {}
        for rendition in Rendition.objects.order_by("pk"):
            renditions.setdefault(rendition.version_id, []).append(rendition)
        for version in Version.objects.order_by("pk"):
            folder = f"documents/{documents[version.document_id].slug}/versions/{version_folder(version)}"
            data = _record(version, omit=("markdown", "summary"))
            data["renditions"] = []
            for rendition in renditions.get(version.pk, []):
                data["renditions"].append(_record(rendition, omit=("version", "body")))
                files[f"{folder}/renditions/{_safe(rendition.format, 'rendition format')}"] = bytes(rendition.body)
            files[f"{folder}/version.json"] = _json(data)
            files[f"{folder}/text.md"] = version.markdown.encode()
            files[f"{folder}/summary.md"] = version.summary.encode()
            counts["versions"] += 1
            counts["renditions"] += len(data["renditions"])

        owners: dict[str, list[ReleaseOwner]] = {}
        for owner in ReleaseOwner.objects.order_by("pk"):
            owners.setdefault(owner.release_id, []).append(owner)
        counts.update(releases=0, release_owners=0)
        for release in Release.objects.order_by("pk"):
            data = _record(release)
            data["owners"] = [_record(owner, omit=("release",)) for owner in owners.get(release.pk, [])]
            files[f"releases/{_safe(release.pk, 'release id')}.json"] = _json(data)
            counts["releases"] += 1
            counts["release_owners"] += len(data["owners"])

        assessments = list(Assessment.objects.order_by("pk"))
        for made in assessments:
            name = _safe(made.pk, "assessment id")
            files[f"assessments/{name}.json"] = _json(_record(made, omit=("body",)))
            files[f"assessments/{name}.statement.json"] = bytes(made.body)
        if assessments:  # counted only when there are some: a site without any exports as it did before them
            counts["assessments"] = len(assessments)

        comments = [_record(comment) for comment in Comment.objects.order_by("pk")]
        files["comments.json"] = _json(comments)
        entries = [_record(entry) for entry in AuditEntry.objects.order_by("pk")]
        files["audit.json"] = _json(entries)
        counts.update(comments=len(comments), audit_entries=len(entries))
    files["manifest.json"] = _json({"format": FORMAT, "format_version": FORMAT_VERSION, "counts": counts})
    return files


def _read_json(path: Path):
    try:
        return json.loads(path.read_bytes().decode())
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ArchiveError(f"Cannot read {path}: {error}") from error


def read_manifest(directory: Path) -> dict:
    """Return the manifest of an export directory, refusing a directory that holds no export."""
    path = Path(directory) / "manifest.json"
    manifest = _read_json(path) if path.is_file() else None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(f"{directory} holds no export: manifest.json is missing or not an {FORMAT} manifest.")
    return manifest


def describe_counts(counts: dict[str, int]) -> str:
    """Return a manifest's counts as a phrase such as '2 documents, 5 versions'."""
    return ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in sorted(counts.items()))


def _prepare(directory: Path) -> None:
    """Make directory ready for an export: new, empty, or holding a previous export to replace."""
    if directory.exists() and not directory.is_dir():
        raise ArchiveError(f"{directory} is not a directory.")
    if directory.is_dir() and any(directory.iterdir()):
        try:
            read_manifest(directory)
        except ArchiveError as error:
            message = f"{directory} is not empty and holds no previous export: choose an empty directory."
            raise ArchiveError(message) from error
        # Replace only what an export writes, so files such as .git or a README stay, and a
        # version that has since been published leaves no stale draft folder behind.
        for name in TOP_LEVEL:
            path = directory / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
    directory.mkdir(parents=True, exist_ok=True)


def export_site(directory: Path) -> None:
    """Write every document, version, rendition, release, assessment, comment, audit entry and account to
    directory."""
    directory = Path(directory)
    files = export_files()  # read everything before touching the directory
    _prepare(directory)
    for relative, body in sorted(files.items()):
        path = directory / relative
        private = relative.startswith(PRIVATE_FOLDER + "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        if private:
            path.parent.chmod(0o700)  # accounts hold password hashes: for the exporting user only
        # Created with its final mode, so a private file is never readable by others, even briefly.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
        with os.fdopen(descriptor, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600 if private else 0o644)
            handle.write(body)


# Import


@contextmanager
def _explicit_timestamps(model_classes: Iterable[type[models.Model]]) -> Iterator[None]:
    """Let auto_now and auto_now_add fields take the values given, for the duration."""
    patched = []
    try:
        for model in model_classes:
            for field in model._meta.concrete_fields:
                if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                    patched.append((field, field.auto_now, field.auto_now_add))
                    field.auto_now = field.auto_now_add = False
        yield
    finally:
        for field, auto_now, auto_now_add in patched:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _content_models() -> list[type[models.Model]]:
    """Return the models an import fills, parents before children."""
    return [
        get_user_model(),
        EmailAddress,
        Document,
        Version,
        Rendition,
        Release,
        ReleaseOwner,
        Assessment,
        Comment,
        AuditEntry,
    ]


def existing_content() -> dict[str, int]:
    """Return how many rows of each kind of content the database holds, leaving out the empty kinds."""
    counts = {str(model._meta.verbose_name_plural): model._default_manager.count() for model in _content_models()}
    return {name: count for name, count in counts.items() if count}


class _Tree:
    """The rows read back from an export directory, each kind sorted by primary key."""

    def __init__(self, directory: Path):
        self.directory = directory
        manifest = read_manifest(directory)
        if manifest.get("format_version") != FORMAT_VERSION:
            raise ArchiveError(
                f"{directory} is in export format version {manifest.get('format_version')}; "
                f"this code reads version {FORMAT_VERSION}."
            )
        self.expected = manifest.get("counts", {})
        self.rows: dict[type[models.Model], list[models.Model]] = {model: [] for model in _content_models()}
        self.user_groups: list[tuple[int, str]] = []
        self.user_permissions: list[tuple[int, str]] = []
        self.groups: list[dict] = _read_json(directory / "accounts/groups.json")
        self._read_accounts()
        self._read_documents()
        self._read_releases()
        self._read_assessments()
        self._read_list("comments.json", Comment)
        self._read_list("audit.json", AuditEntry)
        for rows in self.rows.values():
            rows.sort(key=lambda row: row.pk)
        self._check_counts()
        self._check_checksums()

    def _read_list(self, relative: str, model: type[models.Model]) -> None:
        for data in _read_json(self.directory / relative):
            self.rows[model].append(_instance(model, data, relative))

    def _read_accounts(self) -> None:
        User = get_user_model()
        for data in _read_json(self.directory / "accounts/users.json"):
            groups, permissions = data.pop("groups", []), data.pop("user_permissions", [])
            user = _instance(User, data, "accounts/users.json")
            self.rows[User].append(user)
            self.user_groups += [(user.pk, name) for name in groups]
            self.user_permissions += [(user.pk, name) for name in permissions]
        self._read_list("accounts/email_addresses.json", EmailAddress)

    def _read_documents(self) -> None:
        for document_dir in sorted(p for p in (self.directory / "documents").glob("*") if p.is_dir()):
            where = f"documents/{document_dir.name}"
            document = _instance(Document, _read_json(document_dir / "document.json"), f"{where}/document.json")
            self.rows[Document].append(document)
            for version_dir in sorted(p for p in (document_dir / "versions").glob("*") if p.is_dir()):
                self._read_version(document, version_dir, f"{where}/versions/{version_dir.name}")

    def _read_version(self, document: Document, folder: Path, where: str) -> None:
        data = _read_json(folder / "version.json")
        renditions = data.pop("renditions", [])
        try:
            markdown = (folder / "text.md").read_bytes().decode()
            summary = (folder / "summary.md").read_bytes().decode()
        except (OSError, UnicodeDecodeError) as error:
            raise ArchiveError(f"{where}: {error}") from error
        version = _instance(Version, data, f"{where}/version.json", markdown=markdown, summary=summary)
        # An export made before the integer columns existed: bulk_create skips save(), which fills them.
        version.major, version.minor = number_parts(version.number)
        if version.document_id != document.pk:
            raise ArchiveError(f"{where}/version.json belongs to document {version.document_id}, not {document.pk}.")
        self.rows[Version].append(version)
        for row in renditions:
            path = folder / "renditions" / _safe(row.get("format", ""), "rendition format")
            try:
                body = path.read_bytes()
            except OSError as error:
                raise ArchiveError(f"{where}: the rendition file is missing: {error}") from error
            rendition = _instance(Rendition, row, f"{where}/version.json", version_id=version.pk, body=body)
            self.rows[Rendition].append(rendition)

    def _read_releases(self) -> None:
        for path in sorted((self.directory / "releases").glob("*.json")):
            where = f"releases/{path.name}"
            data = _read_json(path)
            owners = data.pop("owners", [])
            release = _instance(Release, data, where)
            self.rows[Release].append(release)
            self.rows[ReleaseOwner] += [_instance(ReleaseOwner, row, where, release_id=release.pk) for row in owners]

    def _read_assessments(self) -> None:
        for path in sorted((self.directory / "assessments").glob("*.json")):
            if path.name.endswith(".statement.json"):
                continue
            where = f"assessments/{path.name}"
            try:
                body = path.with_name(path.name.removesuffix(".json") + ".statement.json").read_bytes()
            except OSError as error:
                raise ArchiveError(f"{where}: the statement file is missing: {error}") from error
            self.rows[Assessment].append(_instance(Assessment, _read_json(path), where, body=body))

    def _check_counts(self) -> None:
        found = {
            "users": get_user_model(),
            "email_addresses": EmailAddress,
            "documents": Document,
            "versions": Version,
            "renditions": Rendition,
            "releases": Release,
            "release_owners": ReleaseOwner,
            "assessments": Assessment,
            "comments": Comment,
            "audit_entries": AuditEntry,
        }
        found = {name: len(self.rows[model]) for name, model in found.items()} | {"groups": len(self.groups)}
        for name, count in found.items():
            if self.expected.get(name, 0) != count:
                raise ArchiveError(
                    f"The manifest lists {self.expected.get(name, 0)} {name.replace('_', ' ')} "
                    f"but {self.directory} holds {count}: the export is incomplete."
                )

    def _check_checksums(self) -> None:
        """Refuse an export whose stored bytes are not what was published: the site would serve bytes
        that contradict their own ETag and checksums. Checked before anything is written."""
        versions = {version.pk: version for version in self.rows[Version]}
        slugs = {document.pk: document.slug for document in self.rows[Document]}
        wrong = []
        for rendition in self.rows[Rendition]:
            version = versions.get(rendition.version_id)
            recorded = {rendition.sha256}
            if version is not None and rendition.format in version.checksums:
                recorded.add(version.checksums[rendition.format])
            if {hashlib.sha256(bytes(rendition.body)).hexdigest()} != recorded:
                name = f"{slugs.get(version.document_id)} {version.number}" if version else rendition.version_id
                wrong.append(f"{name} .{rendition.format}")
        wrong += [
            f"assessment {made.pk}"
            for made in self.rows[Assessment]
            if hashlib.sha256(bytes(made.body)).hexdigest() != made.sha256
        ]
        if wrong:
            raise ArchiveError(
                "The export's stored files do not match their recorded SHA-256 (changed or damaged): "
                f"{', '.join(wrong)}. Nothing was imported."
            )


def _permissions(names: Iterable[str]) -> dict[str, Permission]:
    """Return the permissions named app_label.codename, refusing any this database lacks."""
    found = {}
    for name in sorted(set(names)):
        app_label, _, codename = name.partition(".")
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission is None:
            raise ArchiveError(f"The permission {name} does not exist here: run `manage.py migrate` first.")
        found[name] = permission
    return found


def _restore_groups(tree: _Tree) -> dict[str, Group]:
    """Create the groups of the export that are missing and give each exactly its exported permissions."""
    permissions = _permissions(name for group in tree.groups for name in group["permissions"])
    groups = {}
    for data in tree.groups:
        group, _ = Group.objects.get_or_create(name=data["name"])
        group.permissions.set([permissions[name] for name in data["permissions"]])
        groups[group.name] = group
    for _, name in tree.user_groups:
        if name not in groups:
            raise ArchiveError(f"accounts/users.json names the group {name!r}, which groups.json lacks.")
    return groups


@transaction.atomic
def import_site(directory: Path) -> None:
    """Restore an export into an empty database: the same primary keys, timestamps and bytes."""
    content = existing_content()
    if content:
        held = ", ".join(f"{count} {name}" for name, count in content.items())
        raise ArchiveError(
            f"The database already holds {held}. import_site restores only into an empty database: "
            "create a new database, run `manage.py migrate`, then import."
        )
    tree = _Tree(Path(directory))
    groups = _restore_groups(tree)
    permissions = _permissions(name for _, name in tree.user_permissions)
    model_classes = _content_models()
    # Rows go in with INSERT only, carrying their original timestamps: published versions,
    # renditions, releases and the audit trail refuse any UPDATE, so nothing may be fixed up later.
    with _explicit_timestamps(model_classes):
        for model in model_classes:
            model._default_manager.bulk_create(tree.rows[model])
    User = get_user_model()
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user_id, group_id=groups[name].pk) for user_id, name in tree.user_groups
    )
    User.user_permissions.through.objects.bulk_create(
        User.user_permissions.through(user_id=user_id, permission_id=permissions[name].pk)
        for user_id, name in tree.user_permissions
    )
    # Rows were inserted with explicit ids: move PostgreSQL's sequences past them, or the next
    # comment would collide with a restored one. (SQLite keeps track by itself.)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), model_classes):
            cursor.execute(statement)
