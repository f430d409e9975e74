"""Fuzzing every public URL: no input gives a server error, and no page echoes markup it was sent.

The test client raises a view's exception instead of answering 500; either is a failure here.
"""

import gzip
import json
from datetime import timedelta
from urllib.parse import quote, quote_from_bytes, urlencode

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.http import QueryDict
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from licenses.drafting import editors_group, open_review, start_draft
from licenses.models import Comment, RateCount, Release

WIZARD = "/licenses/owpl/1.0/wizard/"
VALUES = {"licensor": "Acme AI Labs GmbH", "model": "Falcon-Test-7B", "year": "2026"}
FIELD_NAMES = ["licensor", "model", "year"]
# Names the views read: fields, the wizard's "from", the curl endpoint's "errors", allauth's "next".
KNOWN_NAMES = [*FIELD_NAMES, "from", "errors", "next", "action", "body", "content", "login", "password"]


def fuzz_settings(max_examples: int):
    return settings(
        max_examples=max_examples, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()


def forget_limits() -> None:
    """Between examples: no per-client counts, and every comment older than the hourly quota."""
    RateCount.objects.all().delete()
    Comment.objects.update(created_at=timezone.now() - timedelta(hours=2))


@pytest.fixture
def world(canonical):
    """A draft open for comment, a signed-in reader and a signed-in editor."""
    users = get_user_model().objects
    editor = users.create_user(username="ed", email="ed@example.org", password="x-Strong-pass-42")
    editor.groups.add(editors_group())
    reader = users.create_user(username="rd", email="rd@example.org", password="x-Strong-pass-42")
    draft = start_draft(document=canonical["owpl"], user=editor)
    open_review(version=draft, user=editor)
    reader_client, editor_client = Client(), Client()
    reader_client.force_login(reader)
    editor_client.force_login(editor)
    return {"draft": draft, "reader": reader_client, "editor": editor_client, "baselines": {}, "release": None}


@pytest.fixture
def with_release(world):
    """The world with a release made by the wizard (it renders a PDF, so only the tests that need one)."""
    response = Client().post(WIZARD, VALUES)
    assert response.status_code == 302
    world["release"] = Release.objects.get()
    return world


def public_urls(world) -> list[str]:
    release, draft = world["release"].pk, world["draft"].pk  # needs the with_release fixture
    return [
        "/",
        "/about/",
        "/definition/",
        "/definition/1.0/",
        "/definition/1.0.txt",
        "/definition/1.0.md",
        "/definition/1.0.json",
        "/definition/compare/1.0...1.0/",
        "/licenses/",
        "/licenses/owpl/",
        "/licenses/owpl/1.0/",
        "/licenses/owpl/1.0.txt",
        "/licenses/owpl/1.0.md",
        "/licenses/owpl/1.0.json",
        "/wizard/",
        WIZARD,
        "/licenses/owpl/1.0/badge.svg",
        "/licenses/owpl/compare/1.0...1.0/",
        "/licenses/owpl/compare/1.0...1.0.diff",
        f"/r/{release}/",
        f"/r/{release}.txt",
        f"/r/{release}.md",
        f"/r/{release}.json",
        f"/r/{release}.zip",
        f"/drafts/{draft}/",
        f"/drafts/{draft}.md",
        f"/drafts/{draft}.txt",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
    ]


def pdf_urls(world) -> list[str]:
    return [
        "/definition/1.0.pdf",
        "/licenses/owpl/1.0.pdf",
        f"/r/{world['release'].pk}.pdf",
        f"/drafts/{world['draft'].pk}.pdf",
    ]


def assert_no_echo(response, inputs, *, baseline: bytes = b"", what: str = ""):
    """No HTML response may contain a fuzzed value with markup in it, as sent (unescaped)."""
    assert response.status_code < 500, what
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    content = response.content
    if response.get("Content-Encoding") == "gzip":
        content = gzip.decompress(content)
    body = content.decode("utf-8", errors="replace")
    base = baseline.decode("utf-8", errors="replace")
    for value in inputs:
        if isinstance(value, str) and "<" in value and len(value) >= 4 and value not in base:
            assert value not in body, f"{what}: {value!r} is echoed unescaped"


def baseline(world, client, url: str) -> bytes:
    """The page without any fuzzed input, so that text it always contains is not mistaken for an echo."""
    if url not in world["baselines"]:
        world["baselines"][url] = client.get(url).content
    return world["baselines"][url]


names = st.one_of(st.sampled_from(KNOWN_NAMES), st.text(max_size=20))
values = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="<>\"'&;/=\\ abc\x00", max_size=30),
    st.sampled_from(
        ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)", "\x00", "%00", "'--"]
    ),
)
text_queries = st.lists(st.tuples(names, values), max_size=5).map(lambda pairs: (urlencode(pairs), pairs))
byte_queries = st.binary(max_size=80).map(lambda raw: (quote_from_bytes(raw, safe="=&"), []))
queries = st.one_of(text_queries, byte_queries)


