"""Factories for the events models."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from cityexchange.events.models import Event, EventStatus, Format, Mode, Registration


class FormatFactory(DjangoModelFactory):
    class Meta:
        model = Format
        django_get_or_create = ("slug",)

    slug = "global-mixer"
    name = "ISCN Global Mixer"
    name_en = "ISCN Global Mixer"
    default_duration_minutes = 30
    mode = Mode.ONLINE


class EventFactory(DjangoModelFactory):
    class Meta:
        model = Event

    slug = factory.Sequence(lambda n: f"event-{n}")
    format = factory.SubFactory(FormatFactory)
    title = factory.Sequence(lambda n: f"Event {n}")
    title_en = factory.SelfAttribute("title")
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    duration_minutes = 30
    mode = Mode.ONLINE
    status = EventStatus.PUBLISHED
    join_url = "https://meet.example.org/secret-room"
    capacity_online = 3
    interpretation_languages = ["es", "pt"]


class RegistrationFactory(DjangoModelFactory):
    """A registration written directly, bypassing the seat decision (for fixtures)."""

    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Participant {n}")
    email = factory.Sequence(lambda n: f"p{n}@example.org")
    privacy_notice_version = "2025-01"
    consented_at = factory.LazyFunction(timezone.now)
    status = "confirmed"


def registration_data(**overrides: Any) -> Any:
    from cityexchange.events.services import RegistrationData, privacy_notice_version

    values: dict[str, Any] = {
        "name": "Ana Souza",
        "email": "ana@recife.example",
        "privacy_consent": True,
        "privacy_notice_version": privacy_notice_version(),
        "country": "BR",
        "language": "pt",
    }
    values.update(overrides)
    return RegistrationData(**values)
