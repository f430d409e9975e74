"""The editor: drafting, public review, publishing and the audit trail (editors only), and the
public pages of drafts open for comment."""

import json
import math
from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from . import outputs, rendering
from .forms import CommentForm, DraftForm
from .models import AuditEntry, Comment, Document, FrozenError, Version
from .publishing import (
    CommentError,
    PublishError,
    add_comment,
    close_review,
    is_editor,
    open_review,
    publication_problems,
    publish_draft,
    resolve_comment,
    start_draft,
    update_draft,
)
from .throttling import after
from .views import bytes_response, read_only, review_page

COMMENTS_PER_HOUR = 10
PRIVATE = "private, no-cache"


def editor_required(view):
    """Send anonymous visitors to log in and refuse signed-in non-editors with 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_editor(request.user):
            raise PermissionDenied("Only editors can draft and publish versions.")
        return view(request, *args, **kwargs)

    return wrapper


def _draft(pk: int) -> Version:
    version = get_object_or_404(Version.objects.select_related("document"), pk=pk)
    if version.is_published:
        raise Http404("This version is published; published versions cannot be edited.")
    return version


@editor_required
@read_only
def index(request):
    documents = Document.objects.prefetch_related("versions")
    rows = [
        {"document": document, "latest": document.latest_version, "drafts": list(document.versions.drafts())}
        for document in documents
    ]
    entries = AuditEntry.objects.select_related("actor", "version__document")[:10]
    return render(request, "editor/index.html", {"rows": rows, "entries": entries})


@editor_required
@require_POST
def new_draft(request, slug: str):
    document = get_object_or_404(Document, slug=slug)
    draft = start_draft(document=document, user=request.user)
    messages.success(request, f"Started {document.short_name} {draft.number} from the latest published version.")
    return redirect("editor:draft", pk=draft.pk)


@editor_required
@require_http_methods(["GET", "HEAD", "POST"])
def draft(request, pk: int):
    version = _draft(pk)
    if request.method == "POST":
        form = DraftForm(request.POST, version=version)
        if form.is_valid():
            update_draft(version=version, user=request.user, **form.cleaned_data)
            messages.success(request, "Draft saved.")
            return redirect("editor:draft", pk=version.pk)
        status = 400
    else:
        initial = {
            "number": version.number,
            "markdown": version.markdown,
            "summary": version.summary,
            "changelog": version.changelog,
            "fields": json.dumps(version.fields, indent=2, ensure_ascii=False),
        }
        form = DraftForm(initial=initial, version=version)
        status = 200
    context = {
        "version": version,
        "document": version.document,
        "form": form,
        "problems": publication_problems(version),
        "comments": version.comments.select_related("author", "resolved_by"),
        "unresolved_count": version.comments.filter(resolved_at__isnull=True).count(),
        "entries": version.audit_entries.select_related("actor"),
    }
    return render(request, "editor/draft.html", context, status=status)


@editor_required
@read_only
def preview(request, pk: int):
    version = _draft(pk)
    body, _ = outputs.version_file(version, "html")
    return render(
        request, "editor/preview.html", {"version": version, "document": version.document, "body": body.decode()}
    )


@editor_required
@read_only
def preview_file(request, pk: int, fmt: str):
    return _draft_file(request, _draft(pk), fmt)


def _draft_file(request, version: Version, fmt: str) -> HttpResponse:
    """A draft's file: never cached unchecked (it may change), but 304 while it has not."""
    body, sha = outputs.version_file(version, fmt)
    name = f"{version.document.slug}-{version.number}-draft.{fmt}"
    return bytes_response(request, body, sha=sha, fmt=fmt, filename=name, cache_control=PRIVATE)


@editor_required
@require_POST
def review(request, pk: int):
    version = _draft(pk)
    if request.POST.get("action") == "open":
        open_review(version=version, user=request.user)
        messages.success(request, "The draft is open for public comment.")
    else:
        close_review(version=version, user=request.user)
        messages.success(request, "Comments are closed.")
    return redirect("editor:draft", pk=version.pk)


