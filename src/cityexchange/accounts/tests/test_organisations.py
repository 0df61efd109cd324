"""Joining organisations: requests, owners' decisions, invitations, leaving and removing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from cityexchange.accounts import services
from cityexchange.accounts.models import Invitation, JoinRequest, JoinRequestStatus
from cityexchange.core.models import AuditEntry, Membership, Organisation
from cityexchange.core.roles import Role
from cityexchange.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(db: Any) -> Any:
    return UserFactory(email="newcomer@lindenau.example", language="pt", full_name="Ana Lima")


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Any) -> Any:
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _ask(client: Client, user: Any, municipality: Any, on_commit: Any) -> JoinRequest:
    client.force_login(user)
    with on_commit():
        response = client.post(
            f"/en/account/organisations/{municipality.slug}/join/", {"message": "I run IT."}
        )
    assert response.status_code == 302
    return JoinRequest.objects.get(user=user, organisation=municipality)


def test_a_person_finds_their_municipality_and_asks_to_join(
    client: Client, newcomer: Any, owner: Any, municipality: Any, on_commit: Any
) -> None:
    owner.language = "de"
    owner.save(update_fields=["language"])
    client.force_login(newcomer)
    page = client.get("/pt/account/organisations/?q=linden").content.decode()
    assert "Lindenau" in page
    request = _ask(client, newcomer, municipality, on_commit)
    assert request.status == JoinRequestStatus.PENDING
    [message] = mail.outbox
    assert message.to == [owner.email]
    assert "möchte" in message.body or "Beitritt" in message.subject
    assert f"/de/account/organisations/{municipality.slug}/" in message.body
    again = client.post(f"/en/account/organisations/{municipality.slug}/join/", follow=True)
    assert "already asked" in again.content.decode()
    assert JoinRequest.objects.filter(user=newcomer).count() == 1


def test_the_owner_accepts_and_the_person_is_told_in_their_language(
    client: Client, newcomer: Any, owner: Any, municipality: Any, on_commit: Any
) -> None:
    request = _ask(client, newcomer, municipality, on_commit)
    mail.outbox.clear()
    client.force_login(owner)
    page = client.get(f"/en/account/organisations/{municipality.slug}/").content.decode()
    assert "Ana Lima" in page and "I run IT." in page
    with on_commit():
        response = client.post(f"/en/account/requests/{request.pk}/accept/")
    assert response.status_code == 302
    membership = Membership.objects.get(user=newcomer, organisation=municipality)
    assert membership.role == "member"
    # Membership of a municipality brings the platform's municipal role.
    assert newcomer.groups.filter(name=Role.MUNICIPAL_MEMBER).exists()
    [message] = mail.outbox
    assert message.to == [newcomer.email]
    assert "Bem-vindo" in message.subject or "Bem-vinda" in message.subject
    assert AuditEntry.objects.filter(action="join_request.accept", actor=owner).exists()


def test_a_member_or_an_outsider_cannot_decide(
    client: Client, newcomer: Any, member: Any, outsider: Any, municipality: Any, on_commit: Any
) -> None:
    request = _ask(client, newcomer, municipality, on_commit)
    for user in (member, outsider):
        client.force_login(user)
        assert client.post(f"/en/account/requests/{request.pk}/accept/").status_code == 404
    request.refresh_from_db()
    assert request.status == JoinRequestStatus.PENDING
    assert not Membership.objects.filter(user=newcomer).exists()


def test_no_one_accepts_their_own_request(
    client: Client, staff: Any, municipality: Any, on_commit: Any
) -> None:
    request = _ask(client, staff, municipality, on_commit)
    response = client.post(f"/de/account/requests/{request.pk}/accept/", follow=True)
    assert "eigene Anfrage" in response.content.decode()
    assert not Membership.objects.filter(user=staff, organisation=municipality).exists()


def test_staff_decide_and_a_decided_request_stays_decided(
    client: Client, newcomer: Any, staff: Any, municipality: Any, on_commit: Any
) -> None:
    request = _ask(client, newcomer, municipality, on_commit)
    client.force_login(staff)
    with on_commit():
        client.post(f"/en/account/requests/{request.pk}/decline/")
    request.refresh_from_db()
    assert request.status == JoinRequestStatus.DECLINED
    assert mail.outbox[-1].to == [newcomer.email]
    response = client.post(f"/en/account/requests/{request.pk}/accept/", follow=True)
    assert "already been decided" in response.content.decode()
    assert not Membership.objects.filter(user=newcomer).exists()


def test_a_proposed_organisation_is_created_when_staff_confirm_it(
    client: Client, newcomer: Any, staff: Any, member: Any, on_commit: Any
) -> None:
    client.force_login(newcomer)
    with on_commit():
        response = client.post(
            "/es/account/organisations/new/",
            {"name": "Villa Nueva", "kind": "municipality", "country": "ES", "message": ""},
        )
    assert response.status_code == 302
    assert mail.outbox[-1].to == [staff.email]
    client.force_login(member)
    assert client.get("/en/account/organisations/proposed/").status_code == 404
    client.force_login(staff)
    request = JoinRequest.objects.get(proposed_name="Villa Nueva")
    assert "Villa Nueva" in client.get("/en/account/organisations/proposed/").content.decode()
    client.post(f"/en/account/requests/{request.pk}/accept/")
    organisation = Organisation.objects.get(name="Villa Nueva")
    assert Membership.objects.get(user=newcomer, organisation=organisation).role == "admin"


def test_a_proposal_without_a_name_is_a_form_error(client: Client, newcomer: Any) -> None:
    client.force_login(newcomer)
    response = client.post(
        "/en/account/organisations/new/", {"name": "", "kind": "nonsense", "country": "XX"}
    )
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert not JoinRequest.objects.exists()


def _invite(client: Client, owner: Any, municipality: Any, on_commit: Any, email: str) -> str:
    client.force_login(owner)
    with on_commit():
        client.post(
            f"/en/account/organisations/{municipality.slug}/invite/",
            {"email": email, "role": "member"},
        )
    match = re.search(r"/account/invitation/([\w-]+)/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_an_invitation_link_works_once(
    client: Client, owner: Any, newcomer: Any, municipality: Any, on_commit: Any
) -> None:
    token = _invite(client, owner, municipality, on_commit, newcomer.email)
    assert "/pt/account/invitation/" in mail.outbox[-1].body
    assert not Invitation.objects.filter(token_hash=token).exists()  # only its hash is kept
    client.force_login(newcomer)
    assert "Lindenau" in client.get(f"/pt/account/invitation/{token}/").content.decode()
    assert client.post(f"/pt/account/invitation/{token}/").status_code == 302
    assert Membership.objects.filter(user=newcomer, organisation=municipality).exists()
    reused = client.get(f"/pt/account/invitation/{token}/")
    assert reused.status_code == 410
    assert "já foi usado" in reused.content.decode()


def test_an_expired_or_guessed_invitation_is_refused(
    client: Client, owner: Any, newcomer: Any, municipality: Any, on_commit: Any
) -> None:
    token = _invite(client, owner, municipality, on_commit, newcomer.email)
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    client.force_login(newcomer)
    expired = client.post(f"/de/account/invitation/{token}/")
    assert expired.status_code == 410 and "abgelaufen" in expired.content.decode()
    guessed = client.get("/de/account/invitation/not-a-token/")
    assert guessed.status_code == 410 and "nicht gültig" in guessed.content.decode()
    assert not Membership.objects.filter(user=newcomer).exists()


def test_only_owners_and_staff_invite(
    client: Client, member: Any, outsider: Any, municipality: Any
) -> None:
    for user in (member, outsider):
        client.force_login(user)
        response = client.post(
            f"/en/account/organisations/{municipality.slug}/invite/",
            {"email": "x@example.org", "role": "admin"},
        )
        assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_the_team_page_is_for_members_and_staff(
    client: Client, owner: Any, member: Any, outsider: Any, staff: Any, municipality: Any
) -> None:
    url = f"/en/account/organisations/{municipality.slug}/"
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(member)
    page = client.get(url).content.decode()
    assert owner.get_full_name() in page and "Invite a colleague" not in page
    for manager in (owner, staff):
        client.force_login(manager)
        assert "Invite a colleague" in client.get(url).content.decode()


def test_the_last_owner_cannot_leave(client: Client, owner: Any, municipality: Any) -> None:
    membership = Membership.objects.get(user=owner, organisation=municipality)
    client.force_login(owner)
    response = client.post(f"/en/account/memberships/{membership.pk}/leave/", follow=True)
    assert "at least one owner" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()
    response = client.post(
        f"/en/account/memberships/{membership.pk}/role/", {"role": "member"}, follow=True
    )
    assert "at least one owner" in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).role == "admin"


def test_a_member_leaves_and_loses_the_role_the_membership_gave(
    client: Client, member: Any, municipality: Any
) -> None:
    membership = Membership.objects.get(user=member, organisation=municipality)
    client.force_login(member)
    client.post(f"/en/account/memberships/{membership.pk}/leave/")
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert not member.groups.filter(name=Role.MUNICIPAL_MEMBER).exists()


def test_an_owner_removes_a_member_but_members_remove_no_one(
    client: Client, owner: Any, member: Any, outsider: Any, municipality: Any
) -> None:
    owners = Membership.objects.get(user=owner, organisation=municipality)
    members = Membership.objects.get(user=member, organisation=municipality)
    for user in (member, outsider):
        client.force_login(user)
        assert client.post(f"/en/account/memberships/{owners.pk}/remove/").status_code == 404
    client.force_login(owner)
    client.post(f"/en/account/memberships/{members.pk}/remove/")
    assert not Membership.objects.filter(pk=members.pk).exists()
    assert Membership.objects.filter(pk=owners.pk).exists()


def test_two_owners_cannot_both_step_down(owner: Any, municipality: Any) -> None:
    second = UserFactory()
    services.membership_set_role(
        membership=Membership.objects.create(user=second, organisation=municipality),
        role="admin",
        actor=owner,
    )
    services.membership_leave(
        membership=Membership.objects.get(user=second, organisation=municipality), actor=second
    )
    with pytest.raises(services.AccountsError):
        services.membership_leave(
            membership=Membership.objects.get(user=owner, organisation=municipality), actor=owner
        )
