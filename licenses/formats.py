"""Every format the site renders a text to, in one table: what it is called, how it is served,
how it is made, where it appears.

URLs (the path converters), content types, download names, the version page's list of files, the
static export, the release kit, checksums and verification all read this table; nothing else
lists formats.

The rule for a format added later: published versions are frozen, so adding a format changes none
of their bytes. Their metadata (`.json`) keeps listing the formats they were published with. The
new format is rendered once for each already-published version by `publishing.complete_renditions`
(which `load_documents`, and so `make run` and every deployment, runs), stored as a `Rendition` with
its checksum, recorded in the audit trail, and frozen like the rest. Versions published afterwards
get it at publication, like every other format.

A format added later says when (`added`), and a version's own record (its checksums and the formats
its metadata lists) holds only the formats added at or before its `published_at`. Publication time,
not deployment order, decides: a fresh database that publishes a version from the content files gives
it the same record, byte for byte, as a database that published it before the format existed, where
the format came afterwards as a later rendition. So `added` must be later than the `published_at` of
every version published when the format is introduced (and rather later than that: a version published
before the code that has the format is deployed everywhere gets it as a later rendition everywhere).

Some formats only license templates have (`template_only`: the SPDX and ScanCode templates); the
definition, which is no license, has none of them (see `Document.is_template` and kinds.py).
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from . import rendering, scancode, spdx


@dataclass(frozen=True)
class Source:
    """What a format is rendered from: the Markdown, the values it is filled with, and what a PDF
    prints around them."""

    markdown: str
    values: Mapping[str, str] | None = None
    title: str = ""
    author: str = ""
    url: str = ""
    marker: str = ""  # "DRAFT" on drafts
    # The renderer (rendering.RENDERERS): a release's own, or the current one for everything else.
    renderer: str = rendering.RENDERER_VERSION
    subject: str = ""  # the PDF's Subject (renderer 2 on)
    created: datetime | None = None  # the PDF's creation date: a release's, a version's publication
    # What the templates for tools are made from (license templates only): the declared fields, the
    # SPDX identifier, the key model cards name the license by ("owpl-1.0"), the short name ("OWPL
    # 1.0") and the publication time.
    fields: Sequence[Mapping[str, Any]] = ()
    spdx_id: str = ""
    key: str = ""
    short_name: str = ""
    published_at: datetime | None = None


@dataclass(frozen=True)
class Format:
    suffix: str  # as in the URL: /licenses/owpl/1.0.<suffix>
    content_type: str
    label: str  # how lists name it: "Plain text"
    # How a version's text becomes this format; None for the formats made from the others (metadata).
    render: Callable[[Source], bytes] | None = None
    stored: bool = False  # rendered at publication, kept as a Rendition and checksummed
    version_file: bool = False  # a published version's file at <version>.<suffix>: listed, exported
    draft_file: bool = False  # a draft open for comment's file at /drafts/<id>.<suffix>
    release_file: bool = False  # a release's file at /r/<id>.<suffix> (its license files are, always)
    # A license's own file in a publisher's kit (LICENSE): filled in from the query string, a file of
    # every release with its checksum recorded at creation, and a member of the release zip.
    license_name: str = ""
    slow: bool = False  # rendering it takes one of the host's render slots when done for a request
    attachment: bool = False  # downloaded, never shown in the browser (an archive)
    # When the format was added to the table (None: it was there from the start). A version's own
    # record holds only the formats added at or before its publication (see the module's docstring).
    added: datetime | None = None
    template_only: bool = False  # only license templates have it (the definition has not)
    for_tools: bool = False  # for the tools that read licenses: the version page's "For tool authors"

    @property
    def fillable(self) -> bool:
        return bool(self.license_name)

    def serves(self, *, template: bool) -> bool:
        """Return whether a version of a template (a license), or of another document, has this format."""
        return template or not self.template_only

    def added_by(self, moment: datetime) -> bool:
        """Return whether the format was in the table at `moment` (a version's publication)."""
        return self.added is None or moment >= self.added

    def version_name(self, slug: str, number: str, *, is_license: bool) -> str:
        """Return the download name of a published version's file."""
        if is_license:
            return self.license_name or f"{slug}-{number}.{self.suffix}"
        return f"open-weights-{slug}-{number}.{self.suffix}"

    def draft_name(self, slug: str, number: str) -> str:
        return f"{slug}-{number}-draft.{self.suffix}"

    def release_name(self, release_id: str) -> str:
        if self.license_name:
            return self.license_name
        if self.suffix == "zip":
            return f"license-{release_id}.zip"
        return f"{release_id}.{self.suffix}"


def _html(source: Source) -> bytes:
    return rendering.to_html(source.markdown, source.values, source.renderer).encode()


def _markdown(source: Source) -> bytes:
    return rendering.to_markdown(source.markdown, source.values, source.renderer).encode()


def _text(source: Source) -> bytes:
    return rendering.to_text(source.markdown, source.values, source.renderer).encode()


def _pdf(source: Source) -> bytes:
    page = rendering.pdf_document(
        rendering.to_html(source.markdown, source.values, source.renderer, for_pdf=True),
        title=source.title,
        author=source.author,
        url=source.url,
        marker=source.marker,
        renderer=source.renderer,
        subject=source.subject,
        created=source.created,
    )
    return rendering.to_pdf(page, source.renderer)


def _spdx_xml(source: Source) -> bytes:
    return spdx.license_xml(
        source.markdown,
        fields=source.fields,
        license_id=source.spdx_id,
        name=source.title,
        url=source.url,
        published_at=source.published_at,
    )


def _scancode_zip(source: Source) -> bytes:
    return scancode.bundle(
        source.markdown,
        key=source.key,
        name=source.title,
        spdx_id=source.spdx_id,
        short_name=source.short_name,
        url=source.url,
        published_at=source.published_at,
    )


# When the templates for tools were added: after every version published before them (OWPL 1.1 and
# Definition 1.1 were published at 2026-12-02T00:00Z), so 1.0 and 1.1 get them as later renditions on
# every database, and a version published from this time on gets them at publication.
TOOL_TEMPLATES_ADDED = datetime(2026, 12, 9, tzinfo=UTC)

# The order is the order of lists: of downloads, of a release's files and of the members of its zip
# (whose bytes are frozen with the release: keep plain text, Markdown, PDF first, in that order).
_TABLE = [
    # The text as HTML: the body of version and release pages (not a file of its own).
    Format("html", "text/html; charset=utf-8", "HTML", render=_html, stored=True),
    Format(
        "txt",
        "text/plain; charset=utf-8",
        "Plain text",
        render=_text,
        stored=True,
        version_file=True,
        draft_file=True,
        license_name="LICENSE",
    ),
    Format(
        "md",
        "text/markdown; charset=utf-8",
        "Markdown",
        render=_markdown,
        stored=True,
        version_file=True,
        draft_file=True,
        license_name="LICENSE.md",
    ),
    Format(
        "pdf",
        "application/pdf",
        "PDF",
        render=_pdf,
        stored=True,
        version_file=True,
        draft_file=True,
        license_name="LICENSE.pdf",
        slow=True,
    ),
    # Metadata: made last, from the others' checksums (outputs.version_metadata).
    Format(
        "json",
        "application/json",
        "Metadata (JSON)",
        stored=True,
        version_file=True,
        draft_file=True,
        release_file=True,
    ),
    # The templates that let license scanners recognise a license and its releases (spdx.py, scancode.py).
    Format(
        "spdx.xml",
        "application/xml; charset=utf-8",
        "SPDX license-list XML",
        render=_spdx_xml,
        stored=True,
        version_file=True,
        added=TOOL_TEMPLATES_ADDED,
        template_only=True,
        for_tools=True,
    ),
    Format(
        "scancode.zip",
        "application/zip",
        "ScanCode license and rules",
        render=_scancode_zip,
        stored=True,
        version_file=True,
        attachment=True,
        added=TOOL_TEMPLATES_ADDED,
        template_only=True,
        for_tools=True,
    ),
    # A release's kit: the license files, NOTICE and snippets (outputs.release_zip).
    Format("zip", "application/zip", "Everything (zip)", release_file=True, attachment=True),
    # The unified difference between two versions (compare pages).
    Format("diff", "text/x-diff; charset=utf-8", "Unified diff"),
]
FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    """Add a format to the table (see the module's docstring for what that means for frozen versions)."""
    if fmt.suffix in FORMATS:
        raise ValueError(f"The format {fmt.suffix!r} is registered already.")
    FORMATS[fmt.suffix] = fmt
    return fmt


def unregister(suffix: str) -> None:
    FORMATS.pop(suffix)


@contextmanager
def registered(fmt: Format) -> Iterator[Format]:
    """Register a format for the duration of a block (tests)."""
    register(fmt)
    try:
        yield fmt
    finally:
        unregister(fmt.suffix)


for _fmt in _TABLE:
    register(_fmt)


def get(suffix: str) -> Format:
    """Return a format by its suffix; KeyError for one the table does not have."""
    return FORMATS[suffix]


def content_type(suffix: str) -> str:
    return FORMATS[suffix].content_type


def stored(*, template: bool = False) -> list[Format]:
    """The formats rendered at publication, in the order they are made (metadata last): those every
    version has, and with `template` those only license templates have too."""
    return [fmt for fmt in FORMATS.values() if fmt.stored and fmt.serves(template=template)]


def record(*, template: bool, published_at: datetime | None) -> list[Format]:
    """The stored formats of a version's own record (its checksums, and what its metadata lists), in
    the order they are made: those of its kind added by its publication. A draft (`published_at` None)
    has those of them that drafts have, as of now."""
    if published_at is None:
        now = datetime.now(UTC)
        return [
            fmt for fmt in stored(template=template) if fmt.added_by(now) and (fmt.draft_file or not fmt.version_file)
        ]
    return [fmt for fmt in stored(template=template) if fmt.added_by(published_at)]


def version_files(*, template: bool = False) -> list[Format]:
    """A published version's files: those every version has, and with `template` (a license's) those
    only license templates have too."""
    return [fmt for fmt in FORMATS.values() if fmt.version_file and fmt.serves(template=template)]


def draft_files() -> list[Format]:
    return [fmt for fmt in FORMATS.values() if fmt.draft_file]


def license_files() -> list[Format]:
    """The license's own files in a kit (LICENSE, LICENSE.md, LICENSE.pdf), in table order."""
    return [fmt for fmt in FORMATS.values() if fmt.fillable]


def by_license_name(name: str) -> Format | None:
    """The format whose file is called `name` in a license's kit (LICENSE → txt), or None."""
    return next((fmt for fmt in license_files() if fmt.license_name == name), None)


def release_files() -> list[Format]:
    """A release's files: its license files, then its metadata and its zip."""
    return license_files() + [fmt for fmt in FORMATS.values() if fmt.release_file and not fmt.fillable]
