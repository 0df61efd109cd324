"""Consultation benchmark: reading a 200-paragraph document with 2,000 comments.

For each engine asked for (SQLite file database, PostgreSQL database it creates):

1. migrates a fresh database and generates one open consultation whose document
   has ``--paragraphs`` numbered paragraphs in 20 sections, ``--comments`` comments
   spread over them (with replies and supports) by ``--people`` participants;
2. starts gunicorn itself on 127.0.0.1 and, in the same run, sends interleaved
   requests to ``GET /api/v1/health`` (the bare JSON endpoint), to the document
   page ``GET /en/consultations/<slug>/`` (every paragraph with its comment and
   support counts) and to ``GET /api/v1/consultations/<slug>``, one at a time over
   one keep-alive connection per endpoint (``http.client``);
3. prints p50/p95 of each and their ratios to the bare endpoint.

The commands run this checkout's code (``python -m cityexchange`` with its ``src``
first on the path). Usage::

    .venv/bin/python benchmarks/consultation.py --engines sqlite,postgresql
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SLUG = "benchmark-guidelines"

GENERATE = """
import datetime as dt, random
from django.utils import timezone
from cityexchange.consultations import importing, services
from cityexchange.consultations.models import Comment, Support
from cityexchange.core.models import Organisation, User
rng = random.Random(42)
paragraphs, comments, people = {paragraphs}, {comments}, {people}
organiser = Organisation.objects.create(slug="bench-town", name="Bench town", kind="municipality")
users = User.objects.bulk_create(
    User(email=f"p{{n}}@bench.invalid", full_name=f"Participant {{n}}") for n in range(people)
)
now = timezone.now()
consultation = services.consultation_create(
    actor=None, slug="{slug}", organiser=organiser, title="Benchmark guidelines",
    opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=30),
)
words = "people data city service open access town digital residents plan".split()
source = []
for n in range(paragraphs):
    if n % (paragraphs // 20 or 1) == 0:
        source.append(f"# Section {{n // (paragraphs // 20 or 1) + 1}}")
    source.append(" ".join(rng.choice(words) for _ in range(40)) + f" ({{n + 1}}).")
version = services.version_import(
    consultation=consultation, actor=None,
    sections=importing.parse_markdown("\\n\\n".join(source)), source_format="markdown",
)
services.version_publish(version=version, actor=None)
rows = list(version.paragraphs.all())
written = Comment.objects.bulk_create(
    Comment(
        consultation=consultation, version=version, target="paragraph",
        paragraph=(p := rows[rng.randrange(len(rows))]), section_id=p.section_id,
        language=rng.choice(["de", "en", "es", "pt"]), text=" ".join(rng.sample(words, 8)),
        author=rng.choice(users), country=rng.choice(["DE", "BR", "IN", "MX", "PE"]),
    )
    for _ in range(comments)
)
Support.objects.bulk_create(
    [Support(comment=c, user=u) for c in written[::2] for u in rng.sample(users, 2) if u.pk != c.author_id],
    ignore_conflicts=True,
)
print(f"generated {{len(rows)}} paragraphs, {{len(written)}} comments")
"""


# The same plain keep-alive client and helpers as the library search benchmark.
from search import Client, free_port, percentile  # noqa: E402


def run(cmd: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return result.stdout


def bench_engine(engine: str, args: argparse.Namespace) -> dict[str, object]:
    var_dir = Path(tempfile.mkdtemp(prefix=f"cx-consultation-bench-{engine}-"))
    env = {
        **os.environ,
        "SECRET_KEY": secrets.token_urlsafe(64),
        "CITYEXCHANGE_VAR_DIR": str(var_dir),
        "CITYEXCHANGE_RATELIMIT": "off",
        "CITYEXCHANGE_EMAIL": "memory",
        "LOG_LEVEL": "warning",
        "DEBUG": "0",
        "PYTHONPATH": str(ROOT / "src"),
    }
    admin_url = ""
    db_name = f"cx_consultation_bench_{os.getpid()}"
    if engine == "postgresql":
        import psycopg

        admin_url = (
            os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
        )
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db_name}"')
            conn.execute(f'CREATE DATABASE "{db_name}"')
        env["DATABASE_URL"] = urlunsplit(urlsplit(admin_url)._replace(path=f"/{db_name}"))
    else:
        env["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    cli = [sys.executable, "-m", "cityexchange"]
    try:
        run([*cli, "migrate", "--noinput", "-v", "0"], env)
        # The document page is HTML: its stylesheets need the collected static manifest.
        run([*cli, "collectstatic", "--noinput", "-v", "0"], env)
        code = GENERATE.format(
            paragraphs=args.paragraphs, comments=args.comments, people=args.people, slug=SLUG
        )
        print("  " + run([*cli, "shell", "-c", code], env).strip(), flush=True)
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
            stderr=subprocess.DEVNULL,
        )
        paths = {
            "health": "/api/v1/health",
            "page": f"/en/consultations/{SLUG}/",
            "api": f"/api/v1/consultations/{SLUG}",
        }
        try:
            for _ in range(100):
                try:
                    if Client(port).get(paths["health"])[0] == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.2)
            clients = {name: Client(port) for name in paths}
            for name, path in paths.items():  # warm up every worker
                for _ in range(args.workers * 3):
                    clients[name].get(path)
            timings: dict[str, list[float]] = {name: [] for name in paths}
            errors = 0
            page_bytes = 0
            stop = time.monotonic() + args.seconds
            n = 0
            while n < args.requests and time.monotonic() < stop:
                for name, path in paths.items():
                    t = time.perf_counter()
                    status, body = clients[name].get(path)
                    timings[name].append(time.perf_counter() - t)
                    if status != 200:
                        errors += 1
                    if name == "page":
                        page_bytes = len(body)
                n += 1
            load = os.getloadavg()
        finally:
            server.terminate()
            server.wait(timeout=30)
        figures: dict[str, object] = {
            "engine": engine,
            "paragraphs": args.paragraphs,
            "comments": args.comments,
            "requests_per_endpoint": n,
            "errors": errors,
            "page_kib": round(page_bytes / 1024, 1),
        }
        h50, h95 = percentile(timings["health"], 0.5), percentile(timings["health"], 0.95)
        for name in paths:
            p50, p95 = percentile(timings[name], 0.5), percentile(timings[name], 0.95)
            figures[f"{name}_p50_ms"] = round(p50 * 1000, 2)
            figures[f"{name}_p95_ms"] = round(p95 * 1000, 2)
            if name != "health":
                figures[f"{name}_p50_ratio"] = round(p50 / h50, 2)
                figures[f"{name}_p95_ratio"] = round(p95 / h95, 2)
        figures["load_average_1m"] = round(load[0], 2)
        figures["cpus"] = os.cpu_count()
        return figures
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
        if admin_url:
            import psycopg

            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db_name}"')


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--paragraphs", type=int, default=200)
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--engines", default="sqlite")
    parser.add_argument("--requests", type=int, default=200, help="per endpoint")
    parser.add_argument("--seconds", type=float, default=90.0, help="per engine, at most")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    results = []
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        print(f"== {engine}: {args.paragraphs} paragraphs, {args.comments} comments", flush=True)
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
