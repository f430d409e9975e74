"""The JSON API at /api/v1/, described by OpenAPI 3.1 at /api/v1/openapi.json (django-ninja).

Thin like the views: every answer comes from the same models and services as the pages (outputs,
publishing, fields, conformance), never from copies of them. The promise (README, "API"): v1 only
grows; a field or an operation is never removed or renamed within v1 (tests/test_api.py pins the
operations).

Every answer is JSON with `Access-Control-Allow-Origin: *` and no cookies; GETs carry a strong ETag
and answer If-None-Match with 304; errors are RFC 9457 problem details (application/problem+json),
naming the field that is wrong; POSTs need no session and no CSRF token, and show their rate limit
in RateLimit-* headers.
"""

import math
import time
from datetime import datetime
from typing import Literal

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from ninja import NinjaAPI, Path, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as RequestValidationError
from ninja.openapi.docs import Swagger
from pydantic import BaseModel, Field

from . import checker, conformance, fields, formats, kit, memory, outputs
from .assessment import InvalidAnswers
from .http import EXPOSED_HEADERS, SHORT, frozen_response
from .models import Assessment, Document, Release, Version
from .publishing import create_assessment, create_release, release_id
from .throttling import RateState, Throttled, check_rate, render_slot
from .views import NUMBERS_TTL

PROBLEM = "application/problem+json"
SLUG = r"^[a-z0-9][a-z0-9-]{0,49}$"
NUMBER = r"^[0-9]{1,4}\.[0-9]{1,4}$"
RELEASE_ID = r"^[a-z2-7]{16}$"
ASSESSMENT_ID = RELEASE_ID


