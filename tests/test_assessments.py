"""The self-assessment: every verdict path, the permanent statement and its id, bad input, the JSON
endpoints (the site's and the API's), the badge, the questionnaire's form and a release's link."""

import io
import json
import re
import zipfile

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from licenses import assessment, mappings, outputs
from licenses.models import Assessment, FrozenError, Release, Version
from licenses.publishing import create_assessment, create_release, known_licenses, verify_checksums

EVIDENCE = {
    key: f"https://huggingface.co/heron/Heron-3B/blob/main/docs/{key}.md"
    for key in ("architecture", "training_method", "training_data", "hyperparameters", "training_software")
}
ANSWERS = {
    "model": "Heron-3B",
    "publisher": "Heron AI Ltd",
    "release_url": "https://huggingface.co/heron/Heron-3B",
    "license": "LicenseRef-OWPL-1.1",
    "training_software_license": "Apache-2.0",
    "evidence": EVIDENCE,
}
OTHER = {
    **ANSWERS,
    "license": "LicenseRef-Heron-Open-1.0",
    "license_url": "https://heron.example.org/license-1.0",
    "license_answers": dict.fromkeys(("2", "3", "4", "5", "6", "7"), "yes"),
}


def assess(client, answers, **headers):
    response = client.post("/assessments.json", json.dumps(answers), content_type="application/json", **headers)
    return response, json.loads(response.content)


def sections(data) -> set[str]:
    return {item["section"] for item in data["unmet"]}


def items(data) -> set[tuple[str, str]]:
    return {(item["section"], item["item"]) for item in data["unmet"]}


# Each verdict path.


def test_an_owpl_release_with_every_material_linked_conforms(client, canonical):
    response, data = assess(client, ANSWERS)
    assert response.status_code == 201, data
    assert data["conforms"] is True and data["unmet"] == []
    assert response["Location"] == data["url"] == outputs.absolute(f"/assessments/{data['id']}/")
    assert data["badge"] == outputs.absolute(f"/assessments/{data['id']}.svg") and data["definition"] == "1.1"


@pytest.mark.parametrize("license", ["Apache-2.0", "mit", "LicenseRef-OWPL-1.0", "bsd-3-clause"])
def test_a_known_license_that_meets_the_definition_conforms(client, canonical, license):
    _, data = assess(client, {**ANSWERS, "license": license})
    assert data["conforms"] is True, data["unmet"]


def test_a_known_license_that_fails_names_each_section_with_the_published_reason(client, canonical):
    _, data = assess(client, {**ANSWERS, "license": "llama3.1"})
    assert data["conforms"] is False
    assert {("3", "license"), ("4", "license"), ("5", "license"), ("6", "license"), ("7", "license")} <= items(data)
    reason = next(item["reason"] for item in data["unmet"] if item["section"] == "3")
    assert "Llama 3.1" in reason and "700 million" in reason, "the reason is the frozen assessment's own"


def test_cc_by_4_0_fails_as_the_published_assessment_reads_it(client, canonical):
    _, data = assess(client, {**ANSWERS, "license": "CC-BY-4.0"})
    assert data["conforms"] is False and sections(data) == {"3", "4", "5"}


@pytest.mark.parametrize(
    "license, failed",
    [
        ("CC-BY-NC-4.0", {"3", "6"}),
        ("cc-by-nc-sa-4.0", {"3", "6"}),
        ("CC-BY-ND-4.0", {"4", "5"}),
        ("CC-BY-NC-ND-3.0", {"3", "4", "5", "6"}),
    ],
)
def test_noncommercial_and_noderivatives_licenses_fail_by_their_terms_without_answers(
    client, canonical, license, failed
):
    response, data = assess(client, {**ANSWERS, "license": license})
    assert response.status_code == 201 and data["conforms"] is False
    assert {s for s, item in items(data) if item == "license"} == failed


