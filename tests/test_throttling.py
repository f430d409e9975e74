import threading

import pytest
from django.test import Client, override_settings

from licenses.throttling import Throttled, render_slot

QUERY = "/licenses/owpl/1.0.txt?licensor=Acme&year=2026&model="


@override_settings(OW_RENDERS_PER_MINUTE=3)
def test_cold_renders_are_rate_limited_per_client_but_cached_ones_are_free(canonical):
    client = Client()
    for i in range(3):
        assert client.get(QUERY + f"M{i}").status_code == 200
    refused = client.get(QUERY + "M-new")
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    assert b"the limit is 3 a minute" in refused.content
    assert client.get(QUERY + "M0").status_code == 200, "a cached file costs nothing"
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.get(QUERY + "M-new").status_code == 200, "the limit is per client"


@override_settings(OW_RELEASES_PER_MINUTE=2)
def test_wizard_submissions_are_rate_limited(canonical):
    client = Client()
    for i in range(2):
        assert (
            client.post("/licenses/owpl/1.0/wizard/", {"licensor": "A", "model": f"M{i}", "year": "2026"}).status_code
            == 302
        )
    refused = client.post("/licenses/owpl/1.0/wizard/", {"licensor": "A", "model": "M9", "year": "2026"})
    assert refused.status_code == 429 and refused["Retry-After"]


@override_settings(OW_CONCURRENT_RENDERS=1)
def test_concurrent_pdf_renders_are_capped_so_workers_stay_free_for_pages():
    holding, release = threading.Event(), threading.Event()

    def hold():
        with render_slot():
            holding.set()
            release.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    holding.wait(5)
    with pytest.raises(Throttled), render_slot(wait=0.2):
        pass
    release.set()
    worker.join()
    with render_slot(wait=0.2):
        pass
