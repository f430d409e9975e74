"""Is this release Open Weights? The self-assessment: the questionnaire of a Definition version, the
answers a publisher gives (checked, and put in canonical form), the verdict, and the id.

Pure: no request and no database. The licenses whose verdict is known come in as `known`, the
entries of the assessment published and frozen with the Definition version (conformance.py); the
service that stores a statement is publishing.create_assessment(), and what the answers mean under
other frameworks is mappings.py's.

The questions follow the text of Definition 1.1 and cite its sections:
- Section 2: a complete copy of the weights obtainable by anyone without individual approval;
- Sections 2 to 7: the license of the weights (and of the elements needed to run them). An OWPL
  version or one of the licenses assessed with the Definition has a known verdict; the Creative
  Commons NonCommercial and NoDerivatives licenses fail by their defining term; for any other
  license each question is answered in turn, and a "yes" needs the URL of the license's text;
- Section 8: each material with the URL where anyone can read it, the terms of the materials, the
  training software's location and license (an SPDX expression: open source means on the OSI's
  list, as the SPDX License List marks it; public domain means CC0-1.0, the Unlicense or
  LicenseRef-Public-Domain), and where the system components are named;
- Section 9: the optional criteria, each with its evidence URL and license.
A "yes" without an evidence URL is not a yes: a material without its URL is missing.
"""

import base64
import hashlib
import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError

from . import expressions
from .conformance import Entry
from .fields import single_line

# The Definition versions whose text these questions follow.
VERSIONS = ("1.1",)
MAX_NAME = 200
MAX_URL = 500
MAX_LICENSE = 100
ID_RE = re.compile(r"^[a-z2-7]{16}$")
RELEASE_ID_RE = re.compile(r"^[a-z2-7]{16}$")

# Section 2, first paragraph: how the weights can be obtained.
ACCESS = {
    "open": "Anyone can download a complete copy without individual approval (accepting the license, or an "
    "account open to everyone and granted without review, is allowed)",
    "approval": "Downloading depends on a request being approved, or on registration that someone grants or refuses",
}

# The questions a license whose verdict is not known answers, one per Section (2 to 7), as the
# Definition words them; and the sentence that says a "no" in the verdict.
LICENSE_QUESTIONS = {
    "2": (
        "Do the license's permissions reach every right that the licensor or any of its affiliates holds and that "
        "using, modifying or redistributing the weights would otherwise infringe (copyright and related rights, "
        "database rights, patent rights, rights in trade secrets), extend to everyone who obtains the weights "
        "without any agreement other than accepting the license, and last as long as those rights, with no "
        "revocation, ending or suspension except for a failure to meet a condition that is put right within 30 "
        "days, or for bringing a patent claim against the release?"
    ),
    "3": (
        "Does the license permit anyone to use the weights for any purpose, including commercial purposes, "
        "without fee or royalty, including running, studying and evaluating the model and doing anything with "
        "its outputs, such as training other models?"
    ),
    "4": (
        "Does the license permit anyone to modify the weights for any purpose and by any technique (fine-tuning, "
        "quantizing, pruning, merging, distilling, converting, training another model with them) and to use the "
        "result as freely as the original, without requiring that modifications be approved by, reported to or "
        "shared with the publisher or the licensor?"
    ),
    "5": (
        "Does the license permit anyone to redistribute the weights, unmodified or modified, alone or as part of "
        "a larger work, with or without charge?"
    ),
    "6": (
        "Does the license avoid excluding or disadvantaging any person or group, or any field of activity or "
        "purpose, whether by name, description or category (for example the publisher's competitors, "
        "organisations above a certain size, or a particular country or industry)?"
    ),
    "7": (
        "Are the license's only conditions those Section 7 allows (passing on the license or a notice identifying "
        "it with the notices supplied, identifying modified elements as modified and by whom, and not implying "
        "endorsement), each of which can be met by including a file with each copy or giving a URL, with none "
        "applying to outputs or asking for notices in a product's user interface, and does it require neither "
        "that modified weights or works made with them be licensed on any particular terms (copyleft or "
        "share-alike) nor that related material be published?"
    ),
}
LICENSE_UNMET = {
    "2": "the license's permissions must reach every right of the licensor and its affiliates that the acts "
    "concerned would infringe, extend to everyone who obtains the weights, and end only as Section 2 allows",
    "3": "the license must permit anyone to use the weights for any purpose, including commercial purposes, "
    "without fee or royalty",
    "4": "the license must permit anyone to modify the weights for any purpose and by any technique, and to use "
    "the result as freely as the original, with no approval, report or sharing required",
    "5": "the license must permit anyone to redistribute the weights, unmodified or modified, alone or in a larger "
    "work, with or without charge",
    "6": "the license must not exclude or disadvantage any person or group, or any field of activity or purpose",
    "7": "the license may attach only the conditions Section 7 allows, met by a file or a URL, and must be "
    "permissive (no copyleft or share-alike)",
}
LICENSE_SECTIONS = tuple(LICENSE_QUESTIONS)

