"""Bounds on expensive work: per-client rate limits and a cap on concurrent PDF renders.

Rate limits count in the database, per client, over a sliding minute. The render
cap uses lock files, so it holds across all the worker processes of one host: however many cold
PDFs are requested, some workers always stay free for pages and downloads.
"""

import fcntl
import hashlib
import math
import os
import stat
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpResponse

from .models import RateCount


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


# The clock the rate limits read; tests set their own to cross window boundaries at will.
clock = time.time
WINDOW = 60  # seconds: the limits are per minute


def _within_limit(previous: int, current: int, into: float, limit: int) -> bool:
    """Whether the requests in the minute before now are at most `limit`, estimated from two
    one-minute windows: the previous window's count weighs by the share of it still within the minute.

    A fixed window alone would let a client make twice its limit across a window boundary (and make
    a test that straddles one pass or fail by the clock). The estimate previous·(1 − into/WINDOW) +
    current ≤ limit is multiplied out by WINDOW so that whole seconds compare exactly.
    """
    return previous * (WINDOW - into) + current * WINDOW <= limit * WINDOW


@dataclass(frozen=True)
class RateState:
    """Where a client stands in one rate limit after a request was counted: for RateLimit-* headers."""

    limit: int
    remaining: int
    reset: int  # seconds until the current window ends


def check_rate(request, bucket: str, per_minute: int) -> RateState:
    """Count one request of this client in this bucket; raise Throttled, without counting it, when it
    would make more than `per_minute` in the last minute. Return where the client then stands.

    Counts are read before one is added, so a refused request costs no write (a flood of them does
    not queue on the database), and a client that waits as Retry-After says is let in then. The
    price: requests of one client that arrive at the same instant may all pass, one per worker.
    """
    now = clock()
    window, into = divmod(now, WINDOW)
    window = int(window)
    scope = hashlib.sha256(f"{bucket}:{client_address(request)}".encode()).hexdigest()[:40]
    current_key, previous_key = f"{scope}:{window}", f"{scope}:{window - 1}"
    counts = dict(RateCount.objects.filter(key__in=(current_key, previous_key)).values_list("key", "count"))
    previous, current = counts.get(previous_key, 0), counts.get(current_key, 0)
    if not _within_limit(previous, current + 1, into, per_minute):
        raise Throttled(
            f"Too many {bucket} requests: the limit is {per_minute} a minute.",
            _seconds_until_allowed(previous, current, into, per_minute),
        )
    _count_one(current_key, expires=(window + 2) * WINDOW, now=now)
    used = Fraction(previous) * (WINDOW - Fraction(into)) / WINDOW + current + 1
    return RateState(per_minute, max(0, math.floor(per_minute - used)), max(1, math.ceil(WINDOW - into)))


def _count_one(key: str, *, expires: int, now: float) -> None:
    """Add one to a window's count, atomically however many workers count at once."""
    if RateCount.objects.filter(key=key).update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            RateCount.objects.create(key=key, count=1, expires=expires)
    except IntegrityError:  # another worker counted the window's first request meanwhile
        RateCount.objects.filter(key=key).update(count=F("count") + 1)
        return
    # Once per client and window: drop the windows that no longer count for anyone.
    RateCount.objects.filter(expires__lt=now).delete()


def _seconds_until_allowed(previous: int, current: int, into: float, limit: int) -> int:
    """Whole seconds until one more request fits, if the client sends none meanwhile.

    With no new requests the estimate only falls (it is continuous across the boundary), so the
    answer is where it first reaches limit − 1, in this window or the next.
    """
    if limit < 1:
        return 2 * WINDOW
    into = Fraction(into)  # exact: the wait must agree with _within_limit to the second
    room = limit - 1 - current
    if room >= 0 and previous:
        # In this window: previous·(WINDOW − into − wait) ≤ room·WINDOW.
        wait = WINDOW - into - Fraction(room * WINDOW, previous)
        if into + wait < WINDOW:
            return max(1, math.ceil(wait))
    # In the next one this window's count fades: current·(2·WINDOW − into − wait) ≤ (limit − 1)·WINDOW.
    wait = 2 * WINDOW - into - Fraction((limit - 1) * WINDOW, current) if current else WINDOW - into
    return max(1, math.ceil(wait))


# One set of slots per installation (two checkouts on one machine do not share them).
_LOCK_DIR = Path(os.environ.get("OW_LOCK_DIR") or tempfile.gettempdir()) / (
    "open-weights-render-slots-" + hashlib.sha256(str(settings.BASE_DIR).encode()).hexdigest()[:12]
)


def _private_lock_dir() -> Path:
    """Return the slots' directory, made private to the site's user (0700): another local user who
    could open the lock files could hold every slot and have every cold PDF refused."""
    _LOCK_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = _LOCK_DIR.stat()
    if info.st_uid != os.getuid():
        raise ImproperlyConfigured(
            f"{_LOCK_DIR} belongs to another user: set OW_LOCK_DIR to a directory of the site's own."
        )
    if stat.S_IMODE(info.st_mode) != 0o700:  # made by an earlier version, readable by all
        _LOCK_DIR.chmod(0o700)
        for path in _LOCK_DIR.glob("*.lock"):
            path.chmod(0o600)
    return _LOCK_DIR


def _take(kind: str, count: int):
    """Take one of the host's `count` lock files of this kind without waiting; None if all are held."""
    for number in range(count):
        descriptor = os.open(_LOCK_DIR / f"{kind}-{number}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        handle = os.fdopen(descriptor, "r+b")
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
    _private_lock_dir()
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


def after(seconds: int) -> str:
    """'in 25 seconds', 'in 3 minutes': when Retry-After says to try again, for people."""
    if seconds < 120:
        return f"in {seconds} second{'s' if seconds != 1 else ''}"
    return f"in {math.ceil(seconds / 60)} minutes"


def throttled_response(error: Throttled) -> HttpResponse:
    response = HttpResponse(str(error) + "\n", status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(error.retry_after)
    return response
