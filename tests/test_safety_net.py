"""The safety net: every published version, in every format of the table, is served with its
recorded checksum and shows nothing left of the machinery (tokens, template syntax)."""

import hashlib
import re

from django.test import Client

from licenses import formats, rendering
from licenses.models import Version

LEFTOVERS = re.compile("[\ue000-\ue003]|\\{%|%\\}")


def test_every_published_version_serves_every_format_with_its_recorded_checksum(canonical):
    client = Client()
    versions = list(Version.objects.published().select_related("document"))
    assert {str(version) for version in versions} >= {"OWD 1.0", "OWPL 1.0"}
    for version in versions:
        recorded = version.stored_checksums()
        page = client.get(version.get_absolute_url())
        assert page.status_code == 200, version
        for fmt in formats.version_files():
            response = client.get(version.file_url(fmt.suffix))
            assert response.status_code == 200, (version, fmt.suffix)
            assert response["Content-Type"] == fmt.content_type
            assert hashlib.sha256(response.content).hexdigest() == recorded[fmt.suffix], (version, fmt.suffix)
            assert recorded[fmt.suffix] in page.content.decode(), "the page lists each file's checksum"
            if fmt.content_type.startswith("text/"):
                text = response.content.decode()
                assert not LEFTOVERS.search(text), (version, fmt.suffix)
                names = set(rendering.placeholders(version.markdown))
                leftover = set(rendering.placeholders(text)) - names if fmt.suffix == "md" else set()
                assert not leftover and ("{{" not in text or fmt.suffix == "md"), (version, fmt.suffix)
