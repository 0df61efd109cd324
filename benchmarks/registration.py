"""Registration benchmark: registrations per second against a bare endpoint and against pretix.

Starts gunicorn itself on 127.0.0.1 against a fresh PostgreSQL database it
creates and migrates, then, in the same run and with the same number of
concurrent clients, measures

1. cityexchange's bare JSON endpoint (``GET /api/v1/events/ping``, no database
   work), and
2. its registrations for one event with limited capacity
   (``POST /api/v1/events/<slug>/registrations``, each a new email).

With ``--peer pretix`` it also sets up pretix from PyPI in its own virtual
environment (``benchmarks/pretix_peer.py``), serves it with the same gunicorn
settings and measures, alternating with cityexchange's phases,

3. pretix's cheapest endpoint (``GET /healthcheck/``, one database query), and
4. pretix's order creation for a free ticket through its REST API
   (``POST /api/v1/organizers/<o>/events/<e>/orders/`` with a team's API token,
   each a new email, a quota equal to cityexchange's capacity).

It prints the rates, each one's ratio to its bare endpoint, the ratio of
cityexchange's registrations to pretix's (target >= 10), the oversell of both
(judged from the stored registrations and orders, must be 0), CPU per request,
the failed requests with their reasons, the load average before and after and
the settings. Every request is answered by a decision about a seat: for
cityexchange a 202 (confirmed or waiting list, told by mail), for pretix an
order (201) or "not enough quota" (400); both count as handled registrations. The
target (>= 10) compares creating registrations with creating orders, so it is printed
only for a run in which pretix refused none (``--capacity 100000``); once its quota is
gone pretix only refuses while cityexchange keeps storing and mailing waiting-list
registrations, and that mix is printed as a figure without a target.

With ``--rounds N`` the phases alternate N times (the servers' order reversed
every other round) and the rates are summed, so a load spike from other
processes on a shared machine hits all phases alike. Without ``--broker`` the
confirmation mail and its .ics are rendered and "sent" (in-memory backend)
inline after commit, as in the embedded default; pretix runs the same way (no
Redis, no Celery: its order mail inline, in-memory backend). With
``--broker redis://127.0.0.1:6379/<n>`` (cityexchange alone, not with
``--peer``) the server gets that broker and the benchmark starts a Celery worker
of its own (``cityexchange worker --no-beat``); the queue left at the end of
each phase is printed, and how long the worker needed to catch up; give it a
Redis database of its own, as the queue is emptied at the end.

The load client is Python's ``http.client``, one connection per client thread,
kept alive where the server allows it (gunicorn's sync workers close it after
each answer; ``--threads`` > 1 selects gthread workers, which keep it). Usage::

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/registration.py [--peer pretix] [--clients 32] \\
        [--seconds 8] [--rounds 2] [--workers 4] [--threads 1] [--capacity 50] \\
        [--client http.client|requests] [--pretix-cache locmem|dummy] [--pretix-no-mail] \\
        [--broker redis://127.0.0.1:6379/15]

The database named in DATABASE_URL is only used to create and drop the
benchmark's own databases (``cx_bench_*``).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import gunicorn
import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pretix_peer import PRETIX_VERSION, PretixPeer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


class Client:
    """One client thread's connection: ``http.client``, kept alive where the server allows it."""

    name = "http.client, one connection per client thread, kept alive where the server allows it"

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        """One request; the whole answer is read so that the connection can be reused."""
        self.conn.request(method, path, body=body, headers=headers or {})
        response = self.conn.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.conn.close()


