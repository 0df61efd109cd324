"""Forwarding by need in a real browser: staff open a resource, see which municipalities
it suits and why, tick one and an expert, and the expert finds it on their page —
accessible (axe-core) in German and Portuguese."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from cityexchange.core.tests.browser import (
    assert_accessible,
    follow,
    signed_in_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_ratelimit(settings: Any) -> None:
    settings.RATELIMIT_ENABLE = False


@pytest.mark.parametrize(
    ("language", "link", "reason", "gap", "personal"),
    [
        (
            "de",
            "Nach Bedarf weiterleiten",
            "ein Mitglied hat Urbane Datenplattform abonniert",
            "Selbsteinschätzung: Daten und Interoperabilität mit 1 von 4 bewertet",
            "Für Sie persönlich",
        ),
        (
            "pt",
            "Encaminhar conforme a necessidade",
            "um membro assina Plataforma urbana de dados",
            "autoavaliação: Dados e interoperabilidade obteve 1 de 4",
            "Para você pessoalmente",
        ),
    ],
)
def test_staff_forward_a_resource_by_need_and_the_expert_finds_it(
    browser: Any,
    live_server: Any,
    thesaurus: None,
    staff: Any,
    member: Any,
    municipality: Any,
    language: str,
    link: str,
    reason: str,
    gap: str,
    personal: str,
) -> None:
    from cityexchange.assessments.loading import load_model
    from cityexchange.assessments.models import Assessment
    from cityexchange.core.models import Concept
    from cityexchange.core.roles import Role
    from cityexchange.core.tests.factories import UserFactory
    from cityexchange.library.models import Forwarding, Subscription
    from cityexchange.library.services import resource_create

    platform = Concept.objects.filter(key="urban-data-platform")
    resource = resource_create(
        actor=None,
        status="published",
        slug="plataforma-dados-urbanos",
        kind="tool",
        title={"pt": "Plataforma de dados urbanos", "de": "Urbane Datenplattform (Werkzeug)"},
        summary={"pt": "Uma plataforma aberta para integrar dados da cidade."},
        body="A plataforma reúne dados de mobilidade, energia e água.",
        languages=["pt"],
        countries=["BR"],
        topics=list(platform),
    )
    Subscription.objects.create(user=member).topics.set(platform)
    model, _what = load_model()
    Assessment.objects.create(
        organisation=municipality,
        maturity_model=model,
        status="submitted",
        submitted_at=timezone.now(),
        dimension_scores={"data-interoperability": 1.0},
    )
    expert = UserFactory(
        email="expert@research.example",
        full_name="Ana Souza",
        language=language,
        roles=[Role.EXPERT],
    )
    # She may be sent resources personally because she subscribed to the digest.
    Subscription.objects.create(user=expert).topics.set(platform)

    base = live_server.url
    page = signed_in_page(browser, base, staff)
    with translation.override(language):
        resource_path = resource.get_absolute_url()
        forwarded_path = reverse("library:forwarded")
    page.goto(f"{base}{resource_path}")
    follow(page.get_by_role("link", name=link))
    assert page.get_by_role("heading", level=1, name=link).count() == 1
    suggested = page.locator("fieldset").first
    assert reason in suggested.inner_text()
    assert gap in suggested.inner_text()
    assert_accessible(page, f"library-forward-{language}")

    page.get_by_role("checkbox", name="Lindenau").check()
    page.get_by_label("Weitere Personen" if language == "de" else "Outras pessoas").fill(
        "expert@research.example"
    )
    page.locator("textarea[name=note]").fill("Bitte ansehen / Veja, por favor")
    follow(page.locator("form.forward-form button[type=submit]"))
    assert "/forward/" not in page.url
    assert Forwarding.objects.filter(organisation=municipality).count() == 1
    assert Forwarding.objects.filter(recipient=expert).count() == 1
    # Nothing personal went into an address.
    assert "@" not in page.url
    page.context.close()

    page = signed_in_page(browser, base, expert)
    page.goto(f"{base}{forwarded_path}")
    text = page.locator("main").inner_text()
    assert personal in text and "Bitte ansehen" in text
    assert_accessible(page, f"library-forwarded-{language}")
    page.context.close()
