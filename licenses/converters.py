"""Path converters for permanent URLs."""


class VersionNumberConverter:
    regex = r"[0-9]{1,4}\.[0-9]{1,4}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class FormatConverter:
    regex = r"md|txt|pdf|json"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class ReleaseFormatConverter(FormatConverter):
    regex = r"md|txt|pdf|json|zip"


class ReleaseIdConverter(FormatConverter):
    regex = r"[a-z2-7]{16}"


class DraftFormatConverter(FormatConverter):
    regex = r"md|txt|pdf|json"
