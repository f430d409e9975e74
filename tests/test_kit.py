"""The repository-ready kit of a release (renderer 2): unpacked at a repository's root beside the weights,
it passes `reuse lint` (REUSE 3.3) and the Hugging Face Hub's reader takes its model card; NOTICE makes
the designation of OWPL §2 in the license's defined terms, within 78 columns."""

import io
import json
import subprocess
import sys
import tomllib
import zipfile

import pytest

from licenses import kit, outputs, rendering
from licenses.publishing import create_release, release_id

VALUES = {"licensor": "Gamma Labs Inc.", "model": "Gamma-2B", "year": "2026"}
ROOT = {"LICENSE", "NOTICE", "README.md", "REUSE.toml", "LICENSES/LicenseRef-OWPL-1.0.txt"}


def unpack(release, into):
    archive = zipfile.ZipFile(io.BytesIO(outputs.release_file(release, "zip")))
    archive.extractall(into)
    return archive


def reuse_lint(root) -> subprocess.CompletedProcess:
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return subprocess.run(
        [sys.executable, "-m", "reuse", "--root", str(root), "lint"], capture_output=True, text=True, timeout=120
    )


@pytest.mark.django_db
def test_the_kit_unpacks_at_a_repository_root_and_passes_reuse_lint_beside_weights(owpl, tmp_path):
    release = create_release(version=owpl, values=VALUES)
    archive = unpack(release, tmp_path)
    names = set(archive.namelist())
    assert names >= ROOT
    assert {name for name in names - ROOT if "/" not in name} == set(), "the root holds only what a repository takes"
    assert all(name.startswith(f"{kit.EXTRAS}/") for name in names - ROOT)
    for name, body in (("model.safetensors", b"\0" * 64), ("config.json", b"{}\n"), ("tokenizer.json", b"{}\n")):
        (tmp_path / name).write_bytes(body)
    lint = reuse_lint(tmp_path)
    assert lint.returncode == 0, lint.stdout[-1500:]
    assert (tmp_path / "LICENSE").read_bytes() == outputs.release_file(release, "txt")
    assert (tmp_path / "LICENSES/LicenseRef-OWPL-1.0.txt").read_bytes() == outputs.release_file(release, "txt")


@pytest.mark.django_db
def test_reuse_lint_fails_on_a_file_the_license_does_not_cover(owpl, tmp_path):
    """The lint above can fail: code, not designated by default, is reported."""
    unpack(create_release(version=owpl, values=VALUES), tmp_path)
    (tmp_path / "model.safetensors").write_bytes(b"\0" * 8)
    (tmp_path / "train.py").write_text("print('hi')\n")
    lint = reuse_lint(tmp_path)
    assert lint.returncode != 0 and "train.py" in lint.stdout


@pytest.mark.django_db
def test_designated_code_and_patterns_are_covered_and_said_in_notice(owpl, tmp_path):
    coverage = {"kinds": ["code", "tokenizer"], "patterns": ["weights/*.gguf"]}
    release = create_release(version=owpl, values=VALUES, coverage=coverage)
    assert release.coverage == {"kinds": ["tokenizer", "code"], "patterns": ["weights/*.gguf"]}
    unpack(release, tmp_path)
    (tmp_path / "weights").mkdir()
    (tmp_path / "weights/model-q4.gguf").write_bytes(b"GGUF")
    (tmp_path / "train.py").write_text("print('hi')\n")
    (tmp_path / "tokenizer.model").write_bytes(b"\0")
    lint = reuse_lint(tmp_path)
    assert lint.returncode == 0, lint.stdout[-1500:]
    notice = (tmp_path / "NOTICE").read_text()
    assert "Under Section 2 of the License" in notice and "Model Elements" in notice and "Licensor" in notice
    assert "Code: *.py" in notice and "Files matching weights/*.gguf" in notice
    assert "Configuration files" not in notice
    toml = tomllib.loads((tmp_path / "REUSE.toml").read_text())
    annotation = toml["annotations"][0]
    assert annotation["SPDX-License-Identifier"] == "LicenseRef-OWPL-1.0"
    assert annotation["SPDX-FileCopyrightText"] == "2026 Gamma Labs Inc."
    assert "weights/*.gguf" in annotation["path"] and "config.json" not in annotation["path"]


