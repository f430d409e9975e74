"""The bytes a version or release is served as: deterministic, and never throttled off request paths."""

import hashlib

from django.test import override_settings

from licenses import formats, outputs, publishing
from licenses.models import Version

from .factories import in_a_fresh_process, make_document, make_version, slot_held_elsewhere

# Renders the OWPL 1.0 text, filled in, in every format of the table, in a process of its own.
RENDER_EVERY_FORMAT = """
import hashlib, json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from licenses import formats
from licenses.loading import read_text
source = formats.Source(read_text("owpl/1.0.md"), {"licensor": "Acme AI", "model": "Acme-7B", "year": "2026"},
                        title="OWPL 1.0", author="Acme AI", url="https://example.org/r/x/")
print(json.dumps({fmt.suffix: hashlib.sha256(fmt.render(source)).hexdigest()
                  for fmt in formats.FORMATS.values() if fmt.render}))
"""


def test_every_format_renders_the_same_bytes_in_two_fresh_processes():
    first, second = in_a_fresh_process(RENDER_EVERY_FORMAT), in_a_fresh_process(RENDER_EVERY_FORMAT)
    assert set(first) == {fmt.suffix for fmt in formats.FORMATS.values() if fmt.render}
    assert first == second


@override_settings(OW_CONCURRENT_RENDERS=1, OW_RENDER_QUEUE=0)
def test_publishing_is_never_refused_for_render_slots_held_by_requests(db):
    version = make_version(make_document())
    with slot_held_elsewhere():
        published = publishing.publish_version(version=version)
        assert publishing.verify_checksums() == []
    assert published.is_published and set(published.checksums) >= {"pdf"}


def test_a_published_versions_file_is_its_stored_rendition(owpl):
    body, sha = outputs.version_file(owpl, "pdf")
    assert sha == hashlib.sha256(body).hexdigest() == owpl.checksums["pdf"]
    assert Version.objects.get(pk=owpl.pk).renditions.get(format="pdf").sha256 == sha