# Section 8's materials, as its list names them (item number, what it is), and the training software.
MATERIALS = {
    "architecture": ("1", "a description of the architecture, detailed enough to implement it"),
    "training_method": (
        "2",
        "a description of the training method: the objectives, the optimisation algorithm and the stages of training",
    ),
    "training_data": (
        "3",
        "a description of the training data: what it consists of, where it came from and how it was obtained (its "
        "provenance), and how it was selected, filtered and processed",
    ),
    "hyperparameters": (
        "4",
        "the hyperparameters: the values chosen, not learned, that governed training, such as the learning rate "
        "schedule, batch size, number of steps and optimiser settings",
    ),
    "training_software": (
        "",
        "the training software: the software used to prepare the training data and to train the model, with the "
        "scripts and configuration files with which it was run",
    ),
}
DOCUMENTS = tuple(key for key, (number, _) in MATERIALS.items() if number)

# Section 9's optional criteria: what each asks of its evidence's license.
OPTIONAL = {
    "training_data": (
        "Open training data",
        "the training data is available to the public under a license that would meet Sections 3 to 7 if the data "
        "were weights, or is in the public domain",
    ),
    "user_software": (
        "Open user software",
        "software for running and interacting with the model, such as a user interface, is under an open source "
        "license or in the public domain",
    ),
    "further_training_software": (
        "Open further-training software",
        "software for fine-tuning or further training the model is under an open source license or in the public "
        "domain",
    ),
}

FIELDS = (
    "definition",
    "model",
    "publisher",
    "release_url",
    "access",
    "release",
    "license",
    "license_url",
    "license_answers",
    "evidence",
    "materials_license",
    "training_software_license",
    "system_components",
    "optional",
)

# Licenses that fail by the term in their very name (Creative Commons': NonCommercial, NoDerivatives),
# so their verdict is known without answers; the sections they fail, and why.
_NAMED_FAILURES = (
    (
        re.compile(r"^CC-BY-NC(-ND|-SA)?-"),
        {
            "3": "its NonCommercial term permits use only for non-commercial purposes",
            "6": "its NonCommercial term withholds permissions from a field of activity, commercial use",
        },
    ),
    (
        re.compile(r"^CC-BY(-NC)?-ND-"),
        {
            "4": "its NoDerivatives term forbids sharing adapted material, so a modified model cannot be used as "
            "freely as the original",
            "5": "its NoDerivatives term forbids redistributing modified weights",
        },
    ),
)


class InvalidAnswers(ValueError):
    """Answers the questionnaire cannot take; `errors` maps each field (evidence.training_data) to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Finding:
    """One item of the verdict: a section's requirement, met or not, in a plain sentence."""

    section: str
    item: str
    met: bool
    reason: str

    def as_dict(self) -> dict:
        return {"section": self.section, "item": self.item, "met": self.met, "reason": self.reason}