def test_another_license_answered_yes_with_its_text_conforms(client, canonical):
    response, data = assess(client, OTHER)
    assert response.status_code == 201 and data["conforms"] is True, data["unmet"]


@pytest.mark.parametrize("section", ["2", "3", "4", "5", "6", "7"])
def test_another_license_answered_no_fails_that_section(client, canonical, section):
    _, data = assess(client, {**OTHER, "license_answers": {**OTHER["license_answers"], section: "no"}})
    assert data["conforms"] is False and (section, "license") in items(data)


def test_a_yes_without_the_license_text_is_not_a_yes(client, canonical):
    _, data = assess(client, {**OTHER, "license_url": ""})
    assert data["conforms"] is False
    assert {s for s, item in items(data) if item == "license"} == {"2", "3", "4", "5", "6", "7"}
    assert all(
        "a yes without evidence is not a yes" in item["reason"] for item in data["unmet"] if item["item"] == "license"
    )


def test_another_license_with_no_answers_is_a_400_naming_each_question(client, canonical):
    response, data = assess(client, {**ANSWERS, "license": "GPL-3.0-only"})
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert {error["field"] for error in data["errors"]} == {f"license_answers.{s}" for s in "234567"}
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("material", list(EVIDENCE))
def test_every_missing_material_is_named_under_section_8(client, canonical, material):
    for evidence in ({k: v for k, v in EVIDENCE.items() if k != material}, {**EVIDENCE, material: ""}):
        _, data = assess(client, {**ANSWERS, "evidence": evidence})
        assert data["conforms"] is False
        assert (("8", material)) in items(data), data["unmet"]
        assert all(item["section"] == "8" for item in data["unmet"])


def test_without_any_evidence_every_material_is_missing(client, canonical):
    _, data = assess(client, {key: value for key, value in ANSWERS.items() if key != "evidence"})
    assert {item for section, item in items(data)} >= {*EVIDENCE, "system_components"}


@pytest.mark.parametrize(
    "license, conforms",
    [
        ("LicenseRef-Proprietary", False),
        ("", False),
        ("MIT AND LicenseRef-Proprietary", False),
        ("MIT OR LicenseRef-Proprietary", True),
        ("GPL-2.0-or-later WITH Classpath-exception-2.0", True),
        ("(MIT AND BSD-3-Clause) OR LicenseRef-Mine", True),
        ("public domain", True),
        ("CC0-1.0", True),
        ("Unlicense", True),
        ("CC-BY-4.0", False),  # free for documents, but not on the OSI's list and not a waiver
    ],
)
def test_training_software_must_be_open_source_or_public_domain(client, canonical, license, conforms):
    _, data = assess(client, {**ANSWERS, "training_software_license": license})
    assert data["conforms"] is conforms, data["unmet"]
    if not conforms:
        assert items(data) == {("8", "training_software_license")}


@pytest.mark.parametrize(
    "terms, met",
    [("CC-BY-4.0", True), ("CC0-1.0", True), ("MIT", True), ("CC-BY-NC-4.0", False), ("LicenseRef-Docs", False)],
)
def test_the_materials_terms_must_permit_reading_and_sharing_for_any_purpose(client, canonical, terms, met):
    _, data = assess(client, {**ANSWERS, "materials_license": terms})
    assert (("8", "materials_license") not in items(data)) is met


def test_weights_obtainable_only_on_approval_fail_section_2(client, canonical):
    _, data = assess(client, {**ANSWERS, "access": "approval"})
    assert data["conforms"] is False and items(data) == {("2", "access")}


