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


# SHA-256 of the 1.0 files as first published (with the default SITE_URL, which the PDFs and JSON print).
PUBLISHED_1_0 = {
    "/definition/1.0.md": "006614a1629eb201100626ccba2461576dd364e24a99e4c107a6020077325b5c",
    "/definition/1.0.txt": "0a02e9306873dcafe36297f422bc1c65cd260b35c6fe20e27831727aa70de535",
    "/definition/1.0.pdf": "abc6d94328c78a9b83140f3e9eb6ed7b387e960a60c91d04b1f7abf4e381d0b0",
    "/definition/1.0.json": "2d1b429b86cb986becea170253f71042d3c048690b3d2d32a3e5c54f752c2e4b",
    "/licenses/owpl/1.0.md": "638c34cb043db594985a8df41f3366ede2d0f17e2726a66c2c6ae2bfa934c23a",
    "/licenses/owpl/1.0.txt": "284eec9e44ad79dbf1ca7659b7c68c66d9c6c4abfd324b50940c19319dae629d",
    "/licenses/owpl/1.0.pdf": "f54dc81dfcfbcbdad46573aac2603a854fcdedff41b75f1067a14c01eb80daab",
    "/licenses/owpl/1.0.json": "539087479fff3d1599360b79cc2b68692747d8eb0cf371363af73d1f7466acff",
}


def test_the_1_0_files_keep_the_bytes_they_were_published_with(canonical, settings):
    assert settings.SITE_URL == "http://127.0.0.1:8000", "the pinned bytes print the default SITE_URL"
    client = Client()
    served = {url: hashlib.sha256(client.get(url).content).hexdigest() for url in PUBLISHED_1_0}
    assert served == PUBLISHED_1_0
