"""The account part of the site header.

Every page is rendered with the anonymous header ("Log in"), so that pages kept for everyone (and
the static export) hold nothing of anyone. For a reader whose session cookie names a signed-in
user, that part is replaced, per request, by their account and a log-out button; such an answer is
private and never kept: `private, no-store`, no ETag. Readers without a session cookie pay nothing:
no session is read for them.
"""

from django.conf import settings
from django.db import DatabaseError
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers

ACCOUNT_CACHE_CONTROL = "private, no-store"
SLOT_START = b'<div class="site-account">'  # _account.html's first bytes; the part has no other <div>
SLOT_END = b"</div>"
UNREADABLE = object()  # the session could not be read: the database is away


def may_be_signed_in(request) -> bool:
    """Return whether the request carries a session cookie (only such a reader can be signed in)."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def reader(request):
    """Return the signed-in user, None for an anonymous reader, or UNREADABLE when the session or
    the user cannot be read (a database outage: the page is then served with the anonymous header)."""
    if not may_be_signed_in(request) or not hasattr(request, "user"):
        return None
    try:
        user = request.user
        signed_in = user.is_authenticated  # reads the session and the user, once per request
    except DatabaseError:
        return UNREADABLE
    return user if signed_in else None


def personalise(request, response):
    """Put the signed-in reader's account into an HTML page's header, and keep that answer private."""
    if response.streaming or response.has_header("Content-Encoding"):
        return response
    if not response.get("Content-Type", "").startswith("text/html"):
        return response
    content = response.content
    start = content.find(SLOT_START, 0, max(content.find(b"<main"), 0))
    if start < 0:
        return response
    patch_vary_headers(response, ("Cookie",))  # the page's header depends on who is signed in
    who = reader(request)
    if who is None:
        return response
    response["Cache-Control"] = ACCOUNT_CACHE_CONTROL
    for validator in ("ETag", "Last-Modified"):
        if response.has_header(validator):
            del response[validator]
    if who is UNREADABLE:
        return response
    end = content.index(SLOT_END, start) + len(SLOT_END)
    context = {"signed_in_as": who, "csrf_token": get_token(request), "next": request.get_full_path()}
    account = render_to_string("_account.html", context).strip().encode()
    response.content = content[:start] + account + content[end:]
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))
    return response
