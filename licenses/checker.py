"""Which of our texts a LICENSE file is, what it fills in, and how it differs: the LICENSE checker.

A text is compared with every published version of every document, as SPDX's matching guidelines
say (../shared/spdx/): case, whitespace, line breaks and wrapping, quote and dash variants, bullets
and list numbering, Markdown syntax, the copyright symbol's forms and a few spelling variants are
equivalent; a template's fill-in fields are its variable parts. The comparison is pure functions
over strings; `check()`, the one entry point of the page, /check.json, the API and `manage.py
check_license`, gives them the published versions (`published_candidates()`, kept per process
until a publication).

- exact: every word of a version, in order, with its fields filled in (or left as [LICENSOR] or
  {{licensor}}: reported as unfilled);
- modified: closest to a version but not it: the similarity and each difference, word by word;
- none: not one of our texts.
"""

import difflib
import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import yaml

from . import fields, memory, outputs
from .models import Version

# At or above this share of matching words a text is a changed version of the closest one; below, it
# is another text (half of a version is still 0.67; Apache-2.0 is far below).
MODIFIED_SIMILARITY = 0.6
MAX_BYTES = 1024 * 1024
MAX_VALUE = 800  # characters of a field's value once normalized (spaces around signs included)

_QUOTES = str.maketrans(dict.fromkeys('"‘’‚‛“”„‟´«»‹›′″＂＇', "'"))
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−﹘﹣－", "-"))
# Spelling variants SPDX's guidelines treat as the same word (a few that license texts use).
_EQUIVALENT_WORDS = {
    "licence": "license",
    "licences": "licenses",
    "licenced": "licensed",
    "licencing": "licensing",
    "organization": "organisation",
    "organizations": "organisations",
    "authorization": "authorisation",
    "acknowledgement": "acknowledgment",
    "initialize": "initialise",
    "favor": "favour",
    "behavior": "behaviour",
    "per cent": "percent",
}
# A word, an HTML entity (the .md escapes & and < as entities), or one other visible character.
_TOKEN_RE = re.compile(r"&(?:[a-z]+|#\d+|#x[0-9a-f]+);|[^\W_]+|\S", re.I)
_PLACEHOLDER_RE = re.compile(r"\{\{\s*([a-z][a-z0-9_]{0,39})\s*\}\}")
# Markdown syntax that carries no words.
_MARKUP = {"*", "_", "#", "\\", "`", "~", "|"}
# A list marker at the start of a line: -, *, +, •, 1., 1), (1), a., (a), (iv).
_MARKER_RE = re.compile(
    r"^[ \t>]*(?!\(c\))(?:[-*+•·▪‣◦]|\(?[0-9]{1,3}[.)]|\(?[a-z][.)]|\([ivxlc]{1,5}\)|\([a-z0-9]{1,3}\))(?=[ \t])", re.I
)


@dataclass(frozen=True)
class Token:
    text: str  # normalized
    start: int  # offsets in the original text
    end: int
    optional: bool = False  # a list marker or section number: present or not, the same text
    field: str | None = None  # a template's fill-in field


def tokens(text: str, *, template: bool = False) -> list[Token]:
    """Return a text's words and signs, normalized; a template's {{field}}s become field tokens.

    List markers count as words in a template (optional ones) but are dropped from a text where a
    line starts with one after a line that ends a sentence or clause, so that rewrapped, renumbered
    and re-bulleted texts compare equal.
    """
    found: list[Token] = []
    position = 0
    previous_line = ""
    for line in text.splitlines(keepends=True):
        marker = _MARKER_RE.match(line)
        ends_clause = not previous_line.strip() or previous_line.rstrip()[-1:] in ".:;!?"
        skip_to = 0
        if marker and not template and ends_clause:
            skip_to = marker.end()
        heading_number = template and re.match(r"^#{1,6}[ \t]+\d+(?:\.\d+)*\.?", line)
        pieces = _template_pieces(line) if template else [(0, line, None)]
        for offset, piece, name in pieces:
            if name is not None:
                found.append(Token("", position + offset, position + offset + len(piece), field=name))
                continue
            for match in _TOKEN_RE.finditer(piece):
                start = offset + match.start()
                if start < skip_to:
                    continue
                in_marker = (marker and start < marker.end()) or (heading_number and start < heading_number.end())
                optional = bool(in_marker)  # in a text: a marker kept mid-paragraph
                for word in _normalize(match.group()):
                    found.append(Token(word, position + start, position + offset + match.end(), optional=optional))
        previous_line = line
        position += len(line)
    return _merge_copyright(found)


