"""Forms: the fill-in form of a license template (generated from the fields a version declares),
the editor's draft form, comments, and the LICENSE checker's."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from markdownx.widgets import MarkdownxWidget

from . import assessment, checker, kit
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


class CoverageForm(forms.Form):
    """What a release's license covers besides the weights (OWPL §2): kit's kinds and the publisher's patterns.

    A POST with none of its inputs comes from a client that never saw the question: `coverage()` is then
    None, kit's default. The hidden `coverage_asked` tells a form with every box unticked (weights only)
    from that.
    """

    coverage_asked = forms.CharField(widget=forms.HiddenInput, required=False, initial="1")
    kinds = forms.MultipleChoiceField(
        label="What else does the license cover?",
        required=False,
        choices=[(kind.key, kind.label) for kind in kit.KINDS],
        widget=forms.CheckboxSelectMultiple,
        initial=list(kit.DEFAULT_KINDS),
    )
    patterns = MultilineField(
        label="Other files (one pattern per line, e.g. *.gguf or scripts/**)",
        required=False,
        max_length=kit.MAX_PATTERNS * (kit.MAX_PATTERN_LENGTH + 2),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocomplete": "off", "class": "code"}),
    )
    INPUTS = ("coverage_asked", "kinds", "patterns")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self._coverage = None

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or self.errors or not any(name in self.data for name in self.INPUTS):
            return
        data = {
            "kinds": self.data.getlist("kinds") if hasattr(self.data, "getlist") else self.data.get("kinds", []),
            "patterns": self.cleaned_data["patterns"].split("\n"),
        }
        self._coverage, problems = kit.clean_coverage(data)
        for problem in problems:
            self.add_error("kinds" if problem.startswith(("Unknown kinds", "kinds ")) else "patterns", problem)

    def coverage(self) -> dict | None:
        """Return the coverage for create_release: None (kit's default) when the question was never seen."""
        return self._coverage

    def kind_choices(self) -> list[dict]:
        """The kinds as the wizard shows them: key, label, a few of the files each means, and whether ticked."""
        if self.is_bound and any(name in self.data for name in self.INPUTS):
            ticked = set(self.data.getlist("kinds") if hasattr(self.data, "getlist") else self.data.get("kinds", []))
        else:
            ticked = set(self.initial.get("kinds", kit.DEFAULT_KINDS))
        return [
            {
                "key": kind.key,
                "label": kind.label,
                "examples": ", ".join(pattern.removeprefix("**/") for pattern in kind.patterns[:3])
                + ("…" if len(kind.patterns) > 3 else ""),
                "checked": kind.key in ticked,
            }
            for kind in kit.KINDS
        ]


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


class AssessmentForm(forms.Form):
    """The self-assessment's questionnaire, one field per answer, for browsers without JavaScript.

    The form draws the questions and turns what was posted into the answers' JSON shape (`data()`);
    what an answer must be is assessment.check()'s to say, as for POST /assessments.json, and its
    messages come back onto the fields they name (`add_answer_errors`)."""

    OTHER = "other"

    def __init__(self, *args, known: list, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields.update(_assessment_fields(known))

    def data_as_answers(self) -> dict:
        """Return the posted values as the answers POST /assessments.json takes."""
        value = {name: (self.data.get(name) or "").strip() for name in self.fields}
        chosen = value["license"]
        data = {
            "model": value["model"],
            "publisher": value["publisher"],
            "release_url": value["release_url"],
            "access": value["access"] or None,
            "release": value["release"] or None,
            "license": value["other_license"] if chosen == self.OTHER else chosen,
            "evidence": {key: value[f"evidence_{key}"] for key in assessment.MATERIALS},
            "materials_license": value["materials_license"],
            "training_software_license": value["training_software_license"],
            "system_components": value["system_components"],
            "optional": {
                key: {"url": value[f"optional_{key}_url"], "license": value[f"optional_{key}_license"]}
                for key in assessment.OPTIONAL
            },
        }
        if chosen == self.OTHER:
            data["license_url"] = value["license_url"]
            data["license_answers"] = {s: value[f"answer_{s}"] for s in assessment.LICENSE_SECTIONS}
        if data["access"] is None:
            del data["access"]  # asked for by the form itself, below
        return data

    def full_clean(self):
        self._errors = ErrorDict()
        self.cleaned_data = {}
        if not self.is_bound:
            return
        for name in self.fields:
            if len(self.data.getlist(name)) > 1:
                self.add_error(name, "Give this answer once: it was sent more than once.")
        if not self.data.get("access"):
            self.add_error("access", "Say how the weights can be obtained.")
        if not self.data.get("license"):
            self.add_error("license", "Choose the license of the weights.")
        elif self.data.get("license") == self.OTHER and not (self.data.get("other_license") or "").strip():
            self.add_error("other_license", "Name the license: its SPDX id, or LicenseRef-Its-Name.")

    def add_answer_errors(self, errors: dict[str, list[str]]) -> None:
        """Put the messages of assessment.check(), keyed by answer (evidence.training_data), on their fields."""
        for path, messages in errors.items():
            name = self._field_for(path)
            for message in messages:
                if name is None:
                    self.add_error(None, f"{path}: {message}")
                elif message not in self.errors.get(name, []):
                    self.add_error(name, message)

    def _field_for(self, path: str) -> str | None:
        parts = path.split(".")
        if path == "license" and self.data.get("license") == self.OTHER:
            return "other_license"
        if parts[0] == "license_answers" and len(parts) == 2:
            return f"answer_{parts[1]}"
        if parts[0] == "evidence" and len(parts) == 2:
            return f"evidence_{parts[1]}"
        if parts[0] == "optional" and len(parts) >= 2:
            return f"optional_{parts[1]}_{parts[2] if len(parts) == 3 else 'url'}"
        return path if path in self.fields else None

    def sections(self) -> list[tuple[str, str, list]]:
        """The questionnaire's parts, in order: (id, heading, fields)."""
        return [(key, heading, [self[name] for name in names]) for key, heading, names in _ASSESSMENT_SECTIONS]


def _url_input(**attrs) -> forms.URLInput:
    return forms.URLInput(attrs={"autocomplete": "url", "spellcheck": "false", "inputmode": "url", **attrs})


def _assessment_fields(known: list) -> dict[str, forms.Field]:
    owpl = [(e.id, f"{e.name} ({e.id})") for e in known if e.id.startswith("LicenseRef-OWPL-")]
    owpl.reverse()  # the newest version first
    others = [
        (e.id, f"{e.name} ({e.id}): {'meets' if e.meets else 'does not meet'} Sections 3 to 8")
        for e in known
        if not e.id.startswith("LicenseRef-OWPL-")
    ]
    field = {}
    field["model"] = forms.CharField(
        label="Model name", max_length=assessment.MAX_NAME, help_text="As the release names it."
    )
    field["publisher"] = forms.CharField(
        label="Publisher",
        max_length=assessment.MAX_NAME,
        help_text="The person or organisation that makes the release.",
    )
    field["release_url"] = forms.CharField(
        label="Release URL",
        max_length=assessment.MAX_URL,
        widget=_url_input(placeholder="https://huggingface.co/…"),
        help_text="Where the release states the weights can be obtained (Section 2).",
    )
    field["access"] = forms.ChoiceField(
        label="How can a complete copy of the weights be obtained? (Section 2)",
        choices=list(assessment.ACCESS.items()),
        widget=forms.RadioSelect,
        required=False,
    )
    field["release"] = forms.CharField(
        label="Release on this site (optional)",
        required=False,
        max_length=16,
        help_text="The id of a release made with the license wizard (the part after /r/): the statement links it.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    field["license"] = forms.ChoiceField(
        label="License of the weights",
        help_text="Also the license of the configuration, tokenizer and other elements needed to load and run them "
        "(Section 2). The verdict of each license listed is known: it was assessed with the Definition.",
        choices=[
            ("", "Choose a license"),
            ("Open Weights Permissive License", owpl),
            ("Assessed with the Definition", others),
            ("Any other license", [(AssessmentForm.OTHER, "Another license: name it and answer the questions below")]),
        ],
        required=False,
    )
    field["other_license"] = forms.CharField(
        label="Its identifier",
        required=False,
        max_length=assessment.MAX_LICENSE,
        help_text="An SPDX id such as GPL-3.0-only, or LicenseRef-Its-Name for a license not on the SPDX list.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    field["license_url"] = forms.CharField(
        label="URL of its text",
        required=False,
        max_length=assessment.MAX_URL,
        widget=_url_input(),
        help_text="The evidence for every answer below: a yes without it is not a yes.",
    )
    for section, question in assessment.LICENSE_QUESTIONS.items():
        field[f"answer_{section}"] = forms.ChoiceField(
            label=f"Section {section}. {question}",
            choices=[("yes", "Yes"), ("no", "No")],
            widget=forms.RadioSelect,
            required=False,
        )
    for key, (number, what) in assessment.MATERIALS.items():
        where = f"Section 8, item {number}" if number else "Section 8"
        field[f"evidence_{key}"] = forms.CharField(
            label=f"{what[0].upper()}{what[1:]}",
            required=False,
            max_length=assessment.MAX_URL,
            widget=_url_input(),
            help_text=f"The URL where anyone may read it without charge and without individual approval ({where}). "
            "Leave it empty if the release does not include it.",
        )
    field["materials_license"] = forms.CharField(
        label="Terms of these materials (optional)",
        required=False,
        max_length=200,
        help_text="An SPDX id or expression, such as CC-BY-4.0; they must permit anyone to read, use, copy and share "
        "them for any purpose (Section 8). Leave it empty when they are under the weights' license.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    field["training_software_license"] = forms.CharField(
        label="License of the training software",
        required=False,
        max_length=200,
        help_text="An SPDX id or expression, such as Apache-2.0 or MIT AND BSD-3-Clause, or “public domain”. It must "
        "be an open source license (on the Open Source Initiative's list) or the public domain (Section 8).",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    field["system_components"] = forms.CharField(
        label="Where the system components are named (optional)",
        required=False,
        max_length=assessment.MAX_URL,
        widget=_url_input(),
        help_text="The release must name each system component the training software depends on, such as the "
        "operating system, drivers, compilers and accelerator libraries (Section 8). Leave it empty when they are "
        "named with the training software.",
    )
    for key, (name, asks) in assessment.OPTIONAL.items():
        field[f"optional_{key}_url"] = forms.CharField(
            label=f"{name}: URL",
            required=False,
            max_length=assessment.MAX_URL,
            widget=_url_input(),
            help_text=f"Optional (Section 9): {asks}.",
        )
        field[f"optional_{key}_license"] = forms.CharField(
            label=f"{name}: license",
            required=False,
            max_length=200,
            help_text="An SPDX id or expression.",
            widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        )
    return field


_ASSESSMENT_SECTIONS = (
    ("release", "1. The release", ("model", "publisher", "release_url", "access", "release")),
    ("license", "2. The license of the weights (Sections 2 to 7)", ("license",)),
    (
        "other-license",
        "Another license: its terms, question by question",
        ("other_license", "license_url", *(f"answer_{s}" for s in assessment.LICENSE_SECTIONS)),
    ),
    (
        "materials",
        "3. Materials for study and reproduction (Section 8)",
        (
            *(f"evidence_{key}" for key in assessment.MATERIALS),
            "materials_license",
            "training_software_license",
            "system_components",
        ),
    ),
    (
        "optional",
        "4. Optional criteria (Section 9)",
        tuple(f"optional_{key}_{part}" for key in assessment.OPTIONAL for part in ("url", "license")),
    ),
)