class OpenWeightsAPI(NinjaAPI):
    """NinjaAPI with the answers our API promises: CORS, ETags and 304s, no cookies."""

    def create_response(self, request, data, *, status=None, temporal_response=None) -> HttpResponse:
        response = super().create_response(request, data, status=status, temporal_response=temporal_response)
        if response.status_code >= 400:
            response["Content-Type"] = PROBLEM
        elif request.method == "GET" and response.status_code == 200 and not response.has_header("Location"):
            body, sha = response.content, outputs.sha256(response.content)
            response = _read_answer(request, body, sha)
            _remember(request, body, sha)
        return _cross_origin(response)

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """The generated description, with errors documented as what they are: problem details."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, answer in operation.get("responses", {}).items():
                    if int(status) >= 400 and "application/json" in answer.get("content", {}):
                        answer["content"] = {PROBLEM: answer["content"]["application/json"]}
                    made = _MADE_BY.get(operation.get("operationId"))
                    if made and status in ("200", "201"):
                        # What was made can be read back (schemathesis follows such links).
                        reader, parameter = made
                        answer["links"] = {
                            reader: {"operationId": reader, "parameters": {parameter: "$response.body#/id"}}
                        }
        return schema


_MADE_BY = {"createRelease": ("getRelease", "release_id"), "createAssessment": ("getAssessment", "assessment_id")}


# GET answers by path, for NUMBERS_TTL seconds (releases, frozen, for good): a read is then a lookup,
# past ninja, pydantic and the database, like a published page (bench: the API read scenario). They
# are keyed by the publication counter too, so a publication shows at once where the cache is shared.
_answers = memory.Memory("API answers by path", limit=2048)
JSON_TYPE = "application/json; charset=utf-8"


def _answer_key(request) -> tuple:
    return (request.path_info, request.META.get("QUERY_STRING", ""), outputs.publication_generation())


def _read_answer(request, body: bytes, sha: str) -> HttpResponse:
    return frozen_response(request, body, sha=sha, content_type=JSON_TYPE, cache_control=SHORT, cors=True)


def _remember(request, body: bytes, sha: str) -> None:
    frozen = request.path_info.startswith(("/api/v1/releases/", "/api/v1/assessments/"))
    _answers.remember(_answer_key(request), (math.inf if frozen else time.monotonic() + NUMBERS_TTL, body, sha))


def remembered_answer(request) -> HttpResponse | None:
    """The answer to a GET this process gave a moment ago (see _answers), or None."""
    entry = _answers.get(_answer_key(request))
    if entry is None or entry[0] < time.monotonic():
        return None
    return _cross_origin(_read_answer(request, entry[1], entry[2]))


def _cross_origin(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    response.site_page = True  # the API's own answer, 404s included: no HTML page instead (middleware)
    return response


api = OpenWeightsAPI(
    title="Open Weights API",
    version="1",
    description=(
        "The Open Weights Definition, the Open Weights Permissive License and the releases made with "
        "it, for tools. Everything published is CC0. v1 only grows: nothing is removed or renamed "
        "within it."
    ),
    urls_namespace="api-v1",
    docs=Swagger(settings={"defaultModelsExpandDepth": 0}),
    docs_url="/docs/",
)


# Schemas: the names are the API's, for good (v1 only grows).


class FieldError(Schema):
    field: str = Field(description="The part of the request that is wrong, such as values.year or number.")
    message: str


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] = []


class File(Schema):
    format: str = Field(description="The file's suffix: txt, md, pdf, json.")
    name: str = Field(description="The name it downloads under.")
    content_type: str
    url: str
    sha256: str


class FieldSpec(Schema):
    name: str
    label: str
    help_text: str = ""
    example: str = ""
    required: bool
    max_length: int
    kind: str = Field(description="text, year or url.")


class VersionSummary(Schema):
    document: str
    number: str
    title: str
    published_at: datetime
    url: str = Field(description="The version's page.")
    api_url: str
    superseded_by: str | None = Field(description="The number of the latest version, when this is not it.")


class VersionDetail(VersionSummary):
    changelog: str
    fields: list[FieldSpec] = Field(description="The fields a release fills in (licenses only).")
    files: list[File]
    spdx_id: str | None = Field(description="LicenseRef-… of a license version; null for the definition.")
    wizard_url: str | None
    licenses_url: str | None = Field(description="Which licenses meet this definition version, when published.")


class DocumentOut(Schema):
    slug: str
    kind: Literal["definition", "license"]
    title: str
    short_name: str
    description: str
    url: str = Field(description="Redirects to the latest version's page.")
    api_url: str
    latest: VersionSummary | None


class SectionVerdict(Schema):
    meets: bool
    reason: str


class LicenseEntry(Schema):
    id: str = Field(description="SPDX id, Hugging Face license id or LicenseRef.")
    name: str
    url: str
    summary: str
    meets: bool
    spdx: bool = Field(description="Whether the id is on the SPDX License List.")
    sections: dict[str, SectionVerdict] = Field(description="Verdict and reason for Sections 3 to 8.")


class LicensesAssessment(Schema):
    definition: VersionSummary
    url: str = Field(description="The frozen JSON, published with the definition version.")
    sha256: str
    entries: list[LicenseEntry]


class Coverage(BaseModel):
    # A plain pydantic model, not a ninja Schema: a Schema reads any object by its attributes, so a list
    # would pass as an empty coverage.
    model_config = {"extra": "forbid"}

    kinds: list[str] = Field(
        [],
        description=f"What else the license covers besides the weights (OWPL §2): any of {', '.join(kit.KIND_KEYS)}.",
    )
    patterns: list[str] = Field([], description="More files the license covers, as REUSE.toml globs such as *.gguf.")


class ReleaseOut(Schema):
    id: str
    url: str
    api_url: str
    created_at: datetime
    document: str
    version: str
    spdx_id: str
    values: dict[str, str]
    renderer: str = Field(description="The renderer its files were made with, for good.")
    coverage: Coverage = Field(description="What the license covers besides the weights; empty for renderer 1.")
    files: list[File] = Field(description="The license files, with the checksums recorded at creation.")
    json_url: str
    zip_url: str


class ReleaseIn(Schema):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "document": "owpl",
                    "version": "1.1",
                    "values": {
                        "licensor": "Example AI Labs Ltd",
                        "model": "Example-7B",
                        "year": "2026",
                        "location": "https://huggingface.co/example-ai/Example-7B",
                    },
                    "coverage": {"kinds": ["configuration", "tokenizer"], "patterns": ["*.gguf"]},
                }
            ]
        }
    }

    document: str = Field("owpl", pattern=SLUG, description="The license's slug.")
    version: str | None = Field(None, pattern=NUMBER, description="A published version; the latest when left out.")
    values: dict[str, str] = Field(description="The fields the version declares, by name.")
    coverage: Coverage | None = Field(
        None, description="What else the license covers; configuration and tokenizer files when left out."
    )


class CheckIn(Schema):
    text: str = Field(description="The LICENSE as text (plain or Markdown), at most 1 MiB.")
    model_card: str | None = Field(None, description="The README.md that goes with it, to check its front matter.")


class TextRef(Schema):
    document: str
    version: str
    title: str


class Difference(Schema):
    removed: str
    added: str


class ModelCardCheck(Schema):
    agrees: bool
    problems: list[str]
    license: str | None
    license_name: str | None
    license_link: str | None


class CheckOut(Schema):
    match: Literal["exact", "modified", "none"]
    document: str | None
    version: str | None
    title: str | None
    url: str | None
    spdx_id: str | None
    closest: TextRef | None = Field(description="The published version most like the text, even when it is none.")
    values: dict[str, str] = Field(description="What the text fills in, by field.")
    unfilled: list[str] = Field(description="Fields left as [LICENSOR] or {{licensor}}.")
    invalid: dict[str, str] = Field(description="Values the wizard would refuse, and why.")
    similarity: float = Field(ge=0, le=1)
    differences: list[Difference]
    latest: str | None
    superseded: bool
    message: str
    model_card: ModelCardCheck | None


# Reading the database: the same queries the pages make.


def _document(slug: str) -> Document:
    document = Document.objects.filter(slug=slug).first()
    if document is None:
        raise Http404(f"There is no document called “{slug}”.")
    return document


def _version(document: Document, number: str) -> Version:
    version = document.versions.published().filter(number=number).select_related("document").first()
    if version is None:
        raise Http404(f"{document.title} has no published version {number}.")
    return version


def _api_url(name: str, **kwargs) -> str:
    return outputs.absolute(reverse(f"api-v1:{name}", kwargs=kwargs))


def _summary(version: Version, latest: str) -> dict:
    return {
        "document": version.document.slug,
        "number": version.number,
        "title": version.title,
        "published_at": version.published_at,
        "url": outputs.absolute(version.get_absolute_url()),
        "api_url": _api_url("version", slug=version.document.slug, number=version.number),
        "superseded_by": latest if latest != version.number else None,
    }


def _document_out(document: Document) -> dict:
    versions = document.published_versions()
    for version in versions:
        version.document = document
    return {
        "slug": document.slug,
        "kind": document.kind,
        "title": document.title,
        "short_name": document.short_name,
        "description": document.description,
        "url": outputs.absolute(document.get_absolute_url()),
        "api_url": _api_url("document", slug=document.slug),
        "latest": _summary(versions[0], versions[0].number) if versions else None,
    }


def _files(checksums: dict[str, str], items) -> list[dict]:
    return [
        {
            "format": fmt.suffix,
            "name": name,
            "content_type": fmt.content_type,
            "url": url,
            "sha256": checksums[fmt.suffix],
        }
        for fmt, name, url in items
        if fmt.suffix in checksums
    ]


# Operations.


@api.get(
    "/documents", response=list[DocumentOut], tags=["documents"], url_name="documents", operation_id="listDocuments"
)
def documents(request):
    """Every document, each with its latest published version."""
    return [_document_out(document) for document in Document.objects.all()]


@api.get(
    "/documents/{slug}",
    response={200: DocumentOut, 404: Problem},
    tags=["documents"],
    url_name="document",
    operation_id="getDocument",
)
def document(request, slug: str = Path(..., example="owpl")):
    return _document_out(_document(slug))


@api.get(
    "/documents/{slug}/versions",
    response={200: list[VersionSummary], 404: Problem},
    tags=["documents"],
    url_name="versions",
    operation_id="listVersions",
)
def versions(request, slug: str = Path(..., example="owpl")):
    """A document's published versions, newest first."""
    document = _document(slug)
    found = document.published_versions()
    for version in found:
        version.document = document
    return [_summary(version, found[0].number) for version in found]


