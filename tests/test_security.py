"""Security properties of the whole site: headers, CSRF, sanitizing, fetching nothing, bounded input.

The fuzzing of every public URL lives in tests/test_fuzz.py.
"""

import contextlib
import io
import json
import logging
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.cache import cache
from django.test import Client
from pypdf import PdfReader

from licenses import rendering
from licenses.drafting import add_comment, editors_group, open_review, start_draft, update_draft
from licenses.models import AuditEntry, Comment, Release, Version
from licenses.publishing import publish_version
from tests.factories import FIELDS, TEMPLATE, make_document, make_version

BASE_DIR = Path(__file__).resolve().parent.parent
WIZARD = "/licenses/owpl/1.0/wizard/"
VALUES = {"licensor": "Acme AI Labs GmbH", "model": "Falcon-Test-7B", "year": "2026"}
PASSWORD = "x-Strong-pass-42"


@pytest.fixture(autouse=True)
def clear_cache():
    """allauth's rate limits and rendered files live in the cache: start every test from an empty one."""
    cache.clear()


def make_user(email: str, *, editor: bool = False):
    user = get_user_model().objects.create_user(username=email.split("@")[0], email=email, password=PASSWORD)
    if editor:
        user.groups.add(editors_group())
    return user


@pytest.fixture
def editor(canonical):
    return make_user("ed@example.org", editor=True)


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def draft(canonical, editor):
    return start_draft(document=canonical["owpl"], user=editor)


@pytest.fixture
def comment(draft, editor):
    open_review(version=draft, user=editor)
    return add_comment(version=draft, user=make_user("reader@example.org"), body="Section 3 is unclear.")


@pytest.fixture
def release(canonical):
    response = Client().post(WIZARD, VALUES)
    assert response.status_code == 302
    return Release.objects.get()


# 1. Security headers on every kind of response.


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def assert_security_headers(response, what: str):
    assert "Content-Security-Policy" in response.headers, f"{what}: no Content-Security-Policy"
    policy = response.headers["Content-Security-Policy"]
    directives = csp_directives(response)
    assert directives.get("default-src") == ["'none'"], f"{what}: default-src is not 'none': {policy}"
    assert directives.get("frame-ancestors") == ["'none'"], f"{what}: frame-ancestors is not 'none': {policy}"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, f"{what}: {policy}"
    sources = [source for values in directives.values() for source in values]
    assert not [s for s in sources if re.match(r"(https?:|\*|//)", s, re.I)], f"{what}: external origins: {policy}"
    assert response.headers.get("X-Content-Type-Options") == "nosniff", what
    assert response.headers.get("Referrer-Policy"), f"{what}: no Referrer-Policy"
    assert response.headers.get("Cross-Origin-Opener-Policy") == "same-origin", what


@pytest.mark.parametrize(
    ("what", "method", "url", "status"),
    [
        ("home page", "get", "/", 200),
        ("version page", "get", "/licenses/owpl/1.0/", 200),
        ("definition page", "get", "/definition/1.0/", 200),
        ("text download", "get", "/licenses/owpl/1.0.txt", 200),
        ("PDF download", "get", "/licenses/owpl/1.0.pdf", 200),
        ("JSON download", "get", "/licenses/owpl/1.0.json", 200),
        ("latest redirect", "get", "/licenses/owpl/", 302),
        ("wizard", "get", WIZARD, 200),
        ("wizard refusing values", "post", WIZARD, 400),
        ("curl endpoint refusing values", "get", "/licenses/owpl/1.0.txt?model=X", 400),
        ("badge", "get", "/licenses/owpl/1.0/badge.svg", 200),
        ("404 page", "get", "/no/such/page/", 404),
        ("404 of a document", "get", "/licenses/nope/1.0/", 404),
        ("405 of a download", "post", "/licenses/owpl/1.0.txt", 405),
        ("account login page", "get", "/accounts/login/", 200),
        ("account signup page", "get", "/accounts/signup/", 200),
        ("editor redirect to log in", "get", "/editor/", 302),
        ("admin login page", "get", "/admin/login/", 200),
    ],
)
def test_every_kind_of_response_carries_the_security_headers(canonical, what, method, url, status):
    response = getattr(Client(), method)(url)
    assert response.status_code == status, what
    assert_security_headers(response, what)


def test_release_pages_and_files_carry_the_security_headers(release):
    client = Client()
    for url in (f"/r/{release.pk}/", f"/r/{release.pk}.txt", f"/r/{release.pk}.pdf", f"/r/{release.pk}.zip"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response, url)


