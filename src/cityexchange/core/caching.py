"""One way to keep derived data (indexes, lists, label maps) between requests.

A value is built by a function from the database and kept in this process's memory
under a *version* that lives in Django's cache framework, so every process sharing
that cache (Redis, or the database cache) sees the same version. The services that
change the underlying rows call ``bump(name)``; every process then rebuilds on its
next use. Nothing polls the database and nothing matches field names in signals.

Values are kept in process memory, not in the cache itself, because they are large
Python objects (a thesaurus index, the Finder's offer profiles) that would cost more
to unpickle on every request than to keep.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

_PREFIX = "cityexchange:version:"
_local: dict[str, tuple[str, Any]] = {}
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _version(name: str) -> str:
    key = _PREFIX + name
    version = cache.get(key)
    if version is None:
        # add() keeps a version another process set meanwhile; read back the winner.
        cache.add(key, uuid.uuid4().hex, timeout=None)
        version = cache.get(key) or ""
    return str(version)


def cached(name: str, build: Callable[[], T]) -> T:
    """The value ``build()`` returns, rebuilt once after every ``bump(name)``."""
    version = _version(name)
    hit = _local.get(name)
    if hit is not None and hit[0] == version:
        return hit[1]  # type: ignore[no-any-return]  # stored by this function with type T
    with _locks_guard:
        lock = _locks.setdefault(name, threading.Lock())
    with lock:
        hit = _local.get(name)
        if hit is not None and hit[0] == version:
            return hit[1]  # type: ignore[no-any-return]  # as above
        value = build()
        _local[name] = (version, value)
        return value


def bump(name: str) -> None:
    """Mark ``name`` outdated in every process, now and again once the transaction commits.

    Now, so this process (inside its open transaction) sees its own change; after the
    commit, because another process may have rebuilt from the old rows meanwhile.
    """

    def new_version() -> None:
        cache.set(_PREFIX + name, uuid.uuid4().hex, timeout=None)
        _local.pop(name, None)

    new_version()
    transaction.on_commit(new_version)


def forget_all() -> None:
    """Drop this process's values (tests start from a clean state)."""
    _local.clear()
