import io
import json
import re
import shlex
import subprocess
import zipfile
from html import escape, unescape
from urllib.parse import urlsplit

import pytest
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from licenses import outputs, rendering
from licenses.models import Release
from licenses.publishing import publish_version

from .factories import FIELDS, TEMPLATE, latest_number, make_document, make_version, old_release, slot_held_elsewhere

VALUES = {"licensor": "Acme AI Labs GmbH", "model": "Falcon-Test-7B", "year": "2026"}
WIZARD = "/licenses/owpl/1.0/wizard/"


@pytest.fixture
def client():
    return Client()


def submit(client, values):
    return client.post(WIZARD, values)


def test_wizard_latest_redirects_to_the_latest_owpl_wizard(client, canonical):
    latest = f"/licenses/owpl/{latest_number('owpl')}/wizard/"
    response = client.get("/wizard/")
    assert response.status_code == 302 and response["Location"] == latest
    prefilled = client.get("/wizard/?licensor=Acme%20Labs&model=M-7B")
    assert prefilled["Location"] == latest + "?licensor=Acme%20Labs&model=M-7B"
    assert 'value="Acme Labs"' in client.get(prefilled["Location"]).content.decode()


def test_wizard_form_is_generated_from_the_declared_fields(client, owpl):
    html = client.get(WIZARD).content.decode()
    for field in owpl.fields:
        assert f'name="{field["name"]}"' in html
        assert escape(field["help_text"], quote=False) in html
        assert f'id="id_{field["name"]}_helptext"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "[LICENSOR]" in html, "the preview shows the template with visible placeholders"
    assert "curl -o LICENSE" in html


def test_wizard_prefills_from_the_query_string(client, canonical):
    html = client.get(WIZARD + "?model=Prefilled-3B").content.decode()
    assert 'value="Prefilled-3B"' in html


def test_submitting_redirects_to_a_permanent_release_and_the_same_inputs_give_the_same_link(client, canonical):
    first, second = submit(client, VALUES), submit(client, dict(VALUES, licensor="  Acme AI Labs GmbH "))
    assert first.status_code == 302 and re.fullmatch(r"/r/[a-z2-7]{16}/", first["Location"])
    assert second["Location"] == first["Location"]
    assert Release.objects.count() == 1
    other = submit(client, dict(VALUES, model="Falcon-Test-13B"))
    assert other["Location"] != first["Location"]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"model": "m", "year": "2026"}, "licensor", "This field is required."),
        (dict(VALUES, year="20x6"), "year", "Enter a four-digit year from 1950 to"),
        (dict(VALUES, year="1800"), "year", "Enter a four-digit year from 1950 to"),
        (dict(VALUES, licensor="Acme\nEvil"), "licensor", "Use a single line"),
        (dict(VALUES, licensor="Acme\u202eevil"), "licensor", "text-direction characters"),
        (dict(VALUES, model="x" * 201), "model", "at most 200 characters"),
        # Values that show nothing, or hide something: a license must name who grants it.
        (dict(VALUES, licensor="\u200b"), "licensor", "invisible control"),
        (dict(VALUES, licensor="Acme\ufeff"), "licensor", "invisible control"),
        (dict(VALUES, licensor="Acme\u00ad Labs"), "licensor", "invisible control"),
        (dict(VALUES, licensor="Acme\U000e0041\U000e0042"), "licensor", "invisible control"),
        (dict(VALUES, licensor="Acme\U000f0001"), "licensor", "invisible control"),
        (dict(VALUES, licensor="\u3164"), "licensor", "invisible control"),
        (dict(VALUES, licensor="\u2800\u2800"), "licensor", "invisible control"),
        (dict(VALUES, licensor="Acme\ufffd"), "licensor", "not valid UTF-8"),
        (dict(VALUES, licensor="Acme\uffff"), "licensor", "Remove the noncharacters"),
        (dict(VALUES, licensor="Acme\ufdd0"), "licensor", "Remove the noncharacters"),
        (dict(VALUES, licensor="Acme\U0010fffe"), "licensor", "Remove the noncharacters"),
        (dict(VALUES, licensor="\u0301\u0302"), "licensor", "Enter visible text"),
        (dict(VALUES, licensor="\u3000"), "licensor", "This field is required."),
        # A value that reads as a field left unfilled, in the Markdown or elsewhere.
        (dict(VALUES, licensor="{{year}}"), "licensor", "Remove the {{ and }}"),
        (dict(VALUES, model="Acme [MODEL]"), "model", "“[MODEL]” is how an unfilled field shows"),
        # A word wider than a line would run off the PDF's page.
        (dict(VALUES, licensor="W" * 41), "licensor", "too long to fit on a line of the PDF"),
        (dict(VALUES, model="Model-" + "x" * 80), "model", "“xxxxxxxxxxxxxxxxxxxxxxxx…” is too long"),
    ],
)
def test_invalid_values_are_refused_with_a_message_tied_to_the_field(client, canonical, values, field, message):
    response = submit(client, values)
    html = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in html and message in html
    assert re.search(rf'aria-describedby="[^"]*id_{field}_error', html)
    assert Release.objects.count() == 0