def test_optional_criteria_are_judged_but_never_decide_the_verdict(client, canonical):
    optional = {
        "training_data": {"url": "https://huggingface.co/datasets/heron/corpus", "license": "CC0-1.0"},
        "user_software": {"url": "https://github.com/heron-ai/chat", "license": "Apache-2.0"},
        "further_training_software": {"url": "https://github.com/heron-ai/tune", "license": "LicenseRef-Closed"},
    }
    response, data = assess(client, {**ANSWERS, "optional": optional})
    assert data["conforms"] is True
    statement = json.loads(client.get(f"/assessments/{data['id']}.json").content)
    assert [r["status"] for r in statement["optional"]] == ["met", "met", "not met"]
    _, data = assess(client, {**ANSWERS, "optional": {"training_data": {"url": optional["training_data"]["url"]}}})
    statement = json.loads(client.get(f"/assessments/{data['id']}.json").content)
    assert [r["status"] for r in statement["optional"]] == ["not met", "not stated", "not stated"]
    unknown = {"training_data": {"url": optional["training_data"]["url"], "license": "ODC-By-1.0"}}
    _, data = assess(client, {**ANSWERS, "optional": unknown})
    statement = json.loads(client.get(f"/assessments/{data['id']}.json").content)
    assert statement["optional"][0]["status"] == "not determined"


# The id and the frozen statement.


def test_the_same_answers_give_the_same_address(client, canonical):
    first, made = assess(client, ANSWERS)
    same = {
        **ANSWERS,
        "license": "licenseref-owpl-1.1",
        "model": "  Heron-3B ",
        "training_software_license": "apache-2.0",
        "access": "open",
        "materials_license": "LicenseRef-OWPL-1.1",  # the default: the weights' license
        "system_components": EVIDENCE["training_software"],  # the default: named with the training software
        "definition": "1.1",
    }
    again, data = assess(client, same)
    assert first.status_code == 201 and again.status_code == 200 and data == made
    assert Assessment.objects.count() == 1


def test_different_answers_give_a_different_address(client, canonical):
    _, one = assess(client, ANSWERS)
    _, other = assess(client, {**ANSWERS, "model": "Heron-7B"})
    assert one["id"] != other["id"]


def test_the_id_is_a_digest_of_the_definition_and_the_answers_pinned_for_good(canonical):
    made, _ = create_assessment(data=ANSWERS)
    assert made.id == assessment.assessment_id("1.1", made.answers) == "riregueic534yba2"


