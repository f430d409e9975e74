import pytest

from licenses.models import Rendition
from licenses.publishing import PublishError, publication_problems, publish_version

from .factories import FIELDS, TEMPLATE, make_document, make_version


def test_publishing_freezes_and_stores_every_format(db):
    version = publish_version(version=make_version(make_document()))
    assert version.is_published and version.published_at
    assert set(Rendition.objects.filter(version=version).values_list("format", flat=True)) == set(version.checksums)


def test_publish_refuses_placeholders_without_fields_and_fields_without_placeholders(db):
    version = make_version(make_document(), markdown=TEMPLATE + "\nAlso {{contact}}.\n", fields=FIELDS[:2])
    problems = publication_problems(version)
    assert "The text uses {{contact}} but declares no such field." in problems
    assert "The text uses {{year}} but declares no such field." in problems
    version = make_version(version.document, "1.1", markdown="# No fields\n", fields=FIELDS[:1])
    assert "The field 'licensor' is declared but the text never uses it." in publication_problems(version)


def test_publish_refuses_a_number_not_greater_than_the_latest(db):
    document = make_document()
    publish_version(version=make_version(document, "1.1"))
    for number in ("1.0", "1.1"):
        draft = make_version(document, number + "9" if number == "1.1" else "0.9")
        draft.number = number
        assert any("must be greater than the latest published, 1.1" in p for p in publication_problems(draft))
    assert publication_problems(make_version(document, "1.2")) == []


def test_publish_refuses_an_empty_changelog_and_a_bad_number(db):
    version = make_version(make_document(), "1.0.0", changelog="  ")
    problems = publication_problems(version)
    assert any("changelog is empty" in p for p in problems)
    assert any("must look like 1.0" in p for p in problems)
    with pytest.raises(PublishError):
        publish_version(version=version)
    version.refresh_from_db()
    assert not version.is_published


def test_definitions_may_not_declare_fields(db):
    document = make_document("defn", kind="definition")
    assert "Only license templates may have fill-in fields." in publication_problems(make_version(document))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"example": 2026}, "Field 'year': the example must be text (in double quotes)."),
        ({"label": 5}, "Field 'year': the label must be text (in double quotes)."),
        ({"help_text": ["a", "b"]}, "Field 'year': the help_text must be text (in double quotes)."),
        ({"exmaple": "2026"}, "Field 'year': 'exmaple' is not a key a field can have"),
        ({"name": ["a"]}, "Field 3: the name ['a'] must be lower-case letters"),
        ({"example": ""}, "Field 'year' needs an example"),
        ({"example": "20x6"}, "Field 'year': the example '20x6' is not a value the wizard accepts: Enter a four-digit"),
        (
            {"kind": "text", "max_length": 50, "example": "{{year}}"},
            "Field 'year': the example '{{year}}' is not a value the wizard accepts: Remove the {{",
        ),
    ],
)
def test_a_field_the_wizard_or_the_curl_example_could_not_use_is_refused(db, change, problem):
    """A published version is frozen: a field that broke its wizard would break it for good."""
    fields = [*FIELDS[:2], {**FIELDS[2], **change}]
    problems = publication_problems(make_version(make_document(), fields=fields))
    assert any(p.startswith(problem) for p in problems), problems


def test_field_schema_is_checked(db):
    bad = [{"name": "Bad Name", "label": "", "kind": "colour", "max_length": 0, "required": "yes"}]
    problems = publication_problems(make_version(make_document(), markdown="# T {{x}}", fields=bad))
    assert len([p for p in problems if "Field" in p or "field" in p]) >= 4
