"""Public pages and downloads of the documents: thin views over models and outputs.

The versioned views take the document's `kind` (and `slug`) from their route, which urls.py
generates for every kind in kinds.py.
"""

import hashlib
import json
import re
import sys
import time
from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache as shared_cache
from django.core.paginator import Paginator
from django.db import DatabaseError, DataError, IntegrityError
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import about as about_pages
from . import checker, conformance, counters, diffs, feeds, fields, fonts, formats, kit, memory, outputs, rendering
from .forms import CheckForm, CoverageForm, LicenseFieldsForm
from .http import IMMUTABLE, PRIVATE, SHORT, bytes_response, frozen_response, page_response, preflight, read_only
from .models import Assessment, Document, Release, Version
from .publishing import create_release
from .review import review_page
from .throttling import Throttled, after, check_rate, render_slot

versions_feed = feeds.VersionsFeed()  # /versions.atom, and each document's (kinds.py)
drafts_feed = feeds.DraftsFeed()


def _document(slug: str, kind: str) -> Document:
    document = Document.objects.filter(slug=slug, kind=kind).first()
    if document is None:
        raise Http404(f"There is no document called “{slug[:80]}”.")
    return document


def _version(document: Document, number: str) -> Version:
    version = document.versions.published().filter(number=number).select_related("document").first()
    if version is None:
        raise Http404(f"{document.title} has no published version {number}.")
    return version


def split_title(body: str) -> tuple[str, str]:
    """Split rendered HTML into its leading <h1> and the rest, so a page can put matter between them."""
    match = re.match(r"\s*(<h1\b.*?</h1>)(.*)", body, flags=re.S)
    return (match[1], match[2]) if match else ("", body)


@read_only
def home(request):
    entries = []
    for document in Document.objects.all():
        versions = document.published_versions()
        latest = versions[0] if versions else None
        downloads = [(fmt.suffix, latest.file_url(fmt.suffix)) for fmt in _home_formats()] if latest else []
        entries.append({"document": document, "latest": latest, "downloads": downloads})
    owpl = next((e["latest"] for e in entries if e["document"].slug == "owpl"), None)
    context = {"documents": entries, "owpl": owpl, "curl_example": _curl_example(owpl) if owpl else ""}
    return render(request, "licenses/home.html", context)


def _home_formats() -> list[formats.Format]:
    """The files the home page offers of each latest version: its texts (not its metadata)."""
    return [fmt for fmt in formats.version_files() if fmt.render is not None]


@read_only
def about(request):
    filename, title = about_pages.FAQ
    return render(request, "licenses/about.html", {"body": about_pages.page_html(filename), "title": title})


@read_only
def about_page(request, page: str):
    if page not in about_pages.PAGES:
        raise Http404("There is no such page.")
    filename, title = about_pages.PAGES[page]
    return render(request, "licenses/about.html", {"body": about_pages.page_html(filename), "title": title})


@read_only
def license_list(request):
    licenses = Document.objects.filter(kind=Document.Kind.LICENSE).prefetch_related("versions")
    return render(request, "licenses/license_list.html", {"licenses": licenses})


@read_only
def document_latest(request, kind: str, slug: str):
    document = _document(slug, kind)
    latest = document.latest_version
    if latest is None:
        raise Http404(f"{document.title} has no published version yet.")
    latest.document = document
    response = redirect(latest.get_absolute_url())
    response["Cache-Control"] = SHORT
    return response


@cache
def page_revision() -> str:
    """Return a digest of the templates and static files: cached pages are keyed by it."""
    digest = hashlib.sha256(rendering.RENDERER_VERSION.encode())
    for folder in (settings.BASE_DIR / "templates", settings.BASE_DIR / "static"):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "node_modules" not in path.parts:
                digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()[:16]