def _template_pieces(line: str) -> list[tuple[int, str, str | None]]:
    """Split a template line into text and {{field}} pieces: (offset, text, field name or None)."""
    pieces, at = [], 0
    for match in _PLACEHOLDER_RE.finditer(line):
        pieces.append((at, line[at : match.start()], None))
        pieces.append((match.start(), match.group(), match[1]))
        at = match.end()
    pieces.append((at, line[at:], None))
    return pieces


def _normalize(raw: str) -> list[str]:
    """The normalized form of one token: none for Markdown syntax and invisible characters (a byte
    order mark, zero-width spaces), one word otherwise."""
    if len(raw) == 1 and unicodedata.category(raw) in ("Cf", "Cc", "Co", "Cn"):
        return []
    if raw.startswith("&") and raw.endswith(";") and len(raw) > 2:
        raw = html.unescape(raw)
    word = raw.translate(_QUOTES).translate(_DASHES).casefold()
    if word in _MARKUP:
        return []
    if word == "©":
        word = "copyright"
    return [_EQUIVALENT_WORDS.get(word, word)]


def _merge_copyright(found: list[Token]) -> list[Token]:
    """Make "(c)", "©" and "Copyright" one word, and "Copyright ©" one too."""
    merged: list[Token] = []
    index = 0
    while index < len(found):
        token = found[index]
        texts = [t.text for t in found[index : index + 3]]
        if texts == ["(", "c", ")"]:
            token = Token("copyright", token.start, found[index + 2].end, token.optional)
            index += 2
        if token.text == "copyright" and merged and merged[-1].text == "copyright" and merged[-1].field is None:
            kept = merged[-1]
            merged[-1] = Token(kept.text, kept.start, token.end, kept.optional)
            index += 1
            continue
        merged.append(token)
        index += 1
    return merged


# Templates: a published version's words, compiled once.


@dataclass(frozen=True)
class Candidate:
    """A published version to compare with: what the checker needs of it."""

    document: str  # slug
    title: str  # "Open Weights Permissive License 1.1"
    short_name: str  # "OWPL"
    number: str
    latest: str  # the latest published number of the document
    url: str  # the version's page
    spdx_id: str | None
    markdown: str
    fields: tuple[str, ...] = ()
    is_license: bool = True
    specs: tuple = ()  # the declared fields (fields.py), to validate what a text fills in


@dataclass
class Difference:
    removed: str
    added: str
    at: int  # position in the checked text (characters)

    def as_json(self) -> dict:
        return {"removed": self.removed, "added": self.added}


@dataclass
class Result:
    match: str  # "exact", "modified" or "none"
    candidate: Candidate | None = None
    values: dict[str, str] = field(default_factory=dict)
    unfilled: list[str] = field(default_factory=list)
    invalid: dict[str, str] = field(default_factory=dict)  # values the wizard would refuse, and why
    similarity: float = 0.0
    differences: list[Difference] = field(default_factory=list)
    model_card: dict | None = None

    @property
    def superseded(self) -> bool:
        return self.candidate is not None and self.candidate.number != self.candidate.latest

    @property
    def message(self) -> str:
        """The verdict in one or two plain sentences."""
        c = self.candidate
        if self.match == "none":
            closest = f" The closest is {c.title}, at {self.similarity:.0%} of its words." if c else ""
            return (
                "This is not one of the texts published here: it is neither a version of the Open Weights "
                f"Definition nor of a license of this site.{closest}"
            )
        if self.match == "modified":
            name = f"the {c.title.rsplit(' ', 1)[0]}" if c.is_license else "the Open Weights Definition"
            return (
                f"This text is not {c.title}: it is {self.similarity:.0%} the same, with "
                f"{len(self.differences)} difference{'s' if len(self.differences) != 1 else ''}. "
                f"A changed text is not {name} and must not be called so, nor presented as a version of it."
            )
        parts = [f"This is {c.title}, word for word."]
        if self.unfilled:
            parts.append(f"Not filled in: {', '.join(self.unfilled)}.")
        elif c.fields and not self.invalid:
            parts.append("Every field is filled in.")
        for name, problem in self.invalid.items():
            parts.append(f"Its {name} would not be accepted by the wizard: {problem}")
        if self.superseded:
            parts.append(f"A newer version, {c.latest}, is published; this one stays valid.")
        return " ".join(parts)

    def as_json(self) -> dict:
        c = self.candidate
        return {
            "match": self.match,
            "document": c.document if c and self.match != "none" else None,
            "version": c.number if c and self.match != "none" else None,
            "title": c.title if c and self.match != "none" else None,
            "url": c.url if c and self.match != "none" else None,
            "spdx_id": c.spdx_id if c and self.match == "exact" else None,
            "closest": {"document": c.document, "version": c.number, "title": c.title} if c else None,
            "values": self.values,
            "unfilled": self.unfilled,
            "invalid": self.invalid,
            "similarity": round(self.similarity, 4),
            "differences": [difference.as_json() for difference in self.differences],
            "latest": c.latest if c and self.match != "none" else None,
            "superseded": self.superseded if self.match != "none" else False,
            "message": self.message,
            "model_card": self.model_card,
        }