def query_inputs(query: str, pairs) -> list[str]:
    """What the fuzzed query means to Django: its decoded names and values."""
    decoded = QueryDict(query)
    return [*decoded.keys(), *(v for vs in decoded.lists() for v in vs[1]), *(x for pair in pairs for x in pair)]


@fuzz_settings(max_examples=150)
@given(data=st.data(), query=queries)
def test_any_query_string_on_any_public_page_answers_without_a_server_error_or_an_echo(with_release, data, query):
    world = with_release
    url = data.draw(st.sampled_from(public_urls(world)), label="url")
    query_string, pairs = query
    client = Client()
    response = client.get(f"{url}?{query_string}")
    assert_no_echo(response, query_inputs(query_string, pairs), baseline=baseline(world, client, url), what=url)


@fuzz_settings(max_examples=60)
@given(query=st.lists(st.tuples(st.sampled_from(KNOWN_NAMES), values), max_size=4))
@example(query=[("from", "\x00")])  # PostgreSQL refuses NUL in a text query parameter
def test_any_query_string_on_the_wizard_prefills_it_without_a_server_error_or_an_echo(world, query):
    """The wizard reads its query (field values, a release to start from), so it gets its own share."""
    query_string = urlencode(query)
    client = Client()
    response = client.get(f"{WIZARD}?{query_string}")
    assert response.status_code == 200
    assert_no_echo(response, query_inputs(query_string, query), baseline=baseline(world, client, WIZARD), what=WIZARD)


@fuzz_settings(max_examples=10)
@given(data=st.data(), query=queries)
def test_any_query_string_on_a_pdf_answers_without_a_server_error(with_release, data, query):
    world = with_release
    url = data.draw(st.sampled_from(pdf_urls(world)), label="url")
    response = Client().get(f"{url}?{query[0]}")
    assert response.status_code < 500, url


@fuzz_settings(max_examples=40)
@given(
    values=st.fixed_dictionaries({name: st.text(max_size=30) for name in FIELD_NAMES}),
    fmt=st.sampled_from(["txt", "md", "json"]),
    as_json=st.booleans(),
)
def test_any_field_values_on_the_curl_endpoint_answer_200_or_400(canonical, values, fmt, as_json):
    RateCount.objects.all().delete()  # no per-client render limit across examples
    headers = {"Accept": "application/json"} if as_json else {}
    response = Client().get(f"/licenses/owpl/1.0.{fmt}", values, headers=headers)
    assert response.status_code in (200, 400)


segments = st.one_of(
    st.text(min_size=1, max_size=30).map(lambda s: (quote(s, safe=""), s)),
    st.binary(min_size=1, max_size=20).map(lambda b: (quote_from_bytes(b, safe=""), b.decode("latin-1"))),
    st.integers(min_value=0, max_value=2**70).map(lambda n: (str(n), str(n))),
    st.sampled_from(["owpl", "1.0", "1.0.txt", "1.0.pdf", "compare", "1.0...1.0", "wizard", "badge.svg", ".."]).map(
        lambda s: (s, s)
    ),
)
PREFIXES = ["/licenses/", "/licenses/owpl/", "/r/", "/definition/", "/drafts/", "/accounts/", "/"]


