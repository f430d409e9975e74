"""Writes of the editor's workflow: drafts, public review and comments, each recorded in the audit
trail with who did it. Publishing itself is publishing.py's."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from .models import AuditEntry, Comment, Document, FrozenError, Version
from .publishing import publish_version, record

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


def next_number(document: Document) -> str:
    """Return the next minor version number after the latest published and drafted ones."""
    highest = document.versions.exclude(major=None).newest_first().values_list("major", "minor").first()
    if highest is None:
        return "1.0"
    major, minor = highest
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