# Per-process memories (see memory.py). Published versions and releases are frozen, so their objects
# and pages are kept as they are; the list of a document's published versions is re-read after a
# publication (the shared cache's publication counter moves) and at the latest after NUMBERS_TTL
# seconds, for workers whose cache is not shared (local memory).
NUMBERS_TTL = 10.0
DATABASE_RETRY_AFTER = 30  # seconds: what a 503 asks a client to wait while the database is away
_numbers = memory.Memory("published version numbers by document")
# Frozen things are shared through the cache too, so that they survive a database outage (memory.py).
_published_versions = memory.Memory("published versions", shared=True)
_pages = memory.Memory("pages the same for every reader", shared=True)
_published_files = memory.Memory("published files", shared=True)
_releases = memory.Memory("releases", shared=True)
# Filled-in files by their exact query string: the same query always gives the same bytes (the version
# is frozen), so a repeated `curl` skips validation and the cache. Only a query asked for a second time
# is kept (the first time only its key is noted), so one-off values, most of them, never take memory.
_filled_files = memory.Memory("filled-in files by query", limit=128)
_filled_queries_seen = memory.Memory("filled-in queries asked once", limit=8 * 1024)


def _kept_page(key: tuple, render_body) -> tuple[bytes, str]:
    """A page's bytes and checksum from this process's memory, rendered once per key and page revision.

    Only for pages that are the same for every visitor: nothing of the user, the session or messages.
    """

    def make():
        body = render_body()
        return body, outputs.sha256(body)

    return _pages.get_or_make((page_revision(), *key), make)


def forget_everything() -> None:
    """Drop every per-process memory (tests build a new database each time)."""
    memory.forget_all()
    counters.forget_all()


def _published_numbers(slug: str, kind: str) -> tuple[str, ...]:
    """Return a document's published version numbers (empty if it has none)."""
    generation, now = outputs.publication_generation(), time.monotonic()
    memo = _numbers.get((slug, kind))
    if memo and memo[0] > now and memo[1] == generation:
        return memo[2]
    try:
        numbers = tuple(
            Version.objects.published()
            .filter(document__slug=slug, document__kind=kind)
            .by_number()
            .values_list("number", flat=True)
        )
    except DatabaseError:
        # The database is away: published versions are frozen, so the list last read here or by
        # another worker still holds (it can only lack a version published meanwhile).
        numbers = memo[2] if memo else shared_cache.get(f"published-numbers:{kind}:{slug}")
        if numbers is None:
            raise
        return _numbers.remember((slug, kind), (now + NUMBERS_TTL, memo[1] if memo else generation, numbers))[2]
    if memo is None or memo[2] != numbers:  # for the workers that have not read it yet (outages)
        shared_cache.set(f"published-numbers:{kind}:{slug}", numbers, timeout=None)
    return _numbers.remember((slug, kind), (now + NUMBERS_TTL, generation, numbers))[2]


def _published_version(slug: str, kind: str, number: str) -> Version:
    """Return a published version with its document, or raise the helpful 404."""
    return _published_versions.get_or_make((kind, slug, number), lambda: _version(_document(slug, kind), number))


@read_only
def version_detail(request, kind: str, slug: str, number: str):
    numbers = _published_numbers(slug, kind)
    if number not in numbers:
        _version(_document(slug, kind), number)  # raises the helpful 404
    # The page changes only when a newer version is published (its banner), so it is kept by that.
    cached = _kept_page((slug, kind, number, numbers), lambda: _render_version_page(request, slug, kind, number))
    return page_response(request, *cached)


def _render_version_page(request, slug: str, kind: str, number: str) -> bytes:
    document = _document(slug, kind)
    version = _version(document, number)
    versions = document.published_versions()
    body, _ = outputs.version_file(version, "html")
    heading, text = split_title(body.decode())
    summary, _ = outputs.version_file(version, "summary")
    files = _downloads(version)
    context = {
        "document": document,
        "version": version,
        "versions": versions,
        "superseded_by": versions[0] if versions[0].number != version.number else None,
        "heading": heading,
        "body": text,
        "contents": rendering.table_of_contents(text),
        "summary": summary.decode(),
        "downloads": [file for file in files if not file["for_tools"]],
        "tool_files": [file for file in files if file["for_tools"]],
        "spdx_id": document.spdx_id(version.number) if document.is_template else None,
        "permalink": outputs.absolute(version.get_absolute_url()),
        "versions_feed_url": document.route("versions-feed"),
        "compare": _comparison_for(version, versions),
        "comment_count": version.comments.count(),
        "licenses_url": version.licenses_url() if outputs.LICENSES in version.stored_checksums() else None,
    }
    return render(request, "licenses/version_detail.html", context).content


