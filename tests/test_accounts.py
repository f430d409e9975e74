"""Accounts: sign-up with e-mail confirmation, log-in, password reset, log-out, rate limits, and "My releases".

Everything goes through django-allauth's real views and the site's real wizard; e-mails land in
pytest-django's `mailoutbox`.
"""

import collections
import re
import socket

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from licenses.models import Release, ReleaseOwner

PASSWORD = "correct-Horse-battery-9241"
NEW_PASSWORD = "another-Staple-lantern-5817"
WIZARD = "/licenses/owpl/1.0/wizard/"
MY_RELEASES = "/accounts/releases/"
LOGIN = "/accounts/login/"
RELEASE_PATH_RE = re.compile(r"^/r/([a-z2-7]{16})/$")


@pytest.fixture(autouse=True)
def clear_cache():
    """allauth keeps its rate-limit counters in the cache: start every test with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client():
    return Client()


def verified_user(email: str, password: str = PASSWORD):
    user = get_user_model().objects.create_user(username=email, email=email, password=password)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def sign_up(client: Client, email: str, password: str = PASSWORD):
    return client.post("/accounts/signup/", {"email": email, "password1": password, "password2": password})


def log_in(client: Client, email: str, password: str):
    return client.post(LOGIN, {"login": email, "password": password})


def link_path(body: str, prefix: str) -> str:
    """Return the path of the one link in an e-mail body that starts with `prefix`."""
    paths = re.findall(r"https?://[^/\s]+(" + re.escape(prefix) + r"[^\s]+)", body)
    assert len(paths) == 1, f"expected one {prefix} link in:\n{body}"
    return paths[0]


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def make_release(client: Client, licensor: str, model: str, year: str) -> str:
    """Fill in the wizard; return the new release's path (/r/<id>/)."""
    response = client.post(WIZARD, {"licensor": licensor, "model": model, "year": year})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert RELEASE_PATH_RE.match(response["Location"]), response["Location"]
    return response["Location"]


def title_of(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.DOTALL)
    assert match, "the page has no <title>"
    return " ".join(match.group(1).split())


def test_signup_sends_a_confirmation_link_that_verifies_the_address_and_allows_login(client, canonical, mailoutbox):
    email = "ada@example.org"
    response = sign_up(client, email)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert EmailAddress.objects.get(email=email).verified is False

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [email]
    path = link_path(message.body, "/accounts/confirm-email/")
    assert re.fullmatch(r"/accounts/confirm-email/[^/]+/", path)

    confirm_page = client.get(path)
    assert confirm_page.status_code == 200
    assert email in confirm_page.content.decode()
    assert EmailAddress.objects.get(email=email).verified is False  # GET shows a form; only POST confirms

    assert client.post(path).status_code == 302
    address = EmailAddress.objects.get(email=email)
    assert address.verified is True and address.primary is True

    fresh = Client()  # a new browser, so the log-in below is not satisfied by the sign-up session
    assert fresh.get(MY_RELEASES).status_code == 302
    response = log_in(fresh, email, PASSWORD)
    assert response.status_code == 302
    assert is_signed_in(fresh)
    assert fresh.get(MY_RELEASES).status_code == 200


def test_signup_survives_a_mail_server_that_cannot_be_reached(client, canonical, settings):
    with socket.socket() as probe:  # a port on which nothing listens: connections are refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port},
        }
    }
    email = "grace@example.org"
    response = sign_up(client, email)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert EmailAddress.objects.get(email=email).verified is False, "the account is kept"
    page = client.get(response["Location"]).content.decode()
    assert "We could not send the e-mail just now" in page
    assert "Confirmation email sent" not in page, "the page must not also claim it was sent"
    again = sign_up(Client(), email)  # the second try, which used to fail the same way
    assert again.status_code in (200, 302)
    reset = Client().post("/accounts/password/reset/", {"email": email})
    assert reset.status_code == 302


