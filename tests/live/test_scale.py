"""The scaled-out set-up as one system: two app servers, a worker, two schedulers.

Two ``cityexchange serve`` processes (each with two gunicorn workers) on different
ports share one PostgreSQL database and the Redis cache; one ``cityexchange worker``
takes tasks from the broker and runs a scheduler, and a ``cityexchange scheduler``
runs beside it. Every process has its own mail folder, so a mail's folder names the
process that sent it. The whole module runs once per broker the README names
(Redis and RabbitMQ). The processes are started and stopped here, each wait bounded.

It needs PostgreSQL (``DATABASE_URL=postgresql://...``; SQLite is one machine's
database), Redis and, for its second half, RabbitMQ on this machine; where one is
missing the test is skipped with the reason, unless ``CITYEXCHANGE_REQUIRE_SCALE=1``
(CI) turns the skip into a failure.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

# The tests share one running system and build on each other's state: one xdist
# worker runs the whole module (``--dist loadscope``, set in the Makefile).
pytestmark = pytest.mark.scale

SRC = Path(__file__).resolve().parents[2] / "src"
REDIS = "redis://127.0.0.1:6379"
BROKERS = {
    "redis": f"{REDIS}/12",
    "rabbitmq": "amqp://guest:guest@127.0.0.1:5672//",
}
CACHE = f"{REDIS}/11"
METRICS_TOKEN = "scale-metrics-token-0123456789"
FINDER_LIMIT = 30


# ------------------------------------------------------------------ helpers


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _missing(reason: str) -> None:
    if os.environ.get("CITYEXCHANGE_REQUIRE_SCALE") == "1":
        pytest.fail(f"CITYEXCHANGE_REQUIRE_SCALE=1 but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(what: str, check: Callable[[], Any], timeout: float, every: float = 0.3) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        time.sleep(every)


class Process:
    """One command of the platform, in its own process group, logging to a file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.log_path = logs / f"{name}.log"
        self._log = self.log_path.open("a")
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "cityexchange", *args],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def alive(self) -> bool:
        return self.popen.poll() is None

    def _signal(self, signum: int) -> None:
        try:
            os.killpg(self.popen.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        """SIGKILL to the whole group: the worker and its pool processes die mid-task."""
        self._signal(signal.SIGKILL)
        self.popen.wait(timeout=20)
        self._log.close()

    def stop(self, timeout: float = 30) -> None:
        self._signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            self.popen.wait(timeout=20)
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _json_lines(text: str) -> list[dict[str, Any]]:
    entries = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                entries.append(json.loads(line))
            except ValueError:
                continue
    return entries


def _mails(folder: Path, to: str) -> list[str]:
    if not folder.exists():
        return []
    texts = [path.read_text(errors="replace") for path in sorted(folder.glob("*.log"))]
    return [text for text in texts if f"To: {to}" in text]


def _database_url(name: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin_sql(*statements: str) -> None:
    import psycopg

    with psycopg.connect(_database_url("postgres"), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]  # our own names only


def _query(url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


SETUP = """
import datetime as dt
from django.utils import timezone
from cityexchange.events.tests.factories import EventFactory, RegistrationFactory
EventFactory(slug="seen", capacity_online=50)
EventFactory(slug="scarce", capacity_online=5)
EventFactory(slug="killed", capacity_online=50)
soon = EventFactory(slug="soon", starts_at=timezone.now() + dt.timedelta(minutes=30))
RegistrationFactory(event=soon, email="reminded@soon.example", language="en")
"""


# ------------------------------------------------------------------ the system


@pytest.fixture(scope="module")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database, cloned for each broker (migrating takes the longest)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip(
            "the scale-out test needs PostgreSQL (DATABASE_URL=postgresql://...): "
            "several app servers do not share a SQLite file"
        )
    if not _reachable("127.0.0.1", 6379):
        _missing("no Redis on 127.0.0.1:6379 for the shared cache")
    base = urlsplit(url).path.lstrip("/") or "cityexchange"
    name = f"{base}_scale_template"
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(SRC),
        "DJANGO_SETTINGS_MODULE": "cityexchange.settings",
        "CITYEXCHANGE_TESTING": "1",
        "CITYEXCHANGE_VAR_DIR": str(tmp_path_factory.mktemp("scale-migrate")),
        "DATABASE_URL": _database_url(name),
    }
    subprocess.run(
        [sys.executable, "-m", "cityexchange", "migrate", "--noinput", "-v", "0"],
        env=env,
        check=True,
        timeout=600,
    )
    try:
        yield name
    finally:
        _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module", params=sorted(BROKERS))
def system(
    request: pytest.FixtureRequest,
    template_database: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, Any]]:
    broker_name: str = request.param
    if broker_name == "rabbitmq" and not _reachable("127.0.0.1", 5672):
        _missing("no RabbitMQ on 127.0.0.1:5672")
    import redis

    root = tmp_path_factory.mktemp(f"scale-{broker_name}")
    database = f"{template_database.removesuffix('_template')}_{broker_name}"
    _admin_sql(
        f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)',
        f'CREATE DATABASE "{database}" TEMPLATE "{template_database}"',
    )
    for db_url in (CACHE, BROKERS["redis"]):
        redis.Redis.from_url(db_url).flushdb()
    database_url = _database_url(database)
    common = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(SRC),
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "cityexchange.settings",
        "SECRET_KEY": "s" * 60,
        # Static files from the apps' folders, without a collectstatic run.
        "CITYEXCHANGE_TESTING": "1",
        "DATABASE_URL": database_url,
        "CITYEXCHANGE_REDIS_URL": CACHE,
        "CITYEXCHANGE_BROKER_URL": BROKERS[broker_name],
        # A queue of this run's own: nothing left over from another run is taken.
        "CITYEXCHANGE_TASK_QUEUE": f"cx-scale-{uuid.uuid4().hex[:8]}",
        # Redis gives a dead worker's task to another after this many seconds.
        "CITYEXCHANGE_BROKER_VISIBILITY_TIMEOUT": "6",
        "CITYEXCHANGE_BEHIND_PROXY": "1",
        "CITYEXCHANGE_RATELIMIT": "on",
        "CITYEXCHANGE_EMAIL": "file",
        "CITYEXCHANGE_LOG_FORMAT": "json",
        "CITYEXCHANGE_SCHEDULER_TICK": "1",
        "CITYEXCHANGE_METRICS_TOKEN": METRICS_TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(root / "metrics"),
    }

    def env(role: str, **extra: str) -> dict[str, str]:
        return {
            **common,
            "CITYEXCHANGE_VAR_DIR": str(root / role),
            "CITYEXCHANGE_MAIL_DIR": str(root / f"mail-{role}"),
            **extra,
        }

    logs = root / "logs"
    logs.mkdir()
    ports = [_free_port(), _free_port()]
    processes: dict[str, Process] = {}
    system: dict[str, Any] = {
        "broker": broker_name,
        "urls": [f"http://127.0.0.1:{port}" for port in ports],
        "root": root,
        "database_url": database_url,
        "env": env,
        "processes": processes,
        "logs": logs,
    }
    try:
        for index, port in enumerate(ports, start=1):
            processes[f"web{index}"] = Process(
                f"web{index}",
                ["serve", "--port", str(port), "--workers", "2"],
                env(f"web{index}"),
                logs,
            )
        setup_env = {
            k: v
            for k, v in env("setup").items()
            if k not in ("CITYEXCHANGE_METRICS_TOKEN", "PROMETHEUS_MULTIPROC_DIR")
        }
        # The events the tests use, written while the app servers start.
        setup = subprocess.Popen(
            [sys.executable, "-m", "cityexchange", "shell", "-c", SETUP], env=setup_env
        )
        assert setup.wait(timeout=120) == 0, "the set-up of the test's events failed"
        # The schedulers start once the reminder they are to send exists.
        processes["worker"] = Process(
            "worker", ["worker", "--concurrency", "2"], env("worker"), logs
        )
        processes["scheduler"] = Process("scheduler", ["scheduler"], env("scheduler"), logs)
        for url in system["urls"]:
            _wait(f"{url} ready", lambda url=url: _ready(url), timeout=120)
        _wait_for_worker(env("check"))
        privacy = requests.get(f"{system['urls'][0]}/api/v1/events/privacy-notice", timeout=10)
        system["privacy_version"] = privacy.json()["version"]
        yield system
    finally:
        running = [process for process in processes.values() if not process._log.closed]
        for process in running:  # all at once: each warm shutdown takes seconds
            process._signal(signal.SIGTERM)
        for process in running:
            process.stop()
        _admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _ready(url: str) -> bool:
    try:
        return requests.get(f"{url}/api/v1/ready", timeout=10).status_code == 200
    except requests.RequestException:
        return False