def _downloads(version: Version) -> list[dict]:
    """A published version's files, each with its download name and checksum (formats added since
    its publication included, once rendered: see formats.py)."""
    checksums = version.stored_checksums()
    return [
        {
            "fmt": fmt.suffix,
            "label": fmt.label,
            "url": version.file_url(fmt.suffix),
            "name": version.file_name(fmt.suffix),
            "sha256": sha,
            "for_tools": fmt.for_tools,
        }
        for fmt in formats.version_files(template=version.document.is_template)
        if (sha := checksums.get(fmt.suffix))
    ]


@read_only
def version_comments(request, kind: str, slug: str, number: str):
    """The review record of a published version: the comments it received while a draft."""
    response = review_page(request, _published_version(slug, kind, number))
    response["Cache-Control"] = SHORT
    return response


def _comparison_for(version: Version, versions: list[Version]) -> dict | None:
    """The pair a version's page offers to compare: it and the latest, or the latest and the one before."""
    if len(versions) < 2:
        return None
    old, new = (version, versions[0]) if version.number != versions[0].number else (versions[1], version)
    return {"old": old, "new": new, "url": old.compare_url(new)}


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "") or request.GET.get("errors") == "json"


def _bad_values(request, form: LicenseFieldsForm):
    """Answer 400 with one 'field: message' line per problem, or JSON when the client asks for it."""
    if _wants_json(request):
        errors = {name: list(messages) for name, messages in form.errors.items()}
        return JsonResponse({"errors": errors}, status=400)
    text = "The license could not be filled in:\n" + form.error_text()
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


@read_only
def version_file(request, kind: str, slug: str, number: str, fmt: str):

    def read() -> tuple[bytes, str, str, tuple[str, ...]]:
        version = _published_version(slug, kind, number)
        if not formats.get(fmt).serves(template=version.document.is_template):
            raise Http404(f"{version.title} is not a license template: it has no .{fmt} file.")
        body, sha = outputs.version_file(version, fmt, slot=render_slot)
        return body, sha, version.file_name(fmt), tuple(version.field_names)

    body, sha, filename, field_names = _published_files.get_or_make((kind, slug, number, fmt), read)
    query = request.META.get("QUERY_STRING", "")  # looked at first: a plain download need not parse request.GET
    if query and formats.get(fmt).fillable:
        key = (kind, slug, number, fmt, query)
        # A query remembered is a filled one: a repeated `curl` needs neither request.GET nor validation.
        filled = _filled_files.get(key)
        if filled is None and any(name in request.GET for name in field_names):
            filled = _filled_file(request, _published_version(slug, kind, number), fmt)
            if isinstance(filled, HttpResponse):
                return filled  # the values were refused
            if key in _filled_queries_seen:
                _filled_files.remember(key, filled)
            else:
                _filled_queries_seen.remember(key, None)
        if filled is not None:
            body, sha = filled
            filename = formats.get(fmt).license_name
    return bytes_response(request, body, sha=sha, fmt=fmt, filename=filename)


def _filled_file(request, version: Version, fmt: str) -> tuple[bytes, str] | HttpResponse:
    """The curl endpoint: the license filled in with the query's values and its checksum, or a 400
    response saying what is wrong."""
    form = LicenseFieldsForm(request.GET, version=version)
    if not form.is_valid():
        return _bad_values(request, form)
    values = fields.canonical(version.fields, form.values())
    url = outputs.absolute(version.get_absolute_url())
    body = outputs.cached_filled_file(version, fmt, values, url=url)
    if body is None:
        check_rate(request, "render", settings.OW_RENDERS_PER_MINUTE)
        body = outputs.filled_file(version, fmt, values, url=url, slot=render_slot)
    return body, outputs.sha256(body)


