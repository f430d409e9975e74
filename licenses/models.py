"""Documents (the definition, each license), their versions, and what they are rendered to.

A published version is frozen: `Version.save()`, `delete()` and the queryset's `update()` refuse to
change it, and database triggers (see migrations) refuse any UPDATE that slips past the ORM.
"""

import re

from django.conf import settings
from django.db import models
from django.urls import reverse

from . import formats, kinds

VERSION_NUMBER_RE = re.compile(r"^(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})$")


class FrozenError(Exception):
    """Raised on any attempt to change something that is published, and so frozen."""


def version_key(number: str) -> tuple[int, ...]:
    """Return a sort key for a version number such as '1.10' (after '1.9')."""
    return tuple(int(part) for part in number.split("."))


class Document(models.Model):
    # The kinds of versioned document, from the list in kinds.py (DEFINITION, LICENSE, …).
    Kind = models.TextChoices("Kind", [(name.upper(), (name, label)) for name, label in kinds.CHOICES])

    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    short_name = models.CharField(max_length=40, help_text="Short name, e.g. OWPL.")
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "slug"]
        permissions = [("edit_documents", "Can draft, open for comment and publish versions")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.route("latest")

    @property
    def kind_info(self) -> kinds.DocumentKind:
        return kinds.get(self.kind)

    @property
    def is_license(self) -> bool:
        return self.kind == self.Kind.LICENSE

    @property
    def is_template(self) -> bool:
        return self.kind_info.template

    @property
    def latest_version(self) -> "Version | None":
        """Return the published version with the highest number, or None."""
        return self.versions.published().newest_first().only("id", "number", "document_id").first()

    def published_versions(self) -> list["Version"]:
        """Return the published versions, newest number first."""
        return list(self.versions.published().newest_first().defer("markdown", "summary"))

    def spdx_id(self, number: str) -> str:
        return f"LicenseRef-{self.short_name}-{number}"

    def route(self, name: str, **kwargs) -> str:
        """Reverse one of this document's routes (see kinds.py)."""
        return self.kind_info.reverse(name, slug=self.slug, **kwargs)


class VersionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Version.Status.PUBLISHED)

    def by_number(self):
        """Oldest number first: 1.9 before 1.10 (ordered by the integer columns, in the database)."""
        return self.order_by("major", "minor")

    def newest_first(self):
        return self.order_by("-major", "-minor")

    def drafts(self):
        return self.exclude(status=Version.Status.PUBLISHED)

    def in_review(self):
        return self.filter(status=Version.Status.REVIEW)

    def update(self, **kwargs):
        if self.filter(status=Version.Status.PUBLISHED).exists():
            raise FrozenError("Published versions are frozen and cannot be updated.")
        return super().update(**kwargs)

    def delete(self):
        if self.filter(status=Version.Status.PUBLISHED).exists():
            raise FrozenError("Published versions are frozen and cannot be deleted.")
        return super().delete()


