"""The header's account part: "Log in" for everyone, the account and "Log out" for a signed-in reader,
without the page kept for everyone ever holding anyone's account (licenses/header.py)."""

import re
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection
from django.test import Client

from licenses import views

PAGES = ["/", "/licenses/owpl/1.0/", "/definition/1.0/", "/licenses/owpl/compare/1.0...1.0/", "/about/"]
KEPT_PAGES = ["/licenses/owpl/1.0/", "/definition/1.0/", "/licenses/owpl/compare/1.0...1.0/"]


def user(email: str):
    return get_user_model().objects.create_user(username=email.split("@")[0], email=email, password="x-Strong-pass-42")


def signed_in(email: str) -> Client:
    client = Client()
    client.force_login(user(email))
    return client


def account_part(response) -> str:
    """The header's account part of a page."""
    html = response.content.decode()
    return re.search(r'<div class="site-account">.*?</div>', html, re.S)[0]


@pytest.fixture
def alice(canonical):
    return signed_in("alice@example.org")


@pytest.mark.parametrize("url", PAGES)
def test_an_anonymous_reader_sees_log_in_with_a_way_back(canonical, url):
    response = Client().get(url)
    part = account_part(response)
    assert response.status_code == 200
    assert f'href="/accounts/login/?next={url.replace("/", "%2F")}">Log in</a>' in part
    assert "Log out" not in part and "Signed in" not in part


@pytest.mark.parametrize("url", PAGES)
def test_a_signed_in_reader_sees_their_account_and_a_log_out_button(alice, url):
    response = alice.get(url)
    part = account_part(response)
    assert response.status_code == 200
    assert "Signed in as <strong>alice@example.org</strong>" in part
    assert re.search(r'<form class="log-out" method="post" action="/accounts/logout/">', part)
    assert 'name="csrfmiddlewaretoken"' in part and f'name="next" value="{url}"' in part
    assert '<button type="submit" class="link-button">Log out</button>' in part
    assert "Log in" not in part
    assert response["Cache-Control"] == "private, no-store"
    assert "ETag" not in response and "Cookie" in response["Vary"]


@pytest.mark.parametrize("url", PAGES)
def test_the_kept_page_is_not_poisoned_by_a_signed_in_reader(alice, url):
    assert b"alice@example.org" in alice.get(url).content
    after = Client().get(url)
    assert b"alice@example.org" not in after.content and b"Log out" not in after.content
    assert ">Log in</a>" in account_part(after)


@pytest.mark.parametrize("url", PAGES)
def test_a_signed_in_reader_after_anonymous_ones_gets_their_account(alice, url):
    for _ in range(2):
        assert b"Log in" in Client().get(url).content
    assert "alice@example.org" in account_part(alice.get(url))


@pytest.mark.parametrize("url", PAGES)
def test_two_readers_each_see_only_their_own_account(alice, url):
    bob = signed_in("bob@example.org")
    for _ in range(2):
        alices, bobs = alice.get(url).content, bob.get(url).content
        assert b"alice@example.org" in alices and b"bob@example.org" not in alices
        assert b"bob@example.org" in bobs and b"alice@example.org" not in bobs


@pytest.mark.parametrize("url", KEPT_PAGES)
def test_the_anonymous_etag_gives_a_signed_in_reader_no_304(alice, url):
    anonymous = Client().get(url)
    assert anonymous["ETag"] and "public" in anonymous["Cache-Control"]
    assert "Cookie" in anonymous["Vary"], "a browser must not reuse it once its reader signs in"
    assert Client().get(url, headers={"if-none-match": anonymous["ETag"]}).status_code == 304
    mine = alice.get(url, headers={"if-none-match": anonymous["ETag"], "accept-encoding": "gzip"})
    assert mine.status_code == 200 and "ETag" not in mine and mine["Cache-Control"] == "private, no-store"
    assert b"alice@example.org" in mine.content or mine["Content-Encoding"] == "gzip"


@pytest.mark.parametrize("url", KEPT_PAGES)
def test_kept_pages_still_come_from_memory_for_anonymous_and_signed_in_readers(
    alice, url, monkeypatch, django_assert_num_queries
):
    renders = []
    original = views.render

    def counting_render(*args, **kwargs):
        renders.append(args[1])
        return original(*args, **kwargs)

    monkeypatch.setattr(views, "render", counting_render)
    anonymous = Client()
    first = anonymous.get(url)
    assert len(renders) == 1
    with django_assert_num_queries(0):
        again = anonymous.get(url)
    assert again.content == first.content and not hasattr(again.wsgi_request, "session"), "the fast path"
    with django_assert_num_queries(2):  # the session and the user: the page itself is kept
        assert b"alice@example.org" in alice.get(url).content
    assert len(renders) == 1