@read_only
def version_licenses(request, kind: str, slug: str, number: str, as_json: bool = False):
    """Which licenses meet a version of the definition: the assessment published with it, as its
    frozen JSON or as a page made from those bytes."""

    def read() -> tuple[bytes, str]:
        row = _published_version(slug, kind, number).renditions.filter(format=outputs.LICENSES).first()
        if row is None:
            raise Http404(f"No assessment of licenses was published with version {number}.")
        return bytes(row.body), row.sha256

    body, sha = _published_files.get_or_make((kind, slug, number, outputs.LICENSES), read)
    if as_json:
        return bytes_response(
            request, body, sha=sha, fmt="json", filename=f"open-weights-{slug}-{number}-licenses.json"
        )
    numbers = _published_numbers(slug, kind)
    page = _kept_page(
        (slug, kind, number, "licenses", numbers), lambda: _render_licenses_page(request, slug, kind, number, body, sha)
    )
    return page_response(request, *page)


def _render_licenses_page(request, slug: str, kind: str, number: str, body: bytes, sha: str) -> bytes:
    version = _published_version(slug, kind, number)
    entries = conformance.entries(body)
    versions = version.document.published_versions()
    context = {
        "document": version.document,
        "version": version,
        "entries": entries,
        "sections": conformance.SECTIONS,
        "meeting": [entry for entry in entries if entry.meets],
        "json_url": version.licenses_url(as_json=True),
        "sha256": sha,
        "superseded_by": versions[0] if versions[0].number != number else None,
    }
    return render(request, "licenses/version_licenses.html", context).content


@read_only
def badge(request, kind: str, slug: str, number: str):
    version = _published_version(slug, kind, number)
    body = outputs.badge_svg(version)
    return frozen_response(
        request, body, sha=outputs.sha256(body), content_type="image/svg+xml", cache_control=IMMUTABLE, cors=True
    )


@read_only
def wizard_latest(request):
    document = _document("owpl", Document.Kind.LICENSE)
    latest = document.latest_version
    if latest is None:
        raise Http404("The OWPL has no published version yet.")
    latest.document = document
    query = request.META.get("QUERY_STRING", "")  # a prefilled link (?licensor=…) keeps its values
    response = redirect(latest.wizard_url() + (f"?{query}" if query else ""))
    response["Cache-Control"] = SHORT
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def wizard(request, kind: str, slug: str, number: str):
    version = _published_version(slug, kind, number)
    document = version.document
    throttled = None
    if request.method == "POST":
        form = LicenseFieldsForm(request.POST, version=version)
        coverage_form = CoverageForm(request.POST)
        status = 400
        if form.is_valid() & coverage_form.is_valid():  # both, so that every message shows at once
            # Past the rate limit or the host's render cap: the page again, with what was typed,
            # rather than a bare 429.
            try:
                check_rate(request, "release", settings.OW_RELEASES_PER_MINUTE)
                release = create_release(
                    version=version,
                    values=form.values(),
                    coverage=coverage_form.coverage(),
                    owner=request.user,
                    slot=render_slot,
                )
            except Throttled as error:
                throttled, status = error, 429
            else:
                return redirect(release.get_absolute_url(), permanent=False)
    else:
        form = LicenseFieldsForm(initial=_initial_values(request, version), version=version)
        coverage_form = CoverageForm(initial=_initial_coverage(request))
        status = 200
    preview, _ = outputs.version_file(version, "html")
    context = {
        "document": document,
        "version": version,
        "form": form,
        "coverage_form": coverage_form,
        "error_count": len(form.errors) + len(coverage_form.errors),
        "preview": preview.decode(),
        "curl_example": _curl_example(version),
        "throttled": f"{throttled} Submit again {after(throttled.retry_after)}: your values are kept."
        if throttled
        else "",
    }
    response = render(request, "licenses/wizard.html", context, status=status)
    if throttled:
        response["Retry-After"] = str(throttled.retry_after)
    return response


