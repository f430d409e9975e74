"""The LICENSE checker: which published text a file is, what it fills in, how it differs (issue 14)."""

import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from licenses import checker, fields, fonts, outputs
from licenses.models import Version

VALUES_1_1 = {
    "licensor": "Northwind Research Ltd",
    "model": "Northwind-Mini-3B",
    "year": "2025",
    "location": "https://huggingface.co/northwind/Northwind-Mini-3B",
}
VALUES_1_0 = {name: VALUES_1_1[name] for name in ("licensor", "model", "year")}
DEBIAN_LICENSES = Path("/usr/share/common-licenses")  # Debian's base-files: other licenses' real texts


def owpl(number: str) -> Version:
    return Version.objects.get(document__slug="owpl", number=number)


def release_text(number: str, fmt: str = "txt", values=None) -> str:
    values = values if values is not None else (VALUES_1_1 if number == "1.1" else VALUES_1_0)
    return outputs.render(owpl(number), fmt, values).decode()


def check(text: str, **kwargs) -> checker.Result:
    return checker.check(text, **kwargs)


@pytest.mark.parametrize("number", ["1.0", "1.1"])
@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_a_release_license_is_an_exact_copy_with_its_values(canonical, number, fmt):
    result = check(release_text(number, fmt))
    assert (result.match, result.candidate.document, result.candidate.number) == ("exact", "owpl", number)
    assert result.values == (VALUES_1_1 if number == "1.1" else VALUES_1_0)
    assert result.unfilled == [] and result.invalid == {}
    assert result.candidate.spdx_id == f"LicenseRef-OWPL-{number}"


@pytest.mark.parametrize("number", ["1.0", "1.1"])
@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_the_blank_template_is_exact_with_every_field_unfilled(canonical, number, fmt):
    result = check(outputs.render(owpl(number), fmt).decode())
    assert result.match == "exact" and result.values == {}
    assert result.unfilled == owpl(number).field_names


def test_an_older_version_says_a_newer_one_exists(canonical):
    result = check(release_text("1.0"))
    latest = owpl("1.0").document.latest_version.number
    assert latest != "1.0" and result.superseded and result.candidate.latest == latest
    assert f"A newer version, {latest}, is published" in result.message
    assert not check(release_text(latest)).superseded


def test_the_definition_is_recognised_too(canonical):
    for number in ("1.0", "1.1"):
        version = Version.objects.get(document__slug="definition", number=number)
        result = check(outputs.render(version, "txt").decode())
        assert (result.match, result.candidate.document, result.candidate.number) == ("exact", "definition", number)


def _rebullet(text: str) -> str:
    return re.sub(r"(?m)^(\s*)- ", r"\1* ", text)


def _renumber(text: str) -> str:
    return re.sub(r"(?m)^(\s*)(\d)\. ", r"\1(\2) ", text)


EQUIVALENT = {
    "rewrapped into one line": lambda t: " ".join(t.split()),
    "rewrapped narrow": lambda t: "\n".join(re.findall(r"\S+(?: \S+){0,5}", " ".join(t.split()))),
    "CRLF line ends": lambda t: t.replace("\n", "\r\n"),
    "curly quotes": lambda t: re.sub(r'"([^"]*)"', "“\\1”", t),
    "capitals": str.upper,
    "other bullets": _rebullet,
    "other numbering": _renumber,
    "en dashes for hyphens": lambda t: t.replace(" - ", " – "),
    "the © sign": lambda t: t.replace("Copyright 2025", "Copyright © 2025"),
    "(c) for Copyright": lambda t: t.replace("Copyright 2025", "(c) 2025"),
    "British spelling": lambda t: t.replace("License", "Licence"),
    "a byte order mark and trailing spaces": lambda t: "\ufeff" + t.replace("\n", "  \n"),
}


@pytest.mark.parametrize("variant", sorted(EQUIVALENT))
def test_variants_the_matching_guidelines_treat_as_the_same_text_are_exact(canonical, variant):
    result = check(EQUIVALENT[variant](release_text("1.1")))
    assert result.match == "exact", (variant, result.message, [d.as_json() for d in result.differences][:3])
    assert result.candidate.number == "1.1"
    assert {k: v.casefold() for k, v in result.values.items()} == {k: v.casefold() for k, v in VALUES_1_1.items()}


def test_the_markdown_file_is_exact_through_its_escapes(canonical):
    values = {**VALUES_1_1, "licensor": "*Star* & Partners_AI [Labs]", "model": "#1-Model"}
    result = check(release_text("1.1", "md", values))
    assert result.match == "exact" and result.values == values


