"""pretix as the registration benchmark's peer: installed, configured, served and removed.

``registration.py --peer pretix`` uses this to measure pretix's own order creation
for a free ticket on the same machine, with the same gunicorn settings as
cityexchange. Everything here runs pretix's code in its own virtual environment
(``var/bench/pretix-venv``, created on first use and reused while the pinned
versions match); pretix is not a dependency of the project.

The pretix instance:

- its own PostgreSQL database (``cx_bench_pretix_<random>``), created here,
  migrated with pretix's own migrations, dropped by :meth:`PretixPeer.stop`.
  Migrating takes two to four minutes on a busy two-core machine, so the first
  run keeps a ``pg_dump`` of the freshly migrated database next to the virtual
  environment (``var/bench/pretix-<version>-migrated.dump``); later runs restore
  it into their new database and let ``migrate`` confirm there is nothing left;
- no Redis and no Celery broker, so pretix runs its tasks (the order mail)
  inline, as cityexchange does without a broker; its cache is per-process local
  memory by default (cityexchange's embedded cache), or pretix's no-Redis
  default, a dummy cache, with ``cache="dummy"``;
- mail to Django's in-memory backend (a settings module that wraps
  ``pretix.settings`` and changes only the mail backend and the cache);
- one organizer, one event (live, created without the control panel's defaults,
  so no PDF ticket is rendered or attached), one free admission item, one quota
  of ``capacity`` and a team with every event permission and an API token;
- gunicorn (the version cityexchange runs) serving ``pretix.wsgi`` on 127.0.0.1,
  its output in ``var/bench/pretix-server.log``.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

import gunicorn
import psycopg

ROOT = Path(__file__).resolve().parent.parent
PRETIX_VERSION = "2026.8.0"
VENV = ROOT / "var" / "bench" / "pretix-venv"
SLUG = "bench"

# Run with pretix's Python and settings; prints what the benchmark needs as JSON.
SETUP_SCRIPT = """
import datetime as dt, json, sys
from decimal import Decimal
import django
django.setup()
from django.utils import timezone
from django_scopes import scopes_disabled
from pretix.base.models import Event, Item, Organizer, Quota, Team

capacity = int(sys.argv[1])
with scopes_disabled():
    organizer = Organizer.objects.create(name="Bench", slug="bench")
    event = Event.objects.create(
        organizer=organizer, name="Bench", slug="bench", currency="EUR",
        date_from=timezone.now() + dt.timedelta(days=7), live=True,
    )
    item = Item.objects.create(
        event=event, name="Free ticket", default_price=Decimal("0.00"), admission=True
    )
    quota = Quota.objects.create(event=event, name="Seats", size=capacity)
    quota.items.add(item)
    team = Team.objects.create(
        organizer=organizer, name="API", all_events=True, all_event_permissions=True
    )
    token = team.tokens.create(name="bench")
