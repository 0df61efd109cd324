"""Audit log and mail: state changes are recorded, mail leaves only after commit."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from cityexchange.core.mail import Message, send_after_commit
from cityexchange.core.models import AuditEntry
from cityexchange.core.services import audit_record, snapshot, user_create, user_role_grant
from cityexchange.core.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_creating_a_user_is_audited_with_its_actor(staff: Any) -> None:
    user = user_create(email="New@Town.example", roles=["municipal_member"], actor=staff)
    assert user.email == "new@town.example"
    entry = AuditEntry.objects.filter(action="user.create").get(object_id=str(user.pk))
    assert entry.actor == staff
    # The log says an account with these roles was made, not whose it is.
    assert entry.after == {"email": "[personal data]", "roles": ["municipal_member"]}
    assert "town.example" not in entry.object_repr


def test_an_update_keeps_only_the_fields_that_changed(staff: Any) -> None:
    town = OrganisationFactory(population=8000)
    before = snapshot(town)
    town.population = 8200
    town.save()
    entry = audit_record(
        actor=staff, action="organisation.update", obj=town, before=before, after=snapshot(town)
    )
    assert entry.before == {"population": 8000}
    assert entry.after == {"population": 8200}


def test_staff_role_grants_back_office_access(db: Any) -> None:
    user = user_create(email="team@ministry.example")
    assert not user.is_staff
    user_role_grant(user=user, role="network_staff")
    user.refresh_from_db()
    assert user.is_staff


def test_an_unknown_role_is_refused(db: Any) -> None:
    user = user_create(email="x@y.example")
    with pytest.raises(ValueError, match="Unknown role 'wizard'"):
        user_role_grant(user=user, role="wizard")


def test_mail_leaves_only_after_the_transaction_commits(db: Any) -> None:
    with transaction.atomic():
        send_after_commit(Message(to="a@b.example", subject="Hello", body="Body"))
        assert mail.outbox == []
    assert [m.to for m in mail.outbox] == [["a@b.example"]]


def test_no_mail_for_a_rolled_back_change(db: Any) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        send_after_commit(Message(to="a@b.example", subject="Hello", body="Body"))
        raise RuntimeError("the change failed")
    assert mail.outbox == []


def test_back_office_changes_land_in_the_audit_log(client: Any, db: Any) -> None:
    from cityexchange.core.tests.factories import UserFactory

    admin = UserFactory(email="root@network.example", is_staff=True, is_superuser=True)
    town = OrganisationFactory(population=8000)
    client.force_login(admin)
    response = client.post(
        f"/en/admin/core/organisation/{town.pk}/change/",
        {
            "slug": town.slug,
            "name_en": town.name_en,
            "name_de": "",
            "name_es": "",
            "name_pt": "",
            "description_en": "",
            "description_de": "",
            "description_es": "",
            "description_pt": "",
            "kind": "municipality",
            "country": "DE",
            "population": 8100,
            "experience": "newcomer",
            "member_countries": "[]",
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="organisation.update", object_id=str(town.pk))
    assert entry.actor == admin
    assert entry.before == {"population": 8000}
    assert entry.after == {"population": 8100}


def test_an_audited_update_saves_and_records_exactly_the_fields_that_changed(
    staff: Any,
) -> None:
    from cityexchange.core.models import Organisation
    from cityexchange.core.services import audited_update

    town = OrganisationFactory(population=8000, name="Leiria")
    entry = audited_update(
        town, actor=staff, action="organisation.update", population=8200, name="Leiria"
    )
    assert entry is not None and entry.actor == staff
    assert (entry.before, entry.after) == ({"population": 8000}, {"population": 8200})
    assert Organisation.objects.get(pk=town.pk).population == 8200


def test_an_audited_update_that_changes_nothing_writes_nothing(staff: Any) -> None:
    from cityexchange.core.models import Organisation
    from cityexchange.core.services import audited_update

    town = OrganisationFactory(population=8000)
    # Someone else changes the row meanwhile; our no-op must not write our old copy back.
    Organisation.objects.filter(pk=town.pk).update(name="Renamed elsewhere")
    assert audited_update(town, actor=staff, action="organisation.update", population=8000) is None
    assert Organisation.objects.get(pk=town.pk).name == "Renamed elsewhere"
    assert not AuditEntry.objects.filter(action="organisation.update").exists()


def test_an_audited_update_of_values_a_form_already_set_reads_the_old_ones(staff: Any) -> None:
    from cityexchange.core.models import Organisation
    from cityexchange.core.services import audited_update

    town = OrganisationFactory(population=8000)
    town.population = 9000  # as a back-office form leaves it
    entry = audited_update(
        town, actor=staff, action="organisation.update", fields=["population", "name"]
    )
    assert entry is not None
    assert (entry.before, entry.after) == ({"population": 8000}, {"population": 9000})
    assert Organisation.objects.get(pk=town.pk).population == 9000
