import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.test import Client, RequestFactory, override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from licenses import throttling
from licenses.models import RateCount
from licenses.throttling import Throttled, check_rate, render_slot

from .factories import slot_held_elsewhere

QUERY = "/licenses/owpl/1.0.txt?licensor=Acme&year=2026&model="


class Clock:
    """The rate limits' clock, moved by hand: a test crosses a minute boundary when it says so."""

    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    stopped = Clock(29_000_000 * 60 + 30.0)  # half way through a one-minute window
    monkeypatch.setattr(throttling, "clock", stopped)
    return stopped


def post_release(client, model: str):
    return client.post("/licenses/owpl/1.0/wizard/", {"licensor": "A", "model": model, "year": "2026"})


@override_settings(OW_RENDERS_PER_MINUTE=3)
def test_cold_renders_are_rate_limited_per_client_but_cached_ones_are_free(canonical, clock):
    client = Client()
    for i in range(3):
        assert client.get(QUERY + f"M{i}").status_code == 200
    refused = client.get(QUERY + "M-new")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "50", "at 0:30 with 3 in this minute, 2 of them are 'within a minute' at 1:20"
    assert b"the limit is 3 a minute" in refused.content
    assert client.get(QUERY + "M0").status_code == 200, "a cached file costs nothing"
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.get(QUERY + "M-new").status_code == 200, "the limit is per client"


@override_settings(OW_RELEASES_PER_MINUTE=2)
def test_wizard_submissions_are_rate_limited(canonical, clock):
    client = Client()
    for i in range(2):
        assert post_release(client, f"M{i}").status_code == 302
    refused = post_release(client, "M9")
    assert refused.status_code == 429 and refused["Retry-After"] == "60", (
        "at 0:30 with 2 in this minute, 1 is left at 1:30"
    )
    html = refused.content.decode()
    assert "Too many release requests: the limit is 2 a minute. Submit again in 60 seconds" in html
    assert 'value="M9"' in html, "what was typed is still in the form"
    assert '<form method="post"' in html and "<title>" in html, "the wizard's own page, not a bare 429"


@override_settings(OW_RELEASES_PER_MINUTE=2)
def test_a_minute_boundary_does_not_double_the_limit(canonical, clock):
    client = Client()
    clock.now += 29  # the last second of this window
    for i in range(2):
        assert post_release(client, f"M{i}").status_code == 302
    clock.now += 1  # the first second of the next window: both are still within the minute
    refused = post_release(client, "M2")
    assert refused.status_code == 429, "a fixed window would start counting from zero here"
    wait = int(refused["Retry-After"])
    assert wait == 30, "half the previous window has passed at 0:30: 2 x 1/2 + 1 = 2 fits"
    clock.now += wait - 1
    assert post_release(client, "M3").status_code == 429, "one second early is still too early"
    clock.now += 1
    assert post_release(client, "M4").status_code == 302, "Retry-After is honest"


@override_settings(OW_RELEASES_PER_MINUTE=2)
def test_refused_requests_do_not_push_the_wait_further(canonical, clock):
    client = Client()
    for i in range(2):
        assert post_release(client, f"M{i}").status_code == 302
    refused = post_release(client, "X")
    assert refused.status_code == 429
    first = int(refused["Retry-After"])
    for attempt in range(20):  # a client that keeps hammering
        assert post_release(client, f"Z{attempt}").status_code == 429
    assert int(post_release(client, "W")["Retry-After"]) == first
    clock.now += first
    assert post_release(client, "V").status_code == 302


BASE_DIR = Path(__file__).resolve().parent.parent

# One worker process counting requests of one client, as gunicorn's workers do.
COUNT_IN_A_PROCESS = """
from django.test import RequestFactory
from licenses.throttling import Throttled, check_rate
request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7")
for _ in range({n}):
    try:
        check_rate(request, "render", 5)
        print("let in")
    except Throttled:
        print("refused")
"""


def test_worker_processes_count_one_clients_requests_together(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "OW_"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/db.sqlite3"

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    manage("migrate", "-v0")
    first = manage("shell", "-v0", "-c", COUNT_IN_A_PROCESS.format(n=3)).splitlines()
    second = manage("shell", "-v0", "-c", COUNT_IN_A_PROCESS.format(n=3)).splitlines()
    assert first == ["let in"] * 3
    assert second == ["let in", "let in", "refused"], "the second worker must see the first one's three"


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


@pytest.mark.django_db
@settings(max_examples=100, deadline=None)
@given(
    limit=st.integers(min_value=1, max_value=12),
    start=st.integers(min_value=0, max_value=10**9),
    fraction=st.sampled_from([0, 0.001, 0.25, 0.5, 0.999]),  # the real clock is not in whole seconds
    # Bursts of requests in one second, each after a pause of up to a minute and a half.
    bursts=st.lists(st.tuples(st.integers(1, 15), st.integers(0, 90)), min_size=1, max_size=12),
)
def test_retry_after_is_the_first_second_a_request_fits(limit, start, fraction, bursts):
    """Whatever came before, a refused client is refused one second before Retry-After and let in at it."""
    moved = Clock(start + fraction)
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9")
    RateCount.objects.all().delete()  # no counts from the last example

    def ask() -> int | None:
        try:
            check_rate(request, "test", limit)
        except Throttled as refused:
            return refused.retry_after
        return None

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(throttling, "clock", moved)
        for size, pause in bursts:
            moved.now += pause
            for _ in range(size):
                wait = ask()
                if wait is None:
                    continue
                assert 1 <= wait <= 2 * throttling.WINDOW
                moved.now += wait - 1
                assert wait == 1 or ask() is not None, "let in before Retry-After"
                moved.now += 1
                assert ask() is None, "refused at Retry-After"


def test_render_slots_live_in_a_directory_private_to_the_sites_user():
    with render_slot():
        pass
    directory = throttling._LOCK_DIR
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700 and directory.stat().st_uid == os.getuid()
    locks = list(directory.glob("*.lock"))
    assert locks and all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in locks)
