"""The files a version, a release or a self-assessment is served as, built on the pure functions in
rendering.

Published versions are rendered once, at publication, and read back from `Rendition` rows.
Everything else (drafts, filled-in licenses) is rendered on demand and cached by a key made of
everything the output depends on, so a repeated request is a cache lookup.

Nothing here limits how often anything renders: request paths do that (`slot`, below, is where a
view hands in throttling.render_slot), so publishing, loading and verifying are never refused.
"""

import hashlib
import json
import re
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from . import counters, formats, kit, rendering, snippets
from .models import Release, Rendition, Version

# What a request path passes as `slot` to hold one of the host's render slots while a slow format
# renders; everything else renders freely.
Slot = Callable[[], AbstractContextManager]
DRAFT_NOTE = "DRAFT: this is not a published version and may change."


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def version_url(version: Version, fmt: str | None = None) -> str:
    """Return the absolute URL of a version's page or of one of its files: the permanent one once
    published, the public draft's before (where readers see it while it is open for comment)."""
    if version.is_published:
        return absolute(version.file_url(fmt) if fmt else version.get_absolute_url())
    return absolute(version.draft_url(fmt))


def _source(version: Version) -> str:
    if version.is_published:
        return version.markdown
    return f"**{DRAFT_NOTE}**\n\n{version.markdown}"


def render(
    version: Version,
    fmt: str,
    values=None,
    *,
    url: str | None = None,
    author: str = "",
    slot: Slot = nullcontext,
    renderer: str | None = None,
    subject: str = "",
    created=None,
) -> bytes:
    """Render one format of a version, filled in with values when given, with a renderer: by default
    the version's own (version_renderer) for the text itself, the current one for filled-in files."""
    renderer = renderer or (rendering.RENDERER_VERSION if values else version_renderer(version))
    spec = formats.get(fmt)
    if spec.render is None:
        raise ValueError(f"The format {fmt!r} is made from the others, not rendered from the text.")
    document = version.document
    source = formats.Source(
        _source(version),
        values,
        title=version.title,
        author=author or "Open Weights",
        url=url or version_url(version),
        marker="" if version.is_published else "DRAFT",
        renderer=renderer,
        subject=subject or (version.title if version.is_published else f"{version.title} ({DRAFT_NOTE})"),
        created=created or version.published_at,
        **(_template_source(version) if document.is_template else {}),
    )
    if not spec.slow:
        return spec.render(source)
    with slot():
        _slow_renders[0] += 1
        return spec.render(source)


def _template_source(version: Version) -> dict:
    """What the templates for tools are made from, besides the text (formats.Source)."""
    document = version.document
    return {
        "fields": version.fields,
        "spdx_id": document.spdx_id(version.number),
        "key": license_key(version),
        "short_name": f"{document.short_name} {version.number}",
        "published_at": version.published_at,
    }


def license_key(version: Version) -> str:
    """Return the name a model card gives a license version (`license_name: owpl-1.0`), which is also
    its ScanCode key."""
    return f"{version.document.slug}-{version.number}"


# PDFs (the slow formats) this process has rendered: each leaves some native memory behind
# (WeasyPrint, Pango), so gunicorn replaces a worker after a number of them (config/gunicorn.conf.py).
_slow_renders = [0]


def pdf_renders() -> int:
    """Return how many PDFs this process has rendered."""
    return _slow_renders[0]


def version_renderer(version: Version) -> str:
    """Return the renderer of a version's own files: that of its publication time (its metadata names
    it), and for a draft that of a publication now."""
    return rendering.version_renderer_at(version.published_at if version.is_published else None)


def version_metadata(version: Version, checksums: dict[str, str], renderer: str | None = None) -> bytes:
    """Return the JSON metadata of a version: stable, sorted, and free of anything that changes later."""
    renderer = renderer or version_renderer(version)
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
        "url": version_url(version),
        "changelog": version.changelog,
        "fields": version.fields,
        # The files it is published with, except this one (a format added later is not listed: frozen).
        "formats": {
            fmt.suffix: {"url": version_url(version, fmt.suffix), "sha256": checksums[fmt.suffix]}
            for fmt in formats.version_files(template=version.document.is_template)
            if fmt.suffix in checksums and fmt.render is not None
        },
        "html_sha256": checksums["html"],
        "text_license": "CC0-1.0",
        "renderer_version": renderer,
    }
    if version.document.is_template:
        data["spdx_id"] = version.document.spdx_id(version.number)
    if LICENSES in checksums:  # only versions published with an assessment have the key
        data["licenses"] = {
            "url": absolute(version.licenses_url(as_json=True)),
            "page": absolute(version.licenses_url()),
            "sha256": checksums[LICENSES],
        }
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