@api.get(
    "/documents/{slug}/versions/{number}",
    response={200: VersionDetail, 404: Problem},
    tags=["documents"],
    url_name="version",
    operation_id="getVersion",
)
def version(request, slug: str = Path(..., example="owpl"), number: str = Path(..., example="1.1")):
    """One published version: its metadata, its fields, and the URL and checksum of every file."""
    document = _document(slug)
    version = _version(document, number)
    checksums = version.stored_checksums()
    files = _files(
        checksums,
        (
            (fmt, version.file_name(fmt.suffix), outputs.absolute(version.file_url(fmt.suffix)))
            for fmt in formats.version_files(template=document.is_template)
        ),
    )
    return {
        **_summary(version, document.latest_version.number),
        "changelog": version.changelog,
        "fields": version.fields,
        "files": files,
        "spdx_id": document.spdx_id(version.number) if document.is_template else None,
        "wizard_url": outputs.absolute(version.wizard_url()) if document.is_template else None,
        "licenses_url": _api_url("version-licenses", slug=slug, number=number)
        if outputs.LICENSES in checksums
        else None,
    }


@api.get(
    "/documents/{slug}/versions/{number}/licenses",
    response={200: LicensesAssessment, 404: Problem},
    tags=["documents"],
    url_name="version-licenses",
    operation_id="getVersionLicenses",
)
def version_licenses(request, slug: str = Path(..., example="definition"), number: str = Path(..., example="1.1")):
    """Which licenses meet a version of the definition, section by section (informative, not legal advice)."""
    document = _document(slug)
    version = _version(document, number)
    row = version.renditions.filter(format=outputs.LICENSES).first()
    if row is None:
        raise Http404(f"No assessment of licenses was published with {version}.")
    body = bytes(row.body)
    return {
        "definition": _summary(version, document.latest_version.number),
        "url": outputs.absolute(version.licenses_url(as_json=True)),
        "sha256": row.sha256,
        "entries": [
            {**vars(entry), "sections": {v.section: {"meets": v.meets, "reason": v.reason} for v in entry.sections}}
            for entry in conformance.entries(body)
        ],
    }


