"""The wording of what a release gives its publisher to paste (the NOTICE, the model card's metadata,
the README badge, the SPDX header) and of the short reference to a license, in one place: a release's
files are made from it (outputs.release_snippets) and so are the ScanCode rules that recognise those
files (scancode.py). Pure functions.

A release's files are frozen, and the zip of every release holds its NOTICE and snippets: this
wording never changes.
"""

NOTICE_STATEMENT = "The weights and other model elements that the licensor designates are licensed under the"
MODEL_CARD_LICENSE = "license: other"  # the Hub's value for a license it does not list


def notice(*, model: str, year: str, licensor: str, title: str, license_url: str, release_url: str, spdx_id: str):
    """Return a release's NOTICE: the model, its copyright line, the statement, and the links."""
    lines = [model, f"Copyright {year} {licensor}".strip(), ""]
    lines += [NOTICE_STATEMENT, f"{title}: {license_url}", "", f"This release: {release_url}", spdx_header(spdx_id)]
    return "\n".join(lines).strip("\n") + "\n"


def model_card_name(key: str) -> str:
    """Return the model-card line that names the license (`license_name: owpl-1.0`)."""
    return f"license_name: {key}"


def model_card(*, key: str, license_url: str) -> str:
    """Return the front matter of a model card (README.md on the Hub) naming the license."""
    return f"---\n{MODEL_CARD_LICENSE}\n{model_card_name(key)}\nlicense_link: {license_url}\n---\n"


def badge_label(short_name: str, number: str) -> str:
    return f"License: {short_name} {number}"


def badge(*, label: str, image_url: str, license_url: str) -> str:
    """Return the Markdown of the README badge: the badge image, linking to the license."""
    return f"[![{label}]({image_url})]({license_url})\n"


def spdx_header(spdx_id: str) -> str:
    """Return the line that file headers carry (without its line break)."""
    return f"SPDX-License-Identifier: {spdx_id}"


def reference(title: str) -> str:
    """Return the short reference to a license, as the NOTICE and a model card's prose say it."""
    return f"licensed under the {title}"
