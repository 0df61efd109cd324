"""Forwarding by need: staff see which municipalities a resource suits and why, and may
send it to municipalities and to individual experts who may be contacted."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from cityexchange.assessments.loading import load_model
from cityexchange.assessments.models import Assessment, AssessmentStatus
from cityexchange.core.models import AuditEntry, Concept, Person
from cityexchange.core.roles import Role
from cityexchange.core.services import user_erase, user_personal_data
from cityexchange.core.tests.factories import OrganisationFactory, UserFactory
from cityexchange.directory.models import MunicipalityProfile
from cityexchange.library.models import Forwarding, Subscription
from cityexchange.library.selectors import forwarding_suggestions
from cityexchange.library.services import resource_forward

pytestmark = pytest.mark.django_db

DATA_PLATFORM = "plataforma-dados-urbanos"  # topic: urban-data-platform


def url(name: str, lang: str = "en", **kwargs: object) -> str:
    with translation.override(lang):
        return reverse(name, kwargs=kwargs or None)


def forward_url(lang: str = "en") -> str:
    return url("library:forward", lang, slug=DATA_PLATFORM)


def subscribe(user: Any, *keys: str) -> Subscription:
    subscription = Subscription.objects.create(user=user, frequency="weekly")
    subscription.topics.set(Concept.objects.filter(key__in=keys))
    return subscription


@pytest.fixture
def needs(corpus: dict, municipality: Any, member: Any) -> dict[str, Any]:
    """Lindenau: the topic in its profile, a member subscribed to it, and a weak
    self-assessment in the dimension whose activities build data platforms.
    Hochdorf scored well there and wants nothing of the kind."""
    profile = MunicipalityProfile.objects.create(organisation=municipality)
    profile.topics.set(Concept.objects.filter(key="urban-data-platform"))
    subscribe(member, "urban-data-platform")
    model, _what = load_model()
    Assessment.objects.create(
        organisation=municipality,
        maturity_model=model,
        status=AssessmentStatus.SUBMITTED,
        submitted_at=timezone.now(),
        dimension_scores={"data-interoperability": 1.0, "strategy-governance": 3.0},
    )
    strong = OrganisationFactory(name="Hochdorf", name_en="Hochdorf")
    Assessment.objects.create(
        organisation=strong,
        maturity_model=model,
        status=AssessmentStatus.SUBMITTED,
        submitted_at=timezone.now(),
        dimension_scores={"data-interoperability": 3.5},
    )
    expert = UserFactory(
        email="ana@research.example", full_name="Ana Souza", language="pt", roles=[Role.EXPERT]
    )
    subscribe(expert, "urban-data-platform")
    return {"strong": strong, "expert": expert}


def test_staff_see_the_municipalities_a_resource_suits_and_why(
    client: Client, needs: dict, staff: Any
) -> None:
    client.force_login(staff)
    page = client.get(forward_url()).content.decode()
    suggested = page[page.index("Suggested municipalities") : page.index("Other municipalities")]
    assert "Lindenau" in suggested
    assert "profile topics: Urban data platform" in suggested
    assert "a member subscribed to Urban data platform" in suggested
    assert "self-assessment: Data and interoperability scored 1 of 4" in suggested
    # Scored well, no matching profile or subscription: not suggested, but can be chosen.
    assert "Hochdorf" not in suggested
    assert "Hochdorf" in page[page.index("Other municipalities") :]
    assert "Ana Souza" in page and "subscribed to Urban data platform" in page
    assert "Self-assessment results are seen by network staff only" in page
    # No member of Lindenau is named: subscriptions count per municipality.
    assert "member@lindenau.example" not in page


def test_the_reasons_are_in_the_pages_language(client: Client, needs: dict, staff: Any) -> None:
    client.force_login(staff)
    page = client.get(forward_url("de")).content.decode()
    assert "Selbsteinschätzung: Daten und Interoperabilität mit 1 von 4 bewertet" in page
    assert "ein Mitglied hat Urbane Datenplattform abonniert" in page


def test_self_assessment_gaps_are_only_read_for_who_may_see_every_assessment(
    needs: dict, staff: Any, member: Any, corpus: dict
) -> None:
    resource = corpus[DATA_PLATFORM]
    with translation.override("en"):
        for_staff = forwarding_suggestions(resource=resource, user=staff)
        for_member = forwarding_suggestions(resource=resource, user=member)
    assert any("self-assessment" in r for r in for_staff[0].reasons)
    assert not any("self-assessment" in r for s in for_member for r in s.reasons)


def test_staff_forward_to_a_municipality_and_an_expert_each_told_in_their_language(
    client: Client,
    needs: dict,
    staff: Any,
    member: Any,
    municipality: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    expert = needs["expert"]
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            forward_url(),
            {
                "organisations": [municipality.pk],
                "experts": [expert.pk],
                "note": "For your platform",
            },
        )
    assert response.status_code == 302
    assert Forwarding.objects.filter(organisation=municipality).count() == 1
    assert Forwarding.objects.filter(recipient=expert).count() == 1
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"member@lindenau.example", "ana@research.example"}
    to_ana = by_address["ana@research.example"]
    assert to_ana.subject.startswith("Recomendado para você")
    # Ana hears from the library because of her digest: the mail says so and stops both.
    assert "Cancele a inscrição com um clique" in to_ana.body
    stop = to_ana.extra_headers["List-Unsubscribe"].strip("<>")
    assert stop in to_ana.body
    entries = AuditEntry.objects.filter(action="library.resource_forward")
    assert entries.count() == 2
    assert "ana@research.example" not in str(list(entries.values("before", "after")))
    client.force_login(expert)
    assert "For your platform" in client.get(url("library:forwarded")).content.decode()
    assert "For your platform" in client.get(url("accounts:home")).content.decode()


def test_an_expert_can_be_named_by_address_and_an_unknown_one_is_refused(
    client: Client, needs: dict, staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    hidden = UserFactory(email="hidden@example.org", full_name="Not Contactable")
    # A speaker's public profile is not consent to personal mail; a digest is.
    speaker = UserFactory(email="sam@example.org", full_name="Sam Speaker")
    Person.objects.create(name="Sam Speaker", user=speaker, public_profile=True)
    reader = UserFactory(email="pia@example.org", full_name="Pia Reader")
    subscribe(reader, "open-data")
    client.force_login(staff)
    for refused in ("hidden@example.org", "sam@example.org"):
        response = client.post(forward_url(), {"people": f"{refused}\n", "note": "x"})
        assert response.status_code == 200
        assert f"Nobody who may be contacted matches: {refused}" in response.content.decode()
    assert not Forwarding.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(forward_url(), {"people": "PIA@example.org\n\nAna Souza"})
    assert response.status_code == 302
    assert set(Forwarding.objects.values_list("recipient__email", flat=True)) == {
        "pia@example.org",
        "ana@research.example",
    }
    assert not Forwarding.objects.filter(recipient__in=[hidden, speaker]).exists()
    # The address never appears in a URL.
    assert "@" not in response["Location"]


def test_the_service_refuses_people_who_may_not_be_contacted(
    needs: dict, staff: Any, corpus: dict
) -> None:
    stranger = UserFactory(email="stranger@example.org")
    with pytest.raises(ValidationError):
        resource_forward(
            resource=corpus[DATA_PLATFORM],
            organisations=[],
            recipients=[stranger],
            note="",
            actor=staff,
        )
    with pytest.raises(ValidationError):
        resource_forward(
            resource=corpus[DATA_PLATFORM], organisations=[], recipients=[], note="", actor=staff
        )
    assert not Forwarding.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"note": "nothing chosen"},
        {"organisations": ["99999999999999999999999"]},
        {"organisations": ["abc"]},
        {"experts": ["-1"]},
        {"people": "ana\x00@research.example"},
        {"organisations": ["1"], "note": "x" * 3000},
    ],
)
def test_bad_input_is_a_form_error(
    client: Client, needs: dict, staff: Any, data: dict[str, Any]
) -> None:
    client.force_login(staff)
    response = client.post(forward_url(), data)
    # A NUL byte is refused for the whole request (400); the rest are form errors.
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert "error-summary" in response.content.decode()
    assert not Forwarding.objects.exists()


def test_members_get_404_and_visitors_are_sent_to_sign_in(
    client: Client, needs: dict, member: Any, municipality: Any
) -> None:
    response = client.get(forward_url())
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(member)
    assert client.get(forward_url()).status_code == 404
    response = client.post(forward_url(), {"organisations": [municipality.pk]})
    assert response.status_code == 404
    assert not Forwarding.objects.exists()


def test_what_was_forwarded_to_a_person_is_theirs_in_export_and_erasure(
    needs: dict, staff: Any, corpus: dict
) -> None:
    expert = needs["expert"]
    resource_forward(
        resource=corpus[DATA_PLATFORM],
        organisations=[],
        recipients=[expert],
        note="Read this",
        actor=staff,
    )
    assert user_personal_data(user=expert)["library"]["received"][0]["note"] == "Read this"
    sent = user_personal_data(user=staff)["library"]["forwarded_to_people"]
    assert sent[0]["resource"] == DATA_PLATFORM and "ana" not in str(sent)
    user_erase(user=expert)
    assert not Forwarding.objects.exists()