def test_login_before_confirmation_does_not_grant_access(client, canonical, mailoutbox):
    email = "grace@example.org"
    assert sign_up(client, email).status_code == 302
    assert len(mailoutbox) == 1
    assert not is_signed_in(client)
    response = client.get(MY_RELEASES)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)

    fresh = Client()
    response = log_in(fresh, email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"  # "we have sent you an e-mail" page
    assert not is_signed_in(fresh)
    response = fresh.get(MY_RELEASES)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert EmailAddress.objects.get(email=email).verified is False


def test_password_reset_sends_a_link_that_sets_a_new_password(client, canonical, mailoutbox):
    email = "alan@example.org"
    verified_user(email)
    response = client.post("/accounts/password/reset/", {"email": email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [email]
    path = link_path(mailoutbox[0].body, "/accounts/password/reset/key/")

    # allauth moves the key out of the URL into the session, then shows the form on a "set-password" URL.
    response = client.get(path)
    assert response.status_code == 302
    set_password = response["Location"]
    assert set_password.startswith("/accounts/password/reset/key/") and set_password.endswith("-set-password/")
    form = client.get(set_password)
    assert form.status_code == 200 and 'name="password1"' in form.content.decode()

    response = client.post(set_password, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/key/done/"

    old = Client()
    assert log_in(old, email, PASSWORD).status_code == 200  # the form again, with an error
    assert not is_signed_in(old)
    new = Client()
    assert log_in(new, email, NEW_PASSWORD).status_code == 302
    assert new.get(MY_RELEASES).status_code == 200

    reused = Client().get(path, follow=True)  # a used link no longer opens the form
    assert reused.status_code == 200
    assert "link was invalid" in reused.content.decode() and 'name="password1"' not in reused.content.decode()


def test_account_emails_name_the_site_instead_of_django_default_example_com(client, canonical, mailoutbox):
    assert sign_up(client, "radia@example.org").status_code == 302
    verified_user("barbara.l@example.org")
    assert Client().post("/accounts/password/reset/", {"email": "barbara.l@example.org"}).status_code == 302
    assert len(mailoutbox) == 2
    for message in mailoutbox:
        assert "example.com" not in message.subject and "example.com" not in message.body, message.subject
        assert "Open Weights" in message.subject


def test_logout_requires_post_and_signs_out(client, canonical):
    client.force_login(verified_user("barbara@example.org"))
    page = client.get("/accounts/logout/")
    assert page.status_code == 200
    assert "<form" in page.content.decode() and 'method="post"' in page.content.decode()
    assert is_signed_in(client)
    assert client.get(MY_RELEASES).status_code == 200

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not is_signed_in(client)
    response = client.get(MY_RELEASES)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_my_releases_requires_login(client, canonical):
    response = client.get(MY_RELEASES)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/releases/"
    assert client.get(response["Location"]).status_code == 200

    verified_user("edsger@example.org")
    response = client.post(response["Location"], {"login": "edsger@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == MY_RELEASES  # back where the visitor was going
    assert client.get(MY_RELEASES).status_code == 200


def test_my_releases_shows_only_ones_own_releases_newest_first(canonical):
    alice, bob = Client(), Client()
    alice_user = verified_user("alice@example.org")
    bob_user = verified_user("bob@example.org")
    alice.force_login(alice_user)
    bob.force_login(bob_user)

    first = make_release(alice, "Alice Labs", "Alpha-7B", "2025")
    second = make_release(alice, "Alice Labs", "Beta-13B", "2026")
    bobs = make_release(bob, "Bob Research", "Gamma-2B", "2026")
    assert len({first, second, bobs}) == 3

    html = alice.get(MY_RELEASES).content.decode()
    assert "Alpha-7B" in html and "Beta-13B" in html and "Gamma-2B" not in html
    assert html.index("Beta-13B") < html.index("Alpha-7B")  # newest first
    assert f'href="{first}"' in html and f'href="{second}"' in html and f'href="{bobs}"' not in html

    html = bob.get(MY_RELEASES).content.decode()
    assert "Gamma-2B" in html and f'href="{bobs}"' in html
    assert "Alpha-7B" not in html and "Beta-13B" not in html

    # The same inputs again give the same permalink and no second entry.
    assert make_release(alice, "Alice Labs", "Alpha-7B", "2025") == first
    assert ReleaseOwner.objects.filter(user=alice_user).count() == 2
    assert Release.objects.filter(owners__user=alice_user).count() == 2
    html = alice.get(MY_RELEASES).content.decode()
    assert html.count(f'href="{first}"') == 1 and html.count("Alpha-7B") == 1

    for path in (first, second, bobs):
        response = Client().get(path)
        assert response.status_code == 200
    assert "Gamma-2B" in Client().get(bobs).content.decode()


def test_start_a_new_release_from_an_old_one_prefills_the_wizard_and_gives_a_new_permalink(client, canonical):
    client.force_login(verified_user("carol@example.org"))
    old = make_release(client, "Carol Compute", "Orca-3B", "2025")
    old_id = RELEASE_PATH_RE.match(old).group(1)

    link = f"{WIZARD}?from={old_id}"
    assert f'href="{link}"' in client.get(MY_RELEASES).content.decode()
    html = client.get(link).content.decode()
    assert 'value="Carol Compute"' in html and 'value="Orca-3B"' in html and 'value="2025"' in html
    assert 'value="Orca-3B"' not in client.get(WIZARD).content.decode()  # the values come from ?from=

    new = make_release(client, "Carol Compute", "Orca-3B-v2", "2026")
    assert new != old

    old_page = Client().get(old)
    assert old_page.status_code == 200
    old_html = old_page.content.decode()
    assert "Orca-3B" in old_html and "Orca-3B-v2" not in old_html and "2025" in old_html
    assert Release.objects.get(pk=old_id).values == {"licensor": "Carol Compute", "model": "Orca-3B", "year": "2025"}
    new_html = Client().get(new).content.decode()
    assert "Orca-3B-v2" in new_html

    listing = client.get(MY_RELEASES).content.decode()
    assert listing.index("Orca-3B-v2") < listing.index(f'href="{old}"')


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
def test_account_pages_use_the_sites_layout(client, canonical, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="site-nav"') == 1
    assert len(re.findall(r'<main id="content"', html)) == 1
    assert 'class="site-footer"' in html
    title = title_of(html)
    assert title.endswith("· Open Weights")
    assert title.removesuffix("· Open Weights").strip(), f"the title names no page: {title!r}"
    assert '<form method="post"' in html or "<form" in html and 'method="post"' in html


def test_login_is_rate_limited(client, canonical):
    assert "5/5m/key" in settings.ACCOUNT_RATE_LIMITS["login_failed"]
    email = "dennis@example.org"
    verified_user(email)
    for _ in range(5):
        response = log_in(client, email, "wrong-password-123")
        assert response.status_code == 200
        html = response.content.decode()
        assert "Too many failed login attempts" not in html
        assert "not correct" in html

    # The sixth attempt in five minutes is refused, even with the right password.
    response = log_in(client, email, PASSWORD)
    assert response.status_code in (200, 429)
    assert "Too many failed login attempts" in response.content.decode()
    assert not is_signed_in(client)
    assert client.get(MY_RELEASES).status_code == 302

    # The limit is per account: someone else can still sign in from the same place.
    other = "ken@example.org"
    verified_user(other)
    assert log_in(Client(), other, PASSWORD).status_code == 302

    # And it was the limit that refused the right password: once it expires, the same log-in works.
    cache.clear()
    assert log_in(client, email, PASSWORD).status_code == 302
    assert is_signed_in(client)


def test_password_guesses_at_the_admin_login_are_limited_per_client(canonical, settings):
    settings.OW_ADMIN_LOGINS_PER_MINUTE = 3
    client = Client()
    answers = [
        client.post("/admin/login/", {"username": "nobody", "password": f"guess-{n}"}).status_code for n in range(5)
    ]
    assert answers[:3] == [200, 200, 200], "a wrong password shows the form again"
    assert answers[3:] == [429, 429]
    assert int(client.post("/admin/login/", {"username": "x", "password": "y"})["Retry-After"]) >= 1
    assert client.get("/admin/login/").status_code == 200, "reading the form costs nothing"


def test_my_releases_come_a_hundred_at_a_time(canonical, django_assert_max_num_queries):
    user = get_user_model().objects.create_user("many", "many@example.org", "a-long-password-1")
    # One more than the 130 owned: the real release whose checksums the synthetic rows carry.
    call_command("fill_releases", str(Release.objects.count() + 131), owner="many", owned=130, throwaway=True)
    client = Client()
    client.force_login(user)
    with django_assert_max_num_queries(8):  # the same few queries, however many releases
        first = client.get(MY_RELEASES).content.decode()
    second = client.get(MY_RELEASES + "?page=2").content.decode()
    links = lambda page: set(re.findall(r'<a href="(/r/[a-z2-7]{16}/)">', page))  # noqa: E731
    assert len(links(first)) == 100 and len(links(second)) == 30 and not links(first) & links(second)
    assert "Page 1 of 2 (130 releases)" in first and 'rel="next"' in first and 'rel="prev"' in second
    assert client.get(MY_RELEASES + "?page=junk").status_code == 200


def test_fill_releases_gives_the_rest_to_other_owners_in_turn(canonical):
    # One more than the ten: the real release whose checksums the synthetic rows carry.
    call_command("fill_releases", str(Release.objects.count() + 11), owner="bench", owned=4, others=3, throwaway=True)
    owners = collections.Counter(ReleaseOwner.objects.values_list("user__username", flat=True))
    assert owners == {"bench": 4, "fill-owner-1": 2, "fill-owner-2": 2, "fill-owner-3": 2}
    assert ReleaseOwner.objects.values("release").distinct().count() == 10, "each new release has one owner"
    client = Client()
    client.force_login(get_user_model().objects.get(username="fill-owner-2"))
    page = client.get(MY_RELEASES).content.decode()
    assert len(re.findall(r'<a href="(/r/[a-z2-7]{16}/)">', page)) == 2


def test_fill_releases_refuses_without_throwaway(canonical):
    with pytest.raises(CommandError, match="--throwaway"):
        call_command("fill_releases", "10")
