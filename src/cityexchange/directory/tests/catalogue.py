"""The small test catalogue, for tests that need it outside a rolled-back transaction."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def load_test_catalogue() -> None:
    """The fixture thesaurus, three organisers and the fixture offers, as the seed loads them."""
    from cityexchange.core.models import OrganisationKind
    from cityexchange.core.seeding import load_thesaurus
    from cityexchange.core.tests.factories import OrganisationFactory
    from cityexchange.directory.seeding import load_offers

    load_thesaurus(FIXTURES / "thesaurus.yaml")
    for slug in ("test-network", "test-eu", "test-un"):
        OrganisationFactory(
            slug=slug,
            name=slug,
            kind=OrganisationKind.NETWORK,
            population=None,
            member_countries=["BR", "DE", "IN", "MX", "PE"],
        )
    load_offers(FIXTURES / "offers.yaml")
