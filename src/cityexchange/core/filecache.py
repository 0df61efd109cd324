"""Django's file-based cache with counters that stay right under concurrency.

The embedded default keeps its cache in files under ``var/cache`` so that every
process of one machine shares it. Django's file cache increments by reading and then
writing a value, so two processes counting the same request at once lose one of the
counts, and a burst of parallel requests slips past a rate limit. Here ``add`` and
``incr`` hold an exclusive ``flock`` on one lock file while they read and write.
Redis (``CITYEXCHANGE_REDIS_URL``) counts atomically by itself.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache.backends.filebased import FileBasedCache


class LockedFileCache(FileBasedCache):
    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        folder: str = self._dir  # type: ignore[attr-defined]  # set by FileBasedCache.__init__
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def add(self, key: Any, value: Any, timeout: Any = None, version: Any = None) -> bool:
        with self._exclusive():
            return super().add(key, value, timeout, version)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> Any:
        with self._exclusive():
            return super().incr(key, delta, version)
