import hashlib
import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone

from licenses import diffs
from licenses.drafting import add_comment, editors_group, open_review, start_draft
from licenses.forms import DraftForm
from licenses.models import AuditEntry, Comment, FrozenError, Version

from .factories import content_numbers, latest_number, number_after


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()


def make_user(email: str, *, editor: bool = False):
    user = get_user_model().objects.create_user(username=email.split("@")[0], email=email, password="x-Strong-pass-42")
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
def latest(canonical):
    """The latest published OWPL, which a new draft starts from."""
    return canonical["owpl"].versions.get(number=latest_number("owpl"))


@pytest.fixture
def draft(canonical, editor):
    return start_draft(document=canonical["owpl"], user=editor)


def editor_urls(draft, comment):
    pk = draft.pk
    return [
        ("get", "/editor/"),
        ("get", "/editor/audit/"),
        ("post", "/editor/markdownify/"),
        ("post", "/editor/owpl/drafts/new/"),
        ("get", f"/editor/drafts/{pk}/"),
        ("post", f"/editor/drafts/{pk}/"),
        ("get", f"/editor/drafts/{pk}/preview/"),
        ("get", f"/editor/drafts/{pk}.md"),
        ("get", f"/editor/drafts/{pk}.txt"),
        ("get", f"/editor/drafts/{pk}.pdf"),
        ("get", f"/editor/drafts/{pk}.json"),
        ("post", f"/editor/drafts/{pk}/review/"),
        ("post", f"/editor/drafts/{pk}/publish/"),
        ("post", f"/editor/comments/{comment.pk}/resolve/"),
    ]


@pytest.fixture
def comment(draft, editor):
    open_review(version=draft, user=editor)
    return add_comment(version=draft, user=make_user("reader@example.org"), body="Section 3 is unclear.")


def test_every_editor_url_sends_anonymous_visitors_to_log_in(draft, comment):
    client = Client()
    for method, url in editor_urls(draft, comment):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url
    # The canonical versions and the one draft: no new draft was started.
    assert Version.objects.filter(document__slug="owpl").count() == len(content_numbers("owpl")) + 1
    assert not Comment.objects.get(pk=comment.pk).is_resolved


def test_every_editor_url_refuses_signed_in_non_editors(draft, comment):
    client = Client()
    client.force_login(make_user("someone@example.org"))
    for method, url in editor_urls(draft, comment):
        assert getattr(client, method)(url).status_code == 403, url
    draft.refresh_from_db()
    assert not draft.is_published


def test_make_editor_command_grants_and_removes_the_role(canonical, capsys):
    user = make_user("new@example.org")
    call_command("make_editor", "new@example.org")
    assert user.has_perm("licenses.edit_documents")
    user = get_user_model().objects.get(pk=user.pk)
    call_command("make_editor", "new@example.org", "--remove")
    user = get_user_model().objects.get(pk=user.pk)
    assert not user.has_perm("licenses.edit_documents")


def test_starting_a_draft_copies_the_latest_published_version(editor_client, latest):
    response = editor_client.post("/editor/owpl/drafts/new/")
    draft = Version.objects.get(document__slug="owpl", number=number_after(latest.number))
    assert response["Location"] == f"/editor/drafts/{draft.pk}/"
    assert draft.markdown == latest.markdown and draft.fields == latest.fields and not draft.is_published
    assert AuditEntry.objects.filter(action="create", version=draft).exists()


def form_data(draft, **changes):
    data = {
        "number": draft.number,
        "markdown": draft.markdown,
        "summary": draft.summary,
        "changelog": draft.changelog,
        "fields": json.dumps(draft.fields),
    }
    data.update(changes)
    return data


def test_editing_a_draft_saves_it_and_records_what_changed(editor_client, draft):
    response = editor_client.post(f"/editor/drafts/{draft.pk}/", form_data(draft, changelog="Clarified section 5."))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.changelog == "Clarified section 5."
    entry = AuditEntry.objects.filter(action="edit", version=draft).get()
    assert entry.detail == {"changed": ["changelog"]}