def test_a_statement_is_frozen_in_the_models_and_in_the_database(canonical):
    made, _ = create_assessment(data=ANSWERS)
    made.conforms = False
    with pytest.raises(FrozenError):
        made.save()
    with pytest.raises(FrozenError):
        Assessment.objects.filter(pk=made.pk).update(conforms=False)
    with pytest.raises(FrozenError):
        made.delete()
    with pytest.raises(FrozenError):
        Assessment.objects.filter(pk=made.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE licenses_assessment SET conforms = %s WHERE id = %s", [False, made.pk])
    assert Assessment.objects.get(pk=made.pk).conforms is True


def test_the_statement_json_is_the_stored_bytes_with_answers_verdict_and_checksums(client, canonical):
    made, _ = create_assessment(data={**ANSWERS, "evidence": {**EVIDENCE, "hyperparameters": None}})
    response = client.get(f"/assessments/{made.id}.json")
    assert response.status_code == 200 and response.content == bytes(made.body)
    assert response["ETag"] == f'"{made.sha256}"' and "immutable" in response["Cache-Control"]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert client.get(f"/assessments/{made.id}.json", HTTP_IF_NONE_MATCH=f'"{made.sha256}"').status_code == 304
    data = json.loads(response.content)
    definition = Version.objects.get(document__slug="definition", number="1.1")
    assert data["answers"]["evidence"]["hyperparameters"] is None and data["conforms"] is False
    assert data["unmet"] == [{"section": "8", "item": "hyperparameters", "reason": data["unmet"][0]["reason"]}]
    assert data["definition"]["version"] == "1.1"
    assert data["checksums"]["definition.md"] == definition.checksums["md"]
    assert data["checksums"]["definition.licenses.json"] == definition.stored_checksums()["licenses"]
    badge = client.get(f"/assessments/{made.id}.svg").content
    assert data["checksums"]["badge.svg"] == outputs.sha256(badge)
    assert "not a certification" in data["statement"]


def test_the_badge_says_conforms_or_does_not_conform(client, canonical):
    good, _ = create_assessment(data=ANSWERS)
    bad, _ = create_assessment(data={**ANSWERS, "license": "CC-BY-NC-4.0"})
    response = client.get(f"/assessments/{good.id}.svg")
    assert response["Content-Type"] == "image/svg+xml" and response["Access-Control-Allow-Origin"] == "*"
    assert "immutable" in response["Cache-Control"]
    svg = response.content.decode()
    assert svg.startswith("<svg") and "Open Weights 1.1" in svg and ">conforms<" in svg
    assert ">does not conform<" in client.get(f"/assessments/{bad.id}.svg").content.decode()


def test_verify_checksums_checks_every_statement(canonical):
    create_assessment(data=ANSWERS)
    assert verify_checksums() == []


def test_unknown_statements_are_a_helpful_404(client, canonical):
    for path in ("/assessments/aaaaaaaaaaaaaaaa/", "/assessments/aaaaaaaaaaaaaaaa.json", "/api/v1/assessments/zz"):
        assert client.get(path).status_code == 404


# The statement's page.


def test_the_statement_page_is_the_publishers_own_with_evidence_mappings_and_json_ld(client, canonical):
    made, _ = create_assessment(data={**ANSWERS, "evidence": {**EVIDENCE, "training_data": None}})
    page = client.get(made.get_absolute_url()).content.decode()
    assert "Heron-3B" in page and "Does not conform" in page
    assert "publisher's own statement, not a certification" in page
    assert "Section 8, item 3" in page and "Open Source AI Definition 1.0" in page and "MOF Class III" in page
    assert f'href="{EVIDENCE["architecture"]}"' in page
    assert re.search(r'<a href="https://huggingface.co/heron/Heron-3B" rel="[^"]*ugc', page)
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1])
    assert (
        ld["@type"] == "Claim"
        and ld["author"]["name"] == "Heron AI Ltd"
        and ld["url"] == outputs.absolute(made.get_absolute_url())
    )
    assert {"name": "certification", "value": False, "@type": "PropertyValue"} in ld["additionalProperty"]
    assert f'src="/assessments/{made.id}.svg"' in page and "[![Open Weights 1.1: does not conform" in page


def test_markup_in_answers_is_text_on_the_page_and_cannot_close_the_json_ld(client, canonical):
    made, _ = create_assessment(data={**ANSWERS, "model": "M</script><script>alert(1)</script><b>x</b>"})
    page = client.get(made.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page and "<b>x</b>" not in page
    assert page.count("</script>") == page.count("<script")
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1]
    assert json.loads(ld)["about"]["name"] == "M</script><script>alert(1)</script><b>x</b>"


# What the answers mean elsewhere (informative).


def readings(answers) -> dict[str, dict]:
    made, _ = create_assessment(data=answers)
    return {reading["key"]: reading for reading in json.loads(bytes(made.body))["elsewhere"]["readings"]}


def component(reading, name) -> str:
    return next(c["status"] for c in reading["components"] if c["name"] == name)


def test_osaid_and_mof_are_not_determined_for_a_conforming_owpl_release(canonical):
    found = readings(ANSWERS)
    assert list(found) == ["osaid-1.0", "mof-class-iii", "mof-class-ii", "mof-class-i"]
    assert {reading["status"] for reading in found.values()} == {mappings.UNDETERMINED}
    osaid = found["osaid-1.0"]
    assert component(osaid, "Freedoms to use, study, modify and share") == mappings.MET
    assert component(osaid, "Parameters") == mappings.UNDETERMINED  # OWPL is not an OSI-approved license
    assert component(found["mof-class-ii"], "Training code") == mappings.MET


