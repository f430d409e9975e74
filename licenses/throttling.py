"""Bounds on expensive work: per-client rate limits and a cap on concurrent PDF renders.

Rate limits count in the shared cache (fixed one-minute windows per client address). The render
cap uses lock files, so it holds across all the worker processes of one host: however many cold
PDFs are requested, some workers always stay free for pages and downloads.
"""

import fcntl
import hashlib
import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse


class Throttled(Exception):
    """The client must wait `retry_after` seconds before asking again."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def client_address(request) -> str:
    """Return the client's address: REMOTE_ADDR, or the one our proxies recorded in X-Forwarded-For."""
    if settings.OW_PROXY_COUNT > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= settings.OW_PROXY_COUNT:
            return hops[-settings.OW_PROXY_COUNT]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def check_rate(request, bucket: str, per_minute: int) -> None:
    """Count one request of this client in this bucket; raise Throttled past the limit."""
    window = int(time.time() // 60)
    key = f"rate:{bucket}:{client_address(request)}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    if count > per_minute:
        raise Throttled(f"Too many {bucket} requests: the limit is {per_minute} a minute.", 60 - int(time.time() % 60))


# One set of slots per installation (two checkouts on one machine do not share them).
_LOCK_DIR = Path(os.environ.get("OW_LOCK_DIR") or tempfile.gettempdir()) / (
    "open-weights-render-slots-" + hashlib.sha256(str(settings.BASE_DIR).encode()).hexdigest()[:12]
)


def _take(kind: str, count: int):
    """Take one of the host's `count` lock files of this kind without waiting; None if all are held."""
    for number in range(count):
        handle = open(_LOCK_DIR / f"{kind}-{number}.lock", "a")  # noqa: SIM115 (held by the caller)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        return handle
    return None


def _give_back(handle) -> None:
    fcntl.flock(handle, fcntl.LOCK_UN)
    handle.close()


@contextmanager
def render_slot(wait: float = 5.0):
    """Hold one of the host's PDF render slots (OW_CONCURRENT_RENDERS).

    When all are busy, a request waits up to `wait` seconds, but only in one of the host's
    OW_RENDER_QUEUE places in line; one that finds those taken too is answered 429 at once. A
    waiting request holds its worker, so without that bound a burst of PDF requests could hold every
    worker and leave none for pages: with the defaults (2 slots, 1 place, 4 workers) one always stays free.
    """
    _LOCK_DIR.mkdir(parents=True, exist_ok=True)
    slots = max(1, settings.OW_CONCURRENT_RENDERS)
    slot = _take("slot", slots)
    if slot is None:
        place = _take("queue", max(0, settings.OW_RENDER_QUEUE))
        if place is None:
            raise Throttled("The server is rendering as many PDFs as it can; try again in a moment.", 1)
        try:
            deadline = time.monotonic() + wait
            while (slot := _take("slot", slots)) is None:
                if time.monotonic() >= deadline:
                    raise Throttled("The server is busy rendering PDFs; try again in a moment.", 2)
                time.sleep(0.01)  # a slot is held for a render (about 0.1 s): look again soon
        finally:
            _give_back(place)
    try:
        yield
    finally:
        _give_back(slot)


def throttled_response(error: Throttled) -> HttpResponse:
    response = HttpResponse(str(error) + "\n", status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(error.retry_after)
    return response
