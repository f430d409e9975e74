"""The self-assessment's pages and endpoints: the questionnaire (/assess/, /definition/<v>/assess/),
POST /assessments.json for CI, and the permanent statement at /assessments/<id>/ with its .json and
its badge (.svg). Thin: publishing.create_assessment() checks the answers, judges and stores them.

Statements are frozen, so each worker keeps what it has read (as it does releases); they are dynamic
like releases, never part of the static export.
"""

import json

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import assessment, memory, outputs
from .assessment import InvalidAnswers
from .forms import AssessmentForm
from .http import IMMUTABLE, SHORT, bytes_response, frozen_response, page_response, read_only
from .models import Assessment, Release, Version
from .publishing import assessable_definitions, create_assessment, known_licenses
from .throttling import RateState, Throttled, after, check_rate
from .views import page_revision

PROBLEM = "application/problem+json"
_statements = memory.Memory("assessment statements", shared=True)
_statement_pages = memory.Memory("assessment pages", shared=True)


def _assessable(number: str) -> Version:
    version = next((v for v in assessable_definitions() if v.number == number), None)
    if version is None:
        offered = ", ".join(v.number for v in assessable_definitions())
        raise Http404(
            f"No self-assessment questionnaire follows Definition {number}: it follows Definition {offered or '—'}."
        )
    return version


@read_only
def assess_latest(request):
    """/assess/: the questionnaire of the latest Definition version it follows (a prefilled link keeps its values)."""
    versions = assessable_definitions()
    if not versions:
        raise Http404("No Definition version has a self-assessment questionnaire yet.")
    query = request.META.get("QUERY_STRING", "")
    response = redirect(
        versions[0].document.route("assess", number=versions[0].number) + (f"?{query}" if query else "")
    )
    response["Cache-Control"] = SHORT
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def questionnaire(request, kind: str, slug: str, number: str):
    version = _assessable(number)
    known = known_licenses(version)
    entries = list(known.values())
    throttled, status = None, 200
    if request.method == "POST":
        form = AssessmentForm(request.POST, known=entries)
        form.is_valid()
        status = 400
        data = form.data_as_answers()
        if form.errors:  # the form's own checks failed: say what the answers lack too, all at once
            try:
                assessment.check(data, known=known, definition=version.number)
            except InvalidAnswers as error:
                form.add_answer_errors(error.errors)
        else:
            try:
                check_rate(request, "assessment", settings.OW_ASSESSMENTS_PER_MINUTE)
                made, _ = create_assessment(data=data, definition=version)
            except InvalidAnswers as error:
                form.add_answer_errors(error.errors)
            except Throttled as error:
                throttled, status = error, 429
            else:
                return redirect(made.get_absolute_url())
    else:
        form = AssessmentForm(initial=_initial(request, known), known=entries)
    context = {
        "version": version,
        "form": form,
        "throttled": f"{throttled} Submit again {after(throttled.retry_after)}: your answers are kept."
        if throttled
        else "",
        "licenses_url": version.licenses_url(),
        "example": json.dumps(_EXAMPLE, indent=2),
        "endpoint": outputs.absolute("/assessments.json"),
    }
    response = render(request, "licenses/assess.html", context, status=status)
    if throttled:
        response["Retry-After"] = str(throttled.retry_after)
    return response


def _initial(request, known) -> dict:
    """Prefill from a release of this site (?release=<id>) or from the query string."""
    initial = {name: request.GET[name][:500] for name in request.GET if name in _PREFILLABLE}
    release_id = request.GET.get("release", "")
    release = (
        Release.objects.select_related("version__document").filter(pk=release_id).first()
        if assessment.RELEASE_ID_RE.match(release_id)
        else None
    )
    if release is not None:
        licensed = release.version.document.spdx_id(release.version.number)
        initial.update(
            model=release.values.get("model", ""),
            publisher=release.values.get("licensor", ""),
            release_url=release.values.get("location", ""),
            release=release.id,
        )
        entry = assessment.find_known(known, licensed)
        if entry is not None:
            initial["license"] = entry.id
        else:
            initial.update(license=AssessmentForm.OTHER, other_license=licensed)
    return initial


_PREFILLABLE = ("model", "publisher", "release_url", "license", "training_software_license")
_EXAMPLE = {
    "model": "Heron-3B",
    "publisher": "Heron AI Ltd",
    "release_url": "https://huggingface.co/heron/Heron-3B",
    "license": "LicenseRef-OWPL-1.1",
    "training_software_license": "Apache-2.0",
    "evidence": {key: f"https://huggingface.co/heron/Heron-3B/blob/main/docs/{key}.md" for key in assessment.MATERIALS},
}


