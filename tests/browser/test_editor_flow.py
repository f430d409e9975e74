import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from licenses.drafting import editors_group
from licenses.models import Version

from ..factories import latest_number, number_after

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct-Horse-battery-9"


def account(email: str, *, editor: bool = False):
    user = get_user_model().objects.create_user(username=email.split("@")[0], email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if editor:
        user.groups.add(editors_group())
    return user


def log_in(page, site, email):
    page.goto(site + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_editor_drafts_reviews_and_publishes_the_next_owpl(browser, site):
    account("editor@example.org", editor=True)
    account("reader@example.org")
    old = latest_number("owpl")
    new = number_after(old)

    editor = browser.new_context().new_page()
    log_in(editor, site, "editor@example.org")
    original_txt = editor.request.get(site + f"/licenses/owpl/{old}.txt").body()
    editor.goto(site + "/editor/")
    editor.get_by_role("button", name="Start a new draft of OWPL").click()
    assert re.search(r"/editor/drafts/\d+/$", editor.url)
    text = editor.get_by_label("Text (Markdown)")
    text.fill(text.input_value().replace("no condition or restriction on Outputs", "no condition or limit on Outputs"))
    # markdownx's live preview asks the editors-only endpoint, which renders with the site's renderer.
    live = editor.locator(".markdownx-preview")
    live.get_by_text("no condition or limit on Outputs").wait_for(timeout=10_000)
    assert live.locator("h2#section-6 a.section-link").count() == 1
    editor.get_by_label("Changelog").fill("Plainer wording in section 6.")
    editor.get_by_role("button", name="Save draft").click()
    assert "Draft saved." in editor.inner_text("main")

    editor.get_by_role("link", name="As a page").click()
    preview = editor.inner_text("main")
    assert "draft preview" in preview.lower() and "no condition or limit on Outputs" in preview
    editor.go_back()
    editor.get_by_role("button", name="Open for public comment").click()
    public_url = editor.locator(".banner-draft a").get_attribute("href")
    assert re.fullmatch(r"/drafts/\d+/", public_url)

    reader = browser.new_context().new_page()
    log_in(reader, site, "reader@example.org")
    reader.goto(site + public_url)
    assert "DRAFT, open for comment" in reader.inner_text("main")
    reader.get_by_label("Your comment").fill("Is 'limit' narrower than 'restriction' in section 6?")
    reader.get_by_role("button", name="Post comment").click()
    assert "your comment is posted" in reader.inner_text("main")

    editor.reload()
    assert "narrower than" in editor.inner_text("main")
    editor.get_by_role("button", name=re.compile("Mark resolved")).click()
    assert "resolved by editor@example.org" in editor.inner_text("main")
    editor.get_by_role("button", name=f"Publish OWPL {new}").click()
    assert editor.url == site + "/editor/"
    published = rf"Published OWPL {re.escape(new)} at \S+/licenses/owpl/{re.escape(new)}/\. It is now frozen\."
    assert re.search(published, editor.inner_text("main"))

    anonymous = browser.new_context().new_page()
    response = anonymous.request.get(site + "/licenses/owpl/", max_redirects=0)
    assert response.status == 302 and response.headers["location"] == f"/licenses/owpl/{new}/"
    assert anonymous.request.get(site + f"/licenses/owpl/{old}.txt").body() == original_txt
    anonymous.goto(site + f"/licenses/owpl/{old}/")
    assert "superseded by" in anonymous.inner_text("main")
    anonymous.goto(site + f"/licenses/owpl/compare/{old}...{new}/")
    assert anonymous.locator(".diff del").all_inner_texts() == ["restriction"]
    assert anonymous.locator(".diff ins").all_inner_texts() == ["limit"]
    assert Version.objects.get(document__slug="owpl", number=new).is_published