class Version(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "Draft open for comment"
        PUBLISHED = "published", "Published"

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.CharField(max_length=9, help_text="Major.minor, e.g. 1.0.")
    # The number's two parts as integers, kept in step with it by save(), so that the database orders.
    major = models.PositiveIntegerField(null=True, editable=False)
    minor = models.PositiveIntegerField(null=True, editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    markdown = models.TextField(help_text="The text, in Markdown. Licenses write fields as {{name}}.")
    summary = models.TextField(blank=True, help_text="Plain-language summary, in Markdown.")
    fields = models.JSONField(default=list, blank=True, help_text="The fill-in fields a template declares.")
    changelog = models.TextField(blank=True)
    checksums = models.JSONField(default=dict, blank=True, help_text="SHA-256 of each rendered format.")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="unique_version_number")]

    def __str__(self) -> str:
        return f"{self.document.short_name} {self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None and Version.objects.filter(pk=self.pk, status=self.Status.PUBLISHED).exists():
            raise FrozenError(f"{self} is published and frozen: it cannot be changed.")
        self.major, self.minor = number_parts(self.number)
        if "update_fields" in kwargs and kwargs["update_fields"] is not None and "number" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "major", "minor"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return self._route("version")

    def delete(self, *args, **kwargs):
        if self.pk is not None and Version.objects.filter(pk=self.pk, status=self.Status.PUBLISHED).exists():
            raise FrozenError(f"{self} is published and frozen: it cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_open_for_comment(self) -> bool:
        return self.status == self.Status.REVIEW

    @property
    def title(self) -> str:
        return f"{self.document.title} {self.number}"

    @property
    def field_names(self) -> list[str]:
        return [field["name"] for field in self.fields]

    def _route(self, name: str, **kwargs) -> str:
        return self.document.route(name, number=self.number, **kwargs)

    def file_url(self, fmt: str) -> str:
        return self._route("version-file", fmt=fmt)

    def comments_url(self) -> str:
        return self._route("version-comments")

    def compare_url(self, newer: "Version", *, diff: bool = False) -> str:
        """The difference from this version to `newer` (of the same document), as a page or a unified diff."""
        return self.document.route("compare-diff" if diff else "compare", old=self.number, new=newer.number)

    def draft_url(self, fmt: str | None = None) -> str:
        """Where readers see this version, or one of its files, while it is a draft open for comment."""
        if fmt:
            return reverse("licenses:draft-file", kwargs={"pk": self.pk, "fmt": fmt})
        return reverse("licenses:draft", kwargs={"pk": self.pk})

    def wizard_url(self) -> str:
        return self._route("wizard")

    def badge_url(self) -> str:
        return self._route("badge")

    def licenses_url(self, *, as_json: bool = False) -> str:
        """Which licenses meet this version of a definition (conformance.py): the page, or its JSON."""
        return self._route("licenses-json" if as_json else "licenses")

    def file_name(self, fmt: str) -> str:
        """Return the download name: LICENSE files for licenses, slug-version names otherwise."""
        return formats.get(fmt).version_name(self.document.slug, self.number, is_license=self.document.is_template)

    def stored_checksums(self) -> dict[str, str]:
        """Return the SHA-256 of every stored rendition: those made at publication (the frozen record
        in `checksums`) and those of formats added since (see formats.py)."""
        later = dict(self.renditions.exclude(format__in=list(self.checksums)).values_list("format", "sha256"))
        return {**later, **self.checksums}


def number_parts(number: str) -> tuple[int | None, int | None]:
    """Return a version number's major and minor parts as integers (None, None if it has no such form)."""
    match = VERSION_NUMBER_RE.fullmatch(number or "")  # 1.05 is no version number: no parts
    return (int(match[1]), int(match[2])) if match else (None, None)


class Rendition(models.Model):
    """The bytes of a published version in one format, rendered once at publication."""

    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="renditions")
    format = models.CharField(max_length=20)
    body = models.BinaryField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "format"], name="unique_rendition_format")]

    def __str__(self) -> str:
        return f"{self.version} .{self.format}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise FrozenError("Renditions are written once and never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenError("Renditions are written once and never deleted.")


class Release(models.Model):
    """A license filled in for one weights release. Its id is derived from its content."""

    id = models.CharField(primary_key=True, max_length=32)
    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="releases")
    values = models.JSONField()
    checksums = models.JSONField(default=dict, help_text="SHA-256 of the filled .txt, .md and .pdf at creation.")
    created_at = models.DateTimeField()
    # The renderer its files were made with, for good (rendering.RENDERERS): a later renderer makes a new
    # release (a new id), never new bytes for this one. Releases made before renderers were recorded are "1".
    renderer = models.CharField(max_length=8, db_default="1")
    # What the license covers besides the weights (kit.Coverage.as_data): {} for renderer 1, which did not ask.
    coverage = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.version} for {self.values.get('model', self.id)}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise FrozenError("Releases are permanent and cannot be changed.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("licenses:release", kwargs={"release_id": self.id})

    def delete(self, *args, **kwargs):
        raise FrozenError("Releases are permanent and cannot be deleted.")

    def file_url(self, fmt: str) -> str:
        return reverse("licenses:release-file", kwargs={"release_id": self.id, "fmt": fmt})

    @property
    def title(self) -> str:
        return f"{self.version.title} for {self.values.get('model', '')}".strip()


class ReleaseOwner(models.Model):
    """Who made a release while signed in; the same release may belong to several people."""

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="owners")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="releases")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["release", "user"], name="unique_release_owner")]
        # "My releases" reads one reader's rows newest first, a page at a time: with this index that is
        # one short range scan however many releases other readers own.
        indexes = [models.Index(fields=["user", "-created_at", "-id"], name="release_owner_newest")]

    def __str__(self) -> str:
        return f"{self.user} owns {self.release_id}"


