"""Forms: the fill-in form of a license template, generated from the fields a version declares."""

import datetime
import json
import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from markdownx.widgets import MarkdownxWidget

from .models import Version
from .publishing import field_schema_problems
from .rendering import PDF_WORD_LIMIT_PT, neutralise, placeholder_label, widest_pdf_word

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


class LicenseFieldsForm(forms.Form):
    """The values for a license template; `values()` returns them cleaned, in declared order."""

    def __init__(self, *args, version: Version, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.version = version
        for spec in version.fields:
            self.fields[spec["name"]] = self._field(spec)

    @staticmethod
    def _field(spec: dict) -> forms.Field:
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
            attrs.update(inputmode="numeric", pattern="[0-9]{4}")
            options["max_length"] = 4
            return forms.CharField(widget=forms.TextInput(attrs=attrs), **options)
        if kind == "url":
            return forms.URLField(widget=forms.URLInput(attrs=attrs), assume_scheme="https", **options)
        if kind == "email":
            return forms.EmailField(widget=forms.EmailInput(attrs=attrs), **options)
        return forms.CharField(widget=forms.TextInput(attrs=attrs), **options)

    def clean(self):
        cleaned = super().clean()
        for spec in self.version.fields:
            name = spec["name"]
            if hasattr(self.data, "getlist") and len(self.data.getlist(name)) > 1:
                self.add_error(name, "Give this value once: it was sent more than once.")
                continue
            if name in self.errors or not cleaned.get(name):
                continue
            try:
                cleaned[name] = self._checked(spec, single_line(cleaned[name]))
            except ValidationError as error:
                self.add_error(name, error)
        return cleaned

    def _checked(self, spec: dict, value: str) -> str:
        """Return a single-line value once it passes the checks every field shares and its kind's."""
        if len(value) > spec.get("max_length", 200):
            raise ValidationError(f"Use at most {spec.get('max_length', 200)} characters.")
        word, width = widest_pdf_word(value)
        if width > PDF_WORD_LIMIT_PT:
            shown = word if len(word) <= 24 else word[:24] + "…"
            raise ValidationError(
                f"“{shown}” is too long to fit on a line of the PDF: add a space or a hyphen, or shorten it."
            )
        # A value must not read as a field left unfilled: {{name}} in the Markdown, [NAME] elsewhere.
        if "{{" in value or "}}" in value:
            raise ValidationError("Remove the {{ and }}: in the license they mark a field to fill in.")
        for field in self.version.field_names:
            if placeholder_label(field) in value:
                raise ValidationError(
                    f"“{placeholder_label(field)}” is how an unfilled field shows: write it another way."
                )
        if spec.get("kind") == "year":
            value = self._year(value)
        return value

    @staticmethod
    def _year(value: str) -> str:
        latest = datetime.date.today().year + 1
        if not re.fullmatch(r"[0-9]{4}", value) or not 1950 <= int(value) <= latest:
            raise ValidationError(f"Enter a four-digit year from 1950 to {latest}.")
        return value

    def values(self) -> dict[str, str]:
        """Return the cleaned values, in the order the version declares its fields."""
        return {
            spec["name"]: self.cleaned_data[spec["name"]]
            for spec in self.version.fields
            if self.cleaned_data.get(spec["name"])
        }

    def error_text(self) -> str:
        """Return the errors as plain text, one 'field: message' line each."""
        return "".join(f"{name}: {message}\n" for name, errors in self.errors.items() for message in errors)


class MultilineField(forms.CharField):
    """Text from a textarea, with its line breaks made \\n before its length is checked.

    Browsers send each line break as \\r\\n but count it as one character against `maxlength`:
    counted as two, a text the browser let through would be refused here.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class DraftForm(forms.Form):
    """An editor's form for a draft: its number, text, summary, changelog and declared fields."""

    number = forms.RegexField(
        regex=r"^[0-9]{1,4}\.[0-9]{1,4}$",
        max_length=9,
        help_text="Major.minor, greater than the latest published version.",
        error_messages={"invalid": "Use a version number like 1.1."},
    )
    markdown = MultilineField(
        label="Text (Markdown)",
        max_length=200_000,
        strip=False,
        widget=MarkdownxWidget(attrs={"rows": 24, "spellcheck": "true"}),
        help_text="Number the sections (## 1. Title). License templates write fill-in fields as {{name}}.",
    )
    summary = MultilineField(
        label="Plain-language summary (Markdown)",
        required=False,
        max_length=20_000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    changelog = MultilineField(
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What changed in this version. Required to publish.",
    )
    fields = forms.CharField(
        label="Declared fields (JSON)",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "class": "code"}),
        help_text='A list of {"name", "label", "help_text", "example", "required", "max_length", "kind"}; '
        "kind is text, year, url or email.",
    )

    def __init__(self, *args, version: Version, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.version = version

    def clean_number(self):
        number = self.cleaned_data["number"]
        taken = Version.objects.filter(document=self.version.document, number=number).exclude(pk=self.version.pk)
        if taken.exists():
            raise ValidationError(f"{self.version.document.short_name} already has a version {number}.")
        return number

    def clean_fields(self):
        raw = self.cleaned_data["fields"].strip() or "[]"
        try:
            fields = json.loads(raw)
        except ValueError as error:
            raise ValidationError(f"This is not valid JSON: {error}.") from error
        serialized = json.dumps(fields, ensure_ascii=False)
        if "\\u0000" in serialized or any(0xD800 <= ord(char) <= 0xDFFF for char in serialized):
            raise ValidationError("Remove the null or unpaired surrogate characters from the fields.")
        problems = field_schema_problems(fields)
        if problems:
            raise ValidationError(problems)
        return fields


class CommentForm(forms.Form):
    body = MultilineField(
        label="Your comment",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Plain text, up to 4,000 characters. Say which section you mean (e.g. section 3).",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
