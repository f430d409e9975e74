"""The JSON API at /api/v1/: its answers, its OpenAPI description, and schemathesis against it live."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from openapi_spec_validator import validate

from licenses import formats, outputs, rendering
from licenses.models import Release, Version
from licenses.publishing import create_release

VALUES = {
    "licensor": "Heron AI Ltd",
    "model": "Heron-3B",
    "year": "2026",
    "location": "https://huggingface.co/heron-ai/Heron-3B",
}
# Every operation of v1, by (method, path, operationId): v1 only grows, so none may vanish or be renamed.
PINNED_OPERATIONS = {
    ("get", "/api/v1/documents", "listDocuments"),
    ("get", "/api/v1/documents/{slug}", "getDocument"),
    ("get", "/api/v1/documents/{slug}/versions", "listVersions"),
    ("get", "/api/v1/documents/{slug}/versions/{number}", "getVersion"),
    ("get", "/api/v1/documents/{slug}/versions/{number}/licenses", "getVersionLicenses"),
    ("get", "/api/v1/releases/{release_id}", "getRelease"),
    ("post", "/api/v1/releases", "createRelease"),
    ("post", "/api/v1/check", "checkLicense"),
    ("get", "/api/v1/assessments/{assessment_id}", "getAssessment"),
    ("post", "/api/v1/assessments", "createAssessment"),
}


def post(client, body, **headers):
    return client.post("/api/v1/releases", json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def schema(client, canonical):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_description_is_valid_openapi_3_1_and_keeps_every_pinned_operation(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.1")
    operations = {
        (method, path, operation["operationId"])
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }
    assert operations >= PINNED_OPERATIONS, PINNED_OPERATIONS - operations


def test_errors_are_described_as_problem_details(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            for status, answer in operation["responses"].items():
                if int(status) >= 400:
                    assert list(answer["content"]) == ["application/problem+json"], (method, path, status)


def test_documents_list_each_document_with_its_latest_version(client, canonical):
    response = client.get("/api/v1/documents", HTTP_ORIGIN="https://tools.example.org")
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response and "Access-Control-Allow-Credentials" not in response
    data = json.loads(response.content)
    assert [document["slug"] for document in data] == ["definition", "owpl"]
    for document in data:
        latest = Version.objects.get(document__slug=document["slug"], number=document["latest"]["number"])
        assert latest.document.latest_version.number == latest.number
        assert document["latest"]["url"] == outputs.absolute(latest.get_absolute_url())
        assert document["latest"]["superseded_by"] is None


def test_a_version_lists_every_file_with_the_checksum_it_was_published_with(client, canonical):
    data = json.loads(client.get("/api/v1/documents/owpl/versions/1.0").content)
    version = Version.objects.get(document__slug="owpl", number="1.0")
    checksums = version.stored_checksums()
    # Every file of a license version, the templates for tools added since its publication included.
    assert {file["format"]: file["sha256"] for file in data["files"]} == {
        fmt.suffix: checksums[fmt.suffix] for fmt in formats.version_files(template=True)
    }
    assert {"spdx.xml", "scancode.zip"} <= {file["format"] for file in data["files"]}
    for file in data["files"]:
        path = file["url"].removeprefix(outputs.absolute(""))
        assert outputs.sha256(client.get(path).content) == file["sha256"], path
    latest = version.document.latest_version.number
    assert data["superseded_by"] == latest != "1.0"
    assert data["spdx_id"] == "LicenseRef-OWPL-1.0" and data["licenses_url"] is None
    assert [field["name"] for field in data["fields"]] == version.field_names


def test_versions_are_listed_newest_first(client, canonical):
    data = json.loads(client.get("/api/v1/documents/definition/versions").content)
    numbers = [version["number"] for version in data]
    assert numbers == list(
        Version.objects.published().filter(document__slug="definition").newest_first().values_list("number", flat=True)
    )
    assert len(numbers) >= 2 and [v["superseded_by"] for v in data[1:]] == [numbers[0]] * (len(numbers) - 1)


def test_the_licenses_assessment_is_served_from_the_bytes_published_with_the_definition(client, canonical):
    version = json.loads(client.get("/api/v1/documents/definition/versions/1.1").content)
    assert version["licenses_url"].endswith("/api/v1/documents/definition/versions/1.1/licenses")
    data = json.loads(client.get("/api/v1/documents/definition/versions/1.1/licenses").content)
    frozen = client.get("/definition/1.1/licenses.json").content
    assert data["sha256"] == outputs.sha256(frozen)
    by_id = {entry["id"]: entry for entry in data["entries"]}
    assert by_id["LicenseRef-OWPL-1.1"]["meets"] is True
    assert sorted(by_id["MIT"]["sections"]) == ["3", "4", "5", "6", "7", "8"]
    assert client.get("/api/v1/documents/definition/versions/1.0/licenses").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/documents/no-such-document",
        "/api/v1/documents/owpl/versions/9.9",
        "/api/v1/documents/owpl/versions/1.0/licenses",
        "/api/v1/releases/aaaaaaaaaaaaaaaa",
    ],
)
def test_what_does_not_exist_is_a_problem_json_404(client, canonical, path):
    response = client.get(path)
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    problem = json.loads(response.content)
    assert problem["status"] == 404 and problem["title"] and problem["detail"]
    assert response["Access-Control-Allow-Origin"] == "*"


def test_answers_carry_a_strong_etag_and_revalidate_with_304(client, canonical):
    first = client.get("/api/v1/documents/owpl")
    etag = first["ETag"]
    assert etag == f'"{outputs.sha256(first.content)}"'
    again = client.get("/api/v1/documents/owpl", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert client.get("/api/v1/documents/owpl", HTTP_IF_NONE_MATCH='"other"').status_code == 200
    head = client.head("/api/v1/documents/owpl")
    assert head.status_code == 200 and head.content == b"" and head["ETag"] == etag


def test_a_repeated_read_is_answered_from_memory_without_the_database(client, canonical, django_assert_num_queries):
    first = client.get("/api/v1/documents/owpl/versions/1.0")
    with django_assert_num_queries(0):
        again = client.get("/api/v1/documents/owpl/versions/1.0", HTTP_ACCEPT_ENCODING="gzip")
        revalidated = client.get("/api/v1/documents/owpl/versions/1.0", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again["Content-Encoding"] == "gzip" and again["ETag"] == f"W/{first['ETag']}"
    assert revalidated.status_code == 304
    assert again["Access-Control-Allow-Origin"] == "*" and again["X-Content-Type-Options"] == "nosniff"


def test_the_browser_preflight_for_a_post_is_answered(client, canonical):
    response = client.options(
        "/api/v1/releases", HTTP_ORIGIN="https://ci.example.org", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert response.status_code == 204 and response["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "content-type" in response["Access-Control-Allow-Headers"].lower()


def test_post_releases_makes_the_wizard_s_release_without_cookie_or_csrf_token(canonical):
    client = Client(enforce_csrf_checks=True)
    response = post(client, {"document": "owpl", "version": "1.1", "values": VALUES})
    assert response.status_code == 201, response.content
    assert "Set-Cookie" not in response
    data = json.loads(response.content)
    release = Release.objects.get(pk=data["id"])
    # The same service as the wizard: the same values give the same release.
    version = Version.objects.get(document__slug="owpl", number="1.1")
    assert create_release(version=version, values=VALUES).pk == release.pk
    assert response["Location"] == data["api_url"] and data["values"] == release.values
    assert {file["format"]: file["sha256"] for file in data["files"]} == release.checksums
    assert int(response["RateLimit-Remaining"]) < int(response["RateLimit-Limit"])
    again = post(client, {"document": "owpl", "version": "1.1", "values": VALUES})
    assert again.status_code == 200 and json.loads(again.content)["id"] == release.pk
    read = client.get(f"/api/v1/releases/{release.pk}")
    assert read.status_code == 200 and json.loads(read.content)["files"] == data["files"]


def test_post_releases_without_coverage_gets_the_default_and_says_its_renderer(client, canonical):
    data = json.loads(post(client, {"values": VALUES}).content)
    assert data["renderer"] == rendering.RENDERER_VERSION
    assert data["coverage"] == {"kinds": ["configuration", "tokenizer"], "patterns": []}
    assert Release.objects.get(pk=data["id"]).coverage == data["coverage"]


def test_post_releases_stores_the_coverage_given_and_it_makes_another_release(client, canonical):
    default = json.loads(post(client, {"values": VALUES}).content)
    body = {"values": VALUES, "coverage": {"kinds": ["code", "configuration"], "patterns": ["*.gguf"]}}
    response = post(client, body)
    data = json.loads(response.content)
    assert response.status_code == 201 and data["id"] != default["id"]
    assert data["coverage"] == {"kinds": ["configuration", "code"], "patterns": ["*.gguf"]}
    again = post(client, {**body, "coverage": {"kinds": ["configuration", "code"], "patterns": ["*.gguf"]}})
    assert again.status_code == 200 and json.loads(again.content)["id"] == data["id"], "existed uses the same coverage"
    weights_only = post(client, {"values": VALUES, "coverage": {}})
    assert weights_only.status_code == 201 and json.loads(weights_only.content)["coverage"]["kinds"] == []


def test_post_releases_takes_the_latest_version_when_none_is_named(client, canonical):
    response = post(client, {"values": VALUES})
    latest = Version.objects.get(document__slug="owpl", number=json.loads(response.content)["version"])
    assert response.status_code == 201 and latest.document.latest_version.number == latest.number


@pytest.mark.parametrize(
    "body, field",
    [
        ({"values": {**VALUES, "year": "2024-2026"}}, "values.year"),
        ({"values": {**VALUES, "location": "not a web address"}}, "values.location"),
        ({"values": {**VALUES, "licensee": "Someone"}}, "values.licensee"),
        ({"values": {key: value for key, value in VALUES.items() if key != "model"}}, "values.model"),
        ({"values": {**VALUES, "model": 7}}, "values.model"),
        ({"version": "one", "values": VALUES}, "version"),
        ({"document": "definition", "values": VALUES}, "document"),
        ({}, "values"),
        ({"values": VALUES, "coverage": {"kinds": ["weights"]}}, "coverage"),
        ({"values": VALUES, "coverage": {"patterns": ["../x"]}}, "coverage"),
        ({"values": VALUES, "coverage": {"patterns": ["/etc/*"]}}, "coverage"),
        ({"values": VALUES, "coverage": {"kinds": "code"}}, "coverage.kinds"),
        ({"values": VALUES, "coverage": [None, None]}, "coverage"),
        ({"values": VALUES, "coverage": {"kind": ["code"]}}, "coverage.kind"),
    ],
)
def test_bad_release_requests_are_a_400_problem_naming_the_field(client, canonical, body, field):
    response = post(client, body)
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    problem = json.loads(response.content)
    assert field in [error["field"] for error in problem["errors"]], problem
    assert not Release.objects.filter(values__model="Heron-3B").exists()


def test_a_body_that_is_not_json_is_a_400_problem(client, canonical):
    response = client.post("/api/v1/releases", "licensor=Heron", content_type="application/json")
    assert response.status_code == 400 and json.loads(response.content)["status"] == 400


@override_settings(OW_RELEASES_PER_MINUTE=1)
def test_post_releases_is_rate_limited_with_retry_after(client, canonical):
    assert post(client, {"values": VALUES}).status_code == 201
    response = post(client, {"values": {**VALUES, "model": "Heron-7B"}})
    assert response.status_code == 429 and response["Content-Type"] == "application/problem+json"
    assert int(response["Retry-After"]) >= 1
    assert not Release.objects.filter(values__model="Heron-7B").exists()


def test_the_docs_page_is_served_by_the_site_itself(client, canonical):
    page = client.get("/api/v1/docs/").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "https://" not in page


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_schema(live_server, canonical, tmp_path):
    """schemathesis (the real CLI) against the live app: every operation, generated inputs, every check.

    One check is left out, and why: positive_data_acceptance expects every schema-valid body to be
    accepted, but which fields a release must fill is data (each version declares its own, listed by
    getVersion), not schema, so a schema-valid body may rightly lack one."""
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{live_server.url}/api/v1/openapi.json",
        "--checks",
        "all",
        "--exclude-checks",
        "positive_data_acceptance",
        "--max-examples",
        "20",
        "--workers",
        "1",
        "--seed",
        "20261202",
        "--suppress-health-check",
        "all",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=tmp_path)  # its cache there
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert f"Tested: {len(PINNED_OPERATIONS)}" in result.stdout and " passed" in result.stdout, result.stdout[-3000:]