@pytest.mark.parametrize(
    "licensor",
    [
        "\u0645\u062d\u0645\u062f\u200c\u0631\u0636\u0627",
        "\u0915\u094d\u200d\u0937",
        "Team \U0001f468\u200d\U0001f469\u200d\U0001f467",
    ],
)
def test_joiners_that_scripts_and_emoji_need_inside_words_are_accepted(client, canonical, licensor):
    response = submit(client, dict(VALUES, licensor=licensor))
    assert response.status_code == 302
    assert Release.objects.get().values["licensor"] == licensor


@pytest.mark.parametrize(
    "licensor",
    [
        "W" * 40,  # the widest Latin letter, as many as a line holds
        "https://huggingface.co/some-organisation-name/another-very-long-model-name-here/resolve/main",
        "Some-very-long-hyphenated-model-name-that-goes-on-and-on-with-more-parts",
        "深度求索人工智能基础技术研究有限公司" * 4,
    ],
)
def test_the_longest_words_accepted_stay_inside_the_pdfs_margins(client, canonical, licensor):
    response = submit(client, dict(VALUES, licensor=licensor))
    assert response.status_code == 302
    pdf = client.get(response["Location"].rstrip("/") + ".pdf").content
    boxes = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    right_edges = [float(x) for x in re.findall(rb'xMax="([0-9.]+)"', boxes)]
    text_area_right = (210 - 22) / 25.4 * 72  # pdf.css: a 210 mm page, 22 mm margins
    assert right_edges and max(right_edges) <= text_area_right + 0.5


def test_the_curl_endpoint_refuses_a_value_given_twice(client, canonical):
    response = client.get("/licenses/owpl/1.0.txt?licensor=A&licensor=B&model=M&year=2026")
    assert response.status_code == 400
    assert response.content.decode() == (
        "The license could not be filled in:\nlicensor: Give this value once: it was sent more than once.\n"
    )


def test_the_curl_endpoint_refuses_invisible_values_and_broken_utf8(client, canonical):
    for query in ("licensor=%E2%80%8B&model=M&year=2026", "licensor=Acme%FF%FE&model=M&year=2026"):
        response = client.get(f"/licenses/owpl/1.0.txt?{query}")
        assert response.status_code == 400, query
        assert response.content.decode().startswith("The license could not be filled in:\nlicensor: ")


def test_release_page_offers_every_file_and_the_snippets(client, canonical):
    location = submit(client, VALUES)["Location"]
    html = client.get(location).content.decode()
    assert "Acme AI Labs GmbH" in html and "Falcon-Test-7B" in html
    for suffix in (".txt", ".md", ".pdf", ".json", ".zip"):
        assert location.rstrip("/") + suffix in html
    assert "license: other" in html and "LicenseRef-OWPL-1.0" in html and "license_link:" in html
    assert 'data-copy="#snippet-model-card"' in html