# The stored renditions that are not formats of the table: the version page's summary and a
# definition version's assessment of licenses (conformance.py).
METADATA, SUMMARY, LICENSES = "json", "summary", "licenses"


def render_all(
    version: Version,
    only: set[str] | None = None,
    *,
    slot: Slot = nullcontext,
    licenses: bytes | None = None,
    renderer: str | None = None,
) -> dict[str, bytes]:
    """Render a version in every format of its record (formats.record: those of its kind added by its
    publication; metadata last, as it lists the others' checksums) and its summary; `only` the formats
    named, when given (a published version's own record, re-rendered).

    `licenses` is a definition version's assessment of licenses (conformance.py): data, not a
    rendering, published with the version and listed in its metadata."""
    template = version.document.is_template
    renderer = renderer or version_renderer(version)
    if only is None:
        wanted = formats.record(template=template, published_at=version.published_at)
    else:
        wanted = [fmt for fmt in formats.stored(template=template) if fmt.suffix in only]
    files = {
        fmt.suffix: render(version, fmt.suffix, slot=slot, renderer=renderer)
        for fmt in wanted
        if fmt.render is not None
    }
    if licenses is not None:
        files[LICENSES] = licenses
    if any(fmt.suffix == METADATA for fmt in wanted):
        files[METADATA] = version_metadata(version, {fmt: sha256(body) for fmt, body in files.items()}, renderer)
    # The plain-language summary is shown on the version page, so it is rendered once too.
    files[SUMMARY] = summary_html(version)
    return files


def summary_html(version: Version) -> bytes:
    """Return the plain-language summary as HTML, its headings one level under the page's
    "In plain language" heading."""
    return re.sub(r"<(/?)h2\b", r"<\1h3", rendering.to_html(version.summary)).encode()


def _cache_key(version: Version, fmt: str, values, extra: str = "", renderer: str = rendering.RENDERER_VERSION) -> str:
    # A published version is identified by its frozen checksum; a draft by itself and everything its
    # files show (its JSON carries its URLs and changelog).
    if version.is_published:
        content = version.checksums.get("md")
    else:
        content = [version.pk, version.markdown, version.fields, version.changelog, version.summary]
    material = json.dumps(
        [renderer, settings.SITE_URL, version.document.slug, version.number,
         version.status, content, fmt, values or {}, extra],
        sort_keys=True,
    )  # fmt: skip
    return "render:" + sha256(material.encode())


def version_file(version: Version, fmt: str, *, slot: Slot = nullcontext) -> tuple[bytes, str]:
    """Return (bytes, sha256) of a version's file: stored if published, else rendered and cached."""
    if version.is_published:
        row = Rendition.objects.filter(version=version, format=fmt).values_list("body", "sha256").first()
        if row is not None:
            return bytes(row[0]), row[1]
    key = _cache_key(version, fmt, None, renderer=version_renderer(version))
    body = cache.get(key)
    if body is None:
        if fmt == SUMMARY:
            body = summary_html(version)
        elif formats.get(fmt).render is None:  # made from the others: the metadata lists their checksums
            body = render_all(version, slot=slot)[fmt]
        else:
            body = render(version, fmt, slot=slot)
        cache.set(key, body, timeout=3600)
    return body, sha256(body)


def cached_filled_file(version: Version, fmt: str, values: dict[str, str], *, url: str, author: str = ""):
    """Return the cached bytes of a filled-in file (with the current renderer), or None when it would
    have to be rendered."""
    return cache.get(_cache_key(version, fmt, values, extra="\n".join([url, author, "", ""])))


def filled_file(
    version: Version,
    fmt: str,
    values: dict[str, str],
    *,
    url: str,
    author: str = "",
    slot: Slot = nullcontext,
    renderer: str = rendering.RENDERER_VERSION,
    subject: str = "",
    created=None,
) -> bytes:
    """Return a version filled in with (already validated) values, cached by content."""
    extra = "\n".join([url, author, subject, created.isoformat() if created else ""])
    key = _cache_key(version, fmt, values, extra=extra, renderer=renderer)
    body = cache.get(key)
    if body is None:
        body = render(
            version, fmt, values, url=url, author=author, slot=slot, renderer=renderer, subject=subject, created=created
        )
        cache.set(key, body, timeout=24 * 3600)
    return body