def test_a_304_not_modified_carries_the_security_headers(canonical):
    client = Client()
    etag = client.get("/licenses/owpl/1.0.txt")["ETag"]
    response = client.get("/licenses/owpl/1.0.txt", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert_security_headers(response, "304")


def test_editor_pages_carry_the_security_headers_and_forbid_framing(editor_client, draft):
    for url in ("/editor/", f"/editor/drafts/{draft.pk}/", f"/editor/drafts/{draft.pk}/preview/"):
        response = editor_client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response, url)
        assert response.headers.get("X-Frame-Options") == "DENY", url


def test_a_403_for_a_non_editor_carries_the_security_headers(canonical):
    client = Client()
    client.force_login(make_user("someone@example.org"))
    response = client.get("/editor/")
    assert response.status_code == 403
    assert_security_headers(response, "403")


def test_refusals_of_oversized_bodies_carry_the_security_headers_too(canonical):
    """The 413 and 400 of the size-limit middleware are responses like any other."""
    too_large = Client().post(WIZARD, {"licensor": "A" * 2_000_000})
    assert too_large.status_code == 413
    assert_security_headers(too_large, "413 from RequestSizeLimitMiddleware")
    bad_length = Client().generic("POST", WIZARD, b"x", CONTENT_LENGTH="not-a-number")
    assert bad_length.status_code == 400
    assert_security_headers(bad_length, "400 for an invalid Content-Length")


def test_pages_load_no_inline_script_or_style(canonical, release):
    """The CSP forbids inline code, so no page may rely on it (it would silently break)."""
    client = Client()
    for url in ("/", "/about/", "/licenses/owpl/1.0/", WIZARD, f"/r/{release.pk}/", "/accounts/login/"):
        html = client.get(url).content.decode()
        tags = HTMLTags.of(html)
        assert not [t for t in tags if t.name == "script" and not t.attrs.get("src", "").startswith("/static/")], url
        assert not [t for t in tags if t.name == "style"], url
        assert not [t for t in tags if "style" in t.attrs], url
        assert not [t for t in tags for a in t.attrs if a.startswith("on")], url


def run_python(code_or_args, env_changes: dict[str, str | None]):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "SITE_URL"))}
    env.pop("DATABASE_URL", None)  # the checks below never touch the database
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    args = ["-c", code_or_args] if isinstance(code_or_args, str) else code_or_args
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120, check=False
    )


PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
    "DJANGO_ALLOWED_HOSTS": "openweights.example",
    "SITE_URL": "https://openweights.example",
}


def test_production_settings_pass_djangos_deployment_checks_without_a_single_warning():
    assert len(PRODUCTION["DJANGO_SECRET_KEY"]) == 64
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_enable_hsts_secure_cookies_and_the_ssl_redirect():
    code = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'\n"
        "from django.conf import settings\n"
        "names = ['SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT',\n"
        "         'SECURE_PROXY_SSL_HEADER', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE',\n"
        "         'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE', 'CSRF_TRUSTED_ORIGINS', 'DEBUG']\n"
        "print(json.dumps({name: getattr(settings, name) for name in names}))\n"
    )
    result = run_python(code, PRODUCTION)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True and values["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://openweights.example"]


def test_production_on_a_plain_http_site_url_serves_http_without_redirecting_or_secure_cookies(tmp_path):
    database = f"sqlite:///{tmp_path}/db.sqlite3"
    env = {
        **PRODUCTION,
        "SITE_URL": "http://127.0.0.1:8000",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database,
    }
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'\n"
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.test import Client\n"
        "assert not settings.SECURE_SSL_REDIRECT and not settings.CSRF_COOKIE_SECURE, 'https settings on http'\n"
        "assert not settings.SECURE_HSTS_SECONDS and not settings.SESSION_COOKIE_SECURE, 'https settings on http'\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0); call_command('load_documents', verbosity=0)\n"
        "response = Client().get('/licenses/owpl/1.0.txt', HTTP_HOST='127.0.0.1')\n"
        "print(response.status_code, response.get('Strict-Transport-Security'))\n"
    )
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["200", "None"]


