"""Materials, publishing an edition's documentation into the library, and on-site check-in."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cityexchange.core.models import AuditEntry, Concept
from cityexchange.core.roles import Role
from cityexchange.core.tests.factories import UserFactory
from cityexchange.directory.models import Offer
from cityexchange.events import services
from cityexchange.events.models import Material, Mode, RegistrationStatus
from cityexchange.events.tests.factories import EventFactory, RegistrationFactory
from cityexchange.library.digests import send_due_digests
from cityexchange.library.models import Resource, ResourceKind
from cityexchange.library.services import subscription_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def heat() -> Concept:
    return Concept.objects.create(key="heatwaves", label="Heatwaves", label_de="Hitzewellen")


@pytest.fixture
def past_edition(heat: Concept) -> Any:
    event = EventFactory(
        slug="global-mixer-31",
        title="Cooling the city",
        title_en="Cooling the city",
        title_de="Die Stadt kühlen",
        starts_at=timezone.now() - dt.timedelta(days=3),
        capacity_online=10,
    )
    event.topics.set([heat])
    return event


def _add_materials(event: Any, staff: Any) -> None:
    services.material_add(
        event=event,
        kind="recording",
        title="Recording of the session",
        url="https://video.example.org/cooling",
        duration_minutes=31,
        captions_language="en",
        actor=staff,
    )
    services.material_add(
        event=event,
        kind="summary",
        title="What we learnt",
        summary="Shade, water and trees cool a street by several degrees.",
        actor=staff,
    )


def test_staff_add_a_recording_with_its_length_and_captions_and_bad_values_are_refused(
    client: Any, staff: Any, past_edition: Any
) -> None:
    client.force_login(staff)
    url = f"/en/events/{past_edition.slug}/materials/"
    answer = client.post(
        url,
        {
            "kind": "recording",
            "title": "Recording",
            "url": "https://video.example.org/x",
            "duration_minutes": "31",
            "captions_language": "pt",
        },
    )
    assert answer.status_code == 302
    material = Material.objects.get(event=past_edition)
    assert (material.duration_minutes, material.captions_language) == (31, "pt")
    assert not material.published
    for bad in ("-5", "99999999999999999999", "abc"):
        answer = client.post(
            url,
            {
                "kind": "recording",
                "title": "X",
                "url": "https://v.example/",
                "duration_minutes": bad,
            },
        )
        assert answer.status_code == 400
    # A recording without a link or a file pretends to be something it is not.
    answer = client.post(url, {"kind": "recording", "title": "X", "summary": "text"})
    assert answer.status_code == 400
    assert Material.objects.filter(event=past_edition).count() == 1
    # An upload whose content does not match its name is refused.
    fake = SimpleUploadedFile("slides.pdf", b"not a pdf", content_type="application/pdf")
    answer = client.post(url, {"kind": "slides", "title": "Slides", "file": fake})
    assert answer.status_code == 400


def test_the_materials_page_is_for_staff_only(
    client: Any, member: Any, outsider: Any, past_edition: Any
) -> None:
    url = f"/en/events/{past_edition.slug}/materials/"
    assert client.get(url).status_code == 302  # to the sign-in
    for user in (member, outsider):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "publish"}).status_code == 404
    past_edition.refresh_from_db()
    assert past_edition.documentation_published_at is None


def test_publishing_makes_the_library_page_links_both_ways_and_tells_the_participants(
    client: Any,
    staff: Any,
    past_edition: Any,
    heat: Concept,
    django_capture_on_commit_callbacks: Any,
) -> None:
    confirmed = RegistrationFactory(event=past_edition, email="ana@recife.example", language="pt")
    RegistrationFactory(event=past_edition, status=RegistrationStatus.WAITLISTED)
    RegistrationFactory(event=past_edition, status=RegistrationStatus.CANCELLED)
    _add_materials(past_edition, staff)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/en/events/{past_edition.slug}/materials/", {"action": "publish"})
    assert answer.status_code == 302
    resource = Resource.objects.get(event=past_edition)
    assert resource.kind == ResourceKind.EVENT_DOCUMENTATION
    assert (resource.status, resource.visibility) == ("published", "public")
    assert resource.title_de == "Die Stadt kühlen" and resource.languages == ["en"]
    assert list(resource.topics.values_list("key", flat=True)) == ["heatwaves"]
    assert "What we learnt" in resource.body
    assert AuditEntry.objects.filter(action="library.resource_create").exists()
    # The event page and the library page link to each other.
    event_page = client.get(f"/de/events/{past_edition.slug}/").content.decode()
    assert f'href="/de/library/r/{resource.slug}/"' in event_page
    assert "31 Minuten" in event_page and "Untertitel: Englisch" in event_page
    assert "Verdolmetschung auf Anfrage: Spanisch, Portugiesisch" in event_page
    resource_page = client.get(f"/de/library/r/{resource.slug}/").content.decode()
    assert f'href="/de/events/{past_edition.slug}/"' in resource_page
    # Only the confirmed participant is told, in their language, with the library link.
    assert [m.to for m in mail.outbox] == [[confirmed.email]]
    message = mail.outbox[0]
    assert "Documentação publicada" in message.subject
    assert f"/pt/library/r/{resource.slug}/" in message.body
    assert message.attachments == []


def test_publishing_again_updates_the_same_page_and_tells_only_about_new_material(
    staff: Any, past_edition: Any, heat: Concept, django_capture_on_commit_callbacks: Any
) -> None:
    RegistrationFactory(event=past_edition)
    # A page written by the library's editors already documents the edition.
    energy = Concept.objects.create(key="energy", label="Energy")
    edited = Resource.objects.create(
        slug="doc-cooling",
        kind=ResourceKind.EVENT_DOCUMENTATION,
        title="Cooling the city (editors' page)",
        body="Written by the editors.",
        languages=["en"],
        event=past_edition,
        status="draft",
    )
    edited.topics.set([energy])
    _add_materials(past_edition, staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.documentation_publish(event=past_edition, actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.documentation_publish(event=past_edition, actor=staff)
    assert Resource.objects.filter(event=past_edition).count() == 1
    edited.refresh_from_db()
    assert edited.status == "published" and edited.body == "Written by the editors."
    assert set(edited.topics.values_list("key", flat=True)) == {"energy", "heatwaves"}
    assert edited.announced_at is not None
    assert len(mail.outbox) == 1  # the second publication added nothing new
    services.material_add(
        event=past_edition, kind="minutes", title="Minutes", summary="x", actor=staff
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.documentation_publish(event=past_edition, actor=staff)
    assert len(mail.outbox) == 2


def test_subscribers_of_its_topics_get_the_published_documentation_in_their_digest(
    staff: Any, past_edition: Any, heat: Concept, django_capture_on_commit_callbacks: Any
) -> None:
    # An older page, made long before: publishing announces it again.
    old = Resource.objects.create(
        slug="doc-cooling",
        kind=ResourceKind.EVENT_DOCUMENTATION,
        title="Cooling the city",
        title_en="Cooling the city",
        languages=["en"],
        event=past_edition,
        status="published",
    )
    Resource.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=90))
    reader = UserFactory(email="reader@hafenberg.example", roles=[Role.MUNICIPAL_MEMBER])
    other = UserFactory(email="other@hafenberg.example", roles=[Role.MUNICIPAL_MEMBER])
    subscription_save(user=reader, topics=[heat], kinds=[], language="en")
    subscription_save(
        user=other, topics=[Concept.objects.create(key="water", label="Water")], kinds=[]
    )
    with django_capture_on_commit_callbacks(execute=True):
        send_due_digests(now=timezone.now() - dt.timedelta(days=8))
    mail.outbox.clear()
    _add_materials(past_edition, staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.documentation_publish(event=past_edition, actor=staff)
        send_due_digests()
    digests = [m for m in mail.outbox if m.to == [reader.email]]
    assert len(digests) == 1 and "Cooling the city" in digests[0].body
    assert not [m for m in mail.outbox if m.to == [other.email]]


def test_offer_pages_of_the_formats_show_their_editions_and_documentation(
    client: Any, past_edition: Any
) -> None:
    fmt = past_edition.format
    from cityexchange.network.models import ReportedFigure

    ReportedFigure.objects.create(
        key="s",
        kind="international_share",
        format=fmt,
        qualifier="more_than",
        value=60,
        unit="percent",
        countries=["BR", "IN", "EU"],
        source="Antwort zu Frage 2e",
    )
    undocumented = EventFactory(
        format=fmt,
        slug="global-mixer-32",
        title="Shade maps",
        starts_at=timezone.now() - dt.timedelta(days=1),
    )
    page = Resource.objects.create(
        slug="doc-cooling",
        kind=ResourceKind.EVENT_DOCUMENTATION,
        title="Cooling the city",
        title_de="Die Stadt kühlen",
        event=past_edition,
        status="published",
    )
    Offer.objects.create(
        slug="iscn-global-mixer",
        kind="exchange_format",
        name="ISCN Global Mixer",
        name_de="ISCN Global Mixer",
        format="online",
        effort="low",
        events_format=fmt.slug,
    )
    html = client.get("/de/offers/iscn-global-mixer/").content.decode()
    assert "Ausgaben und Dokumentation" in html
    assert f'href="/de/events/{past_edition.slug}/"' in html
    assert f'href="/de/events/{undocumented.slug}/"' in html
    assert f'href="/de/library/r/{page.slug}/"' in html
    assert "Brasilien" in html and "Indien" in html and "Europäische Union" in html
    row = re.search(r"<tr>(?:(?!</tr>).)*Shade maps.*?</tr>", html, re.S)
    assert row is not None and "noch nicht veröffentlicht" in row.group(0)


def test_check_in_marks_attendance_once_and_only_for_confirmed_seats_on_site(
    client: Any, staff: Any
) -> None:
    event = EventFactory(mode=Mode.HYBRID, capacity_onsite=5)
    confirmed = RegistrationFactory(event=event, attendance="onsite")
    waiting = RegistrationFactory(event=event, attendance="onsite", status="waitlisted")
    client.force_login(staff)
    url = f"/en/events/{event.slug}/participants/{confirmed.pk}/"
    assert client.post(url, {"action": "check_in"}).status_code == 302
    confirmed.refresh_from_db()
    first = confirmed.checked_in_at
    assert confirmed.attended and first is not None
    client.post(url, {"action": "check_in"})
    confirmed.refresh_from_db()
    assert confirmed.checked_in_at == first
    assert AuditEntry.objects.filter(action="registration.check_in").count() == 1
    client.post(f"/en/events/{event.slug}/participants/{waiting.pk}/", {"action": "check_in"})
    waiting.refresh_from_db()
    assert waiting.checked_in_at is None and not waiting.attended
    online = EventFactory(mode=Mode.ONLINE)
    person = RegistrationFactory(event=online)
    with pytest.raises(services.RegistrationError):
        services.registration_check_in(registration=person, actor=staff)


def test_check_in_is_for_staff_only(client: Any, member: Any) -> None:
    event = EventFactory(mode=Mode.HYBRID, capacity_onsite=5)
    registration = RegistrationFactory(event=event, attendance="onsite")
    client.force_login(member)
    answer = client.post(
        f"/en/events/{event.slug}/participants/{registration.pk}/", {"action": "check_in"}
    )
    assert answer.status_code == 404
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_an_offer_page_lists_its_editions_in_the_same_queries_whatever_their_number(
    client: Any,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fmt = EventFactory(starts_at=timezone.now() - dt.timedelta(days=1)).format
    Offer.objects.create(
        slug="iscn-global-mixer",
        kind="exchange_format",
        name="ISCN Global Mixer",
        format="online",
        effort="low",
        events_format=fmt.slug,
    )

    def count() -> int:
        client.get("/en/offers/iscn-global-mixer/")  # warm the process caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/en/offers/iscn-global-mixer/").status_code == 200
        return len(queries.captured_queries)

    few = count()
    for n in range(15):
        event = EventFactory(format=fmt, starts_at=timezone.now() - dt.timedelta(days=n + 2))
        Resource.objects.create(
            slug=f"doc-{n}",
            kind="event_documentation",
            title=f"Doc {n}",
            event=event,
            status="published",
        )
    assert count() == few
