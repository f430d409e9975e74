import threading
from contextlib import contextmanager

import pytest
from django.test import Client, override_settings

from licenses import throttling
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


@override_settings(OW_CONCURRENT_RENDERS=1)
def test_concurrent_pdf_renders_are_capped_so_workers_stay_free_for_pages():
    with slot_held_elsewhere(), pytest.raises(Throttled, match="busy rendering"), render_slot(wait=0.2):
        pass
    with render_slot(wait=0.2):
        pass


@override_settings(OW_CONCURRENT_RENDERS=1, OW_RENDER_QUEUE=1)
def test_pdf_requests_beyond_the_slots_and_the_line_are_refused_at_once(monkeypatch):
    in_line = threading.Event()
    outcomes = []
    original_take = throttling._take

    def noting_take(kind, count):
        handle = original_take(kind, count)
        if kind == "queue" and handle is not None:
            in_line.set()
        return handle

    monkeypatch.setattr(throttling, "_take", noting_take)

    def wait_in_line():
        with render_slot(wait=10):
            outcomes.append("rendered after waiting")

    with slot_held_elsewhere():
        second = threading.Thread(target=wait_in_line)
        second.start()
        assert in_line.wait(5)
        with pytest.raises(Throttled, match="as many PDFs as it can") as refused, render_slot(wait=10):
            pass
        assert refused.value.retry_after == 1
        assert outcomes == [], "refused while the request in line was still waiting, not after it"
    second.join()
    assert outcomes == ["rendered after waiting"]


@override_settings(OW_CONCURRENT_RENDERS=1, OW_RENDER_QUEUE=0)
def test_with_no_line_a_busy_host_refuses_at_once():
    with slot_held_elsewhere(), pytest.raises(Throttled, match="as many PDFs as it can"), render_slot(wait=10):
        pass
