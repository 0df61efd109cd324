"""Every write of the accounts app: typed, keyword-only, atomic and audited."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction

from cityexchange.accounts.models import PrivacyConsent
from cityexchange.core.models import User
from cityexchange.core.services import audit_record


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

    Accounts made in the back office or on the command line have no address record:
    their address was typed in by staff, not claimed by a stranger, so allauth's
    verification would only lock them out. Self sign-ups always have a record
    (unverified until the link is followed), so this never verifies one.
    """
    if EmailAddress.objects.filter(user=user).exists():
        return
    with transaction.atomic():
        address, created = EmailAddress.objects.get_or_create(
            user=user, email=user.email.lower(), defaults={"verified": True, "primary": True}
        )
        if created:
            audit_record(
                actor=None,
                action="email_address.trust_network_account",
                obj=address,
                after={"email": address.email},
            )