def test_an_apache_release_meets_osaid_parameters_and_the_mof_final_parameters(canonical):
    found = readings({**ANSWERS, "license": "Apache-2.0"})
    assert component(found["osaid-1.0"], "Parameters") == mappings.MET
    assert component(found["mof-class-iii"], "Final model parameters") == mappings.MET


def test_a_restrictive_license_or_closed_training_code_is_not_met_elsewhere_either(canonical):
    found = readings({**ANSWERS, "license": "llama3.1"})
    assert found["osaid-1.0"]["status"] == mappings.NOT_MET
    assert {found[key]["status"] for key in ("mof-class-iii", "mof-class-ii", "mof-class-i")} == {mappings.NOT_MET}
    closed = readings({**ANSWERS, "training_software_license": "LicenseRef-Proprietary"})
    assert component(closed["osaid-1.0"], "Code") == mappings.NOT_MET
    assert closed["mof-class-iii"]["status"] == mappings.UNDETERMINED
    assert closed["mof-class-ii"]["status"] == mappings.NOT_MET


# Bad input: a 400 naming the field, never a 500, nothing stored.


@pytest.mark.parametrize(
    "change, field",
    [
        ({"release_url": "javascript:alert(1)"}, "release_url"),
        ({"release_url": "data:text/html,hi"}, "release_url"),
        ({"release_url": "https://127.0.0.1/model"}, "release_url"),
        ({"release_url": "https://[::1]/model"}, "release_url"),
        ({"release_url": "https://localhost/model"}, "release_url"),
        ({"release_url": "https://models.localhost/m"}, "release_url"),
        ({"release_url": "https://intranet/model"}, "release_url"),
        ({"release_url": "https://weights.internal/m"}, "release_url"),
        ({"release_url": "https://user:secret@huggingface.co/m"}, "release_url"),
        ({"release_url": "https://2130706433/m"}, "release_url"),
        ({"release_url": "https://huggingface.co/" + "a" * 600}, "release_url"),
        ({"release_url": "https://hugging face.co/m"}, "release_url"),
        ({"evidence": {**EVIDENCE, "architecture": "file:///etc/passwd"}}, "evidence.architecture"),
        ({"evidence": {**EVIDENCE, "training_data": 7}}, "evidence.training_data"),
        ({"evidence": {**EVIDENCE, "weights": "https://huggingface.co/x"}}, "evidence.weights"),
        ({"evidence": ["https://huggingface.co/x"]}, "evidence"),
        ({"model": "x" * 5000}, "model"),
        ({"model": "two\nlines"}, "model"),
        ({"model": 7}, "model"),
        ({"publisher": ""}, "publisher"),
        ({"license": "Foo"}, "license"),
        ({"license": "MIT OR Apache-2.0"}, "license"),
        ({"license": "x" * 300}, "license"),
        ({"training_software_license": "MIT AND"}, "training_software_license"),
        ({"training_software_license": "Apachee-2.0"}, "training_software_license"),
        ({"materials_license": "(MIT"}, "materials_license"),
        ({"access": "sometimes"}, "access"),
        ({"release": "not-an-id"}, "release"),
        ({"release": "aaaaaaaaaaaaaaaa"}, "release"),
        ({"optional": {"open_weights": {}}}, "optional.open_weights"),
        ({"optional": {"user_software": {"url": "ftp://x.org/a", "license": "MIT"}}}, "optional.user_software.url"),
        ({"definition": "1.0"}, "definition"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_input_is_a_400_problem_naming_the_field(client, canonical, change, field):
    response, data = assess(client, {**ANSWERS, **change})
    assert response.status_code == 400, data
    assert response["Content-Type"] == "application/problem+json" and data["status"] == 400
    assert field in [error["field"] for error in data["errors"]], data
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    "body", [b"model=Heron", b"[1, 2]", b'"text"', b"\xff\xfe", b"", b"[" * 100_000 + b"]" * 100_000]
)
def test_a_body_that_is_not_a_json_object_is_a_400(client, canonical, body):
    response = client.post("/assessments.json", body, content_type="application/json")
    assert response.status_code == 400 and json.loads(response.content)["errors"][0]["field"] == "body"


_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=40), st.lists(st.text(max_size=5), max_size=2)
)