@editor_required
@require_POST
def publish(request, pk: int):
    version = _draft(pk)
    try:
        version = publish_draft(version=version, user=request.user)
    except PublishError as error:
        for problem in error.problems:
            messages.error(request, problem)
        return redirect("editor:draft", pk=version.pk)
    # Back to the editor's index, where the message shows: the public page is frozen bytes, served
    # without the session, so it could never show it.
    messages.success(
        request, f"Published {version} at {outputs.absolute(version.get_absolute_url())}. It is now frozen."
    )
    return redirect("editor:index")


@editor_required
@require_POST
def resolve(request, pk: int):
    # A published version's comments are its review record, frozen with it.
    comment = get_object_or_404(Comment, pk=pk, version__status__in=(Version.Status.DRAFT, Version.Status.REVIEW))
    resolve_comment(comment=comment, user=request.user)
    return redirect("editor:draft", pk=comment.version_id)


@editor_required
@read_only
def audit(request):
    entries = AuditEntry.objects.select_related("actor", "version__document")[:500]
    return render(request, "editor/audit.html", {"entries": entries})


@editor_required
@require_POST
def markdownify(request):
    """The markdownx live preview, rendered by the same function as published pages."""
    return HttpResponse(rendering.to_html(request.POST.get("content", "")))


# Public review of drafts open for comment.


def _public_draft(request, pk: int) -> Version:
    version = get_object_or_404(Version.objects.select_related("document"), pk=pk)
    if not version.is_published and not version.is_open_for_comment and not is_editor(request.user):
        raise Http404("There is no draft open for comment at this address.")
    return version


@read_only
def public_draft(request, pk: int):
    version = _public_draft(request, pk)
    if version.is_published:
        return redirect(version.get_absolute_url(), permanent=True)
    return _public_draft_page(request, version, CommentForm())


def _public_draft_page(request, version: Version, form: CommentForm, status: int = 200):
    body, _ = outputs.version_file(version, "html")
    context = {
        "version": version,
        "document": version.document,
        "body": body.decode(),
        "form": form,
        "comments": version.comments.select_related("author"),
        "latest": version.document.latest_version,
        "formats": ("md", "txt", "pdf"),
    }
    response = render(request, "licenses/draft_detail.html", context, status=status)
    response["Cache-Control"] = PRIVATE
    return response


@read_only
def public_draft_file(request, pk: int, fmt: str):
    version = _public_draft(request, pk)
    if version.is_published:
        return redirect(version.file_url(fmt), permanent=True)
    return _draft_file(request, version, fmt)


def seconds_until_next_comment(user) -> int:
    """0 while `user` has posted fewer than COMMENTS_PER_HOUR comments in the last hour; otherwise the
    seconds until the oldest of those is an hour old. Counted from the comments themselves, exactly."""
    now = timezone.now()
    recent = list(
        Comment.objects.filter(author=user, created_at__gt=now - timedelta(hours=1))
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:COMMENTS_PER_HOUR]
    )
    if len(recent) < COMMENTS_PER_HOUR:
        return 0
    return max(1, math.ceil((recent[-1] + timedelta(hours=1) - now).total_seconds()))


def _comment_too_late(request, version: Version) -> HttpResponse:
    """Comments closed at publication: say so on the review page, and give the text back."""
    response = review_page(request, version, unposted=request.POST.get("body", ""), status=409)
    response["Cache-Control"] = PRIVATE
    return response


@require_POST
def comment(request, pk: int):
    version = _public_draft(request, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(version.draft_url())
    form = CommentForm(request.POST)
    if version.is_published:  # the form was open when it was published
        return _comment_too_late(request, version)
    if not form.is_valid():
        return _public_draft_page(request, version, form, status=400)
    wait = seconds_until_next_comment(request.user)
    if wait:  # the page again, with the comment still in its box
        form.add_error(
            "body",
            f"You have posted {COMMENTS_PER_HOUR} comments in the last hour. "
            f"You can post again {after(wait)}; your text is kept.",
        )
        response = _public_draft_page(request, version, form, status=429)
        response["Retry-After"] = str(wait)
        return response
    try:
        add_comment(version=version, user=request.user, body=form.cleaned_data["body"])
    except (CommentError, FrozenError) as error:
        version.refresh_from_db()
        if version.is_published:  # published while this request was on its way
            return _comment_too_late(request, version)
        form.add_error("body", str(error))
        return _public_draft_page(request, version, form, status=400)
    messages.success(request, "Thank you: your comment is posted.")
    return redirect(version.draft_url() + "#comments")