def test_release_files_are_byte_identical_on_every_download(client, canonical):
    stem = submit(client, VALUES)["Location"].rstrip("/")
    for fmt in ("txt", "md", "pdf", "json", "zip"):
        first, second = client.get(f"{stem}.{fmt}"), client.get(f"{stem}.{fmt}")
        assert first.status_code == 200 and first.content == second.content
        assert first["Cache-Control"] == "public, max-age=31536000, immutable"
        assert client.get(f"{stem}.{fmt}", headers={"If-None-Match": first["ETag"]}).status_code == 304


def test_release_json_names_values_license_and_checksums(client, canonical):
    stem = submit(client, VALUES)["Location"].rstrip("/")
    data = json.loads(client.get(stem + ".json").content)
    assert data["values"] == VALUES
    assert data["license"]["url"].endswith("/licenses/owpl/1.0/")
    assert data["license"]["spdx_id"] == "LicenseRef-OWPL-1.0"
    txt = client.get(stem + ".txt").content
    assert data["files"]["txt"]["sha256"] == outputs.sha256(txt)
    assert data["files"]["txt"]["name"] == "LICENSE"


def test_release_zip_bundles_license_notice_and_snippets(client, canonical):
    stem = submit(client, VALUES)["Location"].rstrip("/")
    response = client.get(stem + ".zip")
    assert 'filename="license-' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert names[:5] == ["LICENSE", "NOTICE", "README.md", "REUSE.toml", "LICENSES/LicenseRef-OWPL-1.0.txt"]
    assert archive.read("LICENSE") == client.get(stem + ".txt").content
    card = archive.read("README.md").decode()
    assert re.search(r"^license: other$", card, re.M) and "license_name: owpl-1.0" in card
    assert re.search(r"^license_link: LICENSE$", card, re.M), "the filled LICENSE beside it, not the blank template"
    notice = archive.read("NOTICE").decode()
    assert "Copyright 2026 Acme AI Labs GmbH" in notice and "SPDX-License-Identifier: LicenseRef-OWPL-1.0" in notice
    assert "/badge.svg" in archive.read("open-weights/badge.md").decode()
    assert archive.read("open-weights/LICENSE.pdf") == client.get(stem + ".pdf").content


def test_a_renderer_1_release_keeps_its_zip_of_that_time(client, canonical):
    release = old_release(canonical["owpl"].versions.get(number="1.0"), VALUES)
    archive = zipfile.ZipFile(io.BytesIO(client.get(release.file_url("zip")).content))
    assert archive.namelist()[:4] == ["LICENSE", "LICENSE.md", "LICENSE.pdf", "NOTICE"]
    card = archive.read("snippets/model-card-metadata.md").decode()
    assert re.search(r"^license_link: http://127.0.0.1:8000/licenses/owpl/1.0/$", card, re.M)


def test_badge_is_served_by_the_site(client, canonical):
    response = client.get("/licenses/owpl/1.0/badge.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert b"OWPL 1.0" in response.content


def test_unknown_release_is_a_helpful_404(client, canonical):
    response = client.get("/r/aaaaaaaaaaaaaaaa/")
    assert response.status_code == 404 and "license wizard" in response.content.decode()


def test_curl_endpoint_fills_every_format(client, canonical):
    query = "?licensor=Acme+AI+Labs+GmbH&model=Falcon-Test-7B&year=2026"
    txt = client.get("/licenses/owpl/1.0.txt" + query)
    assert txt.status_code == 200 and 'filename="LICENSE"' in txt["Content-Disposition"]
    assert "Copyright 2026 Acme AI Labs GmbH." in txt.content.decode()
    assert "Acme AI Labs GmbH" in client.get("/licenses/owpl/1.0.md" + query).content.decode()
    pdf = client.get("/licenses/owpl/1.0.pdf" + query).content
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "Copyright 2026 Acme AI Labs GmbH" in text
    assert client.get("/licenses/owpl/1.0.txt" + query).content == txt.content


def test_curl_endpoint_answers_400_with_plain_or_json_errors(client, canonical):
    plain = client.get("/licenses/owpl/1.0.txt?model=X&year=20x6")
    assert plain.status_code == 400 and plain["Content-Type"].startswith("text/plain")
    assert "licensor: This field is required." in plain.content.decode()
    assert "year: Enter a four-digit year" in plain.content.decode()
    as_json = client.get("/licenses/owpl/1.0.txt?model=X&year=20x6", headers={"Accept": "application/json"})
    assert as_json.status_code == 400
    assert set(json.loads(as_json.content)["errors"]) == {"licensor", "year"}


def test_oversized_wizard_posts_are_refused(client, canonical):
    response = client.post(WIZARD, {"licensor": "A" * 2_000_000, "model": "m", "year": "2026"})
    assert response.status_code == 413 and b"too large" in response.content
    assert Release.objects.count() == 0


# Property tests: no input can change the terms.

field_values = st.fixed_dictionaries(
    {
        "licensor": st.text(min_size=1, max_size=120),
        "model": st.text(min_size=1, max_size=120),
        "year": st.text(max_size=6),
    }
)
PLACEHOLDER_HTML = re.compile(r'<span class="placeholder" data-field="([a-z_]+)">\[[A-Z_]+\]</span>')


def expected_from_template(template: str, pattern: re.Pattern, values: dict, escape_value) -> str:
    """The template's own output with each placeholder replaced by the escaped value, and nothing else
    but one thing: a value ending in a period takes the place of the template's period after it."""

    def replace(match: re.Match) -> str:
        value = values[match[1]]
        return escape_value(value) + ("" if value.endswith(".") and match[2] else match[2])

    return re.compile(pattern.pattern + r"(\.?)").sub(replace, template)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=field_values)