@pytest.mark.django_db
def test_the_model_card_reads_on_the_hub_with_the_license_and_its_notice(owpl, tmp_path):
    from huggingface_hub import ModelCard

    release = create_release(version=owpl, values={**VALUES, "model": "فالكون-7B"})
    unpack(release, tmp_path)
    card = ModelCard.load(tmp_path / "README.md")
    assert (card.data.license, card.data.get("license_name"), card.data.get("license_link")) == (
        "other",
        "owpl-1.0",
        "LICENSE",
    )
    assert "## License" in card.text and "Copyright 2026 Gamma Labs Inc." in card.text
    assert "\u2068فالكون-7B\u2069" in card.text, "a right-to-left name is isolated"
    note = (tmp_path / kit.EXTRAS / "merging-into-a-model-card.md").read_text()
    assert "license_name: owpl-1.0" in note and "second" in note


@pytest.mark.django_db
def test_notice_fits_78_columns_for_wide_names(owpl):
    values = {
        "licensor": "深度求索人工智能基础技术研究有限公司深度求索人工智能",
        "model": "DeepSeek-V9",
        "year": "2026",
    }
    notice = outputs.release_snippets(create_release(version=owpl, values=values))["notice"]
    assert max(rendering.display_width(line) for line in notice.splitlines()) <= 78
    assert "深度求索" in notice


@pytest.mark.django_db
def test_release_json_lists_every_kit_file_with_its_checksum(owpl):
    release = create_release(version=owpl, values=VALUES)
    data = json.loads(outputs.release_file(release, "json"))
    archive = zipfile.ZipFile(io.BytesIO(outputs.release_file(release, "zip")))
    assert set(data["kit"]["files"]) == set(archive.namelist())
    for name in archive.namelist():
        assert data["kit"]["files"][name]["sha256"] == outputs.sha256(archive.read(name))
    assert data["renderer_version"] == "2" and data["coverage"] == kit.default_coverage()


@pytest.mark.django_db
def test_kit_bytes_are_the_same_on_every_call_and_the_zip_is_an_attachment(owpl, client):
    release = create_release(version=owpl, values=VALUES)
    first = outputs.release_zip(release)
    assert outputs.release_zip(release) == first
    response = client.get(release.file_url("zip"))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body == first
    assert response["Content-Disposition"].startswith("attachment")
    notice = client.get(f"/r/{release.id}/NOTICE")
    assert notice.status_code == 200 and notice.content == zipfile.ZipFile(io.BytesIO(first)).read("NOTICE")


@pytest.mark.django_db
def test_one_id_never_names_two_kits(owpl):
    default = create_release(version=owpl, values=VALUES)
    other = create_release(version=owpl, values=VALUES, coverage={"kinds": [], "patterns": []})
    assert default.id != other.id
    assert release_id(owpl, VALUES, "1") not in (default.id, other.id), "renderer 1's id is another release"


@pytest.mark.django_db
def test_the_release_page_says_to_unpack_the_kit_and_how_to_merge_into_a_card(owpl, client):
    from .factories import old_release

    page = client.get(create_release(version=owpl, values=VALUES).get_absolute_url()).content.decode()
    assert "Unpack" in page and "open-weights/" in page and "a second one pasted below becomes text" in page
    old = client.get(old_release(owpl, VALUES).get_absolute_url()).content.decode()
    assert "at the root of the release" in old and "Unpack" not in old


@pytest.mark.django_db
def test_the_release_pdf_is_tagged_with_a_subject_and_the_release_date(owpl):
    from pypdf import PdfReader

    release = create_release(version=owpl, values=VALUES)
    pdf = outputs.release_file(release, "pdf")
    reader = PdfReader(io.BytesIO(pdf))
    assert bool(reader.trailer["/Root"]["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in reader.trailer["/Root"]
    info = reader.metadata
    assert info.subject == "Open Weights Permissive License 1.0, filled in for Gamma-2B by Gamma Labs Inc."
    assert info.creation_date.replace(tzinfo=None) == release.created_at.replace(tzinfo=None)
    assert outputs.render_release_file(release, "pdf") == pdf, "the same bytes when rendered again"
