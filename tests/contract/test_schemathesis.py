"""The API keeps its published contract: schemathesis against a running installation.

Every operation of ``/api/v1/openapi.json`` is exercised with generated valid and
invalid requests, anonymously and with a staff token, against ``cityexchange serve``
(gunicorn, as in production) on a database of the suite's engine with the shipped
and demo data loaded: no server error, every answer as documented. The README's
testing section gives the same command for any running installation.

The installation is built here (its own SQLite file, or its own PostgreSQL database
when ``DATABASE_URL`` names PostgreSQL) rather than served from the test process:
Django's test server answers one request at a time in the test process and made
this check take several times as long.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

pytestmark = pytest.mark.concurrency

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("CITYEXCHANGE_SCHEMATHESIS_EXAMPLES", "25"))
STAFF_TOKEN = """
from cityexchange.core.roles import Role
from cityexchange.core.services import api_token_create
from cityexchange.core.tests.factories import UserFactory

staff = UserFactory(email="contract@network.example", roles=[Role.NETWORK_STAFF])
print(api_token_create(user=staff, name="schemathesis")[1])
"""


def _schemathesis() -> list[str]:
    found = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("schemathesis is not installed (pip install -e '.[test]')")
    return [found]


def command(url: str, *extra: str) -> list[str]:
    """The command the README names, for the server at ``url``."""
    return [
        *_schemathesis(),
        # What a web server in front refuses by itself (an address over its limit: 414).
        "--config-file",
        str(ROOT / "schemathesis.toml"),
        "run",
        f"{url}/api/v1/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        "1",
        # NUL is refused everywhere with a 400 (tests/hardening); the generator would
        # also put it into properties the schema does not know, where no schema can
        # say so.
        "--generation-allow-x00",
        "false",
        "--request-timeout",
        "60",
        *extra,
    ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A served installation with the shipped and demo data, and a staff token."""
    var = tmp_path_factory.mktemp("contract")
    database = f"sqlite:///{var}/db.sqlite3"
    suite_url = os.environ.get("DATABASE_URL", "")
    name = f"cx_contract_{uuid.uuid4().hex[:10]}"
    postgres = suite_url.startswith(("postgres://", "postgresql://"))
    # The server's maintenance database, as pytest-django uses to create its own.
    admin_url = urlunsplit(urlsplit(suite_url)._replace(path="/postgres"))
    if postgres:
        import psycopg

        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        database = urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "cityexchange.settings",
        "SECRET_KEY": "c" * 60,
        "CITYEXCHANGE_VAR_DIR": str(var),
        "DATABASE_URL": database,
        # Static files from the apps' folders, without a collectstatic run.
        "CITYEXCHANGE_TESTING": "1",
        "CITYEXCHANGE_RATELIMIT": "off",
        "CITYEXCHANGE_EMAIL": "memory",
        "LOG_LEVEL": "error",
    }
    cli = [sys.executable, "-m", "cityexchange"]
    log = (var / "server.log").open("w")
    server = None
    try:
        for step in (["migrate", "--noinput", "-v", "0"], ["seed", "--demo", "-v", "0"]):
            subprocess.run([*cli, *step], env=env, check=True, timeout=600)
        token = subprocess.run(
            [*cli, "shell", "-c", STAFF_TOKEN],
            env=env,
            check=True,
            timeout=120,
            capture_output=True,
            text=True,
        ).stdout.split()[-1]
        port = _free_port()
        server = subprocess.Popen(
            [*cli, "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{url}/api/v1/health", timeout=20)
                break
            except requests.RequestException:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        yield {"url": url, "token": token}
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        log.close()
        if postgres:
            import psycopg

            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_api_keeps_its_published_contract(installation: dict[str, str]) -> None:
    for extra in ([], ["--header", f"Authorization: Bearer {installation['token']}"]):
        result = subprocess.run(
            command(installation["url"], *extra),
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
            cwd=ROOT,
        )
        who = "with a staff token" if extra else "anonymously"
        assert result.returncode == 0, f"{who}:\n" + result.stdout[-12000:] + result.stderr[-2000:]
