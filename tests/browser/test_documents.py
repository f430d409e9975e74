import hashlib
from pathlib import Path

import pytest

from ..factories import latest_number

pytestmark = pytest.mark.django_db(transaction=True)


def test_reader_opens_the_license_and_downloads_the_text_file(page, site):
    latest = latest_number("owpl")
    page.goto(site + "/licenses/owpl/")
    assert page.url == site + f"/licenses/owpl/{latest}/"
    assert page.locator("h1").first.inner_text() == f"Open Weights Permissive License {latest}"
    with page.expect_download() as info:
        page.get_by_role("link", name="LICENSE", exact=True).click()
    download = info.value
    assert download.suggested_filename == "LICENSE"
    body = Path(download.path()).read_bytes()
    assert b"1. Definitions" in body
    assert hashlib.sha256(body).hexdigest() in page.content()


def test_section_anchor_links_point_at_their_sections(page, site):
    page.goto(site + "/definition/1.0/")
    link = page.locator("#section-3 a.section-link")
    link.click()
    assert page.url.endswith("/definition/1.0/#section-3")
