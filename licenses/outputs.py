"""The files a version or a release is served as, built on the pure functions in rendering.

Published versions are rendered once, at publication, and read back from `Rendition` rows.
Everything else (drafts, filled-in licenses) is rendered on demand and cached by a key made of
everything the output depends on, so a repeated request is a cache lookup.
"""

import hashlib
import json

from django.conf import settings
from django.core.cache import cache

from . import rendering
from .models import Rendition, Version

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json",
    "zip": "application/zip",
    "diff": "text/x-diff; charset=utf-8",
}
DOCUMENT_FORMATS = ("html", "md", "txt", "pdf")
DRAFT_NOTE = "DRAFT: this is not a published version and may change."


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def canonical_values(version: Version, values) -> dict[str, str]:
    """Return the values of the fields the version declares, neutralised, in declared order."""
    values = values or {}
    return {name: rendering.neutralise(values[name]) for name in version.field_names if values.get(name)}


def _source(version: Version) -> str:
    if version.is_published:
        return version.markdown
    return f"**{DRAFT_NOTE}**\n\n{version.markdown}"


def render(version: Version, fmt: str, values=None, *, url: str | None = None, author: str = "") -> bytes:
    """Render one format of a version, filled in with values when given."""
    source = _source(version)
    if fmt == "html":
        return rendering.to_html(source, values).encode()
    if fmt == "md":
        return rendering.to_markdown(source, values).encode()
    if fmt == "txt":
        return rendering.to_text(source, values).encode()
    if fmt == "pdf":
        document = rendering.pdf_document(
            rendering.to_html(source, values),
            title=version.title,
            author=author or "Open Weights",
            url=url or absolute(version.get_absolute_url()),
            marker="" if version.is_published else "DRAFT",
        )
        return rendering.to_pdf(document)
    raise ValueError(f"unknown format {fmt!r}")


def version_metadata(version: Version, checksums: dict[str, str]) -> bytes:
    """Return the JSON metadata of a version: stable, sorted, and free of anything that changes later."""
    data = {
        "document": {
            "slug": version.document.slug,
            "title": version.document.title,
            "kind": version.document.kind,
            "short_name": version.document.short_name,
        },
        "version": version.number,
        "title": version.title,
        "status": version.status,
        "published_at": version.published_at.strftime("%Y-%m-%dT%H:%M:%SZ") if version.published_at else None,
        "url": absolute(version.get_absolute_url()),
        "changelog": version.changelog,
        "fields": version.fields,
        "formats": {
            fmt: {"url": absolute(version.file_url(fmt)), "sha256": checksums[fmt]} for fmt in ("md", "txt", "pdf")
        },
        "html_sha256": checksums["html"],
        "text_license": "CC0-1.0",
        "renderer_version": rendering.RENDERER_VERSION,
    }
    if version.document.is_license:
        data["spdx_id"] = version.document.spdx_id(version.number)
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def render_all(version: Version) -> dict[str, bytes]:
    """Render a version in every format (JSON last: it lists the others' checksums) and its summary."""
    files = {fmt: render(version, fmt) for fmt in DOCUMENT_FORMATS}
    files["json"] = version_metadata(version, {fmt: sha256(body) for fmt, body in files.items()})
    # The plain-language summary is shown on the version page, so it is rendered once too.
    files["summary"] = rendering.to_html(version.summary).encode()
    return files


def _cache_key(version: Version, fmt: str, values, extra: str = "") -> str:
    material = json.dumps(
        [rendering.RENDERER_VERSION, settings.SITE_URL, version.document.slug, version.number,
         version.status, version.markdown, version.fields, fmt, values or {}, extra],
        sort_keys=True,
    )  # fmt: skip
    return "render:" + sha256(material.encode())


def version_file(version: Version, fmt: str) -> tuple[bytes, str]:
    """Return (bytes, sha256) of a version's file: stored if published, else rendered and cached."""
    if version.is_published:
        row = Rendition.objects.filter(version=version, format=fmt).values_list("body", "sha256").first()
        if row is not None:
            return bytes(row[0]), row[1]
    key = _cache_key(version, fmt, None)
    body = cache.get(key)
    if body is None:
        body = render_all(version)[fmt] if fmt == "json" else render(version, fmt)
        cache.set(key, body, timeout=3600)
    return body, sha256(body)


def version_checksum(version: Version, fmt: str) -> str | None:
    """Return a published version's stored checksum without loading its bytes."""
    if version.is_published:
        return version.checksums.get(fmt)
    return None


def filled_file(version: Version, fmt: str, values: dict[str, str], *, url: str, author: str = "") -> bytes:
    """Return a version filled in with (already validated) values, cached by content."""
    key = _cache_key(version, fmt, values, extra=url + "\n" + author)
    body = cache.get(key)
    if body is None:
        body = render(version, fmt, values, url=url, author=author)
        cache.set(key, body, timeout=24 * 3600)
    return body