def _initial_values(request, version: Version) -> dict[str, str]:
    """Prefill from a release ("start a new release from this one") or from the query string."""
    source_id = request.GET.get("from", "")
    valid = re.fullmatch(r"[a-z2-7]{16}", source_id)  # a release id, nothing the database could choke on
    source = Release.objects.filter(pk=source_id).first() if valid else None
    if source is not None:
        return {name: value for name, value in source.values.items() if name in version.field_names}
    return {name: request.GET[name][:500] for name in version.field_names if name in request.GET}


def _initial_coverage(request) -> dict:
    """Prefill the coverage from a release of renderer 2 on ("start a new release from this one")."""
    source_id = request.GET.get("from", "")
    if not re.fullmatch(r"[a-z2-7]{16}", source_id):
        return {}
    source = Release.objects.filter(pk=source_id).exclude(renderer="1").first()
    if source is None:
        return {}
    return {"kinds": source.coverage.get("kinds", []), "patterns": "\n".join(source.coverage.get("patterns", []))}


def _curl_example(version: Version) -> str:
    # Fields declared since fields.schema_problems asks for examples have one the wizard
    # accepts; older ones fall back to their name. urlencode escapes ' too, so the quotes hold in any shell.
    query = urlencode({field["name"]: field.get("example") or field["name"] for field in version.fields})
    return f"curl -o LICENSE '{outputs.absolute(version.file_url('txt'))}?{query}'"


def _release(release_id: str) -> Release:
    """Return a release with its version and document: frozen, so each worker keeps what it read."""

    def read() -> Release:
        release = Release.objects.select_related("version__document").filter(pk=release_id).first()
        if release is None:
            raise Http404("There is no release with this id. Release links are made by the license wizard.")
        return release

    return _releases.get_or_make(release_id, read)


@read_only
def release_detail(request, release_id: str):
    statements = _release_assessments(release_id)
    cached = _kept_page(
        ("release", release_id, statements), lambda: _render_release_page(request, _release(release_id), statements)
    )
    return page_response(request, *cached)


_assessments_of_releases = memory.Memory("self-assessments naming each release", limit=4096)


def _release_assessments(release_id: str) -> tuple[tuple[str, bool, str], ...]:
    """The self-assessments that name a release, oldest first, as (id, conforms, Definition number).

    Statements are added after a release is made, so the page is kept by this list. With a cache that
    every process shares (Redis), the list read here is kept until the statements counter moves
    (counters.py: within a second of a statement stored anywhere), so a page seen before costs no
    query; otherwise it is read each time (one indexed query). While the database is away, the list
    last read here still holds."""
    generation = counters.STATEMENTS.value() if counters.shared_between_processes() else None
    kept = _assessments_of_releases.get(release_id)
    if generation is not None and kept is not None and kept[0] == generation:
        return kept[1]
    try:
        found = tuple(
            Assessment.objects.filter(release_id=release_id)
            .order_by("created_at", "id")
            .values_list("id", "conforms", "definition__number")
        )
    except DatabaseError:
        return kept[1] if kept is not None else ()
    _assessments_of_releases.remember(release_id, (generation, found))
    return found


def _render_release_page(request, release: Release, statements: tuple = ()) -> bytes:
    version = release.version
    html = outputs.release_file(release, "html", slot=render_slot).decode()
    # Checksums that cost nothing: the license files' (recorded at creation) and the metadata's. The
    # zip's would need its PDF rendered, on the first view of every release, for a figure that its
    # members' checksums (listed here) already vouch for; the zip is listed without it.
    files = [
        {
            "fmt": fmt.suffix,
            "name": fmt.release_name(release.id),
            "url": release.file_url(fmt.suffix),
            "sha256": None if fmt.attachment else outputs.release_checksum(release, fmt.suffix, slot=render_slot),
        }
        for fmt in outputs.release_license_files(release) + [f for f in formats.release_files() if not f.fillable]
    ]
    context = {
        "release": release,
        "version": version,
        "document": version.document,
        "body": html,
        "contents": rendering.table_of_contents(html),
        "files": files,
        "snippets": outputs.release_snippets(release),
        "permalink": outputs.absolute(release.get_absolute_url()),
        "assessments": [_assessment_link(*statement) for statement in statements],
        "assess_url": reverse("licenses:assess-latest") + f"?release={release.id}",
        "coverage": _coverage_shown(release),
        "renderer_1": release.renderer == "1",
        "empty_boxes": _renderer_1_gaps(release) if release.renderer == "1" else [],
        "reissue_url": reverse("licenses:release-reissue", kwargs={"release_id": release.id}),
    }
    return render(request, "licenses/release_detail.html", context).content


