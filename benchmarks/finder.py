"""Finder benchmark: latency of POST /api/v1/finder as a ratio to a bare JSON endpoint.

Starts gunicorn itself on 127.0.0.1 against a fresh database (SQLite in a
temporary folder, or a PostgreSQL database it creates when DATABASE_URL points
to a server), seeds the shipped data, adds synthetic offers (default 5,000)
and, when the library app provides ``cityexchange generate-corpus``, 100,000
library resources. Then, in the same run and from one client, it alternates

1. ``GET /api/v1/health`` (the bare JSON endpoint: liveness, no database), and
2. ``POST /api/v1/finder`` with varied multilingual needs,

and prints p50/p95 of both and their ratios (target: p95 ratio <= 4). Usage::

    .venv/bin/python benchmarks/finder.py [--offers 5000] [--requests 300] [--max-seconds 120]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/finder.py
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

QUERIES = [
    {
        "description": "Wir sind eine Kleinstadt und kämpfen mit Hitze und Starkregen.",
        "country": "DE",
        "population": 9000,
        "experience": "newcomer",
        "languages": ["de", "en"],
    },
    {
        "description": "Queremos un sistema de alerta temprana de inundaciones con sensores.",
        "country": "PE",
        "languages": ["es"],
    },
    {
        "description": "We run an urban data platform and want to build a digital twin with peers.",
        "country": "IN",
        "experience": "experienced",
        "goals": ["peer_exchange"],
    },
    {
        "description": "Queremos digitalizar o comércio local da nossa cidade.",
        "country": "BR",
        "population": 95000,
        "languages": ["pt", "es"],
    },
    {
        "description": "Weiterbildung für unsere Verwaltung zu E-Government und Datenstrategie.",
        "country": "AT",
        "goals": ["train_staff"],
    },
    {
        "description": "funding for smart lighting and energy efficiency in a small municipality",
        "country": "IE",
        "population": 12000,
    },
]


# Appended to the needs above so that topics (and the cached neighbours) vary.
EXTRA_NEEDS = [
    "Datenplattform",
    "digital twin",
    "movilidad urbana",
    "iluminação pública",
    "Bürgerbeteiligung",
    "cybersecurity",
    "gestión de residuos",
    "energia renovável",
    "Wärmeplanung",
    "open data",
    "turismo",
    "Gesundheit",
    "air quality",
    "participación ciudadana",
    "sensores",
    "Radverkehr",
    "procurement",
    "inclusão digital",
    "Katastrophenschutz",
    "e-government",
    "vivienda",
    "education",
    "parking",
    "Leerstand",
    "startups",
    "ética de datos",
    "Klimaanpassung",
    "public transport",
    "agua potable",
    "KI in der Verwaltung",
]


GOALS = ["learn_examples", "peer_exchange", "expert_advice", "train_staff", "find_funding"]
LEVELS = ["newcomer", "intermediate", "experienced"]


def query(n: int) -> dict[str, object]:
    """The n-th need: one of the base needs, one to three extra needs and varied fields.

    Drawn from a generator seeded with n, so a run is repeatable while almost no
    two requests of a run are the same (nothing can answer them from a cache of
    earlier answers).
    """
    rng = random.Random(n)
    base = dict(QUERIES[n % len(QUERIES)])
    extras = rng.sample(EXTRA_NEEDS, rng.randint(1, 3))
    base["description"] = ", ".join([str(base["description"]).rstrip("."), *extras])
    if rng.random() < 0.5:
        base["goals"] = rng.sample(GOALS, rng.randint(1, 2))
    if "experience" not in base and rng.random() < 0.5:
        base["experience"] = rng.choice(LEVELS)
    if rng.random() < 0.3:
        base["population"] = rng.choice([4000, 25000, 120000, 900000])
    return base


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def generate(count: int) -> None:
    """Create ``count`` synthetic offers in the configured database (runs inside Django)."""
    import django

    django.setup()
    from django.db import transaction

    from cityexchange.core.i18n import LANGUAGES
    from cityexchange.core.models import Concept, Organisation
    from cityexchange.directory.enums import Cost, Effort, Eligibility, Format, Goal, Level
    from cityexchange.directory.models import Offer
    from cityexchange.directory.services import directory_changed

    rng = random.Random(42)
    concepts = list(Concept.objects.all())
    organisations = list(Organisation.objects.values_list("pk", flat=True))
    filler = {
        "de": "Angebot für Kommunen mit Austausch, Beispielen und Begleitung über mehrere Wochen",
        "en": "offer for municipalities with exchange, examples and support over several weeks",
        "es": "oferta para municipios con intercambio, ejemplos y acompañamiento durante semanas",
        "pt": "oferta para municípios com intercâmbio, exemplos e apoio ao longo de semanas",
    }
    eligibilities = [Eligibility.OPEN] * 6 + [Eligibility.EU_MUNICIPALITIES, Eligibility.MEMBERS]
    offers = []
    chosen_topics = []
    for n in range(count):
        topics = rng.sample(concepts, 3)
        chosen_topics.append(topics)
        texts = {}
        for lang in LANGUAGES:
            labels = [getattr(c, f"label_{lang}") or c.label for c in topics]
            texts[f"name_{lang}"] = f"{labels[0]} {n}"
            texts[f"summary_{lang}"] = f"{labels[0]}, {labels[1]}: {filler[lang]}."
            texts[f"description_{lang}"] = (
                f"{filler[lang].capitalize()}. {', '.join(labels)}. {filler[lang]} ({n})."
            )
        eligibility = rng.choice(eligibilities)
        offers.append(
            Offer(
                slug=f"synthetic-{n}",
                kind=rng.choice(["training", "exchange_format", "tool", "funding", "advisory"]),
                name=texts["name_en"],
                summary=texts["summary_en"],
                description=texts["description_en"],
                audience_levels=rng.sample(list(Level.values), rng.randint(1, 3)),
                eligibility=eligibility,
                eligible_countries=["BR", "DE", "IN", "MX", "PE"]
                if eligibility == Eligibility.MEMBERS
                else [],
                languages=rng.sample(LANGUAGES, rng.randint(1, 2)),
                format=rng.choice(list(Format.values)),
                cost=rng.choice(list(Cost.values)),
                effort=rng.choice(list(Effort.values)),
                duration_minutes=rng.choice([None, 30, 60, 90]),
                goals=rng.sample(list(Goal.values), rng.randint(1, 3)),
                **texts,
            )
        )
    with transaction.atomic():
        created = Offer.objects.bulk_create(offers, batch_size=500)
        topic_links = [
            Offer.topics.through(offer_id=offer.pk, concept_id=concept.pk)
            for offer, topics in zip(created, chosen_topics, strict=True)
            for concept in topics
        ]
        Offer.topics.through.objects.bulk_create(topic_links, batch_size=2000)
        if organisations:
            Offer.organisers.through.objects.bulk_create(
                [
                    Offer.organisers.through(
                        offer_id=o.pk, organisation_id=rng.choice(organisations)
                    )
                    for o in created
                ],
                batch_size=2000,
            )
    directory_changed()
    print(f"synthetic offers: {len(created)}")


def has_command(name: str, env: dict[str, str]) -> bool:
    listing = subprocess.run(
        [BIN / "cityexchange", "help", "--commands"], env=env, capture_output=True, text=True
    )
    return name in listing.stdout.split()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offers", type=int, default=5000)
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300, help="of each kind")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="bound for measuring")
    parser.add_argument("--generate", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument(
        "--reuse-sqlite",
        type=Path,
        help="measure on an existing SQLite database built by an earlier run (only migrated, "
        "not rebuilt); for profiling rounds, not for reported figures",
    )
    args = parser.parse_args()
    if args.generate:
        generate(args.generate)
        return 0

    workdir = Path(tempfile.mkdtemp(prefix="cityexchange-finder-bench-"))
    admin_url = os.environ.get("DATABASE_URL", "")
    name = f"cityexchange_finder_bench_{os.getpid()}"
    if args.reuse_sqlite:
        admin_url = ""
        database_url = f"sqlite:///{args.reuse_sqlite.resolve()}"
    elif admin_url.startswith(("postgres://", "postgresql://")):
        import psycopg

        database_url = urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        admin_url = ""
        database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CITYEXCHANGE_VAR_DIR": str(workdir),
        "CITYEXCHANGE_RATELIMIT": "off",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "DEBUG": "0",
        "CITYEXCHANGE_TESTING": "0",
        "CITYEXCHANGE_EMAIL": "memory",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "warning",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DJANGO_SETTINGS_MODULE": "cityexchange.settings",
        "PYTHONPATH": str(ROOT / "src"),
    }
    server = None
    started = time.monotonic()
    try:
        run = [BIN / "cityexchange"]
        subprocess.run([*run, "migrate", "-v", "0"], env=env, check=True, timeout=600)
        if args.reuse_sqlite:
            resources_note = f"reusing {args.reuse_sqlite} (offers and resources as built before)"
        else:
            subprocess.run([*run, "seed"], env=env, check=True, timeout=600, capture_output=True)
            subprocess.run(
                [sys.executable, __file__, "--generate", str(args.offers)],
                env=env,
                check=True,
                timeout=900,
            )
        if args.reuse_sqlite:
            pass  # the note above
        elif args.resources <= 0:
            resources_note = "library resources: only the shipped ones (--resources 0)"
        elif has_command("generate-corpus", env):
            result = subprocess.run(
                [*run, "generate-corpus", "--size", str(args.resources)],
                env=env,
                timeout=3600,
                capture_output=True,
                text=True,
            )
            resources_note = (
                f"library resources: {args.resources} generated"
                if result.returncode == 0
                else f"library resources: generate-corpus failed ({result.stderr.strip()[-200:]})"
            )
        else:
            resources_note = (
                "library resources: only the shipped ones (no `generate-corpus` command yet)"
            )
        print(resources_note)
        print(f"setup took {time.monotonic() - started:.0f} s")

        server = subprocess.Popen(
            [
                BIN / "gunicorn",
                "cityexchange.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "300",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        base = f"http://127.0.0.1:{port}"
        session = requests.Session()
        for _ in range(200):
            try:
                if session.get(f"{base}/api/v1/health", timeout=5).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            print("gunicorn did not start")
            return 1

        understood: list[tuple[str, ...]] = []

        def finder(n: int, timeout: float = 60) -> float:
            began = time.perf_counter()
            response = session.post(f"{base}/api/v1/finder", json=query(n), timeout=timeout)
            elapsed = time.perf_counter() - began
            if response.status_code != 200:
                raise RuntimeError(f"finder answered {response.status_code}: {response.text[:300]}")
            understood.append(tuple(response.json()["understood"]["topics"]))
            return elapsed

        def health() -> float:
            began = time.perf_counter()
            response = session.get(f"{base}/api/v1/health", timeout=60)
            elapsed = time.perf_counter() - began
            if response.status_code != 200:
                raise RuntimeError(f"health answered {response.status_code}")
            return elapsed

        warm = time.perf_counter()
        finder(0, timeout=600)  # the first request builds the offers' profiles in this worker
        print(
            f"first Finder request (builds the profiles): {(time.perf_counter() - warm) * 1000:.0f} ms"
        )
        # Warm-up needs are numbered apart from the measured ones, so the measured
        # needs are all new to the server.
        for n in range(20):
            finder(1_000_000 + n)
            health()
        understood.clear()
        finder_times: list[float] = []
        health_times: list[float] = []
        load_before = os.getloadavg()
        stop = time.monotonic() + args.max_seconds
        for n in range(args.requests):
            if time.monotonic() > stop:
                break
            health_times.append(health())
            finder_times.append(finder(n))
        load_after = os.getloadavg()
        count = len(finder_times)
        needs = {json.dumps(query(n), sort_keys=True) for n in range(count)}
        topics = {topic for topic_set in understood for topic in topic_set}
        h50, h95 = percentile(health_times, 0.5), percentile(health_times, 0.95)
        f50, f95 = percentile(finder_times, 0.5), percentile(finder_times, 0.95)
        print(f"offers: {args.offers} synthetic + shipped; requests measured: {count} of each")
        print(f"GET /api/v1/health   p50 {h50 * 1000:.2f} ms  p95 {h95 * 1000:.2f} ms")
        print(
            f"POST /api/v1/finder  p50 {f50 * 1000:.2f} ms  p95 {f95 * 1000:.2f} ms"
            f"  (mean {statistics.mean(finder_times) * 1000:.2f} ms)"
        )
        print(f"ratio p50: {f50 / h50:.2f}   ratio p95: {f95 / h95:.2f}   (target p95 <= 4)")
        print(
            f"needs: {len(needs)} different of {count}; topics understood: {len(topics)} "
            f"different, in {len(set(understood))} different combinations"
        )
        print(
            "load average (1/5/15 min): "
            f"before {' '.join(f'{x:.2f}' for x in load_before)}, "
            f"after {' '.join(f'{x:.2f}' for x in load_after)}"
        )
        return 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if admin_url:
            import psycopg

            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
