"""Small helpers that make documents and versions for tests, read the canonical version numbers
from licenses/content/, and hold a render slot."""

import json
import os
import re
import subprocess
import sys
import threading
from contextlib import contextmanager

from django.conf import settings

from licenses import loading
from licenses.models import Document, Version, version_key
from licenses.throttling import render_slot

TEMPLATE = """# Test License 1.0

Copyright {{year}} {{licensor}}. The model {{model}} is licensed under these terms.

## 1. Grant

1. You may use **{{model}}** for any purpose.
2. You may share it.

## 2. Condition

Keep this notice.
"""

FIELDS = [
    {"name": "licensor", "label": "Licensor", "example": "Acme", "required": True, "max_length": 200, "kind": "text"},
    {"name": "model", "label": "Model", "example": "M-1", "required": True, "max_length": 200, "kind": "text"},
    {"name": "year", "label": "Year", "example": "2026", "required": True, "max_length": 4, "kind": "year"},
]


def make_document(slug: str = "testl", kind: str = Document.Kind.LICENSE, **kwargs) -> Document:
    defaults = {"title": f"Test {slug}", "short_name": slug.upper()}
    defaults.update(kwargs)
    return Document.objects.create(slug=slug, kind=kind, **defaults)


def make_version(document: Document, number: str = "1.0", **kwargs) -> Version:
    defaults = {"markdown": TEMPLATE, "fields": FIELDS, "changelog": "First version.", "summary": "Short."}
    defaults.update(kwargs)
    return Version.objects.create(document=document, number=number, **defaults)


def content_numbers(slug: str) -> list[str]:
    """Return the numbers of a canonical document's versions in licenses/content/, oldest first."""
    stems = (path.stem for path in (loading.CONTENT_DIR / slug).glob("*.md"))
    return sorted((stem for stem in stems if re.fullmatch(r"\d+\.\d+", stem)), key=version_key)


def latest_number(slug: str) -> str:
    """Return the number of a canonical document's latest version, as licenses/content/ has it."""
    return content_numbers(slug)[-1]


def number_after(number: str) -> str:
    """Return the next minor version number ("1.1" gives "1.2")."""
    major, minor = number.split(".")
    return f"{major}.{int(minor) + 1}"


def content_documents() -> list[dict]:
    """Return the canonical documents as licenses/content/documents.json lists them."""
    return json.loads((loading.CONTENT_DIR / "documents.json").read_text(encoding="utf-8"))


def content_versions() -> list[str]:
    """Return every canonical version as the site names it ("OWD 1.0"), document by document."""
    return [f"{doc['short_name']} {number}" for doc in content_documents() for number in content_numbers(doc["slug"])]


@contextmanager
def slot_held_elsewhere():
    """Another thread (another request, for the lock files) holds a render slot until the block ends."""
    holding, release = threading.Event(), threading.Event()

    def hold():
        with render_slot():
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(5)
    try:
        yield
    finally:
        release.set()
        thread.join()


def in_a_fresh_process(code: str, *args: str, **env: str):
    """Run Python code in a new process of the project (with extra environment variables) and return
    the JSON it prints."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


def old_release(version: Version, values: dict, created_at=None):
    """Store a release as the code before renderers were recorded made it: renderer 1, an id digested from
    the version and values alone, the license files' checksums of renderer 1."""
    from django.utils import timezone

    from licenses import formats, outputs
    from licenses.models import Release
    from licenses.publishing import release_id

    release = Release(
        id=release_id(version, values, "1"),
        version=version,
        values=values,
        created_at=created_at or timezone.now(),
        renderer="1",
        coverage={},
    )
    release.checksums = {
        fmt.suffix: outputs.sha256(outputs.render_release_file(release, fmt.suffix)) for fmt in formats.license_files()
    }
    release.save(force_insert=True)
    return release