@fuzz_settings(max_examples=150)
@given(
    prefix=st.sampled_from(PREFIXES),
    parts=st.lists(segments, min_size=1, max_size=3),
    ending=st.sampled_from(["", "/", ".txt", ".pdf", ".json", "/comments/"]),
    method=st.sampled_from(["get", "head", "post"]),
)
def test_any_path_answers_without_a_server_error_or_an_echo(world, prefix, parts, ending, method):
    path = prefix + "/".join(quoted for quoted, _ in parts) + ending
    client = world["reader"] if method == "post" else Client()
    response = getattr(client, method)(path)
    raw = [text for _, text in parts] + ["/".join(text for _, text in parts)]
    # What the site's own markup holds ("<mai" of <main>) is not an echo: compare with a page of no input.
    baseline = getattr(client, method)(prefix + "no-such-page" + ending).content
    assert_no_echo(response, raw, baseline=baseline, what=path)


@fuzz_settings(max_examples=15)
@given(
    number=st.one_of(st.integers(min_value=10**9, max_value=2**64), st.integers(min_value=2**63 - 5, max_value=2**80))
)
@example(number=2**63)  # one past PostgreSQL's bigint and SQLite's INTEGER
def test_any_draft_or_comment_number_answers_404_without_a_server_error(world, number):
    """Numbers far above any real row, up to beyond the database's 64-bit range, reach the ORM through <int:pk>."""
    editor, reader = world["editor"], world["reader"]
    for url in (f"/drafts/{number}/", f"/drafts/{number}.md"):
        assert Client().get(url).status_code == 404, url
    assert reader.post(f"/drafts/{number}/comments/", {"body": "x"}).status_code == 404
    for url in (f"/editor/drafts/{number}/", f"/editor/drafts/{number}/preview/", f"/editor/drafts/{number}.txt"):
        assert editor.get(url).status_code == 404, url
    for url in (f"/editor/drafts/{number}/review/", f"/editor/drafts/{number}/publish/"):
        assert editor.post(url).status_code == 404, url
    assert editor.post(f"/editor/comments/{number}/resolve/").status_code == 404


form_bodies = st.dictionaries(names, values, max_size=6)


@fuzz_settings(max_examples=80)
@given(body=form_bodies, signed_in=st.booleans())
def test_any_form_posted_to_the_wizard_answers_without_a_server_error_or_an_echo(world, body, signed_in):
    RateCount.objects.all().delete()  # no per-client submission limit across examples
    client = world["reader"] if signed_in else Client()
    response = client.post(WIZARD, urlencode(body), content_type="application/x-www-form-urlencoded")
    assert response.status_code in (302, 400)
    assert_no_echo(response, [*body.keys(), *body.values()], baseline=baseline(world, client, WIZARD), what=WIZARD)


@fuzz_settings(max_examples=60)
@given(body=form_bodies)
def test_any_form_posted_as_a_comment_answers_without_a_server_error_or_an_echo(world, body):
    forget_limits()  # the hourly quota would otherwise stop the fuzzing at ten comments
    url = f"/drafts/{world['draft'].pk}/"
    reader = world["reader"]
    response = reader.post(url + "comments/", urlencode(body), content_type="application/x-www-form-urlencoded")
    assert response.status_code in (302, 400)
    assert_no_echo(response, [*body.keys(), *body.values()], baseline=baseline(world, reader, url), what=url)
    if response.status_code == 302:
        page = reader.get(url)
        assert_no_echo(page, list(body.values()), baseline=world["baselines"][url], what="comment shown")