@dataclass(frozen=True)
class OptionalResult:
    """One optional criterion of Section 9: met, not met, not determined, or not stated."""

    criterion: str
    name: str
    status: str
    reason: str

    def as_dict(self) -> dict:
        return {"criterion": self.criterion, "name": self.name, "status": self.status, "reason": self.reason}


@dataclass(frozen=True)
class Verdict:
    conforms: bool
    findings: tuple[Finding, ...]
    optional: tuple[OptionalResult, ...]

    @property
    def unmet(self) -> list[dict]:
        return [{"section": f.section, "item": f.item, "reason": f.reason} for f in self.findings if not f.met]


# Checking answers.


_RESERVED_NAMES = ("localhost", "local", "internal", "test", "invalid", "example", "onion", "arpa", "lan", "home")
_LABEL_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_TLD_RE = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")


def public_url(value) -> str:
    """Return an http(s) URL to a public host name, normalised; raise ValueError saying what is wrong.

    Nothing is fetched: the host is judged by its name alone, so an address the public cannot reach
    (an IP literal, localhost, a single-label or reserved name) is refused as evidence."""
    if not isinstance(value, str):
        raise ValueError("Give the URL as text.")
    value = value.strip()
    if len(value) > MAX_URL:
        raise ValueError(f"Use at most {MAX_URL} characters.")
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in value):
        raise ValueError("A URL has no spaces or control characters.")
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not value.lower().startswith(parts.scheme.lower() + "://"):
        raise ValueError("Give an https:// (or http://) URL.")
    if "@" in parts.netloc:
        raise ValueError("Give the URL without a user name or password.")
    host = (parts.hostname or "").rstrip(".")
    try:
        parts.port  # noqa: B018 (parses the port, raising on a bad one)
    except ValueError:
        raise ValueError("The URL's port is not a number from 0 to 65535.") from None
    if not host:
        raise ValueError("The URL has no host name.")
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        raise ValueError("Give a public host name, not an IP address.")
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise ValueError("The host name is not a valid domain name.") from None
    labels = ascii_host.split(".")
    if labels[-1] == "localhost":
        raise ValueError("“localhost” names this computer, not a public host: give a public host name.")
    if len(labels) < 2:
        raise ValueError("Give a public host name, with a dot in it (such as huggingface.co).")
    if labels[-1] in _RESERVED_NAMES or ascii_host.endswith(".home.arpa"):
        raise ValueError(f"“.{labels[-1]}” names are not public: give a public host name.")
    if not all(_LABEL_RE.match(label) for label in labels) or not _TLD_RE.match(labels[-1]):
        raise ValueError("The host name is not a valid public domain name.")
    netloc = ascii_host + (f":{parts.port}" if parts.port is not None else "")
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, parts.fragment))


def _text(value, *, limit: int = MAX_NAME) -> str:
    if not isinstance(value, str):
        raise ValueError("Give this as text.")
    if len(value) > limit:
        raise ValueError(f"Use at most {limit} characters.")
    try:
        return single_line(value)
    except ValidationError as error:
        raise ValueError(" ".join(error.messages)) from None


def _yes_no(value) -> str:
    if value is True or (isinstance(value, str) and value.strip().lower() == "yes"):
        return "yes"
    if value is False or (isinstance(value, str) and value.strip().lower() == "no"):
        return "no"
    raise ValueError("Answer yes or no.")


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def find_known(known: Mapping[str, Entry], identifier: str) -> Entry | None:
    return known.get(identifier.lower())


