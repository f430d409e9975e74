"""The ScanCode license and rules of each license version (scancode.py): what the bundle holds, and
ScanCode itself reading a release with it.

The real run (marked `scancode`) needs the ScanCode that `make test` installs into .venv-scancode. It
reindexes ScanCode's licenses (a minute or two), so CI runs it once, not once per database.
"""

import io
import json
import os
import re
import shutil
import subprocess
import zipfile

import pytest
from django.conf import settings

from licenses import outputs, scancode, snippets
from licenses.models import Version
from licenses.publishing import create_release

SCANCODE_BIN = settings.BASE_DIR / ".venv-scancode" / "bin"
VALUES = {
    "licensor": "Northwind Research Ltd",
    "model": "Northwind-Mini-3B",
    "year": "2025",
    "location": "https://huggingface.co/northwind/Northwind-Mini-3B",
}
RELEASE_FILES = ("LICENSE", "NOTICE", "README.md")
FLAGS = ("is_license_text", "is_license_notice", "is_license_reference", "is_license_tag", "is_license_intro")


def _license(number: str) -> Version:
    return Version.objects.select_related("document").get(document__slug="owpl", number=number)


def _members(number: str) -> dict[str, str]:
    body, _ = outputs.version_file(_license(number), "scancode.zip")
    archive = zipfile.ZipFile(io.BytesIO(body))
    return {name: archive.read(name).decode() for name in archive.namelist()}


def front_matter(text: str) -> tuple[dict, str]:
    """Split a ScanCode data file into its front matter (scalars and lists, as these files write them) and its text."""
    match = re.fullmatch(r"---\n(.*?)\n---\n\n(.*)", text, flags=re.S)
    assert match, text[:200]
    data: dict = {}
    key = ""
    for line in match[1].splitlines():
        if line.startswith("    - "):
            data[key].append(line.removeprefix("    - "))
        else:
            key, _, value = line.partition(":")
            value = value.strip()
            quoted = len(value) > 1 and value[0] == value[-1] == "'"
            data[key] = value[1:-1].replace("''", "'") if quoted else value or []
    return data, match[2]


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("{{", "").replace("}}", "")).strip()


@pytest.mark.parametrize("number", ["1.0", "1.1"])
def test_the_bundle_holds_a_scancode_license_and_rules_for_each_form_of_a_release(canonical, number):
    version = _license(number)
    members = _members(number)
    key = f"owpl-{number}"
    assert sorted(members) == [f"licenses/{key}.LICENSE"] + sorted(
        f"rules/{key}_{form}.RULE"
        for form in ("model_card", "model_card_name", "notice", "reference", "spdx_identifier")
    )
    data, text = front_matter(members[f"licenses/{key}.LICENSE"])
    assert data == {
        "key": key,
        "short_name": f"OWPL {number}",
        "name": f"Open Weights Permissive License {number}",
        "category": "Permissive",
        "owner": "Open Weights",
        "homepage_url": outputs.version_url(version),
        "spdx_license_key": f"LicenseRef-OWPL-{number}",
        "notes": f"Published by the Open Weights project on {version.published_at.day} {version.published_at:%B %Y}.",
        "ignorable_urls": sorted(
            ["https://creativecommons.org/publicdomain/zero/1.0/", f"https://openweights.org/licenses/owpl/{number}/"]
        ),
    }
    plain = outputs.version_file(version, "txt")[0].decode()
    assert text == scancode.license_text(version.markdown) and text in plain.replace(
        "Copyright [YEAR] [LICENSOR].\n\n", ""
    )
    assert "{{" not in text, "ScanCode reads {{…}} as key phrases"

    release = create_release(version=version, values={name: VALUES[name] for name in version.field_names})
    kit = outputs.release_snippets(release)
    forms = {"notice": kit["notice"], "model_card": kit["model_card"], "model_card_name": kit["model_card"]}
    forms |= {"spdx_identifier": kit["spdx"], "reference": kit["notice"]}
    for form, where in forms.items():
        rule, body = front_matter(members[f"rules/{key}_{form}.RULE"])
        assert rule["license_expression"] == key and rule["relevance"] == "100" and rule["notes"]
        assert [flag for flag in FLAGS if rule.get(flag) == "yes"] == [
            {"notice": "is_license_notice", "reference": "is_license_reference"}.get(form, "is_license_tag")
        ]
        assert _squeeze(body).lower() in _squeeze(where).lower(), (form, "the rule is the kit's own wording")
        assert re.search(r"\{\{[^{}]*" + re.escape(number) + r"[^{}]*\}\}", body), "its version is a key phrase"
    assert snippets.reference(version.title) in _squeeze(kit["notice"])