def test_a_drafts_json_points_to_the_draft_and_follows_its_edits(editor_client, draft, editor):
    open_review(version=draft, user=editor)
    client = Client()
    data = json.loads(client.get(f"/drafts/{draft.pk}.json").content)
    assert data["url"].endswith(f"/drafts/{draft.pk}/") and data["status"] == "review"
    for fmt in ("md", "txt", "pdf"):
        url = data["formats"][fmt]["url"]
        assert url.endswith(f"/drafts/{draft.pk}.{fmt}"), url
        served = client.get(url[url.index("/drafts/") :])
        assert (
            served.status_code == 200 and hashlib.sha256(served.content).hexdigest() == data["formats"][fmt]["sha256"]
        )
    response = editor_client.post(f"/editor/drafts/{draft.pk}/", form_data(draft, changelog="Clarified section 5."))
    assert response.status_code == 302
    assert json.loads(client.get(f"/drafts/{draft.pk}.json").content)["changelog"] == "Clarified section 5."


def test_invalid_fields_json_is_refused_with_a_message(editor_client, draft):
    response = editor_client.post(f"/editor/drafts/{draft.pk}/", form_data(draft, fields="[{not json"))
    assert response.status_code == 400 and "This is not valid JSON" in response.content.decode()


def test_a_number_as_an_example_is_refused_before_it_can_break_the_wizard(editor_client, draft):
    fields = [{**field, "example": 2026} if field["name"] == "year" else field for field in draft.fields]
    response = editor_client.post(f"/editor/drafts/{draft.pk}/", form_data(draft, fields=json.dumps(fields)))
    assert response.status_code == 400
    assert "Field &#x27;year&#x27;: the example must be text (in double quotes)." in response.content.decode()
    draft.refresh_from_db()
    assert all(isinstance(field["example"], str) for field in draft.fields)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"changelog": ""}, "The changelog is empty"),
        ({"changelog": "x", "number": "0.9"}, f"must be greater than the latest published, {latest_number('owpl')}"),
        ({"changelog": "x", "markdown": "# T\n\nNo fields used.\n"}, "is declared but the text never uses it"),
        ({"changelog": "x", "markdown": "# T {{licensor}} {{model}} {{year}} {{extra}}"}, "declares no such field"),
    ],
)
def test_publishing_refuses_a_draft_that_fails_a_check(editor_client, draft, changes, message):
    editor_client.post(f"/editor/drafts/{draft.pk}/", form_data(draft, **changes))
    response = editor_client.post(f"/editor/drafts/{draft.pk}/publish/", follow=True)
    assert message in response.content.decode()
    draft.refresh_from_db()
    assert not draft.is_published
    assert not AuditEntry.objects.filter(action="publish").exists()


def test_publishing_freezes_moves_latest_and_marks_the_old_version_superseded(editor_client, draft, latest):
    old, new = latest.number, draft.number
    old_txt = Client().get(f"/licenses/owpl/{old}.txt").content
    text = draft.markdown.replace("no condition or restriction on Outputs", "no condition or limit on Outputs")
    editor_client.post(f"/editor/drafts/{draft.pk}/", form_data(draft, markdown=text, changelog="Wording."))
    response = editor_client.post(f"/editor/drafts/{draft.pk}/publish/")
    assert response["Location"] == "/editor/"
    index = editor_client.get("/editor/").content.decode()
    assert f"Published OWPL {new} at http" in index and f"/licenses/owpl/{new}/. It is now frozen." in index
    draft.refresh_from_db()
    assert draft.is_published and draft.published_by.email == "ed@example.org" and draft.checksums
    with pytest.raises(FrozenError):
        draft.save()
    public = Client()
    assert public.get("/licenses/owpl/")["Location"] == f"/licenses/owpl/{new}/"
    assert public.get(f"/licenses/owpl/{old}.txt").content == old_txt
    old_page = public.get(f"/licenses/owpl/{old}/").content.decode()
    assert "superseded by" in old_page and f'href="/licenses/owpl/{new}/"' in old_page
    assert AuditEntry.objects.filter(action="publish", version=draft, actor__email="ed@example.org").exists()
    assert editor_client.get(f"/editor/drafts/{draft.pk}/").status_code == 404


