"""The self-assessment in a real Chromium: filled in without JavaScript, and with the keyboard alone."""

import re

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

EVIDENCE = {
    key: f"https://huggingface.co/heron/Heron-3B/blob/main/docs/{key}.md"
    for key in ("architecture", "training_method", "training_data", "hyperparameters", "training_software")
}


def fill_release(page):
    page.get_by_label("Model name", exact=True).fill("Heron-3B")
    page.get_by_label("Publisher", exact=True).fill("Heron AI Ltd")
    page.get_by_label("Release URL", exact=True).fill("https://huggingface.co/heron/Heron-3B")
    page.get_by_label("Anyone can download a complete copy").check()


def test_without_javascript_a_publisher_assesses_a_release_and_gets_a_statement(no_js_page, site):
    page = no_js_page
    page.goto(site + "/assess/")
    assert page.url == site + "/definition/1.1/assess/"
    fill_release(page)
    page.get_by_label("License of the weights", exact=True).select_option("LicenseRef-OWPL-1.1")
    for key, url in EVIDENCE.items():
        page.locator(f"#id_evidence_{key}").fill(url)
    page.get_by_label("License of the training software", exact=True).fill("Apache-2.0")
    page.get_by_label("Open user software: URL", exact=True).fill("https://github.com/heron-ai/chat")
    page.get_by_label("Open user software: license", exact=True).fill("MIT")
    page.get_by_role("button", name="Make my statement").click()
    assert re.fullmatch(re.escape(site) + r"/assessments/[a-z2-7]{16}/", page.url)
    main = page.inner_text("main")
    assert "Conforms to Open Weights Definition 1.1" in main and "not a certification" in main
    assert "Open user software: met." in main and "Open Source AI Definition 1.0" in main
    badge = page.get_by_role("img", name="Open Weights 1.1: conforms (self-assessment)")
    assert badge.evaluate("img => img.complete && img.naturalWidth > 0"), "the badge loads from the site"


def test_without_javascript_another_license_is_answered_question_by_question(no_js_page, site):
    page = no_js_page
    page.goto(site + "/definition/1.1/assess/")
    fill_release(page)
    page.get_by_label("License of the weights", exact=True).select_option("other")
    page.get_by_label("Its identifier", exact=True).fill("LicenseRef-Heron-Open-1.0")
    page.get_by_label("URL of its text", exact=True).fill("https://heron.example.org/license")
    for section in "234567":
        group = page.get_by_role("group", name=re.compile(f"^Section {section}\\."))
        group.get_by_label("No" if section == "7" else "Yes", exact=True).check()
    page.get_by_role("button", name="Make my statement").click()
    main = page.inner_text("main")
    assert "Does not conform" in main and "Section 7: the license may attach only the conditions" in main


def test_without_javascript_server_errors_are_shown_beside_their_fields(no_js_page, site):
    page = no_js_page
    page.goto(site + "/definition/1.1/assess/")
    fill_release(page)
    page.get_by_label("License of the weights", exact=True).select_option("LicenseRef-OWPL-1.1")
    page.locator("#id_evidence_architecture").fill("https://127.0.0.1/architecture.md")  # a valid URL to the browser
    page.get_by_role("button", name="Make my statement").click()
    assert page.url.endswith("/definition/1.1/assess/")
    field = page.locator("#id_evidence_architecture")
    assert field.get_attribute("aria-invalid") == "true"
    described = " ".join(page.locator(f"#{i}").inner_text() for i in field.get_attribute("aria-describedby").split())
    assert "Give a public host name, not an IP address." in described
    assert page.get_by_label("Model name", exact=True).input_value() == "Heron-3B", "the answers are kept"
    page.get_by_role("link", name=re.compile("not an IP address")).click()
    assert page.url.endswith("#id_evidence_architecture")


def tab_to(page, name: str, limit: int = 80) -> None:
    for _ in range(limit):
        if page.evaluate("document.activeElement.name") == name:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {name}")


def test_a_keyboard_user_completes_the_questionnaire(browser, site):
    context = browser.new_context()
    page = context.new_page()
    page.goto(site + "/definition/1.1/assess/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    tab_to(page, "model")
    page.keyboard.type("Keys-1B")
    page.keyboard.press("Tab")
    page.keyboard.type("Keyboard Labs")
    page.keyboard.press("Tab")
    page.keyboard.type("https://huggingface.co/keyboard/Keys-1B")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.value") == "open"
    page.keyboard.press("Space")
    tab_to(page, "license")
    page.keyboard.press("ArrowDown")  # the first license listed: the latest OWPL
    assert page.evaluate("document.activeElement.value") == "LicenseRef-OWPL-1.1"
    tab_to(page, "evidence_architecture")
    for key, url in EVIDENCE.items():
        assert page.evaluate("document.activeElement.name") == f"evidence_{key}"
        page.keyboard.type(url)
        page.keyboard.press("Tab")
    tab_to(page, "training_software_license")
    page.keyboard.type("Apache-2.0")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Make my statement":
            break
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none", "a visible focus ring"
    page.keyboard.press("Enter")
    page.wait_for_url("**/assessments/*/")
    assert "Conforms to Open Weights Definition 1.1" in page.inner_text("main")
    context.close()
