"""The fill-in fields of a license template: the kinds a field can be, the rules its declaration
must follow, the rules a value must pass, and the canonical form of the values.

One entry point for values, `validate()`, serves the wizard's form, the `curl` endpoint, publishing
(which checks each declared example with it) and the API alike.
"""

import datetime
import re
import unicodedata
from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError

from .fonts import missing_characters
from .rendering import PDF_WORD_LIMIT_PT, neutralise, placeholder_label, placeholders, widest_pdf_word

KINDS = ("text", "year", "url", "email")
KEYS = ("name", "label", "help_text", "example", "required", "max_length", "kind")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_LENGTH = 500

# Whatever shows nothing of itself, or moves text around: controls (a tab becomes a space), every
# format character (zero-width space, word joiner, byte order mark, soft hyphen, bidi overrides and
# marks, tag characters…), private use in every plane, surrogates, and the letters Hangul and Braille
# use as blanks. The zero-width non-joiner and joiner are format characters that Persian, Indic
# scripts and emoji need inside words, so they pass. Line breaks are refused first, with their own message.
_REFUSED_CATEGORIES = {"Cc", "Cf", "Co", "Cs"}
_ALLOWED = "\t\u200c\u200d"
_BLANK_LETTERS = "\u115f\u1160\u3164\uffa0\u2800"
_MESSAGES = {
    "newline": "Use a single line: line breaks are not allowed.",
    "control": "Remove the invisible control or text-direction characters.",
    "encoding": "Remove the \ufffd characters: they stand for bytes that were not valid UTF-8.",
    "noncharacter": "Remove the noncharacters (U+FFFF and its kin): Unicode keeps them for programs, never for text.",
    "blank": "Enter visible text, or leave the field empty.",
    "repeated": "Give this value once: it was sent more than once.",
}


def _invisible(char: str) -> bool:
    if char in _ALLOWED:
        return False
    return unicodedata.category(char) in _REFUSED_CATEGORIES or char in _BLANK_LETTERS


def _noncharacter(char: str) -> bool:
    """The 66 code points Unicode keeps out of text for good (unlike unassigned ones, which a later
    Unicode version may give a meaning)."""
    point = ord(char)
    return 0xFDD0 <= point <= 0xFDEF or point & 0xFFFE == 0xFFFE


def single_line(value: str) -> str:
    """Refuse line breaks, invisible characters and values that show nothing; return the value
    neutralised (NFC, single spaces)."""
    for char in value:
        if char in "\r\n\u2028\u2029\x0b\x0c\x85":
            raise ValidationError(_MESSAGES["newline"], code="newline")
        if _invisible(char):
            raise ValidationError(_MESSAGES["control"], code="control")
        if char == "\ufffd":
            raise ValidationError(_MESSAGES["encoding"], code="encoding")
        if _noncharacter(char):
            raise ValidationError(_MESSAGES["noncharacter"], code="noncharacter")
    value = neutralise(value.replace("\t", " "))
    # A letter, digit, punctuation mark or symbol: spaces and combining marks alone show nothing.
    if value and not any(unicodedata.category(char)[0] in "LNPS" for char in value):
        raise ValidationError(_MESSAGES["blank"], code="blank")
    return value


def printable(value: str) -> str:
    """Refuse a value with characters that none of the fonts the PDF is made with can draw."""
    missing = missing_characters(value)
    if missing:
        named = ", ".join(f"{char} (U+{ord(char):04X})" for char in missing)
        them = "it" if len(missing) == 1 else "them"
        raise ValidationError(f"{named} cannot be printed: none of the site's fonts has {them}.", code="unprintable")
    return value


def form_field(spec: dict) -> forms.Field:
    """Return the Django form field for a declared field: its widget, and the checks of its kind."""
    options = {
        "label": spec.get("label") or spec["name"],
        "help_text": spec.get("help_text", ""),
        "required": spec.get("required", True),
        "max_length": spec.get("max_length", 200),
    }
    attrs = {"autocomplete": "off", "spellcheck": "false", "data-field": spec["name"]}
    if spec.get("example"):
        attrs["placeholder"] = f"e.g. {spec['example']}"
    kind = spec.get("kind", "text")
    if kind == "year":
        # The length is checked by _year, which says why one year is asked for; browsers stop at 4.
        attrs.update(inputmode="numeric", pattern="[0-9]{4}", maxlength="4")
        options["max_length"] = 40
        return forms.CharField(widget=forms.TextInput(attrs=attrs), **options)
    if kind == "url":
        return forms.URLField(widget=forms.URLInput(attrs=attrs), assume_scheme="https", **options)
    if kind == "email":
        return forms.EmailField(widget=forms.EmailInput(attrs=attrs), **options)
    return forms.CharField(widget=forms.TextInput(attrs=attrs), **options)