def test_compare_shows_exactly_the_changed_words(editor_client, draft, latest):
    old, new = latest.number, draft.number
    text = draft.markdown.replace("no condition or restriction on Outputs", "no condition or limit on Outputs")
    editor_client.post(f"/editor/drafts/{draft.pk}/", form_data(draft, markdown=text, changelog="Wording."))
    editor_client.post(f"/editor/drafts/{draft.pk}/publish/")
    html = Client().get(f"/licenses/owpl/compare/{old}...{new}/").content.decode()
    diff = html[html.index('<div class="diff"') :]
    assert re.findall(r"<del>(.*?)</del>", diff) == ["restriction"]
    assert re.findall(r"<ins>(.*?)</ins>", diff) == ["limit"]
    unified = Client().get(f"/licenses/owpl/compare/{old}...{new}.diff")
    assert unified["Content-Type"].startswith("text/x-diff")
    body = unified.content.decode()
    assert body.startswith(f"--- owpl-{old}.md\n+++ owpl-{new}.md\n")
    assert sum(1 for line in body.splitlines() if line.startswith("-") and not line.startswith("---")) == 1


def test_compare_of_a_version_with_itself_is_identical_and_unknown_versions_404(canonical):
    client = Client()
    response = client.get("/licenses/owpl/compare/1.0...1.0/")
    assert response.status_code == 200 and "The two versions are identical." in response.content.decode()
    assert client.get("/licenses/owpl/compare/1.0...1.0.diff").content == b""
    assert client.get("/licenses/owpl/compare/9.9...1.0/").status_code == 404
    assert client.get("/definition/compare/1.0...1.0/").status_code == 200


def test_drafts_are_public_only_while_open_for_comment_and_always_marked_draft(draft, editor, latest):
    client = Client()
    assert client.get(f"/drafts/{draft.pk}/").status_code == 404
    open_review(version=draft, user=editor)
    page = client.get(f"/drafts/{draft.pk}/")
    assert page.status_code == 200 and "DRAFT" in page.content.decode()
    for fmt in ("md", "txt", "pdf"):
        response = client.get(f"/drafts/{draft.pk}.{fmt}")
        assert response.status_code == 200 and "immutable" not in response["Cache-Control"]
        if fmt != "pdf":
            assert "DRAFT" in response.content.decode()
        assert client.head(f"/drafts/{draft.pk}.{fmt}").status_code == 200
    assert client.get("/licenses/owpl/")["Location"] == latest.get_absolute_url(), "a draft is never the latest"