print(json.dumps({"item": item.pk, "token": token.token}))
"""

SETTINGS_MODULE = """
from pretix.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if {locmem!r}:
    CACHES["default"] = {{"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}  # noqa: F405
"""


def ensure_venv(log: Path) -> Path:
    """pretix's virtual environment, created and installed on first use; its Python."""
    python = VENV / "bin" / "python"
    wanted = f"pretix=={PRETIX_VERSION} gunicorn=={gunicorn.__version__}"
    marker = VENV / ".cx-bench-installed"
    if python.exists() and marker.exists() and marker.read_text().strip() == wanted:
        return python
    if not python.exists():
        VENV.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True, timeout=300)
    print(f"installing {wanted} into {VENV} (log: {log}) ...", flush=True)
    with log.open("w") as out:
        subprocess.run(
            [python, "-m", "pip", "install", "--disable-pip-version-check", *wanted.split()],
            check=True,
            timeout=900,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    marker.write_text(wanted + "\n")
    return python


@dataclass
class PretixPeer:
    """One pretix instance for one benchmark run; :meth:`stop` undoes :meth:`start`."""

    admin_url: str
    port: int
    workers: int
    threads: int
    capacity: int
    cache: str = "locmem"
    database: str = field(default_factory=lambda: f"cx_bench_pretix_{secrets.token_hex(4)}")
    item: int = 0
    token: str = ""
    server: subprocess.Popen[bytes] | None = None
    _folder: Path | None = None
    _log: BinaryIO | None = None
    _created: bool = False

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def orders_path(self) -> str:
        return f"/api/v1/organizers/{SLUG}/events/{SLUG}/orders/"

    @property
    def database_url(self) -> str:
        return urlsplit(self.admin_url)._replace(path=f"/{self.database}").geturl()

    def _env(self) -> dict[str, str]:
        assert self._folder is not None
        return {
            "PATH": "/usr/bin:/bin",
            "HOME": str(self._folder),
            "LANG": "C.UTF-8",
            "PRETIX_CONFIG_FILE": str(self._folder / "pretix.cfg"),
            "DJANGO_SETTINGS_MODULE": "cx_bench_pretix_settings",
            "PYTHONPATH": str(self._folder),
        }

    def _pg_args(self) -> list[str]:
        db = urlsplit(self.admin_url)
        return [
            "-h",
            db.hostname or "127.0.0.1",
            "-p",
            str(db.port or 5432),
            "-U",
            db.username or "postgres",
            "-d",
            self.database,
        ]

    def _write_config(self) -> None:
        assert self._folder is not None
        db = urlsplit(self.admin_url)
        (self._folder / "data").mkdir()
        config = "\n".join(
            [
                "[pretix]",
                "instance_name=cx-bench",
                f"url={self.base}",
                f"datadir={self._folder / 'data'}",
                "currency=EUR",
                "ecb_rates=off",
                "loglevel=WARNING",
                "[django]",
                f"secret={secrets.token_urlsafe(50)}",
                "debug=off",
                "[database]",
                "backend=postgresql",
                f"name={self.database}",
                f"user={db.username or 'postgres'}",
                f"password={db.password or ''}",
                f"host={db.hostname or '127.0.0.1'}",
                f"port={db.port or 5432}",
                "[mail]",
                "from=bench@127.0.0.1",
                "",
            ]
        )
        (self._folder / "pretix.cfg").write_text(config)
        (self._folder / "cx_bench_pretix_settings.py").write_text(
            SETTINGS_MODULE.format(locmem=self.cache == "locmem")
        )

    def start(self) -> None:
        """Install if needed, create and migrate the database, set up the event, serve."""
        VENV.parent.mkdir(parents=True, exist_ok=True)
        python = ensure_venv(VENV.parent / "pretix-pip.log")
        self._folder = Path(tempfile.mkdtemp(prefix="cx_bench_pretix_", dir=VENV.parent))
        self._write_config()
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')
        self._created = True
        env, cwd = self._env(), self._folder
        started = time.monotonic()
        snapshot = VENV.parent / f"pretix-{PRETIX_VERSION}-migrated.dump"
        restored = snapshot.exists()
        if restored:
            subprocess.run(
                ["pg_restore", "--no-owner", *self._pg_args(), snapshot],
                check=True,
                timeout=300,
            )
        subprocess.run(
            [python, "-m", "pretix", "migrate", "-v", "0"],
            env=env,
            cwd=cwd,
            check=True,
            timeout=900,
            stdout=subprocess.DEVNULL,
        )
        if not restored:
            subprocess.run(
                ["pg_dump", "-Fc", "--no-owner", *self._pg_args(), "-f", snapshot],
                check=True,
                timeout=300,
            )
        print(
            f"pretix database ready in {time.monotonic() - started:.0f} s"
            + (" (restored from the migrated snapshot)" if restored else " (migrated)"),
            flush=True,
        )
        out = subprocess.run(
            [python, "-c", SETUP_SCRIPT, str(self.capacity)],
            env=env,
            cwd=cwd,
            check=True,
            timeout=300,
            capture_output=True,
            text=True,
        ).stdout
        answer = json.loads(out.strip().splitlines()[-1])
        self.item, self.token = int(answer["item"]), str(answer["token"])
        # pretix logs every refused order ("Bad Request") and its eager tasks' warnings.
        self._log = (VENV.parent / "pretix-server.log").open("wb")
        self.server = subprocess.Popen(
            [
                python.parent / "gunicorn",
                "pretix.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--threads",
                str(self.threads),
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/healthcheck/", timeout=30) as answer:
                    if answer.status == 200:
                        return
            except OSError:  # refused while booting, or a timeout (URLError is one too)
                pass
            if self.server is not None and self.server.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError("pretix's gunicorn did not start")

    def order_body(self, email: str, send_email: bool) -> bytes:
        """One free ticket for a new buyer, as the REST API takes it."""
        return json.dumps(
            {
                "email": email,
                "locale": "en",
                "sales_channel": "web",
                "send_email": send_email,
                "positions": [{"item": self.item}],
            }
        ).encode()

    def sold(self) -> dict[str, int]:
        """Ticket positions by order status, from pretix's database (p paid, n pending)."""
        with psycopg.connect(self.database_url) as conn:
            rows = conn.execute(
                "SELECT o.status, count(*) FROM pretixbase_orderposition p"
                " JOIN pretixbase_order o ON o.id = p.order_id"
                " WHERE NOT p.canceled GROUP BY o.status"
            ).fetchall()
        return {str(status): int(n) for status, n in rows}

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            try:
                self.server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait(timeout=30)
            self.server = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._created:
            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            self._created = False
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
