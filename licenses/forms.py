"""Forms: the fill-in form of a license template (generated from the fields a version declares),
the editor's draft form, comments, and the LICENSE checker's."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from markdownx.widgets import MarkdownxWidget

from . import checker
from . import fields as declared_fields
from .models import Version


class LicenseFieldsForm(forms.Form):
    """The values for a license template; `values()` returns them cleaned, in declared order.

    The form draws the fields; what a value must be is `fields.validate()`'s to say, as everywhere.
    """

    def __init__(self, *args, version: Version, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.version = version
        for spec in version.fields:
            self.fields[spec["name"]] = declared_fields.form_field(spec)

    def full_clean(self):
        self._errors = ErrorDict()
        self.cleaned_data = {}
        if not self.is_bound:
            return
        self.cleaned_data, errors = declared_fields.validate(self.version.fields, self.data)
        for name, messages in errors.items():
            self.add_error(name, messages)

    def values(self) -> dict[str, str]:
        """Return the cleaned values, in the order the version declares its fields."""
        return dict(self.cleaned_data)

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
        problems = declared_fields.schema_problems(fields)
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


class CheckForm(forms.Form):
    """The LICENSE checker: a pasted text or an uploaded file, and optionally the model card."""

    text = forms.CharField(
        label="LICENSE text",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "data-live-check": ""}),
        help_text="Paste the license as it is in your repository: plain text or Markdown.",
    )
    file = forms.FileField(
        label="Or choose the file",
        required=False,
        help_text="A LICENSE, LICENSE.md or LICENSE.txt of at most 1 MiB. Nothing is fetched from the web.",
    )
    model_card = forms.CharField(
        label="Model card (README.md), optional",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text="Its front matter should name the same license, the way the Hugging Face Hub reads it.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload and data.get("text", "").strip():
            raise ValidationError("Give the text or a file, not both.")
        if upload:
            try:
                data["text"] = checker.decode(upload.read(checker.MAX_BYTES + 1))
            except checker.CheckError as error:
                self.add_error("file", str(error))
        elif not data.get("text", "").strip():
            self.add_error("text", "Paste a LICENSE, or choose its file.")
        return data
