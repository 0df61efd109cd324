"""Every write of the accounts app: typed, keyword-only, atomic and audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from cityexchange.accounts import mail
from cityexchange.accounts.models import (
    Invitation,
    JoinRequest,
    JoinRequestStatus,
    PrivacyConsent,
)
from cityexchange.core.models import (
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    User,
)
from cityexchange.core.roles import Role
from cityexchange.core.services import audit_record, membership_add, user_role_grant

# The platform role a membership brings, by the organisation's kind; other kinds bring
# none. Staff and administrator roles are only ever given in the back office.
ROLE_BY_KIND = {
    OrganisationKind.MUNICIPALITY: Role.MUNICIPAL_MEMBER,
    OrganisationKind.REGION: Role.MUNICIPAL_MEMBER,
    OrganisationKind.RESEARCH: Role.EXPERT,
    OrganisationKind.COMPANY: Role.RETAILER,
}


LAST_OWNER = _("An organisation always keeps at least one owner. Make someone else an owner first.")


class AccountsError(Exception):
    """A request that cannot be carried out; the message is shown to the person."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


def user_signup(
    *, user: User, full_name: str, language: str, timezone_name: str, notice_version: str
) -> User:
    """Save a person who signed up themselves, with the privacy notice they agreed to.

    allauth has set the address and password on the unsaved ``user``; the account
    cannot act until the address is verified (allauth sends that mail next).
    """
    with transaction.atomic():
        user.full_name = full_name
        user.language = language
        user.timezone = timezone_name
        user.save()
        PrivacyConsent.objects.create(user=user, notice_version=notice_version)
        audit_record(
            actor=user,
            action="user.signup",
            obj=user,
            after={"email": user.email, "privacy_notice_version": notice_version},
        )
    return user


def email_address_trust_network_account(*, user: User) -> None:
    """Record the address of an account the network created as verified.

    Accounts made in the back office or on the command line never went through the
    sign-up form: their address was typed in by staff, not claimed by a stranger, and
    allauth's verification would only lock them out. Self sign-ups always record their
    privacy consent, so this never verifies an address someone claimed by signing up.
    (allauth may already have added an unverified record, e.g. for a password reset.)
    """
    if PrivacyConsent.objects.filter(user=user).exists():
        return
    email = user.email.lower()
    if EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists():
        return
    with transaction.atomic():
        address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
        if address is None:
            address = EmailAddress(user=user, email=email)
        address.verified = True
        address.primary = (
            not EmailAddress.objects.filter(user=user, primary=True).exclude(pk=address.pk).exists()
        )
        address.save()
        audit_record(
            actor=None,
            action="email_address.trust_network_account",
            obj=address,
            after={"email": address.email},
        )


def _link(view: str, language: str, **kwargs: Any) -> str:
    with translation.override(language):
        return settings.SITE_URL + reverse(view, kwargs=kwargs or None)


def _owners(organisation: Organisation) -> list[User]:
    return list(
        User.objects.filter(
            memberships__organisation=organisation,
            memberships__role=MembershipRole.ADMIN,
            is_active=True,
        )
    )


def _staff() -> list[User]:
    return list(
        User.objects.filter(
            groups__name__in=[Role.NETWORK_STAFF, Role.ADMIN], is_active=True
        ).distinct()
    )


def _role_for(organisation: Organisation) -> str | None:
    return ROLE_BY_KIND.get(OrganisationKind(organisation.kind)) if organisation.kind else None


def _join(*, user: User, organisation: Organisation, role: str, actor: User) -> Membership:
    membership = membership_add(user=user, organisation=organisation, role=role, actor=actor)
    platform_role = _role_for(organisation)
    if platform_role and not user.groups.filter(name=platform_role).exists():
        user_role_grant(user=user, role=platform_role, actor=actor)
    return membership


def join_request_create(
    *, user: User, organisation: Organisation, message: str = ""
) -> JoinRequest:
    """Ask to join ``organisation``; its owners (or, without owners, staff) are told."""
    with transaction.atomic():
        if Membership.objects.filter(user=user, organisation=organisation).exists():
            raise AccountsError(_("You are already a member of this organisation."))
        try:
            with transaction.atomic():
                request = JoinRequest.objects.create(
                    user=user, organisation=organisation, message=message
                )
        except IntegrityError as exc:
            raise AccountsError(
                _("You have already asked to join this organisation; please wait for an answer.")
            ) from exc
        audit_record(
            actor=user,
            action="join_request.create",
            obj=request,
            after={"organisation": organisation.slug},
        )
        for recipient in _owners(organisation) or _staff():
            mail.send(
                to=recipient.email,
                language=recipient.language,
                template="join_request_received",
                context={
                    "recipient": recipient,
                    "request": request,
                    "link": _link(
                        "accounts:organisation", recipient.language, slug=organisation.slug
                    ),
                },
            )
    return request


