"""Writes with consequences: checking and publishing versions."""

import base64
import hashlib
import json
import re

from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import outputs, rendering
from .models import (
    VERSION_NUMBER_RE,
    AuditEntry,
    Comment,
    Document,
    FrozenError,
    Release,
    ReleaseOwner,
    Rendition,
    Version,
    version_key,
)

FIELD_KINDS = ("text", "year", "url", "email")
FIELD_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_FIELD_LENGTH = 500


class PublishError(Exception):
    """A version cannot be published; `problems` says why, one sentence each."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


FIELD_KEYS = ("name", "label", "help_text", "example", "required", "max_length", "kind")


def field_schema_problems(fields) -> list[str]:
    """Return what is wrong with a list of declared fields, or an empty list.

    Every field must be one the wizard can show and the home page's curl example can fill in: a
    published version is frozen, so a field that breaks either would break it for good.
    """
    if not isinstance(fields, list):
        return ["The fields must be a list."]
    problems, names = [], set()
    for i, field in enumerate(fields, start=1):
        if not isinstance(field, dict):
            problems.append(f"Field {i} must be an object.")
            continue
        name = field.get("name", "")
        if not isinstance(name, str) or not FIELD_NAME_RE.match(name):
            problems.append(f"Field {i}: the name {name!r} must be lower-case letters, digits and _.")
        elif name in names:
            problems.append(f"Field {i}: the name {name!r} is declared twice.")
        else:
            names.add(name)
        for key in sorted(set(field) - set(FIELD_KEYS), key=str):
            problems.append(f"Field {name!r}: {key!r} is not a key a field can have ({', '.join(FIELD_KEYS)}).")
        for key in ("label", "help_text", "example"):
            if not isinstance(field.get(key, ""), str):
                problems.append(f"Field {name!r}: the {key} must be text (in double quotes).")
        if not str(field.get("label", "")).strip():
            problems.append(f"Field {name!r} needs a label.")
        if not str(field.get("example", "")).strip():
            problems.append(f"Field {name!r} needs an example: the wizard shows it and the curl example sends it.")
        if field.get("kind") not in FIELD_KINDS:
            problems.append(f"Field {name!r}: the kind must be one of {', '.join(FIELD_KINDS)}.")
        max_length = field.get("max_length")
        if not isinstance(max_length, int) or isinstance(max_length, bool) or not 1 <= max_length <= MAX_FIELD_LENGTH:
            problems.append(f"Field {name!r}: max_length must be a whole number from 1 to {MAX_FIELD_LENGTH}.")
        if not isinstance(field.get("required", True), bool):
            problems.append(f"Field {name!r}: required must be true or false.")
    return problems or _example_problems(fields)


def _example_problems(fields: list[dict]) -> list[str]:
    """Return, for each example the wizard would refuse as a value, what it would say."""
    from .forms import LicenseFieldsForm  # here, not above: the forms module imports this one

    examples = {field["name"]: field["example"] for field in fields}
    form = LicenseFieldsForm(examples, version=Version(fields=fields))
    form.is_valid()
    return [
        f"Field {name!r}: the example {examples[name]!r} is not a value the wizard accepts: {message}"
        for name, messages in form.errors.items()
        for message in messages
    ]


def placeholder_problems(markdown: str, fields: list) -> list[str]:
    """Return the disagreements between a template's placeholders and its declared fields."""
    used = set(rendering.placeholders(markdown))
    declared = {field.get("name") for field in fields if isinstance(field, dict) and isinstance(field.get("name"), str)}
    problems = [f"The text uses {{{{{name}}}}} but declares no such field." for name in sorted(used - declared)]
    problems += [f"The field {name!r} is declared but the text never uses it." for name in sorted(declared - used)]
    return problems


