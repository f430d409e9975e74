"""Public review: the pages of drafts open for comment, posting comments, and the review record a
published version keeps of the comments it received as a draft."""

import math
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import formats, outputs
from .drafting import CommentError, add_comment, is_editor
from .forms import CommentForm
from .http import PRIVATE, bytes_response, read_only
from .models import Comment, FrozenError, Version
from .throttling import after, render_slot

COMMENTS_PER_HOUR = 10


def review_page(request, version: Version, *, unposted: str = "", status: int = 200) -> HttpResponse:
    """The comments a published version received while it was a draft, read-only; `unposted` is a
    comment sent after comments closed, given back to its writer."""
    context = {"version": version, "comments": version.comments.all(), "unposted": unposted}
    return render(request, "licenses/review.html", context, status=status)


def draft_file(request, version: Version, fmt: str) -> HttpResponse:
    """A draft's file: never cached unchecked (it may change), but 304 while it has not."""
    body, sha = outputs.version_file(version, fmt, slot=render_slot)
    name = formats.get(fmt).draft_name(version.document.slug, version.number)
    return bytes_response(request, body, sha=sha, fmt=fmt, filename=name, cache_control=PRIVATE)


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
        "formats": [fmt.suffix for fmt in formats.draft_files() if fmt.render is not None],
    }
    response = render(request, "licenses/draft_detail.html", context, status=status)
    response["Cache-Control"] = PRIVATE
    return response


@read_only
def public_draft_file(request, pk: int, fmt: str):
    version = _public_draft(request, pk)
    if version.is_published:
        return redirect(version.file_url(fmt), permanent=True)
    return draft_file(request, version, fmt)


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