def test_a_changed_word_is_modified_and_the_difference_names_it(canonical):
    result = check(release_text("1.1").replace("irrevocable", "revocable", 1))
    assert (result.match, result.candidate.number) == ("modified", "1.1")
    assert [d.as_json() for d in result.differences] == [{"removed": "irrevocable", "added": "revocable"}]
    assert 0.99 < result.similarity < 1
    assert "is not Open Weights Permissive License 1.1" in result.message
    assert "must not be called so" in result.message
    assert result.values == VALUES_1_1  # what it fills in is still read


def test_a_struck_word_an_added_clause_and_a_deleted_section_are_each_named(canonical):
    text = release_text("1.1")
    struck = check(text.replace(" irrevocable", "", 1))
    assert struck.match == "modified" and struck.differences[0].as_json() == {"removed": "irrevocable", "added": ""}
    clause = "You may not use the Model for any military purpose."
    added = check(text + "\n" + clause + "\n")
    assert added.match == "modified" and [d.added for d in added.differences] == [clause]
    section = re.search(r"(?s)\n7\. No warranty\n.*?(?=\n8\. )", text)[0]
    deleted = check(text.replace(section, ""))
    assert deleted.match == "modified" and len(deleted.differences) == 1
    assert (
        deleted.differences[0].removed.startswith("7. No warranty") or "No warranty" in deleted.differences[0].removed
    )
    assert deleted.similarity < struck.similarity


