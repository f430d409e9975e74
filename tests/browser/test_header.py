"""The header's account part in a real Chromium: log in, see the account on the home page and on a
kept version page, log out from the header; nothing overflows on a phone."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from .conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct-Horse-battery-9"
EMAIL = "dana.with-a-rather-long-address@example.org"


@pytest.fixture
def reader(site):
    user = get_user_model().objects.create_user(username="dana", email=EMAIL, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    return user


def account(page):
    return page.locator("header .site-account")


def test_log_in_and_out_from_the_header(browser, site, reader):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    version_page = site + "/licenses/owpl/1.0/"
    page.goto(version_page)  # kept for everyone from here on
    assert account(page).inner_text() == "Log in"
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(version_page)  # back to the page the reader was on

    for url in (site + "/", version_page):
        page.goto(url)
        assert account(page).inner_text().startswith(f"Signed in as {EMAIL}"), url
        assert account(page).get_by_role("button", name="Log out").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, f"{url} scrolls sideways"
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "header-signed-in-375.png"))
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=str(SCREENSHOTS / "header-signed-in-1280.png"))
    page.set_viewport_size({"width": 375, "height": 800})

    button = account(page).get_by_role("button", name="Log out")
    button.focus()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == version_page, "back to the page the reader was on"
    assert account(page).inner_text() == "Log in" and EMAIL not in page.content()
    page.goto(site + "/")
    assert account(page).inner_text() == "Log in"
    context.close()


def test_the_anonymous_header_fits_a_phone(browser, site):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    for url in ("/", "/licenses/owpl/1.0/", "/accounts/login/"):
        page.goto(site + url)
        assert account(page).get_by_role("link", name="Log in").is_visible(), url
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, url
    context.close()
