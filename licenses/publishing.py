"""Writes with consequences: checking and publishing versions."""

import base64
import hashlib
import json
import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import outputs, rendering
from .models import VERSION_NUMBER_RE, Document, Release, ReleaseOwner, Rendition, Version, version_key

FIELD_KINDS = ("text", "year", "url", "email")
FIELD_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_FIELD_LENGTH = 500


class PublishError(Exception):
    """A version cannot be published; `problems` says why, one sentence each."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def field_schema_problems(fields) -> list[str]:
    """Return what is wrong with a list of declared fields, or an empty list."""
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
        names.add(name)
        if not str(field.get("label", "")).strip():
            problems.append(f"Field {name!r} needs a label.")
        if field.get("kind") not in FIELD_KINDS:
            problems.append(f"Field {name!r}: the kind must be one of {', '.join(FIELD_KINDS)}.")
        max_length = field.get("max_length")
        if not isinstance(max_length, int) or isinstance(max_length, bool) or not 1 <= max_length <= MAX_FIELD_LENGTH:
            problems.append(f"Field {name!r}: max_length must be a whole number from 1 to {MAX_FIELD_LENGTH}.")
        if not isinstance(field.get("required", True), bool):
            problems.append(f"Field {name!r}: required must be true or false.")
    return problems


def placeholder_problems(markdown: str, fields: list) -> list[str]:
    """Return the disagreements between a template's placeholders and its declared fields."""
    used = set(rendering.placeholders(markdown))
    declared = {field.get("name") for field in fields if isinstance(field, dict)}
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


@transaction.atomic
def create_release(*, version: Version, values: dict[str, str], owner=None) -> Release:
    """Store a filled-in license once (the same inputs give the same release) and record its owner."""
    if not version.is_published:
        raise ValueError("Releases are made only from published versions.")
    values = outputs.canonical_values(version, values)
    identifier = release_id(version, values)
    release = Release.objects.filter(pk=identifier).first()
    if release is None:
        try:
            with transaction.atomic():
                release = Release(id=identifier, version=version, values=values, created_at=timezone.now())
                release.checksums = {
                    fmt: outputs.sha256(outputs.release_file(release, fmt)) for fmt in outputs.RELEASE_FILE_NAMES
                }
                release.save(force_insert=True)
        except IntegrityError:  # the same release was stored concurrently
            release = Release.objects.get(pk=identifier)
    if release.version_id != version.pk or release.values != values:
        raise RuntimeError(f"Release id collision on {identifier}.")
    if owner is not None and owner.is_authenticated:
        ReleaseOwner.objects.get_or_create(release=release, user=owner)
    return release