def organisation_request_create(
    *, user: User, name: str, kind: str, country: str, message: str = ""
) -> JoinRequest:
    """Propose an organisation that is not listed; staff confirm it, and the person who
    asked becomes its first owner."""
    if kind not in OrganisationKind.values:
        raise AccountsError(_("Please choose the kind of organisation."))
    with transaction.atomic():
        request = JoinRequest.objects.create(
            user=user,
            proposed_name=name.strip(),
            proposed_kind=kind,
            proposed_country=country,
            message=message,
        )
        audit_record(
            actor=user,
            action="join_request.propose_organisation",
            obj=request,
            after={"name": request.proposed_name, "kind": kind, "country": country},
        )
        for recipient in _staff():
            mail.send(
                to=recipient.email,
                language=recipient.language,
                template="organisation_proposed",
                context={
                    "recipient": recipient,
                    "request": request,
                    "link": _link("accounts:staff_requests", recipient.language),
                },
            )
    return request


def _decide(*, join_request: JoinRequest, actor: User) -> JoinRequest:
    """Lock the request and check it can still be decided, and not by its author."""
    locked = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if locked.status != JoinRequestStatus.PENDING:
        raise AccountsError(_("This request has already been decided."))
    if locked.user_id == actor.pk:
        raise AccountsError(_("You cannot decide on your own request."))
    return locked


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "organisation"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def join_request_accept(*, join_request: JoinRequest, actor: User) -> Membership:
    """Accept: the person becomes a member (or, for a proposed organisation, which is
    created now, its owner) and is told in their language."""
    with transaction.atomic():
        request = _decide(join_request=join_request, actor=actor)
        organisation = request.organisation
        role = MembershipRole.MEMBER
        if organisation is None:
            organisation = Organisation.objects.create(
                slug=_unique_slug(request.proposed_name),
                name=request.proposed_name,
                # The name as given, in the fallback language, so every page shows it.
                name_en=request.proposed_name,
                kind=request.proposed_kind,
                country=request.proposed_country,
            )
            audit_record(
                actor=actor,
                action="organisation.create",
                obj=organisation,
                after={"name": organisation.name, "kind": organisation.kind},
            )
            request.organisation = organisation
            role = MembershipRole.ADMIN
        membership = _join(user=request.user, organisation=organisation, role=role, actor=actor)
        request.status = JoinRequestStatus.ACCEPTED
        request.decided_at = timezone.now()
        request.decided_by = actor
        request.save(update_fields=["status", "decided_at", "decided_by", "organisation"])
        audit_record(
            actor=actor,
            action="join_request.accept",
            obj=request,
            after={"status": request.status, "organisation": organisation.slug},
        )
        mail.send(
            to=request.user.email,
            language=request.user.language,
            template="join_request_accepted",
            context={
                "request": request,
                "organisation": organisation,
                "link": _link("accounts:home", request.user.language),
            },
        )
    return membership


def join_request_decline(*, join_request: JoinRequest, actor: User) -> JoinRequest:
    with transaction.atomic():
        request = _decide(join_request=join_request, actor=actor)
        request.status = JoinRequestStatus.DECLINED
        request.decided_at = timezone.now()
        request.decided_by = actor
        request.save(update_fields=["status", "decided_at", "decided_by"])
        audit_record(
            actor=actor, action="join_request.decline", obj=request, after={"status": "declined"}
        )
        mail.send(
            to=request.user.email,
            language=request.user.language,
            template="join_request_declined",
            context={"request": request},
        )
    return request


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def invitation_create(
    *, organisation: Organisation, email: str, actor: User, role: str = MembershipRole.MEMBER
) -> tuple[Invitation, str]:
    """Invite a colleague by mail; the link carries a random token and works once,
    for ``CITYEXCHANGE_INVITATION_DAYS``. Returns the invitation and the raw token."""
    email = email.strip().lower()
    if role not in MembershipRole.values:
        raise AccountsError(_("Please choose a role."))
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise AccountsError(_("This person is already a member."))
    raw = secrets.token_urlsafe(32)
    existing = User.objects.filter(email__iexact=email).first()
    language = existing.language if existing else (translation.get_language() or "en")[:2]
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            token_hash=_hash(raw),
            invited_by=actor,
            expires_at=timezone.now() + dt.timedelta(days=settings.CITYEXCHANGE_INVITATION_DAYS),
        )
        audit_record(
            actor=actor,
            action="invitation.create",
            obj=invitation,
            after={"email": email, "organisation": organisation.slug, "role": role},
        )
        mail.send(
            to=email,
            language=language,
            template="invitation",
            context={
                "invitation": invitation,
                "inviter": actor,
                "link": _link("accounts:invitation", language, token=raw),
            },
        )
    return invitation, raw


def invitation_find(*, raw_token: str) -> Invitation:
    """The invitation a link names, if it can still be used; else a clear refusal."""
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=_hash(raw_token))
        .first()
    )
    if invitation is None:
        raise AccountsError(_("This invitation link is not valid. Please ask for a new one."))
    if invitation.accepted_at is not None:
        raise AccountsError(_("This invitation has already been used."))
    if invitation.expires_at <= timezone.now():
        raise AccountsError(_("This invitation has expired. Please ask for a new one."))
    return invitation


