"""Per-process memories of things that are frozen or change rarely: bounded, and forgotten together.

Published versions, their files and pages, releases and gzip forms never change, so a worker keeps
what it was asked for instead of asking the database or the cache again. Each memory holds at most
`limit` entries and empties itself when full (crude, but these hold only what is asked for often and
refilling is cheap); `forget_all()` empties every one (tests build a new database each time).
"""

from collections.abc import Callable, Hashable
from typing import Any

_MISSING = object()
_memories: list["Memory"] = []


class Memory:
    def __init__(self, name: str, limit: int = 1024):
        self.name = name
        self.limit = limit
        self._entries: dict[Hashable, Any] = {}
        _memories.append(self)

    def __len__(self) -> int:
        return len(self._entries)

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
            value = self.remember(key, make())
        return value

    def clear(self) -> None:
        self._entries.clear()


def forget_all() -> None:
    """Empty every per-process memory."""
    for memory in _memories:
        memory.clear()
