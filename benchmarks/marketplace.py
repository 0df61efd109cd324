"""Marketplace benchmark: listing and search latency as ratios to a bare endpoint, and
checkout throughput for many residents buying the last units at once.

Starts gunicorn itself on 127.0.0.1 against a fresh database (SQLite in a temporary
folder, or a PostgreSQL database it creates when DATABASE_URL points to a server),
generates one town with 200 approved shops and 20,000 products (names in four
languages, stock counted), then, in the same run:

1. alternates ``GET /api/v1/health`` (the bare endpoint: one ``SELECT 1``) with
   ``GET /api/v1/market/towns/<town>/products?page=N`` (the town's listing: N from
   1 to 10, and "deep": any page up to the last) and ``...?q=<word>`` (search), one client on a kept-alive ``http.client``
   connection, and prints p50/p95 of each and their ratios to the bare endpoint;
2. gives 20 products 5 units each and lets 32 concurrent clients (threads, one
   kept-alive connection each) order one unit of a random one of them until every
   one answers 409 (sold out); prints orders per second, and the oversold count
   judged from the stored orders (must be 0).

The number of queries per listing page does not grow with the data: that is pinned
by the app's tests (``test_the_product_list_costs_the_same_queries_for_few_and_many``,
``test_every_page_of_the_listing_holds_its_share_and_a_kept_page_costs_two_queries``).
Usage::

    .venv/bin/python benchmarks/marketplace.py [--shops 200] [--products 20000]
        [--requests 200] [--buyers 32] [--workers 2] [--prefix cx_bench_market]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/marketplace.py
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TOWN = "bench-town"
SCARCE = 20
UNITS = 5
WORDS = {
    "en": ["bread", "honey", "soap", "candle", "mug", "scarf", "map", "tea"],
    "de": ["Brot", "Honig", "Seife", "Kerze", "Becher", "Schal", "Karte", "Tee"],
    "es": ["pan", "miel", "jabón", "vela", "taza", "bufanda", "mapa", "té"],
    "pt": ["pão", "mel", "sabão", "vela", "caneca", "cachecol", "mapa", "chá"],
}


from search import free_port, percentile  # noqa: E402 - the search benchmark's helpers


def generate(shops: int, products: int) -> None:
    """One town, ``shops`` approved shops open all week, ``products`` products (in Django)."""
    import datetime as dt
    from decimal import Decimal

    import django

    django.setup()
    from django.db import transaction

    from cityexchange.core.models import Organisation
    from cityexchange.marketplace import search
    from cityexchange.marketplace.models import OpeningHours, Product, Shop, Town

    rng = random.Random(7)
    with transaction.atomic():
        organisation = Organisation.objects.create(
            slug="bench-municipality", name="Bench", kind="municipality", country="DE"
        )
        town = Town.objects.create(organisation=organisation, slug=TOWN, name="Bench town")
        created = Shop.objects.bulk_create(
            Shop(
                town=town,
                slug=f"shop-{n}",
                name=f"Shop {n}",
                address=f"Street {n}",
                contact_email=f"shop{n}@example.org",
                status="approved",
                orders_per_slot=1000,
            )
            for n in range(shops)
        )
        OpeningHours.objects.bulk_create(
            OpeningHours(shop=s, weekday=d, opens=dt.time(0), closes=dt.time(23, 59))
            for s in created
            for d in range(7)
        )
        batch = []
        for n in range(products):
            index = rng.randrange(len(WORDS["en"]))
            names = {f"name_{lang}": f"{WORDS[lang][index]} {n}" for lang in WORDS}
            batch.append(
                Product(
                    shop=created[n % shops],
                    sku=f"P-{n}",
                    name=names["name_en"],
                    price=Decimal(rng.randint(50, 5000)) / 100,
                    stock=rng.randint(0, 50),
                    **names,
                )
            )
        Product.objects.bulk_create(batch, batch_size=1000)
        # As every product saved through the app is: analysed for search.
        search.index_products(Product.objects.filter(shop__town=town))
    from django.db import connection

    # PostgreSQL plans from statistics autovacuum gathers a while after a bulk load, and
    # reads an index alone only where autovacuum has marked the pages all-visible: both
    # done now, as a running installation would have them.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"generated: 1 town, {shops} shops, {products} products")


def scarce(reset: bool) -> None:
    """Give the scarce products their units (``reset``), or report what was sold."""
    import django

    django.setup()
    from django.db.models import Sum

    from cityexchange.marketplace.models import OrderLine, Product

    items = Product.objects.filter(shop__town__slug=TOWN).order_by("pk")[:SCARCE]
    ids = [p.pk for p in items]
    if reset:
        Product.objects.filter(pk__in=ids).update(stock=UNITS)
        print(json.dumps(ids))
        return
    sold = OrderLine.objects.filter(product_id__in=ids).aggregate(n=Sum("quantity"))["n"] or 0
    left = Product.objects.filter(pk__in=ids).aggregate(n=Sum("stock"))["n"] or 0
    print(json.dumps({"sold": sold, "left": left, "units": SCARCE * UNITS}))


class Client:
    """One kept-alive HTTP/1.1 connection."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: object = None) -> tuple[int, float, bytes]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data else {}
        began = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            content = response.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            content = response.read()
        return response.status, time.perf_counter() - began, content


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shops", type=int, default=200)
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=200, help="of each kind")
    parser.add_argument("--buyers", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--prefix",
        default="cx_bench_market",
        help="name of the PostgreSQL database (and temporary folder) it creates, before its pid",
    )
    parser.add_argument("--generate", nargs=2, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--scarce", choices=["reset", "report"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        generate(*args.generate)
        return 0
    if args.scarce:
        scarce(args.scarce == "reset")
        return 0

    workdir = Path(tempfile.mkdtemp(prefix=f"{args.prefix}-"))
    admin_url = os.environ.get("DATABASE_URL", "")
    name = f"{args.prefix}_{os.getpid()}"
    if admin_url.startswith(("postgres://", "postgresql://")):
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
    try:
        started = time.monotonic()
        subprocess.run(
            [BIN / "cityexchange", "migrate", "-v", "0"], env=env, check=True, timeout=900
        )
        subprocess.run(
            [sys.executable, __file__, "--generate", str(args.shops), str(args.products)],
            env=env,
            check=True,
            timeout=900,
        )
        print(f"setup took {time.monotonic() - started:.0f} s")
        server = subprocess.Popen(
            [
                BIN / "gunicorn",
                "cityexchange.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                # gthread workers keep connections alive, as a proxy in front would.
                "--threads",
                "4",
                "--timeout",
                "300",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
            # Django logs every 409 (sold out) as a warning: kept out of the report.
            stderr=(workdir / "server.log").open("w"),
        )
        for _ in range(300):
            try:
                if Client(port).request("GET", "/api/v1/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            print("gunicorn did not start")
            return 1

        client = Client(port)
        rng = random.Random(11)
        base = f"/api/v1/market/towns/{TOWN}/products"
        pages = max(1, args.products // 20)

        def listing() -> float:
            # The pages residents browse: the first ten.
            status, took, _body = client.request("GET", f"{base}?page={rng.randint(1, 10)}")
            assert status == 200, status
            return took

        def deep() -> float:
            # Any page, up to the last: what a crawler walking every page costs.
            status, took, _body = client.request("GET", f"{base}?page={rng.randint(1, pages)}")
            assert status == 200, status
            return took

        def search() -> float:
            lang = rng.choice(list(WORDS))
            word = rng.choice(WORDS[lang])
            status, took, body = client.request("GET", f"{base}?q={quote(word)}")
            assert status == 200, (status, body[:200])
            return took

        def health() -> float:
            status, took, _body = client.request("GET", "/api/v1/health")
            assert status == 200, status
            return took

        for _ in range(20):  # warm-up
            health(), listing(), search()
        times: dict[str, list[float]] = {"health": [], "listing": [], "deep": [], "search": []}
        load_before = os.getloadavg()
        for _ in range(args.requests):
            times["health"].append(health())
            times["listing"].append(listing())
            times["deep"].append(deep())
            times["search"].append(search())
        h50, h95 = percentile(times["health"], 0.5), percentile(times["health"], 0.95)
        print(f"data: {args.shops} shops, {args.products} products; {args.requests} requests each")
        print(f"GET /api/v1/health            p50 {h50 * 1000:7.2f} ms  p95 {h95 * 1000:7.2f} ms")
        for kind in ("listing", "deep", "search"):
            p50, p95 = percentile(times[kind], 0.5), percentile(times[kind], 0.95)
            print(
                f"GET products ({kind:7})       p50 {p50 * 1000:7.2f} ms  p95 {p95 * 1000:7.2f} ms"
                f"  ratio p95 {p95 / h95:.2f}"
            )

        reset = subprocess.run(
            [sys.executable, __file__, "--scarce", "reset"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        ids = json.loads(reset.stdout.strip().splitlines()[-1])
        outcomes: dict[int, int] = {}
        lock = threading.Lock()
        barrier = threading.Barrier(args.buyers)

        def buyer(n: int) -> None:
            own = Client(port)
            local = random.Random(n)
            remaining = list(ids)
            barrier.wait()
            while remaining:
                product = local.choice(remaining)
                body = {
                    "items": [{"product": product, "quantity": 1}],
                    "name": f"Buyer {n}",
                    "email": f"buyer{n}@example.org",
                }
                status, _took, _content = own.request(
                    "POST", f"/api/v1/market/towns/{TOWN}/orders", body
                )
                with lock:
                    outcomes[status] = outcomes.get(status, 0) + 1
                if status == 409:
                    remaining.remove(product)

        threads = [threading.Thread(target=buyer, args=(n,)) for n in range(args.buyers)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        report = subprocess.run(
            [sys.executable, __file__, "--scarce", "report"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        sold = json.loads(report.stdout.strip().splitlines()[-1])
        handled = sum(outcomes.values())
        print(
            f"checkout: {args.buyers} buyers for {sold['units']} last units of {SCARCE} products: "
            f"{handled} requests in {elapsed:.2f} s = {handled / elapsed:.1f} req/s, "
            f"{outcomes.get(201, 0) / elapsed:.1f} orders/s; answers {dict(sorted(outcomes.items()))}"
        )
        print(
            f"sold {sold['sold']} of {sold['units']} units, {sold['left']} left, "
            f"oversold {max(0, sold['sold'] - sold['units'])}"
        )
        load_after = os.getloadavg()
        print(f"server log: {workdir / 'server.log'}")
        print(
            "load average (1/5/15 min): "
            f"before {' '.join(f'{x:.2f}' for x in load_before)}, "
            f"after {' '.join(f'{x:.2f}' for x in load_after)}"
        )
        return 0 if sold["sold"] <= sold["units"] and outcomes.get(500, 0) == 0 else 1
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