def test_property_requests_answer_200_or_400_never_500(client, canonical, values):
    for fmt in ("txt", "md"):
        response = client.get(f"/licenses/owpl/1.0.{fmt}", values)
        assert response.status_code in (200, 400)
    response = client.post(WIZARD, values)
    assert response.status_code in (302, 400)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=field_values)
def test_property_values_land_exactly_where_placeholders_were_in_every_text_format(owpl, values):
    values = {name: rendering.neutralise(value) or "x" for name, value in values.items()}
    source = owpl.markdown
    bdi = lambda v: f"<bdi>{v}</bdi>" if rendering.right_to_left(v) else v  # noqa: E731
    isolate = lambda v: f"\u2068{v}\u2069" if rendering.right_to_left(v) else v  # noqa: E731
    assert rendering.to_html(source, values) == expected_from_template(
        rendering.to_html(source), PLACEHOLDER_HTML, values, lambda v: bdi(escape(v, quote=True))
    )
    assert rendering.to_markdown(source, values) == expected_from_template(
        rendering.to_markdown(source),
        re.compile(r"\{\{([a-z_]+)\}\}"),
        values,
        lambda v: isolate(rendering.escape_markdown(v)),
    )
    # Plain text is re-wrapped around the values, so compare everything but whitespace.
    squeeze = lambda text: re.sub(r"\s+", "", text)  # noqa: E731
    filled = rendering.to_text(source, values)
    assert squeeze(filled) == squeeze(
        expected_from_template(
            rendering.to_text(source),
            re.compile(r"\[([A-Z_]+)\]"),
            {k.upper(): v for k, v in values.items()},
            isolate,
        )
    )
    assert max(rendering.display_width(line) for line in filled.splitlines()) <= 80


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.fixed_dictionaries(
        {
            name: st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=24)
            for name in ("licensor", "model", "year")
        }
    )
)
def test_property_pdf_text_is_the_template_text_with_the_values_in_place(owpl, values):
    squeeze = lambda text: re.sub(r"\s+", "", text)  # noqa: E731

    def pdf_text(values_or_none):
        document = rendering.pdf_document(
            rendering.to_html(owpl.markdown, values_or_none), title="t", author="a", url="u"
        )
        reader = PdfReader(io.BytesIO(rendering.to_pdf(document)))
        return "".join(page.extract_text() for page in reader.pages)

    template = pdf_text(None)
    expected = expected_from_template(
        template, re.compile(r"\[([A-Z_]+)\]"), {k.upper(): v for k, v in values.items()}, str
    )
    assert squeeze(pdf_text(values)) == squeeze(expected)