def _coverage_shown(release: Release) -> dict:
    """What the release page says its license covers: the weights, the designated kinds, the patterns."""
    kinds = release.coverage.get("kinds", [])
    return {
        "kinds": [kind for kind in kit.KINDS if kind.key in kinds],
        "patterns": release.coverage.get("patterns", []),
    }


def _renderer_1_gaps(release: Release) -> list[str]:
    """The characters of a renderer-1 release's values that its PDF likely shows as empty boxes: outside
    DejaVu Serif, yet drawn by the fonts shipped now (so re-issuing prints them)."""
    text = " ".join(release.values.values())
    if fonts.missing_characters(text):
        return []
    return [f"{char} (U+{ord(char):04X})" for char in fonts.outside_dejavu(text)]


@require_http_methods(["GET", "HEAD", "POST"])
def release_reissue(request, release_id: str):
    """Make a release of the same version and values with the current renderer: a confirmation page
    (not cached, so it can carry the CSRF token), whose form POSTs here and is redirected to the new release."""
    release = _release(release_id)
    if release.renderer == rendering.RENDERER_VERSION:
        return redirect(release.get_absolute_url())
    _, errors = fields.validate(release.version.fields, release.values)
    problems = [message for messages in errors.values() for message in messages]
    throttled, status = None, 400 if problems else 200
    if request.method == "POST" and not problems:
        try:
            check_rate(request, "release", settings.OW_RELEASES_PER_MINUTE)
            made = create_release(version=release.version, values=release.values, owner=request.user, slot=render_slot)
        except Throttled as error:
            throttled, status = error, 429
        else:
            response = HttpResponseRedirect(made.get_absolute_url())
            response.status_code = 303  # See Other: the new release, fetched with GET
            return response
    context = {
        "release": release,
        "version": release.version,
        "problems": problems,
        "throttled": f"{throttled} Try again {after(throttled.retry_after)}." if throttled else "",
        "renderer": rendering.RENDERER_VERSION,
    }
    response = render(request, "licenses/release_reissue.html", context, status=status)
    if throttled:
        response["Retry-After"] = str(throttled.retry_after)
    return response


def _assessment_link(identifier: str, conforms: bool, number: str) -> dict:
    """A self-assessment as the release page lists it, with the README snippet of its badge."""
    page = reverse("licenses:assessment", kwargs={"assessment_id": identifier})
    badge = reverse("licenses:assessment-file", kwargs={"assessment_id": identifier, "fmt": "svg"})
    snippets = outputs.assessment_snippets(
        page_url=outputs.absolute(page), badge_url=outputs.absolute(badge), number=number, conforms=conforms
    )
    verdict = "conforms" if conforms else "does not conform"
    return {"id": identifier, "url": page, "badge": badge, "alt": f"Open Weights {number}: {verdict}", **snippets}


@read_only
def release_file(request, release_id: str, fmt: str):
    release = _release(release_id)
    body = outputs.release_file(release, fmt, slot=render_slot)
    name = formats.get(fmt).release_name(release.id)
    return bytes_response(request, body, sha=outputs.sha256(body), fmt=fmt, filename=name)


@read_only
def release_kit_file(request, release_id: str, name: str):
    """A release's file under the name it has in the kit, for `curl -O …/r/<id>/LICENSE`."""
    release = _release(release_id)
    fmt = formats.by_license_name(name)
    if fmt is None:  # NOTICE, the one kit file that is not a rendering of the license: plain text
        body, suffix = outputs.release_snippets(release)["notice"].encode(), "txt"
    else:
        body, suffix = outputs.release_file(release, fmt.suffix, slot=render_slot), fmt.suffix
    return bytes_response(request, body, sha=outputs.sha256(body), fmt=suffix, filename=name)


