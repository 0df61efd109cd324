"""Subscribers of a consultation's topics learn through the library digest that it opened:
once per opening, in their language and time zone, with a link."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from cityexchange.consultations.tests.conftest import make_consultation
from cityexchange.core.models import Concept
from cityexchange.library.digests import send_due_digests
from cityexchange.library.services import subscription_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_topic(db: Any) -> Concept:
    return Concept.objects.create(key="open-data", label="Open data", label_pt="Dados abertos")


def _send(capture: Any, now: dt.datetime) -> list[Any]:
    before = len(mail.outbox)
    with capture(execute=True):
        send_due_digests(now=now)
    return mail.outbox[before:]


def test_a_subscriber_of_its_topic_is_told_once_in_their_language_with_a_link(
    organiser: Any, member: Any, data_topic: Concept, django_capture_on_commit_callbacks: Any
) -> None:
    member.timezone = "America/Sao_Paulo"
    member.save(update_fields=["timezone"])
    subscription_save(user=member, topics=[data_topic], kinds=[], language="pt")
    now = timezone.now()
    consultation = make_consultation(
        organiser,
        title="Draft guidelines",
        translations={"title_pt": "Diretrizes em consulta"},
        opens_at=now - dt.timedelta(days=2),
        closes_at=dt.datetime(2099, 3, 1, 15, 0, tzinfo=dt.UTC),
    )
    consultation.topics.add(data_topic)

    (message,) = _send(django_capture_on_commit_callbacks, now)
    assert message.to == [member.email]
    # Nothing new in the library itself: the subject does not promise it.
    assert message.subject == "Seu boletim da biblioteca: novidades sobre os seus temas"
    assert "Consultas abertas a comentários sobre seus temas:" in message.body
    assert "Diretrizes em consulta" in message.body
    assert "/pt/consultations/draft-guidelines/" in message.body
    # The deadline in Portuguese and in the subscriber's zone (15:00 UTC is 12:00 there).
    assert "aberta a comentários até 1 de março de 2099 às 12:00" in message.body, message.body

    # The next weekly digest does not tell it again.
    assert not _send(django_capture_on_commit_callbacks, now + dt.timedelta(days=7))


def test_consultations_on_other_topics_or_not_open_or_restricted_are_not_told(
    organiser: Any,
    member: Any,
    municipality: Any,
    data_topic: Concept,
    django_capture_on_commit_callbacks: Any,
) -> None:
    other = Concept.objects.create(key="mobility", label="Mobility")
    subscription_save(user=member, topics=[data_topic], kinds=[], language="en")
    now = timezone.now()
    make_consultation(organiser, slug="other-topic").topics.add(other)
    make_consultation(
        organiser,
        slug="announced",
        announced_at=now - dt.timedelta(days=1),
        opens_at=now + dt.timedelta(days=3),
        closes_at=now + dt.timedelta(days=20),
    ).topics.add(data_topic)
    make_consultation(organiser, slug="unpublished", is_published=False).topics.add(data_topic)
    make_consultation(organiser, slug="members-only", audience="members").topics.add(data_topic)
    make_consultation(
        organiser, slug="opened-long-ago", opens_at=now - dt.timedelta(days=30)
    ).topics.add(data_topic)
    assert not _send(django_capture_on_commit_callbacks, now)

    # Once the announced one opens, the next digest tells it; a member of a chosen
    # organisation hears of a members-only consultation.
    restricted = make_consultation(
        organiser,
        slug="among-members",
        audience="members",
        opens_at=now + dt.timedelta(days=2),
        closes_at=now + dt.timedelta(days=20),
        announced_at=now,
    )
    restricted.topics.add(data_topic)
    restricted.member_organisations.add(municipality)
    (message,) = _send(django_capture_on_commit_callbacks, now + dt.timedelta(days=7))
    assert "/en/consultations/announced/" in message.body
    assert "/en/consultations/among-members/" in message.body
    for slug in ("other-topic", "unpublished", "members-only", "opened-long-ago"):
        assert f"/consultations/{slug}/" not in message.body
