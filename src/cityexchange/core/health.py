"""Liveness and readiness: what a load balancer and an orchestrator ask a process.

Liveness (``/api/v1/health``) answers from the process alone, so a slow database
never makes a supervisor restart healthy app servers. Readiness (``/api/v1/ready``)
asks everything a request may need: the database, the cache, the broker when one is
configured, and whether the code's migrations are applied (an app server started
before ``migrate`` finished must not take traffic). Answers name each check with
``ok`` or a short reason, never a connection string or an error text that could
carry a password.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

OK = "ok"

# Once every migration is applied it stays applied while this code runs; the check
# then costs nothing (loading the migration graph takes a while).
_migrated = threading.Event()


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any driver error: the database is not reachable
        return "unreachable"
    return OK


def check_migrations() -> str:
    if _migrated.is_set():
        return OK
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception:
        return "unknown"
    if plan:
        return f"{len(plan)} unapplied"
    _migrated.set()
    return OK


def check_cache() -> str:
    key = f"cityexchange:ready:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=10)
        value = cache.get(key)
        cache.delete(key)
    except Exception:
        return "unreachable"
    return OK if value == "1" else "not storing"


def check_broker(timeout: float = 3.0) -> str:
    if not settings.CELERY_BROKER_URL:
        return "not configured"
    from cityexchange.celery import app

    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
    except Exception:
        return "unreachable"
    return OK


def readiness() -> tuple[bool, dict[str, Any]]:
    """``(ready, answer)``: every check and its result."""
    checks = {
        "database": check_database(),
        "migrations": "unknown",
        "cache": check_cache(),
        "broker": check_broker(),
    }
    if checks["database"] == OK:
        checks["migrations"] = check_migrations()
    ready = all(value in (OK, "not configured") for value in checks.values())
    return ready, {"status": "ready" if ready else "not ready", "checks": checks}