def _problem(status: int, title: str, errors: dict[str, list[str]] | None = None, detail: str = "") -> JsonResponse:
    listed = [
        {"field": field, "message": message} for field, messages in (errors or {}).items() for message in messages
    ]
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail or "; ".join(f"{e['field']}: {e['message']}" for e in listed),
        "errors": listed,
    }
    response = JsonResponse(body, status=status, content_type=PROBLEM, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


@csrf_exempt  # a JSON endpoint for CI: no cookie, no session, nothing for a forged form to ride on
@require_http_methods(["POST", "OPTIONS"])
def create_json(request):
    """POST /assessments.json: the questionnaire's answers as JSON; 201 with the statement, 200 when the
    same answers made it before, 400 naming each field that is wrong, 429 past the rate limit."""
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        del response["Content-Type"]
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = "86400"
        return response
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as error:
        return _problem(400, "The body is not JSON", {"body": [f"Send the answers as a JSON object ({error})."]})
    except RecursionError:  # nested deeper than Python's parser goes: no answer is
        return _problem(400, "The body is not JSON", {"body": ["Send the answers as a JSON object, not nested lists."]})
    try:
        state = check_rate(request, "assessment", settings.OW_ASSESSMENTS_PER_MINUTE)
    except Throttled as error:
        response = _problem(429, "Too many requests", detail=str(error))
        response["Retry-After"] = str(error.retry_after)
        return response
    try:
        made, created = create_assessment(data=data)
    except InvalidAnswers as error:
        return _problem(400, "The answers are not valid", error.errors)
    response = JsonResponse(
        outputs.assessment_summary(made), status=201 if created else 200, json_dumps_params={"ensure_ascii": False}
    )
    response["Location"] = outputs.absolute(made.get_absolute_url())
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = (
        "Location, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset"
    )
    rate_headers(response, state)
    return response


def rate_headers(response: HttpResponse, state: RateState) -> None:
    response["RateLimit-Limit"] = str(state.limit)
    response["RateLimit-Remaining"] = str(state.remaining)
    response["RateLimit-Reset"] = str(state.reset)


def _statement(assessment_id: str) -> tuple[bytes, str]:
    """A statement's frozen JSON and its checksum: each worker keeps what it has read."""

    def read() -> tuple[bytes, str]:
        row = Assessment.objects.filter(pk=assessment_id).values_list("body", "sha256").first()
        if row is None:
            raise Http404(
                "There is no self-assessment with this id. Statements are made with the questionnaire at /assess/."
            )
        return bytes(row[0]), row[1]

    return _statements.get_or_make(assessment_id, read)


@read_only
def statement(request, assessment_id: str):
    body, _ = _statement(assessment_id)

    def make() -> tuple[bytes, str]:
        page = _render_statement(request, json.loads(body), body)
        return page, outputs.sha256(page)

    return page_response(request, *_statement_pages.get_or_make((page_revision(), assessment_id), make))


def _render_statement(request, data: dict, body: bytes) -> bytes:
    findings = data["findings"]
    sections = []
    for number, title in _SECTION_TITLES:
        items = [finding for finding in findings if finding["section"] == number]
        if items:
            sections.append({"number": number, "title": title, "items": items, "met": all(f["met"] for f in items)})
    context = {
        "data": data,
        "answers": data["answers"],
        "sections": sections,
        "readings": data["elsewhere"]["readings"],
        "sha256": outputs.sha256(body),
        "checksums": {
            "md": data["checksums"]["definition.md"],
            "licenses": data["checksums"]["definition.licenses.json"],
            "badge": data["checksums"]["badge.svg"],
        },
        "json_ld": _json_ld(data),
        # The page's own image is served from this site, whatever SITE_URL the snippets print.
        "badge_path": reverse("licenses:assessment-file", kwargs={"assessment_id": data["id"], "fmt": "svg"}),
        "json_path": reverse("licenses:assessment-file", kwargs={"assessment_id": data["id"], "fmt": "json"}),
        "badge_alt": f"Open Weights {data['definition']['version']}: "
        f"{'conforms' if data['conforms'] else 'does not conform'} (self-assessment)",
    }
    return render(request, "licenses/assessment_detail.html", context).content


_SECTION_TITLES = (
    ("2", "Applying the definition"),
    ("3", "Use"),
    ("4", "Modification"),
    ("5", "Redistribution"),
    ("6", "No discrimination"),
    ("7", "Conditions"),
    ("8", "Materials for study and reproduction"),
)


def _json_ld(data: dict) -> str:
    """The statement as schema.org JSON-LD: a Claim by the publisher about the release, escaped so that
    nothing in it can close the script element it sits in (a data block, never run, so the CSP allows it)."""
    answers = data["answers"]
    claim = {
        "@context": "https://schema.org",
        "@type": "Claim",
        "@id": data["url"],
        "url": data["url"],
        "name": f"{answers['model']}: {'conforms' if data['conforms'] else 'does not conform'} to "
        f"{data['definition']['title']}",
        "text": data["statement"],
        "dateCreated": data["created_at"],
        "author": {"@type": "Organization", "name": answers["publisher"]},
        "about": {"@type": "CreativeWork", "name": answers["model"], "url": answers["release_url"]},
        "isBasedOn": data["definition"]["url"],
        "claimInterpreter": {"@type": "Organization", "name": answers["publisher"]},
        "encoding": {"@type": "MediaObject", "contentUrl": data["json_url"], "encodingFormat": "application/json"},
        "additionalProperty": [
            {"@type": "PropertyValue", "name": "conforms", "value": data["conforms"]},
            {"@type": "PropertyValue", "name": "unmet", "value": len(data["unmet"])},
            {"@type": "PropertyValue", "name": "certification", "value": False},
        ],
    }
    text = json.dumps(claim, ensure_ascii=False, sort_keys=True, indent=1)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


@read_only
def statement_file(request, assessment_id: str, fmt: str):
    body, sha = _statement(assessment_id)
    if fmt == "json":
        return bytes_response(
            request, body, sha=sha, fmt="json", filename=f"open-weights-assessment-{assessment_id}.json"
        )
    data = json.loads(body)
    badge = outputs.assessment_badge_svg(data["definition"]["version"], data["conforms"])
    return frozen_response(
        request, badge, sha=outputs.sha256(badge), content_type="image/svg+xml", cache_control=IMMUTABLE, cors=True
    )