def test_half_a_text_is_modified_not_exact(canonical):
    text = release_text("1.1")
    result = check(text[: len(text) // 2])
    assert result.match == "modified" and result.candidate.number == "1.1"
    assert 0.6 <= result.similarity < 0.75


@pytest.mark.parametrize("name", ["Apache-2.0", "GPL-3", "MPL-2.0", "CC0-1.0"])
def test_another_license_is_none_of_ours(canonical, name):
    result = check((DEBIAN_LICENSES / name).read_text(encoding="utf-8"))
    assert result.match == "none" and result.similarity < checker.MODIFIED_SIMILARITY
    assert "not one of the texts published here" in result.message
    assert result.as_json()["document"] is None and result.as_json()["version"] is None


def test_a_text_that_only_borrows_the_name_is_not_the_owpl(canonical):
    text = (
        "Open Weights Permissive License 1.0.0\n\nCopyright 2023 Someone.\n\nPermission is hereby granted to use "
        "these weights for research and commercial purposes, provided this notice is kept with every copy.\n"
    )
    result = check(text)
    assert result.match == "none"


def test_a_value_the_wizard_would_refuse_is_named(canonical):
    text = release_text("1.1").replace("Copyright 2025", "Copyright 2024-2026", 1)
    result = check(text)
    assert result.match == "exact" and "year" in result.invalid
    assert "would not be accepted" in result.message


# Printable text of any script, with the signs Markdown escapes and the ones the checker folds.
printable = st.text(
    st.one_of(
        # A character none of the PDF's fonts has is refused (fields.printable): it stands in as "x", so that
        # the values are not filtered away.
        st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")).map(
            lambda char: "x" if fonts.missing_characters(char) else char
        ),
        st.sampled_from("*_#[]()&<>~`\\-–—'\"“”‘’©. "),
    ),
    min_size=1,
    max_size=40,
)
field_values = st.fixed_dictionaries(
    {
        "licensor": printable,
        "model": printable,
        "year": st.integers(min_value=1990, max_value=2100).map(str),
    }
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=field_values, fmt=st.sampled_from(["txt", "md"]), number=st.sampled_from(["1.0", "1.1"]))
def test_property_every_release_text_is_exact_and_gives_back_its_values(canonical, values, fmt, number):
    version = owpl(number)
    values = {**values, "location": "https://huggingface.co/acme/model-1"} if number == "1.1" else values
    cleaned, errors = fields.validate(version.fields, values)
    assume(not errors)
    assume(not any(checker._unfilled_value(v, n) for n, v in cleaned.items()))
    # A value that ends in a period, before the template's own period, prints one (renderer 2): whether
    # the period is the value's cannot be read back, so it is compared without; a value of periods alone
    # cannot be told from none.
    before_period = {name for name in cleaned if "{{" + name + "}}." in version.markdown}
    assume(all(value.strip(".") for name, value in cleaned.items() if name in before_period))
    result = check(outputs.render(version, fmt, cleaned).decode())
    assert result.match == "exact", (cleaned, result.message)
    assert result.candidate.number == number

    def unpunctuated(found):
        return {name: value.removesuffix(".") if name in before_period else value for name, value in found.items()}

    assert unpunctuated(result.values) == unpunctuated(fields.canonical(version.fields, cleaned))


# The page, /check.json and the command.


def post_json(client, body, content_type="text/plain; charset=utf-8"):
    response = client.post("/check.json", body, content_type=content_type)
    return response, json.loads(response.content)


def test_check_json_answers_as_the_issue_describes_without_cookie_or_csrf_token(canonical):
    client = Client(enforce_csrf_checks=True)
    response, data = post_json(client, release_text("1.1"))
    assert response.status_code == 200 and "Set-Cookie" not in response
    assert response["Access-Control-Allow-Origin"] == "*"
    for key in ("match", "document", "version", "values", "unfilled", "similarity", "differences", "latest"):
        assert key in data, key
    assert (data["match"], data["document"], data["version"]) == ("exact", "owpl", "1.1")
    assert data["values"] == VALUES_1_1 and data["unfilled"] == [] and data["superseded"] is False


@pytest.mark.parametrize(
    "body, status",
    [(b"   \n", 400), (b"%PDF-1.7\x00\x01\x02", 400), (b"\xff\xfe\xfa", 400), (b"a " * 600_000, 413)],
)
def test_check_json_refuses_what_is_not_a_text_with_a_clear_4xx(client, canonical, body, status):
    response = client.post("/check.json", body, content_type="text/plain")
    assert response.status_code == status
    if status != 413:  # a body over the limit is refused before anything reads it (middleware)
        assert json.loads(response.content)["error"]


def test_check_json_takes_json_with_a_model_card(client, canonical):
    card = "---\nlicense: other\nlicense_name: owpl-1.1\nlicense_link: LICENSE\n---\n\n# Northwind\n"
    _, data = post_json(client, json.dumps({"text": release_text("1.1"), "model_card": card}), "application/json")
    assert data["model_card"]["agrees"] is True
    wrong = card.replace("owpl-1.1", "owpl-1.0")
    _, data = post_json(client, json.dumps({"text": release_text("1.1"), "model_card": wrong}), "application/json")
    assert data["model_card"]["agrees"] is False and "owpl-1.1" in data["model_card"]["problems"][0]
    response = client.post("/check.json", '{"text": 7}', content_type="application/json")
    assert response.status_code == 400


def test_a_model_card_alone_is_checked_for_the_hubs_license_block(canonical):
    assert check("---\nlicense: other\nlicense_name: owpl-1.1\nlicense_link: LICENSE\n---\n# M\n").model_card["agrees"]
    result = check("---\nlicense: other\nlicense_name: owpl-9.9\n---\n# M\n")
    problems = " ".join(result.model_card["problems"])
    assert "owpl-9.9" in problems and "license_link is missing" in problems
    assert check("---\nlicense: [unclosed\n---\n").model_card["problems"][0].startswith("Its front matter is not valid")


@override_settings(OW_CHECKS_PER_MINUTE=1)
def test_check_json_is_rate_limited(client, canonical):
    assert client.post("/check.json", "some text", content_type="text/plain").status_code == 200
    response = client.post("/check.json", "some text", content_type="text/plain")
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1


def test_the_page_offers_a_text_box_and_a_file_and_shows_the_result(client, canonical):
    page = client.get("/check/").content.decode()
    assert "<textarea" in page and 'type="file"' in page
    response = client.post("/check/", {"text": release_text("1.1").replace("irrevocable", "revocable", 1)})
    body = response.content.decode()
    assert response.status_code == 200 and "<del" in body and "irrevocable" in body and "revocable</ins>" in body
    upload = SimpleUploadedFile("LICENSE", release_text("1.0").encode())
    body = client.post("/check/", {"file": upload}).content.decode()
    assert "word for word" in body and "Northwind Research Ltd" in body and "A newer version" in body
    binary = SimpleUploadedFile("LICENSE.pdf", b"%PDF-1.7\x00\x00")
    response = client.post("/check/", {"file": binary})
    assert response.status_code == 400 and "not text" in response.content.decode()


def test_check_license_command_passes_only_an_exact_filled_copy(canonical, tmp_path, capsys):
    good, blank, changed = tmp_path / "LICENSE", tmp_path / "BLANK", tmp_path / "CHANGED"
    good.write_text(release_text("1.1"), encoding="utf-8")
    blank.write_text(outputs.render(owpl("1.1"), "txt").decode(), encoding="utf-8")
    changed.write_text(release_text("1.1").replace("irrevocable", "revocable"), encoding="utf-8")
    call_command("check_license", str(good))
    assert "word for word" in capsys.readouterr().out
    for path in (blank, changed):
        with pytest.raises(CommandError, match="1 of 1 file did not pass"):
            call_command("check_license", str(path))
    with pytest.raises(CommandError, match="2 of 3 files did not pass"):
        call_command("check_license", str(good), str(blank), str(changed))
