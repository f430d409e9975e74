"""Declared fields: one entry point for values, shared by the form, the curl endpoint and publishing."""

import pytest
from django.http import QueryDict

from licenses import fields
from licenses.forms import LicenseFieldsForm
from licenses.models import Version

from .factories import FIELDS

VALUES = {"licensor": "Acme AI", "model": "Acme-7B", "year": "2026"}


@pytest.mark.parametrize(
    "data",
    [
        VALUES,
        {**VALUES, "licensor": ""},
        {**VALUES, "licensor": "Acme\nAI"},
        {**VALUES, "year": "26"},
        {**VALUES, "model": "W" * 60},
        {**VALUES, "model": "{{year}}"},
        {"licensor": "  Acme   AI  ", "model": "M", "year": "2025"},
    ],
)
def test_the_wizard_form_says_exactly_what_the_entry_point_says(data):
    values, errors = fields.validate(FIELDS, data)
    form = LicenseFieldsForm(data, version=Version(fields=FIELDS))
    assert form.is_valid() == (not errors)
    assert {name: list(messages) for name, messages in form.errors.items()} == errors
    if not errors:
        assert form.values() == values


def test_values_come_back_cleaned_in_declared_order():
    values, errors = fields.validate(FIELDS, {"year": "2025", "model": " M-1 ", "licensor": "Acme\tLabs"})
    assert errors == {}
    assert list(values.items()) == [("licensor", "Acme Labs"), ("model", "M-1"), ("year", "2025")]


def test_a_value_sent_twice_is_refused():
    _, errors = fields.validate(FIELDS, QueryDict("licensor=A&licensor=B&model=M&year=2026"))
    assert errors == {"licensor": ["Give this value once: it was sent more than once."]}


def test_canonical_values_keep_declared_fields_only_and_neutralise_them():
    canonical = fields.canonical(FIELDS, {"model": "M\u00a0 1", "other": "x", "licensor": "Acme", "year": ""})
    assert canonical == {"licensor": "Acme", "model": "M\u00a0 1"}


def test_publishing_checks_each_declared_example_with_the_same_rules():
    declared = [{**FIELDS[0], "example": "W" * 41}, *FIELDS[1:]]
    problems = fields.schema_problems(declared)
    assert len(problems) == 1 and "too long to fit on a line of the PDF" in problems[0]
    assert fields.schema_problems(FIELDS) == []


def test_a_declaration_with_an_unknown_kind_or_key_is_refused():
    problems = fields.schema_problems([{**FIELDS[0], "kind": "colour", "colour": "red"}])
    assert any("'colour' is not a key" in p for p in problems)
    assert any("the kind must be one of text, year, url, email" in p for p in problems)


def test_placeholders_and_declared_fields_must_agree():
    problems = fields.placeholder_problems("Copyright {{year}} {{holder}}.", FIELDS)
    assert "The text uses {{holder}} but declares no such field." in problems
    assert "The field 'model' is declared but the text never uses it." in problems


@pytest.mark.parametrize("year", ["2024-2026", "2024 – 2026", "2024/26"])
def test_a_year_range_is_refused_with_the_reason_one_year_is_asked_for(year):
    _, errors = fields.validate(FIELDS, {**VALUES, "year": year})
    assert errors["year"] == [
        f"Give one year, not a range such as {year}: the year the model is first published under this "
        "license, which the notice prints after “Copyright”."
    ]


def test_a_long_year_gets_the_year_message_not_a_length_one():
    _, errors = fields.validate(FIELDS, {**VALUES, "year": "20266"})
    assert errors["year"][0].startswith("Enter a four-digit year from 1950 to")


def test_a_character_no_font_has_is_refused_naming_it_and_its_code_point():
    _, errors = fields.validate(FIELDS, {**VALUES, "licensor": "Acme \U00010000"})
    assert errors == {"licensor": ["\U00010000 (U+10000) cannot be printed: none of the site's fonts has it."]}
    _, errors = fields.validate(FIELDS, {**VALUES, "model": "\U00010000\U00010001"})
    assert errors["model"] == [
        "\U00010000 (U+10000), \U00010001 (U+10001) cannot be printed: none of the site's fonts has them."
    ]


@pytest.mark.parametrize("licensor", ["深度求索", "한국AI연구소", "شركة فالكون", "Emoji 🤗 Labs"])
def test_names_in_every_script_the_fonts_cover_are_accepted(licensor):
    values, errors = fields.validate(FIELDS, {**VALUES, "licensor": licensor})
    assert errors == {} and values["licensor"] == licensor


@pytest.mark.django_db
def test_a_filled_in_file_with_an_unprintable_value_is_a_400_naming_it(client, canonical):
    response = client.get("/licenses/owpl/1.0.pdf?licensor=%F0%90%80%80&model=M&year=2026")
    assert response.status_code == 400
    assert "U+10000" in response.content.decode()


def test_a_value_of_punctuation_alone_is_refused():
    specs = [{"name": "licensor", "label": "Licensor", "required": True}]
    for value in (".", " . ", "—", "..."):
        assert "punctuation alone" in " ".join(fields.validate(specs, {"licensor": value})[1].get("licensor", []))
    for value in ("A.", "🤗", "株式会社"):
        assert fields.validate(specs, {"licensor": value}) == ({"licensor": value}, {})