@override_settings(OW_ASSESSMENTS_PER_MINUTE=100_000)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(assessment.FIELDS), value=_values)
def test_any_value_in_any_field_is_answered_never_with_a_500(client, canonical, field, value):
    response = client.post("/assessments.json", json.dumps({**ANSWERS, field: value}), content_type="application/json")
    assert response.status_code in (200, 201, 400), response.content[:300]


_json = st.recursive(_values, lambda inner: st.dictionaries(st.text(max_size=12), inner, max_size=3), max_leaves=6)


@override_settings(OW_ASSESSMENTS_PER_MINUTE=100_000)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    field=st.sampled_from(["evidence", "optional", "license_answers"]),
    key=st.sampled_from([*EVIDENCE, *assessment.OPTIONAL, "3", "url"]),
    value=_json,
)
def test_any_nested_answer_is_answered_never_with_a_500(client, canonical, field, key, value):
    answers = {**OTHER, field: {key: value}}
    response = client.post("/assessments.json", json.dumps(answers), content_type="application/json")
    assert response.status_code in (200, 201, 400), response.content[:300]


# The endpoints.


def test_post_needs_no_cookie_and_no_csrf_token_and_shows_its_rate_limit(canonical):
    client = Client(enforce_csrf_checks=True)
    response, _ = assess(client, ANSWERS)
    assert response.status_code == 201 and "Set-Cookie" not in response
    assert int(response["RateLimit-Remaining"]) < int(response["RateLimit-Limit"])
    assert response["Access-Control-Allow-Origin"] == "*"
    assert client.get("/assessments.json").status_code == 405
    preflight = client.options("/assessments.json", HTTP_ORIGIN="https://ci.example.org")
    assert preflight.status_code == 204 and "POST" in preflight["Access-Control-Allow-Methods"]


@override_settings(OW_ASSESSMENTS_PER_MINUTE=1)
def test_post_is_rate_limited_with_retry_after(client, canonical):
    assert assess(client, ANSWERS)[0].status_code == 201
    response, data = assess(client, {**ANSWERS, "model": "Heron-7B"})
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert Assessment.objects.count() == 1


def test_the_api_makes_the_same_statement_with_the_same_service(client, canonical):
    response = client.post("/api/v1/assessments", json.dumps(ANSWERS), content_type="application/json")
    assert response.status_code == 201, response.content
    data = json.loads(response.content)
    assert response["Location"] == data["api_url"] == outputs.absolute(f"/api/v1/assessments/{data['id']}")
    again, site = assess(client, ANSWERS)
    assert again.status_code == 200 and site["id"] == data["id"] and site["url"] == data["url"]
    read = client.get(f"/api/v1/assessments/{data['id']}")
    assert read.status_code == 200 and json.loads(read.content)["unmet"] == [] and read.has_header("ETag")
    bad = client.post(
        "/api/v1/assessments", json.dumps({**ANSWERS, "license": "GPL-3.0-only"}), content_type="application/json"
    )
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    assert "license_answers.3" in [error["field"] for error in json.loads(bad.content)["errors"]]


# The questionnaire in the browser's way: a form that posts.


def test_assess_redirects_to_the_latest_definitions_questionnaire_keeping_its_query(client, canonical):
    response = client.get("/assess/?release=abc")
    assert response.status_code == 302 and response["Location"] == "/definition/1.1/assess/?release=abc"
    assert client.get("/definition/1.0/assess/").status_code == 404


