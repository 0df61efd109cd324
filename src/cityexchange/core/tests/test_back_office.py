"""Who may do what in the back office (the Django admin) by role."""

from __future__ import annotations

from typing import Any

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


def _admin_form(html: str, form_id: str) -> dict[str, Any]:
    """The values a browser would submit for the admin form ``form_id``."""
    from html.parser import HTMLParser

    class Form(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.inside = False
            self.data: dict[str, Any] = {}
            self.select: str | None = None
            self.multiple = False
            self.textarea: str | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = dict(attrs)
            if tag == "form" and a.get("id") == form_id:
                self.inside = True
            if not self.inside or not a.get("name"):
                if tag == "option" and self.select and "selected" in a:
                    if self.multiple:
                        self.data.setdefault(self.select, []).append(a.get("value", ""))
                    else:
                        self.data[self.select] = a.get("value", "")
                return
            name = str(a["name"])
            if tag == "input" and a.get("type") not in ("checkbox", "submit", "file"):
                self.data[name] = a.get("value") or ""
            elif tag == "input" and a.get("type") == "checkbox" and "checked" in a:
                self.data[name] = "on"
            elif tag == "select":
                self.select = name
                # A multiple choice with nothing chosen is not sent at all.
                self.multiple = "multiple" in a
                if not self.multiple:
                    self.data.setdefault(name, "")
            elif tag == "textarea":
                self.textarea = name
                self.data[name] = ""

        def handle_endtag(self, tag: str) -> None:
            if tag == "form":
                self.inside = False
            if tag == "select":
                self.select = None
            if tag == "textarea":
                self.textarea = None

        def handle_data(self, data: str) -> None:
            if self.textarea:
                self.data[self.textarea] += data

    parser = Form()
    parser.feed(html)
    return parser.data


def _add_membership_through_the_admin(client: Client, organisation: Any, user: Any) -> Any:
    url = f"/en/admin/core/organisation/{organisation.pk}/change/"
    data = _admin_form(client.get(url).content.decode(), "organisation_form")
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
    data = _admin_form(client.get(url).content.decode(), "user_form")
    data.update({"full_name": "Rosa Quispe Mamani", "email": "rosa.q@lima.example"})

    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    entry = AuditEntry.objects.get(action="user.update", object_id=str(person.pk))
    assert set(entry.after) >= {"full_name", "email"}
    logged = f"{entry.object_repr} {entry.before} {entry.after}"
    for personal in ("Rosa", "Quispe", "lima.example", "pbkdf2", "md5"):
        assert personal not in logged, personal