def _checked(spec: dict, value: str, field_names: list[str]) -> str:
    """Return a single-line value once it passes the checks every field shares and its kind's."""
    if spec.get("kind") == "year":
        return _year(value)
    if len(value) > spec.get("max_length", 200):
        raise ValidationError(f"Use at most {spec.get('max_length', 200)} characters.")
    # Punctuation and spaces alone name nothing (and "." would merge with the period after a field).
    if all(unicodedata.category(character)[0] in "PZ" for character in value):
        raise ValidationError("Write a name or a word: punctuation alone is not a value.")
    word, width = widest_pdf_word(value)
    if width > PDF_WORD_LIMIT_PT:
        shown = word if len(word) <= 24 else word[:24] + "…"
        raise ValidationError(
            f"“{shown}” is too long to fit on a line of the PDF: add a space or a hyphen, or shorten it."
        )
    # A value must not read as a field left unfilled: {{name}} in the Markdown, [NAME] elsewhere.
    if "{{" in value or "}}" in value:
        raise ValidationError("Remove the {{ and }}: in the license they mark a field to fill in.")
    for name in field_names:
        if placeholder_label(name) in value:
            raise ValidationError(f"“{placeholder_label(name)}” is how an unfilled field shows: write it another way.")
    return value


def _year(value: str) -> str:
    latest = datetime.date.today().year + 1
    if re.fullmatch(r"[0-9]{4}\s*[-–—/]\s*[0-9]{2,4}", value):
        raise ValidationError(
            "Give one year, not a range such as "
            f"{value}: the year the model is first published under this license, which the notice "
            "prints after “Copyright”."
        )
    if not re.fullmatch(r"[0-9]{4}", value) or not 1950 <= int(value) <= latest:
        raise ValidationError(f"Enter a four-digit year from 1950 to {latest}.")
    return value


def validate(specs: list[dict], data: Mapping) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Check submitted values against declared fields; return (the values, in declared order, and
    the messages for each field that is wrong).

    `data` is a plain mapping or a QueryDict (where a value sent twice is refused).
    """
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    names = [spec["name"] for spec in specs]
    for spec in specs:
        name = spec["name"]
        if hasattr(data, "getlist") and len(data.getlist(name)) > 1:
            errors[name] = [_MESSAGES["repeated"]]
            continue
        try:
            value = form_field(spec).clean(data.get(name))
            if value:
                value = _checked(spec, printable(single_line(value)), names)
        except ValidationError as error:
            errors[name] = list(error.messages)
            continue
        if value:
            values[name] = value
    return values, errors


def canonical(specs: list[dict], values: Mapping | None) -> dict[str, str]:
    """Return the values of the declared fields, neutralised, in declared order (empty ones left out)."""
    values = values or {}
    return {spec["name"]: neutralise(values[spec["name"]]) for spec in specs if values.get(spec["name"])}


def schema_problems(specs) -> list[str]:
    """Return what is wrong with a list of declared fields, or an empty list.

    Every field must be one the wizard can show and the home page's curl example can fill in: a
    published version is frozen, so a field that breaks either would break it for good.
    """
    if not isinstance(specs, list):
        return ["The fields must be a list."]
    problems, names = [], set()
    for i, field in enumerate(specs, start=1):
        if not isinstance(field, dict):
            problems.append(f"Field {i} must be an object.")
            continue
        name = field.get("name", "")
        if not isinstance(name, str) or not NAME_RE.match(name):
            problems.append(f"Field {i}: the name {name!r} must be lower-case letters, digits and _.")
        elif name in names:
            problems.append(f"Field {i}: the name {name!r} is declared twice.")
        else:
            names.add(name)
        for key in sorted(set(field) - set(KEYS), key=str):
            problems.append(f"Field {name!r}: {key!r} is not a key a field can have ({', '.join(KEYS)}).")
        for key in ("label", "help_text", "example"):
            if not isinstance(field.get(key, ""), str):
                problems.append(f"Field {name!r}: the {key} must be text (in double quotes).")
        if not str(field.get("label", "")).strip():
            problems.append(f"Field {name!r} needs a label.")
        if not str(field.get("example", "")).strip():
            problems.append(f"Field {name!r} needs an example: the wizard shows it and the curl example sends it.")
        if field.get("kind") not in KINDS:
            problems.append(f"Field {name!r}: the kind must be one of {', '.join(KINDS)}.")
        max_length = field.get("max_length")
        if not isinstance(max_length, int) or isinstance(max_length, bool) or not 1 <= max_length <= MAX_LENGTH:
            problems.append(f"Field {name!r}: max_length must be a whole number from 1 to {MAX_LENGTH}.")
        if not isinstance(field.get("required", True), bool):
            problems.append(f"Field {name!r}: required must be true or false.")
    return problems or _example_problems(specs)


def _example_problems(specs: list[dict]) -> list[str]:
    """Return, for each example the wizard would refuse as a value, what it would say."""
    examples = {spec["name"]: spec["example"] for spec in specs}
    _, errors = validate(specs, examples)
    return [
        f"Field {name!r}: the example {examples[name]!r} is not a value the wizard accepts: {message}"
        for name, messages in errors.items()
        for message in messages
    ]


def placeholder_problems(markdown: str, specs: list) -> list[str]:
    """Return the disagreements between a template's placeholders and its declared fields."""
    used = set(placeholders(markdown))
    declared = {spec.get("name") for spec in specs if isinstance(spec, dict) and isinstance(spec.get("name"), str)}
    problems = [f"The text uses {{{{{name}}}}} but declares no such field." for name in sorted(used - declared)]
    problems += [f"The field {name!r} is declared but the text never uses it." for name in sorted(declared - used)]
    return problems