def invitation_accept(*, raw_token: str, user: User) -> Membership:
    with transaction.atomic():
        found = invitation_find(raw_token=raw_token)
        # Locked and checked again: two clicks on the same link make one membership.
        invitation = Invitation.objects.select_for_update().get(pk=found.pk)
        if invitation.accepted_at is not None:
            raise AccountsError(_("This invitation has already been used."))
        if Membership.objects.filter(user=user, organisation=invitation.organisation).exists():
            raise AccountsError(_("You are already a member of this organisation."))
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        membership = _join(
            user=user, organisation=found.organisation, role=invitation.role, actor=user
        )
        audit_record(
            actor=user,
            action="invitation.accept",
            obj=invitation,
            after={"user": user.email, "organisation": found.organisation.slug},
        )
    return membership


def membership_set_role(*, membership: Membership, role: str, actor: User) -> Membership:
    """Make a member an owner or an owner a member; the last owner stays an owner."""
    if role not in MembershipRole.values:
        raise AccountsError(_("Please choose a role."))
    with transaction.atomic():
        owners = list(
            Membership.objects.select_for_update()
            .filter(organisation_id=membership.organisation_id, role=MembershipRole.ADMIN)
            .values_list("pk", flat=True)
        )
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.role == role:
            return locked
        if locked.role == MembershipRole.ADMIN and owners == [locked.pk]:
            raise AccountsError(LAST_OWNER)
        before = {"role": locked.role}
        locked.role = role
        locked.save(update_fields=["role"])
        audit_record(
            actor=actor,
            action="membership.set_role",
            obj=locked,
            before=before,
            after={"role": role},
        )
    return locked


def _end_membership(*, membership: Membership, actor: User, action: str) -> None:
    with transaction.atomic():
        # Lock the organisation's owners so two owners leaving at once cannot both go.
        owners = list(
            Membership.objects.select_for_update()
            .filter(organisation_id=membership.organisation_id, role=MembershipRole.ADMIN)
            .values_list("pk", flat=True)
        )
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.role == MembershipRole.ADMIN and owners == [locked.pk]:
            raise AccountsError(LAST_OWNER)
        organisation = locked.organisation
        user = locked.user
        audit_record(
            actor=actor,
            action=action,
            obj=locked,
            before={"user": user.email, "organisation": organisation.slug, "role": locked.role},
        )
        locked.delete()
        platform_role = _role_for(organisation)
        still_implied = platform_role and any(
            _role_for(m.organisation) == platform_role
            for m in user.memberships.select_related("organisation")
        )
        if platform_role and not still_implied:
            group = Group.objects.filter(name=platform_role).first()
            if group is not None:
                user.groups.remove(group)
                audit_record(
                    actor=actor, action="user.role_revoke", obj=user, after={"role": platform_role}
                )
                user.__dict__.pop("_cityexchange_groups", None)


def membership_leave(*, membership: Membership, actor: User) -> None:
    if membership.user_id != actor.pk:
        raise AccountsError(_("You can only leave an organisation yourself."))
    _end_membership(membership=membership, actor=actor, action="membership.leave")


def membership_remove(*, membership: Membership, actor: User) -> None:
    """An owner (or staff) removes a member; the rule of the last owner holds here too."""
    _end_membership(membership=membership, actor=actor, action="membership.remove")


def earlier_records_link(*, user: User) -> int:
    """Attach what the person registered without an account (events and the like, with
    the same address) to the account, once they confirmed it. Only a verified address
    may claim records: otherwise anyone could sign up with someone else's address and
    read their registrations."""
    from django.apps import apps

    if not EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists():
        raise AccountsError(_("Please verify your e-mail address first."))
    with transaction.atomic():
        total = 0
        for config in apps.get_app_configs():
            link = getattr(config, "link_earlier_records", None)
            if link is not None:
                total += int(link(user))
        audit_record(
            actor=user, action="user.link_earlier_records", obj=user, after={"count": total}
        )
    return total


def account_personal_data(*, user: User) -> dict[str, Any]:
    """What the accounts app holds about a person, for the data export."""
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    return {
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user)
        ],
        "privacy_consents": [
            {"notice_version": c.notice_version, "given_at": c.given_at, "context": c.context}
            for c in PrivacyConsent.objects.filter(user=user)
        ],
        "join_requests": [
            {
                "organisation": r.organisation_name,
                "message": r.message,
                "status": r.status,
                "created_at": r.created_at,
            }
            for r in JoinRequest.objects.filter(user=user).select_related("organisation")
        ],
        "two_factor": sorted(
            Authenticator.objects.filter(user=user).values_list("type", flat=True)
        ),
        "single_sign_on": [
            {"provider": s.provider, "uid": s.uid} for s in SocialAccount.objects.filter(user=user)
        ],
    }


def account_erase_personal_data(*, user: User) -> None:
    """Part of ``core.services.user_erase``: the addresses (so the address can sign up
    again), second factors, linked sign-ons, sessions, requests and open invitations."""
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount
    from allauth.usersessions.models import UserSession

    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    UserSession.objects.filter(user=user).delete()
    JoinRequest.objects.filter(user=user).delete()
    Invitation.objects.filter(email__iexact=user.email, accepted_at__isnull=True).delete()
    PrivacyConsent.objects.filter(user=user).delete()