class RequestsClient(Client):
    """The same through a ``requests`` session, the client of the figures before 2026-12-06."""

    name = "requests, one session per client thread"

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.session = requests.Session()

    def call(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        response = self.session.request(
            method, self.base + path, data=body, headers=headers, timeout=30
        )
        return response.status_code, response.content

    def close(self) -> None:
        self.session.close()


# One request of a phase: (client, client index, request number) -> outcome label.
Request = Callable[[Client, int, int], str]
CLIENTS: dict[str, type[Client]] = {"http.client": Client, "requests": RequestsClient}


def hammer(
    port: int, clients: int, seconds: float, request: Request, kind: type[Client] = Client
) -> Counter[str]:
    """Run ``clients`` threads for ``seconds``, each with its own connection; outcomes counted."""
    stop = time.monotonic() + seconds
    outcomes = [Counter[str]() for _ in range(clients)]

    def client(index: int) -> None:
        conn = kind(port)
        for n in itertools.count():
            if time.monotonic() >= stop:
                break
            try:
                label = request(conn, index, n)
            except (OSError, http.client.HTTPException, requests.RequestException) as exc:
                label = type(exc).__name__
                conn.close()
            outcomes[index][label] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(outcomes, Counter())


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
    other people's work and the idle other server, and is why figures are compared
    within one run.
    """

    def __init__(self, server: int, worker: int | None, admin_url: str, database: str) -> None:
        self.server, self.worker = server, worker
        self.admin_url, self.database = admin_url, database

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


@dataclass
class Phase:
    """What one kind of request did over all rounds."""

    name: str
    handled: frozenset[str]
    outcomes: Counter[str] = field(default_factory=Counter)
    cpu: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    elapsed: float = 0.0  # until the last answer: requests under way at the end still count

    @property
    def rate(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    @property
    def ok(self) -> int:
        return sum(n for label, n in self.outcomes.items() if label in self.handled)

    @property
    def failed(self) -> Counter[str]:
        return Counter({k: n for k, n in self.outcomes.items() if k not in self.handled})

    @property
    def own_cpu(self) -> float:
        """CPU seconds per handled request in server, database, Celery worker and client."""
        own = sum(self.cpu[k] for k in ("server", "database", "worker", "client"))
        return own / self.ok if self.ok else 0.0

    def cpu_report(self) -> str:
        if not self.ok:
            return f"{self.name}: no request succeeded"
        own = sum(self.cpu[k] for k in ("server", "database", "worker", "client"))
        parts = {
            **{k: self.cpu[k] for k in ("server", "database", "worker", "client")},
            "rest of the machine": max(self.cpu["machine"] - own, 0.0),
        }
        return f"{self.name}, CPU ms per request: " + ", ".join(
            f"{k} {1000 * v / self.ok:.2f}" for k, v in parts.items() if v or k != "worker"
        )


@dataclass
class Side:
    """One server under test: its bare endpoint and its registrations."""

    name: str
    port: int
    meter: CpuMeter
    bare_request: Request
    register_request: Request
    bare: Phase
    register: Phase

    def run(
        self, phase: Phase, request: Request, clients: int, seconds: float, kind: type[Client]
    ) -> None:
        before = self.meter.sample()
        started = time.monotonic()
        phase.outcomes += hammer(self.port, clients, seconds, request, kind)
        phase.elapsed += time.monotonic() - started
        after = self.meter.sample()
        for key in before:
            phase.cpu[key] += after[key] - before[key]


def label(status: int, body: bytes) -> str:
    return f"HTTP {status}: {body[:120].decode(errors='replace')}"


def cityexchange_side(port: int, meter: CpuMeter) -> Side:
    serial = itertools.count()  # every request a new email, across rounds too

    def ping(conn: Client, index: int, n: int) -> str:
        status, body = conn.call("GET", "/api/v1/events/ping")
        return "200" if status == 200 else label(status, body)

    def register(conn: Client, index: int, n: int) -> str:
        payload = {
            "name": f"Client {index}",
            "email": f"c{index}-{n}-{next(serial)}@bench.example",
            "privacy_consent": True,
            "privacy_notice_version": "2025-01",
        }
        status, body = conn.call(
            "POST",
            "/api/v1/events/bench-event/registrations",
            json.dumps(payload).encode(),
            {"Content-Type": "application/json"},
        )
        # 202: the seat was decided and the state mailed; the answer does not tell it
        # (anyone may send any address), the stored registrations do (oversell check).
        if status != 202:
            return label(status, body)
        return "registered"

    return Side(
        "cityexchange",
        port,
        meter,
        ping,
        register,
        Phase("cityexchange bare endpoint", frozenset({"200"})),
        Phase("cityexchange registrations", frozenset({"registered"})),
    )


def pretix_side(peer: PretixPeer, meter: CpuMeter, send_email: bool) -> Side:
    serial = itertools.count()
    headers = {"Authorization": f"Token {peer.token}", "Content-Type": "application/json"}

    def healthcheck(conn: Client, index: int, n: int) -> str:
        status, body = conn.call("GET", "/healthcheck/")
        return "200" if status == 200 else label(status, body)

    def order(conn: Client, index: int, n: int) -> str:
        email = f"p{index}-{n}-{next(serial)}@bench.example"
        status, body = conn.call(
            "POST", peer.orders_path, peer.order_body(email, send_email), headers
        )
        if status == 201:
            return "order"
        if status == 400 and b"quota" in body:
            return "sold out"
        return label(status, body)

    return Side(
        "pretix",
        peer.port,
        meter,
        healthcheck,
        order,
        Phase("pretix bare endpoint", frozenset({"200"})),
        Phase("pretix orders", frozenset({"order", "sold out"})),
    )


def queue_length(broker: str) -> int:
    """Tasks waiting in Celery's default queue (the mail the worker has not sent yet)."""
    import redis

    return int(redis.Redis.from_url(broker).llen("celery"))


def gunicorn_command(app: str, port: int, args: argparse.Namespace) -> list[str]:
    return [
        "gunicorn",
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--log-level",
        "warning",
    ]


def wait_for(port: int, path: str, process: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        conn = Client(port)
        try:
            if conn.call("GET", path)[0] == 200:
                return True
        except (OSError, http.client.HTTPException):
            time.sleep(0.1)
        finally:
            conn.close()
    return False


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--peer", choices=["none", "pretix"], default="none")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 1) * 2))
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--client", choices=sorted(CLIENTS), default="http.client")
    parser.add_argument("--capacity", type=int, default=50, help="seats, and pretix's quota")
    parser.add_argument("--broker", default="", help="redis:// URL; starts a Celery worker")
    parser.add_argument("--worker-concurrency", type=int, default=1)
    parser.add_argument(
        "--pretix-cache",
        choices=["locmem", "dummy"],
        default="locmem",
        help="pretix's cache without Redis: local memory per process (like cityexchange's) "
        "or pretix's own no-Redis default, a dummy cache",
    )
    parser.add_argument(
        "--pretix-no-mail",
        action="store_true",
        help="create pretix's orders with send_email false (cityexchange still mails)",
    )
    args = parser.parse_args()
    if args.broker and args.peer != "none":
        parser.error("--broker is for cityexchange alone; the pretix comparison runs without one")
    return args


def main() -> int:
    args = parse_args()
    kind = CLIENTS[args.client]
    admin_url = os.environ.get("DATABASE_URL", "")
    if not admin_url.startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL to a PostgreSQL server (its database is used only to create ours).")
        return 2
    name = f"cx_bench_reg_{os.getpid()}"
    bench_url = with_database(admin_url, name)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": bench_url,
        "PYTHONPATH": str(ROOT / "src"),  # the work tree's code, whatever is installed
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
    peer = None
    if args.peer == "pretix":
        peer = PretixPeer(
            admin_url, free_port(), args.workers, args.threads, args.capacity, args.pretix_cache
        )
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    server = worker = None
    peer_error: list[BaseException] = []
    peer_thread = None
    try:
        if peer is not None:
            # pretix installs and migrates (a minute or two) while cityexchange migrates.
            def start_peer() -> None:
                try:
                    peer.start()
                except BaseException as exc:  # reported after the join
                    peer_error.append(exc)

            peer_thread = threading.Thread(target=start_peer)
            peer_thread.start()
        subprocess.run(
            [BIN / "python", "-m", "cityexchange", "migrate", "-v", "0"],
            env=env,
            cwd=ROOT,
            check=True,
            timeout=300,
        )
        setup = (
            "import datetime as dt; from django.utils import timezone;"
            "from cityexchange.events.models import Event, Format;"
            "f = Format.objects.create(slug='bench', name='Bench', default_duration_minutes=30);"
            "Event.objects.create(slug='bench-event', format=f, title='Bench', duration_minutes=30,"
            " starts_at=timezone.now() + dt.timedelta(days=7), status='published',"
            f" capacity_online={args.capacity})"
        )
        subprocess.run(
            [BIN / "python", "-m", "cityexchange", "shell", "-c", setup],
            env=env,
            cwd=ROOT,
            check=True,
            timeout=120,
        )
        command = gunicorn_command("cityexchange.wsgi:application", port, args)
        server = subprocess.Popen([BIN / command[0], *command[1:]], env=env, cwd=ROOT)
        if args.broker:
            worker = subprocess.Popen(
                [
                    BIN / "python",
                    "-m",
                    "cityexchange",
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
        if not wait_for(port, "/api/v1/events/ping", server):
            print("gunicorn did not start")
            return 1
        cx = cityexchange_side(
            port, CpuMeter(server.pid, worker.pid if worker else None, admin_url, name)
        )
        sides = [cx]
        if peer is not None and peer_thread is not None:
            peer_thread.join()
            if peer_error:
                raise peer_error[0]
            assert peer.server is not None
            meter = CpuMeter(peer.server.pid, None, admin_url, peer.database)
            sides.append(pretix_side(peer, meter, send_email=not args.pretix_no_mail))

        # Warm-up: connections and imports, on both paths of every server; with a
        # broker, wait until the worker has started and emptied the queue, so its
        # start-up does not fall into the measured phases.
        for side in sides:
            hammer(side.port, args.clients, 1.0, side.bare_request, kind)
            hammer(side.port, min(args.clients, 4), 1.0, side.register_request, kind)
        if args.broker:
            deadline = time.monotonic() + 120
            while queue_length(args.broker) and time.monotonic() < deadline:
                time.sleep(0.5)
        load_before = os.getloadavg()
        backlog: list[int] = []
        for round_ in range(args.rounds):
            for side in sides if round_ % 2 == 0 else sides[::-1]:
                side.run(side.bare, side.bare_request, args.clients, args.seconds, kind)
                side.run(side.register, side.register_request, args.clients, args.seconds, kind)
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
            row = conn.execute(
                "SELECT count(*) FILTER (WHERE status='confirmed'),"
                " count(*) FILTER (WHERE status='waitlisted') FROM events_registration"
            ).fetchone()
        confirmed, waitlisted = row if row else (0, 0)
        sold = peer.sold() if peer is not None else {}

        mode = (
            f"broker {args.broker}, {args.worker_concurrency} Celery worker process(es)"
            if args.broker
            else "no broker (mail and .ics rendered inline after commit, in-memory backend)"
        )
        print(
            f"settings: {args.clients} clients, gunicorn {gunicorn.__version__} with "
            f"{args.workers} worker(s) x {args.threads} thread(s) "
            f"({'gthread' if args.threads > 1 else 'sync'}) for every server, "
            f"CPUs: {os.cpu_count()}, {args.rounds} round(s) of {args.seconds:g} s per phase, "
            f"capacity {args.capacity}; load client: {kind.name}"
        )
        print(f"cityexchange: {mode}, work tree {ROOT}")
        if peer is not None:
            print(
                f"pretix {PRETIX_VERSION}: no Redis, no Celery (tasks inline), cache "
                f"{args.pretix_cache}, in-memory mail backend, orders with send_email "
                f"{'false' if args.pretix_no_mail else 'true'}, quota {args.capacity}"
            )
        print(
            "load average (1/5/15 min) before: "
            + " ".join(f"{x:.2f}" for x in load_before)
            + ", after: "
            + " ".join(f"{x:.2f}" for x in load_after)
        )
        rates = {}
        for side in sides:
            bare, reg = side.bare.rate, side.register.rate
            rates[side.name] = reg
            detail = ", ".join(f"{k} {n}" for k, n in sorted(side.register.outcomes.items()))
            print(
                f"{side.name}: bare endpoint {bare:.1f} req/s ({sum(side.bare.failed.values())} "
                f"failed), registrations {reg:.1f} req/s ({detail}), "
                f"ratio registrations / bare endpoint {reg / bare if bare else 0:.2f}"
                + (" (target >= 0.5)" if side is cx else "")
            )
        if "pretix" in rates:
            ratio = rates["cityexchange"] / rates["pretix"] if rates["pretix"] else float("inf")
            # The target compares creating registrations with creating orders. Once the
            # quota is gone pretix only refuses, while cityexchange still stores (and
            # mails) a waiting-list registration: unlike work, reported without a target.
            refused = next(side for side in sides if side.name == "pretix").register.outcomes[
                "sold out"
            ]
            print(
                f"ratio cityexchange / pretix registrations per second: {ratio:.2f} "
                + (
                    f"(pretix refused {refused} as sold out: no target for this mix; "
                    "the target >= 10 is for a capacity every request fits in)"
                    if refused
                    else "(target >= 10)"
                )
            )
            mine, theirs = (side.register.own_cpu for side in sides)
            print(
                "CPU per registration (server, database and client): cityexchange "
                f"{1000 * mine:.2f} ms, pretix {1000 * theirs:.2f} ms, pretix / cityexchange "
                f"{theirs / mine if mine else 0:.2f} (less sensitive to the others' load)"
            )
        for side in sides:
            print(side.bare.cpu_report())
            print(side.register.cpu_report())
        oversold = max(confirmed - args.capacity, 0)
        print(
            f"cityexchange: capacity {args.capacity}, confirmed {confirmed}, "
            f"waitlisted {waitlisted}, oversold {oversold}"
        )
        if peer is not None:
            taken = sold.get("p", 0) + sold.get("n", 0)
            pretix_oversold = max(taken - args.capacity, 0)
            oversold += pretix_oversold
            print(
                f"pretix: quota {args.capacity}, tickets in paid orders {sold.get('p', 0)}, "
                f"in pending orders {sold.get('n', 0)}, oversold {pretix_oversold}"
            )
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
        for side in sides:
            for phase in (side.bare, side.register):
                if phase.failed:
                    print(
                        f"failed, {phase.name}: "
                        + "; ".join(f"{k} x {n}" for k, n in phase.failed.most_common())
                    )
        return 0 if not oversold else 1
    finally:
        if peer_thread is not None:
            peer_thread.join()
        for process in (server, worker):
            if process is None:
                continue
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
        if peer is not None:
            peer.stop()
        if args.broker:
            # Mail for a database that is about to be dropped must not reach the next run.
            import redis

            redis.Redis.from_url(args.broker).delete("celery")
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