def license_id(value, known: Mapping[str, Entry]) -> str:
    """Return the weights' license as the one id it is known by; raise ValueError saying what is wrong."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("Name the license of the weights: an SPDX id or a LicenseRef, such as LicenseRef-OWPL-1.1.")
    value = value.strip()
    if len(value) > MAX_LICENSE:
        raise ValueError(f"Use at most {MAX_LICENSE} characters.")
    entry = find_known(known, value)
    if entry is not None:
        return entry.id
    if re.search(r"\s|\(|\)", value) and not re.fullmatch(r"(?i)public[\s-]+domain", value):
        raise ValueError(
            "Give one license id. Where the weights are offered under a choice of licenses, one of them must meet "
            "the Definition (Section 2): assess that one."
        )
    identifier = expressions.canonical_id(value)
    if identifier is None:
        raise ValueError(
            f"“{value[:60]}” is neither on the SPDX License List nor among the licenses assessed with the "
            "Definition: check its spelling, or write it as LicenseRef-Its-Name."
        )
    return identifier


def named_failures(identifier: str) -> dict[str, str]:
    """The sections a license fails by the term in its name (CC NonCommercial, NoDerivatives), or {}."""
    failed: dict[str, str] = {}
    for pattern, sections in _NAMED_FAILURES:
        if pattern.match(identifier):
            failed.update(sections)
    return dict(sorted(failed.items()))


def verdict_known(identifier: str, known: Mapping[str, Entry]) -> bool:
    return find_known(known, identifier) is not None or bool(named_failures(identifier))


def check(data, *, known: Mapping[str, Entry], definition: str) -> dict:
    """Return the answers in canonical form (the same answers always give the same dict), or raise
    InvalidAnswers naming every field that is wrong.

    Canonical: every key present, empty answers as None, URLs and license ids normalised, and what
    does not count left out (questions about a license whose verdict is known)."""
    errors: dict[str, list[str]] = {}

    def attempt(field: str, make):
        try:
            return make()
        except ValueError as error:
            errors.setdefault(field, []).append(str(error))
            return None

    if not isinstance(data, Mapping):
        raise InvalidAnswers({"body": ["Send the answers as one JSON object."]})
    for key in sorted(set(data) - set(FIELDS), key=str):
        errors[str(key)[:60]] = [f"This is not a question of the assessment; the fields are {', '.join(FIELDS)}."]

    answers: dict = {}
    for field in ("model", "publisher"):
        value = data.get(field)
        if _blank(value):
            errors[field] = ["Fill this in."]
        else:
            answers[field] = attempt(field, lambda value=value: _text(value))
    value = data.get("release_url")
    if _blank(value):
        errors["release_url"] = ["Give the URL where the weights can be obtained."]
    else:
        answers["release_url"] = attempt("release_url", lambda: public_url(value))
    access = data.get("access", "open")
    if not isinstance(access, str) or access not in ACCESS:
        errors["access"] = [f"Answer {' or '.join(ACCESS)}."]
    answers["access"] = access if isinstance(access, str) else None
    release = data.get("release")
    if _blank(release):
        answers["release"] = None
    elif not isinstance(release, str) or not RELEASE_ID_RE.match(release.strip()):
        errors["release"] = ["Give the id of a release made on this site: 16 letters and digits, as in /r/<id>/."]
    else:
        answers["release"] = release.strip()

    identifier = attempt("license", lambda: license_id(data.get("license"), known))
    answers["license"] = identifier
    answers["license_url"], answers["license_answers"] = None, {}
    raw_answers = data.get("license_answers")
    if raw_answers is not None and not isinstance(raw_answers, Mapping):
        errors["license_answers"] = ['Give the answers as an object: {"3": "yes", …}.']
        raw_answers = {}
    raw_answers = raw_answers or {}
    if identifier is not None and not verdict_known(identifier, known):
        if not _blank(data.get("license_url")):
            answers["license_url"] = attempt("license_url", lambda: public_url(data.get("license_url")))
        for key in sorted(set(raw_answers) - set(LICENSE_SECTIONS), key=str):
            errors[f"license_answers.{str(key)[:10]}"] = [f"The questions are Sections {', '.join(LICENSE_SECTIONS)}."]
        for section in LICENSE_SECTIONS:
            field = f"license_answers.{section}"
            if _blank(raw_answers.get(section)):
                errors[field] = [
                    f"{identifier}'s verdict is not known: answer Section {section}'s question about its terms."
                ]
            else:
                answers["license_answers"][section] = attempt(field, lambda s=section: _yes_no(raw_answers[s]))

    evidence = data.get("evidence") or {}
    if not isinstance(evidence, Mapping):
        errors["evidence"] = ['Give the evidence as an object of URLs: {"architecture": "https://…", …}.']
        evidence = {}
    for key in sorted(set(evidence) - set(MATERIALS), key=str):
        errors[f"evidence.{str(key)[:40]}"] = [f"The materials are {', '.join(MATERIALS)}."]
    answers["evidence"] = {}
    for key in MATERIALS:
        value = evidence.get(key)
        answers["evidence"][key] = None if _blank(value) else attempt(f"evidence.{key}", lambda v=value: public_url(v))

    for field in ("materials_license", "training_software_license"):
        value = data.get(field)
        answers[field] = None if _blank(value) else attempt(field, lambda v=value: _expression(v, known))
    if answers["materials_license"] is not None and answers["materials_license"] == identifier:
        answers["materials_license"] = None  # the default: the materials are under the weights' license
    value = data.get("system_components")
    answers["system_components"] = None if _blank(value) else attempt("system_components", lambda: public_url(value))
    if answers["system_components"] is not None and answers["system_components"] == answers["evidence"].get(
        "training_software"
    ):
        answers["system_components"] = None  # the default: named with the training software

    optional = data.get("optional") or {}
    if not isinstance(optional, Mapping):
        errors["optional"] = ['Give the optional criteria as an object: {"training_data": {"url": …, "license": …}}.']
        optional = {}
    for key in sorted(set(optional) - set(OPTIONAL), key=str):
        errors[f"optional.{str(key)[:40]}"] = [f"The optional criteria are {', '.join(OPTIONAL)}."]
    answers["optional"] = {}
    for key in OPTIONAL:
        given = optional.get(key)
        if given is None or given == {}:
            answers["optional"][key] = None
            continue
        if not isinstance(given, Mapping) or set(given) - {"url", "license"}:
            errors[f"optional.{key}"] = ["Give an object with a url and a license."]
            continue
        url, terms = given.get("url"), given.get("license")
        entry = {
            "url": None if _blank(url) else attempt(f"optional.{key}.url", lambda u=url: public_url(u)),
            "license": None
            if _blank(terms)
            else attempt(f"optional.{key}.license", lambda t=terms: _expression(t, known)),
        }
        answers["optional"][key] = entry if entry["url"] or entry["license"] else None

    number = data.get("definition", definition)
    if number != definition:
        errors["definition"] = [f"This questionnaire follows Definition {definition}, not {str(number)[:10]}."]
    if errors:
        raise InvalidAnswers(errors)
    return answers


def _known_ids(known: Mapping[str, Entry]) -> dict[str, str]:
    return {key: entry.id for key, entry in known.items()}


def _expression(value, known: Mapping[str, Entry]) -> str:
    try:
        return expressions.normalise(value, _known_ids(known))
    except expressions.ExpressionError as error:
        raise ValueError(str(error)) from None


def _parsed(terms: str, known: Mapping[str, Entry]) -> expressions.Node:
    return expressions.parse(terms, _known_ids(known))


def assessment_id(definition: str, answers: dict) -> str:
    """Return the permanent id of an assessment: a digest of the Definition version and the canonical
    answers, so that the same answers give the same address."""
    material = json.dumps(
        {"definition": definition, "answers": answers}, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return base64.b32encode(hashlib.sha256(material.encode()).digest()).decode().lower()[:16]


# The verdict.


def judge(answers: dict, *, known: Mapping[str, Entry], definition: str) -> Verdict:
    """Return the verdict on canonical answers: every requirement of Sections 2 to 8 met or not, and
    the optional criteria of Section 9."""
    findings = [_access(answers)]
    findings += _license(answers, known, definition)
    findings += _materials(answers, known)
    optional = tuple(_optional(key, answers["optional"][key], known) for key in OPTIONAL)
    return Verdict(all(f.met for f in findings), tuple(findings), optional)


def _access(answers: dict) -> Finding:
    if answers["access"] == "open":
        return Finding(
            "2",
            "access",
            True,
            f"A complete copy of the weights can be obtained by anyone at {answers['release_url']}, without "
            "individual approval.",
        )
    return Finding(
        "2",
        "access",
        False,
        "Section 2: a complete copy of the weights must be obtainable by anyone without individual approval; "
        "access that depends on a request being approved, or on registration that someone grants or refuses, "
        "does not meet it.",
    )


def _license(answers: dict, known: Mapping[str, Entry], definition: str) -> list[Finding]:
    identifier = answers["license"]
    entry = find_known(known, identifier)
    if entry is not None:
        read = f"as the assessment of licenses published with Definition {definition} reads it"
        return [
            Finding(
                verdict.section,
                "license",
                verdict.meets,
                f"{entry.name} ({entry.id}) {'meets' if verdict.meets else 'does not meet'} Section "
                f"{verdict.section}, {read}: {verdict.reason}",
            )
            for verdict in entry.sections
        ]
    failures = named_failures(identifier)
    if failures:
        return [
            Finding(
                section,
                "license",
                False,
                f"Section {section}: {LICENSE_UNMET[section]}; {identifier} does not, as {why} (by the term in its "
                "name; its other terms were not assessed).",
            )
            for section, why in failures.items()
        ]
    url = answers["license_url"]
    findings = []
    for section in LICENSE_SECTIONS:
        answer = answers["license_answers"].get(section)
        if answer == "yes" and url:
            findings.append(
                Finding(
                    section,
                    "license",
                    True,
                    f"{identifier} meets Section {section}, as the publisher answers for the license's text at {url}.",
                )  # fmt: skip
            )
        elif answer == "yes":
            findings.append(
                Finding(
                    section,
                    "license",
                    False,
                    f"Section {section}: the publisher answered yes for {identifier} "
                    "but gave no URL of the license's text to check it against, and a yes without evidence is "
                    "not a yes.",
                )  # fmt: skip
            )
        else:
            findings.append(
                Finding(
                    section,
                    "license",
                    False,
                    f"Section {section}: {LICENSE_UNMET[section]}; the publisher answers that {identifier} does not.",
                )  # fmt: skip
            )
    return findings


def _materials(answers: dict, known: Mapping[str, Entry]) -> list[Finding]:
    evidence = answers["evidence"]
    findings = []
    for key, (number, what) in MATERIALS.items():
        url = evidence[key]
        where = f"item {number}" if number else "third paragraph"
        if url:
            findings.append(Finding("8", key, True, f"{what[0].upper()}{what[1:]}: at {url}."))
        elif key == "training_software":
            findings.append(
                Finding(
                    "8",
                    key,
                    False,
                    "Section 8: the release must state where to obtain the training software, and no URL was given.",
                )  # fmt: skip
            )
        else:
            findings.append(
                Finding(
                    "8",
                    key,
                    False,
                    f"Section 8, {where}: the release must include {what}, or state a public "
                    "location where anyone may obtain it without charge and without individual approval; no URL "
                    "was given.",
                )  # fmt: skip
            )
    findings.append(_materials_terms(answers, known))
    findings.append(_training_software_license(answers["training_software_license"], known))
    findings.append(_system_components(answers))
    return findings


def _permits_sharing(license: expressions.License, known: Mapping[str, Entry], answers: dict) -> bool | None:
    """Whether a license lets anyone read, use, copy and share the materials for any purpose (Section
    8): from the SPDX flags and the open content licenses, else from the license's verdict on use
    (Section 3) and redistribution (Section 5); None when nothing tells."""
    if expressions.permits_reading_and_sharing(license):
        return True
    if named_failures(license.id):
        return False
    entry = find_known(known, license.id)
    if entry is not None:
        return all(v.meets for v in entry.sections if v.section in ("3", "5"))
    if license.id == answers["license"] and answers["license_url"]:
        return all(answers["license_answers"].get(section) == "yes" for section in ("3", "5"))
    return None


def _materials_terms(answers: dict, known: Mapping[str, Entry]) -> Finding:
    terms = answers["materials_license"] or answers["license"]
    named = "" if answers["materials_license"] else " (the weights' license: no other terms were named)"
    node = _parsed(answers["materials_license"], known) if answers["materials_license"] else expressions.License(terms)
    result = expressions.holds(node, lambda lic: _permits_sharing(lic, known, answers))
    if result:
        return Finding(
            "8",
            "materials_license",
            True,
            f"The materials are published under {terms}{named}, which permits anyone to read, use, copy and share "
            "them for any purpose.",
        )
    why = "does not" if result is False else "is not known to this questionnaire to"
    return Finding(
        "8",
        "materials_license",
        False,
        f"Section 8: the materials must be published under terms that permit anyone to read, use, copy and share "
        f"them for any purpose, such as CC-BY-4.0, CC0-1.0 or an open source license, or be in the public domain; "
        f"{terms}{named} {why} permit that.",
    )


def _training_software_license(terms: str | None, known: Mapping[str, Entry]) -> Finding:
    if not terms:
        return Finding(
            "8",
            "training_software_license",
            False,
            "Section 8: the training software must be available under an open source license or be in the public "
            "domain, and no license was given for it.",
        )
    if expressions.holds(_parsed(terms, known), expressions.is_open_source):
        return Finding(
            "8",
            "training_software_license",
            True,
            f"The training software is under {terms}: an open source license (on the Open Source Initiative's list "
            "of approved licenses) or a public-domain dedication.",
        )
    return Finding(
        "8",
        "training_software_license",
        False,
        f"Section 8: the training software must be available under an open source license (one the Open Source "
        f"Initiative has approved) or be in the public domain; {terms} is neither.",
    )


def _system_components(answers: dict) -> Finding:
    url = answers["system_components"]
    software = answers["evidence"]["training_software"]
    if url:
        return Finding(
            "8",
            "system_components",
            True,
            f"The system components the training software depends on are named at {url}.",
        )
    if software:
        return Finding(
            "8",
            "system_components",
            True,
            f"The system components the training software depends on are named with it, at {software} (no other "
            "location was given).",
        )
    return Finding(
        "8",
        "system_components",
        False,
        "Section 8: the release must name each system component on which the training software depends, and no "
        "URL was given where they are named.",
    )


def _optional(key: str, given: dict | None, known: Mapping[str, Entry]) -> OptionalResult:
    name, asks = OPTIONAL[key]
    if given is None:
        return OptionalResult(key, name, "not stated", "Not claimed.")
    url, terms = given["url"], given["license"]
    if not url:
        return OptionalResult(
            key, name, "not met", f"A license ({terms}) was named, but no URL where it can be obtained."
        )
    if not terms:
        return OptionalResult(key, name, "not met", f"{url} was given, but no license for it.")
    node = _parsed(terms, known)
    if key == "training_data":
        result = expressions.holds(node, lambda lic: _meets_as_weights(lic, known))
    else:
        result = expressions.holds(node, expressions.is_open_source)
    if result:
        return OptionalResult(key, name, "met", f"At {url}, under {terms}: {asks}.")
    if result is None:
        return OptionalResult(
            key,
            name,
            "not determined",
            f"At {url}, under {terms}, which is not among the licenses whose verdict is known, so whether {asks} is "
            "not determined by these answers.",
        )
    return OptionalResult(key, name, "not met", f"{terms} does not meet it: Section 9 asks that {asks}.")


def _meets_as_weights(license: expressions.License, known: Mapping[str, Entry]) -> bool | None:
    """Whether data under this license would meet Sections 3 to 7 were it weights, or is public domain."""
    if license.public_domain:
        return True
    entry = find_known(known, license.id)
    if entry is not None:
        return all(v.meets for v in entry.sections if v.section in LICENSE_SECTIONS)
    if named_failures(license.id):
        return False
    return None


def known_licenses(entries: list[Entry]) -> dict[str, Entry]:
    """The licenses of a published assessment, by their id in lower case (ids are case-insensitive)."""
    return {entry.id.lower(): entry for entry in entries}
