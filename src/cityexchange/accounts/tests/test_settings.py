"""Account settings come from the environment: two-factor for staff on, single sign-on off,
unless configured; a half-configured provider stops the start with a clear message."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import cityexchange

SRC = str(Path(cityexchange.__file__).resolve().parent.parent)
PRINT = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'mfa': s.CITYEXCHANGE_STAFF_MFA, 'providers': s.SOCIALACCOUNT_PROVIDERS}))"
)


def _run(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PRINT],
        env={
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": SRC,
            "DJANGO_SETTINGS_MODULE": "cityexchange.settings",
            "SECRET_KEY": "x" * 60,
            "CITYEXCHANGE_VAR_DIR": tempfile.mkdtemp(prefix="cityexchange-settings-"),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_by_default_staff_need_two_factor_and_single_sign_on_is_off() -> None:
    result = _run()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"mfa": True, "providers": {}}


def test_an_issuer_with_its_client_turns_single_sign_on_on() -> None:
    result = _run(
        CITYEXCHANGE_OIDC_ISSUER="https://id.network.example/realms/cities/",
        CITYEXCHANGE_OIDC_CLIENT_ID="cityexchange",
        CITYEXCHANGE_OIDC_CLIENT_SECRET="s3cret",
        CITYEXCHANGE_OIDC_NAME="Network ID",
    )
    assert result.returncode == 0, result.stderr
    [app] = json.loads(result.stdout)["providers"]["openid_connect"]["APPS"]
    assert app["settings"]["server_url"] == "https://id.network.example/realms/cities"
    assert (app["client_id"], app["name"]) == ("cityexchange", "Network ID")


def test_an_issuer_without_a_client_id_stops_the_start() -> None:
    result = _run(CITYEXCHANGE_OIDC_ISSUER="https://id.network.example")
    assert result.returncode != 0
    assert "CITYEXCHANGE_OIDC_CLIENT_ID must be set" in result.stderr