def _release_out(release: Release) -> dict:
    version = release.version
    files = _files(
        release.checksums,
        (
            (fmt, fmt.license_name, outputs.absolute(release.file_url(fmt.suffix)))
            for fmt in outputs.release_license_files(release)
        ),
    )
    return {
        "id": release.id,
        "url": outputs.absolute(release.get_absolute_url()),
        "api_url": _api_url("release", release_id=release.id),
        "created_at": release.created_at,
        "document": version.document.slug,
        "version": version.number,
        "spdx_id": version.document.spdx_id(version.number),
        "values": release.values,
        "renderer": release.renderer,
        "coverage": {"kinds": [], "patterns": [], **release.coverage},
        "files": files,
        "json_url": outputs.absolute(release.file_url(outputs.METADATA)),
        "zip_url": outputs.absolute(release.file_url("zip")),
    }


@api.get(
    "/releases/{release_id}",
    response={200: ReleaseOut, 404: Problem},
    tags=["releases"],
    url_name="release",
    operation_id="getRelease",
)
def release(request, release_id: str = Path(..., example="6ilpfnmloba3bdqh")):
    """A release: a license filled in for one model, permanent."""
    found = Release.objects.select_related("version__document").filter(pk=release_id[:32]).first()
    if found is None:
        raise Http404("There is no release with this id.")
    return _release_out(found)


@api.post(
    "/releases",
    response={200: ReleaseOut, 201: ReleaseOut, 400: Problem, 404: Problem, 429: Problem},
    tags=["releases"],
    url_name="releases",
    operation_id="createRelease",
)
def make_release(request, payload: ReleaseIn, response: HttpResponse):
    """Fill in a license for a release, with the wizard's rules and rate limit.

    201 with the new release, or 200 with the one that the same values made before (the id is derived
    from the version and the values). No cookie and no CSRF token are needed.
    """
    document = _document(payload.document)
    if not document.is_template:
        raise _Invalid("document", f"{document.title} is not a license: it has no fields to fill in.")
    number = payload.version or getattr(document.latest_version, "number", None)
    if number is None:
        raise Http404(f"{document.title} has no published version.")
    version = _version(document, number)
    unknown = sorted(set(payload.values) - set(version.field_names))
    values, errors = fields.validate(version.fields, payload.values)
    problems = [{"field": f"values.{name}", "message": f"{version} declares no field “{name}”."} for name in unknown]
    problems += [
        {"field": f"values.{name}", "message": message} for name, messages in errors.items() for message in messages
    ]
    coverage, coverage_problems = kit.clean_coverage(
        None if payload.coverage is None else payload.coverage.model_dump()
    )
    problems += [{"field": "coverage", "message": message} for message in coverage_problems]
    if problems:
        raise _Invalid.many(problems)
    state = check_rate(request, "release", settings.OW_RELEASES_PER_MINUTE)
    identifier = release_id(version, fields.canonical(version.fields, values), coverage=coverage)
    existed = Release.objects.filter(pk=identifier).exists()
    made = create_release(version=version, values=values, coverage=coverage, slot=render_slot)
    response["Location"] = _api_url("release", release_id=made.id)
    _rate_headers(response, state)
    return Status(200 if existed else 201, _release_out(made))