def publication_problems(version: Version) -> list[str]:
    """Return every reason a version cannot be published yet, or an empty list."""
    problems = []
    if version.is_published:
        return [f"{version} is already published."]
    if not VERSION_NUMBER_RE.match(version.number or ""):
        problems.append(f"The version number {version.number!r} must look like 1.0 (major.minor).")
    else:
        latest = version.document.latest_version
        if latest and version_key(version.number) <= version_key(latest.number):
            problems.append(
                f"The version number {version.number} must be greater than the latest published, {latest.number}."
            )
    if not version.changelog.strip():
        problems.append("The changelog is empty: say what changed in this version.")
    if not version.markdown.strip():
        problems.append("The text is empty.")
    problems += field_schema_problems(version.fields)
    if version.document.kind == Document.Kind.LICENSE:
        problems += placeholder_problems(version.markdown, version.fields)
    elif version.fields or rendering.placeholders(version.markdown):
        problems.append("Only license templates may have fill-in fields.")
    return problems


@transaction.atomic
def publish_version(*, version: Version, user=None, published_at=None) -> Version:
    """Check, render every format, store the files and their checksums, and freeze the version."""
    version = Version.objects.select_for_update().select_related("document").get(pk=version.pk)
    problems = publication_problems(version)
    if problems:
        raise PublishError(problems)
    version.status = Version.Status.PUBLISHED
    version.published_at = published_at or timezone.now()
    version.published_by = user
    files = outputs.render_all(version)
    version.checksums = {fmt: outputs.sha256(body) for fmt, body in files.items()}
    version.save()
    Rendition.objects.bulk_create(
        Rendition(version=version, format=fmt, body=body, sha256=version.checksums[fmt]) for fmt, body in files.items()
    )
    transaction.on_commit(outputs.note_publication)
    return version