# Any list marker or section number, as tokens: "3 . ", "( a ) ", "iv ) ", "- ", "1 . 2 . ", or none.
_ANY_MARKER = r"(?:(?:\( )?(?:[0-9]{1,3}(?: \. [0-9]{1,3})*|[a-z]|[ivxlc]{1,5}) (?:\. |\) )?|[-+•·▪‣◦] )?"


@cache
def _template(markdown: str) -> tuple[tuple[Token, ...], re.Pattern]:
    """A template's tokens and the pattern an exact copy of it matches (tokens joined by spaces)."""
    words = tuple(tokens(markdown, template=True))
    pattern, seen = [], {}
    for index, token in enumerate(words):
        if token.optional:
            # A list marker or section number: any marker or none, as SPDX's guidelines allow.
            if index == 0 or not words[index - 1].optional:
                pattern.append(_ANY_MARKER)
            continue
        if token.field is not None:
            if token.field in seen:
                pattern.append(f"(?P={seen[token.field]})")
            else:
                seen[token.field] = f"f{len(seen)}_{token.field}"
                # Bounded: a value is at most a few hundred characters (fields.py), and an unbounded
                # lazy group would try every end for each field of a text that does not match.
                # The group may be empty: a value of signs only ("_") has no word.
                pattern.append(f"(?P<{seen[token.field]}>(?:\\S(?:.{{0,{MAX_VALUE}}}?\\S)? )?)")
        elif token.text == "." and index and words[index - 1].field is not None:
            # Renderer 2 prints one period, not two, after a value that ends with one ("Inc.").
            pattern.append(r"(?:\. |(?<=\. ))")
        else:
            pattern.append(f"{re.escape(token.text)} ")
    return words, re.compile("".join(pattern), re.S)


def _joined(found: list[Token]) -> tuple[str, list[int]]:
    """The normalized words joined by single spaces (and one at the end), and where each starts."""
    starts, at = [], 0
    for token in found:
        starts.append(at)
        at += len(token.text) + 1
    return "".join(token.text + " " for token in found), starts


def _original(text: str, found, first: int, last: int) -> str:
    """The text from its token `first` to `last` (inclusive), as one line: Markdown escapes and
    emphasis undone, a template's fields shown as [LICENSOR]."""
    if first > last or first >= len(found):
        return ""
    raw = text[found[first].start : found[last].end]
    raw = _PLACEHOLDER_RE.sub(lambda m: f"[{m[1].upper()}]", raw)
    return _unescaped(re.sub(r"(\*\*|__|^#+ )", "", raw, flags=re.M))


def _unescaped(raw: str, *, markdown: bool = True) -> str:
    """Text as one line; in Markdown, with its escapes undone (backslashes and entities)."""
    if markdown:
        raw = html.unescape(re.sub(r"\\([\\`*_{}\[\]()#+\-.!~|<>=&])", r"\1", raw))
    # Only ASCII white space is where a line was wrapped; a no-break space is part of a value.
    return re.sub(r"[ \t\r\n\f\v]+", " ", raw).strip(" ")


def is_markdown(text: str) -> bool:
    """Whether a text is the Markdown form of one of ours: it starts with a heading (# Title)."""
    return re.match(r"\A\ufeff?\s*# ", text) is not None


