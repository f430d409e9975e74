"""Every page type in a real Chromium: zero axe-core violations in light and dark, no horizontal
scrolling on a phone, keyboard-only use of the wizard; screenshots for people to look at."""

import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from ..pages import SIGNED_IN_PAGES, build_site
from .conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def pages(site):
    return build_site()


def session_cookie(live_url: str) -> dict:
    client = Client()
    client.force_login(get_user_model().objects.get(username="page-editor"))
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_url}


def visit(context, site, name, path):
    page = context.new_page()
    response = page.goto(site + path)
    assert response.status < 500, name
    if name == "wizard-errors":
        page.get_by_label("Licensor").fill("Acme")
        page.get_by_label("Model name").fill("M")
        page.get_by_label("Year").fill("1800")
        page.get_by_role("button", name="Create my license").click()
    if name == "check-result":  # a changed text: the verdict, the values and the differences
        page.goto(site + "/licenses/owpl/1.0.txt?licensor=Acme&model=M&year=2026")
        text = page.inner_text("body").replace("irrevocable", "revocable", 1)
        page.goto(site + path)
        page.get_by_label("LICENSE text").fill(text)
        page.get_by_role("button", name="Check", exact=True).click()
        page.wait_for_selector("#result-title")
    return page


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await axe.run(document)).violations")
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:5], "help": v["help"]} for v in result]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_type_has_zero_axe_violations_and_gets_screenshots(browser, site, pages, scheme):
    assert AXE.exists(), "axe-core is missing: `make test` installs it with npm"
    pages = dict(pages, **{"wizard-errors": pages["wizard"], "check-result": pages["check"]})
    found = {}
    for width in (375, 1280):
        # bypass_csp lets the test inject axe-core; the site itself never needs it.
        anonymous = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 900}, bypass_csp=True)
        signed_in = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 900}, bypass_csp=True)
        signed_in.add_cookies([session_cookie(site)])
        for name, path in pages.items():
            page = visit(signed_in if name in SIGNED_IN_PAGES else anonymous, site, name, path)
            SCREENSHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}-{scheme}.png"), full_page=True)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
            violations = axe_violations(page)
            if violations:
                found[f"{name} @{width}"] = violations
            page.close()
        anonymous.close()
        signed_in.close()
    assert not found, json.dumps(found, indent=1)[:4000]


def test_a_keyboard_user_completes_the_wizard(browser, site, pages):
    context = browser.new_context()
    page = context.new_page()
    page.goto(site + "/licenses/owpl/1.0/wizard/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "licensor":
            break
    assert page.evaluate("document.activeElement.name") == "licensor"
    page.keyboard.type("Keyboard Labs")
    page.keyboard.press("Tab")
    page.keyboard.type("Keys-1B")
    page.keyboard.press("Tab")
    page.keyboard.type("2026")
    # What else the license covers: a box per kind, then the patterns; Space ticks "code".
    for kind in ("configuration", "tokenizer", "code", "documentation"):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.value") == kind
        if kind == "code":
            page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "patterns"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Create my license"
    focus = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focus != "none", "the focused button shows a visible focus ring"
    page.keyboard.press("Enter")
    page.wait_for_url("**/r/*/")
    assert "Licensed by Keyboard Labs" in page.inner_text("main")
    assert "Code" in page.locator(".coverage-summary").inner_text()
    context.close()
