"""Liveness, readiness and the worker's health command."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client, override_settings

from cityexchange.core import health

pytestmark = pytest.mark.django_db

# A local port nothing listens on: connections to it are refused at once.
DEAD = "redis://127.0.0.1:1/0"


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_liveness_answers_without_touching_the_database(
    client: Client, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_reports_each_check_when_everything_answers(client: Client) -> None:
    response = client.get("/api/v1/ready")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {
            "database": "ok",
            "migrations": "ok",
            "cache": "ok",
            "broker": "not configured",
        },
    }


def test_readiness_is_503_while_a_migration_is_unapplied(client: Client) -> None:
    health._migrated.clear()
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = 'core' AND name = '0004_scheduled_run'"
        )
    response = client.get("/api/v1/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["migrations"] == "1 unapplied"
    assert body["checks"]["database"] == "ok"


def test_readiness_is_503_when_the_cache_is_unreachable(client: Client) -> None:
    caches = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DEAD}
    }
    with override_settings(CACHES=caches):
        response = client.get("/api/v1/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "unreachable"


def test_readiness_is_503_when_the_configured_broker_is_unreachable(client: Client) -> None:
    with override_settings(CELERY_BROKER_URL=DEAD):
        response = client.get("/api/v1/ready")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["broker"] == "unreachable"
    # No connection string (which could hold a password) in the answer.
    assert "redis://" not in response.content.decode()


@pytest.mark.skipif(not redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_readiness_reaches_a_running_broker() -> None:
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/13"):
        assert health.check_broker() == "ok"


def test_the_worker_check_needs_a_broker() -> None:
    with pytest.raises(CommandError, match="CITYEXCHANGE_BROKER_URL"):
        call_command("worker", "--check")


def test_the_worker_check_fails_when_no_worker_answers() -> None:
    with override_settings(CELERY_BROKER_URL=DEAD), pytest.raises(SystemExit) as exit_info:
        call_command("worker", "--check", "--timeout", "0.5")
    assert exit_info.value.code == 1
