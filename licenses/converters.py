"""Path converters for permanent URLs.

A format converter matches any suffix-shaped word and then asks the table in formats.py whether it
is a format of that kind of file: a format registered there is a URL at once, and nothing else is.
"""

from . import formats


class VersionNumberConverter:
    regex = r"[0-9]{1,4}\.[0-9]{1,4}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class _FormatConverter:
    regex = r"[a-z0-9]+(?:\.[a-z0-9]+)*"

    @staticmethod
    def serves(fmt: formats.Format) -> bool:
        raise NotImplementedError

    def to_python(self, value: str) -> str:
        fmt = formats.FORMATS.get(value)
        if fmt is None or not self.serves(fmt):
            raise ValueError(f"{value!r} is not a format of this file")  # Django: no match, so 404
        return value

    def to_url(self, value: str) -> str:
        return value


class VersionFormatConverter(_FormatConverter):
    serves = staticmethod(lambda fmt: fmt.version_file)


class DraftFormatConverter(_FormatConverter):
    serves = staticmethod(lambda fmt: fmt.draft_file)


class ReleaseFormatConverter(_FormatConverter):
    serves = staticmethod(lambda fmt: fmt.fillable or fmt.release_file)


class KitFileConverter:
    """A file of a release's kit by the name it has there: LICENSE, LICENSE.md, LICENSE.pdf, NOTICE."""

    regex = r"[A-Z][A-Za-z.]{0,20}"

    def to_python(self, value: str) -> str:
        if value != NOTICE and formats.by_license_name(value) is None:
            raise ValueError(f"{value!r} is not a file of a release's kit")
        return value

    def to_url(self, value: str) -> str:
        return value


NOTICE = "NOTICE"


class ReleaseIdConverter:
    regex = r"[a-z2-7]{16}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class AssessmentFormatConverter:
    """The files of a self-assessment's statement: its JSON and its badge."""

    regex = r"json|svg"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