def _model_card(kit: dict[str, str], model: str) -> str:
    """The README.md of a release on the Hub, made of the kit's snippets: metadata, title, badge, prose."""
    return f"{kit['model_card']}\n# {model}\n\n{kit['badge']}\nA small language model, published with its weights.\n"


@pytest.mark.scancode
def test_scancode_detects_a_releases_license_notice_and_model_card_and_still_apache(canonical, tmp_path):
    if not (SCANCODE_BIN / "scancode").exists():
        pytest.fail("ScanCode is not installed: `make test` installs it into .venv-scancode")
    bundle, scan = tmp_path / "bundle", tmp_path / "scan"
    for number in ("1.0", "1.1"):
        version = _license(number)
        zipfile.ZipFile(io.BytesIO(outputs.version_file(version, "scancode.zip")[0])).extractall(bundle)
        release = create_release(version=version, values={name: VALUES[name] for name in version.field_names})
        kit = outputs.release_snippets(release)
        folder = scan / number
        folder.mkdir(parents=True)
        (folder / "LICENSE").write_bytes(outputs.release_file(release, "txt"))  # RELEASE_FILES
        (folder / "NOTICE").write_text(kit["notice"])
        (folder / "README.md").write_text(_model_card(kit, VALUES["model"]))

    env = {
        **os.environ,
        "SCANCODE_LICENSE_INDEX_CACHE": str(tmp_path / "index"),  # not the installation's own index
        "SCANCODE_CACHE": str(tmp_path / "cache"),
        "SCANCODE_TEMP": str(tmp_path / "temp"),
    }
    data_dirs = "import licensedcode.models as m; print(m.licenses_data_dir, m.rules_data_dir)"
    where = subprocess.run([SCANCODE_BIN / "python", "-c", data_dirs], env=env, capture_output=True, text=True)
    licenses_dir, rules_dir = map(type(tmp_path), where.stdout.split())
    apache = (licenses_dir / "apache-2.0.LICENSE").read_text()
    (scan / "LICENSE-APACHE").write_text(apache.split("\n---\n", 1)[1])  # ScanCode's own text, without its data

    # ScanCode 32.5 indexes the licenses of an --additional-directory but not its rules (LicenseCache
    # passes build_index only the plugins' directories: aboutcode-org/scancode-toolkit#3926), so the
    # rules go into ScanCode's own rules directory for the reindex, as the version page tells users.
    copied = [rules_dir / rule.name for rule in sorted((bundle / "rules").iterdir())]
    try:
        for rule, target in zip(sorted((bundle / "rules").iterdir()), copied, strict=True):
            shutil.copyfile(rule, target)
        reindex = subprocess.run(
            [SCANCODE_BIN / "scancode-reindex-licenses", "--additional-directory", bundle],
            env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
    finally:
        for target in copied:
            target.unlink(missing_ok=True)
    assert reindex.returncode == 0 and "Done." in reindex.stdout, reindex.stdout[-2000:] + reindex.stderr[-2000:]

    out = tmp_path / "scan.json"
    run = subprocess.run(
        [SCANCODE_BIN / "scancode", "--license", "--json", out, "-n", "2", "--quiet", scan],
        env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    found = {
        entry["path"].split("/", 1)[1]: entry
        for entry in json.loads(out.read_text())["files"]
        if entry["type"] == "file"
    }
    detected = {path: entry["detected_license_expression_spdx"] for path, entry in found.items()}
    expected = {f"{number}/{name}": f"LicenseRef-OWPL-{number}" for number in ("1.0", "1.1") for name in RELEASE_FILES}
    assert detected == {"LICENSE-APACHE": "Apache-2.0", **expected}, detected
    rules = {
        path: sorted({match["rule_identifier"] for d in entry["license_detections"] for match in d["matches"]})
        for path, entry in found.items()
    }
    assert rules["1.0/LICENSE"] == ["owpl-1.0.LICENSE"]
    assert rules["1.0/NOTICE"] == ["owpl-1.0_notice.RULE", "owpl-1.0_spdx_identifier.RULE"]
    assert rules["1.0/README.md"] == ["owpl-1.0_model_card.RULE"]
    assert rules["1.1/README.md"] == ["owpl-1.1_model_card.RULE"]