@api.post(
    "/check",
    response={200: CheckOut, 400: Problem, 413: Problem, 429: Problem},
    tags=["check"],
    url_name="check",
    operation_id="checkLicense",
)
def check_license(request, payload: CheckIn, response: HttpResponse):
    """Which published text a LICENSE is, what it fills in and how it differs (the /check/ page's service)."""
    try:
        state = check_rate(request, "check", settings.OW_CHECKS_PER_MINUTE)
        result = checker.check(payload.text, model_card=payload.model_card)
    except checker.CheckError as error:
        if error.status == 413:
            raise HttpError(413, str(error)) from None
        raise _Invalid("text", str(error)) from None
    _rate_headers(response, state)
    return result.as_json()


def _rate_headers(response: HttpResponse, state: RateState) -> None:
    response["RateLimit-Limit"] = str(state.limit)
    response["RateLimit-Remaining"] = str(state.remaining)
    response["RateLimit-Reset"] = str(state.reset)


class Unmet(Schema):
    section: str = Field(description="The Section of the Definition that is not met, such as 8.")
    item: str = Field(description="What in it: license, access, architecture, training_data, training_software, …")
    reason: str = Field(description="Why, in a plain sentence.")


class AssessmentOut(Schema):
    id: str
    url: str = Field(description="The statement's permanent page.")
    api_url: str
    json_url: str = Field(description="The statement as frozen JSON: answers, verdict, every finding, checksums.")
    badge: str = Field(description="The SVG badge for README files.")
    definition: str = Field(description="The Definition version it was assessed against.")
    conforms: bool
    unmet: list[Unmet]
    created_at: datetime
    release: str | None = Field(description="The id of the release on this site the statement names, if any.")


class Evidence(Schema):
    model_config = {"extra": "forbid"}

    architecture: str | None = Field(None, max_length=500, description="Section 8, item 1: its description's URL.")
    training_method: str | None = Field(None, max_length=500, description="Section 8, item 2.")
    training_data: str | None = Field(None, max_length=500, description="Section 8, item 3, with provenance.")
    hyperparameters: str | None = Field(None, max_length=500, description="Section 8, item 4.")
    training_software: str | None = Field(None, max_length=500, description="Where to obtain the training software.")


class OptionalEvidence(Schema):
    model_config = {"extra": "forbid"}

    url: str | None = Field(None, max_length=500)
    license: str | None = Field(None, max_length=200, description="An SPDX license expression.")


class OptionalCriteria(Schema):
    model_config = {"extra": "forbid"}

    training_data: OptionalEvidence | None = None
    user_software: OptionalEvidence | None = None
    further_training_software: OptionalEvidence | None = None


class AssessmentIn(Schema):
    """The questionnaire's answers (the same as POST /assessments.json takes)."""

    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            "examples": [
                {
                    "model": "Heron-3B",
                    "publisher": "Heron AI Ltd",
                    "release_url": "https://huggingface.co/heron/Heron-3B",
                    "license": "LicenseRef-OWPL-1.1",
                    "training_software_license": "Apache-2.0",
                    "evidence": {
                        key: f"https://huggingface.co/heron/Heron-3B/blob/main/docs/{key}.md"
                        for key in ("architecture", "training_method", "training_data", "hyperparameters")
                    }
                    | {"training_software": "https://github.com/heron-ai/heron-train"},
                }
            ]
        },
    }

    model: str = Field(max_length=200)
    publisher: str = Field(max_length=200)
    release_url: str = Field(max_length=500, description="An https:// URL where the weights can be obtained.")
    license: str = Field(max_length=100, description="The weights' license: an SPDX id or a LicenseRef.")
    license_url: str | None = Field(None, max_length=500, description="Another license's text (the evidence).")
    license_answers: dict[str, Literal["yes", "no"] | bool] | None = Field(
        None, description="For another license: the answer to the question of each Section, 2 to 7."
    )
    access: Literal["open", "approval"] = Field("open", description="Section 2: can anyone download the weights?")
    release: str | None = Field(None, pattern=RELEASE_ID, description="A release on this site, which it then names.")
    evidence: Evidence | None = None
    materials_license: str | None = Field(
        None, max_length=200, description="The materials' terms; default: the license."
    )
    training_software_license: str | None = Field(None, max_length=200, description="An SPDX license expression.")
    system_components: str | None = Field(None, max_length=500, description="Where they are named.")
    optional: OptionalCriteria | None = None
    definition: str | None = Field(
        None, pattern=NUMBER, description="The Definition version; the latest when left out."
    )


