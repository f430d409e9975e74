import io
import re
import select
import socket
from html import unescape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from licenses import rendering
from licenses.loading import read_text

OWPL = read_text("owpl/1.0.md")
DEFINITION = read_text("definition/1.0.md")
VALUES = {"licensor": "Acme AI Labs GmbH", "model": "Falcon-Test-7B", "year": "2026"}


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_text_lines_fit_in_80_columns_and_keep_no_markdown_syntax():
    for source in (OWPL, DEFINITION):
        text = rendering.to_text(source)
        lines = text.splitlines()
        assert len(lines) > 40
        assert max(len(line) for line in lines) <= 80
        assert not any(line.lstrip().startswith(("#", "**", "* ")) for line in lines)
        assert "](" not in text and "**" not in text


def test_text_keeps_numbered_sections_and_lists_readable():
    text = rendering.to_text(OWPL)
    lines = text.splitlines()
    assert lines[0] == "Open Weights Permissive License 1.0"
    assert "1. Definitions" in lines and "9. General" in lines
    assert any(line.startswith("  - License means") for line in lines)
    # a wrapped list item continues under its text, not under its marker
    grant = lines.index("2. Scope")
    assert lines[grant + 4].startswith("  1. the Weights")


def test_text_shows_unfilled_placeholders_visibly_and_fills_values():
    assert "Copyright [YEAR] [LICENSOR]." in rendering.to_text(OWPL)
    filled = rendering.to_text(OWPL, VALUES)
    assert "Copyright 2026 Acme AI Labs GmbH." in filled
    assert "[LICENSOR]" not in filled


def test_links_in_text_show_their_address_once():
    text = rendering.to_text("See [the terms](https://example.org/t) and <https://example.org/u>.")
    assert text == "See the terms (https://example.org/t) and https://example.org/u.\n"


def test_html_has_stable_section_anchors_with_visible_links():
    html = rendering.to_html(OWPL)
    assert '<h2 id="section-3">3. Grant <a class="section-link" href="#section-3"' in html
    assert html.count('class="section-link"') == 9


def test_html_is_sanitized():
    hostile = (
        "# T\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[x](javascript:alert(3))\n\n"
        '<a href="#" onclick="alert(4)">y</a>\n\n<iframe src="https://evil.example"></iframe>'
    )
    html = rendering.to_html(hostile)
    for bad in ("<script", "alert(1)", "onerror", "javascript:", "onclick", "<iframe", "<img"):
        assert bad not in html


def test_markdown_is_normalized_and_keeps_template_placeholders():
    md = rendering.to_markdown("# T\r\n\r\n\r\n\r\nCopyright {{year}}   \r\n")
    assert md == "# T\n\nCopyright {{year}}\n"


@pytest.mark.parametrize("fmt", ["html", "md", "txt"])
def test_every_text_format_is_deterministic(fmt):
    render = {"html": rendering.to_html, "md": rendering.to_markdown, "txt": rendering.to_text}[fmt]
    assert render(OWPL, VALUES) == render(OWPL, dict(VALUES))


def _pdf(body: str, title: str = "OWPL 1.0") -> bytes:
    return rendering.to_pdf(rendering.pdf_document(body, title=title, author="Open Weights", url="https://x/1.0/"))


def test_pdf_is_deterministic_has_metadata_and_selectable_section_headings():
    first = _pdf(rendering.to_html(OWPL), "Open Weights Permissive License 1.0")
    second = _pdf(rendering.to_html(OWPL), "Open Weights Permissive License 1.0")
    assert first.startswith(b"%PDF") and first == second
    reader = PdfReader(io.BytesIO(first))
    assert reader.metadata.title == "Open Weights Permissive License 1.0"
    assert reader.metadata.author == "Open Weights"
    text = pdf_text(first)
    for heading in ("1. Definitions", "3. Grant", "7. No warranty", "9. General"):
        assert heading in text
    fonts = {str(font) for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    assert fonts, "fonts are embedded"


def test_pdf_fetcher_refuses_everything_but_the_sites_own_assets(tmp_path):
    # A listening socket queues any connection attempt (the handshake completes without accept), so
    # once the PDF is made, one look at whether the socket is readable tells whether anything tried.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    port = server.getsockname()[1]
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for the pdf")
    body = (
        f'<p>x</p><img src="http://127.0.0.1:{port}/a.png"><img src="file:///etc/passwd">'
        f'<img src="{secret.as_uri()}"><link rel="stylesheet" href="http://127.0.0.1:{port}/s.css">'
        f'<img src="../../../../etc/passwd">'
    )
    try:
        pdf = rendering.to_pdf(
            rendering.pdf_document(body, title="t", author="a", url="u").replace(
                "</head>", f'<style>@import url("http://127.0.0.1:{port}/x.css");</style></head>'
            )
        )
        attempted, _, _ = select.select([server], [], [], 0)
    finally:
        server.close()
    assert pdf.startswith(b"%PDF")
    assert attempted == [], "the renderer connected to the local listener"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60), st.sampled_from(["Before {{v}} after.", "{{v}} starts a line.", "A line\n{{v}}"]))
def test_escaped_markdown_values_render_as_their_own_literal_text(value, template):
    value = rendering.neutralise(value)
    html = rendering.to_html(rendering.to_markdown(template, {"v": value}))
    expected = rendering.to_html(template, {"v": value})
    # The .md isolates a right-to-left value with U+2068 … U+2069, the HTML with <bdi>: the same isolation.
    expected = re.sub(r"<bdi>(.*?)</bdi>", "\u2068\\1\u2069", expected)
    assert unescape(html) == unescape(expected)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_neutralised_values_are_one_clean_line(value):
    clean = rendering.neutralise(value)
    assert "\n" not in clean and "\r" not in clean
    assert not re.search("[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]", clean)
    assert clean == clean.strip()


def test_the_widest_pdf_word_of_nothing_is_nothing():
    assert rendering.widest_pdf_word("") == ("", 0.0)
    word, width = rendering.widest_pdf_word("Acme AI Labs")
    assert word == "Acme" and 0 < width < rendering.PDF_WORD_LIMIT_PT


def _pdf_text(body_html: str, renderer: str) -> str:
    from pypdf import PdfReader

    page = rendering.pdf_document(body_html, title="t", author="a", url="u", renderer=renderer)
    return PdfReader(io.BytesIO(rendering.to_pdf(page, renderer))).pages[0].extract_text()


def test_a_right_to_left_name_followed_by_latin_reads_in_its_own_order_in_the_pdf():
    """فالكون-7B printed among English terms: renderer 1 let the bidi algorithm pull "7" away from "B"
    ("7-فالكونB"); renderer 2 isolates the value, which then reads as it does alone ("7B-فالكون")."""
    source, values = "The model named {{model}} is here.", {"model": "فالكون-7B"}
    assert "7-فالكونB" in _pdf_text(rendering.to_html(source, values, "1"), "1")
    isolated = _pdf_text(rendering.to_html(source, values, "2", for_pdf=True), "2")
    assert "7B-فالكون" in isolated and "فالكونB" not in isolated
    assert rendering.to_html(source, values, "2") == "<p>The model named <bdi>فالكون-7B</bdi> is here.</p>"
    assert rendering.to_text(source, values, "2") == "The model named \u2068فالكون-7B\u2069 is here.\n"
    assert rendering.to_text(source, {"model": "Falcon-7B"}, "2") == "The model named Falcon-7B is here.\n"
