"""Two reminder runs at the same moment mail each due step once; two status moves, one wins."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from cityexchange.core.models import OrganisationKind
from cityexchange.core.roles import Role
from cityexchange.core.tests.concurrency import race
from cityexchange.core.tests.factories import OrganisationFactory, UserFactory
from cityexchange.network import services
from cityexchange.network.models import NextStep, Partnership

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def _partnership() -> Partnership:
    a = OrganisationFactory(kind=OrganisationKind.NETWORK)
    b = OrganisationFactory(kind=OrganisationKind.NETWORK)
    return services.partnership_create(
        actor=None, slug="p", title="P", kind="network_exchange", organisations=[a, b]
    )


def test_two_reminder_runs_at_once_send_each_reminder_once() -> None:
    owner = UserFactory(roles=[Role.NETWORK_STAFF])
    partnership = _partnership()
    for n in range(3):
        NextStep.objects.create(
            partnership=partnership,
            description=f"Step {n}",
            owner=owner,
            due_on=dt.date(2025, 5, 2),
        )
    today = dt.date(2025, 5, 2)
    results = race([lambda: services.next_steps_remind_due(today=today)] * 2)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 3
    assert len(mail.outbox) == 3


def test_two_status_moves_at_once_only_one_applies() -> None:
    partnership = _partnership()
    day = dt.date(2025, 5, 2)
    results = race(
        [
            lambda: services.partnership_move(
                actor=None,
                partnership=Partnership.objects.get(pk=partnership.pk),
                status="initiation",
                on=day,
            )
        ]
        * 2
    )
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1, results
    assert partnership.status_changes.filter(status="initiation").count() == 1
