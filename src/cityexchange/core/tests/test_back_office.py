"""Who may do what in the back office (the Django admin) by role."""

from __future__ import annotations

import pytest
from django.test import Client

from cityexchange.core.roles import Role
from cityexchange.core.services import role_groups_sync
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