def test_url_and_email_fields_are_validated(db):
    fields = FIELDS + [
        {
            "name": "homepage",
            "label": "Homepage",
            "example": "https://example.org/m?a=1&b='2'",
            "required": True,
            "max_length": 200,
            "kind": "url",
        },
        {
            "name": "contact",
            "label": "Contact",
            "example": "ada@example.org",
            "required": False,
            "max_length": 100,
            "kind": "email",
        },
    ]
    version = make_version(
        make_document("kinds"), markdown=TEMPLATE + "\nSee {{homepage}}, write {{contact}}.\n", fields=fields
    )
    publish_version(version=version)
    client = Client()
    bad = client.post("/licenses/kinds/1.0/wizard/", dict(VALUES, homepage="not a url", contact="nobody"))
    html = bad.content.decode()
    assert bad.status_code == 400 and "Enter a valid URL." in html and "Enter a valid email address." in html
    good = client.post("/licenses/kinds/1.0/wizard/", dict(VALUES, homepage="example.org/m", contact=""))
    assert good.status_code == 302
    text = client.get(good["Location"].rstrip("/") + ".txt").content.decode()
    assert "See https://example.org/m, write [CONTACT]." in " ".join(text.split())


def test_the_curl_example_is_quoted_for_the_shell_and_fetches_what_it_shows(db):
    fields = [
        *FIELDS[:2],
        {"name": "homepage", "label": "Homepage", "example": "https://example.org/m?a=1&b='2'", "max_length": 200,
         "kind": "url"},
    ]  # fmt: skip
    version = make_version(make_document("kinds"), markdown=TEMPLATE.replace("{{year}}", "{{homepage}}"), fields=fields)
    publish_version(version=version)
    page = Client().get("/licenses/kinds/1.0/wizard/").content.decode()
    command = unescape(re.search(r"<pre><code>(curl [^<]*)</code></pre>", page)[1])
    words = shlex.split(command)
    assert words[:3] == ["curl", "-o", "LICENSE"] and len(words) == 4, "one quoted URL, whatever the examples hold"
    url = urlsplit(words[3])
    fetched = Client().get(url.path + "?" + url.query)
    assert fetched.status_code == 200
    assert "https://example.org/m?a=1&b='2'" in fetched.content.decode()


@override_settings(OW_CONCURRENT_RENDERS=1, OW_RENDER_QUEUE=0)
def test_a_wizard_submission_past_the_render_cap_is_its_own_page_with_the_values_kept(client, canonical):
    with slot_held_elsewhere():
        response = submit(client, VALUES)
    html = response.content.decode()
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert "your values are kept" in html and f'value="{escape(VALUES["licensor"])}"' in html
    assert not Release.objects.exists(), "nothing is stored for a refused submission"
    assert submit(client, VALUES).status_code == 302, "once a slot is free, the same values go through"


def test_a_post_without_the_coverage_question_gets_the_kits_default(client, canonical):
    response = submit(client, VALUES)
    assert response.status_code == 302
    assert Release.objects.get().coverage == {"kinds": ["configuration", "tokenizer"], "patterns": []}


def test_the_wizard_asks_what_else_the_license_covers_with_the_defaults_ticked(client, canonical):
    html = client.get(WIZARD).content.decode()
    assert "What else does the license cover?" in html
    assert 'name="coverage_asked"' in html
    for key in ("configuration", "tokenizer"):
        assert f'value="{key}" checked' in html
    for key in ("code", "documentation"):
        assert f'value="{key}">' in html
    assert "config.json" in html and 'name="patterns"' in html


def test_ticked_kinds_and_patterns_are_stored_in_the_kits_order(client, canonical):
    data = {
        **VALUES,
        "coverage_asked": "1",
        "kinds": ["documentation", "configuration"],
        "patterns": "*.gguf\r\nscripts/**",
    }
    assert submit(client, data).status_code == 302
    assert Release.objects.get().coverage == {
        "kinds": ["configuration", "documentation"],
        "patterns": ["*.gguf", "scripts/**"],
    }


def test_every_box_unticked_means_the_weights_only(client, canonical):
    assert submit(client, {**VALUES, "coverage_asked": "1"}).status_code == 302
    assert Release.objects.get().coverage == {"kinds": [], "patterns": []}