def _assessment_out(made: Assessment) -> dict:
    return {**outputs.assessment_summary(made), "api_url": _api_url("assessment", assessment_id=made.id)}


@api.get(
    "/assessments/{assessment_id}",
    response={200: AssessmentOut, 404: Problem},
    tags=["assessments"],
    url_name="assessment",
    operation_id="getAssessment",
)
def get_assessment(request, assessment_id: str = Path(..., example="riregueic534yba2")):
    """A self-assessment: the publisher's own statement about a release against a Definition version, permanent."""
    found = Assessment.objects.filter(pk=assessment_id[:16]).first()
    if found is None:
        raise Http404("There is no self-assessment with this id.")
    return _assessment_out(found)


@api.post(
    "/assessments",
    response={200: AssessmentOut, 201: AssessmentOut, 400: Problem, 429: Problem},
    tags=["assessments"],
    url_name="assessments",
    operation_id="createAssessment",
)
def make_assessment(request, payload: AssessmentIn, response: HttpResponse):
    """Assess a release against the Definition: the questionnaire's answers, judged and kept as a permanent
    statement (the same service as the page's form and POST /assessments.json).

    201 with the new statement, or 200 with the one the same answers made before (the id is derived from
    the answers and the Definition version). No cookie and no CSRF token are needed.
    """
    state = check_rate(request, "assessment", settings.OW_ASSESSMENTS_PER_MINUTE)
    try:
        made, created = create_assessment(data=payload.model_dump(exclude_unset=True))
    except InvalidAnswers as error:
        raise _Invalid.many(
            [{"field": field, "message": message} for field, messages in error.errors.items() for message in messages]
        ) from None
    response["Location"] = _api_url("assessment", assessment_id=made.id)
    _rate_headers(response, state)
    return Status(201 if created else 200, _assessment_out(made))


# Errors, all as problem details.


class _Invalid(Exception):
    """A request the API refuses (400), with the fields that are wrong."""

    def __init__(self, field: str | None = None, message: str = "", *, problems: list[dict] | None = None):
        self.problems = problems if problems is not None else [{"field": field, "message": message}]
        super().__init__("; ".join(problem["message"] for problem in self.problems))

    @classmethod
    def many(cls, problems: list[dict]) -> "_Invalid":
        return cls(problems=problems)


def problem(request, status: int, title: str, detail: str, errors: list[dict] | None = None) -> HttpResponse:
    return api.create_response(
        request,
        {"type": "about:blank", "title": title, "status": status, "detail": detail, "errors": errors or []},
        status=status,
    )


@api.exception_handler(_Invalid)
def _invalid(request, error: _Invalid):
    return problem(request, 400, "The request is not valid", str(error), error.problems)


@api.exception_handler(RequestValidationError)
def _malformed(request, error: RequestValidationError):
    errors = []
    for item in error.errors:
        location = [str(part) for part in item.get("loc", ()) if part not in ("body", "payload", "path", "query")]
        errors.append({"field": ".".join(location) or "body", "message": item.get("msg", "is not valid")})
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "The request is not valid."
    return problem(request, 400, "The request is not valid", detail, errors)


@api.exception_handler(Http404)
def _not_found(request, error: Http404):
    return problem(request, 404, "Not found", str(error) or "There is nothing at this address.")


@api.exception_handler(HttpError)
def _http_error(request, error: HttpError):
    return problem(request, error.status_code, "The request cannot be answered", str(error))


@api.exception_handler(Throttled)
def _throttled(request, error: Throttled):
    response = problem(request, 429, "Too many requests", str(error))
    response["Retry-After"] = str(error.retry_after)
    return response
