"""Registration benchmark: registrations per second as a ratio to a bare JSON endpoint.

Starts gunicorn itself on 127.0.0.1 against a fresh PostgreSQL database it
creates and migrates, then, in the same run and with the same number of
concurrent clients, measures

1. a bare JSON endpoint (``GET /api/v1/events/ping``, no database work), and
2. registrations for one event with limited capacity
   (``POST /api/v1/events/<slug>/registrations``, each a new email),

and prints both rates, their ratio and the oversell count (confirmed beyond the
capacity; must be 0). With ``--rounds N`` the two phases alternate N times and
the rates are summed, so a load spike from other processes on a shared machine
hits both sides alike; the load average before and after is printed with the
figures. Without ``--broker`` the confirmation mail and its .ics are rendered
and "sent" (in-memory backend) inline after commit, as in the embedded default.
With ``--broker redis://127.0.0.1:6379/<n>`` the server gets that broker and the
benchmark starts a Celery worker of its own (``cityexchange worker --no-beat``),
so mail leaves the request as in production; the queue left at the end of each
phase is printed, and how long the worker needed to catch up afterwards; give
it a Redis database of its own, as the queue is emptied at the end. Both phases
always use the same gunicorn settings. Usage::

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/registration.py [--clients 32] [--seconds 8] [--rounds 2] \\
        [--workers 4] [--threads 1] [--broker redis://127.0.0.1:6379/15]

The database named in DATABASE_URL is only used to create and drop the
benchmark's own database.
"""

from __future__ import annotations

import argparse
import itertools
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CAPACITY = 50


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


FAILURES: Counter[str] = Counter()


