"""Page-wide rules: no inline script or style (a strict CSP forbids them), a language, a title."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from .pages import SIGNED_IN_PAGES, build_site


@pytest.fixture
def site_pages(canonical):
    return build_site()


def fetch_all(site_pages) -> dict[str, str]:
    anonymous, editor = Client(), Client()
    editor.force_login(get_user_model().objects.get(username="page-editor"))
    pages = {}
    for name, path in site_pages.items():
        response = (editor if name in SIGNED_IN_PAGES else anonymous).get(path)
        assert response.status_code in (200, 404), (name, response.status_code)
        pages[name] = response.content.decode()
    wizard_error = anonymous.post(site_pages["wizard"], {"licensor": "", "model": "m", "year": "1"})
    pages["wizard-errors"] = wizard_error.content.decode()
    return pages


def test_no_page_has_inline_script_or_style(site_pages):
    for name, html in fetch_all(site_pages).items():
        # A JSON-LD data block is never run (the CSP does not apply to it); any other inline script is refused.
        inline_scripts = re.findall(r'<script(?![^>]*\bsrc=)(?![^>]*type="application/ld\+json")[^>]*>', html)
        assert not inline_scripts, name
        assert not re.search(r"\sstyle\s*=", html), name
        assert "<style" not in html, name
        assert not re.search(r"\son[a-z]+\s*=", html), name


def test_every_page_has_a_language_a_main_landmark_and_its_own_title(site_pages):
    titles = set()
    for name, html in fetch_all(site_pages).items():
        assert re.search(r'<html lang="en"', html), name
        assert html.count("<main") == 1, name
        assert 'class="skip-link" href="#content"' in html, name
        title = re.search(r"<title>(.*?)</title>", html, re.S)[1]
        assert "Open Weights" in title, name
        titles.add(" ".join(title.split()))
    assert len(titles) >= 16


def test_pages_reference_no_external_assets(site_pages):
    for name, html in fetch_all(site_pages).items():
        assert not re.search(r'(src|href)="(https?:)?//[^"]*"[^>]*rel="stylesheet"', html), name
        assert not re.search(r'<(script|img|link|iframe)[^>]+(src|href)="(https?:)?//', html), name
