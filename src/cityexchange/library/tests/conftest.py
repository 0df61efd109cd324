"""A small four-language corpus shared by the library's tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cityexchange.core.models import Concept
from cityexchange.library.models import Resource
from cityexchange.library.services import resource_create

CORPUS: list[dict[str, Any]] = [
    {
        "slug": "smart-water-tartu",
        "kind": "good_practice",
        "title": {"en": "Sensor-based smart water management in Tartu"},
        "summary": {"en": "How Tartu uses sensors and AI to manage its water network."},
        "body": "The city installed sensors in the water network. Leak detection and "
        "water management run on an open data platform shared with two Irish cities.",
        "languages": ["en"],
        "countries": ["EE"],
        "published_on": dt.date(2024, 5, 2),
        "topics": ["water-management", "sensors"],
    },
    {
        "slug": "digitale-zwillinge-kommunen",
        "kind": "study",
        "title": {
            "de": "Digitale Zwillinge für Kommunen",
            "en": "Digital twins for municipalities",
        },
        "summary": {"de": "Eine Studie über digitale Zwillinge in kleinen Städten."},
        "body": "Digitale Zwillinge helfen Kommunen, Hochwasser und Verkehr zu simulieren. "
        "Die Plattformen verbinden Geodaten mit Sensoren.",
        "languages": ["de"],
        "countries": ["DE"],
        "published_on": dt.date(2023, 11, 20),
        "topics": ["digital-twin"],
    },
    {
        "slug": "participacion-ciudadana",
        "kind": "guideline",
        "title": {
            "es": "Guía de participación ciudadana digital",
            "en": "Guide to digital citizen participation",
        },
        "summary": {
            "es": "Cómo los municipios involucran a la ciudadanía con plataformas digitales."
        },
        "body": "La participación ciudadana mejora cuando los municipios abren sus datos.",
        "languages": ["es"],
        "countries": ["MX", "PE"],
        "published_on": dt.date(2022, 3, 1),
        "topics": ["citizen-participation"],
    },
    {
        "slug": "plataforma-dados-urbanos",
        "kind": "tool",
        "title": {"pt": "Plataforma de dados urbanos", "en": "Urban data platform"},
        "summary": {"pt": "Uma plataforma aberta para integrar dados da cidade."},
        "body": "A plataforma reúne dados de mobilidade, energia e água em um só lugar.",
        "languages": ["pt"],
        "countries": ["BR"],
        "published_on": dt.date(2024, 1, 15),
        "topics": ["urban-data-platform"],
    },
    {
        "slug": "cyber-security-handbook",
        "kind": "guideline",
        "title": {"en": "Cyber security handbook for small municipalities"},
        "summary": {"en": "Practical steps against ransomware and phishing attacks."},
        "body": "Small towns protect their administration with backups and training.",
        "languages": ["en"],
        "countries": ["DE"],
        "published_on": dt.date(2023, 6, 30),
        "topics": ["cyber-security"],
    },
    {
        "slug": "members-heat-planning",
        "kind": "presentation",
        "title": {"en": "Municipal heat planning in practice"},
        "summary": {"en": "Slides from an advisory session on heat planning."},
        "body": "Heat planning for district heating networks.",
        "languages": ["en"],
        "countries": ["DE"],
        "published_on": dt.date(2024, 2, 10),
        "topics": ["heat-planning"],
        "visibility": "members",
    },
]


def make_resource(spec: dict[str, Any], *, status: str = "published", **extra: Any) -> Resource:
    spec = {**spec, **extra}
    keys = spec.pop("topics", [])
    topics = list(Concept.objects.filter(key__in=keys))
    return resource_create(actor=None, status=spec.pop("status", status), topics=topics, **spec)


@pytest.fixture
def corpus(thesaurus: None) -> dict[str, Resource]:
    return {spec["slug"]: make_resource(dict(spec)) for spec in CORPUS}