@login_required
@read_only
def my_releases(request):
    # A page at a time, as plain rows: the page's hundred of the reader's releases newest first (one
    # range of the index on owner and date, however many they own), then those releases by id, then
    # their few versions, once a page, not once a row. No model instance is made per row (building
    # them, and the template's lookups through them, made a page of 100 take 80 ms), and no release
    # outside the page is read (joining before the limit read every release the reader owns).
    owned = request.user.releases.values_list("created_at", "release_id")
    page = Paginator(owned, MY_RELEASES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "licenses/my_releases.html", {"rows": _my_release_rows(page.object_list), "page": page})


def _my_release_rows(owned) -> list[dict]:
    owned = list(owned)
    releases = {
        pk: (values, version_id)
        for pk, values, version_id in Release.objects.filter(pk__in=[pk for _, pk in owned])
        .order_by()
        .values_list("id", "values", "version_id")
    }
    versions = {
        version.pk: {"title": version.title, "wizard": version.wizard_url()}
        for version in Version.objects.filter(pk__in={version_id for _, version_id in releases.values()})
        .select_related("document")
        .only("number", "document__slug", "document__kind", "document__title")
    }
    release_path = reverse("licenses:release", kwargs={"release_id": "x" * 16}).replace("x" * 16, "{}")
    rows = []
    for created_at, release_id in owned:
        values, version_id = releases[release_id]
        made = timezone.localtime(created_at)
        rows.append(
            {
                "url": release_path.format(release_id),
                "again": f"{versions[version_id]['wizard']}?from={release_id}",
                "version": versions[version_id]["title"],
                "model": values.get("model", ""),
                "licensor": values.get("licensor", ""),
                "year": values.get("year", ""),
                "iso": made.isoformat(),
                "made": f"{made.day} {made:%b %Y, %H:%M}",
            }
        )
    return rows


MY_RELEASES_PER_PAGE = 100


@read_only
def compare(request, kind: str, slug: str, old: str, new: str, diff: bool = False):
    numbers = _published_numbers(slug, kind)
    for number in (old, new):
        if number not in numbers:
            _version(_document(slug, kind), number)  # raises the helpful 404
    # Both versions are frozen: the page changes only with the templates or a new publication (its picker).
    key = ("compare", slug, kind, old, new, diff, numbers)
    cached = _kept_page(key, lambda: _render_comparison(request, slug, kind, old, new, diff))
    if diff:
        return bytes_response(request, cached[0], sha=cached[1], fmt="diff", filename=f"{slug}-{old}...{new}.diff")
    return page_response(request, *cached)


def _render_comparison(request, slug: str, kind: str, old: str, new: str, diff: bool) -> bytes:
    document = _document(slug, kind)
    a, b = _version(document, old), _version(document, new)
    old_text, new_text = (outputs.version_file(v, "md")[0].decode() for v in (a, b))
    if diff:
        return diffs.unified_diff(old_text, new_text, old_name=f"{slug}-{old}.md", new_name=f"{slug}-{new}.md").encode()
    pieces = diffs.word_diff(old_text, new_text)
    context = {
        "document": document,
        "old": a,
        "new": b,
        "diff_html": diffs.word_diff_html(pieces),
        "changes": sum(1 for op, _ in pieces if op != "equal"),
        "versions": document.published_versions(),
        "diff_url": a.compare_url(b, diff=True),
        "pick_url": document.route("compare-pick"),
    }
    return render(request, "licenses/compare.html", context).content