def test_a_stale_session_cookie_gets_the_shared_anonymous_page(canonical):
    client = Client()
    client.cookies["sessionid"] = "nosuchsessionkey0000000000000000"
    response = client.get("/licenses/owpl/1.0/")
    assert b">Log in</a>" in response.content and response["ETag"] and "public" in response["Cache-Control"]


def test_after_logging_out_the_header_says_log_in_again(alice):
    page = alice.get("/licenses/owpl/1.0/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    out = alice.post("/accounts/logout/", {"csrfmiddlewaretoken": token, "next": "/licenses/owpl/1.0/"})
    assert out.status_code == 302 and out["Location"] == "/licenses/owpl/1.0/"
    assert ">Log in</a>" in account_part(alice.get("/licenses/owpl/1.0/"))


def test_the_log_out_button_works_with_csrf_checks_on_the_fast_path(canonical):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user("carol@example.org"))
    page = client.get("/definition/1.0/")  # the fast path: it sets the CSRF cookie the token needs
    assert not hasattr(page.wsgi_request, "_messages"), "past the message middleware"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    out = client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert out.status_code == 302
    assert b">Log in</a>" in client.get("/definition/1.0/").content


def test_during_a_database_outage_a_signed_in_reader_gets_the_anonymous_header(alice):
    def database_away(execute, sql, params, many, context):
        raise OperationalError("the database is away")

    url = "/licenses/owpl/1.0/"
    served = Client().get(url).content
    with connection.execute_wrapper(database_away):
        response = Client(raise_request_exception=False).get(url)
        assert response.status_code == 200 and response.content == served
        mine = alice.get(url)
        assert mine.status_code == 200 and mine.content == served
        assert mine["Cache-Control"] == "private, no-store" and "ETag" not in mine
    assert b"alice@example.org" in alice.get(url).content, "back without a restart"


def test_a_client_without_javascript_sees_its_account_and_the_next_one_does_not(alice, live_server):
    cookie = {"Cookie": f"sessionid={alice.cookies['sessionid'].value}"}
    for url in ("/", "/licenses/owpl/1.0/"):
        with urllib.request.urlopen(urllib.request.Request(live_server.url + url, headers=cookie)) as response:
            mine = response.read().decode()
        assert "alice@example.org" in mine and "Log out" in mine, url
        with urllib.request.urlopen(live_server.url + url) as response:
            theirs = response.read().decode()
        assert "alice@example.org" not in theirs and ">Log in</a>" in theirs, url


def test_nginx_sends_a_signed_in_reader_s_pages_to_the_app_and_serves_the_export_to_others(alice, live_server):
    from licenses.management.commands import nginx_config
    from licenses.static_export import export_static

    from .test_static_export import NGINX, _fetch, _free_port

    assert NGINX, "nginx is missing: `make test` installs Debian's nginx-light"
    with tempfile.TemporaryDirectory(prefix="ow-header-") as scratch:
        root = Path(scratch)
        root.chmod(0o755)
        export_static(root / "site")
        (root / "run" / "nginx-temp").mkdir(parents=True)
        port = _free_port()
        app = live_server.url.removeprefix("http://").replace("localhost", "127.0.0.1")
        config = nginx_config.render(
            listen=f"127.0.0.1:{port}", apps=[app], export_dir=root / "site", run_dir=root / "run"
        )
        (root / "nginx.conf").write_text(config)
        process = subprocess.Popen(
            [NGINX, "-c", str(root / "nginx.conf"), "-p", str(root), "-g", "daemon off;"],
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert process.poll() is None, process.stderr.read().decode()
                    time.sleep(0.05)
            base, cookie = f"http://127.0.0.1:{port}", {"Cookie": f"sessionid={alice.cookies['sessionid'].value}"}
            for url in ("/", "/licenses/owpl/1.0/"):
                exported = (root / "site" / url.lstrip("/") / "index.html").read_bytes()
                assert _fetch(base + url)[2] == exported, url
                status, headers, mine = _fetch(base + url, cookie)
                assert status == 200 and b"alice@example.org" in mine, url
                assert headers["Cache-Control"] == "private, no-store", url
                assert _fetch(base + url)[2] == exported, url
            text = (root / "site" / "licenses/owpl/1.0.txt").read_bytes()
            assert _fetch(base + "/licenses/owpl/1.0.txt", cookie)[2] == text
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
