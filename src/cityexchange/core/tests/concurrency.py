"""Start several jobs at the same moment, as several people pressing a button at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def race(jobs: list[Callable[[], Any]], *, timeout: float = 120) -> list[Any]:
    """Run the jobs in threads released together by a barrier; each one's result or exception.

    Each thread has its own database connection, closed when its job ends.
    """
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def worker(index: int) -> None:
        try:
            barrier.wait()
            results[index] = jobs[index]()
        except Exception as exc:  # collected for the test to assert on
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
