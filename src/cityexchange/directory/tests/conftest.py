"""Fixtures of the directory's tests: a small catalogue loaded like the shipped one."""

from __future__ import annotations

from typing import Any

import pytest

from cityexchange.directory.tests.catalogue import FIXTURES


@pytest.fixture
def thesaurus(db: Any) -> None:
    """A snapshot of the shipped thesaurus, so these tests do not move when it is edited."""
    from cityexchange.core.seeding import load_thesaurus

    load_thesaurus(FIXTURES / "thesaurus.yaml")


@pytest.fixture
def organisers(db: Any) -> dict[str, Any]:
    from cityexchange.core.models import OrganisationKind
    from cityexchange.core.tests.factories import OrganisationFactory

    return {
        "test-network": OrganisationFactory(
            slug="test-network",
            name="Test network",
            kind=OrganisationKind.NETWORK,
            population=None,
            member_countries=["BR", "DE", "IN", "MX", "PE"],
        ),
        "test-eu": OrganisationFactory(
            slug="test-eu",
            name="Test EU body",
            kind=OrganisationKind.INTERNATIONAL,
            population=None,
        ),
        "test-un": OrganisationFactory(
            slug="test-un",
            name="Test UN body",
            kind=OrganisationKind.INTERNATIONAL,
            population=None,
        ),
    }


@pytest.fixture
def catalogue(thesaurus: None, organisers: dict[str, Any]) -> None:
    from cityexchange.directory.seeding import load_offers

    load_offers(FIXTURES / "offers.yaml")


@pytest.fixture
def network_membership(catalogue: None) -> Any:
    """A membership network run by the organiser of the members-only advice."""
    from cityexchange.core.models import Organisation
    from cityexchange.directory.models import Offer
    from cityexchange.directory.services import directory_changed

    offer = Offer.objects.create(
        slug="test-network-membership",
        kind="membership_network",
        name_en="Test network membership",
        name_de="Mitgliedschaft im Testnetzwerk",
        summary_en="Membership in the test network: advice on digital twins for members",
        eligibility="members",
        eligible_countries=["BR", "DE", "IN", "MX", "PE"],
        languages=["en"],
        format="online",
        effort="medium",
        goals=["peer_exchange", "expert_advice"],
    )
    offer.organisers.add(Organisation.objects.get(slug="test-network"))
    directory_changed()  # written past the services, so announced by hand
    return offer