@pytest.mark.parametrize("pattern", ["../x", "/etc/*"])
def test_a_pattern_outside_the_repository_is_refused_with_the_values_kept(client, canonical, pattern):
    data = {**VALUES, "coverage_asked": "1", "kinds": ["code"], "patterns": f"*.gguf\n{pattern}"}
    response = submit(client, data)
    html = response.content.decode()
    assert response.status_code == 400 and not Release.objects.exists()
    assert escape(f"'{pattern}' must be a path inside the repository") in html
    assert 'value="Falcon-Test-7B"' in html and escape(pattern) in html and 'value="code" checked' in html
    assert 'value="configuration">' in html, "what was unticked stays unticked"


def test_the_same_values_with_another_coverage_make_another_release(client, canonical):
    default = submit(client, VALUES)["Location"]
    weights_only = submit(client, {**VALUES, "coverage_asked": "1"})["Location"]
    with_code = submit(client, {**VALUES, "coverage_asked": "1", "kinds": ["code"]})["Location"]
    assert len({default, weights_only, with_code}) == 3
    assert Release.objects.count() == 3


def test_a_release_page_says_what_the_license_covers(client, canonical):
    data = {**VALUES, "coverage_asked": "1", "kinds": ["code"], "patterns": "*.gguf"}
    html = client.get(submit(client, data)["Location"]).content.decode()
    assert "What the license covers" in html and "The weights" in html
    assert "<li>Code</li>" in html and "<code>*.gguf</code>" in html
    assert "Configuration files" not in html and "Made with renderer 1" not in html


def old_owpl_release(values=VALUES):
    from licenses.models import Version

    from .factories import old_release

    return old_release(Version.objects.get(document__slug="owpl", number="1.0"), values)


def test_a_renderer_1_release_offers_to_be_reissued_with_the_current_renderer(client, canonical):
    old = old_owpl_release()
    html = client.get(old.get_absolute_url()).content.decode()
    assert "Made with renderer 1" in html and "byte for byte" in html
    assert "empty boxes" not in html
    reissue = f"/r/{old.id}/reissue"
    assert f'href="{reissue}"' in html
    confirm = client.get(reissue)
    assert confirm.status_code == 200 and 'name="csrfmiddlewaretoken"' in confirm.content.decode()
    checked = Client(enforce_csrf_checks=True)
    assert checked.post(reissue).status_code == 403, "the form is CSRF-protected"
    response = client.post(reissue)
    assert response.status_code == 303
    made = Release.objects.get(pk=response["Location"].strip("/").removeprefix("r/"))
    assert made.id != old.id and made.renderer == rendering.RENDERER_VERSION
    assert made.values == old.values and made.version_id == old.version_id
    assert made.coverage == {"kinds": ["configuration", "tokenizer"], "patterns": []}
    assert client.post(reissue)["Location"] == response["Location"], "re-issuing again gives the same release"
    assert Release.objects.get(pk=old.id).checksums == old.checksums


def test_a_renderer_1_release_with_characters_dejavu_lacks_warns_of_empty_boxes(client, canonical):
    old = old_owpl_release({**VALUES, "licensor": "深度求索"})
    html = client.get(old.get_absolute_url()).content.decode()
    assert "empty boxes" in html and "深 (U+6DF1)" in html


def test_a_renderer_1_release_no_font_can_print_is_not_reissued_and_says_why(client, canonical):
    old = old_owpl_release({**VALUES, "licensor": "Acme \U00010000"})
    for response in (client.get(f"/r/{old.id}/reissue"), client.post(f"/r/{old.id}/reissue")):
        assert response.status_code == 400
        assert "\U00010000 (U+10000) cannot be printed" in response.content.decode()
    assert Release.objects.count() == 1


def test_a_new_release_from_another_starts_with_its_coverage(client, canonical):
    data = {**VALUES, "coverage_asked": "1", "kinds": ["code"], "patterns": "*.gguf"}
    source = Release.objects.get(pk=submit(client, data)["Location"].strip("/").removeprefix("r/"))
    html = client.get(f"{WIZARD}?from={source.id}").content.decode()
    assert 'value="code" checked' in html and 'value="configuration">' in html and "*.gguf</textarea>" in html
