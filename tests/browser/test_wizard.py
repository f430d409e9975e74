import re
from pathlib import Path

import pytest

from licenses.models import Version

from ..factories import latest_number

pytestmark = pytest.mark.django_db(transaction=True)


def test_without_javascript_a_publisher_completes_the_wizard_and_downloads_license(no_js_page, site):
    page = no_js_page
    latest = Version.objects.get(document__slug="owpl", number=latest_number("owpl"))
    page.goto(site + "/wizard/")
    assert page.url == site + latest.wizard_url()
    values = {"licensor": "Acme AI Labs GmbH", "model": "Falcon-Test-7B", "year": "2026"}
    # The latest may declare more fields than these: fill each with its example.
    for field in latest.fields:
        page.get_by_label(field["label"], exact=True).fill(values.get(field["name"], field["example"]))
    page.get_by_role("button", name="Create my license").click()
    assert re.fullmatch(re.escape(site) + r"/r/[a-z2-7]{16}/", page.url)
    assert "Licensed by Acme AI Labs GmbH" in page.inner_text("main")
    with page.expect_download() as info:
        page.get_by_role("link", name="LICENSE", exact=True).first.click()
    body = Path(info.value.path()).read_text()
    assert info.value.suggested_filename == "LICENSE"
    assert "Copyright 2026 Acme AI Labs GmbH." in body


def test_without_javascript_server_errors_are_shown_beside_their_fields(no_js_page, site):
    page = no_js_page
    page.goto(site + "/licenses/owpl/1.0/wizard/")
    page.get_by_label("Licensor").fill("Acme AI Labs GmbH")
    page.get_by_label("Model name").fill("Falcon-Test-7B")
    page.get_by_label("Year").fill("1800")  # passes the browser's pattern check; the server refuses it
    page.get_by_role("button", name="Create my license").click()
    assert page.url.endswith("/licenses/owpl/1.0/wizard/")
    year = page.get_by_label("Year")
    assert year.get_attribute("aria-invalid") == "true"
    described = year.get_attribute("aria-describedby").split()
    messages = " ".join(page.locator(f"#{i}").inner_text() for i in described)
    assert "Enter a four-digit year from 1950" in messages
    assert page.get_by_label("Licensor").input_value() == "Acme AI Labs GmbH", "typed values are kept"


def test_with_javascript_the_preview_follows_typing(page, site):
    page.goto(site + "/licenses/owpl/1.0/wizard/")
    preview = page.locator("#preview")
    assert "Copyright [YEAR] [LICENSOR]." in preview.inner_text()
    page.get_by_label("Licensor").press_sequentially("Acme <b>Labs</b>")
    page.get_by_label("Year").fill("2026")
    assert "Copyright 2026 Acme <b>Labs</b>." in preview.inner_text()
    assert preview.locator("b").count() == 0, "typed markup is shown as text, never as markup"
    page.get_by_label("Licensor").fill("")
    assert "Copyright 2026 [LICENSOR]." in preview.inner_text()


def test_copy_buttons_appear_with_javascript(page, site):
    page.goto(site + "/licenses/owpl/1.0/wizard/")
    page.get_by_label("Licensor").fill("Acme")
    page.get_by_label("Model name").fill("M-1")
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Create my license").click()
    button = page.get_by_role("button", name="Copy model-card metadata")
    assert button.is_visible()


def test_the_checker_works_without_javascript_and_answers_as_one_types_with_it(browser, site, no_js_page):
    text = no_js_page.context.request.get(site + "/licenses/owpl/1.1.txt").text()
    no_js_page.goto(site + "/check/")
    no_js_page.get_by_label("LICENSE text").fill(text)
    no_js_page.get_by_role("button", name="Check", exact=True).click()
    assert "word for word" in no_js_page.inner_text(".check-result")
    assert "[LICENSOR]" in no_js_page.inner_text(".check-result")
    context = browser.new_context()
    page = context.new_page()
    page.goto(site + "/check/")
    page.get_by_label("LICENSE text").fill(text.replace("irrevocable", "revocable", 1))
    page.locator("#live-result", has_text="must not be called so").wait_for()  # from POST /check.json
    context.close()
