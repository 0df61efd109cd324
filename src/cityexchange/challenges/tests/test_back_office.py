"""Back-office edits of rounds and their committee are audited with what changed."""

from __future__ import annotations

from typing import Any

import pytest

from cityexchange.challenges import services
from cityexchange.challenges.models import Evaluator, Round
from cityexchange.core.models import AuditEntry
from cityexchange.core.tests.adminforms import admin_form
from cityexchange.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADMIN = "/en/admin/challenges"


@pytest.fixture
def admin_client(client: Any) -> Any:
    client.force_login(UserFactory(email="root@network.example", is_staff=True, is_superuser=True))
    return client


def test_a_round_edited_in_the_back_office_is_audited_with_the_changed_fields(
    admin_client: Any, round_: Round
) -> None:
    url = f"{ADMIN}/round/{round_.pk}/change/"
    data = admin_form(admin_client.get(url).content.decode(), "round_form")
    data["max_challenges_per_city"] = "3"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    round_.refresh_from_db()
    assert round_.max_challenges_per_city == 3
    entry = AuditEntry.objects.get(action="round.update", object_id=str(round_.pk))
    assert entry.before["max_challenges_per_city"] == 2
    assert entry.after["max_challenges_per_city"] == 3


def test_appointing_an_evaluator_in_the_back_office_is_audited(
    admin_client: Any, round_: Round
) -> None:
    expert = UserFactory(email="expert@committee.example")
    url = f"{ADMIN}/round/{round_.pk}/change/"
    data = admin_form(admin_client.get(url).content.decode(), "round_form")
    data["evaluators-TOTAL_FORMS"] = "1"
    data["evaluators-0-user"] = str(expert.pk)
    data["evaluators-0-round"] = str(round_.pk)
    assert admin_client.post(url, data).status_code == 302
    evaluator = Evaluator.objects.get(round=round_, user=expert)
    entry = AuditEntry.objects.get(action="evaluator.create", object_id=str(evaluator.pk))
    assert entry.after["user_id"] == expert.pk


def test_a_round_in_the_directory_has_its_offer_updated_from_the_back_office(
    admin_client: Any, round_: Round, staff: Any
) -> None:
    offer = services.round_offer_sync(round=round_, user=staff)
    url = f"{ADMIN}/round/{round_.pk}/change/"
    data = admin_form(admin_client.get(url).content.decode(), "round_form")
    data["name_en"] = "Renamed in the back office"
    assert admin_client.post(url, data).status_code == 302
    offer.refresh_from_db()
    assert offer.name_en == "Renamed in the back office"