def test_the_questionnaire_offers_every_question_with_labels(client, canonical):
    page = client.get("/definition/1.1/assess/").content.decode()
    assert "<form" in page and 'name="csrfmiddlewaretoken"' in page
    for key in EVIDENCE:
        assert f'<label for="id_evidence_{key}"' in page
    assert page.count("<fieldset") >= 7  # access and the six questions of another license
    assert "Section 7. Are the license&#x27;s only conditions" in page
    assert '<option value="LicenseRef-OWPL-1.1">' in page and '<option value="llama3.1">' in page


def form_data(**changes) -> dict:
    data = {
        "model": "Heron-3B",
        "publisher": "Heron AI Ltd",
        "release_url": "https://huggingface.co/heron/Heron-3B",
        "access": "open",
        "license": "LicenseRef-OWPL-1.1",
        "training_software_license": "Apache-2.0",
        **{f"evidence_{key}": url for key, url in EVIDENCE.items()},
    }
    return {**data, **changes}


def test_the_form_makes_the_same_statement_as_the_json(client, canonical):
    response = client.post("/definition/1.1/assess/", form_data())
    made = Assessment.objects.get()
    assert response.status_code == 302 and response["Location"] == made.get_absolute_url()
    assert assess(client, ANSWERS)[1]["id"] == made.id


def test_the_form_takes_another_license_question_by_question(client, canonical):
    answers = {f"answer_{section}": "yes" for section in "234567"}
    client.post(
        "/definition/1.1/assess/",
        form_data(
            license="other", other_license="LicenseRef-Heron-Open-1.0", license_url=OTHER["license_url"], **answers
        ),
    )
    assert Assessment.objects.get().id == assess(client, OTHER)[1]["id"]


def test_form_errors_are_shown_beside_their_fields_and_the_answers_kept(client, canonical):
    response = client.post(
        "/definition/1.1/assess/", form_data(access="", evidence_architecture="javascript:alert(1)", license="other")
    )
    page = response.content.decode()
    assert response.status_code == 400 and not Assessment.objects.exists()
    assert 'id="error-summary"' in page and 'href="#id_evidence_architecture"' in page
    field = re.search(r'<input[^>]*name="evidence_architecture"[^>]*>', page)[0]
    assert 'aria-invalid="true"' in field and "id_evidence_architecture_error" in field
    assert "Give an https:// (or http://) URL." in page and "Say how the weights can be obtained." in page
    assert "Name the license" in page and 'value="Heron-3B"' in page
    assert 'href="#id_access_0"' in page, "a radio group's error links its first choice"


@override_settings(OW_ASSESSMENTS_PER_MINUTE=0)
def test_the_form_past_the_rate_limit_keeps_the_answers(client, canonical):
    response = client.post("/definition/1.1/assess/", form_data())
    assert response.status_code == 429 and "your answers are kept" in response.content.decode()
    assert 'value="Heron-3B"' in response.content.decode()


# Part of a release.


def owpl_release() -> Release:
    version = Version.objects.get(document__slug="owpl", number="1.1")
    values = {"licensor": "Heron AI Ltd", "model": "Heron-3B", "year": "2026", "location": ANSWERS["release_url"]}
    return create_release(version=version, values=values)


def test_a_release_links_its_assessment_and_keeps_its_own_bytes(client, canonical):
    release = owpl_release()
    before = {fmt: client.get(release.file_url(fmt)).content for fmt in ("json", "zip", "txt")}
    made, _ = create_assessment(data={**ANSWERS, "release": release.id})
    statement = client.get(made.get_absolute_url()).content.decode()
    assert f'href="{outputs.absolute(release.get_absolute_url())}"' in statement
    page = client.get(release.get_absolute_url()).content.decode()
    assert f'href="{made.get_absolute_url()}"' in page and "[![Open Weights 1.1: conforms" in page
    assert {fmt: client.get(release.file_url(fmt)).content for fmt in before} == before
    archive = zipfile.ZipFile(io.BytesIO(before["zip"]))
    assert not any(made.pk.encode() in archive.read(name) for name in archive.namelist()), "the kit names no statement"