def test_production_without_a_secret_key_fails_loudly_instead_of_using_a_default():
    result = run_python("import config.settings", {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": None})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "DJANGO_SECRET_KEY" in result.stderr


def test_a_debug_setting_that_is_not_a_boolean_fails_loudly():
    result = run_python("import config.settings", {**PRODUCTION, "DJANGO_DEBUG": "maybe"})
    assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr


# 2. CSRF: no state-changing request is accepted without a token.


@pytest.fixture
def csrf_log(caplog):
    caplog.set_level(logging.WARNING, logger="django.security.csrf")
    return caplog


def assert_csrf_refused(response, what: str, csrf_log):
    assert response.status_code == 403, f"{what}: {response.status_code}"
    refusals = [r for r in csrf_log.records if r.name == "django.security.csrf"]
    assert refusals, f"{what}: refused, but not by the CSRF check"
    csrf_log.clear()


def test_public_posts_without_a_csrf_token_are_refused_and_change_nothing(canonical, draft, editor, csrf_log):
    open_review(version=draft, user=editor)
    reader = make_user("reader@example.org")
    client = Client(enforce_csrf_checks=True)
    assert_csrf_refused(client.post(WIZARD, VALUES), "anonymous wizard", csrf_log)
    client.force_login(reader)
    assert_csrf_refused(client.post(WIZARD, VALUES), "signed-in wizard", csrf_log)
    assert_csrf_refused(client.post(f"/drafts/{draft.pk}/comments/", {"body": "Forged comment"}), "comment", csrf_log)
    assert Release.objects.count() == 0
    assert Comment.objects.count() == 0


def test_the_same_public_posts_with_a_token_are_accepted(canonical, draft, editor):
    """The control for the test above: the refusals are the CSRF check, not something else."""
    open_review(version=draft, user=editor)
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("reader@example.org"))
    token = csrf_token(client, f"/drafts/{draft.pk}/")
    assert client.post(WIZARD, {**VALUES, "csrfmiddlewaretoken": token}).status_code == 302
    comment = client.post(f"/drafts/{draft.pk}/comments/", {"body": "Real comment", "csrfmiddlewaretoken": token})
    assert comment.status_code == 302
    assert Release.objects.count() == 1 and Comment.objects.count() == 1


def csrf_token(client, url: str) -> str:
    html = client.get(url).content.decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, f"no CSRF token on {url}"
    return match[1]


def editor_posts(draft, comment, fields_form):
    pk = draft.pk
    return [
        ("/editor/markdownify/", {"content": "# Hi"}),
        ("/editor/owpl/drafts/new/", {}),
        (f"/editor/drafts/{pk}/", fields_form),
        (f"/editor/drafts/{pk}/review/", {"action": "close"}),
        (f"/editor/comments/{comment.pk}/resolve/", {}),  # before publishing: then its comments are frozen
        (f"/editor/drafts/{pk}/publish/", {}),
    ]


def draft_form(draft, **changes):
    data = {
        "number": draft.number,
        "markdown": draft.markdown,
        "summary": draft.summary,
        "changelog": draft.changelog,
        "fields": json.dumps(draft.fields),
    }
    return {**data, **changes}


def test_every_editor_post_without_a_csrf_token_is_refused_and_changes_nothing(editor, draft, comment, csrf_log):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    draft.refresh_from_db()
    entries = AuditEntry.objects.count()
    versions = Version.objects.count()
    forged = draft_form(draft, changelog="Forged changelog.", markdown=draft.markdown + "\nForged.\n")
    for url, data in editor_posts(draft, comment, forged):
        assert_csrf_refused(client.post(url, data), url, csrf_log)
    after = Version.objects.get(pk=draft.pk)
    assert after.changelog == draft.changelog and after.markdown == draft.markdown
    assert after.status == Version.Status.REVIEW, "the review was not closed"
    assert not after.is_published
    assert Version.objects.count() == versions, "no new draft"
    assert not Comment.objects.get(pk=comment.pk).is_resolved
    assert AuditEntry.objects.count() == entries


def test_the_same_editor_posts_with_a_token_are_accepted(editor, draft, comment):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    token = csrf_token(client, f"/editor/drafts/{draft.pk}/")
    form = draft_form(draft, changelog="Real changelog.")
    for url, data in editor_posts(draft, comment, form):
        response = client.post(url, {**data, "csrfmiddlewaretoken": token})
        assert response.status_code in (200, 302), url
    assert Version.objects.get(pk=draft.pk).is_published


def test_account_posts_without_a_csrf_token_are_refused_and_change_nothing(canonical, csrf_log):
    user = make_user("member@example.org")
    anonymous = Client(enforce_csrf_checks=True)
    login = anonymous.post("/accounts/login/", {"login": "member@example.org", "password": PASSWORD})
    assert_csrf_refused(login, "/accounts/login/", csrf_log)
    assert SESSION_KEY not in anonymous.session
    signup = anonymous.post(
        "/accounts/signup/", {"email": "new@example.org", "password1": "a-Long-pass-93", "password2": "a-Long-pass-93"}
    )
    assert_csrf_refused(signup, "/accounts/signup/", csrf_log)
    assert not get_user_model().objects.filter(email="new@example.org").exists()
    admin_login = anonymous.post("/admin/login/", {"username": "member", "password": PASSWORD})
    assert_csrf_refused(admin_login, "/admin/login/", csrf_log)
    assert SESSION_KEY not in anonymous.session
    member = Client(enforce_csrf_checks=True)
    member.force_login(user)
    assert_csrf_refused(member.post("/accounts/logout/"), "/accounts/logout/", csrf_log)
    assert member.session.get(SESSION_KEY) == str(user.pk), "still signed in"


def test_logging_out_needs_a_post_with_a_token_not_a_get(canonical):
    user = make_user("member@example.org")
    member = Client(enforce_csrf_checks=True)
    member.force_login(user)
    member.get("/accounts/logout/")
    assert member.session.get(SESSION_KEY) == str(user.pk), "a GET (an <img src>) must not sign anyone out"
    token = csrf_token(member, "/accounts/logout/")
    assert member.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert SESSION_KEY not in member.session


def test_csrf_and_session_cookies_are_httponly_and_samesite(canonical):
    client = Client()
    client.get(WIZARD)
    cookie = client.cookies["csrftoken"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    client.post("/accounts/login/", {"login": "nobody@example.org", "password": "wrong"})
    user = make_user("member@example.org")
    user.emailaddress_set.create(email=user.email, verified=True, primary=True)
    client.post("/accounts/login/", {"login": "member@example.org", "password": PASSWORD})
    session = client.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"


# 3. The sanitizer: editors' Markdown never puts active content on a page.

HOSTILE_SNIPPETS = {
    "script": "<script>alert('script')</script>",
    "script inline": "Text <script>alert('inline')</script> more.",
    "onerror": '<img src="x" onerror="alert(\'onerror\')">',
    "onerror inline": "An image <img src=x onerror=alert(2)> inline.",
    "javascript link": "[click me](javascript:alert('js'))",
    "javascript link upper": "[click me](JaVaScRiPt:alert('js'))",
    "javascript link entity": "[click me](jav&#x61;script:alert('js'))",
    "javascript link tab": "[click me](java\tscript:alert('js'))",
    "javascript raw link": "<a href=\"javascript:alert('raw')\">raw</a>",
    "javascript autolink": "<javascript:alert('auto')>",
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "object": '<object data="https://evil.example/x.swf"></object>',
    "embed": '<embed src="https://evil.example/x.swf">',
    "svg onload": '<svg onload="alert(\'svg\')"><circle r="1"/></svg>',
    "svg inline onload": "Text <svg/onload=alert('svg2')> more.",
    "data link": "<a href=\"data:text/html,<script>alert('data')</script>\">data</a>",
    "data markdown link": "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "vbscript link": "[vb](vbscript:msgbox(1))",
    "style attribute": '<p style="background:url(https://evil.example/x)">styled</p>',
    "style element": "<style>body { background: url(https://evil.example/x) }</style>",
    "form": '<form action="https://evil.example/"><input name="q"><button>Go</button></form>',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    "base": '<base href="https://evil.example/">',
    "link": '<link rel="stylesheet" href="https://evil.example/x.css">',
    "markdown image": "![img](https://evil.example/track.png)",
    "event on allowed tag": '<a href="https://example.org/" onclick="alert(1)" onmouseover="alert(2)">ok</a>',
    "id clobbering": '<p id="content" name="csrfmiddlewaretoken">x</p>',
    "template": "<template><script>alert(1)</script></template>",
    "math": '<math><mtext><table><mglyph><style><img src=x onerror="alert(1)">',
    "noscript": '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></p></noscript>',
    "comment": "<!-- <script>alert(1)</script> -->",
    "cdata": "<![CDATA[<script>alert(1)</script>]]>",
    "heading attribute break": '## 1. Grant" onmouseover="alert(1)',
    "escaped markup in a heading": "## 9. &lt;img src=x onerror=alert(1)&gt; &lt;script&gt;alert(1)&lt;/script&gt;",
}
UNCLOSED = {"math"}  # an unclosed <style> swallows the rest of the source, which is then removed
# Unclosed snippets go last, or they would hide the others from the sanitizer.
HOSTILE = "\n\n".join(sorted(HOSTILE_SNIPPETS.values(), key=lambda s: s in [HOSTILE_SNIPPETS[n] for n in UNCLOSED]))
SAFE_SCHEMES = ("http://", "https://", "mailto:", "#", "/")
SANITIZED_TAGS = set(rendering._ALLOWED_TAGS) | {"span"}


class Tag:
    def __init__(self, name, attrs):
        self.name = name
        self.attrs = {key.lower(): value or "" for key, value in attrs}


class HTMLTags(HTMLParser):
    """Every start tag of a page, as a browser's tokenizer sees it (close enough for these checks)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[Tag] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(Tag(tag, attrs))

    handle_startendtag = handle_starttag

    @classmethod
    def of(cls, html: str) -> list[Tag]:
        parser = cls()
        parser.feed(html)
        parser.close()
        return parser.tags


def site_markup(tag: Tag) -> bool:
    """Whether a tag is the site's own page furniture (stylesheet, meta, forms posting to the site)."""
    if tag.name == "link":
        href = tag.attrs.get("href", "")
        feed = tag.attrs.get("rel") == "alternate" and tag.attrs.get("type") == "application/atom+xml"
        return href.startswith("/static/") or (feed and re.fullmatch(r"/[a-z0-9/._-]+\.atom", href) is not None)
    if tag.name == "meta":
        return "http-equiv" not in tag.attrs
    if tag.name == "script":
        return tag.attrs.get("src", "").startswith("/static/")
    if tag.name == "form":
        action = tag.attrs.get("action")
        return action is None or (action.startswith("/") and not action.startswith("//"))
    return False


def active_content(html: str, *, allowed_tags=None, page: bool = False) -> list[str]:
    """Return every piece of active or styling content in HTML, described in words.

    With page=True, the site's own stylesheet, metas, scripts and forms (see site_markup) and the
    name= of form controls are allowed: use it on whole pages, and allowed_tags on fragments.
    """
    found = []
    for tag in HTMLTags.of(html):
        own = page and site_markup(tag)
        active = ("script", "style", "iframe", "object", "embed", "svg", "math", "form", "meta", "base", "link")
        if tag.name in active and not own:
            found.append(f"<{tag.name}>")
        if allowed_tags is not None and tag.name not in allowed_tags:
            found.append(f"<{tag.name}> is not an allowed tag")
        for name, value in tag.attrs.items():
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                found.append(f"{name}= on <{tag.name}>")
            if name == "name" and not (page and tag.name in ("input", "textarea", "select", "button", "meta")):
                found.append(f"{name}= on <{tag.name}>")
            if name in ("href", "src", "action", "data", "xlink:href", "poster", "background"):
                # What a browser's URL parser does: strip leading C0 controls and spaces, drop tabs and
                # newlines anywhere; a scheme is then letters, digits, +, - and . before the first colon.
                url = re.sub(r"[\t\n\r]", "", value.lstrip("".join(map(chr, range(33))))).lower()
                scheme = re.match(r"([a-z][a-z0-9+.-]*):", url)
                if scheme and not url.startswith(SAFE_SCHEMES):
                    found.append(f"{name}={value!r} on <{tag.name}>")
    return found


@pytest.mark.parametrize("name", HOSTILE_SNIPPETS)
def test_the_sanitizer_removes_active_content_from_each_hostile_snippet(name):
    html = rendering.to_html(f"# Title\n\n{HOSTILE_SNIPPETS[name]}\n\nAfter.\n")
    assert active_content(html, allowed_tags=SANITIZED_TAGS) == [], html
    if name not in UNCLOSED:
        assert "After." in html, "the rest of the document survives"


def test_links_to_safe_urls_survive_sanitizing_with_noopener():
    html = rendering.to_html("[site](https://example.org/) and [mail](mailto:a@example.org) and [s](#section-1)")
    assert 'href="https://example.org/"' in html and 'href="mailto:a@example.org"' in html
    assert 'rel="noopener noreferrer"' in html


def test_hostile_markdown_is_inert_when_published_and_on_every_editor_page(canonical, editor_client, editor):
    document = make_document("hostile")
    version = make_version(document, markdown=TEMPLATE + "\n" + HOSTILE + "\n", summary=HOSTILE, fields=FIELDS)
    publish_version(version=version, user=editor)
    client = Client()
    pages = {
        "published page": client.get("/licenses/hostile/1.0/"),
        "wizard preview": client.get("/licenses/hostile/1.0/wizard/"),
        "markdownx preview": editor_client.post("/editor/markdownify/", {"content": HOSTILE}),
    }
    release = client.post("/licenses/hostile/1.0/wizard/", VALUES)
    assert release.status_code == 302
    pages["release page"] = client.get(release["Location"])
    draft = start_draft(document=document, user=editor)
    update_draft(
        version=draft, user=editor, number="1.1", markdown=draft.markdown, summary=HOSTILE, changelog=HOSTILE,
        fields=FIELDS,
    )  # fmt: skip
    open_review(version=draft, user=editor)
    pages["editor preview"] = editor_client.get(f"/editor/drafts/{draft.pk}/preview/")
    pages["editor draft page"] = editor_client.get(f"/editor/drafts/{draft.pk}/")
    pages["public draft page"] = client.get(f"/drafts/{draft.pk}/")
    for what, response in pages.items():
        assert response.status_code == 200, what
        html = response.content.decode()
        if what != "markdownx preview":
            # The markdownx editor's textarea holds the hostile source as (escaped) text.
            html = re.sub(r"<textarea.*?</textarea>", "", html, flags=re.S)
        if what == "markdownx preview":
            assert active_content(html, allowed_tags=SANITIZED_TAGS) == [], what
        else:
            assert active_content(html, page=True) == [], what
        if what not in ("markdownx preview", "editor draft page"):
            assert "Keep this notice." in html, f"{what}: the terms are shown"


def test_comments_are_plain_text_on_every_page(draft, editor, editor_client):
    open_review(version=draft, user=editor)
    add_comment(version=draft, user=make_user("reader@example.org"), body=HOSTILE_SNIPPETS["svg onload"])
    for html in (
        Client().get(f"/drafts/{draft.pk}/").content.decode(),
        editor_client.get(f"/editor/drafts/{draft.pk}/").content.decode(),
    ):
        assert "<svg" not in html and "&lt;svg onload=" in html


# 4. Rendering fetches nothing: no SSRF, no local files.


class Listener:
    """A plain TCP server on 127.0.0.1 that records every connection (and answers with a huge image)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections: list[bytes] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def serve(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(1)
                try:
                    request = conn.recv(4096)
                except OSError:
                    request = b""
                self.connections.append(request or b"(connected)")
                with contextlib.suppress(OSError):
                    conn.sendall(
                        b"HTTP/1.0 200 OK\r\nContent-Type: image/png\r\nContent-Length: 1000000000\r\n\r\n"
                        + b"\x89PNG\r\n\x1a\n"
                        + b"\0" * 65536
                    )

    def close(self):
        self.stopping.set()
        self.thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def test_the_listener_does_see_a_connection_when_one_is_made(listener):
    """The control for the SSRF tests: the listener records a real fetch."""
    import urllib.request

    with contextlib.suppress(Exception), urllib.request.urlopen(listener.url + "/probe", timeout=2) as response:
        response.read(10)
    threading.Event().wait(0.3)
    assert listener.connections and listener.connections[0].startswith(b"GET /probe")


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def assert_fetched_nothing(listener, pdf: bytes, what: str):
    threading.Event().wait(0.3)  # let a late connection land before looking
    assert listener.connections == [], f"{what}: the renderer connected to {listener.url}: {listener.connections}"
    assert pdf.startswith(b"%PDF-"), f"{what}: no PDF"
    reader = PdfReader(io.BytesIO(pdf))
    assert not reader.attachments, f"{what}: files were embedded: {list(reader.attachments)}"
    text = pdf_text(pdf)
    assert "root:" not in text and "/bin/" not in text, f"{what}: /etc/passwd leaked into the PDF"
    assert "SECRET_KEY" not in text, f"{what}: a project file leaked into the PDF"


def hostile_references(listener) -> str:
    return (
        "\n\n![passwd](file:///etc/passwd)\n\n[passwd](file:///etc/passwd)\n\n"
        f"![local]({listener.url}/local.png)\n\n[local]({listener.url}/link)\n\n"
        f"![huge]({listener.url}/huge.png)\n\n"
        f"<{listener.url}/autolink>\n\n"
        f"![ref][huge]\n\n[huge]: {listener.url}/reference.png\n\n"
        "![settings](../config/settings.py)\n\n"
        f'<img src="{listener.url}/raw.png">\n\n<img src="file:///etc/passwd">\n'
    )


def test_previewing_and_publishing_a_draft_with_hostile_urls_fetches_nothing(editor_client, draft, listener):
    markdown = draft.markdown + hostile_references(listener)
    saved = editor_client.post(f"/editor/drafts/{draft.pk}/", draft_form(draft, markdown=markdown, changelog="SSRF"))
    assert saved.status_code == 302
    preview = editor_client.get(f"/editor/drafts/{draft.pk}.pdf")
    assert preview.status_code == 200 and preview["Content-Type"] == "application/pdf"
    assert_fetched_nothing(listener, preview.content, "draft PDF preview")
    published = editor_client.post(f"/editor/drafts/{draft.pk}/publish/")
    assert published.status_code == 302 and published["Location"] == "/editor/"
    draft.refresh_from_db()
    assert draft.is_published
    pdf = Client().get(draft.file_url("pdf"))
    assert pdf.status_code == 200
    assert_fetched_nothing(listener, pdf.content, "published PDF")
    # The draft declares the fields of the version it was drafted from: fill each one.
    values = {field["name"]: VALUES.get(field["name"], field["example"]) for field in draft.fields}
    release = Client().post(draft.wizard_url(), values)
    assert release.status_code == 302
    assert_fetched_nothing(listener, Client().get(release["Location"].rstrip("/") + ".pdf").content, "release PDF")


def test_rendering_hostile_html_to_pdf_reads_no_url_and_no_file_outside_static(listener):
    url = listener.url
    settings_file = (BASE_DIR / "config" / "settings.py").as_uri()
    data_svg = quote(f"<svg xmlns='http://www.w3.org/2000/svg'><image href='{url}/in-data-svg'/></svg>")
    body = f"""
    <h1>Hostile</h1>
    <p>Visible text stays.</p>
    <img src="{url}/img.png"><img src="{url}/huge.png" width="10">
    <img src="file:///etc/passwd"><img src="file://localhost/etc/passwd"><img src="{settings_file}">
    <img src="../config/settings.py"><img src="css/../../config/settings.py"><img src="/etc/passwd">
    <img src="data:image/svg+xml,{data_svg}">
    <link rel="stylesheet" href="{url}/style.css"><link rel="stylesheet" href="file:///etc/passwd">
    <link rel="attachment" href="file:///etc/passwd"><link rel="attachment" href="{settings_file}">
    <a rel="attachment" href="file:///etc/passwd">passwd</a><a rel="attachment" href="{url}/attach">x</a>
    <style>
      @import url("{url}/import.css");
      @import "file:///etc/passwd";
      @font-face {{ font-family: Evil; src: url("{url}/font.ttf"); }}
      @font-face {{ font-family: Evil2; src: url("file:///etc/passwd"); }}
      body {{ background: url("{url}/background.png"); font-family: Evil, Evil2; }}
      h1 {{ list-style-image: url("{url}/list.png"); }}
      p::before {{ content: url("{url}/before.png"); }}
      p::after {{ content: url("file:///etc/passwd"); }}
      @page {{ background: url("{url}/page.png"); }}
    </style>
    <p style="background-image: url('{url}/inline-style.png')">styled</p>
    <object data="{url}/object"></object><object data="file:///etc/passwd" type="text/plain"></object>
    <embed src="{url}/embed"><iframe src="{url}/iframe"></iframe>
    <svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">
      <image href="{url}/svg-image.png" width="10" height="10"/>
      <image href="file:///etc/passwd" width="10" height="10"/>
      <use href="{url}/use.svg#x"/>
    </svg>
    <video poster="{url}/poster.png"></video>
    """
    document = rendering.pdf_document(body, title="T", author="A", url="https://openweights.example/x/")
    document = document.replace("</head>", f'<link rel="stylesheet" href="{url}/head.css"></head>')
    pdf = rendering.to_pdf(document)
    assert_fetched_nothing(listener, pdf, "to_pdf of hostile HTML")
    assert "Visible text stays." in pdf_text(pdf)


def test_the_pdf_renderer_still_reads_the_sites_own_stylesheet_and_fonts():
    """The control for the test above: the fetcher is a filter, not a wall around everything."""
    pdf = rendering.to_pdf(rendering.pdf_document("<p>Hello</p>", title="T", author="A", url="u"))
    fonts = {
        str(font.get_object().get("/BaseFont"))
        for page in PdfReader(io.BytesIO(pdf)).pages
        for font in (page["/Resources"].get("/Font") or {}).values()
    }
    assert any(name.endswith("+OW-Serif") for name in fonts), f"static/css/pdf.css's font is not embedded: {fonts}"


# 6. Oversized and over-long input.


def test_a_five_megabyte_wizard_post_is_refused_with_413_before_it_is_read(canonical):
    response = Client().post(WIZARD, {"licensor": "A" * (5 * 1024 * 1024), "model": "m", "year": "2026"})
    assert response.status_code == 413 and b"too large" in response.content
    assert Release.objects.count() == 0


def test_a_five_megabyte_raw_body_is_refused_with_413_on_any_url(canonical, draft):
    body = b"x" * (5 * 1024 * 1024)
    for url in (WIZARD, f"/drafts/{draft.pk}/comments/", "/accounts/login/", f"/editor/drafts/{draft.pk}/"):
        response = Client().generic("POST", url, body, content_type="application/octet-stream")
        assert response.status_code == 413, url


def test_a_field_value_over_its_max_length_is_refused_with_400_and_a_message(canonical):
    response = Client().post(WIZARD, {**VALUES, "licensor": "A" * 201})
    assert response.status_code == 400
    assert "at most 200 characters" in response.content.decode()
    curl = Client().get("/licenses/owpl/1.0.txt", {**VALUES, "model": "M" * 201})
    assert curl.status_code == 400 and "model:" in curl.content.decode() and "200" in curl.content.decode()
    assert Release.objects.count() == 0


def test_a_value_at_exactly_its_max_length_is_accepted(canonical):
    value = " ".join(["A" * 39] * 5) + "A"  # in words that fit a line of the PDF
    assert len(value) == 200
    assert Client().post(WIZARD, {**VALUES, "licensor": value}).status_code == 302


def test_a_comment_over_4000_characters_is_refused_with_400_and_a_message(draft, editor):
    open_review(version=draft, user=editor)
    reader = Client()
    reader.force_login(make_user("reader@example.org"))
    response = reader.post(f"/drafts/{draft.pk}/comments/", {"body": "x" * 4001})
    assert response.status_code == 400
    assert "at most 4000 characters" in response.content.decode()
    assert Comment.objects.count() == 0
    assert reader.post(f"/drafts/{draft.pk}/comments/", {"body": "x" * 4000}).status_code == 302


def test_too_many_form_fields_are_refused_with_400(canonical):
    data = {f"f{i}": "x" for i in range(500)}
    assert Client().post(WIZARD, data).status_code == 400


# NUL characters: PostgreSQL refuses them in text, so they must be refused before any query.


@pytest.mark.parametrize(
    ("url", "statuses"),
    [
        (WIZARD + "?from=%00", (200,)),
        (WIZARD + "?from=abc%00def&licensor=%00", (200,)),
        ("/licenses/owpl/1.0.txt?licensor=A%00B&model=M&year=2026", (400,)),
        ("/licenses/owpl/1.0.json?licensor=%00", (200, 400)),
        ("/accounts/login/?next=/%00", (200,)),
        ("/accounts/signup/?email=%00", (200,)),
        ("/licenses/%00/", (404,)),
        ("/r/%00/", (404,)),
    ],
)
def test_a_null_character_in_a_query_or_path_is_answered_without_a_server_error(canonical, url, statuses):
    assert Client().get(url).status_code in statuses


def test_a_null_character_in_any_posted_form_is_refused_with_a_message(draft, editor):
    open_review(version=draft, user=editor)
    client = Client()
    assert client.post(WIZARD, {**VALUES, "licensor": "A\x00B"}).status_code == 400
    assert client.post("/accounts/login/", {"login": "a\x00@example.org", "password": "x\x00"}).status_code == 200
    signup = {"email": "a\x00@example.org", "password1": "a-Long-pass-93", "password2": "a-Long-pass-93"}
    assert client.post("/accounts/signup/", signup).status_code == 200
    assert client.post("/accounts/password/reset/", {"email": "a\x00@example.org"}).status_code == 200
    client.force_login(make_user("reader@example.org"))
    assert client.post(f"/drafts/{draft.pk}/comments/", {"body": "A\x00B"}).status_code == 400
    assert Release.objects.count() == 0 and Comment.objects.count() == 0


def test_a_null_character_in_an_editors_draft_text_is_refused_with_a_message(editor_client, draft):
    for field in ("markdown", "summary", "changelog", "number"):
        response = editor_client.post(f"/editor/drafts/{draft.pk}/", draft_form(draft, **{field: "# A\x00B"}))
        assert response.status_code == 400, field
    assert editor_client.post("/editor/markdownify/", {"content": "A\x00B"}).status_code == 200


@pytest.mark.parametrize(
    ("where", "escape"),
    [("label", "\\u0000"), ("help_text", "\\u0000"), ("example", "\\u0000"), ("label", "\\ud800"), ("name", "\\u0000")],
)
def test_declared_fields_json_with_a_null_or_lone_surrogate_is_refused_with_400(editor_client, draft, where, escape):
    """JSON escapes smuggle what the form refuses as raw text: PostgreSQL's jsonb cannot store them."""
    field = {**FIELDS[0], "example": "Acme"}
    fields = [dict(field, **{where: "A__B"}), *FIELDS[1:]]
    raw = json.dumps(fields).replace("A__B", f"A{escape}B")
    before = Version.objects.get(pk=draft.pk).fields
    response = editor_client.post(f"/editor/drafts/{draft.pk}/", draft_form(draft, fields=raw, changelog="x"))
    for url in (f"/editor/drafts/{draft.pk}/", f"/editor/drafts/{draft.pk}/preview/", f"/drafts/{draft.pk}/"):
        assert editor_client.get(url).status_code == 200, f"{url} after saving {raw}"
    assert response.status_code == 400
    assert "fields" in response.content.decode().lower()
    assert Version.objects.get(pk=draft.pk).fields == before


def test_the_comment_rate_limit_answer_carries_the_security_headers(draft, editor):
    open_review(version=draft, user=editor)
    reader = Client()
    reader.force_login(make_user("reader@example.org"))
    statuses = [reader.post(f"/drafts/{draft.pk}/comments/", {"body": f"Point {i}"}).status_code for i in range(11)]
    assert statuses[-1] == 429
    limited = reader.post(f"/drafts/{draft.pk}/comments/", {"body": "More"})
    assert limited["Retry-After"]
    assert_security_headers(limited, "429")