def release_license_files(release: Release) -> list[formats.Format]:
    """The license files a release was made with (their checksums are its frozen record): a license
    format added to the table later changes neither its JSON nor its zip."""
    return [fmt for fmt in formats.license_files() if fmt.suffix in release.checksums]


def release_checksum(release: Release, fmt: str, *, slot: Slot = nullcontext) -> str:
    """Return a release file's SHA-256: recorded at creation for the license files."""
    return release.checksums.get(fmt) or sha256(release_file(release, fmt, slot=slot))


def render_release_file(release: Release, fmt: str, *, slot: Slot = nullcontext) -> bytes:
    """Render one of a release's license files (or its page body, html) anew, past every cache."""
    return render(release.version, fmt, release.values, **_release_source(release), slot=slot)


def _release_source(release: Release) -> dict:
    """What a release's files are rendered with besides the values: its permalink, author, its own
    renderer and (renderer 2 on) the PDF's Subject and creation date."""
    source = {
        "url": absolute(release.get_absolute_url()),
        "author": release.values.get("licensor", ""),
        "renderer": release.renderer,
    }
    if release.renderer != "1":
        source["subject"] = release_subject(release)
        source["created"] = release.created_at
    return source


def release_subject(release: Release) -> str:
    values = release.values
    subject = f"{release.version.title}, filled in for {values.get('model') or 'a model'}"
    return subject + (f" by {values['licensor']}" if values.get("licensor") else "")


def release_file(release: Release, fmt: str, *, slot: Slot = nullcontext) -> bytes:
    """Return one file of a release: a filled license file, its page body, its metadata or its zip."""
    spec = formats.get(fmt)
    if spec.render is not None:
        return filled_file(release.version, fmt, release.values, **_release_source(release), slot=slot)
    if spec.release_file:
        key = f"release:{release.renderer}:{settings.SITE_URL}:{release.id}.{fmt}"  # absolute URLs inside
        body = cache.get(key)
        if body is None:
            body = release_metadata(release) if fmt == METADATA else release_zip(release, slot=slot)
            cache.set(key, body, timeout=24 * 3600)
        return body
    raise ValueError(f"A release has no {fmt!r} file.")


def release_snippets(release: Release) -> dict[str, str]:
    """Return the snippets a publisher pastes into a model card, a README and file headers."""
    version, document = release.version, release.version.document
    license_url = absolute(version.get_absolute_url())
    spdx = document.spdx_id(version.number)
    values = release.values
    notice = snippets.notice(
        model=values.get("model", ""),
        year=values.get("year", ""),
        licensor=values.get("licensor", ""),
        title=version.title,
        license_url=license_url,
        release_url=absolute(release.get_absolute_url()),
        spdx_id=spdx,
    )
    if release.renderer != "1":  # the kit's own NOTICE and model card (kit.py)
        about = kit_release(release)
        notice = kit.notice(about)
        model_card = snippets.model_card(key=license_key(version), license_url="LICENSE")
    else:
        model_card = snippets.model_card(key=license_key(version), license_url=license_url)
    return {
        "model_card": model_card,
        "badge": snippets.badge(
            label=snippets.badge_label(document.short_name, version.number),
            image_url=absolute(version.badge_url()),
            license_url=license_url,
        ),
        "spdx": snippets.spdx_header(spdx) + "\n",
        "notice": notice,
    }


PUBLICATIONS = counters.PUBLICATIONS
PUBLICATIONS_KEY = PUBLICATIONS.key
GENERATION_RECHECK = counters.RECHECK
publication_generation = PUBLICATIONS.value
forget_publication_generation = PUBLICATIONS.forget
note_publication = PUBLICATIONS.bump


