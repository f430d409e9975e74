"""Which licenses meet a version of the Open Weights Definition: the assessment published with it.

The assessment is data written by the project (licenses/content/definition/<number>.licenses.json),
published with its Definition version and frozen with it: its bytes are stored as the version's
`licenses` rendition, listed with their checksum in the version's metadata, and served as they are at
/definition/<number>/licenses.json; the page /definition/<number>/licenses/ is made from those bytes.

Each entry is one license: an identifier (its SPDX id, else its Hugging Face id or a LicenseRef),
its name, the URL of its text, a one-sentence summary, and a verdict with a reason for each of the
Sections that a license can fail (3 to 8); `meets` is true exactly when every Section is met.
"""

import json
import re
from dataclasses import dataclass

# The Sections of the Definition that an entry judges, in order.
SECTIONS = ("3", "4", "5", "6", "7", "8")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]{0,79}$")


class AssessmentError(ValueError):
    """The assessment's data is not one the site can publish; the message lists what is wrong."""


@dataclass(frozen=True)
class SectionVerdict:
    section: str
    meets: bool
    reason: str


@dataclass(frozen=True)
class Entry:
    id: str
    name: str
    url: str
    summary: str
    meets: bool
    spdx: bool  # whether `id` is on the SPDX License List
    sections: tuple[SectionVerdict, ...]

    @property
    def unmet(self) -> list[str]:
        return [verdict.section for verdict in self.sections if not verdict.meets]


def problems(data) -> list[str]:
    """Return what is wrong with an assessment's data, in plain sentences (empty when it is sound)."""
    if not isinstance(data, list) or not data:
        return ["The assessment must be a non-empty JSON list of entries, one per license."]
    found, seen = [], set()
    for position, entry in enumerate(data, start=1):
        where = f"Entry {position}"
        if not isinstance(entry, dict):
            found.append(f"{where} is not an object.")
            continue
        identifier = entry.get("id")
        if not isinstance(identifier, str) or not _ID_RE.match(identifier):
            found.append(f"{where} needs an id: an SPDX id, a Hugging Face license id or a LicenseRef.")
        elif identifier.lower() in seen:
            found.append(f"{where} repeats the id {identifier}.")
        else:
            seen.add(identifier.lower())
            where = f"{where} ({identifier})"
        for key in ("name", "summary"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                found.append(f"{where} needs a {key}.")
        url = entry.get("url")
        if not isinstance(url, str) or not url.startswith("https://"):
            found.append(f"{where} needs the https:// URL of the license's text.")
        if not isinstance(entry.get("spdx"), bool):
            found.append(f"{where} must say (spdx: true or false) whether its id is on the SPDX License List.")
        sections = entry.get("sections")
        if not isinstance(sections, dict) or sorted(sections) != sorted(SECTIONS):
            found.append(f"{where} must judge exactly Sections {', '.join(SECTIONS)}.")
            continue
        for section in SECTIONS:
            verdict = sections[section]
            if not isinstance(verdict, dict) or not isinstance(verdict.get("meets"), bool):
                found.append(f"{where}, Section {section}: say whether it is met (meets: true or false).")
            elif not isinstance(verdict.get("reason"), str) or len(verdict["reason"].strip()) < 20:
                found.append(f"{where}, Section {section}: give the reason, citing the license's own section.")
        verdicts = [isinstance(v, dict) and v.get("meets") is True for v in sections.values()]
        if entry.get("meets") is not all(verdicts):
            found.append(f"{where}: meets must be true exactly when every Section is met.")
    return found


def canonical(source: bytes) -> bytes:
    """Return the bytes to publish for an assessment file: checked, sorted, indented, UTF-8."""
    try:
        data = json.loads(source)
    except (UnicodeDecodeError, ValueError) as error:
        raise AssessmentError(f"The assessment is not valid JSON: {error}.") from None
    found = problems(data)
    if found:
        raise AssessmentError(" ".join(found))
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def entries(body: bytes) -> list[Entry]:
    """Read published assessment bytes into entries, in their published order."""
    return [
        Entry(
            id=item["id"],
            name=item["name"],
            url=item["url"],
            summary=item["summary"],
            meets=item["meets"],
            spdx=item["spdx"],
            sections=tuple(
                SectionVerdict(section, item["sections"][section]["meets"], item["sections"][section]["reason"])
                for section in SECTIONS
            ),
        )
        for item in json.loads(body)
    ]


def find(body: bytes, identifier: str) -> Entry | None:
    """Return the entry for a license id (case-insensitive), or None."""
    wanted = identifier.strip().lower()
    return next((entry for entry in entries(body) if entry.id.lower() == wanted), None)
