"""Outside a test transaction: the mail of a registration that committed on its own."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail

from cityexchange.core import mail as core_mail
from cityexchange.events.models import Registration
from cityexchange.events.tests.factories import EventFactory
from cityexchange.events.tests.test_api import payload

pytestmark = pytest.mark.django_db(transaction=True)


def _register(client, event, **overrides):
    return client.post(
        f"/api/v1/events/{event.slug}/registrations",
        payload(**overrides),
        content_type="application/json",
    )


def _link(body):
    return re.search(r"https?://\S+/registration/\S+/", body).group(0)


def test_the_confirmation_carries_a_personal_link_that_opens_only_its_registration(client):
    event = EventFactory(capacity_online=1, join_url="https://meet.example/room-7")
    first = _register(client, event, language="es")
    second = _register(client, event, email="ana@lima.example", language="pt")
    assert first.status_code == second.status_code == 202
    assert [m.to for m in mail.outbox] == [["rahul@pune.example"], ["ana@lima.example"]]
    confirmed, waiting = mail.outbox
    rahul = client.get(urlsplit(_link(confirmed.body)).path)
    ana = client.get(urlsplit(_link(waiting.body)).path)
    assert rahul.status_code == ana.status_code == 200
    assert "rahul@pune.example" in rahul.content.decode()
    assert "ana@lima.example" in ana.content.decode()
    # The join link only for the confirmed seat, in the text and in the .ics.
    assert "meet.example/room-7" in confirmed.body
    assert "meet.example/room-7" not in waiting.body
    assert [a[0] for a in confirmed.attachments] == [f"{event.slug}.ics"]


def test_a_mail_server_that_is_down_does_not_undo_or_fail_the_registration(client, monkeypatch):
    def refuse(message):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(core_mail.EmailMultiAlternatives, "send", refuse)
    event = EventFactory(capacity_online=5)
    answer = _register(client, event)
    assert answer.status_code == 202, answer.content
    assert Registration.objects.get(event=event, email="rahul@pune.example").status == "confirmed"
