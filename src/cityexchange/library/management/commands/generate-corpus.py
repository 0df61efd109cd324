"""``cityexchange generate-corpus --size N``: a synthetic four-language corpus for benchmarks.

Resources are marked ``is_demo`` with slugs ``synthetic-<n>`` and can be removed
with ``--clear``. Words come from the thesaurus labels of all four languages and
a small everyday vocabulary, so queries meet realistic stems and concepts.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from cityexchange.core.models import Concept, ConceptLabel
from cityexchange.library.models import Resource, ResourceKind
from cityexchange.library.progress import ProgressBar
from cityexchange.library.services import index_rebuild

FILLER = {
    "en": "city council project residents data service pilot results network planning budget "
    "team experience lessons learned municipality district public administration",
    "de": "Stadt Gemeinderat Projekt Bürgerinnen Daten Dienst Pilot Ergebnisse Netzwerk Planung "
    "Haushalt Team Erfahrungen Kommune Quartier Verwaltung",
    "es": "ciudad concejo proyecto vecinos datos servicio piloto resultados red planificación "
    "presupuesto equipo experiencia municipio barrio administración",
    "pt": "cidade câmara projeto moradores dados serviço piloto resultados rede planejamento "
    "orçamento equipe experiência município bairro administração",
}
COUNTRIES = ["DE", "BR", "IN", "MX", "PE", "EE", "ES", "PT", "FR", "IT", "US", "CO"]


class Command(BaseCommand):
    help = "Generate a synthetic multilingual corpus of library resources (for benchmarks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", type=int, default=10000)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--clear", action="store_true", help="Remove earlier synthetic ones.")

    def handle(self, *args: Any, size: int, seed: int, clear: bool, **options: Any) -> None:
        rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
        concepts = list(Concept.objects.all())
        if not concepts:
            self.stderr.write("Load the thesaurus first: cityexchange seed")
            return
        labels: dict[str, list[tuple[int, str]]] = {lang: [] for lang in FILLER}
        for concept_id, language, text in ConceptLabel.objects.values_list(
            "concept_id", "language", "text"
        ):
            labels[language].append((concept_id, text))
        if clear:
            Resource.objects.filter(slug__startswith="synthetic-").delete()
        start = Resource.objects.filter(slug__startswith="synthetic-").count()
        kinds = ResourceKind.values
        through: Any = Resource.topics.through
        bar = ProgressBar(size, label="generating", stream=self.stderr._out)  # type: ignore[arg-type]  # the raw stream: no newline added
        started = time.monotonic()
        # Plain executemany over every concrete column: the ORM's bulk_create spends
        # most of its time compiling SQL for small batches, which matters at 100,000.
        fields = [f for f in Resource._meta.concrete_fields if not f.primary_key]
        columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        insert = f"INSERT INTO {Resource._meta.db_table} ({columns}) VALUES ({marks})"  # noqa: S608
        defaults = {f.attname: f.get_default() for f in fields}
        now = timezone.now()
        batch = 2000
        for offset in range(0, size, batch):
            rows: list[list[Any]] = []
            topic_links: dict[str, list[int]] = {}
            for n in range(offset, min(size, offset + batch)):
                language = rng.choice(["en", "en", "en", "de", "es", "pt"])
                picked = rng.sample(labels[language], 3)
                filler = FILLER[language].split()
                title = f"{picked[0][1]} {rng.choice(filler)} {n + start}"
                summary = " ".join(
                    [picked[1][1], *rng.sample(filler, 6), picked[2][1], *rng.sample(filler, 4)]
                )
                body = " ".join(
                    rng.choice(filler) if rng.random() < 0.8 else rng.choice(labels[language])[1]
                    for _ in range(60)
                )
                values = {
                    **defaults,
                    "slug": f"synthetic-{n + start}",
                    "kind": rng.choice(kinds),
                    "body": body,
                    "languages": [language],
                    "countries": [rng.choice(COUNTRIES)],
                    "published_on": dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3650)),
                    "status": "published",
                    "visibility": "public" if rng.random() < 0.9 else "members",
                    "is_demo": True,
                    "title": title,
                    "summary": summary,
                    f"title_{language}": title,
                    f"summary_{language}": summary,
                    "created_at": now,
                    "updated_at": now,
                }
                if language != "en":
                    values["title_en"] = title
                rows.append([f.get_db_prep_save(values[f.attname], connection) for f in fields])
                topic_links[values["slug"]] = [picked[0][0], picked[1][0]]
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(insert, rows)
                ids = dict(
                    Resource.objects.filter(slug__in=list(topic_links)).values_list("slug", "pk")
                )
                through.objects.bulk_create(
                    [
                        through(resource_id=ids[slug], concept_id=concept_id)
                        for slug, concept_ids in topic_links.items()
                        for concept_id in set(concept_ids)
                    ],
                    batch_size=5000,
                )
            bar.update(min(size, offset + batch))
        self.stdout.write(f"generated {size} resources in {time.monotonic() - started:.1f}s")
        index_bar = ProgressBar(1, label="indexing", stream=self.stderr._out)  # type: ignore[arg-type]  # the raw stream: no newline added
        started = time.monotonic()
        count = index_rebuild(batch_size=1000, progress=index_bar.update)
        self.stdout.write(f"index built for {count} resources in {time.monotonic() - started:.1f}s")
