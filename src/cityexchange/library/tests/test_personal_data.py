"""A person's library data: in their export, and gone (or no longer theirs) after erasure."""

from __future__ import annotations

from typing import Any

import pytest

from cityexchange.core.models import Concept
from cityexchange.core.services import user_erase, user_personal_data
from cityexchange.library.models import Forwarding, Subscription

pytestmark = pytest.mark.django_db


def test_subscription_and_forwardings_are_exported_and_erased(
    corpus: dict, member: Any, staff: Any, municipality: Any
) -> None:
    subscription = Subscription.objects.create(user=member, kinds=["study"], frequency="monthly")
    subscription.topics.set(Concept.objects.filter(key="water-management"))
    resource = corpus["smart-water-tartu"]
    Forwarding.objects.create(
        resource=resource, organisation=municipality, note="For your water plan", sent_by=staff
    )

    member_data = user_personal_data(user=member)["library"]
    assert member_data["subscription"]["topics"] == ["water-management"]
    assert member_data["subscription"]["frequency"] == "monthly"
    staff_data = user_personal_data(user=staff)["library"]
    assert staff_data["forwarded"][0]["resource"] == "smart-water-tartu"
    assert staff_data["forwarded"][0]["note"] == "For your water plan"

    user_erase(user=member)
    user_erase(user=staff)

    assert not Subscription.objects.filter(user=member).exists()
    forwarding = Forwarding.objects.get(resource=resource)
    # The municipality keeps what it received, no longer linked to who sent it.
    assert forwarding.sent_by is None
    assert user_personal_data(user=staff)["library"]["forwarded"] == []
