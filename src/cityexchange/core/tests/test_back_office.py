"""Who may do what in the back office (the Django admin) by role."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cityexchange.core.roles import Role
from cityexchange.core.services import role_groups_sync
from cityexchange.core.tests.adminforms import admin_form
from cityexchange.core.tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _signed_in(*roles: str) -> Client:
    client = Client()
    client.force_login(UserFactory(roles=list(roles)))
    return client


def test_network_staff_see_the_content_of_every_module_in_the_admin() -> None:
    page = _signed_in(Role.NETWORK_STAFF).get("/en/admin/")

    assert page.status_code == 200
    html = page.content.decode()
    for section in (
        "/en/admin/events/event/",
        "/en/admin/library/resource/",
        "/en/admin/directory/offer/",
    ):
        assert section in html, section
    assert "/en/admin/core/organisation/" in html
    # Secrets and accounts stay with administrators.
    assert "/en/admin/core/apitoken/" not in html
    assert "/en/admin/auth/group/" not in html


def test_network_staff_edit_content_but_cannot_delete_organisations() -> None:
    client = _signed_in(Role.NETWORK_STAFF)
    organisation = OrganisationFactory()

    assert client.get("/en/admin/events/event/add/").status_code == 200
    assert client.get(f"/en/admin/core/organisation/{organisation.pk}/change/").status_code == 200
    assert client.get(f"/en/admin/core/organisation/{organisation.pk}/delete/").status_code == 403
    assert client.get("/en/admin/core/apitoken/").status_code == 403


def test_members_and_experts_have_no_back_office() -> None:
    for role in (Role.MUNICIPAL_MEMBER, Role.EXPERT, Role.RETAILER):
        response = _signed_in(role).get("/en/admin/")
        assert response.status_code == 302, role
        assert "/admin/login/" in response["Location"]


def test_administrators_manage_accounts_and_groups() -> None:
    html = _signed_in(Role.ADMIN).get("/en/admin/").content.decode()

    assert "/en/admin/auth/group/" in html
    assert "/en/admin/core/apitoken/" in html


def test_syncing_the_roles_again_keeps_permissions_granted_by_hand() -> None:
    from django.contrib.auth.models import Group, Permission

    staff = Group.objects.get(name=Role.NETWORK_STAFF)
    extra = Permission.objects.get(codename="delete_organisation")
    staff.permissions.add(extra)
    before = staff.permissions.count()

    role_groups_sync()

    assert staff.permissions.count() == before
    assert staff.permissions.filter(pk=extra.pk).exists()


def _add_membership_through_the_admin(client: Client, organisation: Any, user: Any) -> Any:
    url = f"/en/admin/core/organisation/{organisation.pk}/change/"
    data = admin_form(client.get(url).content.decode(), "organisation_form")
    data.update(
        {
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": str(user.pk),
            "memberships-0-organisation": str(organisation.pk),
            "memberships-0-role": "admin",
        }
    )
    return client.post(url, data)


def test_network_staff_cannot_make_themselves_members_of_a_municipality() -> None:
    from cityexchange.core.models import Membership

    staff = UserFactory(roles=[Role.NETWORK_STAFF])
    client = Client()
    client.force_login(staff)
    municipality = OrganisationFactory(kind="municipality")

    _add_membership_through_the_admin(client, municipality, staff)

    assert not Membership.objects.filter(user=staff, organisation=municipality).exists()


def test_a_membership_added_by_an_administrator_is_audited_without_personal_data() -> None:
    from cityexchange.core.models import AuditEntry, Membership

    admin = UserFactory(roles=[Role.ADMIN])
    client = Client()
    client.force_login(admin)
    municipality = OrganisationFactory(kind="municipality")
    colleague = UserFactory(email="ana.souza@recife.example", full_name="Ana Souza")

    response = _add_membership_through_the_admin(client, municipality, colleague)

    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(user=colleague, organisation=municipality)
    entry = AuditEntry.objects.get(action="membership.create", object_id=str(membership.pk))
    assert entry.actor == admin
    assert entry.after["user_id"] == colleague.pk
    assert entry.after["organisation_id"] == municipality.pk
    assert entry.after["role"] == "admin"
    logged = f"{entry.object_repr} {entry.before} {entry.after}"
    assert "Ana Souza" not in logged and "ana.souza" not in logged


def test_editing_an_account_logs_what_changed_but_not_the_person_s_data() -> None:
    from cityexchange.core.models import AuditEntry

    admin = UserFactory(roles=[Role.ADMIN])
    client = Client()
    client.force_login(admin)
    person = UserFactory(email="old.name@lima.example", full_name="Rosa Quispe")
    url = f"/en/admin/core/user/{person.pk}/change/"
    data = admin_form(client.get(url).content.decode(), "user_form")
    data.update({"full_name": "Rosa Quispe Mamani", "email": "rosa.q@lima.example"})

    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    entry = AuditEntry.objects.get(action="user.update", object_id=str(person.pk))
    assert set(entry.after) >= {"full_name", "email"}
    logged = f"{entry.object_repr} {entry.before} {entry.after}"
    for personal in ("Rosa", "Quispe", "lima.example", "pbkdf2", "md5"):
        assert personal not in logged, personal


def test_revoking_an_api_token_in_the_back_office_is_audited_without_its_secret() -> None:
    from django.utils import timezone

    from cityexchange.core.models import ApiToken, AuditEntry
    from cityexchange.core.services import api_token_create

    admin = UserFactory(roles=[Role.ADMIN])
    client = Client()
    client.force_login(admin)
    token, _raw = api_token_create(user=UserFactory(roles=[Role.NETWORK_STAFF]), name="script")
    url = f"/en/admin/core/apitoken/{token.pk}/change/"
    data = admin_form(client.get(url).content.decode(), "apitoken_form")
    now = timezone.localtime()
    data.update(
        {"revoked_at_0": now.strftime("%Y-%m-%d"), "revoked_at_1": now.strftime("%H:%M:%S")}
    )

    assert client.post(url, data).status_code == 302

    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    entry = AuditEntry.objects.get(action="apitoken.update", object_id=str(token.pk))
    assert entry.after["revoked_at"]
    assert token.key_hash not in f"{entry.before} {entry.after}"
