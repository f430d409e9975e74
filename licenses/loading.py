"""Load the canonical texts kept as files under licenses/content/ into the database.

Layout: documents.json lists the documents; <slug>/<number>.md is a version's text,
<number>.summary.md its plain-language summary, <number>.json its changelog, publication time and
fields, and, for a definition, <number>.licenses.json which licenses meet that version
(conformance.py), published and frozen with it. Loading is idempotent: a version already in the
database is compared, never rewritten.
Loading also completes published versions with any format added since (publishing.complete_renditions).
"""

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.db import transaction

from . import conformance, outputs
from .models import Document, Rendition, Version, version_key
from .publishing import complete_renditions, publish_version

CONTENT_DIR = Path(__file__).resolve().parent / "content"


class ContentError(Exception):
    """The files and the database disagree in a way that loading must not paper over."""


@dataclass
class LoadReport:
    created: list[str]
    unchanged: list[str]
    completed: list[str]


def read_text(name: str) -> str:
    return (CONTENT_DIR / name).read_text(encoding="utf-8")


def _version_files(content_dir: Path, slug: str) -> list[Path]:
    folder = content_dir / slug
    sources = [p for p in folder.glob("*.md") if not p.name.endswith(".summary.md")]
    return sorted(sources, key=lambda p: version_key(p.stem))


@transaction.atomic
def load_documents(content_dir: Path = CONTENT_DIR) -> LoadReport:
    """Create the documents and publish the versions found in the files; change nothing else."""
    report = LoadReport(created=[], unchanged=[], completed=[])
    entries = json.loads((content_dir / "documents.json").read_text(encoding="utf-8"))
    for position, entry in enumerate(entries):
        document, _ = Document.objects.update_or_create(
            slug=entry["slug"],
            defaults={
                "kind": entry["kind"],
                "title": entry["title"],
                "short_name": entry["short_name"],
                "description": entry.get("description", ""),
                "position": position,
            },
        )
        for source in _version_files(content_dir, entry["slug"]):
            number = source.stem
            meta = json.loads(source.with_suffix(".json").read_text(encoding="utf-8"))
            summary_path = source.with_name(f"{number}.summary.md")
            text = source.read_text(encoding="utf-8")
            summary = summary_path.read_text(encoding="utf-8") if summary_path.exists() else ""
            licenses = _licenses(source.with_name(f"{number}.licenses.json"))
            existing = Version.objects.filter(document=document, number=number).first()
            if existing is not None and existing.is_published:
                if existing.markdown != text or existing.fields != meta.get("fields", []):
                    raise ContentError(
                        f"{source} differs from the published {existing}. Published versions are frozen: "
                        "restore the file, or add the change as a new version."
                    )
                stored = Rendition.objects.filter(version=existing, format=outputs.LICENSES).first()
                if licenses != (bytes(stored.body) if stored else None):
                    raise ContentError(
                        f"{number}.licenses.json of {document.slug} differs from the assessment published with "
                        f"{existing}, which is frozen: restore the file, or publish the change with a new version."
                    )
                report.unchanged.append(str(existing))
                continue
            if existing is not None:
                raise ContentError(f"{document.short_name} {number} exists as a draft; publish or remove it first.")
            version = Version.objects.create(
                document=document,
                number=number,
                markdown=text,
                summary=summary,
                fields=meta.get("fields", []),
                changelog=meta.get("changelog", ""),
            )
            published_at = datetime.fromisoformat(meta["published_at"].replace("Z", "+00:00"))
            publish_version(version=version, published_at=published_at, licenses=licenses)
            report.created.append(str(version))
    report.completed = complete_renditions()
    return report


def _licenses(path: Path) -> bytes | None:
    """Return the canonical bytes of a version's assessment of licenses, or None when it has none."""
    if not path.exists():
        return None
    try:
        return conformance.canonical(path.read_bytes())
    except conformance.AssessmentError as error:
        raise ContentError(f"{path}: {error}") from None
