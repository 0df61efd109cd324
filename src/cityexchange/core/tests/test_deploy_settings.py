"""The settings docs/deploy.md names: each is read, checked, and works together."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_ENV = {
    "PATH": os.environ.get("PATH", ""),
    # This checkout's code, whatever the environment has installed.
    "PYTHONPATH": str(Path(__file__).resolve().parents[3]),
    "DJANGO_SETTINGS_MODULE": "cityexchange.settings",
    "SECRET_KEY": "k3y-" + "Zq8#pL2!vR9@wT4$yU7%" * 3,
}
PRINT = (
    "import django, json; django.setup(); from django.conf import settings as s;"
    "d = s.DATABASES['default'];"
    "print(json.dumps({'cursors': d.get('DISABLE_SERVER_SIDE_CURSORS', False),"
    " 'age': d['CONN_MAX_AGE'], 'prepare': d.get('OPTIONS', {}).get('prepare_threshold', 'unset'),"
    " 'mail': str(s.EMAIL_FILE_PATH), 'queue': s.CELERY_TASK_DEFAULT_QUEUE,"
    " 'visibility': s.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'],"
    " 'log': s.LOG_FORMAT, 'hijack': s.CELERY_WORKER_HIJACK_ROOT_LOGGER}))"
)


def run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**BASE_ENV, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_pgbouncer_mode_keeps_no_cursor_statement_or_connection_beyond_a_transaction(
    tmp_path: Path,
) -> None:
    url = "postgresql://cx@127.0.0.1:6432/cityexchange"
    plain = run(PRINT, DATABASE_URL=url, CITYEXCHANGE_VAR_DIR=str(tmp_path))
    assert plain.returncode == 0, plain.stderr
    assert json.loads(plain.stdout)["cursors"] is False
    pooled = run(
        PRINT, DATABASE_URL=url, CITYEXCHANGE_PGBOUNCER="1", CITYEXCHANGE_VAR_DIR=str(tmp_path)
    )
    assert pooled.returncode == 0, pooled.stderr
    values = json.loads(pooled.stdout)
    assert values["cursors"] is True and values["age"] == 0 and values["prepare"] is None


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL"
)
def test_pgbouncer_mode_connects_and_queries(tmp_path: Path) -> None:
    query = (
        "import django; django.setup(); from django.db import connection;"
        "c = connection.cursor(); c.execute('SELECT 1'); print(c.fetchone()[0])"
    )
    from urllib.parse import urlsplit, urlunsplit

    # The server's maintenance database: it exists wherever the server does.
    url = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres"))
    result = run(
        query,
        DATABASE_URL=url,
        CITYEXCHANGE_PGBOUNCER="1",
        CITYEXCHANGE_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"


def test_the_scaled_settings_are_read(tmp_path: Path) -> None:
    result = run(
        PRINT,
        CITYEXCHANGE_VAR_DIR=str(tmp_path),
        CITYEXCHANGE_MAIL_DIR=str(tmp_path / "outbox"),
        CITYEXCHANGE_TASK_QUEUE="town-a",
        CITYEXCHANGE_BROKER_VISIBILITY_TIMEOUT="7200",
        CITYEXCHANGE_LOG_FORMAT="json",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["mail"] == str(tmp_path / "outbox")
    assert values["queue"] == "town-a" and values["visibility"] == 7200
    assert values["log"] == "json" and values["hijack"] is False


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CITYEXCHANGE_LOG_FORMAT": "xml"}, "CITYEXCHANGE_LOG_FORMAT='xml' must be one of"),
        ({"CITYEXCHANGE_METRICS_TOKEN": "short"}, "CITYEXCHANGE_METRICS_TOKEN must be at least"),
        ({"CITYEXCHANGE_PGBOUNCER": "maybe"}, "CITYEXCHANGE_PGBOUNCER='maybe' is not a boolean"),
        ({"CITYEXCHANGE_SCHEDULER_TICK": "0"}, "CITYEXCHANGE_SCHEDULER_TICK=0 must be at least 1"),
        ({"CITYEXCHANGE_SCHEDULER": "later"}, "CITYEXCHANGE_SCHEDULER='later' must be one of"),
    ],
)
def test_bad_values_stop_the_start(env: dict[str, str], message: str, tmp_path: Path) -> None:
    result = run(
        "import django; django.setup()",
        DATABASE_URL="postgresql://cx@127.0.0.1:6432/cityexchange",
        CITYEXCHANGE_VAR_DIR=str(tmp_path),
        **env,
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_the_guides_production_environment_passes_the_deploy_check(tmp_path: Path) -> None:
    env = {
        **BASE_ENV,
        "ALLOWED_HOSTS": "cityexchange.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://cityexchange.example.org",
        "SITE_URL": "https://cityexchange.example.org",
        "CITYEXCHANGE_HTTPS": "1",
        "CITYEXCHANGE_BEHIND_PROXY": "1",
        "DATABASE_URL": "postgresql://cityexchange@127.0.0.1:6432/cityexchange",
        "CITYEXCHANGE_PGBOUNCER": "1",
        "CITYEXCHANGE_REDIS_URL": "redis://127.0.0.1:6379/0",
        "CITYEXCHANGE_BROKER_URL": "amqp://cityexchange:secret@127.0.0.1:5672/cityexchange",
        "CITYEXCHANGE_EMAIL": "smtp",
        "CITYEXCHANGE_LOG_FORMAT": "json",
        "CITYEXCHANGE_METRICS_TOKEN": "a-long-random-metrics-token-0123456789",
        "CITYEXCHANGE_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "cityexchange", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