@read_only
def compare_pick(request, kind: str, slug: str):
    """The compare page's picker (?old=1.0&new=1.1): on to the pair's own permanent URL."""
    document = _document(slug, kind)
    numbers = _published_numbers(slug, kind)
    chosen = [request.GET.get(name, "") for name in ("old", "new")]
    if not all(number in numbers for number in chosen):  # nothing typed is echoed or sent to the database
        return HttpResponse(
            f"Choose two published versions of the {document.short_name} to compare, "
            f"from {', '.join(numbers)}: ?old=1.0&new=1.1\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    a, b = (_published_version(slug, kind, number) for number in chosen)
    response = redirect(a.compare_url(b))
    response["Cache-Control"] = SHORT
    return response


def not_found(request, exception=None):
    message = ""
    if exception is not None and exception.args and isinstance(exception.args[0], str):
        message = exception.args[0]
    context = {"message": message, "documents": Document.objects.all()}
    response = render(request, "404.html", context, status=404)
    response.site_page = True  # see SitePagesFor404Middleware
    return response


def server_error(request):
    """The 500 page; 503 with Retry-After when what failed is the database (it is down or restarting).

    Frozen pages and files keep being served from memory meanwhile; a page that needs the database
    says so and asks to come back. Rendered without the request's context: the user and the session
    live in the database too.
    """
    error = sys.exc_info()[1]
    if isinstance(error, DatabaseError) and not isinstance(error, IntegrityError | DataError):
        body = render_to_string("503.html")
        response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
        response["Retry-After"] = str(DATABASE_RETRY_AFTER)
        response["Cache-Control"] = "no-store"
        return response
    return HttpResponse(render_to_string("500.html"), status=500, content_type="text/html; charset=utf-8")


# The LICENSE checker: /check/ for people, /check.json for machines (and /api/v1/check).


@require_http_methods(["GET", "HEAD", "POST"])
def check_page(request):
    result, status, throttled = None, 200, None
    if request.method == "POST":
        form = CheckForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            try:
                check_rate(request, "check", settings.OW_CHECKS_PER_MINUTE)
                result = checker.check(form.cleaned_data["text"], model_card=form.cleaned_data["model_card"] or None)
                status = 200
            except checker.CheckError as error:
                form.add_error("text", str(error))
                status = error.status
            except Throttled as error:
                throttled, status = f"{error} Check again {after(error.retry_after)}: your text is kept.", 429
    else:
        form = CheckForm()
    context = {"form": form, "result": result, "throttled": throttled, "latest": _latest_license_versions()}
    response = render(request, "licenses/check.html", context, status=status)
    response["Cache-Control"] = PRIVATE  # it shows what was posted
    return response


def _latest_license_versions() -> list[Version]:
    return [v for v in (d.latest_version for d in Document.objects.filter(kind=Document.Kind.LICENSE)) if v]


@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
def check_json(request):
    """POST a LICENSE as text/plain (or JSON {"text", "model_card"}); no cookie, no CSRF token."""
    if request.method == "OPTIONS":
        return preflight(request)
    try:
        if request.content_type == "application/json":
            text, model_card = _check_body(request.body)
        else:
            text, model_card = checker.decode(request.body), None
        state = check_rate(request, "check", settings.OW_CHECKS_PER_MINUTE)
        result = checker.check(text, model_card=model_card)
    except checker.CheckError as error:
        return _check_error(str(error), error.status)
    except Throttled as error:
        response = _check_error(str(error), 429)
        response["Retry-After"] = str(error.retry_after)
        return response
    response = JsonResponse(result.as_json(), json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    response["RateLimit-Limit"], response["RateLimit-Remaining"] = str(state.limit), str(state.remaining)
    response["RateLimit-Reset"] = str(state.reset)
    response["Cache-Control"] = PRIVATE
    return response


def _check_body(body: bytes) -> tuple[str, str | None]:
    try:
        data = json.loads(checker.decode(body))
    except ValueError:
        raise checker.CheckError('The body is not JSON: send the text as text/plain, or {"text": …}.') from None
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise checker.CheckError('Send {"text": "…"}, and "model_card": "…" if you want it checked too.')
    card = data.get("model_card")
    if card is not None and not isinstance(card, str):
        raise checker.CheckError("model_card must be the text of the README.md, or left out.")
    return data["text"], card


def _check_error(message: str, status: int) -> JsonResponse:
    response = JsonResponse({"error": message, "status": status}, status=status)
    response["Access-Control-Allow-Origin"] = "*"
    return response