class Comment(models.Model):
    """A signed-in reader's plain-text comment on a draft open for public comment."""

    MAX_LENGTH = 4000

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments")
    body = models.TextField(max_length=MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.version}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise FrozenError("The audit trail is append-only.")

    def delete(self):
        raise FrozenError("The audit trail is append-only.")


class AuditEntry(models.Model):
    """One line of the append-only audit trail: who did what to which version, and when."""

    class Action(models.TextChoices):
        CREATE = "create", "created a draft"
        EDIT = "edit", "edited a draft"
        OPEN_REVIEW = "open_review", "opened a draft for comment"
        CLOSE_REVIEW = "close_review", "closed comments on a draft"
        COMMENT = "comment", "commented"
        RESOLVE_COMMENT = "resolve_comment", "resolved a comment"
        PUBLISH = "publish", "published"
        ADD_FORMAT = "add_format", "rendered a format added since publication"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    version = models.ForeignKey(Version, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_entries")
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.actor} {self.get_action_display()} {self.version}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise FrozenError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenError("The audit trail is append-only.")

    # What an edit can change, as the editor's form names it.
    PARTS = {"number": "number", "markdown": "text", "summary": "summary", "changelog": "changelog", "fields": "fields"}

    @property
    def description(self) -> str:
        """The entry's detail in words ('changed the text and changelog'); checksums are left to the export."""
        words = []
        if "based_on" in self.detail:
            based_on = self.detail["based_on"]
            words.append(f"based on {based_on}" if based_on else "from an empty text")
        if self.detail.get("changed"):
            parts = [self.PARTS.get(str(part), str(part)) for part in self.detail["changed"]]
            listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
            words.append(f"changed the {listed}")
        if "comment" in self.detail:
            words.append(f"comment {self.detail['comment']}")
        if "format" in self.detail:
            words.append(f".{self.detail['format']}")
        return "; ".join(words)


class RateCount(models.Model):
    """How many requests one client made in one window of a rate limit (see throttling.check_rate).

    Counted in the database, not the cache, so that every worker and every host counts together
    whether or not Redis is configured. Rows are deleted once their window no longer counts.
    """

    key = models.CharField(max_length=80, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires = models.BigIntegerField(db_index=True, help_text="Unix time after which the row is no longer read.")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class AssessmentQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise FrozenError("Assessments are permanent statements and cannot be changed.")

    def delete(self):
        raise FrozenError("Assessments are permanent statements and cannot be deleted.")


class Assessment(models.Model):
    """A publisher's self-assessment of a release against a Definition version: permanent and frozen.

    Its id is a digest of the Definition version and the canonical answers (assessment.assessment_id),
    so the same answers give the same address. `body` is its statement as JSON, written once when it
    is made and served as it is (/assessments/<id>.json); the page and the badge are made from it.
    """

    id = models.CharField(primary_key=True, max_length=16)
    definition = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="assessments")
    # The release on this site the statement names, if any (a release's own bytes never change).
    release = models.ForeignKey(Release, null=True, blank=True, on_delete=models.PROTECT, related_name="assessments")
    answers = models.JSONField()
    conforms = models.BooleanField()
    body = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"{self.answers.get('model', self.id)} against {self.definition}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise FrozenError("Assessments are permanent statements and cannot be changed.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("licenses:assessment", kwargs={"assessment_id": self.id})

    def delete(self, *args, **kwargs):
        raise FrozenError("Assessments are permanent statements and cannot be deleted.")

    def file_url(self, fmt: str) -> str:
        return reverse("licenses:assessment-file", kwargs={"assessment_id": self.id, "fmt": fmt})