def _unfilled_value(value: str, name: str) -> bool:
    compact = re.sub(r"\s+", "", value).casefold()
    return compact in (f"[{name}]", f"{{{{{name}}}}}")


def _exact(text: str, found: list[Token], candidate: Candidate) -> Result | None:
    _, pattern = _template(candidate.markdown)
    joined, starts = _joined(found)
    match = pattern.fullmatch(joined)
    if match is None:
        return None
    values, unfilled = {}, []
    index_of = {start: i for i, start in enumerate(starts)}
    spans = {}  # group: (first token, last token); last < first when it holds no word
    for group, value in match.groupdict().items():
        first = index_of.get(match.start(group), len(found))
        spans[group] = (first, first + value.count(" ") - 1)
    in_fields = {i for first, last in spans.values() for i in range(first, last + 1)}
    empty_fields_at = {first for first, last in spans.values() if last < first}  # before this token
    kinds = {spec["name"]: spec.get("kind") for spec in candidate.specs}
    for group, (first, last) in spans.items():
        name = group.split("_", 1)[1]
        if _unfilled_value(match[group], name):
            unfilled.append(name)
            continue
        # The value is everything between the words around it: signs that carry no word (a leading
        # "*" escaped in the .md) belong to it too; between two fields, to the second.
        before, after = first - 1, last + 1
        start = found[before].end if before >= 0 else 0
        next_is_field = after in in_fields or (first <= last and after in empty_fields_at)
        if after < len(found) and not next_is_field:
            end = found[after].start
        else:
            end = found[last].end if first <= last else (found[after].start if after < len(found) else len(text))
        value = _unescaped(text[start:end], markdown=is_markdown(text))
        # Renderer 2 isolates a right-to-left value (U+2068 … U+2069); a value itself never holds them.
        value = value.replace("\u2068", "").replace("\u2069", "").strip()
        if kinds.get(name) == "url":
            value = re.sub(r"[ \t\r\n]+", "", value)  # a long address is broken across lines in the .txt
        if value:
            values[name] = value
        else:
            unfilled.append(name)
    order = list(candidate.fields) or sorted(values)
    values = {name: values[name] for name in order if name in values}
    unfilled = [name for name in order if name in unfilled]
    invalid = {}
    if candidate.specs:
        specs = [spec for spec in candidate.specs if spec["name"] in values]
        _, errors = fields.validate(specs, values)
        invalid = {name: " ".join(messages) for name, messages in errors.items()}
    return Result("exact", candidate, values=values, unfilled=unfilled, invalid=invalid, similarity=1.0)


def _segments(words: list[str]) -> list[tuple[int, int]]:
    """Split words into clauses (after . ; : and at most 40 words): the units aligned first."""
    spans, start = [], 0
    for index, word in enumerate(words):
        if word in (".", ";", ":") or index - start >= 40:
            spans.append((start, index + 1))
            start = index + 1
    if start < len(words):
        spans.append((start, len(words)))
    return spans


