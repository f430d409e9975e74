"""The editor's pages (editors only): drafting, opening for review, publishing, the audit trail.

The pages readers see of a draft open for comment are review.py's.
"""

import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from . import formats, outputs, rendering
from .drafting import (
    close_review,
    is_editor,
    open_review,
    publish_draft,
    resolve_comment,
    start_draft,
    update_draft,
)
from .forms import DraftForm
from .http import read_only
from .models import AuditEntry, Comment, Document, Version
from .publishing import PublishError, publication_problems
from .review import draft_file


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
        status = 400
        if form.is_valid():
            try:
                update_draft(version=version, user=request.user, **form.cleaned_data)
            except IntegrityError:  # another draft took the number between the form's check and the save
                number = form.cleaned_data["number"]
                form.add_error(
                    "number",
                    f"{version.document.short_name} {number} was taken by another draft just now. "
                    "Your edit is kept below: choose another number and save again.",
                )
                status = 409
            else:
                messages.success(request, "Draft saved.")
                return redirect("editor:draft", pk=version.pk)
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
        "preview_formats": [fmt.suffix for fmt in formats.draft_files()],
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
    return draft_file(request, _draft(pk), fmt)


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
    version = get_object_or_404(Version.objects.select_related("document"), pk=pk)
    try:
        if version.is_published:
            raise PublishError([f"{version} is already published."])
        version = publish_draft(version=version, user=request.user)
    except PublishError as error:
        version.refresh_from_db()
        if not version.is_published:
            for problem in error.problems:
                messages.error(request, problem)
            return redirect("editor:draft", pk=version.pk)
        # Another editor (or a second click) published it first: say so, where the message shows.
        messages.info(request, f"{version} was already published, at {outputs.absolute(version.get_absolute_url())}.")
        return redirect("editor:index")
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
