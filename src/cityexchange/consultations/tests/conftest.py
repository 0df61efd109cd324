"""Fixtures of the consultations tests: an open consultation with a published document,
and the people who matter here: author, member, outsider, moderator and staff."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from cityexchange.consultations import importing, services
from cityexchange.consultations.models import Consultation

DOCUMENT = """
# Purpose

Towns make digital services serve the people who live in them.

Nobody is left without a non-digital way to reach the administration.

# Data

Data collected in public space is kept only as long as its purpose needs.

Open data is published with a clear licence.
"""


@pytest.fixture(autouse=True)
def _no_ratelimit(settings: Any) -> None:
    """Rate limits are tested on purpose where they matter; elsewhere they get in the way."""
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def organiser(db: Any) -> Any:
    from cityexchange.core.tests.factories import OrganisationFactory

    return OrganisationFactory(name="Hafenberg", name_en="Hafenberg", country="DE")


@pytest.fixture
def moderator(organiser: Any) -> Any:
    """An administrator of the organising organisation: moderates its consultations."""
    from cityexchange.core.roles import Role
    from cityexchange.core.services import membership_add
    from cityexchange.core.tests.factories import UserFactory

    user = UserFactory(email="moderator@hafenberg.example", roles=[Role.MUNICIPAL_MEMBER])
    membership_add(user=user, organisation=organiser, role="admin")
    return user


@pytest.fixture
def author(db: Any) -> Any:
    """A participant from Peru who writes comments."""
    from cityexchange.core.roles import Role
    from cityexchange.core.services import membership_add
    from cityexchange.core.tests.factories import OrganisationFactory, UserFactory

    user = UserFactory(
        email="author@villa.example", full_name="Ana Autora", roles=[Role.MUNICIPAL_MEMBER]
    )
    user.language, user.timezone = "es", "America/Lima"
    user.save(update_fields=["language", "timezone"])
    membership_add(user=user, organisation=OrganisationFactory(name="Villa del Sol", country="PE"))
    return user


def make_consultation(organiser: Any, **kwargs: Any) -> Consultation:
    now = timezone.now()
    values: dict[str, Any] = {
        "actor": None,
        "slug": "draft-guidelines",
        "organiser": organiser,
        "title": "Draft guidelines",
        "opens_at": now - dt.timedelta(days=5),
        "closes_at": now + dt.timedelta(days=10),
    }
    values.update(kwargs)
    consultation = services.consultation_create(**values)
    version = services.version_import(
        consultation=consultation,
        actor=None,
        sections=importing.parse_markdown(DOCUMENT),
        source_format="markdown",
    )
    services.version_publish(version=version, actor=None)
    return consultation


@pytest.fixture
def consultation(organiser: Any) -> Consultation:
    return make_consultation(organiser)


@pytest.fixture
def restricted(organiser: Any, municipality: Any) -> Consultation:
    """Among members: the organiser's and Lindenau's people only."""
    consultation = make_consultation(organiser, slug="members-only", audience="members")
    consultation.member_organisations.add(municipality)
    return consultation


def current(consultation: Consultation) -> Any:
    """The published version (every consultation of these tests has one)."""
    version = services.current_version(consultation)
    assert version is not None
    return version


def paragraph(consultation: Consultation, number: int) -> Any:
    return current(consultation).paragraphs.get(number=number)


@pytest.fixture
def comment(consultation: Consultation, author: Any) -> Any:
    return services.comment_create(
        consultation=consultation,
        author=author,
        text="Please name who decides the purpose.",
        language="en",
        target="paragraph",
        paragraph=paragraph(consultation, 3),
    )