def hammer(clients: int, seconds: float, make_request) -> tuple[int, int]:
    """Run ``clients`` threads for ``seconds``; returns (successes, failures)."""
    stop = time.monotonic() + seconds
    counts = [[0, 0] for _ in range(clients)]

    def worker(index: int) -> None:
        session = requests.Session()
        n = 0
        while time.monotonic() < stop:
            try:
                ok = make_request(session, index, n)
            except requests.RequestException as exc:
                FAILURES[type(exc).__name__] += 1
                ok = False
            counts[index][0 if ok else 1] += 1
            n += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(c[0] for c in counts), sum(c[1] for c in counts)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def machine_busy() -> float:
    """CPU seconds all processes on the machine have used so far (from /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / CLOCK_TICKS


class CpuMeter:
    """Where the CPU of a phase went: server, database, Celery worker, client, the rest.

    The machine is shared: "rest" is everything else running meanwhile, including
    other people's work, and is why figures are compared within one run.
    """

    def __init__(self, server: int, worker: int | None, admin_url: str, database: str) -> None:
        self.server, self.worker = server, worker
        self.admin_url, self.database = admin_url, database
        self.totals: dict[str, Counter[str]] = {}

    def _backends(self) -> list[int]:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.database,)
            ).fetchall()
        return [int(pid) for (pid,) in rows]

    def sample(self) -> dict[str, float]:
        worker = 0.0
        if self.worker is not None:
            worker = sum(process_cpu(p) for p in [self.worker, *children(self.worker)])
        return {
            "server": sum(process_cpu(p) for p in [self.server, *children(self.server)]),
            "database": sum(process_cpu(p) for p in self._backends()),
            "worker": worker,
            "client": sum(os.times()[:2]),
            "machine": machine_busy(),
        }

    def add(self, phase: str, before: dict[str, float], after: dict[str, float]) -> None:
        total = self.totals.setdefault(phase, Counter())
        for key in before:
            total[key] += after[key] - before[key]

    def report(self, phase: str, requests: int) -> str:
        total = self.totals.get(phase, Counter())
        if not requests:
            return f"{phase}: no request succeeded"
        own = sum(total[k] for k in ("server", "database", "worker", "client"))
        parts = {
            **{k: total[k] for k in ("server", "database", "worker", "client")},
            "rest of the machine": max(total["machine"] - own, 0.0),
        }
        return f"{phase}, CPU ms per request: " + ", ".join(
            f"{k} {1000 * v / requests:.2f}" for k, v in parts.items() if v or k != "worker"
        )


def queue_length(broker: str) -> int:
    """Tasks waiting in Celery's default queue (the mail the worker has not sent yet)."""
    import redis

    return int(redis.Redis.from_url(broker).llen("celery"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 1) * 2))
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--broker", default="", help="redis:// URL; starts a Celery worker")
    parser.add_argument("--worker-concurrency", type=int, default=1)
    args = parser.parse_args()
    admin_url = os.environ.get("DATABASE_URL", "")
    if not admin_url.startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL to a PostgreSQL server (its database is used only to create ours).")
        return 2
    name = f"cityexchange_bench_{os.getpid()}"
    bench_url = with_database(admin_url, name)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": bench_url,
        "CITYEXCHANGE_RATELIMIT": "off",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "DEBUG": "0",
        "CITYEXCHANGE_TESTING": "0",
        "CITYEXCHANGE_EMAIL": "memory",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "warning",
        "SITE_URL": f"http://127.0.0.1:{port}",
    }
    if args.broker:
        env["CITYEXCHANGE_BROKER_URL"] = args.broker
    else:
        env.pop("CITYEXCHANGE_BROKER_URL", None)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    server = worker = None
    try:
        subprocess.run(
            [BIN / "cityexchange", "migrate", "-v", "0"], env=env, check=True, timeout=300
        )
        setup = (
            "import datetime as dt; from django.utils import timezone;"
            "from cityexchange.events.models import Event, Format;"
            "f = Format.objects.create(slug='bench', name='Bench', default_duration_minutes=30);"
            "Event.objects.create(slug='bench-event', format=f, title='Bench', duration_minutes=30,"
            f" starts_at=timezone.now() + dt.timedelta(days=7), status='published', capacity_online={CAPACITY})"
        )
        subprocess.run(
            [BIN / "cityexchange", "shell", "-c", setup], env=env, check=True, timeout=120
        )
        server = subprocess.Popen(
            [
                BIN / "gunicorn",
                "cityexchange.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        if args.broker:
            worker = subprocess.Popen(
                [
                    BIN / "cityexchange",
                    "worker",
                    "--no-beat",
                    "--concurrency",
                    str(args.worker_concurrency),
                ],
                env={**env, "LOG_LEVEL": "warning"},
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if requests.get(f"{base}/api/v1/events/ping", timeout=5).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            print("gunicorn did not start")
            return 1

        def ping(session: requests.Session, index: int, n: int) -> bool:
            return session.get(f"{base}/api/v1/events/ping", timeout=30).status_code == 200

        serial = itertools.count()  # every request a new email, across rounds too

        def register(session: requests.Session, index: int, n: int) -> bool:
            response = session.post(
                f"{base}/api/v1/events/bench-event/registrations",
                json={
                    "name": f"Client {index}",
                    "email": f"c{index}-{n}-{next(serial)}@bench.example",
                    "privacy_consent": True,
                    "privacy_notice_version": "2025-01",
                },
                timeout=30,
            )
            if response.status_code != 201:
                FAILURES[f"HTTP {response.status_code}"] += 1
            return response.status_code == 201

        # Warm-up: connections and imports, on both paths; with a broker, wait
        # until the worker has started and emptied the queue, so its start-up
        # does not fall into the measured phases.
        hammer(args.clients, 1.0, ping)
        hammer(min(args.clients, 4), 1.0, register)
        if args.broker:
            deadline = time.monotonic() + 120
            while queue_length(args.broker) and time.monotonic() < deadline:
                time.sleep(0.5)
        meter = CpuMeter(server.pid, worker.pid if worker else None, admin_url, name)
        load_before = os.getloadavg()
        ok_ping = bad_ping = ok_reg = bad_reg = 0
        backlog: list[int] = []
        for _round in range(args.rounds):
            before = meter.sample()
            ok, bad = hammer(args.clients, args.seconds, ping)
            meter.add("bare endpoint", before, meter.sample())
            ok_ping, bad_ping = ok_ping + ok, bad_ping + bad
            before = meter.sample()
            ok, bad = hammer(args.clients, args.seconds, register)
            meter.add("registrations", before, meter.sample())
            ok_reg, bad_reg = ok_reg + ok, bad_reg + bad
            if args.broker:
                backlog.append(queue_length(args.broker))
        load_after = os.getloadavg()
        drained = None
        if args.broker:
            # How long the worker needs to catch up with the mail once the load stops.
            started = time.monotonic()
            while queue_length(args.broker) and time.monotonic() - started < 60:
                time.sleep(0.5)
            if not queue_length(args.broker):
                drained = time.monotonic() - started
        with psycopg.connect(bench_url) as conn:
            confirmed, waitlisted = conn.execute(
                "SELECT count(*) FILTER (WHERE status='confirmed'),"
                " count(*) FILTER (WHERE status='waitlisted') FROM events_registration"
            ).fetchone()
        ping_rate = ok_ping / (args.seconds * args.rounds)
        reg_rate = ok_reg / (args.seconds * args.rounds)
        mode = (
            f"broker {args.broker}, {args.worker_concurrency} Celery worker process(es)"
            if args.broker
            else "no broker (mail inline after commit)"
        )
        print(
            f"clients: {args.clients}, gunicorn workers: {args.workers} x {args.threads} "
            f"thread(s) in both phases, CPUs: {os.cpu_count()}, "
            f"{args.rounds} round(s) of {args.seconds:g} s per phase, {mode}"
        )
        print(
            "load average (1/5/15 min) before: "
            + " ".join(f"{x:.2f}" for x in load_before)
            + ", after: "
            + " ".join(f"{x:.2f}" for x in load_after)
        )
        print(f"bare JSON endpoint: {ping_rate:.1f} req/s ({bad_ping} failed)")
        print(f"registrations:      {reg_rate:.1f} req/s ({bad_reg} failed)")
        print(f"ratio registrations / bare endpoint: {reg_rate / ping_rate:.2f} (target >= 0.5)")
        print(meter.report("bare endpoint", ok_ping))
        print(meter.report("registrations", ok_reg))
        print(f"capacity {CAPACITY}: confirmed {confirmed}, waitlisted {waitlisted}")
        print(f"oversell: {max(confirmed - CAPACITY, 0)}")
        if args.broker:
            print(
                "mail queue emptied "
                + (
                    f"{drained:.1f} s after the last phase"
                    if drained is not None
                    else "not within 60 s"
                )
            )
        if backlog:
            print(
                "mail tasks still queued after each registration phase: "
                + ", ".join(map(str, backlog))
            )
        if FAILURES:
            print("failures: " + ", ".join(f"{k}: {v}" for k, v in FAILURES.most_common()))
        return 0 if confirmed <= CAPACITY else 1
    finally:
        for process in (server, worker):
            if process is None:
                continue
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
        if args.broker:
            # Mail for a database that is about to be dropped must not reach the next run.
            import redis

            redis.Redis.from_url(args.broker).delete("celery")
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