def _opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes from `a` to `b`, word by word, found clause by clause first: aligning a few
    hundred clauses and then the words of the clauses that differ is what makes a 10 KB text quick
    to compare (a word-level alignment of the whole text takes a second)."""
    sa, sb = _segments(a), _segments(b)
    keys_a = [tuple(a[i:j]) for i, j in sa]
    keys_b = [tuple(b[i:j]) for i, j in sb]
    result = []
    a_at = b_at = 0  # where the clauses not yet aligned word by word begin
    blocks = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False).get_matching_blocks()
    # A lone "." or "1." matching across a change would pull the words around it apart: only clauses
    # of some length anchor the alignment (the last block, of size 0, marks the ends).
    blocks = [b for b in blocks if not b.size or sa[b.a + b.size - 1][1] - sa[b.a][0] >= 4]
    for block in blocks:
        a1 = sa[block.a][0] if block.a < len(sa) else len(a)
        b1 = sb[block.b][0] if block.b < len(sb) else len(b)
        if (a_at, b_at) != (a1, b1):  # the differing stretch before this block, word by word
            matcher = difflib.SequenceMatcher(None, a[a_at:a1], b[b_at:b1], autojunk=False)
            result += [(o, a_at + x1, a_at + x2, b_at + y1, b_at + y2) for o, x1, x2, y1, y2 in matcher.get_opcodes()]
        if block.size:
            a2, b2 = sa[block.a + block.size - 1][1], sb[block.b + block.size - 1][1]
            result.append(("equal", a1, a2, b1, b2))
            a_at, b_at = a2, b2
    return result


def _compared(text: str, found: list[Token], candidate: Candidate) -> Result:
    """The word-by-word comparison of a text with a version that it is not an exact copy of."""
    # List markers and section numbers (optional in a template) are left out on both sides, so that
    # they cannot pull the alignment off and show as differences.
    words = [t for t in _template(candidate.markdown)[0] if not t.optional]
    found = [t for t in found if not t.optional]
    template_words = [f"\x00{t.field}" if t.field else t.text for t in words]
    equal = filled = fields_seen = 0
    values: dict[str, str] = {}
    differences: list[Difference] = []
    for op, i1, i2, j1, j2 in _opcodes(template_words, [t.text for t in found]):
        if op == "equal":
            equal += i2 - i1
            continue
        if op == "replace" and all(w.field for w in words[i1:i2]) and j2 - j1 >= i2 - i1:
            # Fields and the words that fill them: one word each, the last field the rest ("{{year}} {{licensor}}").
            fields_seen += i2 - i1
            filled += j2 - j1
            for k, word in enumerate(words[i1:i2]):
                last = j2 - 1 if k == i2 - i1 - 1 else j1 + k
                values.setdefault(word.field, _original(text, found, j1 + k, last))
            continue
        removed = _original(candidate.markdown, words, i1, i2 - 1)
        added = _original(text, found, j1, j2 - 1)
        at = found[j1].start if j1 < len(found) else len(text)
        differences.append(Difference(removed=removed, added=added, at=at))
    total = len(words) - fields_seen + filled + len(found)
    similarity = (2 * (equal + filled)) / total if total else 0.0
    # Not exact, so never 100 %, however small the difference (rounded, it would read as the same).
    return Result("modified", candidate, values=values, similarity=min(similarity, 0.9999), differences=differences)


def check_text(text: str, candidates: Iterable[Candidate]) -> Result:
    """Check a text against published versions; the best match wins (exact, else the most similar)."""
    found = tokens(text)
    candidates = list(candidates)
    for candidate in candidates:
        result = _exact(text, found, candidate)
        if result is not None:
            return result
    # Not an exact copy of any: compare with the versions that share most of its words, the closest first.
    scored = []
    for candidate in candidates:
        words, _ = _template(candidate.markdown)
        quick = difflib.SequenceMatcher(
            None, [w.text for w in words if not w.field], [t.text for t in found], autojunk=False
        )
        scored.append((quick.quick_ratio(), candidate))
    scored.sort(key=lambda item: -item[0])
    best: Result | None = None
    for quick, candidate in scored[:3]:
        if best is not None and quick <= best.similarity:
            break
        result = _compared(text, found, candidate)
        if best is None or result.similarity > best.similarity:
            best = result
    if best is None:
        return Result("none")
    if best.similarity < MODIFIED_SIMILARITY:
        return Result("none", best.candidate, similarity=best.similarity)
    return best


# Model cards: the front matter the Hugging Face Hub reads.

_FRONT_MATTER_RE = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


def front_matter(text: str) -> dict | None:
    """The YAML front matter of a model card (README.md), or None when it has none; raise
    ValueError when it is there but is not a YAML mapping."""
    match = _FRONT_MATTER_RE.match(text)
    if match is None:
        return None
    try:
        data = yaml.safe_load(match[1])
    except yaml.YAMLError as error:
        raise ValueError(f"Its front matter is not valid YAML: {str(error).splitlines()[0]}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError("Its front matter is not a list of keys and values.")
    return data


def check_model_card(card: str, license_result: Result | None, known: Iterable[str] = ()) -> dict:
    """Whether a model card names its license as the Hub expects and agrees with the LICENSE (or,
    without one, names a license published here: `known`, such as owpl-1.1)."""
    problems: list[str] = []
    known = sorted(known)
    try:
        data = front_matter(card)
    except ValueError as error:
        return {"agrees": False, "problems": [str(error)], "license": None, "license_name": None, "license_link": None}
    if data is None:
        problems.append(
            "It has no front matter: the Hub reads the license from a block at the very top, between two "
            "lines of three dashes (---)."
        )
        data = {}
    license_id, name, link = data.get("license"), data.get("license_name"), data.get("license_link")
    c = license_result.candidate if license_result and license_result.match == "exact" else None
    expected = f"{c.document}-{c.number}" if c and c.is_license else None
    if data and license_id != "other":
        problems.append(
            f"license is {license_id!r}: for a license published here it must be 'other', with license_name and "
            "license_link, since the Hub has no id of its own for it."
        )
    if data and not name:
        problems.append("license_name is missing: give the license's short name, such as owpl-1.1.")
    elif expected and str(name).casefold() != expected:
        problems.append(f"license_name is {name!r}, but the LICENSE is {c.title}: it should be {expected!r}.")
    elif license_result is None and known and str(name).casefold() not in known:
        problems.append(f"license_name {name!r} names no license published here ({', '.join(known)}).")
    if data and not link:
        problems.append("license_link is missing: link the LICENSE file (LICENSE) or the license's page.")
    elif link and not (
        str(link).startswith(("http://", "https://"))
        or str(link).lstrip("./") in ("LICENSE", "LICENSE.md", "LICENSE.txt")
    ):
        problems.append(f"license_link is {link!r}: give the LICENSE file in the repository or an https:// address.")
    elif c and str(link).startswith("http") and f"/{c.number}" not in str(link) and "/r/" not in str(link):
        problems.append(f"license_link {link!r} does not point at {c.title} or at a release made with it.")
    if license_result is not None and license_result.match != "exact":
        problems.append(
            "The LICENSE is not an exact copy of a license published here, so the card cannot agree with it."
        )
    return {
        "agrees": not problems,
        "problems": problems,
        "license": license_id,
        "license_name": name,
        "license_link": link,
    }


# The service: what the page, /check.json, the API and the command call.

_candidates = memory.Memory("published versions to check against", limit=4)


def published_candidates() -> list[Candidate]:
    """Every published version of every document, licenses first, newest first."""

    def read() -> list[Candidate]:
        found = []
        versions = Version.objects.published().select_related("document").newest_first()
        for version in sorted(versions, key=lambda v: not v.document.is_template):
            document = version.document
            latest = document.latest_version.number
            found.append(
                Candidate(
                    document=document.slug,
                    title=version.title,
                    short_name=document.short_name,
                    number=version.number,
                    latest=latest,
                    url=outputs.absolute(version.get_absolute_url()),
                    spdx_id=document.spdx_id(version.number) if document.is_template else None,
                    markdown=version.markdown,
                    fields=tuple(version.field_names),
                    is_license=document.is_template,
                    specs=tuple(version.fields),
                )
            )
        return found

    return _candidates.get_or_make(outputs.publication_generation(), read)


class CheckError(ValueError):
    """A text that cannot be checked (empty, too large, not text); `status` is the HTTP answer."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def decode(data: bytes) -> str:
    """Return uploaded or posted bytes as text, or raise CheckError saying why they are not."""
    if len(data) > MAX_BYTES:
        raise CheckError(f"The text is larger than {MAX_BYTES // 1024} KiB: check the LICENSE file itself.", 413)
    if b"\x00" in data:
        raise CheckError("These bytes are not text (a PDF or another binary file?): give the LICENSE as text.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CheckError("The text is not UTF-8: save the LICENSE as UTF-8 and check it again.") from None


def check(text: str, *, model_card: str | None = None) -> Result:
    """Check a LICENSE text (and, when given, the model card that goes with it)."""
    if not text.strip():
        raise CheckError("The text is empty: paste a LICENSE, or choose its file.")
    if len(text.encode()) > MAX_BYTES:
        raise CheckError(f"The text is larger than {MAX_BYTES // 1024} KiB: check the LICENSE file itself.", 413)
    if model_card is None and front_matter_or_none(text) is not None:
        # A model card pasted alone: its license block, judged against no LICENSE.
        result = Result("none")
        known = [f"{c.document}-{c.number}" for c in published_candidates() if c.is_license]
        result.model_card = check_model_card(text, None, known)
        return result
    result = check_text(text, published_candidates())
    if model_card is not None and model_card.strip():
        result.model_card = check_model_card(model_card, result)
    return result


def front_matter_or_none(text: str) -> dict | None:
    try:
        return front_matter(text)
    except ValueError:
        return {}