def release_metadata(release: Release) -> bytes:
    """Return the JSON of a release: its values, license, permalink and the checksum of each file."""
    version = release.version
    data = {
        "id": release.id,
        "url": absolute(release.get_absolute_url()),
        "created_at": release.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "license": {
            "title": version.title,
            "version": version.number,
            "url": absolute(version.get_absolute_url()),
            "metadata": absolute(version.file_url("json")),
            "spdx_id": version.document.spdx_id(version.number),
        },
        "values": release.values,
        "files": {
            fmt.suffix: {
                "name": fmt.license_name,
                "url": absolute(release.file_url(fmt.suffix)),
                "sha256": release_checksum(release, fmt.suffix),
            }
            for fmt in release_license_files(release)
        },
        "renderer_version": release.renderer,
    }
    if release.renderer != "1":  # the repository-ready kit: every file in it, and what the license covers
        data["coverage"] = release.coverage
        data["kit"] = {
            "url": absolute(release.file_url("zip")),
            "files": {name: {"sha256": sha256(body), "bytes": len(body)} for name, body in kit_members(release)},
        }
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def release_zip(release: Release, *, slot: Slot = nullcontext) -> bytes:
    """Return a release's kit as a zip, byte-identical on every call: renderer 1's layout (the license
    files, NOTICE and snippets) for the releases made with it, the repository-ready kit from 2 on."""
    if release.renderer == "1":
        return _release_zip_1(release, slot=slot)
    return kit.archive(kit_members(release, slot=slot), release.created_at.utctimetuple()[:6])


def kit_release(release: Release) -> kit.Release:
    """What the kit's texts say of a release (kit.py is pure)."""
    version, document = release.version, release.version.document
    values = release.values
    return kit.Release(
        model=values.get("model", ""),
        licensor=values.get("licensor", ""),
        year=values.get("year", ""),
        title=version.title,
        short_name=f"{document.short_name} {version.number}",
        key=license_key(version),
        spdx_id=document.spdx_id(version.number),
        license_url=absolute(version.get_absolute_url()),
        release_url=absolute(release.get_absolute_url()),
        coverage=release.coverage,
        renderer=release.renderer,
    )


def kit_members(release: Release, *, slot: Slot = nullcontext) -> list[tuple[str, bytes]]:
    """The files of a release's kit (renderer 2 on), in the zip's order: what a repository's root takes
    (LICENSE, NOTICE, README.md, REUSE.toml, LICENSES/<id>.txt), then the extras in a folder of their own."""
    about = kit_release(release)
    license_text = release_file(release, "txt", slot=slot)
    snippets = release_snippets(release)
    extras = kit.EXTRAS
    return [
        ("LICENSE", license_text),
        ("NOTICE", kit.notice(about).encode()),
        ("README.md", kit.model_card(about).encode()),
        ("REUSE.toml", kit.reuse_toml(about).encode()),
        (f"LICENSES/{about.spdx_id}.txt", license_text),
        (f"{extras}/LICENSE.md", release_file(release, "md", slot=slot)),
        (f"{extras}/LICENSE.pdf", release_file(release, "pdf", slot=slot)),
        (f"{extras}/badge.md", snippets["badge"].encode()),
        (f"{extras}/spdx-header.txt", snippets["spdx"].encode()),
        (f"{extras}/merging-into-a-model-card.md", kit.merging_note(about).encode()),
    ]


def _release_zip_1(release: Release, *, slot: Slot = nullcontext) -> bytes:
    snippets = release_snippets(release)
    members = [
        (fmt.license_name, release_file(release, fmt.suffix, slot=slot)) for fmt in release_license_files(release)
    ]
    members += [
        ("NOTICE", snippets["notice"].encode()),
        ("snippets/model-card-metadata.md", snippets["model_card"].encode()),
        ("snippets/readme-badge.md", snippets["badge"].encode()),
        ("snippets/spdx-header.txt", snippets["spdx"].encode()),
    ]
    return kit.archive(members, release.created_at.utctimetuple()[:6])


def badge_svg(version: Version) -> bytes:
    """Return a small SVG badge naming the license and version, drawn by us (no external service)."""
    left, right = "license", f"{version.document.short_name} {version.number}"
    left_width, right_width = 6 + 7 * len(left), 10 + 7 * len(right)
    width = left_width + right_width
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f'aria-label="{left}: {right}"><title>{left}: {right}</title>'
        f'<rect width="{left_width}" height="20" fill="#555"/>'
        f'<rect x="{left_width}" width="{right_width}" height="20" fill="#1f4e79"/>'
        '<g fill="#fff" font-family="DejaVu Sans,Verdana,sans-serif" font-size="11">'
        f'<text x="6" y="14">{left}</text><text x="{left_width + 5}" y="14">{right}</text></g></svg>\n'
    )
    return svg.encode()


