"""Per-process memories of things that are frozen or change rarely: bounded, and forgotten together.

Published versions, their files and pages, releases and gzip forms never change, so a worker keeps
what it was asked for instead of asking the database or the cache again. Each memory holds at most
`limit` entries and empties itself when full (crude, but these hold only what is asked for often and
refilling is cheap); `forget_all()` empties every one (tests build a new database each time).

A `shared` memory also keeps what it makes in the shared cache (Redis in production), so that a
worker or app server asked for a frozen thing for the first time while the database is away still
finds it, when any other has served it before.
"""

import hashlib
import weakref
from collections.abc import Callable, Hashable
from typing import Any

from django.core.cache import cache

SHARED_TIMEOUT = 7 * 24 * 3600

_MISSING = object()
_memories: "weakref.WeakSet[Memory]" = weakref.WeakSet()  # a memory that is gone is forgotten


class Memory:
    def __init__(self, name: str, limit: int = 1024, *, shared: bool = False):
        self.name = name
        self.limit = limit
        self.shared = shared
        self._entries: dict[Hashable, Any] = {}
        _memories.add(self)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries

    def get(self, key: Hashable, default=None):
        return self._entries.get(key, default)

    def remember(self, key: Hashable, value):
        """Keep a value (emptying the memory first when it is full) and return it."""
        if len(self._entries) >= self.limit and key not in self._entries:
            self._entries.clear()
        self._entries[key] = value
        return value

    def get_or_make(self, key: Hashable, make: Callable[[], Any]):
        """Return the value kept for key, made (and kept) the first time it is asked for."""
        value = self._entries.get(key, _MISSING)
        if value is _MISSING:
            shared_key = self._shared_key(key) if self.shared else None
            if shared_key:
                value = cache.get(shared_key, _MISSING)
            if value is _MISSING:
                value = make()
                if shared_key:
                    cache.set(shared_key, value, timeout=SHARED_TIMEOUT)
            self.remember(key, value)
        return value

    def _shared_key(self, key: Hashable) -> str:
        return "memory:" + hashlib.sha256(repr((self.name, key)).encode()).hexdigest()

    def clear(self) -> None:
        self._entries.clear()


def forget_all() -> None:
    """Empty every per-process memory."""
    for memory in _memories:
        memory.clear()
