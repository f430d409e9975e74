"""A license template as a ScanCode license and rules, zipped: the directory that
`scancode-reindex-licenses --additional-directory DIR` takes (`licenses/<key>.LICENSE` and
`rules/*.RULE`, each a text with YAML front matter, as ScanCode's own data are).

The license's text is the plain text of the template (rendering.to_text) without its copyright line,
which ScanCode leaves to its copyright detection. The rules recognise the forms a release takes besides
the full text, in the wording of snippets.py: the NOTICE's statement, the model card's `license_name`,
the SPDX header and the short reference. Their version-bearing words are key phrases (`{{…}}`), which
ScanCode requires to be matched exactly, so that a rule of 1.0 never reports a text of 1.1.

Pure and deterministic: the same source gives the same zip, byte for byte.
"""

import io
import re
import zipfile
from datetime import UTC, datetime

from . import rendering, snippets

CATEGORY = "Permissive"
OWNER = "Open Weights"
URL_RE = re.compile(r"https?://[^\s<>()\"]+[^\s<>()\".,;:]")


def _scalar(value: str) -> str:
    """Return a YAML scalar: plain when it reads back as the same string, single-quoted otherwise."""
    plain = re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 .,/_()-]*", value) or re.fullmatch(r"https?://\S+", value)
    if plain and not re.fullmatch(r"(?i)yes|no|true|false|on|off|null|~|[0-9.]+", value):
        return value
    return "'" + value.replace("'", "''") + "'"


def front_matter(data: dict[str, str | bool | int | list[str]]) -> str:
    """Return YAML front matter in the layout of ScanCode's own files (flags as `yes`)."""
    lines = ["---"]
    for key, value in data.items():
        if isinstance(value, list):
            lines.append(f"{key}:")
            lines += [f"    - {_scalar(item)}" for item in value]
        elif isinstance(value, bool):
            lines.append(f"{key}: {'yes' if value else 'no'}")
        else:
            lines.append(f"{key}: {value if isinstance(value, int) else _scalar(value)}")
    return "\n".join(lines + ["---", ""]) + "\n"


def license_text(markdown: str) -> str:
    """Return the text ScanCode matches a full license against: the plain text, without the
    copyright line under the title."""
    blocks = rendering.to_text(markdown).split("\n\n")
    if len(blocks) > 1 and blocks[1].startswith("Copyright "):
        del blocks[1]
    return "\n\n".join(blocks)


def rules(*, key: str, name: str, spdx_id: str) -> dict[str, tuple[dict, str]]:
    """Return the rules of a license version by file name: (front matter, text)."""
    expression = {"license_expression": key}
    notice = {**expression, "is_license_notice": True, "relevance": 100}
    tag = {**expression, "is_license_tag": True, "relevance": 100}
    reference = {**expression, "is_license_reference": True, "relevance": 100}
    card_name = snippets.model_card_name(key).replace(key, "{{" + key + "}}")
    return {
        f"{key}_notice.RULE": (
            {**notice, "notes": "The statement of the NOTICE file of a release made by the Open Weights wizard."},
            f"{snippets.NOTICE_STATEMENT}\n{{{{{name}}}}}\n",
        ),
        f"{key}_model_card.RULE": (
            {**tag, "notes": "The license metadata of a model card (README.md front matter on the Hugging Face Hub)."},
            f"{snippets.MODEL_CARD_LICENSE}\n{card_name}\n",
        ),
        f"{key}_model_card_name.RULE": (
            {**tag, "notes": "The license_name line of a model card's front matter."},
            f"{card_name}\n",
        ),
        f"{key}_spdx_identifier.RULE": (
            {**tag, "notes": "The SPDX header line of a file."},
            snippets.spdx_header("{{" + spdx_id + "}}") + "\n",
        ),
        f"{key}_reference.RULE": (
            {**reference, "notes": "The short reference to the license."},
            snippets.reference("{{" + name + "}}") + "\n",
        ),
    }


def bundle(
    markdown: str, *, key: str, name: str, spdx_id: str, short_name: str = "", url: str = "", published_at=None
) -> bytes:
    """Return the zip of a license template's ScanCode license and rules."""
    key = key or re.sub(r"[^a-z0-9.]+", "-", name.lower()).strip("-") or "license"
    spdx_id = spdx_id or f"LicenseRef-{key}"
    text = license_text(markdown)
    data: dict = {
        "key": key,
        "short_name": short_name or name,
        "name": name,
        "category": CATEGORY,
        "owner": OWNER,
    }
    if url:
        data["homepage_url"] = url
    data["spdx_license_key"] = spdx_id
    if published_at is not None:
        data["notes"] = f"Published by the Open Weights project on {published_at.day} {published_at:%B %Y}."
    urls = sorted(set(URL_RE.findall(text)))
    if urls:
        data["ignorable_urls"] = urls
    members = [(f"licenses/{key}.LICENSE", front_matter(data) + text)]
    members += [(f"rules/{file}", front_matter(meta) + body) for file, (meta, body) in rules(
        key=key, name=name, spdx_id=spdx_id).items()]  # fmt: skip
    stamp = (published_at or datetime(1980, 1, 1, tzinfo=UTC)).astimezone(UTC).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, body in members:
            info = zipfile.ZipInfo(member, date_time=max(stamp, (1980, 1, 1, 0, 0, 0)))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, body.encode())
    return buffer.getvalue()
