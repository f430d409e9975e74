"""Writes with consequences: publishing versions (and completing them with formats added later),
making releases and self-assessments, and verifying that everything published still renders to its recorded checksums.

The editor's workflow (drafts, review, comments) builds on these in drafting.py.
"""

import base64
import hashlib
import json
from contextlib import nullcontext

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import (
    assessment,
    conformance,
    counters,
    expressions,
    fields,
    formats,
    kit,
    mappings,
    memory,
    outputs,
    rendering,
    static_export,
)
from .assessment import InvalidAnswers
from .models import VERSION_NUMBER_RE, Assessment, AuditEntry, Release, ReleaseOwner, Rendition, Version, number_parts


class PublishError(Exception):
    """A version cannot be published; `problems` says why, one sentence each."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def publication_problems(version: Version) -> list[str]:
    """Return every reason a version cannot be published yet, or an empty list."""
    problems = []
    if version.is_published:
        return [f"{version} is already published."]
    if not VERSION_NUMBER_RE.match(version.number or ""):
        problems.append(f"The version number {version.number!r} must look like 1.0 (major.minor).")
    else:
        latest = version.document.latest_version
        if latest and number_parts(version.number) <= (latest.major, latest.minor):
            problems.append(
                f"The version number {version.number} must be greater than the latest published, {latest.number}."
            )
    if not version.changelog.strip():
        problems.append("The changelog is empty: say what changed in this version.")
    if not version.markdown.strip():
        problems.append("The text is empty.")
    problems += fields.schema_problems(version.fields)
    if version.document.is_template:
        problems += fields.placeholder_problems(version.markdown, version.fields)
    elif version.fields or rendering.placeholders(version.markdown):
        problems.append("Only license templates may have fill-in fields.")
    return problems


@transaction.atomic
def publish_version(*, version: Version, user=None, published_at=None, licenses: bytes | None = None) -> Version:
    """Check, render every format, store the files and their checksums, and freeze the version.

    `licenses`: the canonical bytes of a definition version's assessment of licenses
    (conformance.canonical), published and frozen with it."""
    version = Version.objects.select_for_update().select_related("document").get(pk=version.pk)
    problems = publication_problems(version)
    if problems:
        raise PublishError(problems)
    version.status = Version.Status.PUBLISHED
    version.published_at = published_at or timezone.now()
    version.published_by = user
    if licenses is not None and not version.document.kind_info.judges_licenses:
        raise PublishError([f"A {version.document.kind_info.label.lower()} does not judge licenses."])
    files = outputs.render_all(version, licenses=licenses)
    version.checksums = {fmt: outputs.sha256(body) for fmt, body in files.items()}
    version.save()
    Rendition.objects.bulk_create(
        Rendition(version=version, format=fmt, body=body, sha256=version.checksums[fmt]) for fmt, body in files.items()
    )
    transaction.on_commit(outputs.note_publication)
    transaction.on_commit(static_export.refresh_after_publication)
    return version


def record(*, actor, action: str, version: Version | None = None, **detail) -> AuditEntry:
    """Append one entry to the audit trail."""
    return AuditEntry.objects.create(actor=actor, action=action, version=version, detail=detail)


@transaction.atomic
def complete_renditions() -> list[str]:
    """Render, store and record every format added to the table since a version was published.

    None of a version's existing bytes changes (see formats.py); returns "owpl 1.0 .rdf" for each
    rendition made, so running it again makes none.
    """
    made = []
    for version in Version.objects.published().select_related("document").order_by("pk"):
        # Formats made from the others (metadata) are made at publication only: a later one cannot be.
        template = version.document.is_template
        wanted = [fmt.suffix for fmt in formats.stored(template=template) if fmt.render is not None]
        have = set(version.renditions.values_list("format", flat=True))
        missing = [suffix for suffix in wanted if suffix not in have]
        if not missing:
            continue
        for suffix in missing:
            body = outputs.render(version, suffix)
            rendition = Rendition.objects.create(version=version, format=suffix, body=body, sha256=outputs.sha256(body))
            record(
                actor=None, action=AuditEntry.Action.ADD_FORMAT, version=version, format=suffix, sha256=rendition.sha256
            )
            made.append(f"{version.document.slug} {version.number} .{suffix}")
    if made:
        transaction.on_commit(outputs.note_publication)
    return made


def release_id(
    version: Version, values: dict[str, str], renderer: str = rendering.RENDERER_VERSION, coverage: dict | None = None
) -> str:
    """Return the permanent id of a release: a digest of the license version and the values, and from
    renderer 2 on of the renderer and the coverage too, so that one id never names two sets of bytes
    (renderer 1's ids, made before renderers were recorded, are digests of the first two alone)."""
    data = {"document": version.document.slug, "version": version.number, "values": values}
    if rendering.check_renderer(renderer) != "1":
        data.update(renderer=renderer, coverage=coverage or {})
    material = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return base64.b32encode(hashlib.sha256(material.encode()).digest()).decode().lower()[:16]


def create_release(
    *,
    version: Version,
    values: dict[str, str],
    coverage: dict | None = None,
    owner=None,
    slot: outputs.Slot = nullcontext,
) -> Release:
    """Store a filled-in license once (the same inputs give the same release) and record its owner.
    It is made with the current renderer; `coverage` (kit.clean_coverage) says what the license covers
    besides the weights, the kit's default when None.

    A request passes `slot` (throttling.render_slot) so that its PDF waits for one of the host's
    render slots; Throttled then leaves nothing stored.
    """
    if not version.is_published:
        raise ValueError("Releases are made only from published versions.")
    _, problems = fields.validate(version.fields, values)  # callers validate; a release never skips it
    if problems:
        raise ValueError(f"Release values refused: {problems}")
    values = fields.canonical(version.fields, values)
    coverage, coverage_problems = kit.clean_coverage(coverage)
    if coverage_problems:
        raise ValueError(f"Release coverage refused: {coverage_problems}")
    renderer = rendering.RENDERER_VERSION
    identifier = release_id(version, values, renderer, coverage)
    release = Release.objects.filter(pk=identifier).first()
    if release is None:
        # Render (and so cache) the files before taking the database's write lock: a PDF takes a
        # while, and other writers should not wait for it. Whole seconds: the zip's dates and the
        # PDF's creation date are the release's, and a JSON round trip must give them back the same.
        created_at = timezone.now().replace(microsecond=0)
        release = Release(
            id=identifier, version=version, values=values, created_at=created_at, renderer=renderer, coverage=coverage
        )
        release.checksums = {
            fmt.suffix: outputs.sha256(outputs.release_file(release, fmt.suffix, slot=slot))
            for fmt in formats.license_files()
        }
        try:
            with transaction.atomic():
                release.save(force_insert=True)
        except IntegrityError:  # the same release was stored concurrently
            release = Release.objects.get(pk=identifier)
    if release.version_id != version.pk or release.values != values or release.coverage != coverage:
        raise RuntimeError(f"Release id collision on {identifier}.")
    if owner is not None and owner.is_authenticated:
        ReleaseOwner.objects.get_or_create(release=release, user=owner)
    return release


def assessable_definitions():
    """The published Definition versions a self-assessment can be made against, newest first: those
    whose questions assessment.py follows and that were published with their assessment of licenses."""
    found = Version.objects.published().filter(
        document__kind="definition", number__in=assessment.VERSIONS, renditions__format=outputs.LICENSES
    )
    return list(found.select_related("document").newest_first())


# A published assessment of licenses is frozen: each process reads each one once.
_known = memory.Memory("assessments of licenses by definition version", limit=64)


def known_licenses(definition: Version) -> dict[str, conformance.Entry]:
    """The licenses whose verdict is known for a Definition version: its published assessment of licenses."""

    def read() -> dict[str, conformance.Entry]:
        body = definition.renditions.get(format=outputs.LICENSES).body
        return assessment.known_licenses(conformance.entries(bytes(body)))

    return _known.get_or_make(definition.pk, read)


def _definition_for(data, definition: Version | None) -> Version:
    versions = assessable_definitions()
    if definition is not None:
        if definition.pk not in {version.pk for version in versions}:
            raise InvalidAnswers({"definition": [f"No questionnaire follows {definition.title}."]})
        return definition
    number = data.get("definition") if isinstance(data, dict) else None
    if number is None and versions:
        return versions[0]
    found = next((version for version in versions if version.number == number), None)
    if found is None:
        offered = ", ".join(version.number for version in versions) or "none yet"
        raise InvalidAnswers({"definition": [f"Give a Definition version the questionnaire follows: {offered}."]})
    return found


def create_assessment(*, data, definition: Version | None = None) -> tuple[Assessment, bool]:
    """Check a publisher's answers, judge them and store the statement once (the same answers give the
    same assessment); return it and whether it was made now. Raise InvalidAnswers naming each field
    that is wrong.

    The one service behind the questionnaire's form, POST /assessments.json and the API.
    """
    definition = _definition_for(data, definition)
    known = known_licenses(definition)
    answers = assessment.check(data, known=known, definition=definition.number)
    release = None
    if answers["release"]:
        release = Release.objects.select_related("version__document").filter(pk=answers["release"]).first()
        if release is None:
            raise InvalidAnswers({"release": ["There is no release with this id on this site."]})
        licensed = release.version.document.spdx_id(release.version.number)
        if licensed.lower() != answers["license"].lower():
            raise InvalidAnswers(
                {"license": [f"The release {release.id} is licensed under {licensed}, not {answers['license']}."]}
            )
    identifier = assessment.assessment_id(definition.number, answers)
    existing = Assessment.objects.filter(pk=identifier).first()
    if existing is not None:
        return _same(existing, definition, answers), False
    verdict = assessment.judge(answers, known=known, definition=definition.number)
    ids = {key: entry.id for key, entry in known.items()}
    made = Assessment(
        id=identifier,
        definition=definition,
        release=release,
        answers=answers,
        conforms=verdict.conforms,
        created_at=timezone.now().replace(microsecond=0),
    )
    made.body = outputs.assessment_statement(
        identifier=identifier,
        definition=definition,
        answers=answers,
        verdict=verdict,
        readings=mappings.read_all(answers, verdict, ids),
        release=release,
        created_at=made.created_at,
        list_package=expressions.LIST_PACKAGE,
    )
    made.sha256 = outputs.sha256(made.body)
    try:
        with transaction.atomic():
            made.save(force_insert=True)
    except IntegrityError:  # the same answers were stored at the same moment
        return _same(Assessment.objects.get(pk=identifier), definition, answers), False
    if release is not None:
        # Release pages keep the statements naming them by this counter (views._release_assessments).
        # Now, so that this process reads the list again at once (a test's transaction never commits),
        # and again after the commit, so that no process keeps a list read before the row was there.
        counters.STATEMENTS.bump()
        transaction.on_commit(counters.STATEMENTS.bump)
    return made, True


def _same(found: Assessment, definition: Version, answers: dict) -> Assessment:
    if found.definition_id != definition.pk or found.answers != answers:
        raise RuntimeError(f"Assessment id collision on {found.pk}.")
    return found


def _short(digest: str | None) -> str:
    return digest[:12] if digest else "none"


def _version_drift(version: Version) -> list[str]:
    # Each version with its own record: the formats it was published with (their metadata lists
    # exactly those), then the formats added since, each rendered alone.
    renditions = {rendition.format: rendition for rendition in version.renditions.all()}
    # An assessment of licenses is data, not a rendering: its stored bytes must match the record.
    licenses = renditions.get(outputs.LICENSES)
    # With the renderer of its publication (its metadata names it), never the current one.
    renderer = outputs.version_renderer(version)
    files = outputs.render_all(
        version,
        only=set(version.checksums),
        licenses=bytes(licenses.body) if licenses is not None else None,
        renderer=renderer,
    )
    for suffix in sorted(set(renditions) - set(version.checksums)):
        if suffix in formats.FORMATS and formats.get(suffix).render is not None:
            files[suffix] = outputs.render(version, suffix, renderer=renderer)
    problems = []
    for fmt in sorted(set(files) | set(version.checksums) | set(renditions)):
        later = fmt not in version.checksums and fmt in renditions
        recorded = renditions[fmt].sha256 if later else version.checksums.get(fmt)
        disagreements = []
        if recorded is None:
            disagreements.append("no checksum recorded in Version.checksums")
        if fmt not in files:
            disagreements.append("the code no longer renders this format")
        elif outputs.sha256(files[fmt]) != recorded:
            disagreements.append(f"re-rendered {_short(outputs.sha256(files[fmt]))}")
        rendition = renditions.get(fmt)
        if rendition is None:
            disagreements.append("no stored rendition")
        else:
            if rendition.sha256 != recorded:
                disagreements.append(f"Rendition.sha256 {_short(rendition.sha256)}")
            if outputs.sha256(bytes(rendition.body)) != recorded:
                disagreements.append(f"stored rendition bytes {_short(outputs.sha256(bytes(rendition.body)))}")
        if disagreements:
            problems.append(
                f"{version.document.slug} {version.number} .{fmt}: recorded {_short(recorded)}, but "
                + "; ".join(disagreements)
            )
    return problems


def _release_drift(release: Release) -> list[str]:
    problems = []
    for fmt in (spec.suffix for spec in outputs.release_license_files(release)):
        # outputs.release_file() would answer from the cache, which hides a drift of the code.
        body = outputs.render_release_file(release, fmt)
        recorded, rendered = release.checksums.get(fmt), outputs.sha256(body)
        if rendered != recorded:
            problems.append(
                f"release {release.pk} .{fmt}: recorded {_short(recorded)}, but re-rendered {_short(rendered)}"
            )
    return problems


def _assessment_drift(made: Assessment) -> list[str]:
    problems = []
    if outputs.sha256(bytes(made.body)) != made.sha256:
        problems.append(f"assessment {made.pk} .json: recorded {_short(made.sha256)}, but stored bytes differ")
    recorded = json.loads(bytes(made.body)).get("checksums", {}).get("badge.svg")
    badge = outputs.sha256(outputs.assessment_badge_svg(made.definition.number, made.conforms))
    if badge != recorded:
        problems.append(f"assessment {made.pk} .svg: recorded {_short(recorded)}, but re-rendered {_short(badge)}")
    if assessment.assessment_id(made.definition.number, made.answers) != made.pk:
        problems.append(f"assessment {made.pk}: its id is no longer the digest of its answers")
    return problems


def verify_checksums() -> list[str]:
    """Re-render every published version, every release and every assessment's badge; return one line
    per drifted file."""
    problems = []
    for version in Version.objects.published().select_related("document").order_by("pk"):
        problems += _version_drift(version)
    for release in Release.objects.select_related("version__document").order_by("pk"):
        problems += _release_drift(release)
    for made in Assessment.objects.select_related("definition").order_by("pk"):
        problems += _assessment_drift(made)
    return problems