def assessment_badge_svg(number: str, conforms: bool) -> bytes:
    """Return the badge of a self-assessment ("Open Weights 1.1 | conforms"), in the style of badge_svg."""
    left, right = f"Open Weights {number}", "conforms" if conforms else "does not conform"
    left_width, right_width = 10 + 7 * len(left), 10 + 7 * len(right)
    width = left_width + right_width
    colour = "#1d5e2f" if conforms else "#8a1c1c"  # the site's --ok and --danger: white text reads on both
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f'aria-label="{left}: {right} (self-assessment)"><title>{left}: {right} (self-assessment)</title>'
        f'<rect width="{left_width}" height="20" fill="#555"/>'
        f'<rect x="{left_width}" width="{right_width}" height="20" fill="{colour}"/>'
        '<g fill="#fff" font-family="DejaVu Sans,Verdana,sans-serif" font-size="11">'
        f'<text x="6" y="14">{left}</text><text x="{left_width + 5}" y="14">{right}</text></g></svg>\n'
    )
    return svg.encode()


def assessment_snippets(*, page_url: str, badge_url: str, number: str, conforms: bool) -> dict[str, str]:
    """Return the Markdown and HTML that show a self-assessment's badge in a README, linking back to it."""
    text = f"Open Weights {number}: {'conforms' if conforms else 'does not conform'} (self-assessment)"
    return {
        "markdown": f"[![{text}]({badge_url})]({page_url})\n",
        "html": f'<a href="{page_url}"><img src="{badge_url}" alt="{text}"></a>\n',
    }


def assessment_statement(
    *,
    identifier: str,
    definition: Version,
    answers: dict,
    verdict,
    readings: list,
    release: Release | None,
    created_at,
    list_package: str,
) -> bytes:
    """Return the JSON statement of a self-assessment, written once when it is made and then frozen:
    the answers, the verdict with every unmet item, the Definition version and the checksums it relied on."""
    page = absolute(reverse("licenses:assessment", kwargs={"assessment_id": identifier}))
    badge = absolute(reverse("licenses:assessment-file", kwargs={"assessment_id": identifier, "fmt": "svg"}))
    publisher, model = answers["publisher"], answers["model"]
    data = {
        "id": identifier,
        "url": page,
        "json_url": absolute(reverse("licenses:assessment-file", kwargs={"assessment_id": identifier, "fmt": "json"})),
        "created_at": created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "statement": (
            f"This is the publisher's own statement: {publisher} assessed {model} against {definition.title} with "
            "the Open Weights questionnaire. It is not a certification; the Open Weights project has not checked "
            "it. Each answer names its evidence so that anyone can."
        ),
        "definition": {
            "version": definition.number,
            "title": definition.title,
            "url": absolute(definition.get_absolute_url()),
            "licenses_url": absolute(definition.licenses_url(as_json=True)),
        },
        "answers": answers,
        "conforms": verdict.conforms,
        "unmet": verdict.unmet,
        "findings": [finding.as_dict() for finding in verdict.findings],
        "optional": [result.as_dict() for result in verdict.optional],
        "elsewhere": {
            "note": "Informative only: what the same answers mean under other frameworks, stated only where the "
            "answers determine it.",
            "readings": [reading.as_dict() for reading in readings],
        },
        "release": {"id": release.id, "url": absolute(release.get_absolute_url())} if release else None,
        "badge": {
            "url": badge,
            **assessment_snippets(page_url=page, badge_url=badge, number=definition.number, conforms=verdict.conforms),
        },
        "checksums": {
            "definition.md": definition.checksums.get("md"),
            "definition.licenses.json": definition.stored_checksums().get(LICENSES),
            "badge.svg": sha256(assessment_badge_svg(definition.number, verdict.conforms)),
        },
        "open_source_list": f"The SPDX License List's isOsiApproved flags, from {list_package}",
    }
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def assessment_summary(made) -> dict:
    """The answer to POST /assessments.json (and the API's): the statement's id, addresses and verdict."""
    data = json.loads(bytes(made.body))
    return {
        "id": data["id"],
        "url": data["url"],
        "json_url": data["json_url"],
        "badge": data["badge"]["url"],
        "definition": data["definition"]["version"],
        "conforms": data["conforms"],
        "unmet": data["unmet"],
        "created_at": data["created_at"],
        "release": data["release"]["id"] if data["release"] else None,
    }
