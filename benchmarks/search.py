"""Library search benchmark: latency of the search API as a ratio to a bare JSON endpoint.

For each engine asked for (SQLite file database, PostgreSQL database it creates):

1. migrates a fresh database, loads the thesaurus, and generates a synthetic four-language corpus with
   ``cityexchange generate-corpus --size N`` — its output gives the index build
   time, and the peak memory (max RSS) of that process is read afterwards;
2. starts gunicorn itself on 127.0.0.1 and, in the same run, sends interleaved
   requests to ``GET /api/v1/health`` (the bare JSON endpoint) and to
   ``GET /api/v1/library/search`` with mixed queries in de/en/es/pt, one at a time
   over one keep-alive connection per endpoint (``http.client``, the standard
   library's plain HTTP client);
3. prints p50/p95 of both, their ratios, and the peak memory of the server.

By default the 16 queries repeat, as people's searches do, and each worker answers
a search it has made before from memory; ``--first-time`` sends 240 searches that
no worker has seen (two queries' words together), the cost of a new search;
``--no-match`` sends 240 searches for words no resource has, the fixed cost of
answering a search at all.

The commands run this checkout's code (``python -m cityexchange`` with its ``src``
first on the path), whatever package the virtualenv has installed.
Bounded: ``--requests`` per endpoint and ``--seconds`` per engine, whichever
comes first. Usage::

    .venv/bin/python benchmarks/search.py --size 10000 --engines sqlite,postgresql
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import resource
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    ("Wassermanagement", "de"),
    ("water management sensors", "en"),
    ("gestión del agua", "es"),
    ("gestão de resíduos", "pt"),
    ("digitale Zwillinge", "de"),
    ("citizen participation platform", "en"),
    ("movilidad urbana", "es"),
    ("cidades inteligentes", "pt"),
    ("Hitzeschutz", "de"),
    ("open data", "en"),
    ("participación ciudadana", "es"),
    ("energia renovável", "pt"),
    ("Klimaanpassung Kommune", "de"),
    ("cyber security municipality", "en"),
    ("ciberseguridad", "es"),
    ("mobilidade elétrica", "pt"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


class Client:
    """GET requests over one keep-alive connection (reopened if the server closes it)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(
        self, path: str, params: dict[str, str] | None = None, **headers: str
    ) -> tuple[int, bytes]:
        url = f"{path}?{urlencode(params)}" if params else path
        for attempt in (1, 2):
            try:
                self.connection.request("GET", url, headers=headers)
                response = self.connection.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def run(cmd: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return result.stdout


def server_peak_kib(pid: int) -> int:
    """Peak resident memory (VmHWM) of gunicorn's master and workers, summed."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total


def bench_engine(engine: str, args: argparse.Namespace) -> dict[str, object]:
    var_dir = Path(tempfile.mkdtemp(prefix=f"cx-search-bench-{engine}-"))
    env = {
        **os.environ,
        "SECRET_KEY": secrets.token_urlsafe(64),
        "CITYEXCHANGE_VAR_DIR": str(var_dir),
        "CITYEXCHANGE_RATELIMIT": "off",
        "CITYEXCHANGE_EMAIL": "memory",
        "LOG_LEVEL": "warning",
        "DEBUG": "0",
    }
    admin_url = ""
    db_name = f"cx_search_bench_{os.getpid()}"
    reuse = args.reuse_postgresql if engine == "postgresql" else args.reuse_sqlite
    if reuse:
        # An existing database (built by an earlier run or by hand): only migrate it.
        env["DATABASE_URL"] = (
            reuse if engine == "postgresql" else f"sqlite:///{Path(reuse).resolve()}"
        )
    elif engine == "postgresql":
        import psycopg

        admin_url = (
            os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
        )
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db_name}"')
            conn.execute(f'CREATE DATABASE "{db_name}"')
        parts = urlsplit(admin_url)
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{db_name}"))
    else:
        env["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    env["PYTHONPATH"] = str(ROOT / "src")
    cli = [sys.executable, "-m", "cityexchange"]
    try:
        run([*cli, "migrate", "--noinput", "-v", "0"], env)
        generate_seconds = index_seconds = float("nan")
        generate_peak_kib = 0
        if reuse:
            count = (
                "from cityexchange.library.models import SearchEntry as S; print(S.objects.count())"
            )
            indexed = int(run([*cli, "shell", "-c", count], env).split()[-1])
        else:
            # Only the thesaurus is needed; the corpus is synthetic.
            load = "from cityexchange.core.seeding import load_thesaurus; load_thesaurus()"
            run([*cli, "shell", "-c", load], env)
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            started = time.monotonic()
            out = run([*cli, "generate-corpus", "--size", str(args.size)], env)
            generate_seconds = time.monotonic() - started
            generate_peak_kib = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
            match = re.search(r"index built for (\d+) resources in ([\d.]+)s", out)
            index_seconds = float(match.group(2)) if match else float("nan")
            indexed = int(match.group(1)) if match else 0
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "cityexchange.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                str(args.workers),
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        try:
            for _ in range(100):
                try:
                    if Client(port).get("/api/v1/health")[0] == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.2)
            bare, searching = Client(port), Client(port)
            # Warm up the worker's thesaurus and caches with the requests measured below
            # (the same words in the same language: a search's answer is kept per both).
            for q, lang in QUERIES * 2:
                searching.get("/api/v1/library/search", {"q": q}, **{"Accept-Language": lang})
            # Repeated searches (the default) are answered from each worker's memory after
            # the warm-up; --first-time sends searches no worker has seen: two queries'
            # words together, every pair once.
            queries = QUERIES
            if args.first_time:
                queries = [
                    (f"{a} {b}", lang) for a, lang in QUERIES for b, _other in QUERIES if a != b
                ]
            if args.no_match:
                # Words no resource has, each once: what answering any search costs
                # before anything is found (the floor under every figure above).
                queries = [(f"qzxv{n}", QUERIES[n % len(QUERIES)][1]) for n in range(240)]
            health: list[float] = []
            search: list[float] = []
            errors = 0
            counts: list[int] = []
            load_before = os.getloadavg()
            stop = time.monotonic() + args.seconds
            n = 0
            while n < args.requests and time.monotonic() < stop:
                t = time.perf_counter()
                status, _body = bare.get("/api/v1/health")
                health.append(time.perf_counter() - t)
                q, lang = queries[n % len(queries)]
                t = time.perf_counter()
                found, body = searching.get(
                    "/api/v1/library/search", {"q": q}, **{"Accept-Language": lang}
                )
                search.append(time.perf_counter() - t)
                if status != 200 or found != 200:
                    errors += 1
                else:
                    counts.append(int(json.loads(body)["count"]))
                n += 1
            peak_server_kib = server_peak_kib(server.pid)
            load_after = os.getloadavg()
        finally:
            server.terminate()
            server.wait(timeout=30)
        h50, h95 = percentile(health, 0.5), percentile(health, 0.95)
        s50, s95 = percentile(search, 0.5), percentile(search, 0.95)
        return {
            "engine": engine,
            "resources_indexed": indexed,
            "generate_and_index_seconds": round(generate_seconds, 1),
            "index_build_seconds": index_seconds,
            "generate_peak_rss_mib": round(generate_peak_kib / 1024, 1),
            "server_peak_rss_mib": round(peak_server_kib / 1024, 1),
            "searches": "no match"
            if args.no_match
            else "first-time"
            if args.first_time
            else "repeated",
            "requests_per_endpoint": n,
            "errors": errors,
            "median_hits_per_query": statistics.median(counts) if counts else 0,
            "health_p50_ms": round(h50 * 1000, 2),
            "health_p95_ms": round(h95 * 1000, 2),
            "search_p50_ms": round(s50 * 1000, 2),
            "search_p95_ms": round(s95 * 1000, 2),
            "p50_ratio": round(s50 / h50, 2),
            "p95_ratio": round(s95 / h95, 2),
            # The machine may be shared: 1-minute load average when requests began and ended.
            "load_average_1m": [round(load_before[0], 2), round(load_after[0], 2)],
            "cpus": os.cpu_count(),
        }
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
        if engine == "postgresql" and admin_url and not reuse:
            import psycopg

            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db_name}"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=400, help="per endpoint")
    parser.add_argument("--seconds", type=float, default=120.0, help="per engine, at most")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--first-time",
        action="store_true",
        help="every search new to the server (at most 240 requests), not the 16 repeated",
    )
    parser.add_argument(
        "--no-match",
        action="store_true",
        help="searches for words no resource has (at most 240 requests): the fixed cost",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument(
        "--reuse-sqlite", default="", help="measure this SQLite file instead of building one"
    )
    parser.add_argument(
        "--reuse-postgresql",
        default="",
        help="measure this PostgreSQL database URL instead of building one (not dropped)",
    )
    args = parser.parse_args()
    results = []
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        reused = args.reuse_postgresql if engine == "postgresql" else args.reuse_sqlite
        print(
            f"== {engine}: " + ("reused corpus" if reused else f"corpus of {args.size} resources"),
            flush=True,
        )
        figures = bench_engine(engine, args)
        results.append(figures)
        for key, value in figures.items():
            print(f"  {key}: {value}", flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