def test_with_a_shared_cache_a_release_page_seen_before_asks_the_database_nothing(
    client, canonical, monkeypatch, django_assert_num_queries
):
    from licenses import counters

    release = owpl_release()
    monkeypatch.setattr(counters, "shared_between_processes", lambda: False)
    client.get(release.get_absolute_url())
    with django_assert_num_queries(1):  # each worker its own cache: the statements are read every time
        client.get(release.get_absolute_url())
    monkeypatch.setattr(counters, "shared_between_processes", lambda: True)
    client.get(release.get_absolute_url())
    with django_assert_num_queries(0):
        assert client.get(release.get_absolute_url()).status_code == 200
    made, _ = create_assessment(data={**ANSWERS, "release": release.id})
    page = client.get(release.get_absolute_url()).content.decode()
    assert f'href="{made.get_absolute_url()}"' in page, "the process that stored it shows it at once"


def test_with_a_shared_cache_a_statement_stored_elsewhere_shows_within_a_recheck(client, canonical, monkeypatch):
    from licenses import counters

    monkeypatch.setattr(counters, "shared_between_processes", lambda: True)
    clock = [1000.0]
    monkeypatch.setattr(counters.time, "monotonic", lambda: clock[0])
    counters.forget_all()
    release = owpl_release()
    client.get(release.get_absolute_url())
    # Another app server stores a statement: the counter moves in the shared cache, not in this process.
    monkeypatch.setattr(counters.STATEMENTS, "bump", lambda: None)
    made, _ = create_assessment(data={**ANSWERS, "release": release.id})
    counters.cache.add(counters.STATEMENTS.key, 0, timeout=None)
    counters.cache.incr(counters.STATEMENTS.key)
    link = f'href="{made.get_absolute_url()}"'
    assert link not in client.get(release.get_absolute_url()).content.decode(), "kept until the next recheck"
    clock[0] += counters.RECHECK
    assert link in client.get(release.get_absolute_url()).content.decode()


def test_a_release_page_offers_the_questionnaire_filled_in_from_it(client, canonical):
    release = owpl_release()
    page = client.get(release.get_absolute_url()).content.decode()
    assert f"/assess/?release={release.id}" in page
    form = client.get(f"/definition/1.1/assess/?release={release.id}").content.decode()
    assert 'value="Heron-3B"' in form and f'value="{release.id}"' in form
    assert '<option value="LicenseRef-OWPL-1.1" selected>' in form


def test_a_statement_naming_a_release_must_name_its_license(client, canonical):
    release = owpl_release()
    response, data = assess(client, {**ANSWERS, "license": "Apache-2.0", "release": release.id})
    assert response.status_code == 400 and data["errors"][0]["field"] == "license"


def test_known_licenses_are_the_frozen_assessment_of_the_definition(canonical):
    definition = Version.objects.get(document__slug="definition", number="1.1")
    known = known_licenses(definition)
    assert len(known) == 19 and known["licenseref-owpl-1.1"].meets and not known["gemma"].meets


def test_statements_are_exported_and_imported_byte_for_byte(canonical, tmp_path):
    from licenses import archive

    made, _ = create_assessment(data=ANSWERS)
    files = archive.export_files()
    assert files[f"assessments/{made.id}.statement.json"] == bytes(made.body)
    assert json.loads(files["manifest.json"])["counts"]["assessments"] == 1
    archive.export_site(tmp_path)
    (tmp_path / f"assessments/{made.id}.statement.json").write_bytes(bytes(made.body).replace(b"Heron", b"Crane"))
    with pytest.raises(archive.ArchiveError, match=f"assessment {made.id}"):
        archive._Tree(tmp_path)
