"""Settings refuse bad values at start-up, and production values pass `check --deploy`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_ENV = {
    "PATH": os.environ.get("PATH", ""),
    "DJANGO_SETTINGS_MODULE": "cityexchange.settings",
    "SECRET_KEY": "x" * 60,
}


def load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**BASE_ENV, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        (
            {"DATABASE_URL": "mysql://root@localhost/x"},
            "DATABASE_URL must be a sqlite:/// or postgresql:// URL",
        ),
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 50 characters"),
        (
            {"CITYEXCHANGE_RATELIMIT": "sometimes"},
            "CITYEXCHANGE_RATELIMIT='sometimes' must be one of: on, off",
        ),
        ({"EMAIL_PORT": "twenty-five"}, "EMAIL_PORT='twenty-five' is not a whole number"),
        ({"EMAIL_PORT": "70000"}, "EMAIL_PORT=70000 must be at least 1 and at most 65535"),
        (
            {"CITYEXCHANGE_BROKER_URL": "kafka://x"},
            "CITYEXCHANGE_BROKER_URL must be a redis:// or amqp:// URL",
        ),
        ({"CITYEXCHANGE_EMAIL": "pigeon"}, "CITYEXCHANGE_EMAIL='pigeon' must be one of"),
    ],
)
def test_it_refuses_bad_values_at_start_up(env: dict[str, str], message: str) -> None:
    result = load_settings(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_it_starts_with_the_embedded_defaults(tmp_path: object) -> None:
    result = load_settings(CITYEXCHANGE_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr


def test_production_values_pass_the_deploy_check(tmp_path: object) -> None:
    env = {
        **BASE_ENV,
        "SECRET_KEY": "k3y-" + "Zq8#pL2!vR9@wT4$yU7%" * 3,
        "ALLOWED_HOSTS": "cityexchange.example.org",
        "CITYEXCHANGE_HTTPS": "1",
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


def test_by_default_mail_is_written_to_files_and_not_printed(tmp_path: object) -> None:
    env = {**BASE_ENV, "CITYEXCHANGE_VAR_DIR": str(tmp_path)}
    script = (
        "import django; django.setup();"
        "from django.core import mail;"
        "mail.send_mail('Your link', 'Manage: /en/events/registration/abc/', None, ['a@b.example'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "a@b.example" not in result.stdout + result.stderr
    written = list((Path(str(tmp_path)) / "mail").iterdir())
    assert len(written) == 1
    assert "a@b.example" in written[0].read_text()
