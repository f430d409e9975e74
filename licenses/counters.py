"""Counters in the shared cache (Redis in production) that tell every process something changed.

Pages are kept in each process's memory by such a counter's value: when it moves, they are made
again. A process reads a counter at most once a RECHECK seconds, since a page request should not pay
a cache round trip to learn that nothing changed: other processes see a change within that time, the
process that made it at once.
"""

import time

from django.conf import settings
from django.core.cache import cache

RECHECK = 1.0


class SharedCounter:
    def __init__(self, key: str):
        self.key = key
        self._until = 0.0
        self._value = 0

    def value(self) -> int:
        """The counter as last read here, read again from the shared cache when RECHECK has passed."""
        now = time.monotonic()
        if now >= self._until:
            self._until, self._value = now + RECHECK, cache.get(self.key, 0)
        return self._value

    def forget(self) -> None:
        """Read the shared cache again at the next value()."""
        self._until = 0.0

    def bump(self) -> None:
        """Move the counter for every process (call it once the change has committed)."""
        cache.add(self.key, 0, timeout=None)
        try:
            cache.incr(self.key)
        except ValueError:  # evicted between add and incr: a counter anew still tells the others
            cache.set(self.key, 1, timeout=None)
        self.forget()


def shared_between_processes() -> bool:
    """Whether every process uses the same cache (Redis), so that a counter moved in one moves for all.

    The default local-memory cache is each worker's own: a counter there tells no other worker."""
    return "locmem" not in settings.CACHES["default"]["BACKEND"].lower()


# Moves whenever a version is published: pages and version lists are kept by it (outputs.py, views.py).
PUBLICATIONS = SharedCounter("publications")
# Moves whenever a self-assessment is stored: a release page lists the statements that name it.
STATEMENTS = SharedCounter("statements")


def forget_all() -> None:
    """Read every counter again at its next use (tests build a new database each time)."""
    for counter in (PUBLICATIONS, STATEMENTS):
        counter.forget()