def _wait_for_worker(env: dict[str, str]) -> None:
    def answers() -> bool:
        check = subprocess.run(
            [sys.executable, "-m", "cityexchange", "worker", "--check", "--timeout", "2"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        return check.returncode == 0

    _wait("a worker answering `cityexchange worker --check`", answers, timeout=120, every=1)


def _register(system: dict[str, Any], server: int, slug: str, email: str, client: str) -> Any:
    return requests.post(
        f"{system['urls'][server]}/api/v1/events/{slug}/registrations",
        json={
            "name": "Participant",
            "email": email,
            "privacy_consent": True,
            "privacy_notice_version": system["privacy_version"],
        },
        headers={"X-Forwarded-For": client, "Connection": "close"},
        timeout=60,
    )


# ------------------------------------------------------------------ the behaviour


def test_both_servers_are_ready_with_database_cache_broker_and_migrations(
    system: dict[str, Any],
) -> None:
    for url in system["urls"]:
        answer = requests.get(f"{url}/api/v1/ready", timeout=10)
        assert answer.status_code == 200
        assert answer.json()["checks"] == {
            "database": "ok",
            "migrations": "ok",
            "cache": "ok",
            "broker": "ok",
        }
        assert requests.get(f"{url}/api/v1/health", timeout=10).json() == {"status": "ok"}


def test_a_registration_on_one_server_is_seen_on_the_other_and_mailed_by_the_worker(
    system: dict[str, Any],
) -> None:
    first, second = system["urls"]
    before = requests.get(f"{second}/api/v1/events/seen", timeout=10).json()["seats_left"]
    answer = _register(system, 0, "seen", "ana@recife.example", "198.51.100.1")
    assert answer.status_code == 202
    after = requests.get(f"{second}/api/v1/events/seen", timeout=10).json()["seats_left"]
    assert after == before - 1
    root = system["root"]
    mails = _wait(
        "the confirmation mail",
        lambda: _mails(root / "mail-worker", "ana@recife.example"),
        timeout=60,
    )
    assert len(mails) == 1 and "Your seat is confirmed" in mails[0]
    # Neither web process wrote a mail.
    for web in ("web1", "web2"):
        assert not list((root / f"mail-{web}").glob("*.log"))
    # The worker's line about the delivery carries the registration request's id.
    request_id = answer.headers["X-Request-ID"]
    delivered = _wait(
        "the worker's log line about the delivery",
        lambda: [
            e
            for e in _json_lines(system["processes"]["worker"].log())
            if e.get("message") == "Mail delivered" and e.get("request_id") == request_id
        ],
        timeout=10,
    )
    assert len(delivered) == 1
    web_lines = _json_lines(system["processes"]["web1"].log())
    assert any(e.get("request_id") == request_id and e.get("status") == 202 for e in web_lines)


def test_concurrent_registrations_on_both_servers_never_oversell(system: dict[str, Any]) -> None:
    people = 14
    barrier = threading.Barrier(people)

    def register(n: int) -> int:
        barrier.wait(timeout=30)
        answer = _register(system, n % 2, "scarce", f"p{n}@crowd.example", f"198.51.100.{20 + n}")
        return int(answer.status_code)

    with ThreadPoolExecutor(max_workers=people) as pool:
        codes = list(pool.map(register, range(people)))
    assert codes == [202] * people
    counts = dict(
        _query(
            system["database_url"],
            "SELECT r.status, count(*) FROM events_registration r "
            "JOIN events_event e ON e.id = r.event_id WHERE e.slug = %s GROUP BY r.status",
            "scarce",
        )
    )
    assert counts == {"confirmed": 5, "waitlisted": people - 5}
    for url in system["urls"]:
        assert requests.get(f"{url}/api/v1/events/scarce", timeout=10).json()["seats_left"] == 0


def test_a_rate_limit_counts_across_both_servers(system: dict[str, Any]) -> None:
    def burst(client: str, count: int) -> list[int]:
        def search(n: int) -> int:
            answer = requests.post(
                f"{system['urls'][n % 2]}/api/v1/finder",
                json={"description": "open data"},
                headers={"X-Forwarded-For": client, "Connection": "close"},
                timeout=60,
            )
            return int(answer.status_code)

        with ThreadPoolExecutor(max_workers=6) as pool:
            return list(pool.map(search, range(count)))

    # A burst may straddle the end of a one-minute window; a second client's burst
    # (its own count) then decides. Counted per server, about twice the limit would pass.
    accepted = []
    for client in ("203.0.113.30", "203.0.113.31"):
        codes = burst(client, FINDER_LIMIT + 12)
        assert set(codes) <= {200, 429}
        accepted.append(codes.count(200))
        if accepted[-1] == FINDER_LIMIT:
            break
    assert FINDER_LIMIT in accepted, accepted


def test_two_schedulers_send_the_due_reminder_once(system: dict[str, Any]) -> None:
    processes = system["processes"]
    for name in ("worker", "scheduler"):
        assert any(
            str(e.get("message", "")).startswith("Scheduler ")
            for e in _json_lines(processes[name].log())
        ), f"{name} runs no scheduler"
    reminders = _wait(
        "the reminder",
        lambda: _mails(system["root"] / "mail-worker", "reminded@soon.example"),
        timeout=60,
    )
    time.sleep(3)  # both schedulers tick every second meanwhile
    reminders = _mails(system["root"] / "mail-worker", "reminded@soon.example")
    assert len(reminders) == 1 and "Starting soon" in reminders[0]
    claims = _query(
        system["database_url"],
        "SELECT period, claimed_by FROM core_scheduledrun WHERE task = %s",
        "events-send-reminders",
    )
    assert len(claims) == len({period for period, _ in claims}) >= 1
    # The worker received the reminder task once per claimed period, not once per scheduler.
    received = [
        e
        for e in _json_lines(processes["worker"].log())
        # Other apps have reminder tasks of the same short name (consultations, challenges).
        if re.search(
            r"cityexchange\.events\.tasks\.send_reminders\[[^\]]+\] received",
            str(e.get("message", "")),
        )
    ]
    assert len(received) == len(claims)


def test_a_worker_killed_mid_task_loses_no_mail(system: dict[str, Any]) -> None:
    processes = system["processes"]
    env = system["env"]
    # A mail server that accepts connections and never answers: the worker's task
    # hangs in the middle of delivering the mail.
    hung: list[socket.socket] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    smtp_port = server.getsockname()[1]

    def accept() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            hung.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    try:
        processes["worker"].stop()
        stuck = Process(
            "worker-stuck",
            ["worker", "--concurrency", "1", "--no-beat"],
            env(
                "worker",
                CITYEXCHANGE_EMAIL="smtp",
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=str(smtp_port),
            ),
            system["logs"],
        )
        processes["worker-stuck"] = stuck
        answer = _register(system, 1, "killed", "kai@lima.example", "198.51.100.90")
        assert answer.status_code == 202
        _wait("the worker connecting to the mail server", lambda: hung, timeout=60)
        stuck.kill()
        processes["worker"] = Process(
            "worker-restarted", ["worker", "--concurrency", "2"], env("worker"), system["logs"]
        )
        mails = _wait(
            "the mail of the killed worker's task, delivered by the new worker",
            lambda: _mails(system["root"] / "mail-worker", "kai@lima.example"),
            timeout=90,
            every=1,
        )
        time.sleep(2)
        assert len(_mails(system["root"] / "mail-worker", "kai@lima.example")) == len(mails) == 1
        assert "Your seat is confirmed" in mails[0]
    finally:
        server.close()
        for conn in hung:
            conn.close()


def test_metrics_add_up_every_process_and_no_log_holds_personal_data(
    system: dict[str, Any],
) -> None:
    url = system["urls"][0]
    assert requests.get(f"{url}/api/v1/metrics", timeout=10).status_code == 401
    scrape = requests.get(
        f"{url}/api/v1/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10
    )
    assert scrape.status_code == 200
    text = scrape.text

    def sample(name: str, **labels: str) -> float:
        total = 0.0
        for line in text.splitlines():
            if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
                total += float(line.rsplit(" ", 1)[1])
        return total

    # Tasks counted by the worker's processes, requests by both servers' workers.
    mail_task = "cityexchange.events.tasks.send_registration_mail"
    assert sample("cityexchange_tasks_total", task=mail_task, state="success") >= 16
    assert sample("cityexchange_task_queue_latency_seconds_count", task=mail_task) >= 16
    assert sample("cityexchange_registrations_total") == 16
    assert sample("cityexchange_finder_requests_total", interface="api") >= FINDER_LIMIT
    assert sample("cityexchange_http_requests_total", view="api:register", status="202") == 16
    assert sample("cityexchange_db_queries_total", view="api:register") > 16

    logs = "\n".join(path.read_text(errors="replace") for path in system["logs"].glob("*.log"))
    assert '"message": "request"' in logs
    for address in ("ana@recife.example", "crowd.example", "kai@lima.example", "soon.example"):
        assert address not in logs
    address = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
    for entry in _json_lines(logs):
        assert not address.search(json.dumps(entry)), entry