def test_signed_in_readers_comment_and_editors_resolve(draft, editor, editor_client):
    open_review(version=draft, user=editor)
    reader = Client()
    assert reader.post(f"/drafts/{draft.pk}/comments/", {"body": "Hi"})["Location"].startswith("/accounts/login/")
    reader.force_login(make_user("reader@example.org"))
    response = reader.post(f"/drafts/{draft.pk}/comments/", {"body": "<script>alert(1)</script> section 3?"})
    assert response.status_code == 302
    comment = Comment.objects.get()
    page = reader.get(f"/drafts/{draft.pk}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; section 3?" in page and "<script>alert(1)" not in page
    assert "section 3?" in editor_client.get(f"/editor/drafts/{draft.pk}/").content.decode()
    editor_client.post(f"/editor/comments/{comment.pk}/resolve/")
    comment.refresh_from_db()
    assert comment.is_resolved and comment.resolved_by.email == "ed@example.org"
    actions = list(AuditEntry.objects.filter(version=draft).values_list("action", flat=True))
    assert {"create", "open_review", "comment", "resolve_comment"} <= set(actions)


def test_line_breaks_count_once_against_a_length_limit_as_the_browser_counts_them(draft, editor, editor_client, client):
    open_review(version=draft, user=editor)
    reader = Client()
    reader.force_login(make_user("reader@example.org"))
    body = "\r\n".join(["A point of 20 chars."] * 190)  # 3,989 characters once each break is one
    assert len(body.replace("\r\n", "\n")) == 3989
    assert reader.post(f"/drafts/{draft.pk}/comments/", {"body": body}).status_code == 302
    assert Comment.objects.get(version=draft).body == body.replace("\r\n", "\n")
    saved = editor_client.post(f"/editor/drafts/{draft.pk}/", form_data(draft, changelog="Line one\r\nLine two"))
    assert saved.status_code == 302
    assert json.loads(client.get(f"/drafts/{draft.pk}.json").content)["changelog"] == "Line one\nLine two"


def test_comments_are_length_bounded_rate_limited_and_closed_with_review(draft, editor, editor_client):
    open_review(version=draft, user=editor)
    reader = Client()
    reader.force_login(make_user("reader@example.org"))
    assert reader.post(f"/drafts/{draft.pk}/comments/", {"body": "x" * 4001}).status_code == 400
    for i in range(10):
        assert reader.post(f"/drafts/{draft.pk}/comments/", {"body": f"Point {i}"}).status_code == 302
    limited = reader.post(f"/drafts/{draft.pk}/comments/", {"body": "One more"})
    assert limited.status_code == 429 and 1 <= int(limited["Retry-After"]) <= 7200
    html = limited.content.decode()
    assert "You have posted 10 comments in the last hour. You can post again in " in html
    assert "One more</textarea>" in html, "the comment is still in its box"
    assert Comment.objects.filter(version=draft, body="One more").count() == 0
    editor_client.post(f"/editor/drafts/{draft.pk}/review/", {"action": "close"})
    assert reader.post(f"/drafts/{draft.pk}/comments/", {"body": "Late"}).status_code == 404
    assert Comment.objects.count() == 10


def test_the_audit_trail_is_shown_to_editors_in_words_and_cannot_be_changed(editor_client, draft, latest):
    text = draft.markdown.replace("restriction", "limit")
    editor_client.post(f"/editor/drafts/{draft.pk}/", form_data(draft, markdown=text, changelog="Wording."))
    page = editor_client.get("/editor/audit/").content.decode()
    assert "created a draft" in page and "ed@example.org" in page
    assert f"<td>based on {latest.number}</td>" in page
    assert "<td>changed the changelog and text</td>" in page, "not a Python list"
    entry = AuditEntry.objects.get(action="create")
    entry.detail = {"forged": True}
    with pytest.raises(FrozenError):
        entry.save()
    with pytest.raises(FrozenError):
        AuditEntry.objects.all().update(action="publish")
    with pytest.raises(FrozenError):
        AuditEntry.objects.all().delete()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE licenses_auditentry SET action = 'publish'")


HOSTILE = '<script>alert(\'x\')</script>\n\n<img src="x" onerror="alert(1)">\n\n[click](javascript:alert(2))\n'


def test_editor_markdown_is_sanitized_in_preview_and_when_published(editor_client, draft):
    # A heading that uses every declared field, so that the hostile text can be published.
    hostile = "# Test " + " ".join(f"{{{{{name}}}}}" for name in draft.field_names) + "\n\n" + HOSTILE
    preview = editor_client.post("/editor/markdownify/", {"content": hostile}).content.decode()
    editor_client.post(f"/editor/drafts/{draft.pk}/", form_data(draft, markdown=hostile, changelog="Hostile."))
    page = editor_client.get(f"/editor/drafts/{draft.pk}/preview/").content.decode()
    assert editor_client.post(f"/editor/drafts/{draft.pk}/publish/")["Location"] == "/editor/"
    draft.refresh_from_db()
    assert draft.is_published
    response = Client().get(draft.get_absolute_url())
    assert response.status_code == 200
    published = response.content.decode()
    for html in (preview, page, published):
        document = html[html.find("<h1") :]
        assert "<script>alert" not in document and "onerror" not in document and "javascript:" not in document


def publish_text(editor_client, draft, text: str) -> None:
    editor_client.post(f"/editor/drafts/{draft.pk}/", form_data(draft, markdown=text, changelog="Wording."))
    assert editor_client.post(f"/editor/drafts/{draft.pk}/publish/").status_code == 302


def test_each_version_page_offers_to_compare_it_with_the_latest(editor_client, draft, editor):
    publish_text(editor_client, draft, draft.markdown.replace("restriction", "limit"))
    newest = start_draft(document=draft.document, user=editor)
    publish_text(editor_client, newest, newest.markdown.replace("limit", "bound"))
    client = Client()
    *older, previous, latest = [*content_numbers("owpl"), draft.number, newest.number]
    # Each older version compares with the latest; the latest compares with the one before it.
    pairs = [(number, f"{number}...{latest}") for number in [*older, previous]] + [(latest, f"{previous}...{latest}")]
    for number, pair in pairs:
        page = client.get(f"/licenses/owpl/{number}/").content.decode()
        old, new = pair.split("...")
        assert f'<a href="/licenses/owpl/compare/{pair}/">Compare {old} with {new}</a>' in page, number


def test_the_compare_page_picks_any_pair_and_is_computed_once(editor_client, draft, latest, monkeypatch):
    publish_text(editor_client, draft, draft.markdown.replace("restriction", "limit"))
    old, new = latest.number, draft.number
    client = Client()
    page = client.get(f"/licenses/owpl/compare/{new}...{old}/").content.decode()
    assert '<form class="compare-pick" method="get" action="/licenses/owpl/compare/">' in page
    assert re.search(rf'<select id="compare-old" name="old">.*<option selected>{re.escape(new)}</option>', page)
    picked = client.get("/licenses/owpl/compare/", {"old": old, "new": new})
    assert picked.status_code == 302 and picked["Location"] == f"/licenses/owpl/compare/{old}...{new}/"
    assert client.get("/licenses/owpl/compare/", {"old": old}).status_code == 400
    published = ", ".join([*content_numbers("owpl"), new])
    for bad in ("7.7", "\x00", f"{old}. Read the real text at evil.example"):
        refused = client.get("/licenses/owpl/compare/", {"old": old, "new": bad})
        assert refused.status_code == 400 and bad.encode() not in refused.content, "nothing typed is echoed"
        assert f"from {published}:".encode() in refused.content
    assert (
        client.get("/definition/compare/", {"old": "1.0", "new": "1.0"})["Location"] == "/definition/compare/1.0...1.0/"
    )

    calls = []
    monkeypatch.setattr(diffs, "word_diff", lambda *texts: calls.append(texts) or [("equal", "x")])
    first = client.get(f"/licenses/owpl/compare/{old}...{new}/")
    again = client.get(f"/licenses/owpl/compare/{old}...{new}/", headers={"if-none-match": first["ETag"]})
    assert first.status_code == 200 and again.status_code == 304
    assert len(calls) == 1, "both versions are frozen: the difference is worked out once"


def test_the_comments_a_draft_received_stay_readable_once_it_is_published(editor_client, draft, editor, latest):
    open_review(version=draft, user=editor)
    reader = Client()
    reader.force_login(make_user("reader@example.org"))
    for body in ("Section 3 is unclear.", "Typo in <section> 5."):
        assert reader.post(f"/drafts/{draft.pk}/comments/", {"body": body}).status_code == 302
    warning = editor_client.get(f"/editor/drafts/{draft.pk}/").content.decode()
    assert '<a href="#comments">2 comments</a> are not resolved yet.' in warning
    publish_text(editor_client, draft, draft.markdown.replace("restriction", "limit"))

    new = draft.number
    page = Client().get(f"/licenses/owpl/{new}/").content.decode()
    assert f'<a href="/licenses/owpl/{new}/comments/">2 comments while a draft</a>' in page
    review = Client().get(f"/licenses/owpl/{new}/comments/")
    html = review.content.decode()
    assert review.status_code == 200 and f"<h1>Comments on Open Weights Permissive License {new}</h1>" in html
    assert "Section 3 is unclear." in html and "Typo in &lt;section&gt; 5." in html and "DRAFT" not in html
    # The version it was drafted from received none.
    assert "comments while a draft" not in Client().get(latest.get_absolute_url()).content.decode()
    assert "No comments were made." in Client().get(latest.comments_url()).content.decode()
    assert Client().get("/licenses/owpl/9.9/comments/").status_code == 404

    # A comment form left open in a tab while the version was published.
    late = reader.post(f"/drafts/{draft.pk}/comments/", {"body": "One more <thought>."})
    html = late.content.decode()
    assert late.status_code == 409 and "Your comment was not posted" in html
    assert "One more &lt;thought&gt;." in html and "DRAFT" not in html
    assert Comment.objects.filter(version=draft).count() == 2


def test_a_drafts_files_revalidate_until_the_draft_changes(editor_client, draft, editor):
    open_review(version=draft, user=editor)
    client = Client()
    first = client.get(f"/drafts/{draft.pk}.pdf")
    assert first.status_code == 200 and first["Cache-Control"] == "private, no-cache"
    unchanged = client.get(f"/drafts/{draft.pk}.pdf", headers={"if-none-match": first["ETag"]})
    assert unchanged.status_code == 304 and unchanged.content == b""
    text = draft.markdown.replace("restriction", "limit")
    editor_client.post(f"/editor/drafts/{draft.pk}/", form_data(draft, markdown=text, changelog="Wording."))
    changed = client.get(f"/drafts/{draft.pk}.pdf", headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert changed["Content-Disposition"] == f'inline; filename="owpl-{draft.number}-draft.pdf"'


def test_the_comment_quota_counts_the_last_hour_exactly(draft, editor):
    open_review(version=draft, user=editor)
    reader = Client()
    reader.force_login(make_user("reader@example.org"))
    for i in range(10):
        assert reader.post(f"/drafts/{draft.pk}/comments/", {"body": f"Point {i}"}).status_code == 302
    now = timezone.now()
    # The first three were posted 70, 50 and 40 minutes ago; the other seven just now.
    for minutes, comment in zip((70, 50, 40), Comment.objects.order_by("pk")[:3], strict=True):
        Comment.objects.filter(pk=comment.pk).update(created_at=now - timedelta(minutes=minutes))
    assert reader.post(f"/drafts/{draft.pk}/comments/", {"body": "Ten in the hour"}).status_code == 302
    refused = reader.post(f"/drafts/{draft.pk}/comments/", {"body": "Eleven"})
    assert refused.status_code == 429
    assert 599 <= int(refused["Retry-After"]) <= 601, "when the one from 50 minutes ago is an hour old"
    assert "You can post again in 10 minutes" in refused.content.decode()


def test_a_published_versions_comments_can_no_longer_be_resolved(editor_client, draft, editor):
    open_review(version=draft, user=editor)
    reader = Client()
    reader.force_login(make_user("reader@example.org"))
    reader.post(f"/drafts/{draft.pk}/comments/", {"body": "Unclear."})
    publish_text(editor_client, draft, draft.markdown.replace("restriction", "limit"))
    comment = Comment.objects.get(version=draft)
    assert editor_client.post(f"/editor/comments/{comment.pk}/resolve/").status_code == 404
    comment.refresh_from_db()
    assert not comment.is_resolved


def test_the_loser_of_a_publish_race_is_told_it_is_already_published(editor_client, draft, editor):
    text = draft.markdown.replace("no condition or restriction on Outputs", "no condition or limit on Outputs")
    editor_client.post(f"/editor/drafts/{draft.pk}/", form_data(draft, markdown=text, changelog="Wording."))
    other = Client()
    other.force_login(make_user("second@example.org", editor=True))
    assert editor_client.post(f"/editor/drafts/{draft.pk}/publish/")["Location"] == "/editor/"
    late = other.post(f"/editor/drafts/{draft.pk}/publish/")
    assert late.status_code == 302 and late["Location"] == "/editor/"
    index = other.get("/editor/").content.decode()
    assert f"OWPL {draft.number} was already published, at http" in index
    assert AuditEntry.objects.filter(action="publish", version=draft).count() == 1


def test_a_number_taken_by_another_draft_at_the_same_moment_keeps_the_edit(editor_client, draft, editor, monkeypatch):
    number = draft.number
    other = start_draft(document=draft.document, user=editor)  # the number after the draft's
    assert other.number == number_after(number)
    # The form's own check ran before the other draft took the number: only the database notices.
    monkeypatch.setattr(DraftForm, "clean_number", lambda form: form.cleaned_data["number"])
    edited = draft.markdown + "\nA sentence the editor must not lose.\n"
    response = editor_client.post(
        f"/editor/drafts/{draft.pk}/", form_data(draft, number=other.number, markdown=edited, changelog="x")
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert f"OWPL {other.number} was taken by another draft just now" in page
    assert "A sentence the editor must not lose." in page
    draft.refresh_from_db()
    assert draft.number == number and "must not lose" not in draft.markdown
