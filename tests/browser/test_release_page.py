import pytest
from django.test import Client

pytestmark = pytest.mark.django_db(transaction=True)

VALUES = {"licensor": "Acme AI Labs GmbH", "model": "Falcon-Test-7B", "year": "2026"}


def test_on_a_narrow_screen_the_name_and_the_steps_come_before_the_panel_and_nothing_overflows(page, site):
    location = Client().post("/licenses/owpl/1.0/wizard/", VALUES)["Location"]
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(site + location)
    heading = page.locator("h1.page-title").bounding_box()
    steps = page.locator("ol.steps").bounding_box()
    panel = page.locator("aside.version-panel").bounding_box()
    assert page.locator("h1.page-title").inner_text() == "Falcon-Test-7B"
    assert heading["y"] + heading["height"] <= panel["y"], "the model's name is above the panel"
    assert steps["y"] + steps["height"] <= panel["y"], "the steps are above the panel"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "no horizontal scrolling"


def test_on_a_wide_screen_the_panel_stays_beside_the_text(page, site):
    location = Client().post("/licenses/owpl/1.0/wizard/", VALUES)["Location"]
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(site + location)
    heading = page.locator("h1.page-title").bounding_box()
    panel = page.locator("aside.version-panel").bounding_box()
    assert panel["x"] > heading["x"] + heading["width"] / 2 and panel["y"] < 400