@fuzz_settings(max_examples=30)
@given(
    raw=st.binary(max_size=300),
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=BoUnDaRy",
            "multipart/form-data",
            "text/plain",
            "application/x-www-form-urlencoded; charset=latin-1",
        ]
    ),
)
def test_any_raw_body_posted_to_the_wizard_or_the_comments_answers_without_a_server_error(world, raw, content_type):
    forget_limits()
    if content_type.startswith("multipart/form-data; boundary") and raw:
        raw = b'--BoUnDaRy\r\nContent-Disposition: form-data; name="licensor"\r\n\r\n' + raw + b"\r\n--BoUnDaRy--\r\n"
    # generic() sends the bytes as they are (post() would re-encode them to the declared charset).
    assert Client().generic("POST", WIZARD, raw, content_type=content_type).status_code in (302, 400)
    url = f"/drafts/{world['draft'].pk}/comments/"
    comment = world["reader"].generic("POST", url, raw, content_type=content_type)
    assert comment.status_code in (302, 400)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | values,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(names, children, max_size=4),
    max_leaves=12,
)


def strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in [key, *strings_in(item)]]
    return []


@fuzz_settings(max_examples=50)
@given(body=json_values)
def test_any_json_posted_to_the_wizard_answers_without_a_server_error_or_an_echo(world, body):
    RateCount.objects.all().delete()
    client = Client()
    response = client.post(WIZARD, json.dumps(body), content_type="application/json")
    assert response.status_code in (302, 400)
    assert_no_echo(response, strings_in(body), baseline=baseline(world, client, WIZARD), what=WIZARD)


# What the test client can send in a header: latin-1, no line breaks.
header_values = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=255, exclude_characters="\r\n"), max_size=80),
    st.sampled_from(['"*"', "*", 'W/"x", "y"', "gzip, br;q=0", "application/json", "text/html;q=0", '""', "W/"]),
)


@fuzz_settings(max_examples=100)
@given(
    data=st.data(),
    accept=header_values,
    if_none_match=header_values,
    accept_encoding=header_values,
    user_agent=header_values,
)
def test_any_header_values_answer_without_a_server_error_or_an_echo(
    with_release, data, accept, if_none_match, accept_encoding, user_agent
):
    world = with_release
    urls = [*public_urls(world), "/licenses/owpl/1.0.txt?model=X", "/licenses/owpl/1.0.json?licensor=A&model=B"]
    url = data.draw(st.sampled_from(urls), label="url")
    headers = {"Accept": accept, "If-None-Match": if_none_match, "Accept-Encoding": accept_encoding}
    headers["User-Agent"] = user_agent
    client = Client()
    response = client.get(url, headers=headers)
    assert_no_echo(response, list(headers.values()), baseline=baseline(world, client, url.split("?")[0]), what=url)


# The editor's declared-fields JSON: its escapes can carry characters the text fields refuse.
field_text = st.text(st.characters(max_codepoint=0xFFFF, include_characters="\x00\ud800\udfff"), max_size=20)
declared_field = st.fixed_dictionaries(
    {
        "name": st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=8)),
        "label": field_text,
        "help_text": field_text,
        "example": field_text,
        "required": st.booleans(),
        "max_length": st.one_of(st.integers(min_value=-5, max_value=600), st.just(200)),
        "kind": st.sampled_from(["text", "year", "url", "email", "other"]),
    }
)


@fuzz_settings(max_examples=40)
@given(fields=st.lists(declared_field, max_size=3))
@example(fields=[{"name": "licensor", "label": "A\x00B", "help_text": "", "example": "", "required": True,
                  "max_length": 200, "kind": "text"}])  # fmt: skip
@example(fields=[{"name": "licensor", "label": "A\ud800B", "help_text": "", "example": "", "required": True,
                  "max_length": 200, "kind": "text"}])  # fmt: skip
def test_any_declared_fields_json_is_saved_or_refused_and_the_draft_still_opens(world, fields):
    draft = world["draft"]
    editor = world["editor"]
    draft.refresh_from_db()
    form = {"number": draft.number, "markdown": draft.markdown, "summary": "", "changelog": "x"}
    response = editor.post(f"/editor/drafts/{draft.pk}/", {**form, "fields": json.dumps(fields)})
    assert response.status_code in (302, 400)
    for url in (f"/editor/drafts/{draft.pk}/", f"/editor/drafts/{draft.pk}/preview/", f"/drafts/{draft.pk}/"):
        assert editor.get(url).status_code == 200, url