def release_id(version: Version, values: dict[str, str]) -> str:
    """Return the permanent id of a release: a digest of the license version and the values."""
    material = json.dumps(
        {"document": version.document.slug, "version": version.number, "values": values},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return base64.b32encode(hashlib.sha256(material.encode()).digest()).decode().lower()[:16]


def create_release(*, version: Version, values: dict[str, str], owner=None) -> Release:
    """Store a filled-in license once (the same inputs give the same release) and record its owner."""
    if not version.is_published:
        raise ValueError("Releases are made only from published versions.")
    values = outputs.canonical_values(version, values)
    identifier = release_id(version, values)
    release = Release.objects.filter(pk=identifier).first()
    if release is None:
        # Render (and so cache) the files before taking the database's write lock: a PDF takes a
        # while, and other writers should not wait for it.
        release = Release(id=identifier, version=version, values=values, created_at=timezone.now())
        release.checksums = {
            fmt: outputs.sha256(outputs.release_file(release, fmt)) for fmt in outputs.RELEASE_FILE_NAMES
        }
        try:
            with transaction.atomic():
                release.save(force_insert=True)
        except IntegrityError:  # the same release was stored concurrently
            release = Release.objects.get(pk=identifier)
    if release.version_id != version.pk or release.values != values:
        raise RuntimeError(f"Release id collision on {identifier}.")
    if owner is not None and owner.is_authenticated:
        ReleaseOwner.objects.get_or_create(release=release, user=owner)
    return release


# The editor: drafting, public review and the audit trail. Every write records who did what.

EDITORS_GROUP = "Editors"
EDIT_PERMISSION = "licenses.edit_documents"


def editors_group() -> Group:
    """Return the Editors group with its permission (made by a migration; remade if missing)."""
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    permission = Permission.objects.get(codename="edit_documents", content_type__app_label="licenses")
    group.permissions.add(permission)
    return group


def is_editor(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(EDIT_PERMISSION))


def record(*, actor, action: str, version: Version | None = None, **detail) -> AuditEntry:
    """Append one entry to the audit trail."""
    return AuditEntry.objects.create(actor=actor, action=action, version=version, detail=detail)


def next_number(document: Document) -> str:
    """Return the next minor version number after the latest published and drafted ones."""
    numbers = [v.number for v in document.versions.all() if VERSION_NUMBER_RE.match(v.number)]
    if not numbers:
        return "1.0"
    major, minor = max(version_key(n) for n in numbers)
    return f"{major}.{minor + 1}"


@transaction.atomic
def start_draft(*, document: Document, user) -> Version:
    """Start a draft of the next version, copied from the latest published one."""
    latest = document.latest_version
    source = Version.objects.get(pk=latest.pk) if latest else None
    draft = Version.objects.create(
        document=document,
        number=next_number(document),
        markdown=source.markdown if source else f"# {document.title}\n",
        summary=source.summary if source else "",
        fields=source.fields if source else [],
        changelog="",
    )
    record(actor=user, action=AuditEntry.Action.CREATE, version=draft, based_on=source.number if source else None)
    return draft


def _editable(version: Version) -> Version:
    version = Version.objects.select_for_update().select_related("document").get(pk=version.pk)
    if version.is_published:
        raise FrozenError(f"{version} is published and frozen.")
    return version


@transaction.atomic
def update_draft(
    *, version: Version, user, number: str, markdown: str, summary: str, changelog: str, fields
) -> Version:
    """Save an editor's changes to a draft and record which parts changed."""
    version = _editable(version)
    new = {"number": number, "markdown": markdown, "summary": summary, "changelog": changelog, "fields": fields}
    changed = sorted(name for name, value in new.items() if getattr(version, name) != value)
    for name, value in new.items():
        setattr(version, name, value)
    version.save()
    if changed:
        record(actor=user, action=AuditEntry.Action.EDIT, version=version, changed=changed)
    return version


@transaction.atomic
def open_review(*, version: Version, user) -> Version:
    """Open a draft for public comment at its stable draft URL."""
    version = _editable(version)
    if version.status != Version.Status.REVIEW:
        version.status = Version.Status.REVIEW
        version.save()
        record(actor=user, action=AuditEntry.Action.OPEN_REVIEW, version=version)
    return version


@transaction.atomic
def close_review(*, version: Version, user) -> Version:
    """Close comments on a draft; it stays a draft."""
    version = _editable(version)
    if version.status == Version.Status.REVIEW:
        version.status = Version.Status.DRAFT
        version.save()
        record(actor=user, action=AuditEntry.Action.CLOSE_REVIEW, version=version)
    return version


@transaction.atomic
def publish_draft(*, version: Version, user) -> Version:
    """Publish a draft (which also closes its comments) and record it."""
    version = publish_version(version=version, user=user)
    record(actor=user, action=AuditEntry.Action.PUBLISH, version=version, checksums=version.checksums)
    return version


class CommentError(Exception):
    """A comment cannot be posted; the message says why."""


@transaction.atomic
def add_comment(*, version: Version, user, body: str) -> Comment:
    """Post a plain-text comment on a draft that is open for comment."""
    body = body.replace("\r\n", "\n").strip()
    version = Version.objects.select_for_update().get(pk=version.pk)  # comments may have just closed
    if not version.is_open_for_comment:
        raise CommentError("Comments are closed on this version.")
    if not body:
        raise CommentError("Write a comment first.")
    if len(body) > Comment.MAX_LENGTH:
        raise CommentError(f"Comments are limited to {Comment.MAX_LENGTH} characters.")
    comment = Comment.objects.create(version=version, author=user, body=body)
    record(actor=user, action=AuditEntry.Action.COMMENT, version=version, comment=comment.pk)
    return comment


@transaction.atomic
def resolve_comment(*, comment: Comment, user) -> Comment:
    """Mark a comment resolved (once) and record who did it."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.resolved_at is None:
        comment.resolved_at = timezone.now()
        comment.resolved_by = user
        comment.save(update_fields=["resolved_at", "resolved_by"])
        record(actor=user, action=AuditEntry.Action.RESOLVE_COMMENT, version=comment.version, comment=comment.pk)
    return comment
