"""One way to keep derived data (indexes, lists, label maps) between requests.

A value is built by a function from the database and kept in this process's memory
under a *version* that lives in Django's cache framework, so every process sharing
that cache (Redis, or the database cache) sees the same version. The services that
change the underlying rows call ``bump(name)``; every process then rebuilds on its
next use. Nothing polls the database and nothing matches field names in signals.

Values are kept in process memory, not in the cache itself, because they are large
Python objects (a thesaurus index, the Finder's offer profiles) that would cost more
to unpickle on every request than to keep.

Inside ``versions_kept()`` (every request, through ``core.middleware``) each version is
read from the shared cache once: an answer that asks for the thesaurus ten times costs
one cache read, and it sees one state of the data from its start to its end.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

_PREFIX = "cityexchange:version:"
_local: dict[str, tuple[str, Any]] = {}
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()
# The versions read so far in this request (None outside ``versions_kept``).
_read: ContextVar[dict[str, str] | None] = ContextVar("cityexchange_versions", default=None)


@contextmanager
def versions_kept() -> Iterator[None]:
    """Read each version from the shared cache at most once inside the block."""
    token = _read.set({})
    try:
        yield
    finally:
        _read.reset(token)


def version(*names: str) -> str:
    """The current version of the named data, for a key in Django's cache that must
    change when any of them is bumped (values small enough to be kept there whole)."""
    keys = [_PREFIX + name for name in names]
    kept = _read.get()
    if kept is None:  # outside ``versions_kept`` every call reads afresh
        kept = {}
    missing = [key for key in keys if key not in kept]
    if missing:
        found = cache.get_many(missing)
        for key in missing:
            if key not in found:
                # add() keeps a version another process set meanwhile; read back the winner.
                cache.add(key, uuid.uuid4().hex, timeout=None)
                found[key] = cache.get(key) or ""
            kept[key] = str(found[key])
    return "|".join(kept[key] for key in keys)


def cached(name: str, build: Callable[[], T], *, depends_on: Iterable[str] = ()) -> T:
    """The value ``build()`` returns, rebuilt once after every ``bump`` of ``name`` or of
    one of the data it ``depends_on`` (for example the Finder's neighbour lists depend on
    ``"events"`` and ``"library"``, which those apps' services bump).
    """
    current = version(name, *depends_on)
    hit = _local.get(name)
    if hit is not None and hit[0] == current:
        return hit[1]
    with _locks_guard:
        lock = _locks.setdefault(name, threading.Lock())
    with lock:
        hit = _local.get(name)
        if hit is not None and hit[0] == current:
            return hit[1]
        value = build()
        _local[name] = (current, value)
        return value


def bump(name: str) -> None:
    """Mark ``name`` outdated in every process, now and again once the transaction commits.

    Now, so this process (inside its open transaction) sees its own change; after the
    commit, because another process may have rebuilt from the old rows meanwhile.
    """

    def new_version() -> None:
        value = uuid.uuid4().hex
        cache.set(_PREFIX + name, value, timeout=None)
        _local.pop(name, None)
        read = _read.get()
        if read is not None:
            read[_PREFIX + name] = value

    new_version()
    transaction.on_commit(new_version)


def forget_all() -> None:
    """Drop this process's values (tests start from a clean state)."""
    _local.clear()
